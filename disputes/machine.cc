#include "disputes/machine.h"

#include <algorithm>
#include <initializer_list>
#include <set>
#include <tuple>
#include <utility>

#include "base/timestamp.h"
#include "disputes/deadlines.h"

namespace csgw::disputes {
namespace {

using S = State;

bool In(State s, std::initializer_list<State> set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

bool HistoryLess(const DisputeEvent& a, const DisputeEvent& b) {
  return std::tie(a.occurred_at, a.sequence, a.step, a.event_id) <
         std::tie(b.occurred_at, b.sequence, b.step, b.event_id);
}

Error Illegal(const Dispute& d, const DisputeEvent& e, std::string_view why) {
  return MakeError(Errc::kInvalidField, "dispute " + d.id + ": event " + e.event_id + " (" +
                                            std::string(Name(e.kind)) +
                                            ") is not allowed in state " +
                                            std::string(Name(d.state)) + ": " + std::string(why));
}

bool HasPending(const Dispute& d, Party party) {
  return std::any_of(d.proposals.begin(), d.proposals.end(), [&](const Proposal& p) {
    return p.party == party && p.status == ProposalStatus::kPending;
  });
}

// The event a deadline's expiry stands for: the timer firing means what the platform does.
DisputeEvent ExpiryEvent(const DisputeEvent& timeout, Expiry expiry) {
  DisputeEvent e = timeout;
  switch (expiry) {
    case Expiry::kBuyerProposalExecutes:
      e.kind = EventKind::kAgreed;
      e.agreement = Agreement::kSellerTimeout;
      break;
    case Expiry::kPlatformStepsIn:
    case Expiry::kAutoEscalate:
      e.kind = EventKind::kEscalated;
      break;
    case Expiry::kReturnNotShipped:
      e.kind = EventKind::kClosed;
      e.refund = Refund::kNoRefund;
      break;
    case Expiry::kRefundExecutes:
      e.kind = EventKind::kClosed;
      e.refund = Refund::kFull;
      break;
  }
  return e;
}

// The state `e` leads to from d.state, or why it cannot. For a deadline expiry, `effective`
// becomes the event it stands for.
Result<State> Target(const Dispute& d, const DisputeEvent& e, const RuleSet& rules,
                     DisputeEvent& effective) {
  const State s = d.state;
  effective = e;
  if (s == S::kNone && e.kind != EventKind::kOpened) {
    return Illegal(d, e, "the dispute has not been opened yet");
  }
  constexpr std::string_view kAfterAgreement = "proposals end with the agreement or the ruling";
  constexpr std::string_view kEnded = "the dispute has ended";
  switch (e.kind) {
    case EventKind::kOpened:
      if (s != S::kNone) return Illegal(d, e, "the dispute is already open");
      return S::kAwaitingSellerResponse;
    case EventKind::kBuyerProposed:
      if (In(s, {S::kAwaitingSellerResponse, S::kNegotiating})) {
        return S::kAwaitingSellerResponse;
      }
      if (s == S::kArbitrating) return S::kArbitrating;
      return Illegal(d, e, kAfterAgreement);
    case EventKind::kSellerProposed:
      if (In(s, {S::kAwaitingSellerResponse, S::kNegotiating})) return S::kNegotiating;
      if (s == S::kArbitrating) return S::kArbitrating;
      return Illegal(d, e, kAfterAgreement);
    case EventKind::kSellerOffered:
      if (In(s, {S::kAwaitingSellerResponse, S::kNegotiating, S::kArbitrating})) return s;
      return Illegal(d, e, kAfterAgreement);
    case EventKind::kBuyerRejected:
      if (!In(s, {S::kAwaitingSellerResponse, S::kNegotiating, S::kArbitrating})) {
        return Illegal(d, e, kAfterAgreement);
      }
      if (!HasPending(d, Party::kSeller) && !HasPending(d, Party::kPlatform)) {
        return Illegal(d, e, "there is no pending seller or platform proposal to refuse");
      }
      return s == S::kArbitrating ? S::kArbitrating : S::kAwaitingSellerResponse;
    case EventKind::kPlatformProposed:
      if (s == S::kArbitrating) return S::kArbitrating;
      return Illegal(d, e, "the platform proposes only during arbitration");
    case EventKind::kAgreed:
      if (e.agreement == Agreement::kNone) {
        return Illegal(d, e, "the agreement kind (consensus or seller timeout) is missing");
      }
      if (s == S::kAgreed) return S::kAgreed;  // observed again (our timer, then the poll)
      if (e.agreement == Agreement::kConsensus &&
          In(s, {S::kAwaitingSellerResponse, S::kNegotiating, S::kArbitrating})) {
        return S::kAgreed;
      }
      if (e.agreement == Agreement::kSellerTimeout &&
          In(s, {S::kAwaitingSellerResponse, S::kNegotiating})) {
        return S::kAgreed;
      }
      return Illegal(d, e,
                     e.agreement == Agreement::kSellerTimeout
                         ? "a seller timeout can only end the negotiation"
                         : "an agreement needs an open negotiation or arbitration");
    case EventKind::kEscalated:
      if (In(s, {S::kAwaitingSellerResponse, S::kNegotiating, S::kArbitrating,
                 S::kAwaitingReturnShipment, S::kAwaitingSellerReceipt})) {
        return S::kArbitrating;
      }
      return Illegal(d, e, "escalation needs an open negotiation or return");
    case EventKind::kRuled:
      if (e.responsibility == Responsibility::kNone) {
        return Illegal(d, e, "the ruling's responsibility is missing");
      }
      if (In(s, {S::kArbitrating, S::kRuled})) return S::kRuled;
      return Illegal(d, e, "a ruling needs an arbitration");
    case EventKind::kReturnRequested:
      if (In(s, {S::kAgreed, S::kRuled, S::kAwaitingReturnShipment})) {
        return S::kAwaitingReturnShipment;
      }
      return Illegal(d, e, "a return needs an agreement or a ruling first");
    case EventKind::kReturnShipped:
      if (In(s, {S::kAwaitingReturnShipment, S::kAwaitingSellerReceipt})) {
        return S::kAwaitingSellerReceipt;
      }
      return Illegal(d, e, "no return is awaited");
    case EventKind::kClosed:
      if (e.refund == Refund::kNone) return Illegal(d, e, "the refund outcome is missing");
      if (s == S::kClosed || IsOpen(s)) return S::kClosed;
      return Illegal(d, e, kEnded);
    case EventKind::kCancelled:
      if (s == S::kCancelled || IsOpen(s)) return S::kCancelled;
      return Illegal(d, e, kEnded);
    case EventKind::kEvidenceAdded:
      if (!e.evidence) return Illegal(d, e, "the evidence kind is missing");
      if (IsOpen(s)) return s;
      return Illegal(d, e, kEnded);
    case EventKind::kDeadlineExpired: {
      if (!IsOpen(s)) return Illegal(d, e, kEnded);
      for (const Deadline& deadline : OpenDeadlines(d, rules)) {
        if (deadline.name != e.deadline) continue;
        if (deadline.due_at != e.occurred_at) {
          // A timer set for an earlier anchor: the buyer changed the proposal since, or the
          // state was left and entered again.
          return Illegal(d, e,
                         "deadline '" + e.deadline + "' is due at " +
                             FormatIsoMillis(deadline.due_at) + ", not at " +
                             FormatIsoMillis(e.occurred_at));
        }
        auto to = ExpiryTarget(s, deadline.on_expiry);
        if (!to) return Illegal(d, e, "the deadline's expiry is not a transition from here");
        effective = ExpiryEvent(e, deadline.on_expiry);
        return *to;
      }
      return Illegal(d, e, "no deadline '" + e.deadline + "' is running");
    }
  }
  return Illegal(d, e, "unknown event kind");
}

void SupersedePending(Dispute& d, TimePoint t, std::optional<Party> party, int except = -1) {
  for (size_t i = 0; i < d.proposals.size(); ++i) {
    Proposal& p = d.proposals[i];
    if (static_cast<int>(i) == except || p.status != ProposalStatus::kPending) continue;
    if (party && p.party != *party) continue;
    p.status = ProposalStatus::kSuperseded;
    p.updated_at = t;
  }
}

void RejectPending(Dispute& d, TimePoint t, std::initializer_list<Party> parties) {
  for (Proposal& p : d.proposals) {
    if (p.status != ProposalStatus::kPending) continue;
    if (std::find(parties.begin(), parties.end(), p.party) == parties.end()) continue;
    p.status = ProposalStatus::kRejected;
    p.updated_at = t;
  }
}

// The proposal with marketplace id `id` made by one of `parties` (any party if empty): ids
// are the marketplace's, and nothing stops two parties' lists from reusing one.
int FindProposal(const Dispute& d, std::string_view id, std::initializer_list<Party> parties) {
  for (size_t i = 0; i < d.proposals.size(); ++i) {
    const Proposal& p = d.proposals[i];
    if (p.id != id) continue;
    if (parties.size() == 0 ||
        std::find(parties.begin(), parties.end(), p.party) != parties.end()) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

void AddProposal(Dispute& d, Party party, const DisputeEvent& e) {
  const TimePoint t = e.occurred_at;
  // A marketplace that names its proposals re-sends the same one on every poll: update it.
  int existing = e.proposal_id.empty() ? -1 : FindProposal(d, e.proposal_id, {party});
  SupersedePending(d, t, party, existing);
  if (existing >= 0) {
    Proposal& p = d.proposals[existing];
    if (e.solution != Solution::kUnspecified) p.solution = e.solution;
    if (e.amount) p.amount = e.amount;
    p.status = ProposalStatus::kPending;
    p.updated_at = t;
    return;
  }
  d.proposals.push_back(Proposal{e.proposal_id.empty() ? e.event_id : e.proposal_id, party,
                                 e.solution, e.amount, ProposalStatus::kPending, t, t});
}

// Marks the proposal that `e` accepts: the named one, else the latest pending one of
// `parties`, else (a seller timeout executes the buyer's) the latest live one of `parties`,
// else a new one built from the event. Other pending proposals are superseded.
void Accept(Dispute& d, const DisputeEvent& e, std::initializer_list<Party> parties) {
  const TimePoint t = e.occurred_at;
  auto of = [&](const Proposal& p) {
    return parties.size() == 0 ||
           std::find(parties.begin(), parties.end(), p.party) != parties.end();
  };
  int index = e.proposal_id.empty() ? -1 : FindProposal(d, e.proposal_id, parties);
  for (int i = static_cast<int>(d.proposals.size()) - 1; index < 0 && i >= 0; --i) {
    if (of(d.proposals[i]) && d.proposals[i].status == ProposalStatus::kPending) index = i;
  }
  for (int i = static_cast<int>(d.proposals.size()) - 1; index < 0 && i >= 0; --i) {
    if (of(d.proposals[i]) && d.proposals[i].status == ProposalStatus::kRejected) index = i;
  }
  if (index < 0) {
    const Party party = parties.size() > 0 ? *parties.begin() : Party::kNone;
    d.proposals.push_back(Proposal{e.proposal_id.empty() ? e.event_id : e.proposal_id, party,
                                   e.solution, e.amount, ProposalStatus::kPending, t, t});
    index = static_cast<int>(d.proposals.size()) - 1;
  }
  Proposal& p = d.proposals[index];
  p.status = ProposalStatus::kAccepted;
  p.updated_at = t;
  if (p.solution == Solution::kUnspecified) p.solution = e.solution;
  if (e.amount) p.amount = e.amount;
  SupersedePending(d, t, std::nullopt, index);
  d.accepted_proposal = index;
}

void Mutate(Dispute& d, const DisputeEvent& e, State to) {
  const TimePoint t = e.occurred_at;
  const State from = d.state;
  switch (e.kind) {
    case EventKind::kOpened:
      d.opened_at = t;
      d.buyer_changed_at = t;
      AddProposal(d, Party::kBuyer, e);
      break;
    case EventKind::kBuyerProposed:
      d.buyer_changed_at = t;
      AddProposal(d, Party::kBuyer, e);
      break;
    case EventKind::kSellerProposed:
      RejectPending(d, t, {Party::kBuyer});
      AddProposal(d, Party::kSeller, e);
      break;
    case EventKind::kSellerOffered:
      AddProposal(d, Party::kSeller, e);
      break;
    case EventKind::kBuyerRejected:
      d.buyer_changed_at = t;
      RejectPending(d, t, {Party::kSeller, Party::kPlatform});
      break;
    case EventKind::kPlatformProposed:
      AddProposal(d, Party::kPlatform, e);
      break;
    case EventKind::kAgreed:
      if (from == S::kAgreed) break;
      d.agreement = e.agreement;
      if (e.agreement == Agreement::kSellerTimeout || e.accepted_by == Party::kSeller) {
        Accept(d, e, {Party::kBuyer});
      } else if (e.accepted_by == Party::kBuyer) {
        Accept(d, e, {Party::kSeller, Party::kPlatform});
      } else {
        Accept(d, e, {});
      }
      break;
    case EventKind::kEscalated:
      if (In(from, {S::kAwaitingReturnShipment, S::kAwaitingSellerReceipt})) {
        // AliExpress reach_cancle: the reached plan is cancelled when the return stage goes to
        // arbitration; the platform's plan replaces it.
        if (d.accepted_proposal >= 0) {
          d.proposals[d.accepted_proposal].status = ProposalStatus::kSuperseded;
          d.proposals[d.accepted_proposal].updated_at = t;
        }
        d.accepted_proposal = -1;
        d.agreement = Agreement::kNone;
        d.responsibility = Responsibility::kNone;
      }
      break;
    case EventKind::kRuled:
      if (from == S::kRuled) {
        // A later report may name the responsibility an earlier one left open.
        if (d.responsibility == Responsibility::kUnknown) d.responsibility = e.responsibility;
        break;
      }
      d.responsibility = e.responsibility;
      Accept(d, e, {Party::kPlatform});
      break;
    case EventKind::kReturnRequested:
    case EventKind::kReturnShipped:
      break;
    case EventKind::kClosed:
      if (from == S::kClosed) break;
      d.refund = e.refund;
      if (e.amount) {
        d.refund_amount = e.amount;
      } else if (e.refund != Refund::kNoRefund && d.accepted_proposal >= 0) {
        d.refund_amount = d.proposals[d.accepted_proposal].amount;
      }
      if (e.refund != Refund::kNoRefund && d.accepted_proposal >= 0) {
        d.proposals[d.accepted_proposal].status = ProposalStatus::kExecuted;
        d.proposals[d.accepted_proposal].updated_at = t;
      }
      SupersedePending(d, t, std::nullopt);
      break;
    case EventKind::kCancelled:
      SupersedePending(d, t, std::nullopt);
      break;
    case EventKind::kEvidenceAdded:
      if (std::find(d.evidence.begin(), d.evidence.end(), *e.evidence) == d.evidence.end()) {
        d.evidence.push_back(*e.evidence);
      }
      break;
    case EventKind::kDeadlineExpired:
      break;  // never reaches here: Target rewrote it
  }
  if (e.reason) d.reason = *e.reason;
  if (e.after_sales_protection) d.after_sales_protection = *e.after_sales_protection;
  if (!e.marketplace_status.empty()) d.marketplace_status = e.marketplace_status;
  if (to != from) {
    d.state = to;
    d.state_entered_at = t;
  }
  d.updated_at = std::max(d.updated_at, t);
}

Result<void> Step(Dispute& d, const DisputeEvent& e, const RuleSet& rules) {
  DisputeEvent effective;
  auto to = Target(d, e, rules, effective);
  if (!to) return to.error();
  Mutate(d, effective, to.value());
  return Ok();
}

Error Broken(const Dispute& d, std::string_view what) {
  return MakeError(Errc::kInternal, "dispute " + d.id + ": invariant broken: " + std::string(what));
}

}  // namespace

Dispute NewDispute(std::string id, std::string marketplace, std::string store_id,
                   std::string order_id, std::string rule_set_id) {
  Dispute d;
  d.id = std::move(id);
  d.marketplace = std::move(marketplace);
  d.store_id = std::move(store_id);
  d.order_id = std::move(order_id);
  d.rule_set_id = std::move(rule_set_id);
  return d;
}

std::optional<State> ExpiryTarget(State from, Expiry expiry) {
  switch (expiry) {
    case Expiry::kBuyerProposalExecutes:
      if (In(from, {S::kAwaitingSellerResponse, S::kNegotiating})) return S::kAgreed;
      break;
    case Expiry::kPlatformStepsIn:
    case Expiry::kAutoEscalate:
      if (In(from, {S::kAwaitingSellerResponse, S::kNegotiating, S::kAwaitingReturnShipment,
                    S::kAwaitingSellerReceipt})) {
        return S::kArbitrating;
      }
      break;
    case Expiry::kReturnNotShipped:
      if (from == S::kAwaitingReturnShipment) return S::kClosed;
      break;
    case Expiry::kRefundExecutes:
      if (In(from, {S::kAgreed, S::kRuled, S::kAwaitingSellerReceipt})) return S::kClosed;
      break;
  }
  return std::nullopt;
}

void Rederive(Dispute& dispute, const RuleSet& rules) {
  Dispute fresh =
      NewDispute(std::move(dispute.id), std::move(dispute.marketplace), std::move(dispute.store_id),
                 std::move(dispute.order_id), std::move(dispute.rule_set_id));
  fresh.history = std::move(dispute.history);
  dispute = std::move(fresh);
  for (HistoryEntry& entry : dispute.history) {
    auto ok = Step(dispute, entry.event, rules);
    entry.applied = static_cast<bool>(ok);
    entry.note = ok ? std::string() : ok.error().message;
  }
}

Result<ApplyReport> Apply(Dispute& dispute, const DisputeEvent& event, const RuleSet& rules) {
  if (event.event_id.empty()) {
    return MakeError(Errc::kMissingField, "dispute " + dispute.id + ": event id is required");
  }
  if (rules.id != dispute.rule_set_id) {
    return MakeError(Errc::kInvalidField, "dispute " + dispute.id + " follows rule set '" +
                                              dispute.rule_set_id + "', not '" + rules.id + "'");
  }
  ApplyReport report;
  report.from = dispute.state;
  for (auto it = dispute.history.begin(); it != dispute.history.end(); ++it) {
    if (it->event.event_id != event.event_id) continue;
    // An implied event is inferred from a snapshot: "it happened by then". Several snapshots
    // infer it under one id (the opening); the earliest is the tightest bound, so it wins
    // whatever the order the snapshots arrive in. Anything else: the first copy wins.
    if (!(it->event.implied && event.implied && HistoryLess(event, it->event))) {
      report.outcome = ApplyOutcome::kDuplicate;
      report.to = dispute.state;
      return report;
    }
    dispute.history.erase(it);
    report.outcome = ApplyOutcome::kReplaced;
    break;
  }
  if (dispute.history.size() >= kMaxHistory) {
    return MakeError(Errc::kPayloadTooLarge, "dispute " + dispute.id + " already holds " +
                                                 std::to_string(kMaxHistory) + " events");
  }
  std::set<std::string> applied_before;
  std::set<std::string> held_before;
  for (const HistoryEntry& entry : dispute.history) {
    (entry.applied ? applied_before : held_before).insert(entry.event.event_id);
  }
  auto at = std::upper_bound(
      dispute.history.begin(), dispute.history.end(), event,
      [](const DisputeEvent& e, const HistoryEntry& h) { return HistoryLess(e, h.event); });
  dispute.history.insert(at, HistoryEntry{event, false, ""});
  Rederive(dispute, rules);

  const HistoryEntry* added = nullptr;
  for (const HistoryEntry& entry : dispute.history) {
    if (entry.event.event_id == event.event_id) added = &entry;
    if (entry.applied && held_before.count(entry.event.event_id) > 0) {
      report.released.push_back(entry.event.event_id);
    }
    if (!entry.applied && applied_before.count(entry.event.event_id) > 0) {
      report.unapplied.push_back(entry.event.event_id);
    }
  }
  report.to = dispute.state;
  if (added->applied) return report;
  if (event.implied) {
    if (report.outcome != ApplyOutcome::kReplaced) report.outcome = ApplyOutcome::kSkipped;
    return report;
  }
  return MakeError(Errc::kInvalidField,
                   added->note + " (kept, not applied: an earlier event may still arrive)");
}

Result<void> CheckInvariants(const Dispute& d) {
  std::set<std::string> ids;
  for (size_t i = 0; i < d.history.size(); ++i) {
    if (!ids.insert(d.history[i].event.event_id).second) return Broken(d, "repeated event id");
    if (i > 0 && !HistoryLess(d.history[i - 1].event, d.history[i].event)) {
      return Broken(d, "history out of order");
    }
  }
  const bool any_applied = std::any_of(d.history.begin(), d.history.end(),
                                       [](const HistoryEntry& h) { return h.applied; });
  if (d.state == S::kNone) {
    if (any_applied || !d.proposals.empty()) return Broken(d, "events applied without opening");
    return Ok();
  }
  if (!any_applied) return Broken(d, "a state without applied events");
  if (d.state_entered_at < d.opened_at || d.updated_at < d.state_entered_at ||
      d.buyer_changed_at < d.opened_at) {
    return Broken(d, "times out of order");
  }
  const bool has_accepted = d.accepted_proposal >= 0;
  if (d.accepted_proposal >= static_cast<int>(d.proposals.size())) {
    return Broken(d, "accepted proposal out of range");
  }
  if (has_accepted) {
    const ProposalStatus s = d.proposals[d.accepted_proposal].status;
    if (s != ProposalStatus::kAccepted && s != ProposalStatus::kExecuted) {
      return Broken(d, "the accepted proposal is not accepted");
    }
  }
  int accepted_count = 0;
  std::set<Party> pending_parties;
  for (const Proposal& p : d.proposals) {
    if (p.status == ProposalStatus::kAccepted || p.status == ProposalStatus::kExecuted) {
      ++accepted_count;
    }
    if (p.status == ProposalStatus::kPending && !pending_parties.insert(p.party).second) {
      return Broken(d, "two pending proposals of one party");
    }
    if (p.updated_at < p.created_at) return Broken(d, "proposal times out of order");
  }
  if (accepted_count > 1) return Broken(d, "more than one accepted proposal");
  if (accepted_count == 1 && !has_accepted) return Broken(d, "an accepted proposal not tracked");
  switch (d.state) {
    case S::kAgreed:
      if (d.agreement == Agreement::kNone || !has_accepted) {
        return Broken(d, "agreed without agreement or accepted proposal");
      }
      break;
    case S::kRuled:
      if (d.responsibility == Responsibility::kNone || !has_accepted) {
        return Broken(d, "ruled without responsibility or accepted proposal");
      }
      break;
    case S::kAwaitingReturnShipment:
    case S::kAwaitingSellerReceipt:
      if (!has_accepted) return Broken(d, "a return without an accepted proposal");
      break;
    case S::kAwaitingSellerResponse:
    case S::kNegotiating:
      if (has_accepted || d.agreement != Agreement::kNone ||
          d.responsibility != Responsibility::kNone) {
        return Broken(d, "negotiating with an agreement or ruling");
      }
      break;
    default:
      break;
  }
  if ((d.state == S::kClosed) != (d.refund != Refund::kNone)) {
    return Broken(d, "refund outcome and closed state disagree");
  }
  if (IsTerminal(d.state) && !pending_parties.empty()) {
    return Broken(d, "pending proposals in an ended dispute");
  }
  return Ok();
}

}  // namespace csgw::disputes
