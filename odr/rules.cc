#include "odr/rules.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <iostream>
#include <set>
#include <utility>

#include "base/json.h"
#include "i18n/time_zone.h"

namespace csgw::odr {
namespace {

constexpr std::array<std::string_view, 4> kFactNames = {"order", "dispute", "feedback",
                                                        "conversation"};
constexpr std::array<std::string_view, 8> kDayOfNames = {
    "order_placed",   "order_shipped",     "order_completed", "order_cancelled",
    "dispute_opened", "dispute_escalated", "feedback_posted", "conversation_started"};
constexpr std::array<std::string_view, 6> kValueNames = {"count",         "rating",
                                                         "dsr_described", "dsr_communication",
                                                         "dsr_shipping",  "first_response_seconds"};
constexpr std::array<std::string_view, 4> kOpNames = {"<", "<=", ">=", ">"};

// Flag vocabulary per fact kind (counting.cc evaluates exactly these).
const std::array<std::vector<std::string_view>, 4> kFlags = {
    std::vector<std::string_view>{
        "placed", "shipped", "completed", "cancelled", "cancelled_by_seller", "cancelled_by_buyer",
        "cancelled_before_shipment", "shipped_late", "has_tracking", "valid_tracking"},
    std::vector<std::string_view>{"cancelled", "cancelled_before_arbitration", "arbitrated",
                                  "ruled_seller", "ruled_not_seller", "closed",
                                  "resolved_without_arbitration",
                                  "closed_without_seller_resolution", "after_tracking"},
    std::vector<std::string_view>{"has_dsr_described", "has_dsr_communication", "has_dsr_shipping"},
    std::vector<std::string_view>{"answered", "answered_within_sla"},
};

// Which days a counter of each fact kind may land on.
bool DayFits(FactKind fact, DayOf day) {
  switch (fact) {
    case FactKind::kOrder:
      return day == DayOf::kOrderPlaced || day == DayOf::kOrderShipped ||
             day == DayOf::kOrderCompleted || day == DayOf::kOrderCancelled;
    case FactKind::kDispute:
      return day == DayOf::kDisputeOpened || day == DayOf::kDisputeEscalated ||
             day == DayOf::kOrderPlaced;
    case FactKind::kFeedback:
      return day == DayOf::kFeedbackPosted || day == DayOf::kOrderPlaced;
    case FactKind::kConversation:
      return day == DayOf::kConversationStarted;
  }
  return false;
}

template <size_t N>
std::optional<size_t> IndexIn(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return i;
  }
  return std::nullopt;
}

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// Unknown members are errors: a misspelt "exlude" would silently count excluded orders.
Result<void> CheckMembers(const JsonValue& object, std::initializer_list<std::string_view> known) {
  auto members = object.KnownMembers(known, "rule-set field");
  if (!members) return members.error();
  return Ok();
}

Result<Ratio> RatioField(const JsonValue& object, std::string_view key) {
  auto text = object.NonEmptyString(key);
  if (!text) return text.error();
  auto ratio = ParseDecimalRatio(text.value());
  if (!ratio) return FieldError(Join(object.path(), key), "must be a decimal like \"0.005\"");
  return *ratio;
}

Result<std::optional<int64_t>> NonNegativeInt(const JsonValue& object, std::string_view key) {
  auto value = object.OptionalInt(key);
  if (!value) return value.error();
  if (value.value() && *value.value() < 0) {
    return FieldError(Join(object.path(), key), "must not be negative");
  }
  return value.value();
}

Result<Threshold> ParseThreshold(const JsonValue& object) {
  if (auto ok = CheckMembers(object, {"op", "value", "metric"}); !ok) return ok.error();
  auto op = object.NonEmptyString("op");
  if (!op) return op.error();
  auto index = IndexIn(kOpNames, op.value());
  if (!index) return FieldError(Join(object.path(), "op"), "must be one of < <= >= >");
  auto value = RatioField(object, "value");
  if (!value) return value.error();
  Threshold out;
  out.op = static_cast<Op>(*index);
  out.value = value.value();
  out.text = op.value() + " " + object.String("value").value();
  return out;
}

// `embedded`: the match's fields sit inside a counter object, whose own check covers them.
Result<Match> ParseMatch(const JsonValue& object, bool embedded = false) {
  if (!embedded) {
    if (auto ok = CheckMembers(object, {"fact", "when", "kinds", "rating"}); !ok) return ok.error();
  }
  Match match;
  auto fact = object.NonEmptyString("fact");
  if (!fact) return fact.error();
  auto index = IndexIn(kFactNames, fact.value());
  if (!index)
    return FieldError(Join(object.path(), "fact"),
                      "must be order, dispute, feedback or conversation");
  match.fact = static_cast<FactKind>(*index);
  auto when = object.StringArray("when");
  if (!when) return when.error();
  for (const std::string& text : when.value()) {
    Flag flag;
    flag.negated = !text.empty() && text[0] == '!';
    flag.name = flag.negated ? text.substr(1) : text;
    const auto& known = kFlags[*index];
    if (std::find(known.begin(), known.end(), flag.name) == known.end()) {
      return FieldError(Join(object.path(), "when"),
                        "has '" + text + "', which is not a flag of a " + fact.value());
    }
    match.when.push_back(std::move(flag));
  }
  auto kinds = object.StringArray("kinds");
  if (!kinds) return kinds.error();
  if (!kinds.value().empty() && match.fact != FactKind::kDispute) {
    return FieldError(Join(object.path(), "kinds"), "applies to disputes only");
  }
  match.kinds = std::move(kinds).value();
  auto rating = object.OptionalObject("rating");
  if (!rating) return rating.error();
  if (rating.value()) {
    if (match.fact != FactKind::kFeedback) {
      return FieldError(Join(object.path(), "rating"), "applies to feedback only");
    }
    const JsonValue& r = *rating.value();
    if (auto ok = CheckMembers(r, {"min", "max"}); !ok) return ok.error();
    auto min = r.Int("min");
    auto max = r.Int("max");
    if (!min) return min.error();
    if (!max) return max.error();
    if (min.value() < 1 || max.value() > 5 || min.value() > max.value()) {
      return FieldError(r.path(), "must be 1 <= min <= max <= 5");
    }
    match.rating_min = static_cast<int>(min.value());
    match.rating_max = static_cast<int>(max.value());
  }
  return match;
}

Result<CounterRule> ParseCounter(const JsonValue& object) {
  if (auto ok = CheckMembers(object, {"name", "fact", "when", "kinds", "rating", "any", "day_of",
                                      "value", "dedupe_buyer_days", "exclude", "source"});
      !ok) {
    return ok.error();
  }
  CounterRule rule;
  auto name = object.NonEmptyString("name");
  if (!name) return name.error();
  rule.name = std::move(name).value();
  auto match = ParseMatch(object, /*embedded=*/true);
  if (!match) return match.error();
  rule.match = std::move(match).value();
  auto any = object.Find("any");
  if (!any) return any.error();
  if (any.value()) {
    if (rule.match.fact != FactKind::kOrder) {
      return FieldError(Join(object.path(), "any"), "applies to order counters only");
    }
    auto items = any.value()->AsArray();
    if (!items) return items.error();
    for (const JsonValue& item : items.value()) {
      auto m = ParseMatch(item);
      if (!m) return m.error();
      if (m.value().fact == FactKind::kConversation) {
        return FieldError(item.path(), "must be an order, dispute or feedback fact");
      }
      rule.any.push_back(std::move(m).value());
    }
  }
  auto day = object.NonEmptyString("day_of");
  if (!day) return day.error();
  auto day_index = IndexIn(kDayOfNames, day.value());
  if (!day_index) return FieldError(Join(object.path(), "day_of"), "is not an attribution day");
  rule.day_of = static_cast<DayOf>(*day_index);
  if (!DayFits(rule.match.fact, rule.day_of)) {
    return FieldError(Join(object.path(), "day_of"),
                      "'" + day.value() + "' is not a day of a " +
                          std::string(kFactNames[static_cast<size_t>(rule.match.fact)]));
  }
  auto value = object.OptionalString("value");
  if (!value) return value.error();
  if (value.value()) {
    auto index = IndexIn(kValueNames, *value.value());
    if (!index) return FieldError(Join(object.path(), "value"), "is not a counter value");
    rule.value = static_cast<Value>(*index);
    const bool feedback_value =
        rule.value == Value::kRating || rule.value == Value::kDsrDescribed ||
        rule.value == Value::kDsrCommunication || rule.value == Value::kDsrShipping;
    if ((feedback_value && rule.match.fact != FactKind::kFeedback) ||
        (rule.value == Value::kFirstResponseSeconds &&
         rule.match.fact != FactKind::kConversation)) {
      return FieldError(Join(object.path(), "value"), "does not fit the fact");
    }
  }
  auto dedupe = NonNegativeInt(object, "dedupe_buyer_days");
  if (!dedupe) return dedupe.error();
  if (dedupe.value()) {
    if (rule.match.fact != FactKind::kFeedback) {
      return FieldError(Join(object.path(), "dedupe_buyer_days"), "applies to feedback only");
    }
    rule.dedupe_buyer_days = static_cast<int>(*dedupe.value());
  }
  auto exclude = object.StringArray("exclude");
  if (!exclude) return exclude.error();
  rule.exclude = std::move(exclude).value();
  auto source = object.OptionalString("source");
  if (!source) return source.error();
  rule.source = source.value().value_or("");
  return rule;
}

Result<Exclusion> ParseExclusion(const JsonValue& object) {
  if (auto ok = CheckMembers(object, {"name", "order_value_usd_below", "order_has", "source"});
      !ok) {
    return ok.error();
  }
  Exclusion out;
  auto name = object.NonEmptyString("name");
  if (!name) return name.error();
  out.name = std::move(name).value();
  if (object.Has("order_value_usd_below")) {
    auto value = RatioField(object, "order_value_usd_below");
    if (!value) return value.error();
    out.order_value_usd_below = value.value();
  }
  auto has = object.OptionalObject("order_has");
  if (!has) return has.error();
  if (has.value()) {
    auto match = ParseMatch(*has.value());
    if (!match) return match.error();
    if (match.value().fact == FactKind::kConversation) {
      return FieldError(has.value()->path(), "must be an order, dispute or feedback fact");
    }
    out.order_has = std::move(match).value();
  }
  if (out.order_value_usd_below.has_value() == out.order_has.has_value()) {
    return FieldError(object.path(), "needs exactly one of order_value_usd_below, order_has");
  }
  auto source = object.OptionalString("source");
  if (!source) return source.error();
  out.source = source.value().value_or("");
  return out;
}

Result<std::vector<std::string>> CounterList(const JsonValue& object, std::string_view key) {
  auto list = object.StringArray(key);
  if (!list) return list.error();
  if (list.value().empty()) return FieldError(Join(object.path(), key), "must name a counter");
  return list;
}

Result<Metric> ParseMetric(const JsonValue& object) {
  if (auto ok =
          CheckMembers(object, {"name", "numerator", "denominator", "target", "warning",
                                "min_denominator", "window_days", "coupled", "unit", "source"});
      !ok) {
    return ok.error();
  }
  Metric m;
  auto name = object.NonEmptyString("name");
  if (!name) return name.error();
  m.name = std::move(name).value();
  auto num = CounterList(object, "numerator");
  if (!num) return num.error();
  m.numerator = std::move(num).value();
  auto den = CounterList(object, "denominator");
  if (!den) return den.error();
  m.denominator = std::move(den).value();
  auto target = object.OptionalObject("target");
  if (!target) return target.error();
  if (target.value()) {
    auto t = ParseThreshold(*target.value());
    if (!t) return t.error();
    m.target = std::move(t).value();
  }
  if (object.Has("warning")) {
    if (!m.target) return FieldError(Join(object.path(), "warning"), "needs a target");
    auto w = RatioField(object, "warning");
    if (!w) return w.error();
    m.warning = w.value();
  }
  auto min = NonNegativeInt(object, "min_denominator");
  if (!min) return min.error();
  if (min.value()) m.min_denominator = std::max<int64_t>(1, *min.value());
  auto coupled = object.OptionalBool("coupled");
  if (!coupled) return coupled.error();
  m.coupled = coupled.value().value_or(
      std::all_of(m.numerator.begin(), m.numerator.end(), [&](const std::string& n) {
        return std::find(m.denominator.begin(), m.denominator.end(), n) != m.denominator.end();
      }));
  auto window_days = NonNegativeInt(object, "window_days");
  if (!window_days) return window_days.error();
  if (window_days.value()) {
    if (*window_days.value() > 3660)
      return FieldError(Join(object.path(), "window_days"), "is too long");
    m.window_days = static_cast<int>(*window_days.value());
  }
  auto unit = object.OptionalString("unit");
  if (!unit) return unit.error();
  if (unit.value()) {
    if (*unit.value() != "ratio" && *unit.value() != "average" && *unit.value() != "seconds") {
      return FieldError(Join(object.path(), "unit"), "must be ratio, average or seconds");
    }
    m.unit = *unit.value();
  }
  auto source = object.OptionalString("source");
  if (!source) return source.error();
  m.source = source.value().value_or("");
  return m;
}

template <class T, class F>
Result<std::vector<T>> ParseList(const JsonValue& root, std::string_view key, F parse) {
  std::vector<T> out;
  auto list = root.Find(key);
  if (!list) return list.error();
  if (!list.value()) return out;
  auto items = list.value()->AsArray();
  if (!items) return items.error();
  for (const JsonValue& item : items.value()) {
    auto parsed = parse(item);
    if (!parsed) return parsed.error();
    out.push_back(std::move(parsed).value());
  }
  return out;
}

Result<Window> ParseWindow(const JsonValue& object) {
  if (auto ok = CheckMembers(
          object, {"days", "months", "fallback_months", "fallback_below", "fallback_counter"});
      !ok) {
    return ok.error();
  }
  Window w;
  for (auto [key, field] : {std::pair{"days", &w.days}, std::pair{"months", &w.months},
                            std::pair{"fallback_months", &w.fallback_months}}) {
    auto v = NonNegativeInt(object, key);
    if (!v) return v.error();
    if (v.value()) {
      if (*v.value() > 3660) return FieldError(Join(object.path(), key), "is too long");
      *field = static_cast<int>(*v.value());
    }
  }
  if ((w.days > 0) == (w.months > 0)) {
    return FieldError(object.path(), "needs exactly one of days, months");
  }
  auto below = NonNegativeInt(object, "fallback_below");
  if (!below) return below.error();
  w.fallback_below = below.value().value_or(0);
  auto counter = object.OptionalString("fallback_counter");
  if (!counter) return counter.error();
  w.fallback_counter = counter.value().value_or("");
  if (w.fallback_months > 0 && (w.months == 0 || w.fallback_counter.empty())) {
    return FieldError(object.path(), "fallback_months needs months and fallback_counter");
  }
  return w;
}

Result<DailyScore> ParseScore(const JsonValue& object) {
  if (auto ok = CheckMembers(object, {"items", "bands"}); !ok) return ok.error();
  DailyScore score;
  auto items = ParseList<ScoreItem>(object, "items", [](const JsonValue& v) -> Result<ScoreItem> {
    if (auto ok =
            CheckMembers(v, {"metric", "points", "full_at", "zero_at", "min_points", "source"});
        !ok) {
      return ok.error();
    }
    ScoreItem item;
    auto metric = v.NonEmptyString("metric");
    if (!metric) return metric.error();
    item.metric = std::move(metric).value();
    auto points = v.Int("points");
    if (!points) return points.error();
    item.points = points.value();
    auto full = RatioField(v, "full_at");
    if (!full) return full.error();
    auto zero = RatioField(v, "zero_at");
    if (!zero) return zero.error();
    if (CompareRatio(full.value(), zero.value()) == 0) {
      return FieldError(v.path(), "full_at and zero_at must differ");
    }
    item.full_at = full.value();
    item.zero_at = zero.value();
    auto min = v.OptionalInt("min_points");
    if (!min) return min.error();
    item.min_points = min.value().value_or(0);
    if (item.min_points > item.points) return FieldError(v.path(), "min_points over points");
    auto source = v.OptionalString("source");
    if (!source) return source.error();
    item.source = source.value().value_or("");
    return item;
  });
  if (!items) return items.error();
  score.items = std::move(items).value();
  auto bands = ParseList<Band>(object, "bands", [](const JsonValue& v) -> Result<Band> {
    if (auto ok = CheckMembers(v, {"name", "min"}); !ok) return ok.error();
    Band band;
    auto name = v.NonEmptyString("name");
    if (!name) return name.error();
    band.name = std::move(name).value();
    if (v.Has("min")) {
      auto min = RatioField(v, "min");
      if (!min) return min.error();
      band.min = min.value();
    }
    return band;
  });
  if (!bands) return bands.error();
  score.bands = std::move(bands).value();
  if (score.items.empty() || score.bands.empty() || score.bands.back().min) {
    return FieldError(object.path(), "needs items and bands ending with one without min");
  }
  for (size_t i = 1; i < score.bands.size(); ++i) {
    if (score.bands[i].min && CompareRatio(*score.bands[i].min, *score.bands[i - 1].min) >= 0) {
      return FieldError(object.path() + ".bands", "must be best first with falling minimums");
    }
    if (!score.bands[i - 1].min)
      return FieldError(object.path() + ".bands", "only the last has no min");
  }
  return score;
}

// Cross-references: every name used is defined once.
Result<void> Validate(const RuleSet& rules) {
  std::set<std::string> counters;
  for (const CounterRule& c : rules.counters) {
    if (!counters.insert(c.name).second) return FieldError("counters", "repeats '" + c.name + "'");
    for (const std::string& e : c.exclude) {
      if (rules.FindExclusion(e) == nullptr) {
        return FieldError("counters", "'" + c.name + "' excludes unknown '" + e + "'");
      }
    }
  }
  std::set<std::string> metrics;
  for (const Metric& m : rules.metrics) {
    if (!metrics.insert(m.name).second) return FieldError("metrics", "repeats '" + m.name + "'");
    for (const auto* list : {&m.numerator, &m.denominator}) {
      for (const std::string& c : *list) {
        if (!counters.contains(c)) {
          return FieldError("metrics", "'" + m.name + "' uses unknown counter '" + c + "'");
        }
      }
    }
  }
  if (rules.score ? !rules.grades.empty()
                  : (rules.grades.empty() || !rules.grades.back().require.empty())) {
    return FieldError("grades", rules.score ? "must be absent: the score's bands grade"
                                            : "must end with a grade without requirements");
  }
  for (const Grade& g : rules.grades) {
    for (const Requirement& r : g.require) {
      if (!metrics.contains(r.metric)) {
        return FieldError("grades", "'" + g.name + "' requires unknown metric '" + r.metric + "'");
      }
    }
  }
  if (rules.score) {
    for (const ScoreItem& item : rules.score->items) {
      const Metric* m = rules.FindMetric(item.metric);
      if (m == nullptr) return FieldError("score", "uses unknown metric '" + item.metric + "'");
    }
  }
  if (!rules.window.fallback_counter.empty() && !counters.contains(rules.window.fallback_counter)) {
    return FieldError("window.fallback_counter", "names an unknown counter");
  }
  return Ok();
}

}  // namespace

