#include "gateway/pipeline/conversations.h"

#include <algorithm>

#include "gateway/marketplaces/event_util.h"
#include "gateway/marketplaces/wildberries_poll.h"

namespace csgw::gateway {
namespace {

bool Newer(const google::protobuf::Timestamp& a, const google::protobuf::Timestamp& b) {
  return a.seconds() != b.seconds() ? a.seconds() > b.seconds() : a.nanos() > b.nanos();
}

std::string OrderState(proto::OrderStatus status) {
  switch (status) {
    case proto::ORDER_STATUS_CREATED:
    case proto::ORDER_STATUS_UNPAID:
      return "unpaid";
    case proto::ORDER_STATUS_PAID:
    case proto::ORDER_STATUS_AWAITING_SHIPMENT:
      return "not_shipped";
    case proto::ORDER_STATUS_SHIPPED:
    case proto::ORDER_STATUS_FAILED_DELIVERY:
      return "shipped";
    case proto::ORDER_STATUS_DELIVERED:
    case proto::ORDER_STATUS_COMPLETED:
      return "delivered";
    default:
      return "";
  }
}

template <class Repeated>
void KeepNewest(Repeated& items, size_t max) {
  if (static_cast<size_t>(items.size()) > max) {
    items.DeleteSubrange(0, items.size() - static_cast<int>(max));
  }
}

}  // namespace

std::string ConversationId(const proto::Event& event) {
  std::string party;
  if (!event.buyer().id().empty()) {
    party = event.buyer().id();
  } else if (event.has_buyer_message() && !event.buyer_message().conversation_id().empty()) {
    party = "chat:" + event.buyer_message().conversation_id();
  } else {
    return "";
  }
  std::string id = event.marketplace() + "/" + event.store_id() + "/" + party;
  if (!event.order().order_id().empty()) id += "/" + event.order().order_id();
  return id;
}

std::string OrderRecordKey(const proto::Event& event) {
  if (event.order().order_id().empty()) return "";
  return event.marketplace() + "/" + event.store_id() + "/" + event.order().order_id();
}

void ApplyOrderUpdate(const proto::Event& event, proto::OrderContext& order) {
  const proto::OrderUpdate& update = event.order_update();
  // Facts that do not change once known: kept from any update, older or newer.
  if (order.tracking_number().empty()) order.set_tracking_number(update.tracking_number());
  if (order.carrier().empty()) order.set_carrier(update.carrier());
  if (order.item().empty() && !update.items().empty()) order.set_item(update.items(0).title());
  if (order.has_status_at() && !Newer(event.occurred_at(), order.status_at())) {
    // Older news: keep only what the newer state lacks.
    if (!order.has_total() && update.has_total()) *order.mutable_total() = update.total();
    if (!order.has_ship_by() && update.has_ship_by()) *order.mutable_ship_by() = update.ship_by();
    if (!order.has_delivery_from() && update.has_delivery_from()) {
      *order.mutable_delivery_from() = update.delivery_from();
    }
    if (!order.has_delivery_to() && update.has_delivery_to()) {
      *order.mutable_delivery_to() = update.delivery_to();
    }
    return;
  }
  order.set_marketplace(event.marketplace());
  order.set_store_id(event.store_id());
  order.set_order_id(event.order().order_id());
  if (update.status() != proto::ORDER_STATUS_UNSPECIFIED) order.set_status(update.status());
  if (update.has_total()) *order.mutable_total() = update.total();
  if (!update.tracking_number().empty()) order.set_tracking_number(update.tracking_number());
  if (!update.carrier().empty()) order.set_carrier(update.carrier());
  if (update.has_ship_by()) *order.mutable_ship_by() = update.ship_by();
  if (update.has_delivery_from()) *order.mutable_delivery_from() = update.delivery_from();
  if (update.has_delivery_to()) *order.mutable_delivery_to() = update.delivery_to();
  if (update.status() == proto::ORDER_STATUS_SHIPPED && !order.has_shipped_at()) {
    *order.mutable_shipped_at() = event.occurred_at();
  }
  if (update.status() == proto::ORDER_STATUS_DELIVERED && !order.has_delivered_at()) {
    *order.mutable_delivered_at() = event.occurred_at();
  }
  *order.mutable_status_at() = event.occurred_at();
  *order.mutable_updated_at() = event.received_at();
}

bool RecordMessage(const proto::Event& event, uint64_t sequence, std::string_view language,
                   size_t max_messages, proto::Conversation& conversation) {
  const proto::BuyerMessage& message = event.buyer_message();
  for (const auto& m : conversation.messages()) {
    if (m.message_id() == message.message_id()) return false;
  }
  if (conversation.id().empty()) {
    conversation.set_id(ConversationId(event));
    conversation.set_marketplace(event.marketplace());
    conversation.set_store_id(event.store_id());
    conversation.set_order_id(event.order().order_id());
  }
  // The latest non-empty buyer data wins: marketplaces fill it in over time.
  const proto::Buyer& buyer = event.buyer();
  proto::Buyer& known = *conversation.mutable_buyer();
  if (!buyer.id().empty()) known.set_id(buyer.id());
  if (!buyer.display_name().empty()) known.set_display_name(buyer.display_name());
  if (!buyer.country().empty()) known.set_country(buyer.country());
  if (!buyer.locale_hint().empty()) known.set_locale_hint(buyer.locale_hint());
  if (!buyer.time_zone().empty()) known.set_time_zone(buyer.time_zone());
  if (!buyer.region().empty()) known.set_region(buyer.region());
  // The thread's id and its channel travel together: they say where (and through which send
  // API) the next reply goes.
  if (!message.conversation_id().empty()) {
    conversation.set_marketplace_conversation_id(message.conversation_id());
    conversation.set_channel(message.channel());
  } else if (conversation.marketplace_conversation_id().empty() && conversation.channel().empty()) {
    conversation.set_channel(message.channel());
  }
  proto::ConversationMessage& m = *conversation.add_messages();
  m.set_message_id(message.message_id());
  m.set_sender(message.sender());
  *m.mutable_at() = event.occurred_at();
  m.set_source_sequence(sequence);
  m.set_language(std::string(language));
  if (message.sender() == proto::SENDER_ROLE_BUYER &&
      (!conversation.has_last_buyer_message_at() ||
       Newer(event.occurred_at(), conversation.last_buyer_message_at()))) {
    *conversation.mutable_last_buyer_message_at() = event.occurred_at();
  }
  KeepNewest(*conversation.mutable_messages(), max_messages);
  return true;
}

bool NoteReplyToken(const proto::Event& event, proto::Conversation& conversation) {
  if (event.marketplace() != "wildberries" || !event.has_buyer_message()) return false;
  auto sign = WildberriesReplySign(event);
  if (!sign || sign.value() == conversation.reply_token()) return false;
  conversation.set_reply_token(std::move(sign).value());
  return true;
}

bool HasDraftFor(const proto::Conversation& conversation, std::string_view message_id) {
  for (const auto& d : conversation.drafts()) {
    if (d.source_message_id() == message_id) return true;
  }
  return false;
}

std::vector<std::string> HistoryLanguages(const proto::Conversation& conversation) {
  std::vector<std::string> languages;
  for (const auto& m : conversation.messages()) {
    if (m.sender() == proto::SENDER_ROLE_BUYER && !m.language().empty() &&
        m.language() != "unknown") {
      languages.push_back(m.language());
    }
  }
  return languages;
}

templates::DraftRequest MakeDraftRequest(const proto::Event& event,
                                         const proto::Conversation& conversation,
                                         const proto::OrderContext* order, TimePoint now) {
  templates::DraftRequest r;
  r.marketplace = event.marketplace();
  r.store_id = event.store_id();
  r.text = event.buyer_message().text();
  // This message's buyer data first; what earlier messages told fills the gaps.
  auto pick = [](const std::string& now, const std::string& before) {
    return now.empty() ? before : now;
  };
  const proto::Buyer& buyer = event.buyer();
  const proto::Buyer& known = conversation.buyer();
  r.buyer_name = pick(buyer.display_name(), known.display_name());
  r.buyer_country = pick(buyer.country(), known.country());
  r.buyer_time_zone = pick(buyer.time_zone(), known.time_zone());
  r.buyer_region = pick(buyer.region(), known.region());
  r.history_languages = HistoryLanguages(conversation);
  r.now = now;
  r.order.order_id = event.order().order_id();
  if (order != nullptr) FillTemplateOrder(*order, r.order);
  return r;
}

void FillTemplateOrder(const proto::OrderContext& order, templates::OrderContext& out) {
  if (out.order_id.empty()) out.order_id = order.order_id();
  out.state = OrderState(order.status());
  if (order.has_total() && !order.total().amount().empty()) {
    out.total = templates::MoneyValue{order.total().amount(), order.total().currency()};
  }
  out.item = order.item();
  out.tracking_number = order.tracking_number();
  out.carrier = order.carrier();
  if (order.has_shipped_at()) out.shipped_at = FromTimestamp(order.shipped_at());
  if (order.has_ship_by()) out.ship_by = FromTimestamp(order.ship_by());
  if (order.has_delivery_from()) out.delivery_window_start = FromTimestamp(order.delivery_from());
  if (order.has_delivery_to()) out.delivery_window_end = FromTimestamp(order.delivery_to());
}

proto::Draft StoreDraft(const templates::Draft& draft, const proto::Event& event, uint64_t sequence,
                        TimePoint now, size_t max_drafts, proto::Conversation& conversation) {
  auto& drafts = *conversation.mutable_drafts();
  const std::string& message_id = event.buyer_message().message_id();
  auto existing = std::find_if(drafts.begin(), drafts.end(), [&](const proto::Draft& d) {
    return d.source_message_id() == message_id;
  });
  proto::Draft& d = existing != drafts.end() ? *existing : *drafts.Add();
  d.Clear();
  d.set_source_message_id(message_id);
  d.set_source_sequence(sequence);
  SetTimestamp(d.mutable_created_at(), now);
  d.set_state(draft.text.empty() ? proto::DRAFT_STATE_NEEDS_AGENT
              : draft.auto_send  ? proto::DRAFT_STATE_AUTO_SEND
                                 : proto::DRAFT_STATE_PENDING_APPROVAL);
  d.set_language(draft.language.language);
  d.set_language_confidence(draft.language.confidence);
  d.set_language_method(draft.language.method);
  d.set_locale(draft.locale);
  d.set_time_zone(draft.time_zone);
  d.set_time_zone_source(draft.time_zone_source);
  d.set_intent(draft.intent.intent);
  d.set_intent_confidence(draft.intent.confidence);
  d.set_template_key(draft.template_key);
  d.set_template_locale(draft.template_locale);
  d.set_text(draft.text);
  d.set_reason(draft.reason);
  for (const auto& f : draft.findings) {
    proto::QualityFinding& finding = *d.add_findings();
    finding.set_code(f.code);
    finding.set_message(f.message);
  }
  proto::Draft stored = d;
  KeepNewest(drafts, max_drafts);
  return stored;
}

const char* DraftStateName(proto::DraftState state) {
  switch (state) {
    case proto::DRAFT_STATE_AUTO_SEND:
      return "auto_send";
    case proto::DRAFT_STATE_PENDING_APPROVAL:
      return "pending_approval";
    case proto::DRAFT_STATE_NEEDS_AGENT:
      return "needs_agent";
    default:
      return "unspecified";
  }
}

templates::StorePolicy PolicyFor(const proto::TemplatesConfig& config, std::string_view store_id) {
  const proto::StorePolicy* source = &config.default_policy();
  for (const auto& p : config.stores()) {
    if (p.store_id() == store_id) source = &p;
  }
  templates::StorePolicy policy;
  policy.store_name = source->store_name();
  policy.agent_name = source->agent_name();
  if (!source->auto_send_intents().empty()) {
    policy.auto_send_intents.clear();
    for (const auto& intent : source->auto_send_intents()) {
      if (intent != "none") policy.auto_send_intents.insert(intent);
    }
  }
  for (const auto& [intent, key] : source->intent_templates()) {
    policy.intent_templates[intent] = key;
  }
  policy.formal = !source->informal();
  if (source->min_auto_confidence() > 0) policy.min_auto_confidence = source->min_auto_confidence();
  return policy;
}

}  // namespace csgw::gateway
