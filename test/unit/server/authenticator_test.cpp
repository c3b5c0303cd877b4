// Tests of the token policy (src/server/authenticator.h): configuration errors, disabled mode,
// time claims with leeway, rooms and prefixes, read-only, audience/issuer, and hostile claims.
#include "server/authenticator.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

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

constexpr int64_t kNow = 1800000000;
const std::string kSecret = "0123456789abcdef0123456789abcdef";  // 32 bytes

Authenticator HmacAuthenticator(int64_t leeway = 30) {
  AuthOptions options;
  options.hs256_secret = kSecret;
  options.leeway_seconds = leeway;
  return *Authenticator::Create(options);
}

// An HS256 token with "exp" an hour from kNow plus the given extra claims (a JSON fragment).
std::string Token(std::string_view extra_claims = "") {
  std::string payload = "{\"exp\":" + std::to_string(kNow + 3600);
  if (!extra_claims.empty()) payload += "," + std::string(extra_claims);
  payload += "}";
  return MakeHs256Token(kSecret, payload);
}

void ExpectError(const Result<Grant>& result, StatusCode code, std::string_view message) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), code);
  EXPECT_EQ(result.status().message(), message);
}

TEST(AuthenticatorTest, DisabledGrantsEverythingWhateverTheInput) {
  Result<Authenticator> auth = Authenticator::Create(AuthOptions{});
  ASSERT_TRUE(auth.ok());
  EXPECT_FALSE(auth->enabled());
  EXPECT_EQ(auth->Describe(), "none (no auth: every room open to everyone)");
  for (std::optional<std::string_view> token :
       {std::optional<std::string_view>(), std::optional<std::string_view>("garbage")}) {
    Result<Grant> grant = auth->Authorize(token, "any room", kNow);
    ASSERT_TRUE(grant.ok());
    EXPECT_EQ(grant->subject, "");
    EXPECT_FALSE(grant->read_only);
  }
}

TEST(AuthenticatorTest, CreateRefusesBadConfiguration) {
  AuthOptions both;
  both.hs256_secret = kSecret;
  both.public_key_pem = PublicKeyPem(GenerateEcKey().get());
  EXPECT_EQ(Authenticator::Create(both).status().code(), StatusCode::kInvalidArgument);
  AuthOptions bad_pem;
  bad_pem.public_key_pem = "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n";
  EXPECT_EQ(Authenticator::Create(bad_pem).status().code(), StatusCode::kInvalidArgument);
  AuthOptions p384;
  p384.public_key_pem = PublicKeyPem(GenerateEcKey("P-384").get());
  EXPECT_EQ(Authenticator::Create(p384).status().code(), StatusCode::kInvalidArgument);
  AuthOptions negative_leeway;
  negative_leeway.hs256_secret = kSecret;
  negative_leeway.leeway_seconds = -1;
  EXPECT_EQ(Authenticator::Create(negative_leeway).status().code(), StatusCode::kInvalidArgument);
}

TEST(AuthenticatorTest, DescribeNamesTheKey) {
  EXPECT_EQ(HmacAuthenticator().Describe(), "HS256 secret");
  AuthOptions weak;
  weak.hs256_secret = "secret";
  EXPECT_EQ(Authenticator::Create(weak)->Describe(),
            "HS256 secret (weak: 6 bytes, use at least 32)");
  AuthOptions rsa;
  rsa.public_key_pem = PublicKeyPem(GenerateRsaKey().get());
  EXPECT_EQ(Authenticator::Create(rsa)->Describe(), "RS256 public key (2048-bit RSA)");
  AuthOptions ec;
  ec.public_key_pem = PublicKeyPem(GenerateEcKey().get());
  ec.audience = "sync";
  EXPECT_EQ(Authenticator::Create(ec)->Describe(), "ES256 public key (P-256), audience 'sync'");
}

TEST(AuthenticatorTest, ValidTokenGrantsSubjectAndWrite) {
  const Authenticator auth = HmacAuthenticator();
  EXPECT_TRUE(auth.enabled());
  Result<Grant> grant = auth.Authorize(Token(R"("sub":"alice")"), "room1", kNow);
  ASSERT_TRUE(grant.ok()) << grant.status().ToString();
  EXPECT_EQ(grant->subject, "alice");
  EXPECT_FALSE(grant->read_only);
}

