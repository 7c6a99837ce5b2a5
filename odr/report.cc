#include "odr/report.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace csgw::odr {
namespace {

using std::chrono::days;

// Per-counter prefix sums over the dense days [first, last]: any window sum is two lookups.
class Sums {
 public:
  Sums(Day first, Day last, const std::set<std::string>& names,
       const std::vector<std::pair<Day, Counters>>& rows)
      : first_(first), last_(last) {
    const size_t n = static_cast<size_t>((last - first).count()) + 1;
    for (const std::string& name : names) prefix_[name].assign(n + 1, 0);
    for (const auto& [day, counters] : rows) {
      if (day < first || day > last) continue;
      const size_t i = static_cast<size_t>((day - first).count());
      for (const auto& [name, value] : counters) {
        auto it = prefix_.find(name);
        if (it != prefix_.end()) it->second[i + 1] += value;
      }
    }
    for (auto& [name, p] : prefix_) {
      for (size_t i = 1; i < p.size(); ++i) p[i] += p[i - 1];
    }
  }

  // Σ over [from, to] ∩ [first, last]; days after `last` hold nothing (nothing new assumed).
  int64_t Sum(const std::string& name, Day from, Day to) const {
    from = std::max(from, first_);
    to = std::min(to, last_);
    auto it = prefix_.find(name);
    if (it == prefix_.end() || from > to) return 0;
    const auto& p = it->second;
    return p[static_cast<size_t>((to - first_).count()) + 1] -
           p[static_cast<size_t>((from - first_).count())];
  }
  int64_t Sum(const std::vector<std::string>& names, Day from, Day to) const {
    int64_t total = 0;
    for (const std::string& n : names) total += Sum(n, from, to);
    return total;
  }

