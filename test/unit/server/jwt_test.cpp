// Tests of JWS verification (src/server/jwt.h): base64url, the RFC 7515 A.1 HS256 known answer,
// RS256/ES256 with keys generated here, key loading rules, algorithm confusion, tampering and
// malformed tokens.
#include "server/jwt.h"

#include <gtest/gtest.h>
#include <openssl/encoder.h>
#include <openssl/x509.h>

#include <string>

#include "unit/server/jwt_test_signer.h"

namespace crsync::server {
namespace {

using test_jwt::GenerateEcKey;
using test_jwt::GenerateRsaKey;
using test_jwt::MakeEs256Token;
using test_jwt::MakeHs256Token;
using test_jwt::MakeRs256Token;
using test_jwt::PkeyPtr;
using test_jwt::PublicKeyPem;

// RFC 7515 appendix A.1: the HS256 example (key from its JWK "k", token as printed).
constexpr std::string_view kRfcKeyBase64Url =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
constexpr std::string_view kRfcToken =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view kRfcPayload =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";

// Keys are generated once: RSA key generation takes a while.
struct Keys {
  PkeyPtr rsa = GenerateRsaKey();
  PkeyPtr other_rsa = GenerateRsaKey();
  PkeyPtr ec = GenerateEcKey();
  PkeyPtr other_ec = GenerateEcKey();
};
const Keys& TestKeys() {
  static const Keys keys;
  return keys;
}

std::string Secret() { return *Base64UrlDecode(kRfcKeyBase64Url); }

void ExpectUnauthenticated(const Result<std::string>& result, std::string_view message_part) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(result.status().message().find(message_part), std::string::npos)
      << result.status().message();
}

TEST(Base64UrlTest, RoundTripsAndMatchesRfc4648Vectors) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xfe"), "-__-");
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  for (size_t length = 0; length <= all_bytes.size(); length += 37) {
    const std::string bytes = all_bytes.substr(0, length);
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
  }
  EXPECT_EQ(Secret().size(), 64u);
}

TEST(Base64UrlTest, DecodeIsStrict) {
  EXPECT_EQ(Base64UrlDecode("Zg"), "f");
  EXPECT_FALSE(Base64UrlDecode("Zg==").has_value());  // padding
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());    // non-zero unused bits
  EXPECT_FALSE(Base64UrlDecode("Zm9").has_value());   // 'Zm8' is canonical for "fo"
  EXPECT_FALSE(Base64UrlDecode("Z").has_value());     // length 1 mod 4
  EXPECT_FALSE(Base64UrlDecode("+/+/").has_value());  // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("Zm 9v").has_value());
  EXPECT_FALSE(Base64UrlDecode(std::string_view("Zm\0v", 4)).has_value());
}

TEST(JsonNestingDepthTest, CountsBracketsOutsideStrings) {
  EXPECT_EQ(JsonNestingDepth("1"), 0);
  EXPECT_EQ(JsonNestingDepth("{\"a\":[1,{\"b\":[]}]}"), 4);
  EXPECT_EQ(JsonNestingDepth("{\"a\":\"[[[[\\\"[[\"}"), 1);
  EXPECT_EQ(JsonNestingDepth(std::string(1000, '[')), 1000);
  EXPECT_EQ(JsonNestingDepth("]]]]{"), 1);
}

TEST(JwsVerifierTest, Rfc7515AppendixA1KnownAnswer) {
  Result<JwsVerifier> verifier = JwsVerifier::ForHmacSecret(Secret());
  ASSERT_TRUE(verifier.ok());
  EXPECT_EQ(verifier->algorithm(), JwsAlgorithm::kHs256);
  EXPECT_EQ(verifier->key_bits(), 512);
  Result<std::string> payload = verifier->Verify(kRfcToken);
  ASSERT_TRUE(payload.ok()) << payload.status().ToString();
  EXPECT_EQ(*payload, kRfcPayload);
  // Our signer reproduces the RFC's signature from its header and payload bytes.
  const std::string header = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
  EXPECT_EQ(MakeHs256Token(Secret(), kRfcPayload, header), kRfcToken);
}

