#include "odr/report.h"

#include <gtest/gtest.h>

#include "odr/test_util.h"

namespace csgw::odr {
namespace {

using namespace testing;  // NOLINT: test builders

void Put(InMemoryCounters& c, const RuleSet& rules, std::string_view day, Counters values,
         std::string store = "s1") {
  c.Apply(CounterDelta{CounterKey{std::move(store), rules.Key(), D(day)}, std::move(values)});
}

const MetricReport& M(const Report& r, std::string_view name) {
  for (const MetricReport& m : r.metrics) {
    if (m.name == name) return m;
  }
  std::abort();
}

const MetricReport& F(const Report& r, std::string_view name) {
  for (const MetricReport& m : r.forecast.metrics) {
    if (m.name == name) return m;
  }
  std::abort();
}

TEST(OdrReport, AssessmentDayAndSchedule) {
  // 2024-03-31T17:30Z is April 1st in Beijing, still March 31st in Los Angeles.
  EXPECT_EQ(AssessmentDay(Rules("aliexpress-2015"), At("2024-03-31T17:30:00Z")).value(),
            D("2024-04-01"));
  EXPECT_EQ(AssessmentDay(Rules("amazon"), At("2024-03-31T17:30:00Z")).value(), D("2024-03-31"));
  EXPECT_EQ(NextAssessment(Rules("ebay"), D("2024-05-19")), D("2024-05-20"));
  EXPECT_EQ(NextAssessment(Rules("ebay"), D("2024-05-20")), D("2024-06-20"));
  EXPECT_EQ(NextAssessment(Rules("ebay"), D("2024-12-25")), D("2025-01-20"));
  EXPECT_EQ(NextAssessment(Rules("amazon"), D("2024-02-28")), D("2024-02-29"));
  EXPECT_EQ(NextAssessment(Rules("aliexpress-2015"), D("2024-06-30")), D("2024-07-03"));
}

TEST(OdrReport, NinetyDayWindowEdges) {
  const RuleSet& rules = Rules("aliexpress-2015");
  InMemoryCounters c;
  // At 2024-06-30 the 90-day window is 2024-04-02 .. 2024-06-30 (June 30 − 89 days).
  Put(c, rules, "2024-04-01",
      {{"orders_completed", 50},
       {"disputes_filed", 10},
       {"disputes_not_cancelled", 10}});  // 90 days old: out
  Put(c, rules, "2024-04-02",
      {{"orders_completed", 100},
       {"disputes_filed", 2},
       {"disputes_not_cancelled", 1}});  // 89 days old: in
  Put(c, rules, "2024-06-30",
      {{"orders_completed", 100}, {"disputes_filed", 2}, {"disputes_not_cancelled", 2}});
  Put(c, rules, "2024-07-01", {{"disputes_not_cancelled", 99}});  // after the day: out
  Put(c, rules, "2024-05-15", {{"feedback_positive", 90}, {"feedback_negative", 10}});
  auto r = BuildReport(rules, c, "s1", D("2024-06-30"));
  ASSERT_TRUE(r) << r.error().message;
  const MetricReport& dispute = M(r.value(), "dispute_rate");
  EXPECT_EQ(dispute.window_from, D("2024-04-02"));
  // numerator 1 + 2 = 3; denominator (100 + 2) + (100 + 2) = 204; 3/204 = 1.47 % ≤ 2 %, and
  // under the 1.5 % warning line: ok.
  EXPECT_EQ(dispute.numerator, 3);
  EXPECT_EQ(dispute.denominator, 204);
  EXPECT_EQ(dispute.status, Status::kOk);
  ASSERT_EQ(dispute.trend.size(), 90u);
  EXPECT_EQ(dispute.trend.front(), (TrendPoint{D("2024-04-02"), 1, 102}));
  EXPECT_EQ(dispute.trend.back(), (TrendPoint{D("2024-06-30"), 2, 102}));
  // positive 90 / (90 + 10) = 90 % < 95 %: failing; the grade is fail (pass needs ≥ 95 %).
  EXPECT_EQ(M(r.value(), "positive_feedback_rate").status, Status::kFailing);
  EXPECT_EQ(r.value().grade, "fail");
  // Without data the non-fulfilment rate is not failing.
  EXPECT_EQ(M(r.value(), "non_fulfilment_rate").status, Status::kInsufficientData);
  // What it takes to pass: (90 + k)/(100 + k) ≥ 0.95 ⇔ 0.05k ≥ 5 ⇔ k ≥ 100 more positive
  // ratings; or 90/(100 − m) ≥ 0.95 ⇔ m ≥ 5.26: 6 fewer negative ones (90/95 = 94.7 % fails,
  // 90/94 = 95.7 % passes).
  const std::vector<Step>& steps = r.value().what_it_takes;
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0].for_grade, "pass");
  EXPECT_EQ(steps[0].action, "more_numerator");
  EXPECT_EQ(steps[0].count, 100);
  EXPECT_EQ(steps[1].action, "fewer_denominator");
  EXPECT_EQ(steps[1].count, 6);
  EXPECT_EQ(steps[2].for_grade, "");  // the metric's own target: same figures
  EXPECT_EQ(steps[2].count, 100);
  EXPECT_EQ(steps[3].count, 6);
}

