// libFuzzer target for token verification: server::Authenticator::Authorize over JwsVerifier
// (src/server/authenticator.h, src/server/jwt.h), and the base64url codec they rely on.
//
// Input: first byte selects the key (even: HS256 secret "fuzz-secret", odd: an ES256 key
// generated at startup, so that arbitrary 64-byte r||s reach the DER conversion); the rest is
// the token. Checks, beyond "no crash, no sanitizer report": an accepted HS256 token is exactly
// header.payload plus the HMAC of header.payload (no second accepted form); every error is
// Unauthenticated or PermissionDenied; base64url decode is canonical (re-encoding gives the
// input back) and encode→decode round-trips.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/authenticator.h"
#include "server/jwt.h"

namespace {

using crsync::server::Authenticator;
using crsync::server::AuthOptions;

constexpr std::string_view kSecret = "fuzz-secret";
constexpr int64_t kNow = 1800000000;

void Check(bool condition) {
  if (!condition) std::abort();
}

std::string EcPublicKeyPem() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

const Authenticator& Hs256() {
  static const Authenticator auth = [] {
    AuthOptions options;
    options.hs256_secret = std::string(kSecret);
    return *Authenticator::Create(options);
  }();
  return auth;
}

const Authenticator& Es256() {
  static const Authenticator auth = [] {
    AuthOptions options;
    options.public_key_pem = EcPublicKeyPem();
    return *Authenticator::Create(options);
  }();
  return auth;
}

std::string HmacOf(std::string_view data) {
  unsigned char tag[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), tag, &size);
  return std::string(reinterpret_cast<char*>(tag), size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crsync::server;
  if (size == 0) return 0;
  const bool use_ec = (data[0] & 1) != 0;
  const std::string_view token(reinterpret_cast<const char*>(data) + 1, size - 1);

  const Authenticator& auth = use_ec ? Es256() : Hs256();
  crsync::Result<Grant> grant = auth.Authorize(token, "room", kNow);
  if (grant.ok()) {
    if (!use_ec) {
      const size_t last_dot = token.rfind('.');
      Check(last_dot != std::string_view::npos);
      Check(token.substr(last_dot + 1) == Base64UrlEncode(HmacOf(token.substr(0, last_dot))));
    }
  } else {
    const crsync::StatusCode code = grant.status().code();
    Check(code == crsync::StatusCode::kUnauthenticated ||
          code == crsync::StatusCode::kPermissionDenied);
    Check(!grant.status().message().empty());
  }

  const std::optional<std::string> decoded = Base64UrlDecode(token);
  if (decoded) Check(Base64UrlEncode(*decoded) == token);
  Check(Base64UrlDecode(Base64UrlEncode(token)) == std::string(token));
  (void)JsonNestingDepth(token);
  return 0;
}
