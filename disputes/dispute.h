// The dispute model: states, proposals, reasons and the normalised events that move a dispute.
//
// A Dispute is a value: its identity, the sorted history of every event seen for it, and the
// state derived from that history by the machine (machine.h). Nothing here does I/O or reads a
// clock; times come from events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "disputes/money.h"

namespace csgw::disputes {

enum class State {
  kNone,                    // no opening seen yet (a Dispute value before its first event)
  kAwaitingSellerResponse,  // the buyer proposed; the seller must accept or counter
  kNegotiating,             // the seller countered; the parties exchange proposals
  kArbitrating,             // the platform stepped in (escalation)
  kAgreed,                  // a proposal was accepted: by consensus or by the seller's timeout
  kRuled,                   // the platform decided, with a responsibility
  kAwaitingReturnShipment,  // the agreed solution needs the goods back; the buyer must ship
  kAwaitingSellerReceipt,   // the buyer shipped the return; the seller must confirm receipt
  kClosed,                  // finished with a full, partial or no refund
  kCancelled,               // withdrawn by the buyer
};

// How an agreement was reached (AliExpress reached_type negotiation_consensus /
// seller_reponse_timeout).
enum class Agreement { kNone, kConsensus, kSellerTimeout };

// Whom the platform held responsible. kUnknown when the marketplace reports a ruling without
// saying (AliExpress platform_arbitrate solutions carry no responsibility field).
enum class Responsibility { kNone, kSeller, kBuyer, kNeither, kUnknown };

enum class Refund { kNone, kFull, kPartial, kNoRefund };

enum class Party { kNone, kBuyer, kSeller, kPlatform };

enum class ProposalStatus { kPending, kAccepted, kRejected, kSuperseded, kExecuted };

// What a proposal asks for. The advisor's seller options use the same words.
enum class Solution {
  kUnspecified,
  kRefundOnly,       // money back, the buyer keeps the goods
  kReturnAndRefund,  // goods back, then money back
  kResend,           // free replacement / resend
  kCoupon,           // coupon for the next order
  kNoRefund,         // the seller's "no refund" answer (AliExpress new-version disputes)
};

enum class ReasonGroup { kUnknown, kNotReceived, kNotAsDescribed, kBuyerReason };

enum class Reason {
  kUnknown,
  // not received
  kInTransit,
  kInvalidTracking,
  kCustoms,
  kReturnedToSender,
  kWrongAddress,
  kNotReceivedOther,
  // not as described
  kQuality,
  kDamaged,
  kWrongItem,
  kQuantityShort,
  kCounterfeit,
  kNotAsDescribedOther,
  // the buyer's own reason (changed mind, ordered by mistake)
  kBuyerReason,
};

ReasonGroup GroupOf(Reason reason);

// Evidence so far, as far as the events say: the advisor uses it.
enum class Evidence {
  kPhotos,
  kVideo,
  kTrackingDelivered,  // carrier shows delivered
  kTrackingInTransit,
  kTrackingInvalid,
  kReturnDelivered,  // the returned goods reached the seller
};

enum class EventKind {
  kOpened,            // the buyer opened the dispute with a first proposal
  kBuyerProposed,     // the buyer created, modified or re-asserted a proposal
  kSellerProposed,    // the seller refused the buyer's proposal with a counter (or "no refund")
  kBuyerRejected,     // the buyer refused the seller's or the platform's proposal
  kPlatformProposed,  // the platform gave a solution during arbitration
  kAgreed,            // a proposal was accepted (consensus) or executed on the seller's timeout
  kEscalated,         // the platform stepped in (buyer, seller or automatic escalation)
  kRuled,             // the platform's ruling was executed
  kReturnRequested,   // the agreed solution needs the goods back
  kReturnShipped,     // the buyer shipped the return
  kClosed,            // finished: refund executed, or closed without refund
  kCancelled,         // the buyer cancelled the dispute
  kDeadlineExpired,   // one of our deadlines passed (the scheduler's timer fired)
  kEvidenceAdded,     // photos, video, tracking news: no state change
  // The seller made a proposal through csgw (POST /v1/disputes/{id}/proposals) that the
  // marketplace has not reported back: recorded as the seller's pending proposal, no state
  // change. The state, and the seller's deadline, follow the marketplace: only its own report of
  // the seller's answer (seller_proposed) stops the clock, so a proposal csgw could not deliver
  // never silences the alerts before the seller loses by timeout.
  kSellerOffered,
};

// One normalised input of the state machine. Built by the marketplace mappings (mapping.h) or by
// TimeoutEvent (deadlines.h).
struct DisputeEvent {
  // Unique per dispute: the dedupe key. Mappings derive it from the marketplace event id.
  std::string event_id;
  EventKind kind = EventKind::kEvidenceAdded;
  TimePoint occurred_at;
  // The gateway's log position; orders events with equal times.
  uint64_t sequence = 0;
  // Orders the events one marketplace event expands to (0, 1, 2 ...).
  int step = 0;
  // An event a mapping inferred from a status snapshot rather than saw happen (e.g. "agreed"
  // before "return shipped"). Where it is illegal the machine skips it silently: the dispute is
  // already past it.
  bool implied = false;