TEST(JwsVerifierTest, Hs256RejectsWrongSecretAndTampering) {
  const JwsVerifier verifier = *JwsVerifier::ForHmacSecret(Secret());
  ExpectUnauthenticated(JwsVerifier::ForHmacSecret("another secret")->Verify(kRfcToken),
                        "bad signature");
  // Flip one payload character (still valid base64url).
  std::string tampered(kRfcToken);
  const size_t payload_start = tampered.find('.') + 1;
  tampered[payload_start + 5] = tampered[payload_start + 5] == 'A' ? 'B' : 'A';
  ExpectUnauthenticated(verifier.Verify(tampered), "");
  // Truncated tag.
  const std::string_view token(kRfcToken);
  const size_t signature_start = token.rfind('.') + 1;
  const std::string tag = *Base64UrlDecode(token.substr(signature_start));
  ASSERT_EQ(tag.size(), 32u);
  const std::string truncated =
      std::string(token.substr(0, signature_start)) + Base64UrlEncode(tag.substr(0, 31));
  ExpectUnauthenticated(verifier.Verify(truncated), "bad signature");
  // Non-canonical base64url of the tag (stray low bits) is malformed, not a second valid form.
  std::string stray_bits(kRfcToken);
  stray_bits.back() = stray_bits.back() == 'k' ? 'l' : 'k';
  ExpectUnauthenticated(verifier.Verify(stray_bits), "signature is not base64url");
  EXPECT_EQ(JwsVerifier::ForHmacSecret("").status().code(), StatusCode::kInvalidArgument);
}

TEST(JwsVerifierTest, Rs256VerifiesOnlyWithTheMatchingKey) {
  const Keys& keys = TestKeys();
  Result<JwsVerifier> verifier = JwsVerifier::ForPublicKeyPem(PublicKeyPem(keys.rsa.get()));
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  EXPECT_EQ(verifier->algorithm(), JwsAlgorithm::kRs256);
  EXPECT_EQ(verifier->key_bits(), 2048);
  const std::string payload = R"({"sub":"alice","exp":2000000000})";
  Result<std::string> verified = verifier->Verify(MakeRs256Token(keys.rsa.get(), payload));
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(*verified, payload);
  ExpectUnauthenticated(verifier->Verify(MakeRs256Token(keys.other_rsa.get(), payload)),
                        "bad signature");
}

TEST(JwsVerifierTest, Es256VerifiesRawSignaturesOnly) {
  const Keys& keys = TestKeys();
  Result<JwsVerifier> verifier = JwsVerifier::ForPublicKeyPem(PublicKeyPem(keys.ec.get()));
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  EXPECT_EQ(verifier->algorithm(), JwsAlgorithm::kEs256);
  const std::string payload = R"({"sub":"bob","exp":2000000000})";
  for (int i = 0; i < 8; ++i) {  // r and s vary in length: exercise the padding
    Result<std::string> verified = verifier->Verify(MakeEs256Token(keys.ec.get(), payload));
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    EXPECT_EQ(*verified, payload);
  }
  ExpectUnauthenticated(verifier->Verify(MakeEs256Token(keys.other_ec.get(), payload)),
                        "bad signature");
  // A DER signature (what OpenSSL produces, not what JWS specifies) is refused.
  const std::string input = test_jwt::SigningInput(R"({"alg":"ES256"})", payload);
  const std::string der = test_jwt::SignSha256(keys.ec.get(), input);
  ExpectUnauthenticated(verifier->Verify(input + "." + Base64UrlEncode(der)), "bad signature");
  // An all-zero r||s is refused without crashing.
  ExpectUnauthenticated(verifier->Verify(input + "." + Base64UrlEncode(std::string(64, '\0'))),
                        "bad signature");
}

