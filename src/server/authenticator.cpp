// Token policy on top of jwt.h: registered time claims, audience/issuer, room patterns and the
// read-only flag (see authenticator.h for the rules).
//
// Claims are read from the verified payload with nlohmann-json without exceptions: every
// access checks the JSON type first, so a hostile (but validly signed) payload can only produce
// a "malformed token" error.
#include "server/authenticator.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/utf8.h"

namespace crsync::server {
namespace {

constexpr int64_t kMaxLeewaySeconds = 86400;
constexpr size_t kWeakSecretBytes = 32;
constexpr size_t kMaxRoomInMessage = 100;

using Json = nlohmann::json;

Status Malformed(std::string_view why) {
  return Status::Unauthenticated("malformed token: " + std::string(why));
}

// A NumericDate claim: absent → nullopt; present → finite number, else malformed.
Result<std::optional<double>> ReadTime(const Json& claims, const char* name) {
  const auto claim = claims.find(name);
  if (claim == claims.end()) return std::optional<double>();
  if (!claim->is_number()) return Malformed(std::string("claim '") + name + "' is not a number");
  const double value = claim->get<double>();
  if (!std::isfinite(value)) return Malformed(std::string("claim '") + name + "' is not finite");
  return std::optional<double>(value);
}

// The room patterns of the token; nullopt = every room.
Result<std::optional<std::vector<std::string>>> ReadRoomPatterns(const Json& claims) {
  const auto rooms = claims.find("rooms");
  const auto room = claims.find("room");
  if (rooms != claims.end() && room != claims.end()) {
    return Malformed("has both 'room' and 'rooms'");
  }
  std::vector<std::string> patterns;
  if (room != claims.end()) {
    if (!room->is_string()) return Malformed("claim 'room' is not a string");
    patterns.push_back(room->get<std::string>());
    return std::optional(std::move(patterns));
  }
  if (rooms == claims.end()) return std::optional<std::vector<std::string>>();
  if (!rooms->is_array()) return Malformed("claim 'rooms' is not an array");
  for (const Json& entry : *rooms) {
    if (!entry.is_string()) return Malformed("claim 'rooms' has a non-string entry");
    patterns.push_back(entry.get<std::string>());
  }
  return std::optional(std::move(patterns));
}

bool RoomMatches(std::string_view pattern, std::string_view room) {
  if (!pattern.empty() && pattern.back() == '*') {
    return room.starts_with(pattern.substr(0, pattern.size() - 1));
  }
  return pattern == room;
}

Status CheckTimes(const Json& claims, int64_t now_unix_seconds, int64_t leeway_seconds) {
  CRSYNC_ASSIGN_OR_RETURN(const std::optional<double> exp, ReadTime(claims, "exp"));
  CRSYNC_ASSIGN_OR_RETURN(const std::optional<double> nbf, ReadTime(claims, "nbf"));
  CRSYNC_ASSIGN_OR_RETURN(const std::optional<double> iat, ReadTime(claims, "iat"));
  const double now = static_cast<double>(now_unix_seconds);
  const double leeway = static_cast<double>(leeway_seconds);
  if (!exp) return Malformed("no 'exp' claim (tokens must expire)");
  if (now >= *exp + leeway) return Status::Unauthenticated("token expired");
  if ((nbf && now + leeway < *nbf) || (iat && now + leeway < *iat)) {
    return Status::Unauthenticated("token not yet valid");
  }
  return Status::Ok();
}

Status CheckAudienceAndIssuer(const Json& claims, const std::string& audience,
                              const std::string& issuer) {
  if (!audience.empty()) {
    const auto aud = claims.find("aud");
    bool matches = false;
    if (aud != claims.end() && aud->is_string()) matches = *aud == audience;
    if (aud != claims.end() && aud->is_array()) {
      for (const Json& entry : *aud) matches = matches || (entry.is_string() && entry == audience);
    }
    if (!matches) return Status::Unauthenticated("token is for another audience");
  }
  if (!issuer.empty()) {
    const auto iss = claims.find("iss");
    if (iss == claims.end() || !iss->is_string() || *iss != issuer) {
      return Status::Unauthenticated("token is from another issuer");
    }
  }
  return Status::Ok();
}

Result<Grant> ReadGrant(const Json& claims) {
  Grant grant;
  const auto sub = claims.find("sub");
  if (sub != claims.end()) {
    if (!sub->is_string()) return Malformed("claim 'sub' is not a string");
    grant.subject = sub->get<std::string>();
  }
  if (claims.contains("readonly") || claims.contains("readOnly")) {
    return Malformed("claim 'readonly' is not supported, use 'read_only'");
  }
  const auto read_only = claims.find("read_only");
  if (read_only != claims.end()) {
    if (!read_only->is_boolean()) return Malformed("claim 'read_only' is not a boolean");
    grant.read_only = read_only->get<bool>();
  }
  return grant;
}

std::string RoomForMessage(std::string_view room) {
  std::string shown = RepairUtf8(room.substr(0, kMaxRoomInMessage));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  if (room.size() > kMaxRoomInMessage) shown += "...";
  return shown;
}

}  // namespace

Result<Authenticator> Authenticator::Create(const AuthOptions& options) {
  if (options.leeway_seconds < 0 || options.leeway_seconds > kMaxLeewaySeconds) {
    return Status::InvalidArgument("JWT leeway must be between 0 and 86400 seconds");
  }
  const bool has_secret = !options.hs256_secret.empty();
  const bool has_public_key = !options.public_key_pem.empty();
  if (has_secret && has_public_key) {
    return Status::InvalidArgument(
        "configure either a JWT secret (HS256) or a JWT public key (RS256/ES256), not both");
  }
  if (has_secret) {
    CRSYNC_ASSIGN_OR_RETURN(JwsVerifier verifier, JwsVerifier::ForHmacSecret(options.hs256_secret));
    return Authenticator(std::move(verifier), options);
  }
  if (has_public_key) {
    CRSYNC_ASSIGN_OR_RETURN(JwsVerifier verifier,
                            JwsVerifier::ForPublicKeyPem(options.public_key_pem));
    return Authenticator(std::move(verifier), options);
  }
  return Authenticator(std::nullopt, options);
}

std::string Authenticator::Describe() const {
  if (!verifier_) return "none (no auth: every room open to everyone)";
  std::string description;
  switch (verifier_->algorithm()) {
    case JwsAlgorithm::kHs256:
      description = "HS256 secret";
      if (static_cast<size_t>(verifier_->key_bits() / 8) < kWeakSecretBytes) {
        description +=
            " (weak: " + std::to_string(verifier_->key_bits() / 8) + " bytes, use at least 32)";
      }
      break;
    case JwsAlgorithm::kRs256:
      description = "RS256 public key (" + std::to_string(verifier_->key_bits()) + "-bit RSA)";
      break;
    case JwsAlgorithm::kEs256:
      description = "ES256 public key (P-256)";
      break;
  }
  if (!audience_.empty()) description += ", audience '" + audience_ + "'";
  if (!issuer_.empty()) description += ", issuer '" + issuer_ + "'";
  return description;
}

Result<Grant> Authenticator::Authorize(std::optional<std::string_view> token, std::string_view room,
                                       int64_t now_unix_seconds) const {
  if (!verifier_) return Grant{};
  if (!token || token->empty()) return Status::Unauthenticated("missing token");
  CRSYNC_ASSIGN_OR_RETURN(const std::string payload, verifier_->Verify(*token));
  if (JsonNestingDepth(payload) > kMaxJsonDepth) return Malformed("payload nested too deeply");
  const Json claims = Json::parse(payload, nullptr, false);
  if (claims.is_discarded() || !claims.is_object()) {
    return Malformed("payload is not a JSON object");
  }
  CRSYNC_RETURN_IF_ERROR(CheckTimes(claims, now_unix_seconds, leeway_seconds_));
  CRSYNC_RETURN_IF_ERROR(CheckAudienceAndIssuer(claims, audience_, issuer_));
  CRSYNC_ASSIGN_OR_RETURN(Grant grant, ReadGrant(claims));
  CRSYNC_ASSIGN_OR_RETURN(const std::optional<std::vector<std::string>> patterns,
                          ReadRoomPatterns(claims));
  if (patterns) {
    bool allowed = false;
    for (const std::string& pattern : *patterns) allowed = allowed || RoomMatches(pattern, room);
    if (!allowed) {
      return Status::PermissionDenied("token does not allow room '" + RoomForMessage(room) + "'");
    }
  }
  return grant;
}

}  // namespace crsync::server
