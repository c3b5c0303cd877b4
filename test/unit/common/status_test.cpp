// Tests of Status and Result<T> (src/common/status.h).
#include "common/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace crsync {
namespace {

TEST(CommonStatus, DefaultIsOkWithoutMessage) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(StatusCode::kOk, status.code());
  EXPECT_EQ("OK", status.ToString());
  EXPECT_EQ(Status(), Status::Ok());
  EXPECT_TRUE(Status(StatusCode::kOk, "ignored").message().empty());
}

TEST(CommonStatus, NamedConstructorsCarryCodeAndMessage) {
  const Status status = Status::DataLoss("bad tag");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(StatusCode::kDataLoss, status.code());
  EXPECT_EQ("bad tag", status.message());
  EXPECT_EQ("data_loss: bad tag", status.ToString());
  EXPECT_EQ(StatusCode::kOutOfRange, Status::OutOfRange("x").code());
  EXPECT_EQ(StatusCode::kResourceExhausted, Status::ResourceExhausted("x").code());
  EXPECT_EQ(StatusCode::kInvalidArgument, Status::InvalidArgument("x").code());
  EXPECT_EQ("resource_exhausted", StatusCodeName(StatusCode::kResourceExhausted));
}

TEST(CommonStatus, WithContextPrefixesErrorsOnly) {
  EXPECT_EQ("Changes: change 2: seq",
            Status::OutOfRange("seq").WithContext("change 2").WithContext("Changes").message());
  EXPECT_TRUE(Status().WithContext("anything").ok());
}

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

Status Quarter(int x, int* out) {
  CRSYNC_ASSIGN_OR_RETURN(int half, Half(x));
  CRSYNC_ASSIGN_OR_RETURN(*out, Half(half));
  return Status();
}

TEST(CommonResult, HoldsValueOrStatus) {
  Result<int> good = Half(8);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(4, *good);
  EXPECT_TRUE(good.status().ok());
  Result<int> bad = Half(3);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(StatusCode::kInvalidArgument, bad.status().code());
}

TEST(CommonResult, OkStatusBecomesInternalError) {
  Result<int> r = Status();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(StatusCode::kInternal, r.status().code());
}

TEST(CommonResult, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(7, *p);
}

TEST(CommonResult, MacrosPropagate) {
  int out = 0;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(2, out);
  EXPECT_EQ("odd", Quarter(6, &out).message());
  EXPECT_EQ("odd", Quarter(5, &out).message());
}

TEST(CommonResultDeathTest, ValueOfErrorAborts) {
  Result<int> bad = Status::DataLoss("x");
  EXPECT_DEATH((void)bad.value(), "");
}

}  // namespace
}  // namespace crsync