std::optional<Ratio> ParseDecimalRatio(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  Ratio r{0, 1};
  bool dot = false;
  bool digit = false;
  for (char c : text) {
    if (c == '.') {
      if (dot || !digit) return std::nullopt;
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    digit = true;
    r.num = r.num * 10 + (c - '0');
    if (dot) r.den *= 10;
  }
  if (!digit || text.back() == '.') return std::nullopt;
  return r;
}

int CompareRatio(Ratio a, Ratio b) {
  const __int128 l = static_cast<__int128>(a.num) * b.den;
  const __int128 r = static_cast<__int128>(b.num) * a.den;
  return l < r ? -1 : (l > r ? 1 : 0);
}

std::string FormatRatio(Ratio value, int decimals) {
  __int128 num = value.num;
  __int128 den = value.den;
  if (den < 0) {
    num = -num;
    den = -den;
  }
  const bool negative = num < 0;
  if (negative) num = -num;
  __int128 scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  const __int128 scaled = (num * scale * 2 + den) / (den * 2);  // half away from zero
  std::string digits;
  for (__int128 v = scaled; v > 0 || digits.size() <= static_cast<size_t>(decimals); v /= 10) {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
  }
  if (decimals > 0) digits.insert(digits.end() - decimals, '.');
  if (negative && scaled != 0) digits.insert(digits.begin(), '-');
  return digits;
}

bool Holds(const Threshold& threshold, Ratio value) {
  const int c = CompareRatio(value, threshold.value);
  switch (threshold.op) {
    case Op::kLess:
      return c < 0;
    case Op::kAtMost:
      return c <= 0;
    case Op::kAtLeast:
      return c >= 0;
    case Op::kGreater:
      return c > 0;
  }
  return false;
}

bool LowerIsBetter(Op op) { return op == Op::kLess || op == Op::kAtMost; }

const Metric* RuleSet::FindMetric(std::string_view name) const {
  for (const Metric& m : metrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

const Exclusion* RuleSet::FindExclusion(std::string_view name) const {
  for (const Exclusion& e : exclusions) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

std::optional<std::chrono::seconds> RuleSet::ReplySla(std::string_view marketplace_id) const {
  if (auto it = reply_sla.find(std::string(marketplace_id)); it != reply_sla.end()) {
    return it->second;
  }
  if (auto it = reply_sla.find("*"); it != reply_sla.end()) return it->second;
  return std::nullopt;
}

Result<RuleSet> ParseRuleSet(std::string_view json) {
  auto doc = JsonDocument::ParseObject(json);
  if (!doc) return doc.error();
  const JsonValue& root = doc.value().root();
  if (auto ok = CheckMembers(
          root, {"id", "version", "marketplace", "description", "time_zone", "window", "schedule",
                 "reply_sla", "counters", "exclusions", "metrics", "grades", "score"});
      !ok) {
    return ok.error();
  }
  RuleSet rules;
  auto id = root.NonEmptyString("id");
  if (!id) return id.error();
  rules.id = std::move(id).value();
  auto version = root.Int("version");
  if (!version) return version.error();
  if (version.value() < 1) return FieldError("version", "must be at least 1");
  rules.version = version.value();
  auto marketplace = root.NonEmptyString("marketplace");
  if (!marketplace) return marketplace.error();
  rules.marketplace = std::move(marketplace).value();
  auto description = root.OptionalString("description");
  if (!description) return description.error();
  rules.description = description.value().value_or("");
  auto zone = root.NonEmptyString("time_zone");
  if (!zone) return zone.error();
  if (!i18n::IsKnownZone(zone.value())) {
    return FieldError("time_zone", "names no zone of the system tz database");
  }
  rules.time_zone = std::move(zone).value();
  auto window = root.Object("window");
  if (!window) return window.error();
  auto w = ParseWindow(window.value());
  if (!w) return w.error();
  rules.window = w.value();

  auto schedule = root.Object("schedule");
  if (!schedule) return schedule.error();
  if (auto ok = CheckMembers(schedule.value(), {"every", "day_of_month"}); !ok) return ok.error();
  auto every = schedule.value().NonEmptyString("every");
  if (!every) return every.error();
  if (every.value() != "day" && every.value() != "month") {
    return FieldError("schedule.every", "must be day or month");
  }
  rules.schedule.monthly = every.value() == "month";
  if (rules.schedule.monthly) {
    auto day = schedule.value().Int("day_of_month");
    if (!day) return day.error();
    if (day.value() < 1 || day.value() > 28) {
      return FieldError("schedule.day_of_month", "must be 1..28 (every month has it)");
    }
    rules.schedule.day_of_month = static_cast<int>(day.value());
  }

  auto sla = root.OptionalObject("reply_sla");
  if (!sla) return sla.error();
  if (sla.value()) {
    auto members = sla.value()->AsMembers();
    if (!members) return members.error();
    for (const auto& [key, value] : members.value()) {
      auto text = value.AsString();
      if (!text) return text.error();
      const std::string& t = text.value();
      int64_t n = 0;
      bool ok = t.size() >= 2 && (t.back() == 'h' || t.back() == 'm');
      for (size_t i = 0; ok && i + 1 < t.size(); ++i) {
        ok = t[i] >= '0' && t[i] <= '9';
        n = n * 10 + (t[i] - '0');
        ok = ok && n < 100000;
      }
      if (!ok || n == 0)
        return FieldError(value.path(), "must be a duration like \"24h\" or \"90m\"");
      rules.reply_sla[key] = std::chrono::seconds(n * (t.back() == 'h' ? 3600 : 60));
    }
  }

  auto exclusions = ParseList<Exclusion>(root, "exclusions", ParseExclusion);
  if (!exclusions) return exclusions.error();
  rules.exclusions = std::move(exclusions).value();
  auto counters = ParseList<CounterRule>(root, "counters", ParseCounter);
  if (!counters) return counters.error();
  rules.counters = std::move(counters).value();
  auto metrics = ParseList<Metric>(root, "metrics", ParseMetric);
  if (!metrics) return metrics.error();
  rules.metrics = std::move(metrics).value();
  auto grades = ParseList<Grade>(root, "grades", [](const JsonValue& v) -> Result<Grade> {
    if (auto ok = CheckMembers(v, {"name", "require"}); !ok) return ok.error();
    Grade g;
    auto name = v.NonEmptyString("name");
    if (!name) return name.error();
    g.name = std::move(name).value();
    auto reqs = ParseList<Requirement>(v, "require", [](const JsonValue& r) -> Result<Requirement> {
      auto metric = r.NonEmptyString("metric");
      if (!metric) return metric.error();
      auto t = ParseThreshold(r);
      if (!t) return t.error();
      return Requirement{std::move(metric).value(), std::move(t).value()};
    });
    if (!reqs) return reqs.error();
    g.require = std::move(reqs).value();
    return g;
  });
  if (!grades) return grades.error();
  rules.grades = std::move(grades).value();
  auto score = root.OptionalObject("score");
  if (!score) return score.error();
  if (score.value()) {
    auto s = ParseScore(*score.value());
    if (!s) return s.error();
    rules.score = std::move(s).value();
  }
  if (auto ok = Validate(rules); !ok) return ok.error();
  return rules;
}

const std::vector<RuleSet>& DefaultRuleSets() {
  static const std::vector<RuleSet> sets =
      ParseEmbeddedOrDie<RuleSet>(RuleSetData(), "odr rule set",
                                  [](std::string_view content) { return ParseRuleSet(content); });
  return sets;
}

const RuleSet* FindRuleSet(std::span<const RuleSet> sets, std::string_view id) {
  return FindById(sets, id);
}

std::string_view Name(Op op) { return kOpNames[static_cast<size_t>(op)]; }
std::string_view Name(DayOf day_of) { return kDayOfNames[static_cast<size_t>(day_of)]; }

}  // namespace csgw::odr