TEST(OdrReport, SixtyAndThirtyDayWindowEdges) {
  const RuleSet& rules = Rules("amazon");
  InMemoryCounters c;
  const Day at = D("2024-06-30");
  auto day = [&](int age) { return FormatDay(at - std::chrono::days(age)); };
  Put(c, rules, day(60), {{"orders", 1000}, {"orders_with_defect", 1000}});  // out of 60
  Put(c, rules, day(59), {{"orders", 100}, {"orders_with_defect", 1}});      // in
  Put(c, rules, day(0), {{"orders", 100}});
  Put(c, rules, day(30), {{"orders_shipped", 50}, {"late_shipments", 50}});  // out of 30
  Put(c, rules, day(29),
      {{"orders_shipped", 100}, {"late_shipments", 4}, {"valid_tracking", 100}});  // in
  Put(c, rules, day(7), {{"seller_cancellations", 9}});                            // out of 7
  Put(c, rules, day(6), {{"orders", 40}, {"seller_cancellations", 1}});            // in
  auto r = BuildReport(rules, c, "s1", at);
  ASSERT_TRUE(r) << r.error().message;
  // ODR: 1 / (100 + 100 + 40) = 1/240 = 0.42 % < 1 %.
  EXPECT_EQ(M(r.value(), "order_defect_rate").numerator, 1);
  EXPECT_EQ(M(r.value(), "order_defect_rate").denominator, 240);
  EXPECT_EQ(M(r.value(), "order_defect_rate").status, Status::kOk);
  // Late shipment: 4/100 = 4 %, not < 4 %: failing.
  EXPECT_EQ(M(r.value(), "late_shipment_rate").numerator, 4);
  EXPECT_EQ(M(r.value(), "late_shipment_rate").status, Status::kFailing);
  // Cancel rate over 7 days: 1 / (40 + 100) = 0.71 % < 2.5 %.
  EXPECT_EQ(M(r.value(), "pre_fulfilment_cancel_rate").numerator, 1);
  EXPECT_EQ(M(r.value(), "pre_fulfilment_cancel_rate").denominator, 140);
  EXPECT_EQ(r.value().grade, "at_risk");
  // To get back to "good": 4/(100 + m) < 0.04 ⇔ m > 0: one more on-time shipment
  // (4/101 = 3.96 %); or (4 − k)/100 < 0.04 ⇔ k ≥ 1: one late shipment fewer.
  bool more = false, fewer = false;
  for (const Step& s : r.value().what_it_takes) {
    if (s.for_grade != "good") continue;
    EXPECT_EQ(s.metric, "late_shipment_rate");
    if (s.action == "more_denominator") more = s.count == 1;
    if (s.action == "fewer_numerator") fewer = s.count == 1;
  }
  EXPECT_TRUE(more);
  EXPECT_TRUE(fewer);
}

// The scenario shared with the alert tests: good today, fail on July 3rd if nothing changes.
InMemoryCounters GoodNowFailingSoon() {
  const RuleSet& rules = Rules("aliexpress-2015");
  InMemoryCounters c;
  Put(c, rules, "2024-04-02",
      {{"orders_completed", 300}, {"disputes_filed", 2}, {"disputes_not_cancelled", 1}});
  Put(c, rules, "2024-06-30",
      {{"orders_completed", 100}, {"disputes_filed", 3}, {"disputes_not_cancelled", 3}});
  Put(c, rules, "2024-05-15", {{"feedback_positive", 96}, {"feedback_negative", 4}});
  return c;
}

