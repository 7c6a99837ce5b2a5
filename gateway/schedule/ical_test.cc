#include "gateway/schedule/ical.h"

#include <gtest/gtest.h>
#include <libical/ical.h>

#include <string>

#include "gateway/schedule/test_util.h"

namespace csgw::gateway::schedule {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::At;
using testing::Utc;
using namespace std::string_literals;

// CRLF line ends and a folded SUMMARY, as calendar programs write them.
constexpr char kHolidays[] =
    "BEGIN:VCALENDAR\r\n"
    "VERSION:2.0\r\n"
    "PRODID:-//csgw//test//EN\r\n"
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Asia/Shanghai\r\n"
    "BEGIN:STANDARD\r\n"
    "TZOFFSETFROM:+0800\r\n"
    "TZOFFSETTO:+0800\r\n"
    "DTSTART:19700101T000000\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:cny-2025@example\r\n"
    "DTSTART;VALUE=DATE:20250128\r\n"
    "DTEND;VALUE=DATE:20250205\r\n"
    "SUMMARY:Chinese New\r\n"
    "  Year\\, Spring Festival\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "DTSTART;VALUE=DATE:20201001\r\n"
    "DTEND;VALUE=DATE:20201008\r\n"
    "RRULE:FREQ=YEARLY;UNTIL=20301231\r\n"
    "SUMMARY:Golden Week\r\n"
    "BEGIN:VALARM\r\n"
    "TRIGGER:-PT15M\r\n"
    "ACTION:DISPLAY\r\n"
    "END:VALARM\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "DTSTART;TZID=Asia/Shanghai:20250310T140000\r\n"
    "DTEND;TZID=\"Asia/Shanghai\":20250310T170000\r\n"
    "SUMMARY:Team training\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "DTSTART:20250312T010000Z\r\n"
    "DTEND:20250312T020000Z\r\n"
    "SUMMARY:System upgrade\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "DTSTART;VALUE=DATE:20250314\r\n"
    "SUMMARY:Cancelled day off\r\n"
    "STATUS:CANCELLED\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "DTSTART;VALUE=DATE:20250404\r\n"
    "SUMMARY:Qingming\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n";

TEST(ICalendar, ParsesAllDayTimedUtcAndYearlyEvents) {
  auto parsed = ParseICalendar(kHolidays);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const std::vector<Closure>& c = parsed.value();
  ASSERT_EQ(c.size(), 5u);

  EXPECT_EQ(c[0].name, "Chinese New Year, Spring Festival");
  EXPECT_TRUE(c[0].all_day);
  EXPECT_EQ(c[0].start.date, (CivilDate{2025, 1, 28}));
  EXPECT_EQ(c[0].end.date, (CivilDate{2025, 2, 5}));
  EXPECT_EQ(c[0].zone, "");
  EXPECT_EQ(c[0].every_years, 0);

  EXPECT_EQ(c[1].name, "Golden Week");
  EXPECT_EQ(c[1].every_years, 1);
  EXPECT_EQ(c[1].until, (CivilDate{2030, 12, 31}));

  EXPECT_FALSE(c[2].all_day);
  EXPECT_EQ(c[2].zone, "Asia/Shanghai");
  EXPECT_EQ(c[2].start.time, hours(14));
  EXPECT_EQ(c[2].end.time, hours(17));

  EXPECT_EQ(c[3].zone, "UTC");
  EXPECT_EQ(c[3].start.time, hours(1));

  // The cancelled event is skipped; an all-day event without DTEND lasts one day.
  EXPECT_EQ(c[4].name, "Qingming");
  EXPECT_EQ(c[4].end.date, (CivilDate{2025, 4, 5}));
}

TEST(ICalendar, ClosuresFromAnIcsCloseTheStore) {
  auto parsed = ParseICalendar(kHolidays);
  ASSERT_TRUE(parsed);
  BusinessHours b;
  b.zone = "Asia/Shanghai";
  for (int day = 1; day <= 5; ++day) b.weekly[day] = {{hours(9), hours(18)}};
  b.closures = parsed.value();

  struct Case {
    const char* at;
    bool open;
  } const cases[] = {
      {"2025-01-27T10:00:00+08:00", true},  {"2025-01-28T10:00:00+08:00", false},
      {"2025-02-04T17:00:00+08:00", false}, {"2025-02-05T09:00:00+08:00", true},
      {"2027-10-04T10:00:00+08:00", false},  // Golden Week recurs
      {"2031-10-02T10:00:00+08:00", true},   // ... until 2030
      {"2025-03-10T13:59:00+08:00", true},  {"2025-03-10T14:00:00+08:00", false},
      {"2025-03-10T17:00:00+08:00", true},  {"2025-03-12T09:30:00+08:00", false},  // 01:30Z
      {"2025-03-12T10:00:00+08:00", true},  {"2025-03-14T10:00:00+08:00", true},
      {"2025-04-04T10:00:00+08:00", false},
  };
  for (const Case& c : cases) {
    auto open = IsOpenAt(b, At(c.at));
    ASSERT_TRUE(open) << c.at;
    EXPECT_EQ(open.value(), c.open) << c.at;
  }
  auto next = NextOpenAt(b, At("2025-03-10T15:00:00+08:00"));
  ASSERT_TRUE(next);
  EXPECT_EQ(Utc(next.value()), "2025-03-10T09:00:00.000Z");
}

TEST(ICalendar, LfLineEndsAndCountRule) {
  auto parsed = ParseICalendar(
      "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID=Europe/Madrid:20240101T000000\n"
      "DTEND;TZID=Europe/Madrid:20240101T120000\nRRULE:FREQ=YEARLY;INTERVAL=2;COUNT=3\n"
      "END:VEVENT\nEND:VCALENDAR\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed.value().size(), 1u);
  EXPECT_EQ(parsed.value()[0].every_years, 2);
  EXPECT_EQ(parsed.value()[0].count, 3);
}

struct BadCase {
  const char* name;
  std::string text;
  const char* message;  // substring of the error
};

std::string Calendar(const std::string& event_lines) {
  return "BEGIN:VCALENDAR\nBEGIN:VEVENT\n" + event_lines + "END:VEVENT\nEND:VCALENDAR\n";
}

TEST(ICalendar, StrictErrorsNameTheLineTheEventAndTheProperty) {
  const BadCase cases[] = {
      {"no-calendar", "BEGIN:VEVENT\nEND:VEVENT\n", "ics line 1: expected BEGIN:VCALENDAR"},
      {"empty", "", "ics line 1: empty calendar"},
      {"blank", "\r\n\n", "empty calendar"},
      {"unterminated", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20250101\n", "not closed"},
      {"after-end", "BEGIN:VCALENDAR\nEND:VCALENDAR\nBEGIN:VCALENDAR\n",
       "ics line 3: content after END:VCALENDAR"},
      {"no-colon", Calendar("DTSTART;VALUE=DATE\n"),
       "ics line 3: VEVENT #1: malformed: Can't parse as DATE-TIME value in DTSTART property"},
      {"bad-parameter", Calendar("DTSTART;TZID:20250101T100000\n"),
       "ics line 2: VEVENT #1: malformed: Can't parse parameter name: TZID"},
      {"garbage-line", Calendar("DTSTART;VALUE=DATE:20250105\nno property here\n"),
       "could not find a property name or component begin tag: no property here"},
      {"no-dtstart", Calendar("SUMMARY:x\n"), "ics line 2: VEVENT #1 'x': VEVENT without DTSTART"},
      {"bad-date", Calendar("DTSTART;VALUE=DATE:20250230\n"),
       "ics line 3: VEVENT #1: DTSTART: invalid date"},
      {"folded-lines-counted", Calendar("SUMMARY:a\n b\n\tc\nDTSTART;VALUE=DATE:20250230\n"),
       "ics line 6: VEVENT #1 'abc': DTSTART: invalid date"},
      {"bad-time", Calendar("DTSTART:20250101T250000Z\nDTEND:20250101T260000Z\n"),
       "ics line 3: VEVENT #1: DTSTART: invalid date-time"},
      {"unknown-tzid",
       Calendar("DTSTART;TZID=China Standard Time:20250101T090000\n"
                "DTEND;TZID=China Standard Time:20250101T100000\n"),
       "ics line 3: VEVENT #1: DTSTART: TZID 'China Standard Time' is not an IANA time zone name"},
      {"z-and-tzid", Calendar("DTSTART;TZID=Europe/Madrid:20250101T090000Z\n"),
       "DTSTART: both 'Z' and TZID"},
      {"date-with-tzid", Calendar("DTSTART;VALUE=DATE;TZID=Europe/Madrid:20250101\n"),
       "DTSTART: a date takes no TZID"},
      {"end-before-start", Calendar("DTSTART;VALUE=DATE:20250105\nDTEND;VALUE=DATE:20250105\n"),
       "ics line 4: VEVENT #1: DTEND is not after DTSTART"},
      {"mixed-kinds", Calendar("DTSTART;VALUE=DATE:20250105\nDTEND:20250106T000000Z\n"),
       "ics line 4: VEVENT #1: DTSTART and DTEND must both be dates or both date-times"},
      {"mixed-zones",
       Calendar("DTSTART:20250105T100000Z\nDTEND;TZID=Europe/Madrid:20250105T120000\n"),
       "DTSTART and DTEND in different zones are not supported"},
      {"timed-no-end", Calendar("DTSTART:20250105T100000Z\n"), "timed VEVENT without DTEND"},
      {"duration",
       Calendar("UID:boxing@example\nSUMMARY:Boxing Day\nDTSTART:20250105T100000Z\n"
                "DURATION:PT1H\n"),
       "ics line 6: VEVENT #1 UID 'boxing@example' 'Boxing Day': DURATION is not supported"},
      {"weekly", Calendar("DTSTART;VALUE=DATE:20250105\nRRULE:FREQ=WEEKLY\n"),
       "ics line 4: VEVENT #1: RRULE: only FREQ=YEARLY"},
      {"bymonth", Calendar("DTSTART;VALUE=DATE:20250105\nRRULE:FREQ=YEARLY;BYMONTH=1\n"),
       "RRULE: BYMONTH is not supported"},
      {"byday", Calendar("DTSTART;VALUE=DATE:20250105\nRRULE:FREQ=YEARLY;BYDAY=1MO\n"),
       "RRULE: BYDAY is not supported"},
      {"rscale", Calendar("DTSTART;VALUE=DATE:20250105\nRRULE:RSCALE=CHINESE;FREQ=YEARLY\n"),
       "RRULE: RSCALE is not supported"},
      {"huge-count", Calendar("DTSTART;VALUE=DATE:20250105\nRRULE:FREQ=YEARLY;COUNT=99999\n"),
       "RRULE: COUNT must be a positive number"},
      {"count-and-until",
       Calendar("DTSTART;VALUE=DATE:20250105\nRRULE:FREQ=YEARLY;COUNT=2;UNTIL=20300101\n"),
       "ics line 4: VEVENT #1: malformed: Can't parse as RECUR value in RRULE property"},
      {"no-freq", Calendar("DTSTART;VALUE=DATE:20250105\nRRULE:INTERVAL=2\n"),
       "malformed: Can't parse as RECUR value in RRULE property"},
      {"two-rules",
       Calendar("DTSTART;VALUE=DATE:20250105\nRRULE:FREQ=YEARLY\nRRULE:FREQ=YEARLY;COUNT=2\n"),
       "ics line 5: VEVENT #1: more than one RRULE"},
      {"exdate", Calendar("DTSTART;VALUE=DATE:20250105\nEXDATE;VALUE=DATE:20260105\n"),
       "EXDATE is not supported"},
      {"duplicate", Calendar("DTSTART;VALUE=DATE:20250105\nDTSTART;VALUE=DATE:20250106\n"),
       "ics line 4: VEVENT #1: duplicate DTSTART"},
      {"second-event-named",
       "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20250105\nEND:VEVENT\n"
       "BEGIN:VEVENT\nUID:two\nDTSTART;VALUE=DATE:20250106\nRDATE;VALUE=DATE:20250107\n"
       "END:VEVENT\nEND:VCALENDAR\n",
       "ics line 8: VEVENT #2 UID 'two': RDATE is not supported"},
      {"stray-fold", " folded\nBEGIN:VCALENDAR\n", "ics line 1: expected BEGIN:VCALENDAR"},
      {"mismatched-end", "BEGIN:VCALENDAR\nBEGIN:VTIMEZONE\nEND:VEVENT\nEND:VCALENDAR\n",
       "ics line 3: END:VEVENT inside VTIMEZONE"},
      {"end-first", "END:VCALENDAR\n", "ics line 1: END:VCALENDAR without BEGIN"},
      {"nul-byte", "BEGIN:VCALENDAR\nX-A:a\0b\nEND:VCALENDAR\n"s, "NUL byte"},
  };
  for (const BadCase& c : cases) {
    auto parsed = ParseICalendar(c.text);
    ASSERT_FALSE(parsed) << c.name;
    EXPECT_EQ(parsed.error().code, Errc::kInvalidField) << c.name;
    EXPECT_NE(parsed.error().message.find(c.message), std::string::npos)
        << c.name << ": " << parsed.error().message;
  }
}

// What the hand-written reader before libical refused or misread: a parameter holding a list
// of quoted values (RFC 5545's own ATTENDEE;MEMBER example), a line folded inside a multi-byte
// UTF-8 character, a line longer than libical's read buffer, an unknown property name, and a
// trailing ';' in an RRULE.
TEST(ICalendar, ReadsWhatCalendarProgramsWrite) {
  const std::string long_description(300, 'd');
  auto parsed = ParseICalendar(
      "BEGIN:VCALENDAR\r\n"
      "BEGIN:VEVENT\r\n"
      "UID:spring@example\r\n"
      "ATTENDEE;MEMBER=\"mailto:projectA@example.com\",\"mailto:projectB@example.com\";"
      "CN=\"Doe, Jane: Support\":mailto:janedoe@example.com\r\n"
      "DTSTART;VALUE=DATE:20250129\r\n"
      "SUMMARY;LANGUAGE=\"zh-Hans\":Fr\xc3\r\n"
      " \xbchlingsfest\\; \xe6\x98\r\n"
      " \xa5\xe8\x8a\x82\\, \\\\ closed\r\n"
      "DESCRIPTION:" +
      long_description +
      "\r\n"
      "X-UNKNOWN-VENDOR-THING:1\r\n"
      "FOO:bar\r\n"
      "RRULE:FREQ=YEARLY;COUNT=2;\r\n"
      "END:VEVENT\r\n"
      "END:VCALENDAR\r\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed.value().size(), 1u);
  const Closure& c = parsed.value()[0];
  EXPECT_EQ(c.name, "Fr\xc3\xbchlingsfest; \xe6\x98\xa5\xe8\x8a\x82, \\ closed");
  EXPECT_TRUE(c.all_day);
  EXPECT_EQ(c.start.date, (CivilDate{2025, 1, 29}));
  EXPECT_EQ(c.end.date, (CivilDate{2025, 1, 30}));
  EXPECT_EQ(c.every_years, 1);
  EXPECT_EQ(c.count, 2);
}

TEST(ICalendar, LeavesNoLibicalErrorBehind) {
  icalerrno = ICAL_NEWFAILED_ERROR;  // as a previous, unrelated libical call might leave it
  auto good = ParseICalendar(kHolidays);
  ASSERT_TRUE(good) << good.error().message;
  EXPECT_EQ(icalerrno, ICAL_NO_ERROR);
  auto bad = ParseICalendar(Calendar("DTSTART;VALUE=DATE:20250105\nRRULE:FREQ=YEARLY;X=\n"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(icalerrno, ICAL_NO_ERROR);
}

TEST(ICalendar, SizeIsCapped) {
  std::string big = "BEGIN:VCALENDAR\n";
  big += "X-PAD:" + std::string(kMaxICalendarBytes, 'a') + "\n";
  big += "END:VCALENDAR\n";
  auto parsed = ParseICalendar(big);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, Errc::kPayloadTooLarge);
}

}  // namespace
}  // namespace csgw::gateway::schedule
