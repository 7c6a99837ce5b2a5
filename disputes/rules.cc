#include "disputes/rules.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <utility>

#include "base/json.h"
#include "disputes/machine.h"

namespace csgw::disputes {
namespace {

constexpr std::array<std::string_view, 3> kAnchorNames = {"opened", "state_entered",
                                                          "buyer_change"};
constexpr std::array<std::string_view, 5> kExpiryNames = {"buyer_proposal_executes",
                                                          "platform_steps_in", "auto_escalate",
                                                          "return_not_shipped", "refund_executes"};
static_assert(kExpiryNames.size() == static_cast<size_t>(Expiry::kRefundExecutes) + 1);

constexpr std::string_view kNoDeadlinesSuffix = "-none";

template <class E, size_t N>
std::optional<E> ParseIn(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

// Unknown members are errors: a misspelt "opens_afer" would otherwise silently drop a rule.
Result<void> CheckMembers(const JsonValue& object, std::initializer_list<std::string_view> known) {
  auto members = object.KnownMembers(known, "rule-set field");
  if (!members) return members.error();
  return Ok();
}

Result<std::chrono::seconds> DurationField(const JsonValue& object, std::string_view key) {
  auto text = object.NonEmptyString(key);
  if (!text) return text.error();
  auto duration = ParseDuration(text.value());
  if (!duration) {
    return FieldError(
        object.path().empty() ? std::string(key) : object.path() + "." + std::string(key),
        "must be a positive duration like \"5d\", \"48h\" or \"30m\"");
  }
  return *duration;
}

Result<DeadlineRule> ParseDeadline(const JsonValue& value) {
  if (auto ok = CheckMembers(value, {"name", "states", "anchor", "after", "opens_after", "actor",
                                     "on_expiry", "source"});
      !ok) {
    return ok.error();
  }
  DeadlineRule rule;
  auto name = value.NonEmptyString("name");
  if (!name) return name.error();
  rule.name = std::move(name).value();
  const std::string path = value.path();

  auto states = value.StringArray("states");
  if (!states) return states.error();
  if (states.value().empty()) return FieldError(path + ".states", "must name at least one state");
  for (const std::string& s : states.value()) {
    auto state = ParseState(s);
    if (!state || !IsOpen(*state)) {
      return FieldError(path + ".states", "has '" + s + "', which is not an open dispute state");
    }
    rule.states.push_back(*state);
  }

  auto anchor = value.NonEmptyString("anchor");
  if (!anchor) return anchor.error();
  auto parsed_anchor = ParseIn<Anchor>(kAnchorNames, anchor.value());
  if (!parsed_anchor) {
    return FieldError(path + ".anchor", "must be one of opened, state_entered, buyer_change");
  }
  rule.anchor = *parsed_anchor;

  auto after = DurationField(value, "after");
  if (!after) return after.error();
  rule.after = after.value();
  if (value.Has("opens_after")) {
    auto opens = DurationField(value, "opens_after");
    if (!opens) return opens.error();
    if (opens.value() >= rule.after) {
      return FieldError(path + ".opens_after", "must be shorter than 'after'");
    }
    rule.opens_after = opens.value();
  }

  auto actor = value.NonEmptyString("actor");
  if (!actor) return actor.error();
  auto parsed_actor = ParseParty(actor.value());
  if (!parsed_actor || *parsed_actor == Party::kNone) {
    return FieldError(path + ".actor", "must be buyer, seller or platform");
  }
  rule.actor = *parsed_actor;

  auto expiry = value.NonEmptyString("on_expiry");
  if (!expiry) return expiry.error();
  auto parsed_expiry = ParseIn<Expiry>(kExpiryNames, expiry.value());
  if (!parsed_expiry) {
    return FieldError(path + ".on_expiry",
                      "must be one of buyer_proposal_executes, platform_steps_in, auto_escalate, "
                      "return_not_shipped, refund_executes");
  }
  rule.on_expiry = *parsed_expiry;
  for (State s : rule.states) {
    if (!ExpiryTarget(s, rule.on_expiry)) {
      return FieldError(path + ".on_expiry", "'" + expiry.value() +
                                                 "' is not a legal transition from state '" +
                                                 std::string(Name(s)) + "'");
    }
  }

  auto source = value.OptionalString("source");
  if (!source) return source.error();
  rule.source = source.value().value_or("");
  return rule;
}

}  // namespace

std::optional<std::chrono::seconds> ParseDuration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  const char unit = text.back();
  int64_t count = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    count = count * 10 + (c - '0');
    if (count > 10'000'000) return std::nullopt;  // over a century in minutes: a typo
  }
  if (count == 0) return std::nullopt;
  switch (unit) {
    case 'd':
      return std::chrono::seconds(count * 86400);
    case 'h':
      return std::chrono::seconds(count * 3600);
    case 'm':
      return std::chrono::seconds(count * 60);
    case 's':
      return std::chrono::seconds(count);
    default:
      return std::nullopt;
  }
}

