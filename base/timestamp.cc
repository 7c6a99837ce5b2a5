#include "base/timestamp.h"

#include <date/date.h>

#include <charconv>
#include <cstdio>

namespace csgw {
namespace {

constexpr int kMinYear = 1970;
constexpr int kMaxYear = 2199;
// 2200-01-01T00:00:00Z.
constexpr int64_t kMaxUnixMillis = 7'258'118'400'000LL;

// Reads exactly `width` digits at `pos`.
bool ReadDigits(std::string_view s, size_t& pos, size_t width, int& out) {
  if (pos + width > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < width; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += width;
  return true;
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::optional<TimePoint> ParseIsoDateTime(std::string_view s,
                                          std::optional<std::chrono::minutes> default_offset) {
  size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!ReadDigits(s, pos, 4, y) || !Expect(s, pos, '-') || !ReadDigits(s, pos, 2, mo) ||
      !Expect(s, pos, '-') || !ReadDigits(s, pos, 2, d)) {
    return std::nullopt;
  }
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return std::nullopt;
  ++pos;
  if (!ReadDigits(s, pos, 2, h) || !Expect(s, pos, ':') || !ReadDigits(s, pos, 2, mi) ||
      !Expect(s, pos, ':') || !ReadDigits(s, pos, 2, sec)) {
    return std::nullopt;
  }
  int64_t nanos = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) nanos = nanos * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 9; ++i) nanos *= 10;
  }
  std::chrono::minutes offset{0};
  if (pos == s.size()) {
    if (!default_offset) return std::nullopt;
    offset = *default_offset;
  } else if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!ReadDigits(s, pos, 2, oh)) return std::nullopt;
    if (pos < s.size() && s[pos] == ':') ++pos;
    if (!ReadDigits(s, pos, 2, om)) return std::nullopt;
    if (oh > 23 || om > 59) return std::nullopt;
    offset = std::chrono::minutes(sign * (oh * 60 + om));
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  // Leap second 60 is accepted and folds into the next minute, as RFC 3339 allows it.
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  // TimePoint counts nanoseconds in 64 bits (years 1678-2262); anything outside the years a
  // marketplace event can carry is refused before it could overflow.
  if (y < kMinYear || y > kMaxYear) return std::nullopt;
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  const auto local = date::sys_days{ymd} + std::chrono::hours(h) + std::chrono::minutes(mi) +
                     std::chrono::seconds(sec);
  const auto utc = local - offset;
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      utc.time_since_epoch() + std::chrono::nanoseconds(nanos)));
}

std::optional<TimePoint> FromUnixSecondsOrMillis(int64_t value) {
  if (value < 0) return std::nullopt;
  const int64_t millis = value >= 100'000'000'000LL ? value : value * 1000;
  if (millis >= kMaxUnixMillis) return std::nullopt;  // see kMaxYear
  return FromUnixMillis(millis);
}

std::string FormatIsoMillis(TimePoint t) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(t);
  return date::format("%FT%TZ", ms);
}

}  // namespace csgw
