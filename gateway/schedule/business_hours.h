// Agents' business hours per store, in the agents' time zone: several slots a day, overnight
// shifts, per weekday, and closures (holidays: dates, named periods such as Chinese New Year or
// Golden Week, or timed events from an iCalendar file). Pure: instants in, instants out; every
// local-time conversion goes through csgw::i18n (the system tz database).
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/schedule/civil.h"

namespace csgw::gateway::schedule {

// One working slot starting on some weekday. `start` in [00:00, 24:00); `end` in (00:00, 24:00].
// `end <= start` is an overnight shift ending at `end` on the next day (22:00-06:00).
// Each end point is resolved on its own calendar day through i18n::FromLocal: a wall time skipped
// by a DST change is the instant the clocks jump, a repeated one its first occurrence. So a
// 22:00-06:00 shift lasts 7 h on a spring-forward night and 9 h on a fall-back night.
struct TimeSlot {
  std::chrono::seconds start{0};
  std::chrono::seconds end{0};
  friend bool operator==(const TimeSlot&, const TimeSlot&) = default;
};

// A period the agents are off. All-day closures cover whole local days
// [start.date 00:00, end.date 00:00) (end exclusive, as iCalendar DTEND); timed closures cover
// [start, end) at wall times in `zone`.
struct Closure {
  struct Stamp {
    CivilDate date;
    std::chrono::seconds time{0};
    friend bool operator==(const Stamp&, const Stamp&) = default;
  };
  std::string name;  // "Chinese New Year"; may be empty
  bool all_day = true;
  Stamp start;
  Stamp end;  // exclusive; after start
  // The zone of the wall times: "" = the store's zone, "UTC" = UTC, else an IANA name.
  std::string zone;
  // Yearly repetition (iCalendar RRULE:FREQ=YEARLY): 0 = once, N = every N years. The local
  // start moves by whole years and the local length (days and wall time) is kept; a
  // 29 February start is skipped in non-leap years.
  int every_years = 0;
  std::optional<int> count;        // at most this many occurrences, the first included
  std::optional<CivilDate> until;  // no occurrence starts on a later local date
};

// Business hours of one store.
struct BusinessHours {
  std::string zone;  // IANA name of the agents' zone, e.g. "Asia/Shanghai"
  // Slots starting on each weekday: [0] = Sunday .. [6] = Saturday. A day without slots is off.
  std::array<std::vector<TimeSlot>, 7> weekly;
  // Holidays. A closure also cuts an overnight shift that runs into it.
  std::vector<Closure> closures;
};

// Checks the zone, the slots (in range, non-empty) and the closures (valid dates, end after
// start, known zones). kInvalidField naming the offending part.
Result<void> Validate(const BusinessHours& hours);

// How far NextOpenAt and AddBusinessTime look ahead before giving up (a store closed for longer
// than this is a config error): 400 days.
inline constexpr int kSearchHorizonDays = 400;

// Whether the agents are at work at `at`.
Result<bool> IsOpenAt(const BusinessHours& hours, TimePoint at);

// The first instant >= `at` at which the agents are at work (`at` itself when open).
// kInvalidField when nothing is open within kSearchHorizonDays.
Result<TimePoint> NextOpenAt(const BusinessHours& hours, TimePoint at);

// The instant at which `amount` of open time has elapsed since `from`, counting only open time
// (business-hours SLAs). Zero amount gives NextOpenAt(from). Same error as NextOpenAt.
Result<TimePoint> AddBusinessTime(const BusinessHours& hours, TimePoint from,
                                  std::chrono::seconds amount);

// The name of the closure in force at `at` (first listed wins), nullopt when none.
Result<std::optional<std::string>> ClosureAt(const BusinessHours& hours, TimePoint at);

// The open intervals whose slots start on local dates [first, last], closures removed, sorted
// and merged. For tests and the agents' queue view.
Result<std::vector<Interval>> OpenIntervals(const BusinessHours& hours, CivilDate first,
                                            CivilDate last);

}  // namespace csgw::gateway::schedule
