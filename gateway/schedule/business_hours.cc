#include "gateway/schedule/business_hours.h"

#include <algorithm>
#include <string_view>
#include <tuple>

#include "i18n/time_zone.h"

namespace csgw::gateway::schedule {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr seconds kDay = hours(24);
constexpr int kChunkDays = 14;

Error Invalid(std::string message) { return Error{Errc::kInvalidField, std::move(message)}; }

// The instant at which the wall clock of `zone` shows `stamp`. "UTC" is computed directly so that
// iCalendar 'Z' times do not depend on how the tz package spells UTC.
Result<TimePoint> ToInstant(std::string_view zone, const Closure::Stamp& stamp) {
  if (zone == "UTC") {
    return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
        std::chrono::days(DaysSinceEpoch(stamp.date)) + stamp.time));
  }
  return i18n::FromLocal(zone, stamp.date.year, stamp.date.month, stamp.date.day, stamp.time);
}

void SortAndMerge(std::vector<Interval>* intervals) {
  std::sort(intervals->begin(), intervals->end(),
            [](const Interval& a, const Interval& b) { return a.start < b.start; });
  std::vector<Interval> merged;
  for (const Interval& iv : *intervals) {
    if (iv.end <= iv.start) continue;
    if (!merged.empty() && iv.start <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, iv.end);
    } else {
      merged.push_back(iv);
    }
  }
  *intervals = std::move(merged);
}

// The occurrences of `closure` whose local start year is at most `max_year` and whose local end
// year is at least `min_year` (a coarse filter; callers intersect instants).
Result<void> AppendClosure(const Closure& closure, std::string_view store_zone, int min_year,
                           int max_year, std::vector<Interval>* out) {
  const std::string_view zone = closure.zone.empty() ? store_zone : closure.zone;
  const int64_t length_days = DaysSinceEpoch(closure.end.date) - DaysSinceEpoch(closure.start.date);
  auto append = [&](const CivilDate& start_date) -> Result<void> {
    const CivilDate end_date = AddDays(start_date, length_days);
    if (end_date.year < min_year) return Ok();
    auto start = ToInstant(zone, {start_date, closure.start.time});
    if (!start) return start.error();
    auto end = ToInstant(zone, {end_date, closure.end.time});
    if (!end) return end.error();
    out->push_back({start.value(), end.value()});
    return Ok();
  };
  if (closure.every_years == 0) {
    if (closure.start.date.year > max_year) return Ok();
    return append(closure.start.date);
  }
  int occurrences = 0;
  for (int year = closure.start.date.year; year <= max_year && year <= 9999;
       year += closure.every_years) {
    const CivilDate date{year, closure.start.date.month, closure.start.date.day};
    if (!IsValidDate(date)) continue;  // 29 February in a common year: no occurrence
    if (closure.until && date > *closure.until) break;
    if (closure.count && ++occurrences > *closure.count) break;
    if (auto r = append(date); !r) return r.error();
  }
  return Ok();
}

// Closure instants for local dates [first, last] (with a year of slack on both sides).
Result<std::vector<Interval>> ClosureIntervals(const BusinessHours& hours, CivilDate first,
                                               CivilDate last) {
  std::vector<Interval> out;
  for (const Closure& closure : hours.closures) {
    if (auto r = AppendClosure(closure, hours.zone, first.year - 1, last.year + 1, &out); !r) {
      return r.error();
    }
  }
  SortAndMerge(&out);
  return out;
}

// `open` minus `closed`; both sorted and merged.
std::vector<Interval> Subtract(const std::vector<Interval>& open,
                               const std::vector<Interval>& closed) {
  std::vector<Interval> out;
  for (const Interval& iv : open) {
    TimePoint cursor = iv.start;
    for (const Interval& c : closed) {
      if (c.end <= cursor) continue;
      if (c.start >= iv.end) break;
      if (c.start > cursor) out.push_back({cursor, c.start});
      cursor = std::max(cursor, c.end);
      if (cursor >= iv.end) break;
    }
    if (cursor < iv.end) out.push_back({cursor, iv.end});
  }
  return out;
}

Result<std::vector<Interval>> Intervals(const BusinessHours& hours, CivilDate first,
                                        CivilDate last) {
  std::vector<Interval> open;
  for (CivilDate date = first; date <= last; date = AddDays(date, 1)) {
    for (const TimeSlot& slot : hours.weekly[WeekdayOf(date)]) {
      auto start = ToInstant(hours.zone, {date, slot.start});
      if (!start) return start.error();
      const CivilDate end_date = slot.end <= slot.start ? AddDays(date, 1) : date;
      auto end = ToInstant(hours.zone, {end_date, slot.end});
      if (!end) return end.error();
      open.push_back({start.value(), end.value()});
    }
  }
  SortAndMerge(&open);
  if (hours.closures.empty()) return open;
  auto closed = ClosureIntervals(hours, first, last);
  if (!closed) return closed.error();
  return Subtract(open, closed.value());
}

