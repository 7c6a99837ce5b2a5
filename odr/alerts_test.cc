#include "odr/alerts.h"

#include <gtest/gtest.h>

#include "odr/test_util.h"

namespace csgw::odr {
namespace {

using namespace testing;  // NOLINT: test builders

Report Build(const InMemoryCounters& c, std::string_view day) {
  auto r = BuildReport(Rules("aliexpress-2015"), c, "s1", D(day));
  if (!r) std::abort();
  return r.value();
}

InMemoryCounters Scenario() {
  const RuleSet& rules = Rules("aliexpress-2015");
  InMemoryCounters c;
  auto put = [&](std::string_view day, Counters v) {
    c.Apply(CounterDelta{CounterKey{"s1", rules.Key(), D(day)}, std::move(v)});
  };
  // As in report_test ForecastAndWhatItTakes: good now (4/405 disputes, 96 % positive), fail
  // on July 3rd when April 2nd's clean orders leave the window.
  put("2024-04-02",
      {{"orders_completed", 300}, {"disputes_filed", 2}, {"disputes_not_cancelled", 1}});
  put("2024-06-30",
      {{"orders_completed", 100}, {"disputes_filed", 3}, {"disputes_not_cancelled", 3}});
  put("2024-05-15", {{"feedback_positive", 96}, {"feedback_negative", 4}});
  return c;
}

TEST(OdrAlerts, FirstEvaluationRaisesWarningAndForecastDrop) {
  const Report r = Build(Scenario(), "2024-06-30");
  const std::vector<Alert> alerts = DecideAlerts(nullptr, r);
  ASSERT_EQ(alerts.size(), 2u);
  // 96 % positive is under the 97 % warning line.
  EXPECT_EQ(alerts[0].kind, AlertKind::kMetricWarning);
  EXPECT_EQ(alerts[0].metric, "positive_feedback_rate");
  EXPECT_EQ(alerts[1].kind, AlertKind::kForecastDrop);
  EXPECT_EQ(alerts[1].from, "good");
  EXPECT_EQ(alerts[1].to, "fail");
  EXPECT_EQ(alerts[1].day, D("2024-07-03"));
  EXPECT_EQ(alerts[0].id.size(), 20u);
  EXPECT_NE(alerts[0].id, alerts[1].id);
  // The same evaluation again gives the same ids: the sender drops them as already sent.
  EXPECT_EQ(DecideAlerts(nullptr, r), alerts);
}

TEST(OdrAlerts, RepeatEvaluationRaisesNothingNew) {
  const Report r = Build(Scenario(), "2024-06-30");
  EXPECT_TRUE(DecideAlerts(&r, r).empty());
  // The next day, same forecast for the same date: not raised again.
  const Report next = Build(Scenario(), "2024-07-01");
  for (const Alert& a : DecideAlerts(&r, next)) EXPECT_NE(a.kind, AlertKind::kForecastDrop);
}

TEST(OdrAlerts, CrossingTheThresholdAndRecovering) {
  const Report before = Build(Scenario(), "2024-06-30");
  InMemoryCounters worse = Scenario();
  worse.Apply(CounterDelta{CounterKey{"s1", Rules("aliexpress-2015").Key(), D("2024-06-30")},
                           {{"disputes_not_cancelled", 10}}});
  // 14/405 = 3.5 % > 2 %: failing; grade good → fail.
  const Report after = Build(worse, "2024-06-30");
  const std::vector<Alert> alerts = DecideAlerts(&before, after);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].kind, AlertKind::kMetricFailing);
  EXPECT_EQ(alerts[0].metric, "dispute_rate");
  EXPECT_EQ(alerts[0].from, "ok");
  EXPECT_EQ(alerts[1].kind, AlertKind::kGradeDropped);
  EXPECT_EQ(alerts[1].to, "fail");
  // Recovery the other way round.
  const std::vector<Alert> back = DecideAlerts(&after, before);
  ASSERT_FALSE(back.empty());
  EXPECT_EQ(back[0].kind, AlertKind::kMetricRecovered);
  EXPECT_EQ(back[0].metric, "dispute_rate");
  // Another store with the same figures gets different ids.
  Report other = after;
  other.store_id = "s2";
  EXPECT_NE(DecideAlerts(&before, other)[0].id, alerts[0].id);
}

}  // namespace
}  // namespace csgw::odr