TEST(AuthenticatorTest, MissingTokenAndVerifierErrorsPassThrough) {
  const Authenticator auth = HmacAuthenticator();
  ExpectError(auth.Authorize(std::nullopt, "r", kNow), StatusCode::kUnauthenticated,
              "missing token");
  ExpectError(auth.Authorize("", "r", kNow), StatusCode::kUnauthenticated, "missing token");
  ExpectError(auth.Authorize("a.b", "r", kNow), StatusCode::kUnauthenticated,
              "malformed token: expected header.payload.signature");
  const std::string other_key = MakeHs256Token("another secret of 32 bytes.......",
                                               "{\"exp\":" + std::to_string(kNow + 60) + "}");
  ExpectError(auth.Authorize(other_key, "r", kNow), StatusCode::kUnauthenticated, "bad signature");
}

TEST(AuthenticatorTest, ExpiryWithLeeway) {
  const Authenticator auth = HmacAuthenticator(30);
  const std::string token = MakeHs256Token(kSecret, "{\"exp\":" + std::to_string(kNow) + "}");
  EXPECT_TRUE(auth.Authorize(token, "r", kNow - 1000).ok());
  EXPECT_TRUE(auth.Authorize(token, "r", kNow + 29).ok());
  ExpectError(auth.Authorize(token, "r", kNow + 30), StatusCode::kUnauthenticated, "token expired");
  const Authenticator strict = HmacAuthenticator(0);
  EXPECT_TRUE(strict.Authorize(token, "r", kNow - 1).ok());
  ExpectError(strict.Authorize(token, "r", kNow), StatusCode::kUnauthenticated, "token expired");
  // Fractional NumericDate values are allowed.
  const std::string fractional = MakeHs256Token(kSecret, "{\"exp\":1800000000.5}");
  EXPECT_TRUE(strict.Authorize(fractional, "r", kNow).ok());
  ExpectError(strict.Authorize(fractional, "r", kNow + 1), StatusCode::kUnauthenticated,
              "token expired");
}

TEST(AuthenticatorTest, ExpIsRequired) {
  const Authenticator auth = HmacAuthenticator();
  ExpectError(auth.Authorize(MakeHs256Token(kSecret, R"({"sub":"a"})"), "r", kNow),
              StatusCode::kUnauthenticated, "malformed token: no 'exp' claim (tokens must expire)");
}

TEST(AuthenticatorTest, NotBeforeAndIssuedAtWithLeeway) {
  const Authenticator auth = HmacAuthenticator(30);
  const std::string nbf = Token("\"nbf\":" + std::to_string(kNow + 100));
  ExpectError(auth.Authorize(nbf, "r", kNow), StatusCode::kUnauthenticated, "token not yet valid");
  ExpectError(auth.Authorize(nbf, "r", kNow + 69), StatusCode::kUnauthenticated,
              "token not yet valid");
  EXPECT_TRUE(auth.Authorize(nbf, "r", kNow + 70).ok());
  const std::string iat = Token("\"iat\":" + std::to_string(kNow + 100));
  ExpectError(auth.Authorize(iat, "r", kNow), StatusCode::kUnauthenticated, "token not yet valid");
  EXPECT_TRUE(auth.Authorize(iat, "r", kNow + 70).ok());
  EXPECT_TRUE(auth.Authorize(Token("\"iat\":" + std::to_string(kNow - 5)), "r", kNow).ok());
}

TEST(AuthenticatorTest, RoomRestrictions) {
  const Authenticator auth = HmacAuthenticator();
  const std::string single = Token(R"("room":"notes")");
  EXPECT_TRUE(auth.Authorize(single, "notes", kNow).ok());
  ExpectError(auth.Authorize(single, "notes2", kNow), StatusCode::kPermissionDenied,
              "token does not allow room 'notes2'");

  const std::string list = Token(R"("rooms":["a","team-*","x*y"])");
  EXPECT_TRUE(auth.Authorize(list, "a", kNow).ok());
  EXPECT_TRUE(auth.Authorize(list, "team-", kNow).ok());
  EXPECT_TRUE(auth.Authorize(list, "team-blue", kNow).ok());
  EXPECT_TRUE(auth.Authorize(list, "x*y", kNow).ok());  // '*' is literal except at the end
  ExpectError(auth.Authorize(list, "xzy", kNow), StatusCode::kPermissionDenied,
              "token does not allow room 'xzy'");
  ExpectError(auth.Authorize(list, "team", kNow), StatusCode::kPermissionDenied,
              "token does not allow room 'team'");
  ExpectError(auth.Authorize(list, "ab", kNow), StatusCode::kPermissionDenied,
              "token does not allow room 'ab'");

  EXPECT_TRUE(auth.Authorize(Token(R"("rooms":["*"])"), "anything", kNow).ok());
  EXPECT_TRUE(auth.Authorize(Token(), "anything", kNow).ok());  // no claim: all rooms
  ExpectError(auth.Authorize(Token(R"("rooms":[])"), "a", kNow), StatusCode::kPermissionDenied,
              "token does not allow room 'a'");
  // Hostile room names are shown safely.
  Result<Grant> hostile = auth.Authorize(single, "evil\r\nroom" + std::string(300, 'z'), kNow);
  ASSERT_FALSE(hostile.ok());
  EXPECT_EQ(hostile.status().message().find('\n'), std::string::npos);
  EXPECT_LT(hostile.status().message().size(), 160u);
}

