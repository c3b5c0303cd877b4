// JSON Web Token signature verification (compact JWS, RFC 7515/7518) for HS256, RS256 and ES256.
//
// A JwsVerifier is built from the server's single configured key: an HMAC secret (HS256) or a
// PEM public key (RSA => RS256, EC P-256 => ES256). The key type alone decides the one algorithm
// a token may use; the token's "alg" header must name exactly that algorithm. This is what
// defeats "alg":"none" and algorithm confusion (an HS256 token "signed" with the RSA public key
// as secret is refused because an RSA key only ever verifies RS256).
//
// Verify() parses header.payload.signature strictly: at most kMaxTokenBytes, exactly three
// parts, canonical unpadded base64url (no '=', no stray bits), the header a JSON object nested at
// most kMaxJsonDepth deep with a string "alg" and no "crit" (we understand no extensions). Only
// after the signature verifies is the payload returned, as raw JSON bytes for the caller to
// interpret (claims are authenticator.h's business). HMAC tags are compared in constant time;
// ES256 signatures are the JWS raw r||s (64 bytes), converted to DER for OpenSSL.
//
// Errors are Status::Unauthenticated with short messages a client may see: "malformed token: …",
// "unsupported alg '…'", "bad signature". Key loading errors are InvalidArgument.
//
// Thread-safety: a JwsVerifier is immutable; Verify may run on many threads at once. Copies
// share the key.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace crsync::server {

enum class JwsAlgorithm { kHs256, kRs256, kEs256 };

// "HS256", "RS256", "ES256".
std::string_view JwsAlgorithmName(JwsAlgorithm algorithm);

// Longest token accepted (bytes). Real tokens are a few hundred bytes to ~2 KiB.
inline constexpr size_t kMaxTokenBytes = 8192;
// Deepest JSON nesting accepted in a token's header or payload.
inline constexpr int kMaxJsonDepth = 16;

// Unpadded base64url (RFC 4648 §5), as JWS uses it.
std::string Base64UrlEncode(std::string_view bytes);
// Strict inverse of Base64UrlEncode: nullopt on '=', characters outside [A-Za-z0-9-_], a
// length ≡ 1 (mod 4), or non-zero unused bits in the last character (so every byte string has
// exactly one accepted encoding, and a signature cannot be altered without failing).
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Deepest nesting of JSON arrays/objects in text (strings skipped, escapes honoured); counts
// brackets only, so malformed text gets a number too. Lets callers refuse deep input before
// handing it to a parser.
int JsonNestingDepth(std::string_view text);

class JwsVerifier {
 public:
  // HS256 with secret used as raw bytes. InvalidArgument when the secret is empty.
  static Result<JwsVerifier> ForHmacSecret(std::string secret);
  // RS256 or ES256 from a PEM public key ("BEGIN PUBLIC KEY", "BEGIN RSA PUBLIC KEY") or a
  // certificate ("BEGIN CERTIFICATE", its subject key). InvalidArgument for unreadable PEM, RSA
  // keys under 2048 bits, EC curves other than P-256, and other key types (Ed25519, DSA, ...).
  static Result<JwsVerifier> ForPublicKeyPem(std::string_view pem);

  JwsAlgorithm algorithm() const { return algorithm_; }
  // Key size in bits (secret length * 8 for HS256).
  int key_bits() const { return key_bits_; }

  // The decoded payload (JSON bytes, not yet parsed) of a token whose signature verifies with
  // this key; Unauthenticated otherwise (see the file comment).
  Result<std::string> Verify(std::string_view token) const;

 private:
  struct Key;  // the OpenSSL key or the HMAC secret; defined in jwt.cpp

  JwsVerifier(JwsAlgorithm algorithm, int key_bits, std::shared_ptr<const Key> key)
      : algorithm_(algorithm), key_bits_(key_bits), key_(std::move(key)) {}

  bool SignatureMatches(std::string_view signing_input, std::string_view signature) const;

  JwsAlgorithm algorithm_;
  int key_bits_;
  std::shared_ptr<const Key> key_;
};

}  // namespace crsync::server
