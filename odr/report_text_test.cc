#include "odr/report_text.h"

#include <gtest/gtest.h>

#include "odr/test_util.h"

namespace csgw::odr {
namespace {

using namespace testing;  // NOLINT: test builders

TEST(OdrReportText, ValuesAndThresholdsInTheirUnits) {
  EXPECT_EQ(FormatValue("ratio", Ratio{1, 7}), "14.29 %");
  EXPECT_EQ(FormatValue("ratio", Ratio{0, 6}), "0.00 %");
  EXPECT_EQ(FormatValue("ratio", std::nullopt), "–");
  EXPECT_EQ(FormatValue("average", Ratio{14, 3}), "4.67 ★");
  EXPECT_EQ(FormatValue("seconds", Ratio{19800, 1}), "5 h 30 min");
  EXPECT_EQ(FormatValue("seconds", Ratio{7200, 1}), "2 h");
  EXPECT_EQ(FormatValue("seconds", Ratio{900, 2}), "7 min");
  EXPECT_EQ(FormatValue("seconds", Ratio{85, 2}), "43 s");  // 42.5 rounds up
  EXPECT_EQ(FormatThreshold("ratio", Threshold{Op::kAtMost, {2, 100}, "<= 0.02"}), "≤ 2.00 %");
  EXPECT_EQ(FormatThreshold("average", Threshold{Op::kAtLeast, {45, 10}, ">= 4.5"}), "≥ 4.50 ★");
  EXPECT_EQ(FormatThreshold("seconds", Threshold{Op::kLess, {86400, 1}, "< 86400"}), "< 24 h");
}

TEST(OdrReportText, StepsAsSentences) {
  const RuleSet& rules = Rules("aliexpress-2015");
  const Threshold two_percent{Op::kAtMost, {2, 100}, "<= 0.02"};
  EXPECT_EQ(StepText(rules, Step{"dispute_rate", "", two_percent, "fewer_numerator", 3}),
            "dispute_rate ≤ 2.00 % (its target): 3 fewer disputes_not_cancelled in the window");
  EXPECT_EQ(StepText(rules, Step{"dispute_rate", "good", two_percent, "more_denominator", 43}),
            "for good, dispute_rate ≤ 2.00 %: 43 more orders_completed or disputes_filed in the "
            "window");
  const Threshold positive{Op::kAtLeast, {96, 100}, ">= 0.96"};
  EXPECT_EQ(StepText(rules, Step{"positive_feedback_rate", "good", positive, "more_numerator", 5}),
            "for good, positive_feedback_rate ≥ 96.00 %: 5 more feedback_positive in the window");
  EXPECT_EQ(
      StepText(rules, Step{"positive_feedback_rate", "good", positive, "fewer_denominator", 2}),
      "for good, positive_feedback_rate ≥ 96.00 %: 2 fewer feedback_negative in the window");
  const Threshold stars{Op::kAtLeast, {45, 10}, ">= 4.5"};
  EXPECT_EQ(StepText(rules, Step{"dsr_described", "", stars, "more_top_ratings", 20}),
            "dsr_described ≥ 4.50 ★ (its target): 20 more 5★ ratings in the window");
  EXPECT_EQ(StepText(Rules("aliexpress-daily"),
                     Step{"daily_score", "good", Threshold{Op::kAtLeast, {80, 1}, ">= band"},
                          "daily_score", 80143}),
            "for good: an average daily score of 80.1 points on each remaining day of the month");
}

}  // namespace
}  // namespace csgw::odr