// The local date in the store's zone on which a slot covering `at` can have started at the
// earliest: the day before (overnight shifts).
Result<CivilDate> ScanStart(const BusinessHours& hours, TimePoint at) {
  auto local = i18n::ToLocal(hours.zone, at);
  if (!local) return local.error();
  return AddDays(CivilDate{local.value().year, local.value().month, local.value().day}, -1);
}

Error NothingOpen(const BusinessHours& hours) {
  return Invalid("business hours in '" + hours.zone + "' have no open time within " +
                 std::to_string(kSearchHorizonDays) + " days");
}

}  // namespace

Result<void> Validate(const BusinessHours& hours) {
  if (!i18n::IsKnownZone(hours.zone)) return Invalid("unknown time zone '" + hours.zone + "'");
  for (size_t day = 0; day < hours.weekly.size(); ++day) {
    for (const TimeSlot& slot : hours.weekly[day]) {
      if (slot.start < seconds(0) || slot.start >= kDay || slot.end <= seconds(0) ||
          slot.end > kDay || slot.start == slot.end) {
        return Invalid("business hours: invalid slot on weekday " + std::to_string(day));
      }
    }
  }
  for (const Closure& c : hours.closures) {
    const std::string what = "closure '" + c.name + "'";
    if (!IsValidDate(c.start.date) || !IsValidDate(c.end.date)) {
      return Invalid(what + ": invalid date");
    }
    if (c.start.time < seconds(0) || c.start.time >= kDay || c.end.time < seconds(0) ||
        c.end.time >= kDay ||
        (c.all_day && (c.start.time != seconds(0) || c.end.time != seconds(0)))) {
      return Invalid(what + ": invalid time of day");
    }
    if (std::tie(c.end.date, c.end.time) <= std::tie(c.start.date, c.start.time)) {
      return Invalid(what + ": ends before it starts");
    }
    if (!c.zone.empty() && c.zone != "UTC" && !i18n::IsKnownZone(c.zone)) {
      return Invalid(what + ": unknown time zone '" + c.zone + "'");
    }
    if (c.every_years < 0 || (c.count && *c.count < 1)) return Invalid(what + ": invalid rule");
  }
  return Ok();
}

Result<std::vector<Interval>> OpenIntervals(const BusinessHours& hours, CivilDate first,
                                            CivilDate last) {
  if (auto valid = Validate(hours); !valid) return valid.error();
  if (!IsValidDate(first) || !IsValidDate(last)) return Invalid("invalid date range");
  return Intervals(hours, first, last);
}

Result<bool> IsOpenAt(const BusinessHours& hours, TimePoint at) {
  auto next = NextOpenAt(hours, at);
  if (!next) return next.error();
  return next.value() == at;
}

Result<TimePoint> NextOpenAt(const BusinessHours& hours, TimePoint at) {
  return AddBusinessTime(hours, at, seconds(0));
}

Result<TimePoint> AddBusinessTime(const BusinessHours& hours, TimePoint from, seconds amount) {
  if (auto valid = Validate(hours); !valid) return valid.error();
  if (amount < seconds(0)) return Invalid("business time to add is negative");
  auto first = ScanStart(hours, from);
  if (!first) return first.error();
  TimePoint::duration remaining = amount;
  for (int scanned = 0; scanned <= kSearchHorizonDays; scanned += kChunkDays) {
    const CivilDate chunk_first = AddDays(first.value(), scanned);
    auto open = Intervals(hours, chunk_first, AddDays(chunk_first, kChunkDays - 1));
    if (!open) return open.error();
    for (const Interval& iv : open.value()) {
      if (iv.end <= from) continue;
      const TimePoint start = std::max(iv.start, from);
      const TimePoint::duration available = iv.end - start;
      // `available` is positive; an amount exhausted exactly ends at the slot's closing
      // instant, a zero amount gives the first open instant.
      if (remaining <= available) return start + remaining;
      remaining -= available;
    }
  }
  return NothingOpen(hours);
}

Result<std::optional<std::string>> ClosureAt(const BusinessHours& hours, TimePoint at) {
  if (auto valid = Validate(hours); !valid) return valid.error();
  auto local = i18n::ToLocal(hours.zone, at);
  if (!local) return local.error();
  const int year = local.value().year;
  for (const Closure& closure : hours.closures) {
    std::vector<Interval> occurrences;
    if (auto r = AppendClosure(closure, hours.zone, year - 1, year + 1, &occurrences); !r) {
      return r.error();
    }
    for (const Interval& iv : occurrences) {
      if (iv.start <= at && at < iv.end) return std::optional<std::string>(closure.name);
    }
  }
  return std::optional<std::string>();
}

}  // namespace csgw::gateway::schedule
