#include "gateway/schedule/policy.h"

#include <gtest/gtest.h>

#include "gateway/schedule/test_util.h"

namespace csgw::gateway::schedule {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::At;
using testing::Utc;

constexpr char kPolicy[] = R"({
  "reply_sla": {
    "default": {"within": "12h"},
    "marketplaces": {
      "ozon": {"within": "8h", "clock": "business_hours"},
      "amazon": {"within": "24h", "clock": "calendar"}
    }
  },
  "stores": {
    "shop-cn-1": {
      "zone": "Asia/Shanghai",
      "hours": {"mon": ["09:00-12:00", "13:00-18:00"], "fri": ["09:00-18:00", "22:00-06:00"],
                "sun": ["00:00-24:00"]},
      "holidays": [
        {"name": "Chinese New Year", "from": "2025-01-28", "to": "2025-02-04"},
        {"name": "Golden Week", "from": "2025-10-01", "to": "2025-10-07", "yearly": true}
      ],
      "ical_files": ["cn.ics"]
    }
  },
  "send_window": {"start": "08:30", "end": "20:00", "replies_wait_for_window": true,
                  "sla_margin": "45m"},
  "follow_up_days": [1, 3, 10],
  "unpaid_reminder_after": "6h",
  "feedback_request_after": "2d"
})";

constexpr char kIcs[] =
    "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20250404\nSUMMARY:Qingming\n"
    "END:VEVENT\nEND:VCALENDAR\n";

Result<std::string> ReadIcs(std::string_view path) {
  if (path == "cn.ics") return std::string(kIcs);
  return Error{Errc::kNotFound, "no file " + std::string(path)};
}

TEST(SchedulePolicy, ParsesTheDocumentedShape) {
  auto parsed = ParseSchedulePolicy(kPolicy, ReadIcs);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const SchedulePolicy& p = parsed.value();

  EXPECT_EQ(p.sla.fallback.within, hours(12));
  EXPECT_EQ(SlaFor(p.sla, "ozon"), (ReplySla{hours(8), SlaClock::kBusinessHours}));
  EXPECT_EQ(SlaFor(p.sla, "walmart").within, hours(48));  // default kept
  EXPECT_EQ(SlaFor(p.sla, "lazada").within, hours(12));

  ASSERT_EQ(p.stores.count("shop-cn-1"), 1u);
  const BusinessHours& b = p.stores.at("shop-cn-1");
  EXPECT_EQ(b.zone, "Asia/Shanghai");
  EXPECT_EQ(b.weekly[1], (std::vector<TimeSlot>{{hours(9), hours(12)}, {hours(13), hours(18)}}));
  EXPECT_EQ(b.weekly[5], (std::vector<TimeSlot>{{hours(9), hours(18)}, {hours(22), hours(6)}}));
  EXPECT_EQ(b.weekly[0], (std::vector<TimeSlot>{{hours(0), hours(24)}}));
  EXPECT_TRUE(b.weekly[2].empty());
  ASSERT_EQ(b.closures.size(), 3u);
  EXPECT_EQ(b.closures[0].end.date, (CivilDate{2025, 2, 5}));  // "to" is inclusive
  EXPECT_EQ(b.closures[1].every_years, 1);
  EXPECT_EQ(b.closures[2].name, "Qingming");

  EXPECT_EQ(p.send.window.start, hours(8) + minutes(30));
  EXPECT_EQ(p.send.window.end, hours(20));
  EXPECT_TRUE(p.send.replies_wait_for_window);
  EXPECT_EQ(p.send.sla_margin, minutes(45));
  EXPECT_EQ(p.send.follow_up_days, (std::vector<int>{1, 3, 10}));
  EXPECT_EQ(p.send.unpaid_reminder_after, hours(6));
  EXPECT_EQ(p.send.feedback_request_after, hours(48));

  // The parsed store behaves: Friday's overnight shift runs into Saturday.
  auto open = IsOpenAt(b, At("2025-03-08T03:00:00+08:00"));
  ASSERT_TRUE(open);
  EXPECT_TRUE(open.value());
  auto qingming = IsOpenAt(b, At("2025-04-04T10:00:00+08:00"));
  ASSERT_TRUE(qingming);
  EXPECT_FALSE(qingming.value());
}

TEST(SchedulePolicy, EmptyObjectGivesDefaults) {
  auto parsed = ParseSchedulePolicy("{}");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(SlaFor(parsed.value().sla, "taobao").within, minutes(3));
  EXPECT_EQ(parsed.value().send.follow_up_days, (std::vector<int>{1, 2, 4, 7, 15}));
  EXPECT_EQ(parsed.value().send.window.start, hours(9));
  EXPECT_EQ(parsed.value().send.window.end, hours(21));
  EXPECT_FALSE(parsed.value().send.replies_wait_for_window);
  EXPECT_TRUE(parsed.value().stores.empty());
}

