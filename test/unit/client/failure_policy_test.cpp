// Tests of the client's retry-or-give-up classification.
#include "client/failure_policy.h"

#include <gtest/gtest.h>

namespace crsync::client {
namespace {

TEST(FailurePolicyTest, AuthRefusalsAreFatal) {
  auto fatal = FatalConnectError(Status::Unavailable("HTTP 401: unauthorized"));
  ASSERT_TRUE(fatal.has_value());
  EXPECT_EQ(fatal->code(), StatusCode::kUnauthenticated);
  EXPECT_NE(fatal->message().find("HTTP 401: unauthorized"), std::string::npos);
  fatal = FatalConnectError(Status::Unavailable("HTTP 403: room not allowed"));
  ASSERT_TRUE(fatal.has_value());
  EXPECT_EQ(fatal->code(), StatusCode::kPermissionDenied);
}

TEST(FailurePolicyTest, MisconfigurationIsFatal) {
  EXPECT_EQ(FatalConnectError(Status::Unavailable("HTTP 404: not found"))->code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(FatalConnectError(Status::Unavailable("HTTP 400: bad header"))->code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(FatalConnectError(Status::DataLoss("server did not echo the subprotocol"))->code(),
            StatusCode::kFailedPrecondition);
}

TEST(FailurePolicyTest, TransientConnectErrorsAreRetried) {
  EXPECT_FALSE(FatalConnectError(Status::Unavailable("cannot connect to 127.0.0.1:1")));
  EXPECT_FALSE(FatalConnectError(Status::Unavailable("connect timeout")));
  EXPECT_FALSE(FatalConnectError(Status::Unavailable("HTTP 503: stopping")));
  EXPECT_FALSE(FatalConnectError(Status::Unavailable("HTTP 500: boom")));
  EXPECT_FALSE(FatalConnectError(Status::Unavailable("HTTP 4")));  // malformed: retry
  EXPECT_FALSE(FatalConnectError(Status()));
}

TEST(FailurePolicyTest, SessionRefusalsAreFatalButLoadIsNot) {
  auto fatal = FatalSessionClose(
      Status::FailedPrecondition("peer refused the session (1008: schema mismatch: x)"));
  ASSERT_TRUE(fatal.has_value());
  EXPECT_EQ(fatal->code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(fatal->message().find("schema mismatch"), std::string::npos);
  EXPECT_FALSE(FatalSessionClose(
      Status::FailedPrecondition("peer refused the session (1008: send queue overflow)")));
  fatal = FatalSessionClose(Status::InvalidArgument("applying changes: no such table: x"));
  ASSERT_TRUE(fatal.has_value());
  EXPECT_EQ(fatal->code(), StatusCode::kFailedPrecondition);
}

TEST(FailurePolicyTest, DropsAndShutdownsAreRetried) {
  EXPECT_FALSE(FatalSessionClose(Status()));  // 1000/1001
  EXPECT_FALSE(FatalSessionClose(Status::Unavailable("connection closed (1006: eof)")));
  EXPECT_FALSE(FatalSessionClose(Status::Unavailable("connection closed (1011)")));
  EXPECT_FALSE(FatalSessionClose(Status::Unavailable("inbound gap: resync needed")));
  EXPECT_FALSE(FatalSessionClose(Status::FailedPrecondition("StartStreaming before Start()")));
}

}  // namespace
}  // namespace crsync::client
