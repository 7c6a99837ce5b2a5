// The life of a conversation around its replies: the state (awaiting reply / awaiting buyer /
// closed), the reply-SLA clock and its timer, the outbox entries that send replies, and what the
// outbox reports back (OutboundUpdate events). Pure: records in, records and timers out; the
// pipeline applies it inside its batches, so the pipeline stays the only writer of conversations.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/schedule/policy.h"
#include "gateway/store/event_store.h"
#include "proto/proto.h"

namespace csgw::gateway {

inline constexpr char kReplySlaTimerKind[] = "reply_sla";

// "reply_sla/<conversation id>": one per conversation, moved by each buyer message.
std::string ReplySlaTimerId(std::string_view conversation_id);

// The agents' queue of conversations awaiting a reply, in reply-due order, as an index in the
// timers family (EventStore::ScanTimers), written in the pipeline's batch with the conversation
// so that it cannot drift from the records. The "reply_sla" timers cannot be that index: one
// fires when its reply becomes overdue and is gone, and overdue conversations are the first the
// queue must show. So each conversation awaiting a reply also has one "reply_queue/<id>" timer
// (subject: the conversation id) due kReplyQueueOffset after its reply-due time: the order is
// the reply-due order, the timers sit above every timer meant to fire (a scan starting at
// ReplyQueueStart reads only them), and they are moved or cancelled with the conversation long
// before they could fall due.
inline constexpr char kReplyQueueTimerKind[] = "reply_queue";
inline constexpr std::chrono::hours kReplyQueueOffset{24 * 36'525};  // a century
std::string ReplyQueueTimerId(std::string_view conversation_id);
// The position below every queue timer (a reply due at or after the Unix epoch).
TimerPosition ReplyQueueStart();

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
// Its place in the agents' queue (see kReplyQueueTimerKind).
proto::Timer ReplyQueueTimer(const proto::Conversation& conversation, TimePoint now);

// When the reply to a buyer message at `at` is due under `policy` for the conversation's store.
Result<TimePoint> ReplyDueFor(const schedule::SchedulePolicy& policy,
                              const proto::Conversation& conversation, TimePoint at);

// Channels (BuyerMessage.channel, Conversation.channel) whose replies take another send API
// than the marketplace's chat.
inline constexpr char kQuestionChannel[] = "question";  // Wildberries product questions
inline constexpr char kClaimChannel[] = "claim";        // Mercado Libre claims (claim id)
inline constexpr char kReturnChannel[] = "return";      // eBay returns (return id)

// "reply", "claim_message" or "question_answer" (OutboxEntry.message_kind): the send API of a
// reply in `conversation`, from its marketplace and channel. A channel another marketplace has
// no such API for is a chat.
std::string MessageKindFor(const proto::Conversation& conversation);

// Addresses `entry` as a message to the buyer in `conversation`: marketplace, store, csgw's and
// the marketplace's conversation ids, order, buyer, the reply credential and the message kind.
// Every outbox entry that writes into a conversation is addressed by it.
void AddressToConversation(const proto::Conversation& conversation, proto::OutboxEntry& entry);

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
