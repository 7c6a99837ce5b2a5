#include "odr/report_text.h"

#include <algorithm>
#include <vector>

#include "base/log.h"

namespace csgw::odr {
namespace {

std::string_view OpSymbol(Op op) {
  switch (op) {
    case Op::kLess:
      return "<";
    case Op::kAtMost:
      return "≤";
    case Op::kAtLeast:
      return "≥";
    case Op::kGreater:
      return ">";
  }
  return "";
}

std::string Duration(Ratio seconds) {
  // Rounded to whole seconds first: a mean of 5400.4 s reads "1 h 30 min".
  const int64_t s = seconds.den == 0 ? 0 : (seconds.num * 2 + seconds.den) / (seconds.den * 2);
  if (s < 60) return std::to_string(s) + " s";
  const int64_t minutes = s / 60;
  if (minutes < 60) return std::to_string(minutes) + " min";
  const int64_t hours = minutes / 60;
  const int64_t rest = minutes % 60;
  return std::to_string(hours) + " h" + (rest ? " " + std::to_string(rest) + " min" : "");
}

std::string Join(const std::vector<std::string>& names, std::string_view separator) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out.append(separator);
    out.append(n);
  }
  return out;
}

// The denominator counters that are not also numerator counters: what "more/fewer
// denominator-only counts" are made of.
std::vector<std::string> DenominatorOnly(const Metric& m) {
  std::vector<std::string> out;
  for (const std::string& d : m.denominator) {
    if (std::find(m.numerator.begin(), m.numerator.end(), d) == m.numerator.end()) {
      out.push_back(d);
    }
  }
  return out;
}

}  // namespace

std::string FormatValue(std::string_view unit, const std::optional<Ratio>& value) {
  if (!value || value->den == 0) return "–";
  if (unit == "average") return FormatRatio(*value, 2) + " ★";
  if (unit == "seconds") return Duration(*value);
  return FormatRatio(Ratio{value->num * 100, value->den}, 2) + " %";
}

std::string FormatThreshold(std::string_view unit, const Threshold& threshold) {
  return std::string(OpSymbol(threshold.op)) + " " + FormatValue(unit, threshold.value);
}

std::string RateJson(std::string_view unit, const std::optional<Ratio>& value) {
  if (!value || value->den == 0) return "null";
  return FormatRatio(*value, unit == "ratio" ? 6 : (unit == "average" ? 4 : 1));
}

std::string ThresholdJson(std::string_view unit, const std::optional<Threshold>& threshold) {
  if (!threshold) return "null";
  std::string out = "{\"op\":\"";
  log::AppendJsonEscaped(out, Name(threshold->op));
  out += "\",\"value\":" + FormatRatio(threshold->value, 6) + ",\"display\":\"";
  log::AppendJsonEscaped(out, FormatThreshold(unit, *threshold));
  out += "\"}";
  return out;
}

std::string StepText(const RuleSet& rules, const Step& step) {
  const std::string count = std::to_string(step.count);
  if (step.action == "daily_score") {
    return "for " + step.for_grade + ": an average daily score of " +
           FormatRatio(Ratio{step.count, 1000}, 1) +
           " points on each remaining day of the month";
  }
  const Metric* m = rules.FindMetric(step.metric);
  std::string what;
  if (m == nullptr) {
    what = count + " " + step.action;
  } else if (step.action == "fewer_numerator") {
    what = count + " fewer " + Join(m->numerator, " + ");
  } else if (step.action == "more_numerator") {
    what = count + " more " + Join(m->numerator, " + ");
  } else if (step.action == "more_denominator") {
    what = count + " more " + Join(DenominatorOnly(*m), " or ");
  } else if (step.action == "fewer_denominator") {
    what = count + " fewer " + Join(DenominatorOnly(*m), " or ");
  } else if (step.action == "more_top_ratings") {
    what = count + " more 5★ ratings";
  } else {
    what = count + " " + step.action;
  }
  const std::string unit = m == nullptr ? "ratio" : m->unit;
  const std::string goal = step.metric + " " + FormatThreshold(unit, step.threshold);
  if (step.for_grade.empty()) return goal + " (its target): " + what + " in the window";
  return "for " + step.for_grade + ", " + goal + ": " + what + " in the window";
}

}  // namespace csgw::odr
