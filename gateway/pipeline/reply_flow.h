// The life of a conversation around its replies: the state (awaiting reply / awaiting buyer /
// closed), the reply-SLA clock and its timer, the outbox entries that send replies, and what the
// outbox reports back (OutboundUpdate events). Pure: records in, records and timers out; the
// pipeline applies it inside its batches, so the pipeline stays the only writer of conversations.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/schedule/policy.h"
#include "proto/proto.h"

namespace csgw::gateway {

inline constexpr char kReplySlaTimerKind[] = "reply_sla";

// "reply_sla/<conversation id>": one per conversation, moved by each buyer message.
std::string ReplySlaTimerId(std::string_view conversation_id);

// The buyer wrote at `at`: a reply is due at `reply_due`. An older message than the newest
// known changes nothing (out-of-order delivery). Returns whether the state changed.
bool MarkBuyerWrote(TimePoint at, TimePoint reply_due, proto::Conversation& conversation);
// The seller (an agent on the marketplace, or csgw's sent reply) wrote at `at`: the buyer's
// turn; the first such message after the buyer's first one is the first response.
bool MarkSellerWrote(TimePoint at, proto::Conversation& conversation);
// The marketplace closed the chat at `at`.
void MarkClosed(TimePoint at, proto::Conversation& conversation);

// Whether a reply is overdue at `now` (computed, never stored: the clock moves on its own).
bool ReplyOverdue(const proto::Conversation& conversation, TimePoint now);

// The reply-SLA timer of a conversation awaiting a reply.
proto::Timer ReplySlaTimer(const proto::Conversation& conversation, TimePoint now);

// When the reply to a buyer message at `at` is due under `policy` for the conversation's store.
Result<TimePoint> ReplyDueFor(const schedule::SchedulePolicy& policy,
                              const proto::Conversation& conversation, TimePoint at);

// The outbox entry that sends `draft` (or `text` when given) in `conversation`; idempotent per
// draft: "draft/<conversation id>/<source sequence>".
proto::OutboxEntry DraftReplyEntry(const proto::Conversation& conversation,
                                   const proto::Draft& draft, std::string_view text,
                                   std::string_view requested_by);
// A free-text (or rendered template) reply by an agent; `request_key` makes retries of one API
// request one send.
proto::OutboxEntry AgentReplyEntry(const proto::Conversation& conversation, std::string_view text,
                                   std::string_view requested_by, std::string_view request_key);

// The event that tells the pipeline what happened to an outbox entry ("queued", "sent", "dead",
// "cancelled"): stored under the entry's marketplace and store with event id
// "csgw:<outbox id>:<step>[:<n>]", so each step is applied once.
proto::Event OutboundEvent(const proto::OutboxEntry& entry, std::string_view step,
                           TimePoint at);

// Applies an OutboundUpdate to its conversation: the outbox id and the draft's state; a sent
// reply becomes a seller message (its id the marketplace's, else "csgw:<outbox id>"). Returns
// whether the conversation changed.
bool ApplyOutboundUpdate(const proto::Event& event, uint64_t sequence, size_t max_messages,
                         proto::Conversation& conversation);

}  // namespace csgw::gateway
