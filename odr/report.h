// Reports over daily counters: per metric figures, status and daily trend; the grade; the
// forecast for the next assessment date; what it takes to reach the next grade. Pure: reads
// only a CounterSource, once per report (one range), and works on per-day sums, never on
// orders, so its cost is days × counters whatever the store's volume.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "odr/counters.h"
#include "odr/rules.h"

namespace csgw::odr {

enum class Status {
  kOk,
  kWarning,           // the target holds, the value is past the warning line
  kFailing,           // the target does not hold
  kInsufficientData,  // denominator under min_denominator: never failing, never blocks a grade
};
std::string_view Name(Status status);

struct TrendPoint {
  Day day;
  int64_t numerator = 0;  // counted on that day alone
  int64_t denominator = 0;
  friend bool operator==(const TrendPoint&, const TrendPoint&) = default;
};

struct MetricReport {
  std::string name;
  std::string unit;
  int64_t numerator = 0;
  int64_t denominator = 0;
  std::optional<Ratio> value;  // numerator / denominator; nullopt when the denominator is 0
  std::optional<Threshold> target;
  Status status = Status::kOk;
  Day window_from;
  Day window_to;
  std::vector<TrendPoint> trend;  // every day of the window, oldest first
  friend bool operator==(const MetricReport&, const MetricReport&) = default;
};

// Counts that drop out of the window before the next assessment, nothing new assumed.
struct Leaving {
  Day day;        // the day they were counted on
  Day leaves_on;  // the first assessment day whose window no longer holds them
  Counters counters;
  friend bool operator==(const Leaving&, const Leaving&) = default;
};

// One exact way to meet a threshold, all else unchanged.
struct Step {
  std::string metric;
  std::string for_grade;  // the grade it opens; empty: the metric's own target
  Threshold threshold;
  // "fewer_numerator": this many fewer numerator counts (e.g. disputes) in the window;
  // "more_denominator": this many more denominator-only counts (e.g. clean completed orders);
  // "more_numerator": this many more numerator counts (e.g. positive ratings; they also add to
  //   the denominator when it includes them);
  // "fewer_denominator": this many fewer denominator-only counts (e.g. negative ratings);
  // "more_top_ratings": this many more 5★ ratings (star averages);
  // "daily_score": this many thousandths of a point per remaining day of the month, on average.
  std::string action;
  int64_t count = 0;
  friend bool operator==(const Step&, const Step&) = default;
};

struct Forecast {
  Day date;  // the next assessment date
  std::string grade;
  int grade_index = 0;                // 0 = best
  std::vector<MetricReport> metrics;  // figures at `date` with no new counts (no trend)
  std::vector<Leaving> leaving;
  friend bool operator==(const Forecast&, const Forecast&) = default;
};

// Daily service score (rule sets with "score").
struct ScoreReport {
  std::vector<std::pair<Day, int64_t>> daily;          // month to date: thousandths of a point
  std::vector<std::pair<std::string, int64_t>> items;  // the assessment day's items
  Ratio month_average;                                 // points (not thousandths), exact
  std::string level;                                   // from the month-to-date average
  friend bool operator==(const ScoreReport&, const ScoreReport&) = default;
};

struct Report {
  std::string store_id;
  std::string rule_set;  // RuleSet::Key()
  Day at;                // the assessment day (local to the rule set's zone)
  std::vector<MetricReport> metrics;
  std::string grade;
  int grade_index = 0;  // 0 = best
  Forecast forecast;
  std::vector<Step> what_it_takes;
  std::optional<ScoreReport> score;
  friend bool operator==(const Report&, const Report&) = default;
};

// The local day of `now` in the rule set's zone: the default `at` of a report.
Result<Day> AssessmentDay(const RuleSet& rules, TimePoint now);
// The first assessment date after `day`.
Day NextAssessment(const RuleSet& rules, Day day);

Result<Report> BuildReport(const RuleSet& rules, const CounterSource& source,
                           std::string_view store_id, Day at);

}  // namespace csgw::odr