 private:
  Day first_;
  Day last_;
  std::map<std::string, std::vector<int64_t>> prefix_;
};

Day WindowStart(const RuleSet& rules, const Metric* metric, Day day, const Sums& sums) {
  if (metric != nullptr && metric->window_days > 0) return day - days(metric->window_days - 1);
  const Window& w = rules.window;
  if (w.days > 0) return day - days(w.days - 1);
  Day start = AddMonths(day, -w.months) + days(1);
  // eBay: under `fallback_below` transactions in the short window, the long window applies.
  if (w.fallback_months > 0 && sums.Sum(w.fallback_counter, start, day) < w.fallback_below) {
    start = AddMonths(day, -w.fallback_months) + days(1);
  }
  return start;
}

// The earliest day any figure of this report may need.
Day EarliestNeeded(const RuleSet& rules, Day at) {
  Day earliest = at;
  const Window& w = rules.window;
  if (w.days > 0) earliest = at - days(w.days - 1);
  if (w.months > 0) earliest = AddMonths(at, -std::max(w.months, w.fallback_months)) + days(1);
  for (const Metric& m : rules.metrics) {
    if (m.window_days > 0) earliest = std::min(earliest, at - days(m.window_days - 1));
  }
  if (rules.score) {
    const std::chrono::year_month_day ymd(at);
    const Day month_start(ymd.year() / ymd.month() / 1);
    Day score_earliest = month_start - days(std::max(w.days, 1) - 1);
    for (const Metric& m : rules.metrics) {
      if (m.window_days > 0)
        score_earliest = std::min(score_earliest, month_start - days(m.window_days - 1));
    }
    earliest = std::min(earliest, score_earliest);
  }
  return earliest;
}

Status StatusOf(const Metric& m, int64_t num, int64_t den) {
  if (den < m.min_denominator) return Status::kInsufficientData;
  if (!m.target) return Status::kOk;
  const Ratio value{num, den};
  if (!Holds(*m.target, value)) return Status::kFailing;
  if (m.warning) {
    const int c = CompareRatio(value, *m.warning);
    if (LowerIsBetter(m.target->op) ? c > 0 : c < 0) return Status::kWarning;
  }
  return Status::kOk;
}

MetricReport Figures(const RuleSet& rules, const Metric& m, Day at, Day window_end,
                     const Sums& sums) {
  MetricReport r;
  r.name = m.name;
  r.unit = m.unit;
  r.target = m.target;
  r.window_from = WindowStart(rules, &m, at, sums);
  r.window_to = at;
  r.numerator = sums.Sum(m.numerator, r.window_from, window_end);
  r.denominator = sums.Sum(m.denominator, r.window_from, window_end);
  if (r.denominator > 0) r.value = Ratio{r.numerator, r.denominator};
  r.status = StatusOf(m, r.numerator, r.denominator);
  return r;
}

bool RequirementHolds(const RuleSet& rules, const Requirement& req,
                      const std::vector<MetricReport>& metrics) {
  const Metric* m = rules.FindMetric(req.metric);
  for (const MetricReport& r : metrics) {
    if (r.name != req.metric) continue;
    if (r.denominator < m->min_denominator) return true;  // too little data never blocks
    return Holds(req.threshold, Ratio{r.numerator, r.denominator});
  }
  return true;
}

int GradeIndex(const RuleSet& rules, const std::vector<MetricReport>& metrics) {
  for (size_t i = 0; i < rules.grades.size(); ++i) {
    const auto& reqs = rules.grades[i].require;
    if (std::all_of(reqs.begin(), reqs.end(),
                    [&](const Requirement& r) { return RequirementHolds(rules, r, metrics); })) {
      return static_cast<int>(i);
    }
  }
  return static_cast<int>(rules.grades.size()) - 1;
}

// The smallest x in [1, hi] with pred(x), for a monotone pred; nullopt if pred(hi) is false.
std::optional<int64_t> Smallest(int64_t hi, const std::function<bool(int64_t)>& pred) {
  if (hi < 1 || !pred(hi)) return std::nullopt;
  int64_t lo = 1;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (pred(mid)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

// Every exact way to bring `m` (at figures num/den) to meet `threshold`, one change at a time.
void StepsFor(const Metric& m, const MetricReport& r, const Threshold& threshold,
              const std::string& grade, std::vector<Step>& out) {
  constexpr int64_t kUnbounded = int64_t{1} << 40;
  const int64_t n = r.numerator;
  const int64_t d = r.denominator;
  const int64_t min_den = std::max<int64_t>(1, m.min_denominator);
  auto holds = [&](int64_t num, int64_t den) {
    return den >= min_den && num >= 0 && Holds(threshold, Ratio{num, den});
  };
  auto add = [&](std::string action, std::optional<int64_t> count) {
    if (count) out.push_back(Step{m.name, grade, threshold, std::move(action), *count});
  };
  if (m.unit == "seconds") return;  // a mean duration: no count of events moves it sensibly
  if (m.unit == "average") {
    // Star averages move by new ratings, each adding its stars and one rating: the best case,
    // 5★ each, gives the fewest needed.
    add("more_top_ratings",
        Smallest(kUnbounded, [&](int64_t k) { return holds(n + 5 * k, d + k); }));
    return;
  }
  const int64_t coupled = m.coupled ? 1 : 0;
  const int64_t denominator_only = std::max<int64_t>(0, m.coupled ? d - n : d);
  if (LowerIsBetter(threshold.op)) {
    add("fewer_numerator", Smallest(n, [&](int64_t k) { return holds(n - k, d - coupled * k); }));
    add("more_denominator", Smallest(kUnbounded, [&](int64_t k) { return holds(n, d + k); }));
  } else {
    add("more_numerator",
        Smallest(kUnbounded, [&](int64_t k) { return holds(n + k, d + coupled * k); }));
    add("fewer_denominator",
        Smallest(denominator_only, [&](int64_t k) { return holds(n, d - k); }));
  }
}

// Thousandths of a point one score item earns with figures num/den.
int64_t ItemMillipoints(const ScoreItem& item, const Metric& m, int64_t num, int64_t den) {
  const __int128 full = static_cast<__int128>(item.points) * 1000;
  if (den < m.min_denominator) return static_cast<int64_t>(full);  // no data, no penalty
  // points × (zero − v) / (zero − full_at), v = num/den, all exact:
  //   (zero − v) / (zero − full_at) = (zn·den − num·zd)·fd / ((zn·fd − fn·zd)·den)
  const __int128 zn = item.zero_at.num, zd = item.zero_at.den;
  const __int128 fn = item.full_at.num, fd = item.full_at.den;
  __int128 top = (zn * den - static_cast<__int128>(num) * zd) * fd * full;
  __int128 bottom = (zn * fd - fn * zd) * den;
  if (bottom < 0) {
    top = -top;
    bottom = -bottom;
  }
  // Rounded half away from zero.
  __int128 q = (top >= 0 ? top * 2 + bottom : top * 2 - bottom) / (bottom * 2);
  q = std::clamp<__int128>(q, static_cast<__int128>(item.min_points) * 1000, full);
  return static_cast<int64_t>(q);
}

int64_t DayScore(const RuleSet& rules, Day day, Day counted_to, const Sums& sums,
                 std::vector<std::pair<std::string, int64_t>>* items) {
  int64_t total = 0;
  for (const ScoreItem& item : rules.score->items) {
    const Metric& m = *rules.FindMetric(item.metric);
    const Day from = WindowStart(rules, &m, day, sums);
    const Day to = std::min(day, counted_to);
    const int64_t points = ItemMillipoints(item, m, sums.Sum(m.numerator, from, to),
                                           sums.Sum(m.denominator, from, to));
    if (items != nullptr) items->emplace_back(item.metric, points);
    total += points;
  }
  return total;
}

int BandIndex(const DailyScore& score, Ratio average) {
  for (size_t i = 0; i < score.bands.size(); ++i) {
    if (!score.bands[i].min || CompareRatio(average, *score.bands[i].min) >= 0) {
      return static_cast<int>(i);
    }
  }
  return static_cast<int>(score.bands.size()) - 1;
}

Day MonthEnd(Day day) {
  const std::chrono::year_month_day ymd(day);
  return Day(std::chrono::year_month_day_last(ymd.year(), ymd.month() / std::chrono::last));
}

}  // namespace

std::string_view Name(Status status) {
  switch (status) {
    case Status::kOk:
      return "ok";
    case Status::kWarning:
      return "warning";
    case Status::kFailing:
      return "failing";
    case Status::kInsufficientData:
      return "insufficient_data";
  }
  return "ok";
}

Result<Day> AssessmentDay(const RuleSet& rules, TimePoint now) {
  return LocalDay(rules.time_zone, now);
}

Day NextAssessment(const RuleSet& rules, Day day) {
  if (!rules.schedule.monthly) return day + days(1);
  const std::chrono::year_month_day ymd(day);
  const auto dom = std::chrono::day(static_cast<unsigned>(rules.schedule.day_of_month));
  const Day this_month(ymd.year() / ymd.month() / dom);
  return this_month > day ? this_month : AddMonths(this_month, 1);
}

Result<Report> BuildReport(const RuleSet& rules, const CounterSource& source,
                           std::string_view store_id, Day at) {
  Report report;
  report.store_id = std::string(store_id);
  report.rule_set = rules.Key();
  report.at = at;

  std::set<std::string> names;
  for (const Metric& m : rules.metrics) {
    names.insert(m.numerator.begin(), m.numerator.end());
    names.insert(m.denominator.begin(), m.denominator.end());
  }
  if (!rules.window.fallback_counter.empty()) names.insert(rules.window.fallback_counter);
  const Day first = EarliestNeeded(rules, at);
  auto rows = source.Range(store_id, rules.Key(), first, at);
  if (!rows) return rows.error();
  const Sums sums(first, at, names, rows.value());

  for (const Metric& m : rules.metrics) {
    MetricReport r = Figures(rules, m, at, at, sums);
    for (Day d = r.window_from; d <= at; d += days(1)) {
      r.trend.push_back(TrendPoint{d, sums.Sum(m.numerator, d, d), sums.Sum(m.denominator, d, d)});
    }
    report.metrics.push_back(std::move(r));
  }

  // The forecast: the figures on the next assessment date if nothing new is counted.
  Forecast& forecast = report.forecast;
  if (rules.score) {
    const std::chrono::year_month_day ymd(at);
    const Day month_start(ymd.year() / ymd.month() / 1);
    const Day month_end = MonthEnd(at);
    ScoreReport score;
    int64_t sum = 0;
    for (Day d = month_start; d <= at; d += days(1)) {
      const int64_t s = DayScore(rules, d, at, sums, d == at ? &score.items : nullptr);
      score.daily.emplace_back(d, s);
      sum += s;
    }
    const int64_t elapsed = static_cast<int64_t>(score.daily.size());
    score.month_average = Ratio{sum, elapsed * 1000};
    report.grade_index = BandIndex(*rules.score, score.month_average);
    score.level = rules.score->bands[report.grade_index].name;
    report.grade = score.level;
    int64_t rest = 0;
    for (Day d = at + days(1); d <= month_end; d += days(1))
      rest += DayScore(rules, d, at, sums, nullptr);
    const int64_t month_days = (month_end - month_start).count() + 1;
    forecast.date = NextAssessment(rules, month_end);
    forecast.grade_index = BandIndex(*rules.score, Ratio{sum + rest, month_days * 1000});
    forecast.grade = rules.score->bands[forecast.grade_index].name;
    // What it takes: the average daily score the remaining days need for the next band up.
    const int64_t remaining = month_days - elapsed;
    if (report.grade_index > 0 && remaining > 0) {
      const Band& band = rules.score->bands[report.grade_index - 1];
      // need: (sum + x·remaining) / (month_days·1000) ≥ min.num / min.den
      const __int128 need_total =
          (static_cast<__int128>(band.min->num) * month_days * 1000 + band.min->den - 1) /
          band.min->den;
      const __int128 gap = need_total - sum;
      const __int128 per_day = gap <= 0 ? 0 : (gap + remaining - 1) / remaining;
      int64_t max_points = 0;
      for (const ScoreItem& item : rules.score->items) max_points += item.points * 1000;
      if (per_day <= max_points) {
        report.what_it_takes.push_back(Step{"daily_score", band.name,
                                            Threshold{Op::kAtLeast, *band.min, ">= band"},
                                            "daily_score", static_cast<int64_t>(per_day)});
      }
    }
    report.score = std::move(score);
  } else {
    report.grade_index = GradeIndex(rules, report.metrics);
    report.grade = rules.grades[report.grade_index].name;
    forecast.date = NextAssessment(rules, at);
  }
  for (const Metric& m : rules.metrics) {
    forecast.metrics.push_back(Figures(rules, m, forecast.date, at, sums));
  }
  if (!rules.score) {
    forecast.grade_index = GradeIndex(rules, forecast.metrics);
    forecast.grade = rules.grades[forecast.grade_index].name;
  }
  // Which counted days leave the window before the forecast date, and when.
  const Day start_now = WindowStart(rules, nullptr, at, sums);
  const Day start_then = WindowStart(rules, nullptr, forecast.date, sums);
  for (const auto& [day, counters] : rows.value()) {
    if (day < start_now || day >= start_then) continue;
    Counters kept;
    for (const auto& [name, value] : counters) {
      if (names.contains(name)) kept[name] = value;
    }
    if (kept.empty()) continue;
    Day leaves_on = at + days(1);
    while (leaves_on < forecast.date && WindowStart(rules, nullptr, leaves_on, sums) <= day) {
      leaves_on += days(1);
    }
    forecast.leaving.push_back(Leaving{day, leaves_on, std::move(kept)});
  }

  // What it takes: the next grade's unmet requirements, then each failing metric's own target.
  if (!rules.score && report.grade_index > 0) {
    const Grade& next = rules.grades[report.grade_index - 1];
    for (const Requirement& req : next.require) {
      if (RequirementHolds(rules, req, report.metrics)) continue;
      const Metric& m = *rules.FindMetric(req.metric);
      for (const MetricReport& r : report.metrics) {
        if (r.name == req.metric) StepsFor(m, r, req.threshold, next.name, report.what_it_takes);
      }
    }
  }
  for (size_t i = 0; i < rules.metrics.size(); ++i) {
    const MetricReport& r = report.metrics[i];
    if (r.status == Status::kFailing) {
      StepsFor(rules.metrics[i], r, *rules.metrics[i].target, "", report.what_it_takes);
    }
  }
  return report;
}

}  // namespace csgw::odr
