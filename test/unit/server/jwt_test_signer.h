// Test-only JWT minting for the jwt/authenticator tests: keys generated in-process with OpenSSL
// EVP (RSA 2048, EC P-256/P-384), PEM export, and HS256/RS256/ES256 signing of compact tokens.
// Independent of src/server/jwt.cpp except for Base64UrlEncode (checked against RFC vectors).
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/jwt.h"

namespace crsync::server::test_jwt {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

inline PkeyPtr GenerateRsaKey(unsigned bits = 2048) { return PkeyPtr(EVP_RSA_gen(bits)); }
inline PkeyPtr GenerateEcKey(const char* curve = "P-256") { return PkeyPtr(EVP_EC_gen(curve)); }

// SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY").
inline std::string PublicKeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  return pem;
}

inline std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char tag[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), tag, &size);
  return std::string(reinterpret_cast<char*>(tag), size);
}

// SHA-256 signature with key: PKCS#1 v1.5 for RSA, DER ECDSA-Sig-Value for EC.
inline std::string SignSha256(EVP_PKEY* key, std::string_view data) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  size_t size = 0;
  EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(context, nullptr, &size, reinterpret_cast<const unsigned char*>(data.data()),
                 data.size());
  std::string signature(size, '\0');
  EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()), &size,
                 reinterpret_cast<const unsigned char*>(data.data()), data.size());
  signature.resize(size);
  EVP_MD_CTX_free(context);
  return signature;
}

// DER ECDSA-Sig-Value -> JWS raw r||s, each padded to 32 bytes.
inline std::string DerToRawEs256(std::string_view der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* signature = d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size()));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(signature), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(signature), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(signature);
  return raw;
}

// header.payload of a token (the JWS signing input).
inline std::string SigningInput(std::string_view header_json, std::string_view payload_json) {
  return Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload_json);
}

inline std::string MakeHs256Token(std::string_view secret, std::string_view payload_json,
                                  std::string_view header_json = R"({"alg":"HS256","typ":"JWT"})") {
  const std::string input = SigningInput(header_json, payload_json);
  return input + "." + Base64UrlEncode(HmacSha256(secret, input));
}

inline std::string MakeRs256Token(EVP_PKEY* key, std::string_view payload_json,
                                  std::string_view header_json = R"({"alg":"RS256","typ":"JWT"})") {
  const std::string input = SigningInput(header_json, payload_json);
  return input + "." + Base64UrlEncode(SignSha256(key, input));
}

inline std::string MakeEs256Token(EVP_PKEY* key, std::string_view payload_json,
                                  std::string_view header_json = R"({"alg":"ES256","typ":"JWT"})") {
  const std::string input = SigningInput(header_json, payload_json);
  return input + "." + Base64UrlEncode(DerToRawEs256(SignSha256(key, input)));
}

}  // namespace crsync::server::test_jwt
