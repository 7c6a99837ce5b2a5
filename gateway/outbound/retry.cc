#include "gateway/outbound/retry.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <random>
#include <string_view>
#include <vector>

namespace csgw::gateway::outbound {
namespace {

using std::chrono::milliseconds;

// Retry-After values beyond this are read as this: max_delay caps them anyway, and it keeps the
// arithmetic far from overflow.
constexpr int64_t kMaxRetryAfterSeconds = 365LL * 24 * 3600;

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int64_t ToInt(std::string_view digits) {
  int64_t v = 0;
  for (char c : digits) v = std::min<int64_t>(v * 10 + (c - '0'), kMaxRetryAfterSeconds);
  return v;
}

// "Jan".."Dec" to 1..12; 0 for anything else.
unsigned MonthNumber(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == name) return static_cast<unsigned>(i + 1);
  }
  return 0;
}

// "HH:MM:SS" to seconds into the day.
std::optional<int64_t> ParseClock(std::string_view s) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
  const std::string_view h = s.substr(0, 2), m = s.substr(3, 2), sec = s.substr(6, 2);
  if (!IsDigits(h) || !IsDigits(m) || !IsDigits(sec)) return std::nullopt;
  const int64_t hh = ToInt(h), mm = ToInt(m), ss = ToInt(sec);
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;  // 60: a leap second
  return hh * 3600 + mm * 60 + ss;
}

std::vector<std::string_view> SplitSpaces(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<TimePoint> MakeTime(int64_t year, unsigned month, int64_t day, int64_t seconds) {
  if (month == 0 || day < 1 || day > 31 || year < 1970 || year > 9999) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(year)),
                                        std::chrono::month(month),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  return TimePoint(std::chrono::sys_days(ymd)) + std::chrono::seconds(seconds);
}

// The three date formats RFC 9110 §5.6.7 says a recipient must accept.
std::optional<TimePoint> ParseHttpDate(std::string_view s, TimePoint now) {
  const auto parts = SplitSpaces(s);
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (parts.size() == 6 && parts[0].size() == 4 && parts[0].back() == ',' && parts[5] == "GMT" &&
      parts[1].size() == 2 && IsDigits(parts[1]) && parts[3].size() == 4 && IsDigits(parts[3])) {
    const auto clock = ParseClock(parts[4]);
    if (!clock) return std::nullopt;
    return MakeTime(ToInt(parts[3]), MonthNumber(parts[2]), ToInt(parts[1]), *clock);
  }
  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
  if (parts.size() == 4 && parts[0].back() == ',' && parts[3] == "GMT" && parts[1].size() == 9 &&
      parts[1][2] == '-' && parts[1][6] == '-') {
    const std::string_view day = parts[1].substr(0, 2), yy = parts[1].substr(7, 2);
    const auto clock = ParseClock(parts[2]);
    if (!clock || !IsDigits(day) || !IsDigits(yy)) return std::nullopt;
    // A two-digit year more than 50 years ahead is the most recent past year with those digits.
    const int now_year = static_cast<int>(
        std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(now)).year());
    int64_t year = now_year / 100 * 100 + ToInt(yy);
    if (year > now_year + 50) year -= 100;
    return MakeTime(year, MonthNumber(parts[1].substr(3, 3)), ToInt(day), *clock);
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  if (parts.size() == 5 && parts[0].size() == 3 && parts[2].size() <= 2 && IsDigits(parts[2]) &&
      parts[4].size() == 4 && IsDigits(parts[4])) {
    const auto clock = ParseClock(parts[3]);
    if (!clock) return std::nullopt;
    return MakeTime(ToInt(parts[4]), MonthNumber(parts[1]), ToInt(parts[2]), *clock);
  }
  return std::nullopt;
}

milliseconds Backoff(const RetryPolicy& policy, const AttemptInfo& attempt,
                     const UniformRandom& random) {
  const int64_t initial = std::max<int64_t>(policy.initial.count(), 0);
  const int64_t cap = std::max<int64_t>(policy.max_delay.count(), 0);
  if (policy.jitter == Jitter::kDecorrelated) {
    const int64_t lo = std::min(initial, cap);
    const int64_t previous = std::max(attempt.previous_delay.count(), initial);
    const int64_t hi = previous > cap / 3 ? cap : std::max(previous * 3, lo);
    return milliseconds(random(lo, hi));
  }
  // Full jitter: the ceiling doubles per attempt until the cap (no overflow on long runs).
  int64_t ceiling = std::min(initial, cap);
  for (int i = 1; i < attempt.attempt && ceiling < cap; ++i) {
    ceiling = ceiling > cap / 2 ? cap : ceiling * 2;
  }
  return milliseconds(random(0, ceiling));
}

RetryDecision NoRetry(std::string_view reason) {
  return RetryDecision{false, milliseconds(0), reason};
}

}  // namespace

UniformRandom MakeUniformRandom(uint64_t seed) {
  return [engine = std::mt19937_64(seed)](int64_t lo, int64_t hi) mutable {
    return std::uniform_int_distribution<int64_t>(lo, hi)(engine);
  };
}

std::optional<milliseconds> ParseRetryAfter(std::string_view value, TimePoint now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (IsDigits(value)) return std::chrono::seconds(ToInt(value));
  const auto date = ParseHttpDate(value, now);
  if (!date) return std::nullopt;
  if (*date <= now) return milliseconds(0);
  return std::min<milliseconds>(std::chrono::ceil<milliseconds>(*date - now),
                                std::chrono::seconds(kMaxRetryAfterSeconds));
}

RetryDecision DecideRetry(const RetryPolicy& policy, const Result<HttpResponse>& result,
                          const AttemptInfo& attempt, const UniformRandom& random) {
  std::string_view reason;
  std::optional<milliseconds> asked;  // the server's Retry-After
  if (result) {
    const HttpResponse& response = result.value();
    const int status = response.status;
    if (status >= 200 && status < 300) return NoRetry("delivered");
    if (status >= 500 && status < 600) {
      reason = "server_error";
    } else if (status == 429) {
      reason = "rate_limited";
    } else if (status == 408) {
      reason = "request_timeout";
    } else if (status >= 400 && status < 500) {
      return NoRetry("client_error");
    } else {
      return NoRetry("unexpected_status");  // 1xx or 3xx: no redirect is followed on a send
    }
    if (const auto header = response.Header("retry-after"); !header.empty()) {
      asked = ParseRetryAfter(header, attempt.now);
    }
  } else {
    switch (result.error().code) {
      case Errc::kUpstreamUnavailable:
      case Errc::kUpstreamTimeout:
      case Errc::kOverloaded:  // the client's own queue was full
      case Errc::kNotReady:    // the client was stopping
        reason = "transport_error";
        break;
      default:  // a malformed request, an answer over the cap: the same again next time
        return NoRetry("not_retryable_error");
    }
  }
  if (attempt.attempt >= policy.max_attempts) return NoRetry("attempts_exhausted");
  const milliseconds delay =
      asked ? std::min(*asked, policy.max_delay) : Backoff(policy, attempt, random);
  if (attempt.age + delay > policy.max_age) return NoRetry("max_age_reached");
  return RetryDecision{true, delay, reason};
}

}  // namespace csgw::gateway::outbound