TEST(OdrReport, ForecastAndWhatItTakes) {
  const RuleSet& rules = Rules("aliexpress-2015");
  auto r = BuildReport(rules, GoodNowFailingSoon(), "s1", D("2024-06-30"));
  ASSERT_TRUE(r) << r.error().message;
  // Now: disputes (1 + 3) / ((300 + 2) + (100 + 3)) = 4/405 = 0.99 % ≤ 1 %; positive 96 %:
  // good (excellent needs ≤ 0.5 % and ≥ 98 %).
  EXPECT_EQ(M(r.value(), "dispute_rate").numerator, 4);
  EXPECT_EQ(M(r.value(), "dispute_rate").denominator, 405);
  EXPECT_EQ(r.value().grade, "good");
  EXPECT_EQ(r.value().grade_index, 1);
  // On July 3rd the window starts April 5th: April 2nd's 300 clean orders leave (on July 1st,
  // the first day whose window starts after April 2nd). Left: 3/103 = 2.9 % > 2 %: fail.
  const Forecast& f = r.value().forecast;
  EXPECT_EQ(f.date, D("2024-07-03"));
  ASSERT_EQ(f.leaving.size(), 1u);
  EXPECT_EQ(f.leaving[0].day, D("2024-04-02"));
  EXPECT_EQ(f.leaving[0].leaves_on, D("2024-07-01"));
  EXPECT_EQ(f.leaving[0].counters.at("orders_completed"), 300);
  EXPECT_EQ(F(r.value(), "dispute_rate").numerator, 3);
  EXPECT_EQ(F(r.value(), "dispute_rate").denominator, 103);
  EXPECT_EQ(F(r.value(), "dispute_rate").status, Status::kFailing);
  EXPECT_EQ(f.grade, "fail");
  // What it takes for excellent:
  //   dispute rate ≤ 0.5 %: one dispute fewer is one filed dispute fewer too (coupled):
  //   (4 − k)/(405 − k) ≤ 0.005 ⇔ k ≥ 1.985: 2 (3/404 = 0.74 % fails, 2/403 = 0.496 % holds);
  //   or 4/(405 + m) ≤ 0.005 ⇔ m ≥ 395 more clean orders;
  //   positive ≥ 98 %: (96 + k)/(100 + k) ≥ 0.98 ⇔ k ≥ 100; or 96/(100 − m) ≥ 0.98 ⇔
  //   m ≥ 2.04: 3 fewer negatives (96/98 = 97.96 % fails, 96/97 = 98.97 % holds).
  std::map<std::pair<std::string, std::string>, int64_t> got;
  for (const Step& s : r.value().what_it_takes) {
    EXPECT_EQ(s.for_grade, "excellent");
    got[{s.metric, s.action}] = s.count;
  }
  const std::map<std::pair<std::string, std::string>, int64_t> want = {
      {{"dispute_rate", "fewer_numerator"}, 2},
      {{"dispute_rate", "more_denominator"}, 395},
      {{"positive_feedback_rate", "more_numerator"}, 100},
      {{"positive_feedback_rate", "fewer_denominator"}, 3}};
  EXPECT_EQ(got, want);
}

TEST(OdrReport, EbayFallsBackToTwelveMonthsUnder400Transactions) {
  const RuleSet& rules = Rules("ebay");
  for (int64_t recent : {399, 400}) {
    InMemoryCounters c;
    // 3 months before 2024-05-20: 2024-02-21 .. 2024-05-20; 12 months: 2023-05-21 ..
    Put(c, rules, "2024-02-21", {{"transactions", recent}});
    Put(c, rules, "2023-05-21", {{"transactions", 10}, {"transactions_with_defect", 10}});
    Put(c, rules, "2023-05-20", {{"transactions", 10}, {"transactions_with_defect", 10}});
    auto r = BuildReport(rules, c, "s1", D("2024-05-20"));
    ASSERT_TRUE(r) << r.error().message;
    const MetricReport& tdr = M(r.value(), "transaction_defect_rate");
    if (recent == 399) {
      // 12 months: 10 / (399 + 10) = 2.44 % > 2 %: below standard.
      EXPECT_EQ(tdr.window_from, D("2023-05-21"));
      EXPECT_EQ(tdr.numerator, 10);
      EXPECT_EQ(tdr.denominator, 409);
      EXPECT_EQ(r.value().grade, "below_standard");
    } else {
      EXPECT_EQ(tdr.window_from, D("2024-02-21"));
      EXPECT_EQ(tdr.numerator, 0);
      EXPECT_EQ(tdr.denominator, 400);
      EXPECT_EQ(r.value().grade, "top_rated");
    }
  }
}

