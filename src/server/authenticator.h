// Who may open which room: JWT bearer tokens checked at the WebSocket upgrade.
//
// The vlcn client sends its token inside the Sec-WebSocket-Protocol value (spec
// sync-protocol.md §1.2–§1.3); the server's upgrade handler passes it here with the room and the
// current time, and refuses the upgrade with the returned Status (Unauthenticated → 401,
// PermissionDenied → 403). docs/auth.md is the operator's guide.
//
// Configuration: no key → auth disabled, everyone may open every room read-write. One key →
// every upgrade needs a token signed with it (jwt.h: HS256 secret, or RS256/ES256 PEM public
// key). Claims checked (all times are NumericDate seconds, compared with leeway_seconds):
//   exp   required; now >= exp + leeway → "token expired"
//   nbf   optional; now + leeway < nbf → "token not yet valid"
//   iat   optional; now + leeway < iat → "token not yet valid" (issued in the future)
//   aud   checked only when AuthOptions::audience is set: a string equal to it, or an array
//         containing it
//   iss   checked only when AuthOptions::issuer is set: must equal it
//   sub   optional string → Grant::subject
//   rooms optional array of strings; a room is allowed when it equals an entry, or starts
//         with an entry's text before a trailing '*' ("team-*", or "*" for all rooms)
//   room  optional string, the same as "rooms": [room]. Neither claim = all rooms; both at
//         once is malformed. An empty "rooms" array allows no room.
//   read_only optional bool → Grant::read_only. The spellings "readonly"/"readOnly" are refused
//         (malformed) rather than ignored, so a misspelt restriction never grants write access.
// A claim of the wrong JSON type is "malformed token: …", never silently ignored. Unknown
// claims are ignored.
//
// Thread-safety: immutable after Create; Authorize may run on many threads at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "server/jwt.h"

namespace crsync::server {

struct AuthOptions {
  std::string hs256_secret;    // --jwt-secret
  std::string public_key_pem;  // contents of --jwt-public-key FILE
  int64_t leeway_seconds = 30;
  std::string audience;  // when set, "aud" must contain it
  std::string issuer;    // when set, "iss" must equal it
};

struct Grant {
  std::string subject;  // the "sub" claim, empty when absent or auth is disabled
  bool read_only = false;
};

class Authenticator {
 public:
  // InvalidArgument when both a secret and a public key are set, when the PEM cannot be read
  // or holds an unsupported key (jwt.h), or when leeway_seconds is outside [0, 86400].
  static Result<Authenticator> Create(const AuthOptions& options);

  bool enabled() const { return verifier_.has_value(); }
  // One line for the startup log: "HS256 secret", "RS256 public key (2048-bit RSA)",
  // "ES256 public key (P-256)", "none (no auth: every room open to everyone)".
  std::string Describe() const;

  // The rights a token grants on room at now_unix_seconds. Disabled: Grant{} whatever the
  // input. Enabled: Unauthenticated("missing token") for no/empty token, the jwt.h errors,
  // "malformed token: …" for bad claims, "token expired", "token not yet valid";
  // PermissionDenied("token does not allow room '<room>'") when the room is not allowed.
  Result<Grant> Authorize(std::optional<std::string_view> token, std::string_view room,
                          int64_t now_unix_seconds) const;

 private:
  Authenticator(std::optional<JwsVerifier> verifier, const AuthOptions& options)
      : verifier_(std::move(verifier)),
        leeway_seconds_(options.leeway_seconds),
        audience_(options.audience),
        issuer_(options.issuer) {}

  std::optional<JwsVerifier> verifier_;
  int64_t leeway_seconds_;
  std::string audience_;
  std::string issuer_;
};

}  // namespace crsync::server
