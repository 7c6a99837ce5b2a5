#include "gateway/schedule/business_hours.h"

#include <gtest/gtest.h>

#include "gateway/schedule/test_util.h"

namespace csgw::gateway::schedule {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::At;
using testing::Utc;

constexpr auto H = [](int h, int m = 0) { return hours(h) + minutes(m); };

// Monday..Friday with the same slots.
BusinessHours Weekdays(const char* zone, std::vector<TimeSlot> slots) {
  BusinessHours b;
  b.zone = zone;
  for (int day = 1; day <= 5; ++day) b.weekly[day] = slots;
  return b;
}

BusinessHours EveryDay(const char* zone, TimeSlot slot) {
  BusinessHours b;
  b.zone = zone;
  for (auto& day : b.weekly) day = {slot};
  return b;
}

Closure AllDay(const char* name, CivilDate first, CivilDate last_inclusive, int every_years = 0) {
  Closure c;
  c.name = name;
  c.start = {first, {}};
  c.end = {AddDays(last_inclusive, 1), {}};
  c.every_years = every_years;
  return c;
}

struct OpenCase {
  const char* at;
  bool open;
};

TEST(BusinessHours, SeveralSlotsADayInTheAgentsZone) {
  // 2024-06-10 is a Monday; Madrid is UTC+2 in June.
  const BusinessHours b = Weekdays("Europe/Madrid", {{H(9), H(13)}, {H(14), H(18)}});
  const OpenCase cases[] = {
      {"2024-06-10T09:00:00+02:00", true},  {"2024-06-10T08:59:59+02:00", false},
      {"2024-06-10T12:59:00+02:00", true},  {"2024-06-10T13:00:00+02:00", false},
      {"2024-06-10T13:30:00+02:00", false}, {"2024-06-10T14:00:00+02:00", true},
      {"2024-06-10T18:00:00+02:00", false}, {"2024-06-14T17:59:00+02:00", true},
      {"2024-06-15T10:00:00+02:00", false},  // Saturday
      {"2024-06-16T10:00:00+02:00", false},  // Sunday
      {"2024-06-10T08:30:00Z", true},        // 10:30 local
  };
  for (const OpenCase& c : cases) {
    auto open = IsOpenAt(b, At(c.at));
    ASSERT_TRUE(open) << c.at;
    EXPECT_EQ(open.value(), c.open) << c.at;
  }
}

TEST(BusinessHours, OvernightShiftCrossesMidnight) {
  BusinessHours b;
  b.zone = "Asia/Shanghai";       // UTC+8, no DST
  b.weekly[5] = {{H(22), H(6)}};  // Friday 22:00 - Saturday 06:00 only
  const OpenCase cases[] = {
      {"2024-06-14T21:59:00+08:00", false}, {"2024-06-14T22:00:00+08:00", true},
      {"2024-06-14T23:59:00+08:00", true},  {"2024-06-15T00:00:00+08:00", true},
      {"2024-06-15T05:59:59+08:00", true},  {"2024-06-15T06:00:00+08:00", false},
      {"2024-06-14T03:00:00+08:00", false},  // Friday early morning: Thursday has no shift
      {"2024-06-15T22:30:00+08:00", false},  // Saturday night
  };
  for (const OpenCase& c : cases) {
    auto open = IsOpenAt(b, At(c.at));
    ASSERT_TRUE(open) << c.at;
    EXPECT_EQ(open.value(), c.open) << c.at;
  }
  auto next = NextOpenAt(b, At("2024-06-15T07:00:00+08:00"));
  ASSERT_TRUE(next);
  EXPECT_EQ(Utc(next.value()), "2024-06-21T14:00:00.000Z");  // next Friday 22:00 local
}

struct ShiftCase {
  const char* name;
  const char* zone;
  CivilDate night;
  TimeSlot slot;
  const char* start;
  const char* end;
};

// Each end of a slot is a wall time on its own day, resolved through the tz database.
TEST(BusinessHours, SlotsAcrossDstChanges) {
  const ShiftCase cases[] = {
      // Madrid spring forward, 2024-03-31 02:00 CET -> 03:00 CEST: the night shift lasts 7 h.
      {"madrid-spring",
       "Europe/Madrid",
       {2024, 3, 30},
       {H(22), H(6)},
       "2024-03-30T21:00:00.000Z",
       "2024-03-31T04:00:00.000Z"},
      // Madrid fall back, 2024-10-27 03:00 CEST -> 02:00 CET: 9 h.
      {"madrid-fall",
       "Europe/Madrid",
       {2024, 10, 26},
       {H(22), H(6)},
       "2024-10-26T20:00:00.000Z",
       "2024-10-27T05:00:00.000Z"},
      // A slot starting inside the skipped hour starts when the clocks jump (03:00 CEST).
      {"madrid-gap-start",
       "Europe/Madrid",
       {2024, 3, 31},
       {H(2, 30), H(8)},
       "2024-03-31T01:00:00.000Z",
       "2024-03-31T06:00:00.000Z"},
      // Santiago, 2024-04-07 00:00 -03 -> 2024-04-06 23:00 -04: Saturday 22:00-24:00 lasts 3 h.
      {"santiago-fall",
       "America/Santiago",
       {2024, 4, 6},
       {H(22), H(24)},
       "2024-04-07T01:00:00.000Z",
       "2024-04-07T04:00:00.000Z"},
      // Santiago, 2024-09-08 00:00 -04 -> 01:00 -03: midnight never happens; 00:00-06:00 is 5 h.
      {"santiago-spring",
       "America/Santiago",
       {2024, 9, 8},
       {H(0), H(6)},
       "2024-09-08T04:00:00.000Z",
       "2024-09-08T09:00:00.000Z"},
      // No DST any more: same offsets all year.
      {"sao-paulo-summer",
       "America/Sao_Paulo",
       {2024, 1, 15},
       {H(22), H(6)},
       "2024-01-16T01:00:00.000Z",
       "2024-01-16T09:00:00.000Z"},
      {"moscow-winter",
       "Europe/Moscow",
       {2024, 1, 15},
       {H(22), H(6)},
       "2024-01-15T19:00:00.000Z",
       "2024-01-16T03:00:00.000Z"},
      {"mexico-city-summer-2023",
       "America/Mexico_City",
       {2023, 7, 1},
       {H(22), H(6)},
       "2023-07-02T04:00:00.000Z",
       "2023-07-02T12:00:00.000Z"},
  };
  for (const ShiftCase& c : cases) {
    BusinessHours b;
    b.zone = c.zone;
    b.weekly[WeekdayOf(c.night)] = {c.slot};
    auto intervals = OpenIntervals(b, c.night, c.night);
    ASSERT_TRUE(intervals) << c.name;
    ASSERT_EQ(intervals.value().size(), 1u) << c.name;
    EXPECT_EQ(Utc(intervals.value()[0].start), c.start) << c.name;
    EXPECT_EQ(Utc(intervals.value()[0].end), c.end) << c.name;
  }
}

TEST(BusinessHours, AddingAcrossTheShortNightContinuesInTheNextShift) {
  const BusinessHours b = EveryDay("Europe/Madrid", {H(22), H(6)});
  const TimePoint start = At("2024-03-30T22:00:00+01:00");
  auto seven = AddBusinessTime(b, start, hours(7));
  ASSERT_TRUE(seven);
  EXPECT_EQ(Utc(seven.value()), "2024-03-31T04:00:00.000Z");  // 06:00 CEST: shift exhausted
  auto eight = AddBusinessTime(b, start, hours(8));
  ASSERT_TRUE(eight);
  EXPECT_EQ(Utc(eight.value()), "2024-03-31T21:00:00.000Z");  // 23:00 CEST the next night
}

struct AddCase {
  const char* name;
  const char* from;
  hours amount;
  const char* due;
};

TEST(BusinessHours, AddBusinessTimeSkipsWeekendsAndHolidays) {
  // Madrid, Monday-Friday 09:00-17:00 (8 h a day), 1 May 2024 (a Wednesday) a holiday.
  BusinessHours b = Weekdays("Europe/Madrid", {{H(9), H(17)}});
  b.closures.push_back(AllDay("Labour Day", {2024, 5, 1}, {2024, 5, 1}));
  const AddCase cases[] = {
      {"same-day", "2024-04-29T10:00:00+02:00", hours(3), "2024-04-29T11:00:00.000Z"},
      {"exactly-to-close", "2024-04-29T09:00:00+02:00", hours(8), "2024-04-29T15:00:00.000Z"},
      // Friday 15:00 + 24 h: Fri 2 h, Mon 8 h, Tue 8 h, Wed holiday, Thu 6 h -> Thu 15:00.
      {"weekend-and-holiday", "2024-04-26T15:00:00+02:00", hours(24), "2024-05-02T13:00:00.000Z"},
      // Saturday: the count starts on Monday morning.
      {"from-saturday", "2024-04-27T12:00:00+02:00", hours(1), "2024-04-29T08:00:00.000Z"},
      {"zero-is-next-open", "2024-04-30T18:00:00+02:00", hours(0), "2024-05-02T07:00:00.000Z"},
  };
  for (const AddCase& c : cases) {
    auto due = AddBusinessTime(b, At(c.from), c.amount);
    ASSERT_TRUE(due) << c.name;
    EXPECT_EQ(Utc(due.value()), c.due) << c.name;
  }
}

TEST(BusinessHours, NamedHolidaysFromConfigDates) {
  // Chinese New Year 2025 holiday as a store would configure it: 28 Jan - 4 Feb inclusive.
  BusinessHours b = Weekdays("Asia/Shanghai", {{H(9), H(18)}});
  b.closures.push_back(AllDay("Chinese New Year", {2025, 1, 28}, {2025, 2, 4}));
  // National Day / Golden Week: 1-7 October every year since 2020.
  b.closures.push_back(AllDay("Golden Week", {2020, 10, 1}, {2020, 10, 7}, 1));

  auto next = NextOpenAt(b, At("2025-01-27T18:30:00+08:00"));
  ASSERT_TRUE(next);
  EXPECT_EQ(Utc(next.value()), "2025-02-05T01:00:00.000Z");  // Wednesday 09:00 local

  auto name = ClosureAt(b, At("2025-01-30T10:00:00+08:00"));
  ASSERT_TRUE(name);
  EXPECT_EQ(name.value(), std::optional<std::string>("Chinese New Year"));

  auto golden = ClosureAt(b, At("2026-10-05T10:00:00+08:00"));
  ASSERT_TRUE(golden);
  EXPECT_EQ(golden.value(), std::optional<std::string>("Golden Week"));
  auto after = NextOpenAt(b, At("2026-10-02T10:00:00+08:00"));
  ASSERT_TRUE(after);
  EXPECT_EQ(Utc(after.value()), "2026-10-08T01:00:00.000Z");  // Thursday 8 October

  auto ordinary = ClosureAt(b, At("2025-03-03T10:00:00+08:00"));
  ASSERT_TRUE(ordinary);
  EXPECT_FALSE(ordinary.value().has_value());
  auto open = IsOpenAt(b, At("2025-03-03T10:00:00+08:00"));
  ASSERT_TRUE(open);
  EXPECT_TRUE(open.value());
}

TEST(BusinessHours, HolidayCutsAnOvernightShiftAtMidnight) {
  BusinessHours b = EveryDay("Europe/Madrid", {H(22), H(6)});
  b.closures.push_back(AllDay("New Year", {2025, 1, 1}, {2025, 1, 1}));
  auto intervals = OpenIntervals(b, {2024, 12, 31}, {2025, 1, 1});
  ASSERT_TRUE(intervals);
  // New Year's Eve's shift stops at midnight; the holiday night's shift resumes at 00:00 on the
  // 2nd, when the holiday is over.
  ASSERT_EQ(intervals.value().size(), 2u);
  EXPECT_EQ(Utc(intervals.value()[0].start), "2024-12-31T21:00:00.000Z");
  EXPECT_EQ(Utc(intervals.value()[0].end), "2024-12-31T23:00:00.000Z");  // 00:00 CET
  EXPECT_EQ(Utc(intervals.value()[1].start), "2025-01-01T23:00:00.000Z");
  EXPECT_EQ(Utc(intervals.value()[1].end), "2025-01-02T05:00:00.000Z");
}

TEST(BusinessHours, YearlyClosureSkipsFebruary29InCommonYearsAndHonoursCount) {
  BusinessHours b = EveryDay("UTC", {H(0), H(24)});
  Closure leap = AllDay("leap", {2024, 2, 29}, {2024, 2, 29}, 1);
  leap.count = 2;  // 2024 and 2028 (2025-2027 have no 29 February)
  b.closures.push_back(leap);
  const OpenCase cases[] = {
      {"2024-02-29T12:00:00Z", false}, {"2025-02-28T12:00:00Z", true},
      {"2025-03-01T12:00:00Z", true},  {"2028-02-29T12:00:00Z", false},
      {"2032-02-29T12:00:00Z", true},
  };
  for (const OpenCase& c : cases) {
    auto open = IsOpenAt(b, At(c.at));
    ASSERT_TRUE(open) << c.at;
    EXPECT_EQ(open.value(), c.open) << c.at;
  }
}

TEST(BusinessHours, ErrorsAreValues) {
  BusinessHours closed;
  closed.zone = "Europe/Madrid";
  auto none = NextOpenAt(closed, At("2024-01-01T00:00:00Z"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::kInvalidField);

  BusinessHours unknown = EveryDay("Mars/Olympus_Mons", {H(9), H(17)});
  EXPECT_FALSE(IsOpenAt(unknown, At("2024-01-01T00:00:00Z")));

  BusinessHours bad_slot = EveryDay("Europe/Madrid", {H(9), H(9)});
  EXPECT_FALSE(Validate(bad_slot));
  BusinessHours bad_closure = EveryDay("Europe/Madrid", {H(9), H(17)});
  bad_closure.closures.push_back(AllDay("x", {2024, 5, 2}, {2024, 5, 1}));
  EXPECT_FALSE(Validate(bad_closure));
  EXPECT_FALSE(AddBusinessTime(EveryDay("Europe/Madrid", {H(9), H(17)}), At("2024-01-01T00:00:00Z"),
                               -hours(1)));
}

}  // namespace
}  // namespace csgw::gateway::schedule
