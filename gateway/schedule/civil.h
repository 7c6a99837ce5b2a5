// Civil (zone-less) calendar dates and wall-clock times, and half-open instant intervals.
// Pure arithmetic on the proleptic Gregorian calendar; zones are applied only through
// csgw::i18n (the system tz database).
#pragma once

#include <chrono>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace csgw::gateway::schedule {

struct CivilDate {
  int year = 1970;
  unsigned month = 1;  // 1..12
  unsigned day = 1;    // 1..31

  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
};

bool IsValidDate(const CivilDate& date);
// Days since 1970-01-01 (negative before). `date` must be valid.
int64_t DaysSinceEpoch(const CivilDate& date);
CivilDate DateFromDays(int64_t days_since_epoch);
CivilDate AddDays(const CivilDate& date, int64_t days);
// 0 = Sunday .. 6 = Saturday, as i18n::LocalDateTime::weekday.
unsigned WeekdayOf(const CivilDate& date);

// "2024-03-31".
std::string FormatDate(const CivilDate& date);
// "YYYY-MM-DD"; nullopt for anything else or an invalid date.
std::optional<CivilDate> ParseDate(std::string_view text);
// "HH:MM" with 00:00..24:00 (24:00 only when `allow_24` is true); nullopt otherwise.
std::optional<std::chrono::seconds> ParseClockTime(std::string_view text, bool allow_24);

// [start, end): an instant interval.
struct Interval {
  TimePoint start;
  TimePoint end;
  friend bool operator==(const Interval&, const Interval&) = default;
};

}  // namespace csgw::gateway::schedule
