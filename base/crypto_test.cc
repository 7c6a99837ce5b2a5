#include "base/crypto.h"

#include <gtest/gtest.h>

namespace csgw::crypto {
namespace {

TEST(Crypto, HmacSha256MatchesRfc4231Case2) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, HmacSha256MatchesRfc4231Case1) {
  EXPECT_EQ(HmacSha256Hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(Crypto, Sha256OfAbc) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, Base64RoundTripAndPadding) {
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
  EXPECT_EQ(Base64Decode("aGVsbG8=").value(), "hello");
  EXPECT_EQ(Base64Decode("aGVsbG8").value(), "hello");
  EXPECT_EQ(Base64Decode("aGVs").value(), "hel");
  EXPECT_FALSE(Base64Decode("a$b%").has_value());
}

TEST(Crypto, HexEqualsIgnoresCaseOnly) {
  EXPECT_TRUE(HexEqualsConstantTime("abCD01", "ABcd01"));
  EXPECT_FALSE(HexEqualsConstantTime("abcd01", "abcd02"));
  EXPECT_FALSE(HexEqualsConstantTime("abcd", "abcd01"));
}

TEST(Crypto, ParseDigestNames) {
  EXPECT_EQ(ParseDigest("SHA1"), Digest::kSha1);
  EXPECT_EQ(ParseDigest("sha-256"), Digest::kSha256);
  EXPECT_FALSE(ParseDigest("MD5").has_value());
}

TEST(Crypto, EcdsaSignVerifyRoundTripAndTamper) {
  // A throwaway P-256 test key (generated with `openssl ecparam -name prime256v1 -genkey`).
  constexpr std::string_view kPrivate =
      "-----BEGIN EC PRIVATE KEY-----\n"
      "MHcCAQEEIK3le1k8SmTZCkD7FsM4YwwDpfUJm0pXga3N+FZntiTroAoGCCqGSM49\n"
      "AwEHoUQDQgAEgKh+gJAs/GXmoN1N4iowcN1wtBkIMW76csOY9GOh0l8wwu+lxrKo\n"
      "ED8WuHSlLuyVohGTa/ZIOIZsj6+QKqF7Fw==\n"
      "-----END EC PRIVATE KEY-----\n";
  constexpr std::string_view kPublicOneLine =
      "-----BEGIN PUBLIC KEY-----MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEgKh+gJAs/GXmoN1N4iowcN1w"
      "tBkIMW76csOY9GOh0l8wwu+lxrKoED8WuHSlLuyVohGTa/ZIOIZsj6+QKqF7Fw==-----END PUBLIC KEY-----";
  auto priv = EcPrivateKey::FromPem(kPrivate);
  ASSERT_TRUE(priv.has_value());
  auto pub = EcPublicKey::FromPem(kPublicOneLine);
  ASSERT_TRUE(pub.has_value());
  auto sig = priv->Sign(Digest::kSha256, "payload");
  ASSERT_TRUE(sig.has_value());
  EXPECT_TRUE(pub->Verify(Digest::kSha256, "payload", *sig));
  EXPECT_FALSE(pub->Verify(Digest::kSha256, "payloaD", *sig));
  EXPECT_FALSE(pub->Verify(Digest::kSha1, "payload", *sig));
}

TEST(Crypto, RejectsGarbagePem) {
  EXPECT_FALSE(EcPublicKey::FromPem("not a key").has_value());
  EXPECT_FALSE(
      EcPublicKey::FromPem("-----BEGIN PUBLIC KEY-----AAAA-----END PUBLIC KEY-----").has_value());
}

// RFC 1321 appendix A.5 test suite.
TEST(Crypto, Md5MatchesRfc1321) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5Hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
}

// RFC 2202 section 2, test cases 1 and 2.
TEST(Crypto, HmacMd5MatchesRfc2202) {
  EXPECT_EQ(HexEncode(HmacMd5(std::string(16, '\x0b'), "Hi There")),
            "9294727a3638bb1c13f48ef8158bfc9d");
  EXPECT_EQ(HexEncode(HmacMd5("Jefe", "what do ya want for nothing?")),
            "750c783e6ab0b503eaa86e310a5db738");
}

}  // namespace
}  // namespace csgw::crypto
