// Status and Result<T>: how crsync library code reports expected failures.
//
// A Status is a code plus a human-readable message; the default-constructed Status is OK and
// carries no message (so the success path never allocates). Result<T> holds either a T or a
// non-OK Status, in the spirit of std::expected, which g++ 12 does not ship. Exceptions never
// cross a module boundary: anything that can fail on bad input (bytes from the network, SQL
// arguments, file contents) returns one of these instead.
//
// Thread-safety: plain value types; distinct objects may be used from different threads.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace crsync {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,    // the caller passed something it should not have
  kDataLoss,           // untrusted bytes are malformed (bad encoding, unknown tag, bad UTF-8)
  kOutOfRange,         // a read ran past the end of the input (truncation)
  kResourceExhausted,  // a configured limit (size, count) would be exceeded
  kNotFound,
  kFailedPrecondition,
  kUnimplemented,
  kUnavailable,
  kInternal,
  kUnauthenticated,   // no credentials, or credentials that do not verify (bad, expired token)
  kPermissionDenied,  // verified credentials that do not allow this (room, read-only)
};

// Stable lowercase name of a code, e.g. "data_loss".
std::string_view StatusCodeName(StatusCode code);

class Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message) {
    return Status(StatusCode::kInvalidArgument, std::move(message));
  }
  static Status DataLoss(std::string message) {
    return Status(StatusCode::kDataLoss, std::move(message));
  }
  static Status OutOfRange(std::string message) {
    return Status(StatusCode::kOutOfRange, std::move(message));
  }
  static Status ResourceExhausted(std::string message) {
    return Status(StatusCode::kResourceExhausted, std::move(message));
  }
  static Status NotFound(std::string message) {
    return Status(StatusCode::kNotFound, std::move(message));
  }
  static Status FailedPrecondition(std::string message) {
    return Status(StatusCode::kFailedPrecondition, std::move(message));
  }
  static Status Unimplemented(std::string message) {
    return Status(StatusCode::kUnimplemented, std::move(message));
  }
  static Status Unavailable(std::string message) {
    return Status(StatusCode::kUnavailable, std::move(message));
  }
  static Status Internal(std::string message) {
    return Status(StatusCode::kInternal, std::move(message));
  }
  static Status Unauthenticated(std::string message) {
    return Status(StatusCode::kUnauthenticated, std::move(message));
  }
  static Status PermissionDenied(std::string message) {
    return Status(StatusCode::kPermissionDenied, std::move(message));
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "OK", or "<code name>: <message>".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status. Accessing value() of an error Result is a programmer error
// and aborts (checked in all build modes: it would otherwise read the wrong variant member).
template <typename T>
class Result {
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "Result<Status> is meaningless");

 public:
  // Implicit from a value and from a Status so that functions can `return value;` or
  // `return Status::DataLoss(...);`. A Result built from an OK Status is a programmer error
  // (there is no value to hold); it is turned into kInternal rather than crashing later.
  Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  Result(Status status)                                                 // NOLINT
      : data_(std::in_place_index<1>, status.ok()
                                          ? Status::Internal("Result constructed from an OK Status")
                                          : std::move(status)) {}

  bool ok() const { return data_.index() == 0; }

  // The error; OK when the Result holds a value.
  Status status() const { return ok() ? Status() : std::get<1>(data_); }

  T& value() & {
    CheckOk();
    return std::get<0>(data_);
  }
  const T& value() const& {
    CheckOk();
    return std::get<0>(data_);
  }
  T&& value() && {
    CheckOk();
    return std::get<0>(std::move(data_));
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void CheckOk() const {
    // Invariant: callers test ok() before reading the value.
    if (!ok()) std::abort();
  }

  std::variant<T, Status> data_;
};

}  // namespace crsync

#define CRSYNC_STATUS_CONCAT_INNER_(a, b) a##b
#define CRSYNC_STATUS_CONCAT_(a, b) CRSYNC_STATUS_CONCAT_INNER_(a, b)

// Evaluates expr (a Status); returns it from the enclosing function when it is not OK.
#define CRSYNC_RETURN_IF_ERROR(expr)                         \
  do {                                                       \
    ::crsync::Status crsync_status_tmp_ = (expr);            \
    if (!crsync_status_tmp_.ok()) return crsync_status_tmp_; \
  } while (false)

// Evaluates expr (a Result<T>); on error returns its Status from the enclosing function,
// otherwise moves the value into lhs (a declaration such as `auto x` or an existing variable).
#define CRSYNC_ASSIGN_OR_RETURN(lhs, expr) \
  CRSYNC_ASSIGN_OR_RETURN_IMPL_(CRSYNC_STATUS_CONCAT_(crsync_result_, __LINE__), lhs, expr)
#define CRSYNC_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                                  \
  if (!result.ok()) return result.status();              \
  lhs = std::move(result).value()
