// Hashes, MACs, signatures and encodings used by signature schemes. The only OpenSSL user.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace csgw::crypto {

// Lower-case hex of the bytes.
std::string HexEncode(std::string_view bytes);

// Raw 32-byte SHA-256 digest.
std::string Sha256(std::string_view data);
// Lower-case hex SHA-256.
std::string Sha256Hex(std::string_view data);

// Raw 32-byte HMAC-SHA256.
std::string HmacSha256(std::string_view key, std::string_view message);
// Lower-case hex HMAC-SHA256.
std::string HmacSha256Hex(std::string_view key, std::string_view message);

// Raw 16-byte MD5 and its lower-case hex. MD5 is broken as a hash; it is here only because
// the Alibaba TOP gateway (AliExpress) still signs requests with it (sign_method md5 / hmac).
std::string Md5(std::string_view data);
std::string Md5Hex(std::string_view data);
// Raw 16-byte HMAC-MD5 (TOP sign_method "hmac").
std::string HmacMd5(std::string_view key, std::string_view message);

// Compares in time independent of where the inputs differ (lengths may leak).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Compares two hex strings case-insensitively in constant time (signature headers arrive in
// either case).
bool HexEqualsConstantTime(std::string_view a, std::string_view b);

// Standard base64 (RFC 4648 §4) with padding; also accepts missing padding. nullopt if invalid.
std::optional<std::string> Base64Decode(std::string_view text);
std::string Base64Encode(std::string_view bytes);

enum class Digest { kSha1, kSha256 };

// Parses "SHA1" / "SHA-1" / "SHA256" / "SHA-256" (any case).
std::optional<Digest> ParseDigest(std::string_view name);

// An EC public key, parsed once and reused. Thread-safe for Verify after construction.
class EcPublicKey {
 public:
  // Accepts a PEM "-----BEGIN PUBLIC KEY-----...-----END PUBLIC KEY-----" with or without line
  // breaks (eBay's getPublicKey returns it on one line). nullopt if it does not parse.
  static std::optional<EcPublicKey> FromPem(std::string_view pem);

  EcPublicKey(EcPublicKey&&) noexcept;
  EcPublicKey& operator=(EcPublicKey&&) noexcept;
  EcPublicKey(const EcPublicKey&) = delete;
  EcPublicKey& operator=(const EcPublicKey&) = delete;
  ~EcPublicKey();

  // True if `der_signature` (ASN.1 DER ECDSA) is valid for `message` under `digest`.
  bool Verify(Digest digest, std::string_view message, std::string_view der_signature) const;

 private:
  explicit EcPublicKey(void* pkey) : pkey_(pkey) {}
  void* pkey_;  // EVP_PKEY*, kept opaque so that no OpenSSL header leaks
};

// Test support and outbound signing: an EC private key (P-256) that signs with ECDSA.
class EcPrivateKey {
 public:
  static std::optional<EcPrivateKey> FromPem(std::string_view pem);
  EcPrivateKey(EcPrivateKey&&) noexcept;
  EcPrivateKey& operator=(EcPrivateKey&&) noexcept;
  EcPrivateKey(const EcPrivateKey&) = delete;
  EcPrivateKey& operator=(const EcPrivateKey&) = delete;
  ~EcPrivateKey();

  // ASN.1 DER ECDSA signature of `message`, or nullopt on failure.
  std::optional<std::string> Sign(Digest digest, std::string_view message) const;

 private:
  explicit EcPrivateKey(void* pkey) : pkey_(pkey) {}
  void* pkey_;
};

}  // namespace csgw::crypto
