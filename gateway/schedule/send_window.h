// When a message to a buyer may go out: the buyer's local daytime window for proactive messages,
// immediate replies, the reply SLA overriding quiet hours, the follow-up cadence, and the pure
// predicates that cancel a scheduled send.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace csgw::gateway::schedule {

enum class MessageKind {
  kReply,            // an answer to the buyer's question
  kShippingNotice,   // shipped, with tracking
  kUnpaidReminder,   // order placed, not paid (催付)
  kFeedbackRequest,  // after delivery
  kFollowUp,         // memory-cycle re-contact
};

std::string_view MessageKindName(MessageKind kind);  // "reply", "shipping_notice", ...

// The buyer's local daytime in which proactive messages may go out: [start, end) in the buyer's
// zone, every day; `end <= start` crosses midnight. Outside it are the quiet hours.
struct DaytimeWindow {
  std::chrono::seconds start{std::chrono::hours(9)};  // Default: 09:00
  std::chrono::seconds end{std::chrono::hours(21)};   // Default: 21:00
};

struct SendPolicy {
  DaytimeWindow window;
  // Whether replies also wait for the buyer's daytime. Default: false (a reply goes out at once;
  // the buyer who just wrote is awake).
  bool replies_wait_for_window = false;
  // How long before the SLA deadline a reply must be out when it waits for the window (delivery
  // retries and marketplace latency). Default: 30 min.
  std::chrono::seconds sla_margin{std::chrono::minutes(30)};
  // Unpaid-order reminder this long after the order was placed. Default: 12 h (csgw's choice).
  std::chrono::seconds unpaid_reminder_after{std::chrono::hours(12)};
  // Feedback request this long after delivery. Default: 3 days (csgw's choice: time to try
  // the item; within AliExpress's shortest feedback window of 7 days).
  std::chrono::seconds feedback_request_after{std::chrono::hours(72)};
  // Follow-ups on the human memory cycle: calendar days in the buyer's zone after the anchor
  // (our last message), strictly increasing, 1..365. Default: 1, 2, 4, 7, 15 (PRACTICE.md).
  std::vector<int> follow_up_days{1, 2, 4, 7, 15};
};

// kInvalidField naming the field.
Result<void> Validate(const SendPolicy& policy);

// The first instant >= `earliest` at which a message of `kind` may go out to a buyer in
// `buyer_zone`: `earliest` itself for a reply (unless replies_wait_for_window), else the first
// instant inside the daytime window. Window edges are wall times resolved through the tz
// database: a start skipped by DST is the instant the clocks jump.
Result<TimePoint> NextSendTime(MessageKind kind, TimePoint earliest, std::string_view buyer_zone,
                               const SendPolicy& policy);

// When a reply with SLA `deadline` goes out. The SLA overrides quiet hours:
//   window = NextSendTime(kReply, earliest, ...);
//   window                 if window <= deadline - sla_margin (waiting keeps the SLA);
//   earliest               otherwise (waiting would miss it: send at once).
// "At once" rather than "at deadline - margin": the buyer just wrote and is most likely awake
// now, and a later night-time send only disturbs more and leaves less time for retries.
Result<TimePoint> ReplySendTime(TimePoint earliest, TimePoint deadline, std::string_view buyer_zone,
                                const SendPolicy& policy);

// The earliest instant of a proactive message from its anchor event: the order placed
// (unpaid reminder, + unpaid_reminder_after), delivery (feedback request,
// + feedback_request_after), shipment (shipping notice, + 0); then moved into the window.
// kInvalidField for kReply and kFollowUp (see FollowUpTimes).
Result<TimePoint> ProactiveSendTime(MessageKind kind, TimePoint anchor, std::string_view buyer_zone,
                                    const SendPolicy& policy);

// The send instants of the follow-ups after `anchor`: for each N in follow_up_days, the local
// date of `anchor` + N days at the anchor's local time of day, moved into the window (a 23:30
// follow-up goes out at 09:00 the next morning). Non-decreasing.
Result<std::vector<TimePoint>> FollowUpTimes(TimePoint anchor, std::string_view buyer_zone,
                                             const SendPolicy& policy);

// What is known of the conversation and order when a scheduled send is (re)checked. The timer
// queue checks it when scheduling and again when the timer fires.
struct ConversationFacts {
  bool closed = false;
  std::optional<TimePoint> last_buyer_message_at;
  bool order_paid = false;
  bool order_cancelled = false;
  bool feedback_left = false;
  bool dispute_open = false;
};

struct PendingSend {
  MessageKind kind = MessageKind::kFollowUp;
  TimePoint scheduled_at;  // when it was scheduled (its anchor)
};

enum class CancelReason {
  kNone,
  kBuyerWrote,  // the buyer wrote after it was scheduled
  kConversationClosed,
  kOrderPaid,
  kOrderCancelled,
  kFeedbackLeft,
  kDisputeOpen,
};

std::string_view CancelReasonName(CancelReason reason);  // "buyer_wrote", ...

// Why a pending send must be dropped (first rule that applies, in this order), kNone to keep it:
//   follow-up:        buyer wrote, conversation closed;
//   unpaid reminder:  order paid, order cancelled, buyer wrote, conversation closed;
//   feedback request: order cancelled, dispute open, feedback left, buyer wrote;
//   shipping notice:  order cancelled;
//   reply:            never (an approved answer is delivered even if the agent closes).
// "Buyer wrote" means a buyer message strictly after `scheduled_at`.
CancelReason CancelReasonFor(const PendingSend& send, const ConversationFacts& facts);
inline bool ShouldCancel(const PendingSend& send, const ConversationFacts& facts) {
  return CancelReasonFor(send, facts) != CancelReason::kNone;
}

}  // namespace csgw::gateway::schedule