TEST(AuthenticatorTest, ReadOnlyClaim) {
  const Authenticator auth = HmacAuthenticator();
  Result<Grant> read_only = auth.Authorize(Token(R"("read_only":true)"), "r", kNow);
  ASSERT_TRUE(read_only.ok());
  EXPECT_TRUE(read_only->read_only);
  Result<Grant> writable = auth.Authorize(Token(R"("read_only":false)"), "r", kNow);
  ASSERT_TRUE(writable.ok());
  EXPECT_FALSE(writable->read_only);
  // Misspellings fail closed instead of silently granting write access.
  ExpectError(auth.Authorize(Token(R"("readonly":true)"), "r", kNow), StatusCode::kUnauthenticated,
              "malformed token: claim 'readonly' is not supported, use 'read_only'");
  ExpectError(auth.Authorize(Token(R"("readOnly":true)"), "r", kNow), StatusCode::kUnauthenticated,
              "malformed token: claim 'readonly' is not supported, use 'read_only'");
}

TEST(AuthenticatorTest, AudienceAndIssuerWhenConfigured) {
  AuthOptions options;
  options.hs256_secret = kSecret;
  options.audience = "crsync";
  options.issuer = "https://id.example";
  const Authenticator auth = *Authenticator::Create(options);
  EXPECT_TRUE(
      auth.Authorize(Token(R"("aud":"crsync","iss":"https://id.example")"), "r", kNow).ok());
  EXPECT_TRUE(
      auth.Authorize(Token(R"("aud":["x","crsync"],"iss":"https://id.example")"), "r", kNow).ok());
  ExpectError(auth.Authorize(Token(R"("aud":"other","iss":"https://id.example")"), "r", kNow),
              StatusCode::kUnauthenticated, "token is for another audience");
  ExpectError(auth.Authorize(Token(R"("iss":"https://id.example")"), "r", kNow),
              StatusCode::kUnauthenticated, "token is for another audience");
  ExpectError(auth.Authorize(Token(R"("aud":"crsync","iss":"evil")"), "r", kNow),
              StatusCode::kUnauthenticated, "token is from another issuer");
  // Without configuration aud/iss are not checked.
  EXPECT_TRUE(HmacAuthenticator().Authorize(Token(R"("aud":"other","iss":1)"), "r", kNow).ok());
}

TEST(AuthenticatorTest, ClaimsOfTheWrongTypeAreMalformed) {
  const Authenticator auth = HmacAuthenticator();
  const struct {
    std::string payload;
    std::string message;
  } cases[] = {
      {R"({"exp":"2100000000"})", "malformed token: claim 'exp' is not a number"},
      {R"({"exp":null})", "malformed token: claim 'exp' is not a number"},
      {R"({"exp":2100000000,"nbf":true})", "malformed token: claim 'nbf' is not a number"},
      {R"({"exp":2100000000,"iat":[1]})", "malformed token: claim 'iat' is not a number"},
      {R"({"exp":2100000000,"sub":42})", "malformed token: claim 'sub' is not a string"},
      {R"({"exp":2100000000,"room":["a"]})", "malformed token: claim 'room' is not a string"},
      {R"({"exp":2100000000,"rooms":"a"})", "malformed token: claim 'rooms' is not an array"},
      {R"({"exp":2100000000,"rooms":["a",1]})",
       "malformed token: claim 'rooms' has a non-string entry"},
      {R"({"exp":2100000000,"room":"a","rooms":["a"]})",
       "malformed token: has both 'room' and 'rooms'"},
      {R"({"exp":2100000000,"read_only":"true"})",
       "malformed token: claim 'read_only' is not a boolean"},
      {R"([{"exp":2100000000}])", "malformed token: payload is not a JSON object"},
      {R"({"exp":2100000000)", "malformed token: payload is not a JSON object"},
      {"{\"exp\":2100000000,\"sub\":\"\xff\"}", "malformed token: payload is not a JSON object"},
      {"{\"exp\":2100000000,\"x\":" + std::string(2000, '[') + std::string(2000, ']') + "}",
       "malformed token: payload nested too deeply"},
      {"", "malformed token: payload is not a JSON object"},
  };
  for (const auto& test_case : cases) {
    SCOPED_TRACE(test_case.payload.substr(0, 80));
    ExpectError(auth.Authorize(MakeHs256Token(kSecret, test_case.payload), "a", kNow),
                StatusCode::kUnauthenticated, test_case.message);
  }
  // A huge exponent is either refused by the parser or compares as expired/valid; never crashes.
  EXPECT_FALSE(auth.Authorize(MakeHs256Token(kSecret, R"({"exp":-1e400})"), "a", kNow).ok());
  EXPECT_TRUE(auth.Authorize(MakeHs256Token(kSecret, R"({"exp":1e300})"), "a", kNow).ok());
}

TEST(AuthenticatorTest, Rs256AndEs256EndToEnd) {
  const PkeyPtr rsa = GenerateRsaKey();
  const PkeyPtr ec = GenerateEcKey();
  AuthOptions rsa_options;
  rsa_options.public_key_pem = PublicKeyPem(rsa.get());
  const Authenticator rsa_auth = *Authenticator::Create(rsa_options);
  AuthOptions ec_options;
  ec_options.public_key_pem = PublicKeyPem(ec.get());
  const Authenticator ec_auth = *Authenticator::Create(ec_options);
  const std::string payload = "{\"sub\":\"carol\",\"rooms\":[\"r*\"],\"read_only\":true,\"exp\":" +
                              std::to_string(kNow + 60) + "}";

  Result<Grant> via_rsa = rsa_auth.Authorize(MakeRs256Token(rsa.get(), payload), "r1", kNow);
  ASSERT_TRUE(via_rsa.ok()) << via_rsa.status().ToString();
  EXPECT_EQ(via_rsa->subject, "carol");
  EXPECT_TRUE(via_rsa->read_only);
  Result<Grant> via_ec = ec_auth.Authorize(MakeEs256Token(ec.get(), payload), "r2", kNow);
  ASSERT_TRUE(via_ec.ok()) << via_ec.status().ToString();
  EXPECT_EQ(via_ec->subject, "carol");

  ExpectError(ec_auth.Authorize(MakeEs256Token(ec.get(), payload), "s", kNow),
              StatusCode::kPermissionDenied, "token does not allow room 's'");
  // Algorithm confusion: HS256 keyed with the RSA public key PEM.
  ExpectError(rsa_auth.Authorize(MakeHs256Token(rsa_options.public_key_pem, payload), "r1", kNow),
              StatusCode::kUnauthenticated, "unsupported alg 'HS256' (this server accepts RS256)");
  ExpectError(ec_auth.Authorize(MakeRs256Token(rsa.get(), payload), "r1", kNow),
              StatusCode::kUnauthenticated, "unsupported alg 'RS256' (this server accepts ES256)");
}

TEST(AuthenticatorTest, ConcurrentAuthorizeCallsAgree) {
  const PkeyPtr ec = GenerateEcKey();
  AuthOptions options;
  options.public_key_pem = PublicKeyPem(ec.get());
  const Authenticator auth = *Authenticator::Create(options);
  const std::string good = MakeEs256Token(
      ec.get(), "{\"sub\":\"d\",\"room\":\"r\",\"exp\":" + std::to_string(kNow + 60) + "}");
  std::string bad = good;
  bad[bad.size() - 3] = bad[bad.size() - 3] == 'A' ? 'B' : 'A';
  constexpr int kThreads = 4;
  constexpr int kCalls = 200;
  std::vector<int> accepted(kThreads, 0);
  std::vector<int> refused(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        if (auth.Authorize(good, "r", kNow).ok()) ++accepted[t];
        if (!auth.Authorize(bad, "r", kNow).ok()) ++refused[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(accepted[t], kCalls);
    EXPECT_EQ(refused[t], kCalls);
  }
}

}  // namespace
}  // namespace crsync::server
