// Failure classification of the native client (see failure_policy.h).
#include "client/failure_policy.h"

#include <charconv>
#include <string>
#include <string_view>

namespace crsync::client {
namespace {

// The HTTP status in net's "HTTP <status>: <body>" refusal message, or 0.
int RefusedUpgradeStatus(std::string_view message) {
  constexpr std::string_view kPrefix = "HTTP ";
  const size_t at = message.find(kPrefix);
  if (at == std::string_view::npos) return 0;
  const std::string_view digits = message.substr(at + kPrefix.size(), 3);
  int status = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), status);
  if (ec != std::errc() || end != digits.data() + digits.size()) return 0;
  return status;
}

}  // namespace

std::optional<Status> FatalConnectError(const Status& error) {
  if (error.ok()) return std::nullopt;
  if (error.code() == StatusCode::kDataLoss) {
    return Status::FailedPrecondition("not a vlcn sync endpoint: " + error.message());
  }
  switch (RefusedUpgradeStatus(error.message())) {
    case 401:
      return Status::Unauthenticated("the server refused the token (" + error.message() + ")");
    case 403:
      return Status::PermissionDenied("the server refused access (" + error.message() + ")");
    case 400:
    case 404:
      return Status::FailedPrecondition("the server refused the connection request (" +
                                        error.message() + ")");
    default:
      return std::nullopt;
  }
}

std::optional<Status> FatalSessionClose(const Status& close_status) {
  if (close_status.ok()) return std::nullopt;
  const std::string& message = close_status.message();
  if (close_status.code() == StatusCode::kInvalidArgument &&
      message.find("applying changes") != std::string::npos) {
    return Status::FailedPrecondition(
        "the server sent changes this database cannot take "
        "(different schema?): " +
        message);
  }
  if (message.find("(1008") != std::string::npos &&
      message.find("send queue overflow") == std::string::npos) {
    return Status::FailedPrecondition("the server refused the session: " + message);
  }
  return std::nullopt;
}

}  // namespace crsync::client
