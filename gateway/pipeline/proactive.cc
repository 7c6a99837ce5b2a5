#include "gateway/pipeline/proactive.h"

#include <algorithm>
#include <charconv>

#include "base/log.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/outbound/outbox.h"
#include "gateway/pipeline/conversations.h"
#include "gateway/pipeline/reply_flow.h"
#include "i18n/locale.h"
#include "templates/quality.h"
#include "templates/render.h"

namespace csgw::gateway {
namespace {

constexpr schedule::MessageKind kOrderKinds[] = {schedule::MessageKind::kUnpaidReminder,
                                                 schedule::MessageKind::kShippingNotice,
                                                 schedule::MessageKind::kFeedbackRequest};

bool HasTime(const google::protobuf::Timestamp& t) { return t.seconds() != 0 || t.nanos() != 0; }

std::string OrderKeyOf(const proto::Conversation& c) {
  if (c.order_id().empty()) return "";
  return c.marketplace() + "/" + c.store_id() + "/" + c.order_id();
}

// The buyer wrote after our last message: it is the seller's turn, and a follow-up ("do you
// still have questions?") would talk past the buyer's question.
bool BuyersTurn(const proto::Conversation& c) {
  if (!HasTime(c.last_buyer_message_at())) return false;
  if (!HasTime(c.last_seller_message_at())) return true;
  return FromTimestamp(c.last_buyer_message_at()) > FromTimestamp(c.last_seller_message_at());
}

bool Unpaid(proto::OrderStatus s) {
  return s == proto::ORDER_STATUS_CREATED || s == proto::ORDER_STATUS_UNPAID;
}

// Whether the order is in the state that calls for a message of `kind`. A message is scheduled
// when the order enters that state and cancelled when it leaves it.
bool Calls(schedule::MessageKind kind, const proto::OrderContext& order) {
  switch (kind) {
    case schedule::MessageKind::kUnpaidReminder:
      return Unpaid(order.status());
    case schedule::MessageKind::kShippingNotice:
      // Without a tracking number the notice has nothing to tell; it goes out when one arrives.
      return order.status() == proto::ORDER_STATUS_SHIPPED && !order.tracking_number().empty();
    case schedule::MessageKind::kFeedbackRequest:
      return order.status() == proto::ORDER_STATUS_DELIVERED ||
             order.status() == proto::ORDER_STATUS_COMPLETED;
    default:
      return false;
  }
}

// The event a message of `kind` counts from (ProactiveSendTime adds the configured delay).
TimePoint AnchorOf(schedule::MessageKind kind, const proto::OrderContext& order) {
  if (kind == schedule::MessageKind::kShippingNotice && HasTime(order.shipped_at())) {
    return FromTimestamp(order.shipped_at());
  }
  if (kind == schedule::MessageKind::kFeedbackRequest && HasTime(order.delivered_at())) {
    return FromTimestamp(order.delivered_at());
  }
  return FromTimestamp(order.status_at());
}

std::string_view TemplateKeyOf(schedule::MessageKind kind) {
  switch (kind) {
    case schedule::MessageKind::kFollowUp:
      return "presale.follow_up";
    case schedule::MessageKind::kUnpaidReminder:
      return "insale.unpaid_reminder";
    case schedule::MessageKind::kShippingNotice:
      return "insale.shipped_tracking";
    case schedule::MessageKind::kFeedbackRequest:
      return "aftersale.feedback_request";
    case schedule::MessageKind::kReply:
      break;
  }
  return "";
}

int64_t UnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

proto::Timer MakeTimer(std::string id, schedule::MessageKind kind, const proto::Conversation& c,
                       TimePoint due, const ProactivePayload& payload, TimePoint now) {
  proto::Timer timer;
  timer.set_id(std::move(id));
  timer.set_kind(std::string(schedule::MessageKindName(kind)));
  timer.set_subject(c.id());
  SetTimestamp(timer.mutable_due(), due);
  timer.set_payload(EncodeProactivePayload(payload));
  SetTimestamp(timer.mutable_created_at(), now);
  return timer;
}

template <class Message>
Result<std::optional<Message>> ReadRecord(const EventStore& store, Table table,
                                          const std::string& key) {
  auto stored = store.GetRecord(table, key);
  if (!stored) return stored.error();
  if (!stored.value()) return std::optional<Message>();
  Message message;
  if (!message.ParseFromString(*stored.value())) {
    return MakeError(Errc::kStorageFailure, "corrupt record " + key);
  }
  return std::optional<Message>(std::move(message));
}

}  // namespace

void ProactiveKinds::Enable(std::string_view name) {
  auto kind = ProactiveKindNamed(name);
  if (kind) mask_ |= static_cast<uint8_t>(1u << static_cast<unsigned>(*kind));
}

bool ProactiveKinds::enabled(schedule::MessageKind kind) const {
  return (mask_ & (1u << static_cast<unsigned>(kind))) != 0;
}

std::optional<schedule::MessageKind> ProactiveKindNamed(std::string_view name) {
  for (schedule::MessageKind kind :
       {schedule::MessageKind::kFollowUp, schedule::MessageKind::kUnpaidReminder,
        schedule::MessageKind::kShippingNotice, schedule::MessageKind::kFeedbackRequest}) {
    if (schedule::MessageKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

std::string FollowUpTimerId(std::string_view conversation_id, size_t n) {
  return "follow_up/" + std::string(conversation_id) + "/" + std::to_string(n);
}

std::string OrderMessageTimerId(schedule::MessageKind kind, std::string_view order_key) {
  return std::string(schedule::MessageKindName(kind)) + "/" + std::string(order_key);
}

std::string EncodeProactivePayload(const ProactivePayload& payload) {
  return std::to_string(UnixSeconds(payload.anchor)) + "\n" + payload.order_key;
}

Result<ProactivePayload> DecodeProactivePayload(std::string_view bytes) {
  const size_t newline = bytes.find('\n');
  if (newline == std::string_view::npos) {
    return MakeError(Errc::kInvalidField, "proactive payload: no anchor line");
  }
  int64_t seconds = 0;
  const char* begin = bytes.data();
  const char* end = bytes.data() + newline;
  auto [ptr, ec] = std::from_chars(begin, end, seconds);
  if (ec != std::errc() || ptr != end) {
    return MakeError(Errc::kInvalidField, "proactive payload: bad anchor");
  }
  return ProactivePayload{TimePoint(std::chrono::seconds(seconds)),
                          std::string(bytes.substr(newline + 1))};
}

Result<std::vector<proto::Timer>> FollowUpTimers(const proto::Conversation& c, TimePoint anchor,
                                                 const schedule::SendPolicy& policy,
                                                 TimePoint now) {
  if (c.buyer_time_zone().empty()) {
    return MakeError(Errc::kInvalidField, "conversation " + c.id() + ": no buyer time zone");
  }
  auto times = schedule::FollowUpTimes(anchor, c.buyer_time_zone(), policy);
  if (!times) return times.error();
  std::vector<proto::Timer> timers;
  const ProactivePayload payload{anchor, OrderKeyOf(c)};
  for (size_t i = 0; i < times.value().size(); ++i) {
    timers.push_back(MakeTimer(FollowUpTimerId(c.id(), i + 1), schedule::MessageKind::kFollowUp, c,
                               times.value()[i], payload, now));
  }
  return timers;
}

schedule::ConversationFacts FactsOf(const proto::Conversation& c,
                                    const proto::OrderContext* order) {
  schedule::ConversationFacts facts;
  facts.closed = c.state() == proto::CONVERSATION_STATE_CLOSED;
  if (HasTime(c.last_buyer_message_at())) {
    facts.last_buyer_message_at = FromTimestamp(c.last_buyer_message_at());
  }
  if (order != nullptr) {
    const proto::OrderStatus s = order->status();
    facts.order_cancelled = s == proto::ORDER_STATUS_CANCELLED;
    facts.order_paid =
        s != proto::ORDER_STATUS_UNSPECIFIED && !Unpaid(s) && s != proto::ORDER_STATUS_CANCELLED;
  }
  // Feedback left and disputes opened are not kept per order: the pipeline cancels the
  // feedback request when either event arrives for the order (ProactiveBatch::Observe).
  return facts;
}

ProactiveBatch::ProactiveBatch(const schedule::SendPolicy& policy, ProactiveKinds kinds,
                               ConversationLoader conversations, OrderLoader orders)
    : policy_(policy),
      kinds_(kinds),
      conversations_(std::move(conversations)),
      orders_(std::move(orders)) {}

Result<void> ProactiveBatch::Observe(const proto::Event& event) {
  if (event.has_outbound_update()) {
    const proto::OutboundUpdate& u = event.outbound_update();
    if (u.conversation_id().empty()) return Ok();
    auto& sent = touched_[u.conversation_id()];
    // Only csgw's replies start a follow-up cycle: a sent follow-up must not start another one
    // (the rest of its cycle is still pending).
    if (u.step() == "sent" && u.kind() == "reply") {
      const TimePoint at = FromTimestamp(event.occurred_at());
      if (!sent || *sent < at) sent = at;
    }
    return Ok();
  }
  if (event.has_buyer_message()) {
    // Whether the buyer wrote or the chat closed is read from the conversation's final state in
    // Finish: a redelivered old message changes nothing there, so it cancels nothing either.
    if (std::string key = ConversationId(event); !key.empty()) touched_.try_emplace(key);
    return Ok();
  }
  const bool order_update = event.has_order_update();
  const bool ends_feedback = event.has_dispute_update() || event.has_feedback_posted();
  if (!order_update && !ends_feedback) return Ok();
  const std::string key = OrderRecordKey(event);
  if (key.empty()) return Ok();
  auto it = orders_touched_.find(key);
  if (it == orders_touched_.end()) {
    const proto::OrderContext* order = orders_(key);
    if (order == nullptr) return MakeError(Errc::kStorageFailure, "cannot read order " + key);
    it = orders_touched_.emplace(key, OrderNote{*order, {}, false}).first;
  }
  OrderNote& note = it->second;
  note.feedback_or_dispute |= ends_feedback;
  // The store's thread about this order with this buyer, else its thread with the buyer.
  auto add = [&](std::string id) {
    if (!id.empty() && std::find(note.conversations.begin(), note.conversations.end(), id) ==
                           note.conversations.end()) {
      note.conversations.push_back(std::move(id));
    }
  };
  add(ConversationId(event));
  if (!event.buyer().id().empty()) {
    add(event.marketplace() + "/" + event.store_id() + "/" + event.buyer().id());
  }
  return Ok();
}

Result<void> ProactiveBatch::Finish(TimePoint now, StateBatch& batch) {
  for (const auto& [key, sent] : touched_) {
    if (auto done = FinishConversation(key, now, batch); !done) return done.error();
  }
  for (const auto& [key, note] : orders_touched_) {
    if (auto done = FinishOrder(key, note, now, batch); !done) return done.error();
  }
  return Ok();
}

Result<void> ProactiveBatch::FinishConversation(const std::string& key, TimePoint now,
                                                StateBatch& batch) {
  const proto::Conversation* c = conversations_(key);
  if (c == nullptr) return MakeError(Errc::kStorageFailure, "cannot read conversation " + key);
  if (c->id().empty()) return Ok();
  const std::optional<TimePoint>& sent = touched_.at(key);
  const bool closed = c->state() == proto::CONVERSATION_STATE_CLOSED;
  const bool buyer_after_reply = sent && HasTime(c->last_buyer_message_at()) &&
                                 FromTimestamp(c->last_buyer_message_at()) > *sent;
  if (sent && !closed && !buyer_after_reply) {
    if (!kinds_.enabled(schedule::MessageKind::kFollowUp)) return Ok();
    if (c->marketplace_conversation_id().empty()) {
      log::Debug("proactive.no_marketplace_conversation", {{"conversation", key}});
      return Ok();
    }
    // A new reply starts a new cycle: the same ids move to the new times.
    auto timers = FollowUpTimers(*c, *sent, policy_, now);
    if (!timers) {
      log::Warn("proactive.follow_up_not_scheduled",
                {{"conversation", key}, {"error", timers.error().message}});
      return Ok();
    }
    for (auto& timer : timers.value()) batch.schedule.push_back(std::move(timer));
    return Ok();
  }
  if (closed || BuyersTurn(*c)) {
    // Cancelled whatever the config says now: a kind disabled later leaves nothing behind.
    for (size_t n = 1; n <= policy_.follow_up_days.size(); ++n) {
      batch.cancel.push_back(FollowUpTimerId(key, n));
    }
  }
  return Ok();
}

Result<void> ProactiveBatch::FinishOrder(const std::string& key, const OrderNote& note,
                                         TimePoint now, StateBatch& batch) {
  const proto::OrderContext* after = orders_(key);
  if (after == nullptr) return MakeError(Errc::kStorageFailure, "cannot read order " + key);
  for (schedule::MessageKind kind : kOrderKinds) {
    const bool before_calls = Calls(kind, note.before);
    bool calls = Calls(kind, *after);
    // A dispute or a review settles the question a feedback request would ask.
    const bool ended = kind == schedule::MessageKind::kFeedbackRequest && note.feedback_or_dispute;
    if (ended) calls = false;
    const std::string id = OrderMessageTimerId(kind, key);
    if (!calls) {
      if (before_calls || ended) batch.cancel.push_back(id);
      continue;
    }
    if (before_calls || !kinds_.enabled(kind)) continue;  // scheduled when it entered the state
    const proto::Conversation* conversation = nullptr;
    for (const auto& candidate : note.conversations) {
      const proto::Conversation* c = conversations_(candidate);
      if (c == nullptr) {
        return MakeError(Errc::kStorageFailure, "cannot read conversation " + candidate);
      }
      if (!c->id().empty() && !c->marketplace_conversation_id().empty()) {
        conversation = c;
        break;
      }
    }
    const std::string_view kind_name = schedule::MessageKindName(kind);
    if (conversation == nullptr) {
      // The marketplace's send API needs the chat id: without a thread, no message.
      log::Debug("proactive.no_conversation", {{"order", key}, {"kind", kind_name}});
      continue;
    }
    const TimePoint anchor = AnchorOf(kind, *after);
    const schedule::CancelReason reason = schedule::CancelReasonFor(
        schedule::PendingSend{kind, anchor}, FactsOf(*conversation, after));
    if (reason != schedule::CancelReason::kNone) {
      log::Debug(
          "proactive.not_scheduled",
          {{"order", key}, {"kind", kind_name}, {"reason", schedule::CancelReasonName(reason)}});
      continue;
    }
    auto due = schedule::ProactiveSendTime(kind, anchor, conversation->buyer_time_zone(), policy_);
    if (!due) {
      log::Warn("proactive.not_scheduled", {{"order", key},
                                            {"conversation", conversation->id()},
                                            {"kind", kind_name},
                                            {"error", due.error().message}});
      continue;
    }
    batch.schedule.push_back(
        MakeTimer(id, kind, *conversation, due.value(), ProactivePayload{anchor, key}, now));
  }
  return Ok();
}

ProactiveTimers::ProactiveTimers(EventStore& store, const templates::CatalogHolder& catalog,
                                 const proto::TemplatesConfig& config, Outbox& outbox,
                                 ProactiveKinds kinds)
    : store_(store), catalog_(catalog), config_(config), outbox_(outbox), kinds_(kinds) {}

std::string ProactiveTimers::LocaleOf(const proto::Conversation& c) {
  for (int i = c.drafts_size() - 1; i >= 0; --i) {
    if (!c.drafts(i).locale().empty()) return c.drafts(i).locale();
  }
  for (int i = c.messages_size() - 1; i >= 0; --i) {
    const proto::ConversationMessage& m = c.messages(i);
    if (m.sender() != proto::SENDER_ROLE_BUYER || m.language().empty() ||
        m.language() == "unknown") {
      continue;
    }
    const std::string country = c.buyer().country().empty()
                                    ? std::string(i18n::MarketplaceCountry(c.marketplace()))
                                    : c.buyer().country();
    return i18n::NegotiateLocale(m.language(), country);
  }
  if (!c.buyer().locale_hint().empty()) return c.buyer().locale_hint();
  return "en";
}

std::optional<std::string> ProactiveTimers::Compose(schedule::MessageKind kind,
                                                    const proto::Timer& timer,
                                                    const proto::Conversation& c,
                                                    const proto::OrderContext* order,
                                                    TimePoint now) const {
  const std::string_view key = TemplateKeyOf(kind);
  const std::shared_ptr<const templates::Catalog> catalog = catalog_.Get();
  auto skip = [&](std::string_view why, std::string_view detail) {
    log::Warn("proactive.not_sent", {{"timer", timer.id()},
                                     {"conversation", c.id()},
                                     {"template", key},
                                     {"why", why},
                                     {"detail", detail}});
    return std::nullopt;
  };
  const templates::StorePolicy policy = PolicyFor(config_, c.store_id());
  templates::DraftRequest request;
  request.marketplace = c.marketplace();
  request.store_id = c.store_id();
  request.buyer_name = c.buyer().display_name();
  request.buyer_country = c.buyer().country();
  request.buyer_time_zone = c.buyer_time_zone();
  request.now = now;
  request.order.order_id = order != nullptr ? order->order_id() : c.order_id();
  if (order != nullptr) FillTemplateOrder(*order, request.order);

  const templates::TemplateMeta* meta = catalog->Meta(key);
  if (meta == nullptr) return skip("no_template", "");
  if (std::find(meta->not_for.begin(), meta->not_for.end(), c.marketplace()) !=
      meta->not_for.end()) {
    return skip("not_for_marketplace", c.marketplace());
  }
  if (!meta->order_states.empty() && std::find(meta->order_states.begin(), meta->order_states.end(),
                                               request.order.state) == meta->order_states.end()) {
    return skip("order_state", request.order.state);
  }
  const std::string locale = LocaleOf(c);
  const std::vector<std::string> chain = i18n::FallbackChain(locale);
  const templates::TemplateText text = catalog->Find(key, chain, c.store_id());
  if (text.pattern == nullptr) return skip("no_text", locale);
  // As drafting does: the buyer's region formats the text when it is in the buyer's language.
  const std::string render_locale =
      i18n::LanguageOf(text.locale) == i18n::LanguageOf(locale) ? locale : text.locale;
  const std::string zone = c.buyer_time_zone().empty() ? "UTC" : c.buyer_time_zone();
  auto rendered =
      templates::Render(*text.pattern, templates::Drafter::KnownVariables(request, policy),
                        templates::RenderOptions{render_locale, zone});
  // The error names the variable or the format problem, never a value.
  if (!rendered) return skip("not_rendered", rendered.error().message);
  templates::QualityOptions quality;
  quality.locale = render_locale;
  quality.formal = policy.formal;
  quality.max_length = catalog->LengthLimit(c.marketplace());
  const auto findings = templates::CheckReply(rendered.value(), quality);
  if (!findings.empty()) return skip("quality", findings.front().code);
  return std::move(rendered).value();
}

Result<void> ProactiveTimers::Fire(const proto::Timer& timer, TimePoint now, StateBatch& batch) {
  const auto kind = ProactiveKindNamed(timer.kind());
  if (!kind) {
    log::Warn("proactive.unknown_kind", {{"timer", timer.id()}, {"kind", timer.kind()}});
    return Ok();
  }
  if (!kinds_.enabled(*kind)) {
    // Switched off since it was scheduled: dropped rather than kept for a config that may never
    // come back.
    log::Info("proactive.disabled", {{"timer", timer.id()}, {"kind", timer.kind()}});
    return Ok();
  }
  auto payload = DecodeProactivePayload(timer.payload());
  if (!payload) {
    log::Warn("proactive.bad_payload", {{"timer", timer.id()}, {"error", payload.error().message}});
    return Ok();  // firing again cannot repair it
  }
  auto conversation =
      ReadRecord<proto::Conversation>(store_, Table::kConversations, timer.subject());
  if (!conversation) return conversation.error();  // storage: tried again later
  if (!conversation.value() || conversation.value()->id().empty()) {
    log::Warn("proactive.no_conversation",
              {{"timer", timer.id()}, {"conversation", timer.subject()}});
    return Ok();
  }
  const proto::Conversation& c = *conversation.value();
  std::optional<proto::OrderContext> order;
  if (!payload.value().order_key.empty()) {
    auto read = ReadRecord<proto::OrderContext>(store_, Table::kOrders, payload.value().order_key);
    if (!read) return read.error();
    order = std::move(read).value();
  }
  const proto::OrderContext* order_ptr = order ? &*order : nullptr;
  const schedule::CancelReason reason = schedule::CancelReasonFor(
      schedule::PendingSend{*kind, payload.value().anchor}, FactsOf(c, order_ptr));
  if (reason != schedule::CancelReason::kNone) {
    log::Info("proactive.cancelled", {{"timer", timer.id()},
                                      {"conversation", c.id()},
                                      {"reason", schedule::CancelReasonName(reason)}});
    return Ok();
  }
  if (c.marketplace_conversation_id().empty()) {
    log::Warn("proactive.no_marketplace_conversation",
              {{"timer", timer.id()}, {"conversation", c.id()}});
    return Ok();
  }
  std::optional<std::string> text = Compose(*kind, timer, c, order_ptr, now);
  if (!text) return Ok();

  proto::OutboxEntry entry;
  AddressToConversation(c, entry);
  if (entry.message_kind() == "question_answer") {
    // A product question has one public answer: a second one would replace it.
    log::Info("proactive.not_a_chat", {{"timer", timer.id()}, {"conversation", c.id()}});
    return Ok();
  }
  entry.set_kind(timer.kind());
  entry.set_order_id(order ? order->order_id() : c.order_id());
  entry.set_text(std::move(*text));
  entry.set_requested_by("scheduler");
  // One send per timer occurrence. A follow-up's id is reused by every cycle (a later reply moves
  // it), so its key carries the cycle's anchor; an order message goes once per order.
  std::string key = timer.id();
  if (*kind == schedule::MessageKind::kFollowUp) {
    key += "/" + std::to_string(UnixSeconds(payload.value().anchor));
  }
  entry.set_idempotency_key(key);
  // At once: the timer was placed inside the buyer's window.
  auto added = outbox_.Enqueue(entry, now, batch);
  if (!added) return added.error();
  log::Info("proactive.enqueued", {{"timer", timer.id()},
                                   {"conversation", c.id()},
                                   {"outbox", entry.id()},
                                   {"kind", timer.kind()},
                                   {"new", added.value()}});
  return Ok();
}

}  // namespace csgw::gateway