TEST(OdrReport, DailyServiceScore) {
  const RuleSet& rules = Rules("aliexpress-daily");
  InMemoryCounters c;
  Put(c, rules, "2024-06-01",
      {{"orders_placed", 100},
       {"non_fulfilled", 2},
       {"orders_completed", 98},
       {"disputes_filed", 2},
       {"nr_disputes", 1},
       {"dsr_described_sum", 440},
       {"dsr_described_count", 100},
       {"dsr_shipping_sum", 490},
       {"dsr_shipping_count", 100}});
  auto r = BuildReport(rules, c, "s1", D("2024-06-02"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r.value().score);
  const ScoreReport& s = *r.value().score;
  // non-fulfilment 2/100 = 0.02: 10 × (0.05 − 0.02)/0.05 = 6
  // NR 1/(98 + 2) = 0.01: 15 × 0.04/0.05 = 12;  SNAD 0: 15
  // described 440/100 = 4.4: 30 × (4 − 4.4)/(4 − 4.8) = 15
  // communication: no ratings: 15;  shipping 4.9 ≥ 4.8: 15 (capped)
  // total 6 + 12 + 15 + 15 + 15 + 15 = 78
  const std::vector<std::pair<std::string, int64_t>> items = {
      {"non_fulfilment_rate", 6000}, {"nr_dispute_rate", 12000},   {"snad_dispute_rate", 15000},
      {"dsr_described", 15000},      {"dsr_communication", 15000}, {"dsr_shipping", 15000}};
  EXPECT_EQ(s.items, items);
  ASSERT_EQ(s.daily.size(), 2u);  // June 1st and 2nd
  EXPECT_EQ(s.daily[0].second, 78000);
  EXPECT_EQ(s.daily[1].second, 78000);
  EXPECT_EQ(s.month_average, (Ratio{156000, 2000}));
  EXPECT_EQ(r.value().grade, "pass");  // 60 ≤ 78 < 80
  // June 1st stays in every 30-day window of June: 78 every day, pass for the month, published
  // on July 3rd.
  EXPECT_EQ(r.value().forecast.date, D("2024-07-03"));
  EXPECT_EQ(r.value().forecast.grade, "pass");
  // Good needs an average of 80 over 30 days = 2,400,000 thousandths; 156,000 so far; the 28
  // remaining days need 2,244,000 / 28 = 80,142.86 → 80,143 a day.
  std::map<std::pair<std::string, std::string>, std::pair<std::string, int64_t>> got;
  for (const Step& s : r.value().what_it_takes) got[{s.metric, s.action}] = {s.for_grade, s.count};
  const std::map<std::pair<std::string, std::string>, std::pair<std::string, int64_t>> want = {
      {{"daily_score", "daily_score"}, {"good", 80143}},
      // The failing metrics' own targets: non-fulfilment ≤ 1 %: (2 − k)/100 ≤ 0.01 ⇔ k ≥ 1;
      // 2/(100 + m) ≤ 0.01 ⇔ m ≥ 100.
      {{"non_fulfilment_rate", "fewer_numerator"}, {"", 1}},
      {{"non_fulfilment_rate", "more_denominator"}, {"", 100}},
      // described ≥ 4.5: (440 + 5k)/(100 + k) ≥ 4.5 ⇔ 0.5k ≥ 10 ⇔ k ≥ 20 five-star ratings.
      {{"dsr_described", "more_top_ratings"}, {"", 20}}};
  EXPECT_EQ(got, want);

  // A very high non-fulfilment rate goes negative, down to the −100 floor: 6/10 = 0.6 gives
  // 10 × (0.05 − 0.6)/0.05 = −110 → −100. Total −100 + 15 + 15 + 30 + 15 + 15 = −10: fail.
  InMemoryCounters bad;
  Put(bad, rules, "2024-06-01", {{"orders_placed", 10}, {"non_fulfilled", 6}});
  auto r2 = BuildReport(rules, bad, "s1", D("2024-06-01"));
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2.value().score->daily[0].second, -10000);
  EXPECT_EQ(r2.value().grade, "fail");
}

TEST(OdrReport, ReportFromCountedEvents) {
  // End to end: events → Recount → report, on the Beijing day boundary.
  Recount recount({Rules("aliexpress-2015")});
  EventContext usd = Usd("20");
  ASSERT_TRUE(recount.Add(Feedback("f1", "o1", At("2024-03-31T17:30:00Z"), 5, "b1"), usd));
  ASSERT_TRUE(recount.Add(Feedback("f2", "o2", At("2024-03-31T15:30:00Z"), 1, "b2"), usd));
  auto april1 = BuildReport(Rules("aliexpress-2015"), recount.counters(), "s1", D("2024-04-01"));
  ASSERT_TRUE(april1);
  EXPECT_EQ(M(april1.value(), "positive_feedback_rate").numerator, 1);
  EXPECT_EQ(M(april1.value(), "positive_feedback_rate").denominator, 2);
  auto march31 = BuildReport(Rules("aliexpress-2015"), recount.counters(), "s1", D("2024-03-31"));
  ASSERT_TRUE(march31);
  // On March 31st (Beijing) only the 1★ of 23:30 Beijing time is counted.
  EXPECT_EQ(M(march31.value(), "positive_feedback_rate").numerator, 0);
  EXPECT_EQ(M(march31.value(), "positive_feedback_rate").denominator, 1);
}

}  // namespace
}  // namespace csgw::odr
