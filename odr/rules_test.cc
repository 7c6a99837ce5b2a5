#include "odr/rules.h"

#include <gtest/gtest.h>

#include "odr/test_util.h"

namespace csgw::odr {
namespace {

using namespace testing;  // NOLINT: test builders

TEST(OdrRules, EmbeddedRuleSetsParse) {
  for (const EmbeddedFile& file : RuleSetData()) {
    auto rules = ParseRuleSet(file.content);
    ASSERT_TRUE(rules) << file.name << ": " << rules.error().message;
    EXPECT_EQ(std::string(file.name), "rules/" + rules.value().id + ".json");
  }
  EXPECT_EQ(DefaultRuleSets().size(), 5u);
  const RuleSet& ae = Rules("aliexpress-2015");
  EXPECT_EQ(ae.time_zone, "Asia/Shanghai");
  EXPECT_EQ(ae.window.days, 90);
  EXPECT_EQ(ae.Key(), "aliexpress-2015@1");
  EXPECT_EQ(ae.grades.size(), 4u);
  const RuleSet& daily = Rules("aliexpress-daily");
  ASSERT_TRUE(daily.score);
  int64_t total = 0;
  for (const ScoreItem& item : daily.score->items) total += item.points;
  EXPECT_EQ(total, 100);  // 10 + 15 + 15 + 30 + 15 + 15 (RULES.md §1.2)
  const RuleSet& ebay = Rules("ebay");
  EXPECT_EQ(ebay.window.months, 3);
  EXPECT_EQ(ebay.window.fallback_months, 12);
  EXPECT_EQ(ebay.schedule.day_of_month, 20);
  EXPECT_EQ(Rules("amazon").ReplySla("amazon"), std::chrono::hours(24));
  EXPECT_EQ(Rules("replies").ReplySla("ozon"), std::chrono::hours(24));
  EXPECT_EQ(FindRuleSet(DefaultRuleSets(), "nope"), nullptr);
}

TEST(OdrRules, DecimalRatiosAreExact) {
  EXPECT_EQ(ParseDecimalRatio("0.005"), (Ratio{5, 1000}));
  EXPECT_EQ(ParseDecimalRatio("90"), (Ratio{90, 1}));
  for (const char* bad : {"", ".5", "5.", "-1", "1e3", "1,5", "0.0.1"}) {
    EXPECT_FALSE(ParseDecimalRatio(bad)) << bad;
  }
  EXPECT_EQ(CompareRatio({1, 100}, {10, 1000}), 0);
  EXPECT_LT(CompareRatio({99, 10000}, {1, 100}), 0);
  // 1 % target: 1/100 < 1 % is false, 1/101 < 1 % is true.
  const Threshold below{Op::kLess, {1, 100}, "< 0.01"};
  EXPECT_FALSE(Holds(below, {1, 100}));
  EXPECT_TRUE(Holds(below, {1, 101}));
  const Threshold at_most{Op::kAtMost, {1, 100}, "<= 0.01"};
  EXPECT_TRUE(Holds(at_most, {1, 100}));
  // Shown rounded half away from zero, to a fixed number of places.
  EXPECT_EQ(FormatRatio({1, 81}, 4), "0.0123");
  EXPECT_EQ(FormatRatio({1, 8}, 2), "0.13");
  EXPECT_EQ(FormatRatio({-1, 8}, 2), "-0.13");
  EXPECT_EQ(FormatRatio({7, 2}, 0), "4");
  EXPECT_EQ(FormatRatio({0, 5}, 3), "0.000");
  EXPECT_EQ(FormatRatio({1234567, 1000}, 1), "1234.6");
}

constexpr const char* kMinimal = R"({"id": "x", "version": 1, "marketplace": "x",
  "time_zone": "Europe/Moscow", "window": {"days": 30}, "schedule": {"every": "day"},
  "counters": [{"name": "orders", "fact": "order", "when": ["placed"], "day_of": "order_placed"}],
  "metrics": [{"name": "m", "numerator": ["orders"], "denominator": ["orders"]}],
  "grades": [{"name": "ok"}]})";

TEST(OdrRules, MinimalRuleSetParses) {
  auto rules = ParseRuleSet(kMinimal);
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_EQ(rules.value().metrics[0].min_denominator, 1);
}

TEST(OdrRules, RejectsBadRuleSetsNamingTheField) {
  struct Case {
    std::string from, to, needle;
  };
  const std::vector<Case> cases = {
      {"\"Europe/Moscow\"", "\"Mars/Olympus\"", "time_zone"},
      {"[\"placed\"]", "[\"plaved\"]", "plaved"},
      {"\"day_of\": \"order_placed\"", "\"day_of\": \"feedback_posted\"", "day_of"},
      {"\"numerator\": [\"orders\"]", "\"numerator\": [\"order\"]", "unknown counter"},
      {"{\"name\": \"ok\"}",
       "{\"name\": \"ok\", \"require\": [{\"metric\": \"m\", \"op\": \"<\", "
       "\"value\": \"1\"}]}",
       "without requirements"},
      {"\"window\": {\"days\": 30}", "\"window\": {\"days\": 30, \"months\": 1}", "window"},
      {"\"schedule\": {\"every\": \"day\"}", "\"schedule\": {\"every\": \"week\"}", "schedule"},
      {"\"when\": [\"placed\"]", "\"when\": [\"placed\"], \"exclude\": [\"nope\"]", "nope"},
      {"\"when\": [\"placed\"]", "\"when\": [\"placed\"], \"dedupe_buyer_days\": 10",
       "feedback only"},
      {"\"version\": 1", "\"version\": 1, \"extra\": 1", "extra"},
  };
  for (const Case& c : cases) {
    std::string json = kMinimal;
    const size_t at = json.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    json.replace(at, c.from.size(), c.to);
    auto rules = ParseRuleSet(json);
    ASSERT_FALSE(rules) << c.to;
    EXPECT_NE(rules.error().message.find(c.needle), std::string::npos)
        << rules.error().message << " should name " << c.needle;
  }
}

}  // namespace
}  // namespace csgw::odr
