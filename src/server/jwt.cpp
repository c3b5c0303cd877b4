// JWS compact-token verification with OpenSSL 3 (see jwt.h).
//
// The token is split and decoded before any JSON parsing; the header is parsed only to read
// "alg" and "crit", and the payload is returned untouched once the signature verifies. Every
// OpenSSL failure path clears the thread's OpenSSL error queue, because the TLS code in
// src/net runs on the same threads and reads that queue.
#include "server/jwt.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <nlohmann/json.hpp>
#include <vector>

namespace crsync::server {

struct JwsVerifier::Key {
  EVP_PKEY* public_key = nullptr;  // owned; null for HS256
  std::string secret;              // HS256 only

  Key() = default;
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key() { EVP_PKEY_free(public_key); }
};

namespace {

constexpr std::string_view kBase64UrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr size_t kEs256SignatureBytes = 64;
constexpr size_t kHs256TagBytes = 32;
constexpr int kMinRsaBits = 2048;

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// A short printable rendering of untrusted text for an error message.
std::string Printable(std::string_view text, size_t max_chars = 32) {
  std::string out;
  for (const char c : text.substr(0, max_chars)) {
    out += (c >= 0x20 && c < 0x7f && c != '\'') ? c : '?';
  }
  if (text.size() > max_chars) out += "...";
  return out;
}

Status Malformed(std::string_view why) {
  return Status::Unauthenticated("malformed token: " + std::string(why));
}

// Drops OpenSSL's per-thread error queue (see the file comment).
void ClearOpenSslErrors() { ERR_clear_error(); }

int NoPassphrase(char*, int, int, void*) { return 0; }

// Reads the public key of a PEM certificate, public key or RSA public key. Null on failure.
EVP_PKEY* ReadPublicKey(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return nullptr;
  EVP_PKEY* key = nullptr;
  if (pem.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    X509* certificate = PEM_read_bio_X509(bio, nullptr, NoPassphrase, nullptr);
    if (certificate != nullptr) key = X509_get_pubkey(certificate);
    X509_free(certificate);
  } else {
    OSSL_DECODER_CTX* decoder = OSSL_DECODER_CTX_new_for_pkey(
        &key, "PEM", nullptr, nullptr, EVP_PKEY_PUBLIC_KEY, nullptr, nullptr);
    if (decoder != nullptr) {
      OSSL_DECODER_CTX_set_pem_password_cb(decoder, NoPassphrase, nullptr);
      if (OSSL_DECODER_from_bio(decoder, bio) != 1) {
        EVP_PKEY_free(key);
        key = nullptr;
      }
    }
    OSSL_DECODER_CTX_free(decoder);
  }
  BIO_free(bio);
  ClearOpenSslErrors();
  return key;
}

// r||s (32 + 32 bytes, big-endian) as a DER ECDSA-Sig-Value; empty on failure.
std::vector<unsigned char> Es256SignatureToDer(std::string_view raw) {
  std::vector<unsigned char> der;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  ECDSA_SIG* signature = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
  if (signature != nullptr && r != nullptr && s != nullptr && ECDSA_SIG_set0(signature, r, s)) {
    r = s = nullptr;  // owned by signature now
    const int length = i2d_ECDSA_SIG(signature, nullptr);
    if (length > 0) {
      der.resize(static_cast<size_t>(length));
      unsigned char* out = der.data();
      if (i2d_ECDSA_SIG(signature, &out) != length) der.clear();
    }
  }
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(signature);
  return der;
}

bool DigestVerifySha256(EVP_PKEY* key, std::string_view data, const unsigned char* signature,
                        size_t signature_size) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  const bool ok =
      context != nullptr &&
      EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(context, signature, signature_size,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_MD_CTX_free(context);
  ClearOpenSslErrors();
  return ok;
}

}  // namespace

std::string_view JwsAlgorithmName(JwsAlgorithm algorithm) {
  switch (algorithm) {
    case JwsAlgorithm::kHs256:
      return "HS256";
    case JwsAlgorithm::kRs256:
      return "RS256";
    case JwsAlgorithm::kEs256:
      return "ES256";
  }
  return "?";
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t group = (static_cast<uint8_t>(bytes[i]) << 16) |
                           (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                           static_cast<uint8_t>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kBase64UrlAlphabet[(group >> shift) & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t group = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) group |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kBase64UrlAlphabet[(group >> 18) & 63];
    out += kBase64UrlAlphabet[(group >> 12) & 63];
    if (rest == 2) out += kBase64UrlAlphabet[(group >> 6) & 63];
  }
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t bits = 0;
  int bit_count = 0;
  for (const char c : text) {
    const int value = Base64UrlValue(c);
    if (value < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out += static_cast<char>((bits >> bit_count) & 0xff);
    }
  }
  // Leftover bits (2 or 4) must be zero: the canonical encoding.
  if ((bits & ((1u << bit_count) - 1)) != 0) return std::nullopt;
  return out;
}

int JsonNestingDepth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

Result<JwsVerifier> JwsVerifier::ForHmacSecret(std::string secret) {
  if (secret.empty()) return Status::InvalidArgument("HS256 secret is empty");
  auto key = std::make_shared<Key>();
  const int bits = static_cast<int>(std::min<size_t>(secret.size(), 1 << 20) * 8);
  key->secret = std::move(secret);
  return JwsVerifier(JwsAlgorithm::kHs256, bits, std::move(key));
}

Result<JwsVerifier> JwsVerifier::ForPublicKeyPem(std::string_view pem) {
  if (pem.size() > (1u << 20)) return Status::InvalidArgument("public key file is over 1 MiB");
  auto key = std::make_shared<Key>();
  key->public_key = ReadPublicKey(pem);
  if (key->public_key == nullptr) {
    return Status::InvalidArgument(
        "cannot read a PEM public key (expected BEGIN PUBLIC KEY, BEGIN RSA PUBLIC KEY or BEGIN "
        "CERTIFICATE)");
  }
  const int bits = EVP_PKEY_get_bits(key->public_key);
  if (EVP_PKEY_is_a(key->public_key, "RSA")) {
    if (bits < kMinRsaBits) {
      return Status::InvalidArgument("RSA public key has " + std::to_string(bits) +
                                     " bits; at least 2048 are required");
    }
    return JwsVerifier(JwsAlgorithm::kRs256, bits, std::move(key));
  }
  if (EVP_PKEY_is_a(key->public_key, "EC")) {
    std::array<char, 64> group{};
    size_t length = 0;
    const bool named =
        EVP_PKEY_get_group_name(key->public_key, group.data(), group.size(), &length) == 1;
    ClearOpenSslErrors();
    const std::string_view curve = named ? std::string_view(group.data(), length) : "unknown";
    if (curve != "prime256v1" && curve != "P-256") {
      return Status::InvalidArgument("EC public key on curve " + std::string(curve) +
                                     "; only P-256 (ES256) is supported");
    }
    return JwsVerifier(JwsAlgorithm::kEs256, bits, std::move(key));
  }
  const char* type = EVP_PKEY_get0_type_name(key->public_key);
  return Status::InvalidArgument("unsupported public key type " +
                                 std::string(type != nullptr ? type : "unknown") +
                                 " (supported: RSA for RS256, EC P-256 for ES256)");
}

bool JwsVerifier::SignatureMatches(std::string_view signing_input,
                                   std::string_view signature) const {
  switch (algorithm_) {
    case JwsAlgorithm::kHs256: {
      std::array<unsigned char, EVP_MAX_MD_SIZE> tag{};
      unsigned int tag_size = 0;
      const bool computed =
          HMAC(EVP_sha256(), key_->secret.data(), static_cast<int>(key_->secret.size()),
               reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(),
               tag.data(), &tag_size) != nullptr;
      ClearOpenSslErrors();
      // Lengths are public (always 32 for a well-formed token); contents compared in constant
      // time.
      return computed && tag_size == kHs256TagBytes && signature.size() == kHs256TagBytes &&
             CRYPTO_memcmp(tag.data(), signature.data(), kHs256TagBytes) == 0;
    }
    case JwsAlgorithm::kRs256:
      return DigestVerifySha256(key_->public_key, signing_input,
                                reinterpret_cast<const unsigned char*>(signature.data()),
                                signature.size());
    case JwsAlgorithm::kEs256: {
      if (signature.size() != kEs256SignatureBytes) return false;
      const std::vector<unsigned char> der = Es256SignatureToDer(signature);
      return !der.empty() &&
             DigestVerifySha256(key_->public_key, signing_input, der.data(), der.size());
    }
  }
  return false;
}

Result<std::string> JwsVerifier::Verify(std::string_view token) const {
  if (token.size() > kMaxTokenBytes) {
    return Malformed("longer than " + std::to_string(kMaxTokenBytes) + " bytes");
  }
  const size_t first_dot = token.find('.');
  const size_t second_dot =
      first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos) {
    return Malformed("expected header.payload.signature");
  }
  const std::optional<std::string> header = Base64UrlDecode(token.substr(0, first_dot));
  if (!header) return Malformed("header is not base64url");
  std::optional<std::string> payload =
      Base64UrlDecode(token.substr(first_dot + 1, second_dot - first_dot - 1));
  if (!payload) return Malformed("payload is not base64url");
  const std::optional<std::string> signature = Base64UrlDecode(token.substr(second_dot + 1));
  if (!signature) return Malformed("signature is not base64url");

  if (JsonNestingDepth(*header) > kMaxJsonDepth) return Malformed("header nested too deeply");
  const nlohmann::json parsed = nlohmann::json::parse(*header, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return Malformed("header is not a JSON object");
  const auto alg = parsed.find("alg");
  if (alg == parsed.end() || !alg->is_string()) return Malformed("header has no alg");
  const std::string& alg_name = alg->get_ref<const std::string&>();
  if (alg_name != JwsAlgorithmName(algorithm_)) {
    return Status::Unauthenticated("unsupported alg '" + Printable(alg_name) +
                                   "' (this server accepts " +
                                   std::string(JwsAlgorithmName(algorithm_)) + ")");
  }
  if (parsed.contains("crit")) return Status::Unauthenticated("unsupported crit header");

  if (!SignatureMatches(token.substr(0, second_dot), *signature)) {
    return Status::Unauthenticated("bad signature");
  }
  return std::move(*payload);
}

}  // namespace crsync::server