Result<RuleSet> ParseRuleSet(std::string_view json) {
  auto doc = JsonDocument::ParseObject(json);
  if (!doc) return doc.error();
  const JsonValue& root = doc.value().root();
  if (auto ok = CheckMembers(
          root, {"id", "version", "marketplace", "description", "alerts_before", "deadlines"});
      !ok) {
    return ok.error();
  }
  RuleSet rules;
  auto id = root.NonEmptyString("id");
  if (!id) return id.error();
  rules.id = std::move(id).value();
  auto version = root.Int("version");
  if (!version) return version.error();
  if (version.value() < 1) return FieldError("version", "must be 1 or more");
  rules.version = version.value();
  auto marketplace = root.NonEmptyString("marketplace");
  if (!marketplace) return marketplace.error();
  rules.marketplace = std::move(marketplace).value();
  auto description = root.OptionalString("description");
  if (!description) return description.error();
  rules.description = description.value().value_or("");

  auto alerts = root.StringArray("alerts_before");
  if (!alerts) return alerts.error();
  if (!root.Has("alerts_before")) {
    rules.alerts_before = {std::chrono::hours(48), std::chrono::hours(24), std::chrono::hours(4)};
  }
  for (const std::string& text : alerts.value()) {
    auto duration = ParseDuration(text);
    if (!duration) return FieldError("alerts_before", "has '" + text + "', not a duration");
    rules.alerts_before.push_back(*duration);
  }
  std::sort(rules.alerts_before.rbegin(), rules.alerts_before.rend());
  if (std::adjacent_find(rules.alerts_before.begin(), rules.alerts_before.end()) !=
      rules.alerts_before.end()) {
    return FieldError("alerts_before", "lists one offset twice");
  }

  auto deadlines = root.Get("deadlines");
  if (!deadlines) return deadlines.error();
  auto items = deadlines.value().AsArray();
  if (!items) return items.error();
  std::set<std::string> names;
  for (const JsonValue& item : items.value()) {
    auto rule = ParseDeadline(item);
    if (!rule) return rule.error();
    if (!names.insert(rule.value().name).second) {
      return FieldError(item.path() + ".name", "repeats '" + rule.value().name + "'");
    }
    rules.deadlines.push_back(std::move(rule).value());
  }
  return rules;
}

const std::vector<RuleSet>& DefaultRuleSets() {
  static const std::vector<RuleSet> sets =
      ParseEmbeddedOrDie<RuleSet>(RuleSetData(), "disputes rule set",
                                  [](std::string_view content) { return ParseRuleSet(content); });
  return sets;
}

const RuleSet* FindRuleSet(std::span<const RuleSet> sets, std::string_view id) {
  return FindById(sets, id);
}

std::string NoDeadlinesRuleSetId(std::string_view marketplace) {
  return std::string(marketplace) + std::string(kNoDeadlinesSuffix);
}

const RuleSet* FindBuiltinRuleSet(std::string_view id) {
  if (const RuleSet* rules = FindRuleSet(DefaultRuleSets(), id)) return rules;
  if (!id.ends_with(kNoDeadlinesSuffix) || id.size() == kNoDeadlinesSuffix.size()) return nullptr;
  // Built once per id, kept for the process: ids come from stored disputes and config, whose
  // marketplaces are few.
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<RuleSet>, std::less<>> empty_sets;
  std::lock_guard lock(mutex);
  auto it = empty_sets.find(id);
  if (it == empty_sets.end()) {
    auto rules = std::make_unique<RuleSet>();
    rules->id = std::string(id);
    rules->version = 1;
    rules->marketplace = std::string(id.substr(0, id.size() - kNoDeadlinesSuffix.size()));
    rules->description = "no deadlines sourced for this marketplace yet: state only";
    using std::chrono::hours;
    rules->alerts_before = {hours(48), hours(24), hours(4)};
    it = empty_sets.emplace(std::string(id), std::move(rules)).first;
  }
  return it->second.get();
}

std::string_view Name(Anchor value) { return kAnchorNames[static_cast<size_t>(value)]; }
std::string_view Name(Expiry value) { return kExpiryNames[static_cast<size_t>(value)]; }

}  // namespace csgw::disputes
