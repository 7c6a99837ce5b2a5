#include "disputes/rules.h"

#include <gtest/gtest.h>

#include "disputes/deadlines.h"
#include "disputes/test_util.h"

namespace csgw::disputes {
namespace {

using namespace testing;  // NOLINT: test builders

TEST(DisputeRules, EmbeddedRuleSetsParse) {
  for (const EmbeddedFile& file : RuleSetData()) {
    auto rules = ParseRuleSet(file.content);
    ASSERT_TRUE(rules) << file.name << ": " << rules.error().message;
    EXPECT_EQ(std::string(file.name), "rules/" + rules.value().id + ".json");
    for (const DeadlineRule& rule : rules.value().deadlines) {
      EXPECT_FALSE(rule.source.empty()) << rule.name << " needs a source";
    }
  }
  const RuleSet& current = Rules("aliexpress-2024");
  EXPECT_EQ(current.version, 1);
  ASSERT_EQ(current.deadlines.size(), 3u);
  EXPECT_EQ(current.deadlines[0].after, std::chrono::hours(24 * 5));
  EXPECT_EQ(current.deadlines[0].on_expiry, Expiry::kBuyerProposalExecutes);
  EXPECT_EQ(current.deadlines[1].on_expiry, Expiry::kPlatformStepsIn);
  EXPECT_EQ(current.deadlines[2].after, std::chrono::hours(24 * 10));
  EXPECT_EQ(Rules("aliexpress-legacy").deadlines[1].on_expiry, Expiry::kAutoEscalate);
  EXPECT_EQ(FindRuleSet(DefaultRuleSets(), "nope"), nullptr);
}

TEST(DisputeRules, Durations) {
  EXPECT_EQ(ParseDuration("5d"), std::chrono::seconds(432000));
  EXPECT_EQ(ParseDuration("48h"), std::chrono::seconds(172800));
  EXPECT_EQ(ParseDuration("30m"), std::chrono::seconds(1800));
  EXPECT_EQ(ParseDuration("90s"), std::chrono::seconds(90));
  for (const char* bad : {"", "d", "0d", "-1d", "5", "5w", "1.5d", "5 d"}) {
    EXPECT_FALSE(ParseDuration(bad)) << bad;
  }
}

constexpr const char* kMinimal = R"({"id": "x-1", "version": 2, "marketplace": "x",
  "deadlines": [{"name": "seller_response", "states": ["awaiting_seller_response"],
                 "anchor": "buyer_change", "after": "3d", "actor": "seller",
                 "on_expiry": "buyer_proposal_executes"}]})";

TEST(DisputeRules, DefaultAlertsAndOptionalFields) {
  auto rules = ParseRuleSet(kMinimal);
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_EQ(rules.value().alerts_before,
            (std::vector<std::chrono::seconds>{std::chrono::hours(48), std::chrono::hours(24),
                                               std::chrono::hours(4)}));
  EXPECT_FALSE(rules.value().deadlines[0].opens_after);
}

TEST(DisputeRules, RejectsBadRuleSetsNamingTheField) {
  struct Case {
    std::string json;
    std::string needle;
  } cases[] = {
      {"{", ""},
      {R"({"version": 1, "marketplace": "x", "deadlines": []})", "'id'"},
      {R"({"id": "x", "version": 0, "marketplace": "x", "deadlines": []})", "'version'"},
      {R"({"id": "x", "version": 1, "marketplace": "x", "deadlines": [], "extra": 1})", "extra"},
      {R"({"id": "x", "version": 1, "marketplace": "x", "alerts_before": ["2x"],
           "deadlines": []})",
       "alerts_before"},
      {R"({"id": "x", "version": 1, "marketplace": "x", "alerts_before": ["4h", "4h"],
           "deadlines": []})",
       "twice"},
      {R"({"id": "x", "version": 1, "marketplace": "x", "deadlines": [{"name": "a",
           "states": ["closed"], "anchor": "opened", "after": "1d", "actor": "seller",
           "on_expiry": "platform_steps_in"}]})",
       "not an open dispute state"},
      {R"({"id": "x", "version": 1, "marketplace": "x", "deadlines": [{"name": "a",
           "states": ["arbitrating"], "anchor": "opened", "after": "1d", "actor": "seller",
           "on_expiry": "buyer_proposal_executes"}]})",
       "not a legal transition from state 'arbitrating'"},
      {R"({"id": "x", "version": 1, "marketplace": "x", "deadlines": [{"name": "a",
           "states": ["negotiating"], "anchor": "whenever", "after": "1d", "actor": "seller",
           "on_expiry": "platform_steps_in"}]})",
       "anchor"},
      {R"({"id": "x", "version": 1, "marketplace": "x", "deadlines": [{"name": "a",
           "states": ["negotiating"], "anchor": "opened", "after": "1d", "opens_after": "2d",
           "actor": "buyer", "on_expiry": "auto_escalate"}]})",
       "shorter than 'after'"},
      {R"({"id": "x", "version": 1, "marketplace": "x", "deadlines": [{"name": "a",
           "states": ["negotiating"], "anchor": "opened", "after": "1d", "actor": "nobody",
           "on_expiry": "auto_escalate"}]})",
       "actor"},
      {R"({"id": "x", "version": 1, "marketplace": "x", "deadlines": [{"name": "a",
           "states": ["negotiating"], "anchor": "opened", "after": "1d", "actor": "buyer",
           "on_expiry": "auto_escalate", "opens_afer": "1h"}]})",
       "opens_afer"},
      {R"({"id": "x", "version": 1, "marketplace": "x", "deadlines": [
           {"name": "a", "states": ["negotiating"], "anchor": "opened", "after": "1d",
            "actor": "buyer", "on_expiry": "auto_escalate"},
           {"name": "a", "states": ["negotiating"], "anchor": "opened", "after": "2d",
            "actor": "buyer", "on_expiry": "auto_escalate"}]})",
       "repeats 'a'"},
  };
  for (const auto& c : cases) {
    auto rules = ParseRuleSet(c.json);
    ASSERT_FALSE(rules) << c.json;
    EXPECT_NE(rules.error().message.find(c.needle), std::string::npos)
        << rules.error().message << " lacks " << c.needle;
  }
}