TEST(JwsVerifierTest, AlgorithmMustMatchTheKeyType) {
  const Keys& keys = TestKeys();
  const std::string rsa_pem = PublicKeyPem(keys.rsa.get());
  const JwsVerifier rsa = *JwsVerifier::ForPublicKeyPem(rsa_pem);
  const JwsVerifier ec = *JwsVerifier::ForPublicKeyPem(PublicKeyPem(keys.ec.get()));
  const JwsVerifier hmac = *JwsVerifier::ForHmacSecret(Secret());
  const std::string payload = R"({"exp":2000000000})";

  // Classic confusion: HS256 "signed" with the RSA public key PEM as the HMAC secret.
  ExpectUnauthenticated(rsa.Verify(MakeHs256Token(rsa_pem, payload)),
                        "unsupported alg 'HS256' (this server accepts RS256)");
  ExpectUnauthenticated(ec.Verify(MakeRs256Token(keys.rsa.get(), payload)),
                        "unsupported alg 'RS256'");
  ExpectUnauthenticated(hmac.Verify(MakeEs256Token(keys.ec.get(), payload)),
                        "unsupported alg 'ES256'");
  // alg none with an empty signature, and "none" with a valid-looking HMAC.
  const std::string none = test_jwt::SigningInput(R"({"alg":"none"})", payload) + ".";
  ExpectUnauthenticated(hmac.Verify(none), "unsupported alg 'none'");
  ExpectUnauthenticated(rsa.Verify(none), "unsupported alg 'none'");
  ExpectUnauthenticated(hmac.Verify(MakeHs256Token(Secret(), payload, R"({"alg":"none"})")),
                        "unsupported alg 'none'");
  // Case matters, and a missing or non-string alg is malformed.
  ExpectUnauthenticated(hmac.Verify(MakeHs256Token(Secret(), payload, R"({"alg":"hs256"})")),
                        "unsupported alg 'hs256'");
  ExpectUnauthenticated(hmac.Verify(MakeHs256Token(Secret(), payload, R"({"typ":"JWT"})")),
                        "malformed token: header has no alg");
  ExpectUnauthenticated(hmac.Verify(MakeHs256Token(Secret(), payload, R"({"alg":["HS256"]})")),
                        "malformed token: header has no alg");
  // Unknown critical extensions are refused even when the signature is right.
  ExpectUnauthenticated(hmac.Verify(MakeHs256Token(
                            Secret(), payload, R"({"alg":"HS256","crit":["b64"],"b64":false})")),
                        "unsupported crit header");
  // A hostile alg value is shown shortened and printable.
  Result<std::string> odd = hmac.Verify(
      MakeHs256Token(Secret(), payload, "{\"alg\":\"x'\\n" + std::string(100, 'y') + "\"}"));
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().message().find('\n'), std::string::npos);
  EXPECT_LT(odd.status().message().size(), 100u);
}

TEST(JwsVerifierTest, MalformedTokensAreRefusedWithClearErrors) {
  const JwsVerifier verifier = *JwsVerifier::ForHmacSecret(Secret());
  const std::string good_payload = Base64UrlEncode(R"({"exp":1})");
  ExpectUnauthenticated(verifier.Verify(""), "expected header.payload.signature");
  ExpectUnauthenticated(verifier.Verify("abc"), "expected header.payload.signature");
  ExpectUnauthenticated(verifier.Verify("a.b"), "expected header.payload.signature");
  ExpectUnauthenticated(verifier.Verify("a.b.c.d"), "expected header.payload.signature");
  ExpectUnauthenticated(verifier.Verify(".."), "header is not a JSON object");
  ExpectUnauthenticated(verifier.Verify("e30=.e30.sig"), "header is not base64url");
  ExpectUnauthenticated(verifier.Verify("e30.e3+.sig"), "payload is not base64url");
  ExpectUnauthenticated(verifier.Verify("e30.e30.s!g"), "signature is not base64url");
  ExpectUnauthenticated(verifier.Verify(Base64UrlEncode("[1]") + ".e30.AAAA"),
                        "header is not a JSON object");
  ExpectUnauthenticated(verifier.Verify(Base64UrlEncode("{\"alg\":") + ".e30.AAAA"),
                        "header is not a JSON object");
  ExpectUnauthenticated(verifier.Verify(Base64UrlEncode("{\"alg\":\"\xff\"}") + ".e30.AAAA"),
                        "header is not a JSON object");
  ExpectUnauthenticated(
      verifier.Verify(Base64UrlEncode("{\"a\":" + std::string(5000, '[')) + ".e30.AAAA"),
      "header nested too deeply");
  ExpectUnauthenticated(verifier.Verify(std::string(kMaxTokenBytes + 1, 'a')),
                        "longer than 8192 bytes");
  // Just under the cap is processed (and fails on content, not length).
  const std::string big_header = Base64UrlEncode(std::string(6000, ' ') + R"({"alg":"HS256"})");
  ExpectUnauthenticated(verifier.Verify(big_header + "." + good_payload + ".AAAA"),
                        "bad signature");
}

