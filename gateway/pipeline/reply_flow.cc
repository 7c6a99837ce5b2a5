#include "gateway/pipeline/reply_flow.h"

#include "base/crypto.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/schedule/sla.h"

namespace csgw::gateway {
namespace {

bool Before(const google::protobuf::Timestamp& t, TimePoint at) {
  return t.seconds() == 0 && t.nanos() == 0 ? true : FromTimestamp(t) < at;
}

bool HasTime(const google::protobuf::Timestamp& t) { return t.seconds() != 0 || t.nanos() != 0; }

proto::Draft* FindDraft(proto::Conversation& c, uint64_t source_sequence) {
  for (auto& d : *c.mutable_drafts()) {
    if (d.source_sequence() == source_sequence) return &d;
  }
  return nullptr;
}

constexpr int kMaxOutboxIds = 50;

}  // namespace

std::string ReplySlaTimerId(std::string_view conversation_id) {
  return std::string(kReplySlaTimerKind) + "/" + std::string(conversation_id);
}

std::string ReplyQueueTimerId(std::string_view conversation_id) {
  return std::string(kReplyQueueTimerKind) + "/" + std::string(conversation_id);
}

TimerPosition ReplyQueueStart() { return TimerPosition{TimePoint() + kReplyQueueOffset, ""}; }

bool MarkBuyerWrote(TimePoint at, TimePoint reply_due, proto::Conversation& c) {
  if (HasTime(c.last_buyer_message_at()) && FromTimestamp(c.last_buyer_message_at()) > at) {
    return false;
  }
  if (!HasTime(c.first_buyer_message_at())) SetTimestamp(c.mutable_first_buyer_message_at(), at);
  SetTimestamp(c.mutable_last_buyer_message_at(), at);
  // A buyer message after our last one reopens the clock; one before it (late delivery of an
  // older message) leaves the seller's turn as it is.
  if (HasTime(c.last_seller_message_at()) && FromTimestamp(c.last_seller_message_at()) >= at) {
    return true;
  }
  // The clock runs from the first unanswered message: later ones do not push the due time out.
  if (c.state() != proto::CONVERSATION_STATE_AWAITING_REPLY || !HasTime(c.reply_due())) {
    SetTimestamp(c.mutable_reply_due(), reply_due);
  }
  c.set_state(proto::CONVERSATION_STATE_AWAITING_REPLY);
  SetTimestamp(c.mutable_updated_at(), at);
  return true;
}

bool MarkSellerWrote(TimePoint at, proto::Conversation& c) {
  if (HasTime(c.last_seller_message_at()) && FromTimestamp(c.last_seller_message_at()) >= at) {
    return false;
  }
  SetTimestamp(c.mutable_last_seller_message_at(), at);
  if (HasTime(c.first_buyer_message_at()) && !HasTime(c.first_response_at()) &&
      FromTimestamp(c.first_buyer_message_at()) <= at) {
    SetTimestamp(c.mutable_first_response_at(), at);
  }
  if (Before(c.last_buyer_message_at(), at) || !HasTime(c.last_buyer_message_at())) {
    c.set_state(proto::CONVERSATION_STATE_AWAITING_BUYER);
    c.clear_reply_due();
  }
  SetTimestamp(c.mutable_updated_at(), at);
  return true;
}

void MarkClosed(TimePoint at, proto::Conversation& c) {
  c.set_state(proto::CONVERSATION_STATE_CLOSED);
  c.clear_reply_due();
  SetTimestamp(c.mutable_updated_at(), at);
}

bool ReplyOverdue(const proto::Conversation& c, TimePoint now) {
  return c.state() == proto::CONVERSATION_STATE_AWAITING_REPLY && HasTime(c.reply_due()) &&
         FromTimestamp(c.reply_due()) <= now;
}

proto::Timer ReplySlaTimer(const proto::Conversation& c, TimePoint now) {
  proto::Timer timer;
  timer.set_id(ReplySlaTimerId(c.id()));
  timer.set_kind(kReplySlaTimerKind);
  timer.set_subject(c.id());
  *timer.mutable_due() = c.reply_due();
  SetTimestamp(timer.mutable_created_at(), now);
  return timer;
}

proto::Timer ReplyQueueTimer(const proto::Conversation& c, TimePoint now) {
  proto::Timer timer;
  timer.set_id(ReplyQueueTimerId(c.id()));
  timer.set_kind(kReplyQueueTimerKind);
  timer.set_subject(c.id());
  SetTimestamp(timer.mutable_due(), FromTimestamp(c.reply_due()) + kReplyQueueOffset);
  SetTimestamp(timer.mutable_created_at(), now);
  return timer;
}

Result<TimePoint> ReplyDueFor(const schedule::SchedulePolicy& policy, const proto::Conversation& c,
                              TimePoint at) {
  const auto hours = policy.stores.find(c.store_id());
  return schedule::ReplyDue(policy.sla, c.marketplace(), at,
                            hours == policy.stores.end() ? nullptr : &hours->second);
}

std::string MessageKindFor(const proto::Conversation& c) {
  const std::string& m = c.marketplace();
  const std::string& channel = c.channel();
  if (m == "wildberries" && channel == kQuestionChannel) return "question_answer";
  if ((m == "mercadolibre" && channel == kClaimChannel) ||
      (m == "ebay" && channel == kReturnChannel)) {
    return "claim_message";
  }
  return "reply";
}

void AddressToConversation(const proto::Conversation& c, proto::OutboxEntry& e) {
  e.set_marketplace(c.marketplace());
  e.set_store_id(c.store_id());
  e.set_conversation_id(c.id());
  e.set_marketplace_conversation_id(c.marketplace_conversation_id());
  e.set_order_id(c.order_id());
  e.set_buyer_id(c.buyer().id());
  e.set_reply_token(c.reply_token());
  e.set_message_kind(MessageKindFor(c));
}

proto::OutboxEntry DraftReplyEntry(const proto::Conversation& c, const proto::Draft& draft,
                                   std::string_view text, std::string_view requested_by) {
  proto::OutboxEntry e;
  AddressToConversation(c, e);
  e.set_idempotency_key("draft/" + c.id() + "/" + std::to_string(draft.source_sequence()));
  e.set_kind("reply");
  e.set_text(text.empty() ? draft.text() : std::string(text));
  e.set_draft_sequence(draft.source_sequence());
  e.set_requested_by(std::string(requested_by));
  return e;
}

proto::OutboxEntry AgentReplyEntry(const proto::Conversation& c, std::string_view text,
                                   std::string_view requested_by, std::string_view request_key) {
  proto::OutboxEntry e;
  AddressToConversation(c, e);
  e.set_idempotency_key("agent/" + c.id() + "/" + std::string(requested_by) + "/" +
                        std::string(request_key));
  e.set_kind("reply");
  e.set_text(std::string(text));
  e.set_requested_by(std::string(requested_by));
  return e;
}

proto::Event OutboundEvent(const proto::OutboxEntry& entry, std::string_view step, TimePoint at) {
  proto::Event event;
  // A re-driven entry can die or be sent again: its steps after a re-drive are new events.
  std::string id = "csgw:" + entry.id() + ":" + std::string(step);
  if (entry.redrives() > 0) id += ":" + std::to_string(entry.redrives());
  event.set_event_id(id);
  event.set_marketplace(entry.marketplace().empty() ? "csgw" : entry.marketplace());
  event.set_store_id(entry.store_id());
  SetTimestamp(event.mutable_occurred_at(), at);
  SetTimestamp(event.mutable_received_at(), at);
  event.mutable_buyer()->set_id(entry.buyer_id());
  event.mutable_order()->set_order_id(entry.order_id());
  proto::OutboundUpdate& u = *event.mutable_outbound_update();
  u.set_outbox_id(entry.id());
  u.set_step(std::string(step));
  u.set_conversation_id(entry.conversation_id());
  u.set_draft_sequence(entry.draft_sequence());
  u.set_requested_by(entry.requested_by());
  u.set_marketplace_message_id(entry.marketplace_message_id());
  u.set_kind(entry.kind());
  if (entry.attempts_size() > 0) u.set_reason(entry.attempts(entry.attempts_size() - 1).reason());
  return event;
}

bool ApplyOutboundUpdate(const proto::Event& event, uint64_t sequence, size_t max_messages,
                         proto::Conversation& c) {
  const proto::OutboundUpdate& u = event.outbound_update();
  if (c.id().empty()) return false;  // a conversation csgw never saw: nothing to attach it to
  bool changed = false;
  bool listed = false;
  for (const auto& id : c.outbox_ids()) listed |= id == u.outbox_id();
  if (!listed) {
    c.add_outbox_ids(u.outbox_id());
    if (c.outbox_ids_size() > kMaxOutboxIds) c.mutable_outbox_ids()->DeleteSubrange(0, 1);
    changed = true;
  }
  if (u.draft_sequence() != 0) {
    if (proto::Draft* d = FindDraft(c, u.draft_sequence())) {
      proto::DraftState state = d->state();
      if (u.step() == "queued") {
        // Never back from sent: the "sent" step may be applied before a late "queued".
        if (state != proto::DRAFT_STATE_SENT) state = proto::DRAFT_STATE_QUEUED;
      } else if (u.step() == "sent") {
        state = proto::DRAFT_STATE_SENT;
      } else if (u.step() == "dead") {
        if (state != proto::DRAFT_STATE_SENT) state = proto::DRAFT_STATE_FAILED;
      }
      if (state != d->state() || d->outbox_id() != u.outbox_id()) {
        d->set_state(state);
        d->set_outbox_id(u.outbox_id());
        if (!u.requested_by().empty()) d->set_requested_by(u.requested_by());
        changed = true;
      }
    }
  }
  if (u.step() == "sent") {
    const std::string message_id = u.marketplace_message_id().empty()
                                       ? "csgw:" + u.outbox_id()
                                       : u.marketplace_message_id();
    bool known = false;
    for (const auto& m : c.messages()) known |= m.message_id() == message_id;
    if (!known) {
      proto::ConversationMessage& m = *c.add_messages();
      m.set_message_id(message_id);
      m.set_sender(proto::SENDER_ROLE_SELLER);
      *m.mutable_at() = event.occurred_at();
      m.set_source_sequence(sequence);
      if (c.messages_size() > static_cast<int>(max_messages)) {
        c.mutable_messages()->DeleteSubrange(0, c.messages_size() - static_cast<int>(max_messages));
      }
      changed = true;
    }
    changed |= MarkSellerWrote(FromTimestamp(event.occurred_at()), c);
  }
  return changed;
}

}  // namespace csgw::gateway
