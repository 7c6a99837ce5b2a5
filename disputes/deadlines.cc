#include "disputes/deadlines.h"

#include <algorithm>

namespace csgw::disputes {
namespace {

TimePoint AnchorTime(const Dispute& dispute, Anchor anchor) {
  switch (anchor) {
    case Anchor::kOpened:
      return dispute.opened_at;
    case Anchor::kStateEntered:
      return dispute.state_entered_at;
    case Anchor::kBuyerChange:
      return dispute.buyer_changed_at;
  }
  return dispute.opened_at;
}

}  // namespace

std::vector<Deadline> OpenDeadlines(const Dispute& dispute, const RuleSet& rules) {
  std::vector<Deadline> out;
  if (!IsOpen(dispute.state)) return out;
  for (const DeadlineRule& rule : rules.deadlines) {
    if (std::find(rule.states.begin(), rule.states.end(), dispute.state) == rule.states.end()) {
      continue;
    }
    if (rule.actor == Party::kSeller && dispute.after_sales_protection) continue;
    Deadline d;
    d.name = rule.name;
    d.actor = rule.actor;
    d.on_expiry = rule.on_expiry;
    d.started_at = AnchorTime(dispute, rule.anchor);
    if (rule.opens_after) d.opens_at = d.started_at + *rule.opens_after;
    d.due_at = d.started_at + rule.after;
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end(), [](const Deadline& a, const Deadline& b) {
    return a.due_at != b.due_at ? a.due_at < b.due_at : a.name < b.name;
  });
  return out;
}

std::vector<Alert> AlertTimes(const Deadline& deadline, const RuleSet& rules) {
  return AlertTimes(deadline, rules.alerts_before);
}

std::vector<Alert> AlertTimes(const Deadline& deadline,
                              std::span<const std::chrono::seconds> alerts_before) {
  std::vector<Alert> out;
  for (std::chrono::seconds before : alerts_before) {
    const TimePoint at = deadline.due_at - before;
    if (at < deadline.started_at) continue;
    out.push_back(Alert{deadline.name, deadline.actor, at, before, deadline.due_at});
  }
  std::sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) { return a.at < b.at; });
  return out;
}

std::vector<Alert> AlertTimes(const std::vector<Deadline>& deadlines, const RuleSet& rules) {
  std::vector<Alert> out;
  for (const Deadline& d : deadlines) {
    for (Alert& a : AlertTimes(d, rules)) out.push_back(std::move(a));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Alert& a, const Alert& b) { return a.at < b.at; });
  return out;
}

std::optional<TimePoint> NearestDue(const std::vector<Deadline>& deadlines) {
  std::optional<TimePoint> nearest;
  for (const Deadline& d : deadlines) {
    if (!nearest || d.due_at < *nearest) nearest = d.due_at;
  }
  return nearest;
}

DisputeEvent TimeoutEvent(const Dispute& dispute, const Deadline& deadline) {
  return TimeoutEvent(dispute.id, deadline.name, deadline.due_at);
}

DisputeEvent TimeoutEvent(std::string_view dispute_id, std::string_view deadline,
                          TimePoint due_at) {
  DisputeEvent event;
  event.event_id = std::string(dispute_id) + "/deadline/" + std::string(deadline) + "/" +
                   std::to_string(ToUnixMillis(due_at));
  event.kind = EventKind::kDeadlineExpired;
  event.occurred_at = due_at;
  event.actor = Party::kPlatform;
  event.deadline = std::string(deadline);
  return event;
}

}  // namespace csgw::disputes
