// Versioned seller-service-level (ODR) rule sets: which counters an order, a dispute, a feedback
// or a conversation feeds, on which local day, with which exclusions; the metrics built from the
// counters; their thresholds; the grades. Rule sets are data (rules/*.json, embedded by CMake),
// never code: marketplaces change their regimes and many figures are only "probable" or "not
// found" in domain/RULES.md, so each stays editable and carries its source. Format: README.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/embedded.h"
#include "base/result.h"

namespace csgw::odr {

// An exact non-negative ratio num/den (den > 0). Thresholds are written as decimals in the JSON
// ("0.005", "4.5") and kept as ratios so that comparisons with counts are exact.
struct Ratio {
  int64_t num = 0;
  int64_t den = 1;
  friend bool operator==(const Ratio&, const Ratio&) = default;
};
// "0.005" → 5/1000; "90" → 90/1. nullopt for anything else (negatives and exponents included).
std::optional<Ratio> ParseDecimalRatio(std::string_view text);
// a <=> b exactly (cross-multiplied in 128 bits).
int CompareRatio(Ratio a, Ratio b);
// num/den as a decimal rounded half away from zero to `decimals` places, trailing zeros kept:
// FormatRatio({1, 81}, 4) == "0.0123"; for reports (the figures themselves stay exact).
std::string FormatRatio(Ratio value, int decimals);

// What one counted thing is.
enum class FactKind { kOrder, kDispute, kFeedback, kConversation };

// The instant whose local day a counter lands on (see README.md, "Attribution days").
enum class DayOf {
  kOrderPlaced,
  kOrderShipped,
  kOrderCompleted,  // receipt confirmed by the buyer or by timeout
  kOrderCancelled,
  kDisputeOpened,
  kDisputeEscalated,
  kFeedbackPosted,
  kConversationStarted,  // the buyer's first message
};

// What a counter adds per matching fact.
enum class Value {
  kCount,         // 1
  kRating,        // the feedback's stars (1..5)
  kDsrDescribed,  // detailed seller ratings (1..5), counted only where given
  kDsrCommunication,
  kDsrShipping,
  kFirstResponseSeconds,  // seconds to the first human reply
};

// A boolean property of a fact, possibly negated ("!cancelled"). Names per fact kind:
// order: placed shipped completed cancelled cancelled_by_seller cancelled_by_buyer
//        cancelled_before_shipment shipped_late has_tracking valid_tracking
// dispute: cancelled cancelled_before_arbitration arbitrated ruled_seller ruled_not_seller
//          closed resolved_without_arbitration closed_without_seller_resolution after_tracking
// feedback: has_dsr_described has_dsr_communication has_dsr_shipping
// conversation: answered answered_within_sla
struct Flag {
  std::string name;
  bool negated = false;
  friend bool operator==(const Flag&, const Flag&) = default;
};

// The conditions a fact must meet.
struct Match {
  FactKind fact = FactKind::kOrder;
  std::vector<Flag> when;          // all must hold
  std::vector<std::string> kinds;  // dispute: any of its kind tags (README.md); empty = any
  int rating_min = 1;              // feedback stars, inclusive
  int rating_max = 5;
  friend bool operator==(const Match&, const Match&) = default;
};

struct CounterRule {
  std::string name;  // the counter name metrics refer to
  Match match;
  // Order counters only: the order counts once when any of these facts of the order matches
  // (Amazon's "orders with at least one defect").
  std::vector<Match> any;
  DayOf day_of = DayOf::kOrderPlaced;
  Value value = Value::kCount;
  // Feedback counters only: ratings of one buyer count once per this many days (0 = no rule).
  int dedupe_buyer_days = 0;
  std::vector<std::string> exclude;  // names of exclusions (below)
  std::string source;
  friend bool operator==(const CounterRule&, const CounterRule&) = default;
};

// An order-level exclusion: facts of a matching order are not counted by the counters that name
// it. Exactly one condition is set.
struct Exclusion {
  std::string name;
  std::optional<Ratio> order_value_usd_below;  // orders under this value (unknown value: kept)
  std::optional<Match> order_has;              // the order has a fact matching this
  std::string source;
  friend bool operator==(const Exclusion&, const Exclusion&) = default;
};

enum class Op { kLess, kAtMost, kAtLeast, kGreater };  // "<" "<=" ">=" ">"

struct Threshold {
  Op op = Op::kAtMost;
  Ratio value;
  std::string text;  // as written, for reports
  friend bool operator==(const Threshold&, const Threshold&) = default;
};
// Whether value `op` threshold holds.
bool Holds(const Threshold& threshold, Ratio value);
// True for < and <=: lower values are better.
bool LowerIsBetter(Op op);

struct Metric {
  std::string name;
  std::vector<std::string> numerator;    // counters summed
  std::vector<std::string> denominator;  // counters summed
  // The line the account manager watches: failing when it does not hold.
  std::optional<Threshold> target;
  // Warning when the target holds but the value is on the bad side of this.
  std::optional<Ratio> warning;
  // Below this denominator the metric has too little data: never failing, never blocking a grade.
  int64_t min_denominator = 1;
  // Its own window in days where it differs from the rule set's (Amazon: cancel rate 7 days,
  // late shipment 30 days); 0 = the rule set's window.
  int window_days = 0;
  // Whether one more numerator count is also one more denominator count ("what it takes": one
  // dispute fewer is also one order fewer in the dispute rate). Default: when every numerator
  // counter is a denominator counter; "coupled" in the JSON says so for differently named ones.
  bool coupled = false;
  std::string unit = "ratio";  // "ratio" (shown as %), "average" (stars), "seconds"
  std::string source;
  friend bool operator==(const Metric&, const Metric&) = default;
};

struct Requirement {
  std::string metric;
  Threshold threshold;
  friend bool operator==(const Requirement&, const Requirement&) = default;
};

// Grades best first; the first whose requirements all hold is the store's grade. The last one
// has no requirements. A rule set with a daily score grades by its bands instead.
struct Grade {
  std::string name;
  std::vector<Requirement> require;
  friend bool operator==(const Grade&, const Grade&) = default;
};

// The assessment window ending on the assessment day (inclusive): `days` local days, or
// `months` calendar months (the day after the same day-of-month `months` back .. the day).
// eBay: 3 months, or 12 months while the 3-month `fallback_counter` total is under
// `fallback_below`.
struct Window {
  int days = 0;
  int months = 0;
  int fallback_months = 0;
  int64_t fallback_below = 0;
  std::string fallback_counter;
  friend bool operator==(const Window&, const Window&) = default;
};

// When the grade is assessed: every day, or monthly on `day_of_month`.
struct Schedule {
  bool monthly = false;
  int day_of_month = 1;
  friend bool operator==(const Schedule&, const Schedule&) = default;
};

// AliExpress daily service score: each item scores `points` when its metric is at `full_at` or
// better, 0 at `zero_at`, linearly in between, never below `min_points`; no data scores
// `points`. The monthly level comes from the average daily score over the calendar month.
struct ScoreItem {
  std::string metric;
  int64_t points = 0;
  Ratio full_at;
  Ratio zero_at;
  int64_t min_points = 0;
  std::string source;
  friend bool operator==(const ScoreItem&, const ScoreItem&) = default;
};
struct Band {
  std::string name;
  std::optional<Ratio> min;  // average daily score at least this; the last band has none
  friend bool operator==(const Band&, const Band&) = default;
};
struct DailyScore {
  std::vector<ScoreItem> items;
  std::vector<Band> bands;  // best first
  friend bool operator==(const DailyScore&, const DailyScore&) = default;
};

struct RuleSet {
  std::string id;  // "aliexpress-2015"
  int64_t version = 0;
  // Marketplace whose events it counts; "*" for all (our own reply metrics).
  std::string marketplace;
  std::string description;
  std::string time_zone;  // IANA zone of the attribution day: "Asia/Shanghai"
  Window window;
  Schedule schedule;
  // First-response SLA: per marketplace, with "*" as the default.
  std::map<std::string, std::chrono::seconds> reply_sla;
  std::vector<CounterRule> counters;
  std::vector<Exclusion> exclusions;
  std::vector<Metric> metrics;
  std::vector<Grade> grades;
  std::optional<DailyScore> score;

