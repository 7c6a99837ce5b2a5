// The dispute state machine: pure, deterministic, no clock (times come from events).
//
// Transitions (from → event → to; "=" keeps the state, a re-observation of it):
//   none                     opened                    → awaiting_seller_response
//   awaiting_seller_response buyer_proposed, buyer_rejected → awaiting_seller_response
//   awaiting_seller_response seller_proposed           → negotiating
//   negotiating              seller_proposed           = ; buyer_proposed, buyer_rejected
//                                                      → awaiting_seller_response
//   awaiting_seller_response, negotiating, arbitrating  seller_offered = (csgw's own proposal,
//                                                      recorded as pending; see dispute.h)
//   awaiting_seller_response, negotiating, arbitrating  agreed (consensus) → agreed
//   awaiting_seller_response, negotiating  agreed (seller timeout) → agreed
//   awaiting_seller_response, negotiating  escalated   → arbitrating
//   arbitrating              any proposal / refusal, escalated = ; ruled → ruled
//   agreed, ruled            return_requested          → awaiting_return_shipment
//   awaiting_return_shipment return_shipped            → awaiting_seller_receipt
//   awaiting_return_shipment, awaiting_seller_receipt  escalated → arbitrating (the accepted
//                                                      proposal is superseded: reach_cancle)
//   any open state           closed                    → closed (full | partial | no refund)
//   any open state           cancelled                 → cancelled
//   any open state           evidence_added            =
//   an open deadline passes  deadline_expired          → per its on_expiry (rules.h):
//       buyer_proposal_executes → agreed (seller timeout); platform_steps_in, auto_escalate →
//       arbitrating; return_not_shipped → closed (no refund); refund_executes → closed (full)
// Everything else is illegal, e.g. anything after closed/cancelled (except re-observing the
// same end), return events before an agreement, a seller timeout once the seller answered.
//
// Order and idempotency. A dispute keeps every distinct event in its history sorted by
// (occurred_at, sequence, step, event_id) and derives its state by replaying that history
// from the start after each insertion. Hence:
// - the same event id twice is a no-op (the first copy wins), except that of two copies of an
//   implied event the earlier one wins (kReplaced): the implied opening every snapshot of a
//   dispute carries takes the time of the earliest snapshot, in whatever order they arrive;
// - a late event takes its place in time: an older event never moves the state backwards,
//   it is replayed before the newer ones;
// - an event illegal where it sorts is rejected with an error, and kept (not applied) in the
//   history: once a missing earlier event arrives, the replay applies it. So the derived
//   state depends only on the set of events, never on their arrival order.
// - implied events (DisputeEvent::implied) illegal where they sort are skipped without error.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "disputes/dispute.h"
#include "disputes/rules.h"

namespace csgw::disputes {

// Bounds the history: a dispute with more events than this is a runaway producer.
inline constexpr size_t kMaxHistory = 1000;

// A new dispute with its identity and no events (state none).
Dispute NewDispute(std::string id, std::string marketplace, std::string store_id,
                   std::string order_id, std::string rule_set_id);

enum class ApplyOutcome {
  kApplied,    // part of the state now
  kDuplicate,  // an event with this id was already in the history: nothing changed
  kSkipped,    // an implied event the dispute is already past: kept, not applied
  kReplaced,   // an earlier copy of an implied event took the later copy's place
};

struct ApplyReport {
  ApplyOutcome outcome = ApplyOutcome::kApplied;
  State from = State::kNone;  // derived state before the call
  State to = State::kNone;    // and after
  // Events applied before this call and no longer applied: a late event conflicted with them
  // (contradictory marketplace data). Empty in any consistent history.
  std::vector<std::string> unapplied;
  // Events held earlier that this one made applicable.
  std::vector<std::string> released;
};

// Adds `event` to `dispute` and re-derives the state under `rules` (whose id must be
// dispute.rule_set_id). Errors:
// - kMissingField: no event id;
// - kInvalidField: rule set mismatch; or the event is illegal where it sorts. The message names
//   the dispute, the event id and kind, the state and the reason. The derived state is
//   unchanged; the event stays in the history, not applied, until an earlier event makes it
//   legal (see above);
// - kPayloadTooLarge: the history holds kMaxHistory events.
Result<ApplyReport> Apply(Dispute& dispute, const DisputeEvent& event, const RuleSet& rules);

// Replays dispute.history from scratch (after loading a stored dispute, or under a new version
// of its rule set). Marks each entry applied or not, with the reason.
void Rederive(Dispute& dispute, const RuleSet& rules);

// The state a deadline's expiry leads to from `from`, or nullopt if it is illegal there.
std::optional<State> ExpiryTarget(State from, Expiry expiry);

// Checks the invariants every derived dispute holds (the property test and a loaded store
// record use it): agreed has an agreement and an accepted proposal, ruled a responsibility,
// closed a refund outcome, no pending proposals once terminal, at most one pending proposal per
// party, the history sorted with distinct ids, times monotone. kInternal naming the first one
// broken.
Result<void> CheckInvariants(const Dispute& dispute);

}  // namespace csgw::disputes
