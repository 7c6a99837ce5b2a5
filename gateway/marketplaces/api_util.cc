#include "gateway/marketplaces/api_util.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "base/json.h"
#include "base/log.h"

namespace csgw::gateway {
namespace {

constexpr std::chrono::seconds kMaxRetryAfter{86400};

bool IsUnreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::optional<int> Digits(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 IMF-fixdate, the only form senders must use).
std::optional<TimePoint> ParseImfFixdate(std::string_view s) {
  if (s.size() != 29 || s.substr(3, 2) != ", " || s.substr(25) != " GMT") return std::nullopt;
  static constexpr std::array<std::string_view, 12> kMonths{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = Digits(s.substr(5, 2));
  const auto month = std::find(kMonths.begin(), kMonths.end(), s.substr(8, 3));
  const auto year = Digits(s.substr(12, 4));
  const auto hour = Digits(s.substr(17, 2));
  const auto minute = Digits(s.substr(20, 2));
  const auto second = Digits(s.substr(23, 2));
  if (!day || month == kMonths.end() || !year || !hour || !minute || !second || s[7] != ' ' ||
      s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':') {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{
      std::chrono::year(*year),
      std::chrono::month(static_cast<unsigned>(month - kMonths.begin() + 1)),
      std::chrono::day(static_cast<unsigned>(*day))};
  if (!ymd.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  return TimePoint(std::chrono::sys_days(ymd)) + std::chrono::hours(*hour) +
         std::chrono::minutes(*minute) + std::chrono::seconds(*second);
}

}  // namespace

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (IsUnreserved(c)) {
      out += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0xf];
    }
  }
  return out;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = hex(text[i + 1]);
    const int lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string FormEncode(const Params& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += PercentEncode(name);
    out += '=';
    out += PercentEncode(value);
  }
  return out;
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  log::AppendJsonEscaped(out, text);
  out += '"';
  return out;
}

Result<std::string> UrlSafeId(std::string_view field, std::string_view value) {
  if (value.empty()) {
    return MakeError(Errc::kMissingField, "field '" + std::string(field) + "' is required");
  }
  const bool ok = value.size() <= 128 && std::all_of(value.begin(), value.end(), [](char c) {
                    return IsUnreserved(c) || c == ':';
                  });
  if (!ok) {
    return MakeError(Errc::kInvalidField,
                     "field '" + std::string(field) +
                         "' must be 1..128 characters of [A-Za-z0-9._~:-] to go into a URL");
  }
  return std::string(value);
}

Result<std::string> DigitsId(std::string_view field, std::string_view value) {
  if (value.empty()) {
    return MakeError(Errc::kMissingField, "field '" + std::string(field) + "' is required");
  }
  const bool ok = value.size() <= 20 && std::all_of(value.begin(), value.end(),
                                                    [](char c) { return c >= '0' && c <= '9'; });
  if (!ok) {
    return MakeError(Errc::kInvalidField,
                     "field '" + std::string(field) + "' must be a decimal id (1..20 digits)");
  }
  return std::string(value);
}

size_t CodePointCount(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

Result<void> CheckText(std::string_view marketplace, std::string_view text, size_t max_chars) {
  if (text.empty()) return MakeError(Errc::kMissingField, "field 'text' is required");
  if (!IsValidUtf8(text)) return MakeError(Errc::kInvalidField, "field 'text' is not UTF-8");
  const size_t n = CodePointCount(text);
  if (n > max_chars) {
    return MakeError(Errc::kInvalidField, "field 'text' has " + std::to_string(n) +
                                              " characters; " + std::string(marketplace) +
                                              " accepts at most " + std::to_string(max_chars));
  }
  return Ok();
}

std::string BaseUrl(const Account& account, std::string_view production) {
  return account.api_base_url.empty() ? std::string(production) : account.api_base_url;
}

std::optional<std::chrono::seconds> RetryAfterOf(const outbound::HttpResponse& response,
                                                 TimePoint now) {
  std::string_view value = response.Header("retry-after");
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return kMaxRetryAfter;
    return std::min(std::chrono::seconds(*Digits(value)), kMaxRetryAfter);
  }
  const auto at = ParseImfFixdate(value);
  if (!at) return std::nullopt;
  if (*at <= now) return std::chrono::seconds(0);
  return std::min(std::chrono::ceil<std::chrono::seconds>(*at - now), kMaxRetryAfter);
}

std::optional<SendOutcome> OutcomeOfStatus(std::string_view marketplace,
                                           const outbound::HttpResponse& response, TimePoint now,
                                           std::string_view code) {
  const int status = response.status;
  if (status >= 200 && status < 300) return std::nullopt;
  std::string reason = std::string(marketplace) + " HTTP " + std::to_string(status);
  if (!code.empty()) reason += " " + Clip(code, 80);
  // 408 and 425: the request did not take effect; 429: rate limited; 5xx: the marketplace's
  // own failure. Status 0 means no response was read at all.
  if (status == 0 || status == 408 || status == 425 || status == 429 || status >= 500) {
    return Retry(std::move(reason), RetryAfterOf(response, now));
  }
  return Rejected(std::move(reason));
}

SendOutcome Delivered(std::string message_id) {
  return SendOutcome{SendVerdict::kDelivered, std::move(message_id), "", std::nullopt};
}

SendOutcome Rejected(std::string reason) {
  return SendOutcome{SendVerdict::kRejected, "", std::move(reason), std::nullopt};
}

SendOutcome Retry(std::string reason, std::optional<std::chrono::seconds> after) {
  return SendOutcome{SendVerdict::kRetry, "", std::move(reason), after};
}

std::string Clip(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

}  // namespace csgw::gateway