TEST(JwsVerifierTest, KeyLoadingRules) {
  const Keys& keys = TestKeys();
  auto expect_invalid = [](std::string_view pem, std::string_view message_part) {
    Result<JwsVerifier> verifier = JwsVerifier::ForPublicKeyPem(pem);
    ASSERT_FALSE(verifier.ok());
    EXPECT_EQ(verifier.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(verifier.status().message().find(message_part), std::string::npos)
        << verifier.status().message();
  };
  expect_invalid("", "cannot read a PEM public key");
  expect_invalid("not a key", "cannot read a PEM public key");
  expect_invalid("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
                 "cannot read a PEM public key");
  expect_invalid("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                 "cannot read a PEM public key");
  const PkeyPtr small_rsa = GenerateRsaKey(1024);
  expect_invalid(PublicKeyPem(small_rsa.get()), "1024 bits; at least 2048");
  const PkeyPtr p384 = GenerateEcKey("P-384");
  expect_invalid(PublicKeyPem(p384.get()), "only P-256");
  const PkeyPtr ed25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  expect_invalid(PublicKeyPem(ed25519.get()), "unsupported public key type ED25519");

  // PKCS#1 "BEGIN RSA PUBLIC KEY" is accepted too.
  OSSL_ENCODER_CTX* encoder = OSSL_ENCODER_CTX_new_for_pkey(keys.rsa.get(), EVP_PKEY_PUBLIC_KEY,
                                                            "PEM", "type-specific", nullptr);
  unsigned char* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(OSSL_ENCODER_to_data(encoder, &data, &size), 1);
  OSSL_ENCODER_CTX_free(encoder);
  const std::string pkcs1(reinterpret_cast<char*>(data), size);
  OPENSSL_free(data);
  ASSERT_NE(pkcs1.find("BEGIN RSA PUBLIC KEY"), std::string::npos) << pkcs1;
  Result<JwsVerifier> from_pkcs1 = JwsVerifier::ForPublicKeyPem(pkcs1);
  ASSERT_TRUE(from_pkcs1.ok()) << from_pkcs1.status().ToString();
  EXPECT_TRUE(from_pkcs1->Verify(MakeRs256Token(keys.rsa.get(), R"({"exp":1})")).ok());

  // A certificate: its subject public key is used.
  X509* certificate = X509_new();
  X509_set_version(certificate, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate), 3600);
  X509_set_pubkey(certificate, keys.ec.get());
  X509_sign(certificate, keys.ec.get(), EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, certificate);
  char* pem_data = nullptr;
  const long pem_size = BIO_get_mem_data(bio, &pem_data);
  const std::string certificate_pem(pem_data, static_cast<size_t>(pem_size));
  BIO_free(bio);
  X509_free(certificate);
  Result<JwsVerifier> from_certificate = JwsVerifier::ForPublicKeyPem(certificate_pem);
  ASSERT_TRUE(from_certificate.ok()) << from_certificate.status().ToString();
  EXPECT_EQ(from_certificate->algorithm(), JwsAlgorithm::kEs256);
  EXPECT_TRUE(from_certificate->Verify(MakeEs256Token(keys.ec.get(), R"({"exp":1})")).ok());
}

}  // namespace
}  // namespace crsync::server