  // "aliexpress-2015@1": the counter-key component. A new version counts into new keys, so
  // figures of an old version never mix with a new one (`csgw odr rebuild` fills the new keys).
  std::string Key() const { return id + "@" + std::to_string(version); }
  const Metric* FindMetric(std::string_view name) const;
  const Exclusion* FindExclusion(std::string_view name) const;
  // The SLA for `marketplace`, else the "*" one, else nullopt.
  std::optional<std::chrono::seconds> ReplySla(std::string_view marketplace) const;
  bool Applies(std::string_view event_marketplace) const {
    return marketplace == "*" || marketplace == event_marketplace;
  }

  friend bool operator==(const RuleSet&, const RuleSet&) = default;
};

// kMalformedJson / kMissingField / kInvalidField naming the offending field. Checks flag names
// against the fact kind, that metrics name defined counters and grades defined metrics, that
// exclusions exist, and that the time zone is in the system tz database.
Result<RuleSet> ParseRuleSet(std::string_view json);

// The rule sets compiled into the binary, parsed once; aborts if one does not parse (the tests
// parse each first). Thread-safe.
const std::vector<RuleSet>& DefaultRuleSets();
const RuleSet* FindRuleSet(std::span<const RuleSet> sets, std::string_view id);

// Generated by csgw_embed_files from rules/*.json.
std::span<const EmbeddedFile> RuleSetData();

std::string_view Name(Op op);
std::string_view Name(DayOf day_of);

}  // namespace csgw::odr
