// Reports in words and display units, shared by `csgw odr report`, the API and the dashboard:
// a metric's value in its unit (percent, stars, duration), a threshold the same way, and one
// "what it takes" step as a sentence an account manager can act on. Pure.
#pragma once

#include <optional>
#include <string>

#include "odr/report.h"
#include "odr/rules.h"

namespace csgw::odr {

// "14.29 %" (unit ratio), "4.67 ★" (average), "5 h 30 min" (seconds; "42 s" under a minute);
// "–" without a value.
std::string FormatValue(std::string_view unit, const std::optional<Ratio>& value);
// The threshold in the metric's unit: "≤ 2.00 %", "≥ 4.50 ★", "≤ 24 h".
std::string FormatThreshold(std::string_view unit, const Threshold& threshold);

// The JSON forms of a figure, shared by the report API and the alert records (also the alert
// webhook's body), so an account manager's tools read one shape: the rate as a number with the
// precision its unit needs (6 decimals for a ratio, 4 for an average, 1 for seconds) or null;
// the threshold as {"op": "<=", "value": 0.02, "display": "≤ 2.00 %"} or null.
std::string RateJson(std::string_view unit, const std::optional<Ratio>& value);
std::string ThresholdJson(std::string_view unit, const std::optional<Threshold>& threshold);

// One step as a sentence: "1 fewer dispute_rate numerator count (disputes_not_cancelled) in the
// window", "43 more orders_completed", "an average daily score of 87.5 points on each remaining
// day of the month". Names are the rule set's counter names (stable, documented in the rule
// set), prefixed by what the step opens: "for good: ..." or "to meet its target: ...".
std::string StepText(const RuleSet& rules, const Step& step);

}  // namespace csgw::odr