struct BadCase {
  const char* name;
  const char* json;
  const char* message;
};

TEST(SchedulePolicy, ErrorsNameTheField) {
  const BadCase cases[] = {
      {"not-json", "{", ""},
      {"unknown-key", R"({"quiet": {}})", "field 'quiet' is not a known setting"},
      {"bad-duration", R"({"unpaid_reminder_after": "12 hours"})",
       "field 'unpaid_reminder_after' must be a duration"},
      {"bad-clock", R"({"reply_sla": {"default": {"within": "1h", "clock": "wall"}}})",
       "reply_sla.default.clock"},
      {"zero-sla", R"({"reply_sla": {"marketplaces": {"ozon": {"within": "0s"}}}})",
       "must be positive"},
      {"bad-marketplace", R"({"reply_sla": {"marketplaces": {"Ozon": {"within": "1h"}}}})",
       "lowercase marketplace id"},
      {"missing-zone", R"({"stores": {"s": {"hours": {}}}})", "stores.s.zone"},
      {"bad-zone", R"({"stores": {"s": {"zone": "Europe/Atlantis"}}})",
       "field 'stores.s.zone' is not a time zone"},
      {"bad-slot", R"({"stores": {"s": {"zone": "UTC", "hours": {"mon": ["9-17"]}}}})",
       "field 'stores.s.hours.mon[0]' must be \"HH:MM-HH:MM\""},
      {"empty-slot", R"({"stores": {"s": {"zone": "UTC", "hours": {"mon": ["09:00-09:00"]}}}})",
       "stores.s.hours.mon[0]"},
      {"bad-day", R"({"stores": {"s": {"zone": "UTC", "hours": {"monday": []}}}})",
       "stores.s.hours.monday"},
      {"bad-holiday",
       R"({"stores": {"s": {"zone": "UTC", "holidays": [{"from": "2025-02-30", "to": "2025-03-01"}]}}})",
       "stores.s.holidays[0].from"},
      {"reversed-holiday",
       R"({"stores": {"s": {"zone": "UTC", "holidays": [{"from": "2025-03-02", "to": "2025-03-01"}]}}})",
       "is before 'from'"},
      {"ics-without-reader", R"({"stores": {"s": {"zone": "UTC", "ical_files": ["a.ics"]}}})",
       "no reader"},
      {"window", R"({"send_window": {"start": "9:00"}})", "send_window.start"},
      {"window-equal", R"({"send_window": {"start": "10:00", "end": "10:00"}})", "must differ"},
      {"cadence", R"({"follow_up_days": [1, 1]})", "increase strictly"},
      {"cadence-range", R"({"follow_up_days": [0]})", "follow_up_days[0]"},
  };
  for (const BadCase& c : cases) {
    auto parsed = ParseSchedulePolicy(c.json);
    ASSERT_FALSE(parsed) << c.name;
    EXPECT_NE(parsed.error().message.find(c.message), std::string::npos)
        << c.name << ": " << parsed.error().message;
  }
}

TEST(SchedulePolicy, IcsErrorsNameTheFileAndLine) {
  auto reader = [](std::string_view) -> Result<std::string> {
    return std::string("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2025\nEND:VEVENT\nEND:VCALENDAR\n");
  };
  auto parsed =
      ParseSchedulePolicy(R"({"stores": {"s": {"zone": "UTC", "ical_files": ["h.ics"]}}})", reader);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message.substr(0, 19), "h.ics: ics line 3: ");
  auto missing = ParseSchedulePolicy(
      R"({"stores": {"s": {"zone": "UTC", "ical_files": ["none.ics"]}}})", ReadIcs);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
}

struct DurationCase {
  const char* text;
  std::optional<seconds> expected;
};

TEST(SchedulePolicy, Durations) {
  const DurationCase cases[] = {
      {"90s", seconds(90)},    {"3m", minutes(3)},   {"24h", hours(24)},    {"2d", hours(48)},
      {"1h30m", minutes(90)},  {"0s", seconds(0)},   {"", std::nullopt},    {"24", std::nullopt},
      {"h", std::nullopt},     {"1w", std::nullopt}, {"-1h", std::nullopt}, {"1.5h", std::nullopt},
      {"4000d", std::nullopt},
  };
  for (const DurationCase& c : cases) EXPECT_EQ(ParseDuration(c.text), c.expected) << c.text;
}

}  // namespace
}  // namespace csgw::gateway::schedule
