// Builders shared by the dispute tests.
#pragma once

#include <chrono>
#include <string>

#include "base/timestamp.h"
#include "disputes/dispute.h"
#include "disputes/machine.h"
#include "disputes/rules.h"

namespace csgw::disputes::testing {

using std::chrono::days;
using std::chrono::hours;

// 2024-03-01T00:00:00Z: every test time is an offset from here.
inline TimePoint T0() { return FromUnixMillis(1709251200000); }

inline const RuleSet& Rules(std::string_view id) {
  const RuleSet* rules = FindRuleSet(DefaultRuleSets(), id);
  if (rules == nullptr) std::abort();
  return *rules;
}

inline Dispute Fresh(std::string_view rule_set = "aliexpress-2024") {
  return NewDispute("d1", "aliexpress", "store1", "order1", std::string(rule_set));
}

inline DisputeEvent Ev(std::string id, EventKind kind, TimePoint at) {
  DisputeEvent e;
  e.event_id = std::move(id);
  e.kind = kind;
  e.occurred_at = at;
  return e;
}

inline DisputeEvent Opened(TimePoint at, std::string amount = "10.00") {
  DisputeEvent e = Ev("open", EventKind::kOpened, at);
  e.actor = Party::kBuyer;
  e.solution = Solution::kRefundOnly;
  e.amount = Money{std::move(amount), "USD"};
  e.reason = Reason::kDamaged;
  return e;
}

inline DisputeEvent Agreed(std::string id, TimePoint at, Agreement how, Party by = Party::kSeller) {
  DisputeEvent e = Ev(std::move(id), EventKind::kAgreed, at);
  e.agreement = how;
  e.accepted_by = by;
  return e;
}

inline DisputeEvent Ruled(std::string id, TimePoint at, Responsibility who) {
  DisputeEvent e = Ev(std::move(id), EventKind::kRuled, at);
  e.responsibility = who;
  return e;
}

inline DisputeEvent Closed(std::string id, TimePoint at, Refund refund) {
  DisputeEvent e = Ev(std::move(id), EventKind::kClosed, at);
  e.refund = refund;
  return e;
}

inline DisputeEvent EvidenceEvent(std::string id, TimePoint at, Evidence evidence) {
  DisputeEvent e = Ev(std::move(id), EventKind::kEvidenceAdded, at);
  e.evidence = evidence;
  return e;
}

}  // namespace csgw::disputes::testing
