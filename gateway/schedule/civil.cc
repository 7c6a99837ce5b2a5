#include "gateway/schedule/civil.h"

#include <cstdio>

namespace csgw::gateway::schedule {
namespace {

namespace chr = std::chrono;

chr::year_month_day ToYmd(const CivilDate& date) {
  return chr::year_month_day{chr::year{date.year}, chr::month{date.month}, chr::day{date.day}};
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

int ToInt(std::string_view s) {
  int value = 0;
  for (char c : s) value = value * 10 + (c - '0');
  return value;
}

}  // namespace

bool IsValidDate(const CivilDate& date) {
  return date.year >= 1 && date.year <= 9999 && ToYmd(date).ok();
}

int64_t DaysSinceEpoch(const CivilDate& date) {
  return chr::sys_days{ToYmd(date)}.time_since_epoch().count();
}

CivilDate DateFromDays(int64_t days_since_epoch) {
  const chr::year_month_day ymd{chr::sys_days{chr::days{days_since_epoch}}};
  return CivilDate{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                   static_cast<unsigned>(ymd.day())};
}

CivilDate AddDays(const CivilDate& date, int64_t days) {
  return DateFromDays(DaysSinceEpoch(date) + days);
}

unsigned WeekdayOf(const CivilDate& date) {
  return chr::weekday{chr::sys_days{ToYmd(date)}}.c_encoding();
}

std::string FormatDate(const CivilDate& date) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", date.year, date.month, date.day);
  return buffer;
}

std::optional<CivilDate> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const std::string_view y = text.substr(0, 4), m = text.substr(5, 2), d = text.substr(8, 2);
  if (!AllDigits(y) || !AllDigits(m) || !AllDigits(d)) return std::nullopt;
  CivilDate date{ToInt(y), static_cast<unsigned>(ToInt(m)), static_cast<unsigned>(ToInt(d))};
  if (!IsValidDate(date)) return std::nullopt;
  return date;
}

std::optional<std::chrono::seconds> ParseClockTime(std::string_view text, bool allow_24) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  const std::string_view h = text.substr(0, 2), m = text.substr(3, 2);
  if (!AllDigits(h) || !AllDigits(m)) return std::nullopt;
  const int hours = ToInt(h), minutes = ToInt(m);
  if (minutes > 59) return std::nullopt;
  if (hours > 24 || (hours == 24 && (minutes != 0 || !allow_24))) return std::nullopt;
  return std::chrono::seconds(hours * 3600 + minutes * 60);
}

}  // namespace csgw::gateway::schedule