  Party actor = Party::kNone;
  // kOpened / kBuyerProposed / kSellerProposed / kPlatformProposed: the proposal made;
  // kAgreed / kRuled: the solution accepted, when the marketplace says.
  Solution solution = Solution::kUnspecified;
  std::optional<Money> amount;
  // The marketplace's own proposal id, when it has one.
  std::string proposal_id;

  Agreement agreement = Agreement::kNone;                 // kAgreed
  Party accepted_by = Party::kNone;                       // kAgreed by consensus
  Responsibility responsibility = Responsibility::kNone;  // kRuled
  Refund refund = Refund::kNone;                          // kClosed
  std::string deadline;                                   // kDeadlineExpired: the rule's name
  std::optional<Evidence> evidence;                       // kEvidenceAdded
  // Set when the event tells (kOpened, or a later change of reason by the buyer).
  std::optional<Reason> reason;
  // AliExpress after_sale_warranty: the platform handles the case, the seller need not respond.
  std::optional<bool> after_sales_protection;
  // The marketplace's status word, verbatim, for the history view.
  std::string marketplace_status;

  friend bool operator==(const DisputeEvent&, const DisputeEvent&) = default;
};

struct Proposal {
  std::string id;  // the marketplace's id, or the id of the event that made it
  Party party = Party::kNone;
  Solution solution = Solution::kUnspecified;
  std::optional<Money> amount;
  ProposalStatus status = ProposalStatus::kPending;
  TimePoint created_at;
  TimePoint updated_at;

  friend bool operator==(const Proposal&, const Proposal&) = default;
};

// An event as kept in the history: applied, or held because it was illegal where it sorts (it
// applies later if a missing earlier event arrives; see machine.h).
struct HistoryEntry {
  DisputeEvent event;
  bool applied = false;
  // Why it was not applied: names the state and the rule.
  std::string note;

  friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

struct Dispute {
  // Identity: set when the dispute is created, never derived.
  std::string id;
  std::string marketplace;
  std::string store_id;
  std::string order_id;
  // The rule set (rules.h) whose deadlines apply: "aliexpress-2024", "aliexpress-legacy", ...
  std::string rule_set_id;

  // Every distinct event seen, sorted by (occurred_at, sequence, step, event_id).
  std::vector<HistoryEntry> history;

  // Derived from history by the machine; never set by hand.
  State state = State::kNone;
  Agreement agreement = Agreement::kNone;
  Responsibility responsibility = Responsibility::kNone;
  Refund refund = Refund::kNone;
  std::optional<Money> refund_amount;
  Reason reason = Reason::kUnknown;
  bool after_sales_protection = false;
  std::vector<Proposal> proposals;
  std::vector<Evidence> evidence;  // distinct, in order of arrival in time
  std::string marketplace_status;  // the last one seen
  TimePoint opened_at;
  TimePoint state_entered_at;
  // The last time the buyer opened, changed or refused a proposal: AliExpress restarts the
  // seller's 5 days at each buyer change.
  TimePoint buyer_changed_at;
  TimePoint updated_at;
  // Index into proposals of the accepted one (agreement or ruling), -1 if none.
  int accepted_proposal = -1;

  friend bool operator==(const Dispute&, const Dispute&) = default;
};

bool IsTerminal(State state);
// Open = has an opening and is neither closed nor cancelled.
bool IsOpen(State state);

// Stable lower-case names, used in rule-set JSON, the stored proto, errors and the API.
std::string_view Name(State value);
std::string_view Name(Agreement value);
std::string_view Name(Responsibility value);
std::string_view Name(Refund value);
std::string_view Name(Party value);
std::string_view Name(ProposalStatus value);
std::string_view Name(Solution value);
std::string_view Name(Reason value);
std::string_view Name(Evidence value);
std::string_view Name(EventKind value);

std::optional<State> ParseState(std::string_view name);
std::optional<Party> ParseParty(std::string_view name);
std::optional<Reason> ParseReason(std::string_view name);

}  // namespace csgw::disputes