TEST(DisputeDeadlines, AlertsAtExactOffsetsAndNeverBeforeTheStart) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Deadline d;
  d.name = "seller_response";
  d.actor = Party::kSeller;
  d.started_at = T0();
  d.due_at = T0() + days(5);
  auto alerts = AlertTimes(d, rules);
  ASSERT_EQ(alerts.size(), 3u);
  EXPECT_EQ(alerts[0].at, T0() + days(3));  // T-48h
  EXPECT_EQ(alerts[0].before, std::chrono::hours(48));
  EXPECT_EQ(alerts[1].at, T0() + days(4));  // T-24h
  EXPECT_EQ(alerts[2].at, T0() + days(5) - hours(4));
  EXPECT_EQ(alerts[2].due_at, d.due_at);

  d.due_at = T0() + hours(48);  // T-48h falls exactly on the start: kept
  EXPECT_EQ(AlertTimes(d, rules).size(), 3u);
  d.due_at = T0() + hours(47);  // T-48h would precede the start: dropped
  alerts = AlertTimes(d, rules);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].before, std::chrono::hours(24));
  d.due_at = T0() + hours(4) - std::chrono::seconds(1);
  EXPECT_TRUE(AlertTimes(d, rules).empty());
}

TEST(DisputeDeadlines, ConfigurableOffsetsAndMergedOrder) {
  auto parsed = ParseRuleSet(R"({"id": "x", "version": 1, "marketplace": "x",
      "alerts_before": ["1h", "12h"], "deadlines": []})");
  ASSERT_TRUE(parsed);
  Deadline a{"a", Party::kSeller, Expiry::kPlatformStepsIn, T0(), std::nullopt, T0() + days(1)};
  Deadline b{"b", Party::kBuyer, Expiry::kAutoEscalate, T0(), std::nullopt, T0() + hours(13)};
  auto alerts = AlertTimes(std::vector<Deadline>{a, b}, parsed.value());
  ASSERT_EQ(alerts.size(), 4u);
  EXPECT_EQ(alerts[0].deadline, "b");
  EXPECT_EQ(alerts[0].at, T0() + hours(1));
  EXPECT_EQ(alerts[1].deadline, "a");
  EXPECT_EQ(alerts[1].at, T0() + hours(12));
  EXPECT_EQ(alerts[2].at, T0() + hours(12));
  EXPECT_EQ(alerts[3].at, T0() + hours(23));
  EXPECT_EQ(NearestDue({a, b}), T0() + hours(13));
  EXPECT_FALSE(NearestDue({}));
}

TEST(DisputeDeadlines, NoneOnceClosedAndTimeoutEventIdIsStable) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Fresh();
  ASSERT_TRUE(Apply(d, Opened(T0()), rules));
  auto deadlines = OpenDeadlines(d, rules);
  ASSERT_EQ(deadlines.size(), 2u);
  const DisputeEvent timer = TimeoutEvent(d, deadlines[1]);
  EXPECT_EQ(timer.event_id, "d1/deadline/platform_intervention/1709856000000");
  EXPECT_EQ(timer.occurred_at, T0() + days(7));
  ASSERT_TRUE(Apply(d, Ev("cancel", EventKind::kCancelled, T0() + hours(1)), rules));
  EXPECT_TRUE(OpenDeadlines(d, rules).empty());
}

}  // namespace
}  // namespace csgw::disputes
