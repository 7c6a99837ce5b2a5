#include "base/crypto.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <utility>

namespace csgw::crypto {
namespace {

const EVP_MD* MdOf(Digest digest) { return digest == Digest::kSha1 ? EVP_sha1() : EVP_sha256(); }

// PEM readers want the base64 body in lines; eBay sends the whole key on one line.
std::string NormalizePem(std::string_view pem, std::string_view label) {
  const std::string begin = "-----BEGIN " + std::string(label) + "-----";
  const std::string end = "-----END " + std::string(label) + "-----";
  const size_t b = pem.find(begin);
  const size_t e = pem.find(end);
  if (b == std::string_view::npos || e == std::string_view::npos || e < b) return {};
  std::string body;
  for (char c : pem.substr(b + begin.size(), e - b - begin.size())) {
    if (!std::isspace(static_cast<unsigned char>(c))) body += c;
  }
  std::string out = begin + "\n";
  for (size_t i = 0; i < body.size(); i += 64) out += body.substr(i, 64) + "\n";
  out += end + "\n";
  return out;
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

}  // namespace

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

std::string Sha256(std::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  return std::string(reinterpret_cast<const char*>(md), sizeof md);
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

namespace {

// OpenSSL 3's one-shot HMAC() looks the HMAC and SHA-256 implementations up in the provider
// tables and builds a context on every call: for a 1 KB webhook, ~11k of its ~52k instructions
// (callgrind), on every signed push. A context per thread, given its digest once, keeps them;
// a call then only sets the key and hashes.
class HmacSha256Context {
 public:
  HmacSha256Context() {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    ctx_ = mac == nullptr ? nullptr : EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // the context holds its own reference
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end()};
    if (ctx_ == nullptr || EVP_MAC_CTX_set_params(ctx_, params) != 1) std::abort();
  }
  ~HmacSha256Context() { EVP_MAC_CTX_free(ctx_); }
  HmacSha256Context(const HmacSha256Context&) = delete;
  HmacSha256Context& operator=(const HmacSha256Context&) = delete;

  // `key` must not be empty: EVP_MAC_init takes a missing key as "keep the previous one".
  std::string Mac(std::string_view key, std::string_view message) {
    unsigned char md[EVP_MAX_MD_SIZE];
    size_t len = 0;
    if (EVP_MAC_init(ctx_, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                     nullptr) != 1 ||
        EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1 ||
        EVP_MAC_final(ctx_, md, &len, sizeof md) != 1) {
      std::abort();
    }
    return std::string(reinterpret_cast<const char*>(md), len);
  }

 private:
  EVP_MAC_CTX* ctx_ = nullptr;
};

}  // namespace

std::string HmacSha256(std::string_view key, std::string_view message) {
  if (!key.empty()) {
    thread_local HmacSha256Context context;
    return context.Mac(key, message);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), md, &len);
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  return HexEncode(HmacSha256(key, message));
}

std::string Md5(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest rather than MD5(): the low-level MD5 functions are deprecated in OpenSSL 3.
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr) != 1) std::abort();
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string Md5Hex(std::string_view data) { return HexEncode(Md5(data)); }

std::string HmacMd5(std::string_view key, std::string_view message) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_md5(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), md, &len);
  return std::string(reinterpret_cast<const char*>(md), len);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool HexEqualsConstantTime(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(a[i])) ^
                                       std::tolower(static_cast<unsigned char>(b[i])));
  }
  return diff == 0;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  std::string padded(text);
  while (padded.size() % 4 != 0) padded += '=';
  if (padded.empty()) return std::string();
  std::string out(padded.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(padded.data()),
                                static_cast<int>(padded.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts padding as zero bytes: drop them.
  size_t len = static_cast<size_t>(n);
  for (size_t i = padded.size(); i > 0 && padded[i - 1] == '='; --i) --len;
  out.resize(len);
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<Digest> ParseDigest(std::string_view name) {
  std::string n;
  for (char c : name) {
    if (c != '-') n += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (n == "SHA1") return Digest::kSha1;
  if (n == "SHA256") return Digest::kSha256;
  return std::nullopt;
}

std::optional<EcPublicKey> EcPublicKey::FromPem(std::string_view pem) {
  const std::string normalized = NormalizePem(pem, "PUBLIC KEY");
  if (normalized.empty()) return std::nullopt;
  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(normalized.data(), static_cast<int>(normalized.size())));
  if (!bio) return std::nullopt;
  EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) return std::nullopt;
  if (EVP_PKEY_base_id(pkey) != EVP_PKEY_EC) {
    EVP_PKEY_free(pkey);
    return std::nullopt;
  }
  return EcPublicKey(pkey);
}

EcPublicKey::EcPublicKey(EcPublicKey&& other) noexcept
    : pkey_(std::exchange(other.pkey_, nullptr)) {}
EcPublicKey& EcPublicKey::operator=(EcPublicKey&& other) noexcept {
  std::swap(pkey_, other.pkey_);
  return *this;
}
EcPublicKey::~EcPublicKey() { EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_)); }

bool EcPublicKey::Verify(Digest digest, std::string_view message,
                         std::string_view der_signature) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return false;
  bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, MdOf(digest), nullptr, static_cast<EVP_PKEY*>(pkey_)) ==
          1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(der_signature.data()),
                       der_signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::optional<EcPrivateKey> EcPrivateKey::FromPem(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return std::nullopt;
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) return std::nullopt;
  return EcPrivateKey(pkey);
}

EcPrivateKey::EcPrivateKey(EcPrivateKey&& other) noexcept
    : pkey_(std::exchange(other.pkey_, nullptr)) {}
EcPrivateKey& EcPrivateKey::operator=(EcPrivateKey&& other) noexcept {
  std::swap(pkey_, other.pkey_);
  return *this;
}
EcPrivateKey::~EcPrivateKey() { EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_)); }

std::optional<std::string> EcPrivateKey::Sign(Digest digest, std::string_view message) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return std::nullopt;
  std::optional<std::string> out;
  size_t len = 0;
  const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
  if (EVP_DigestSignInit(ctx, nullptr, MdOf(digest), nullptr, static_cast<EVP_PKEY*>(pkey_)) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, msg, message.size()) == 1) {
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, msg,
                       message.size()) == 1) {
      sig.resize(len);
      out = std::move(sig);
    }
  }
  EVP_MD_CTX_free(ctx);
  return out;
}

}  // namespace csgw::crypto
