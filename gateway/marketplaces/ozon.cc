#include "gateway/marketplaces/ozon.h"

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/log.h"
#include "base/strings.h"
#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"

// The version TYPE_PING reports. The build may pass the project version as CSGW_VERSION; the
// fallback follows project(VERSION) in the root CMakeLists.txt.
#ifndef CSGW_VERSION
#define CSGW_VERSION "0.1.0"
#endif

namespace csgw::gateway {
namespace {

constexpr std::string_view kMarketplace = "ozon";
constexpr std::string_view kDefaultAppName = "csgw";
constexpr std::string_view kResultTrue = R"({"result":true})";

struct ChatType {
  std::string_view name;
  proto::BuyerMessage::Kind kind;
};

constexpr std::array<ChatType, 4> kChatTypes{{
    {"TYPE_NEW_MESSAGE", proto::BuyerMessage::KIND_NEW},
    {"TYPE_UPDATE_MESSAGE", proto::BuyerMessage::KIND_EDITED},
    {"TYPE_MESSAGE_READ", proto::BuyerMessage::KIND_READ},
    {"TYPE_CHAT_CLOSED", proto::BuyerMessage::KIND_CONVERSATION_CLOSED},
}};

constexpr std::array<std::string_view, 5> kPostingTypes{
    "TYPE_NEW_POSTING", "TYPE_POSTING_CANCELLED", "TYPE_STATE_CHANGED", "TYPE_CUTOFF_DATE_CHANGED",
    "TYPE_DELIVERY_DATE_CHANGED"};

// A new posting carries no state. In Ozon's push status model a new FBS posting is
// "posting_created" (Seller API: awaiting_packaging); the push-model word keeps
// marketplace_status in one vocabulary with the posting's later TYPE_STATE_CHANGED pushes.
constexpr std::string_view kNewPostingState = "posting_created";
// TYPE_POSTING_CANCELLED documents new_state as always "posting_canceled".
constexpr std::string_view kCancelledState = "posting_canceled";

struct StatusRow {
  std::string_view state;  // without the push model's "posting_" prefix
  proto::OrderStatus status;
};

// Ozon's push states (docs "Статусы отправлений", prefix stripped) and the Seller API states
// they correspond to, grouped as Ozon's own correspondence table groups them. Arbitration and
// "not accepted at the sort centre" have no normalised equivalent and stay UNSPECIFIED; the raw
// word is kept in marketplace_status either way.
constexpr std::array<StatusRow, 32> kStatusTable{{
    // Seller API awaiting_approve / awaiting_packaging / awaiting_registration / awaiting_deliver.
    {"created", proto::ORDER_STATUS_AWAITING_SHIPMENT},
    {"split_pending", proto::ORDER_STATUS_AWAITING_SHIPMENT},
    {"packing", proto::ORDER_STATUS_AWAITING_SHIPMENT},
    {"acceptance_in_progress", proto::ORDER_STATUS_AWAITING_SHIPMENT},
    {"awaiting_approve", proto::ORDER_STATUS_AWAITING_SHIPMENT},
    {"awaiting_packaging", proto::ORDER_STATUS_AWAITING_SHIPMENT},
    {"awaiting_registration", proto::ORDER_STATUS_AWAITING_SHIPMENT},
    {"awaiting_passport_data", proto::ORDER_STATUS_AWAITING_SHIPMENT},
    {"awaiting_deliver", proto::ORDER_STATUS_AWAITING_SHIPMENT},
    {"transferring_to_delivery", proto::ORDER_STATUS_AWAITING_SHIPMENT},
    {"in_carriage", proto::ORDER_STATUS_AWAITING_SHIPMENT},
    {"not_in_carriage", proto::ORDER_STATUS_AWAITING_SHIPMENT},
    // Seller API delivering / driver_pickup / sent_by_seller.
    {"delivering", proto::ORDER_STATUS_SHIPPED},
    {"on_way_to_city", proto::ORDER_STATUS_SHIPPED},
    {"transferred_to_courier_service", proto::ORDER_STATUS_SHIPPED},
    {"in_courier_service", proto::ORDER_STATUS_SHIPPED},
    {"on_way_to_pickup_point", proto::ORDER_STATUS_SHIPPED},
    {"in_pickup_point", proto::ORDER_STATUS_SHIPPED},
    {"conditionally_delivered", proto::ORDER_STATUS_SHIPPED},
    {"driver_pick_up", proto::ORDER_STATUS_SHIPPED},
    {"driver_pickup", proto::ORDER_STATUS_SHIPPED},
    {"sent_by_seller", proto::ORDER_STATUS_SHIPPED},
    // Seller API delivered.
    {"delivered", proto::ORDER_STATUS_DELIVERED},
    {"received", proto::ORDER_STATUS_DELIVERED},
    // Seller API cancelled; the push model spells it "canceled".
    {"canceled", proto::ORDER_STATUS_CANCELLED},
    {"cancelled", proto::ORDER_STATUS_CANCELLED},
    {"returned_to_warehouse", proto::ORDER_STATUS_RETURNED},
    // No normalised equivalent.
    {"in_arbitration", proto::ORDER_STATUS_UNSPECIFIED},
    {"in_client_arbitration", proto::ORDER_STATUS_UNSPECIFIED},
    {"arbitration", proto::ORDER_STATUS_UNSPECIFIED},
    {"client_arbitration", proto::ORDER_STATUS_UNSPECIFIED},
    {"not_in_sort_center", proto::ORDER_STATUS_UNSPECIFIED},
}};

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  log::AppendJsonEscaped(out, s);
  return out + "\"";
}

Intake Stored(proto::Event event) {
  Intake intake;
  intake.events.push_back(std::move(event));
  intake.reply = JsonReply(200, std::string(kResultTrue));
  return intake;
}

Intake Ignored(std::string_view type) {
  Intake intake;
  intake.reply = JsonReply(200, std::string(kResultTrue));
  intake.ignored = std::string(type);
  return intake;
}

// An optional date-time member: absent, null or "" give nullopt (Ozon sends "" for dates it has
// not set, e.g. in_process_at of a late-paid order).
Result<std::optional<TimePoint>> OptionalTime(const JsonValue& object, std::string_view key) {
  auto text = object.OptionalString(key);
  if (!text) return text.error();
  if (!text.value() || text.value()->empty()) return std::optional<TimePoint>();
  auto t = ParseTimeField(key, *text.value());
  if (!t) return t.error();
  return std::optional<TimePoint>(t.value());
}

// A member that must be a non-empty ISO date-time; `raw` receives the text as sent, which event
// ids use so that they do not depend on how we format times.
Result<TimePoint> RequiredTime(const JsonValue& object, std::string_view key, std::string& raw) {
  auto text = object.NonEmptyString(key);
  if (!text) return text.error();
  raw = std::move(text).value();
  return ParseTimeField(key, raw);
}

// The date member `key` verbatim, "" when absent: part of an event id.
Result<std::string> RawDate(const JsonValue& object, std::string_view key) {
  auto text = object.OptionalString(key);
  if (!text) return text.error();
  return text.value().value_or("");
}

// What identifies one posting push and when it happened; the fields differ per type.
struct PostingChange {
  std::string state;               // new_state, or the state the type implies; "" if none
  std::vector<std::string> dates;  // the type's own date fields, verbatim, for the event id
  std::optional<TimePoint> occurred_at;
};

Result<PostingChange> ReadStateChange(const JsonValue& root, std::string_view type) {
  PostingChange change;
  if (type == "TYPE_STATE_CHANGED") {
    auto state = root.NonEmptyString("new_state");
    if (!state) return state.error();
    change.state = std::move(state).value();
  } else {
    auto state = root.OptionalString("new_state");
    if (!state) return state.error();
    change.state = state.value().value_or("");
    if (change.state.empty()) change.state = kCancelledState;
  }
  std::string date;
  auto t = RequiredTime(root, "changed_state_date", date);
  if (!t) return t.error();
  change.dates.push_back(std::move(date));
  change.occurred_at = t.value();
  return change;
}

Result<PostingChange> ReadPostingChange(const JsonValue& root, std::string_view type) {
  if (type == "TYPE_STATE_CHANGED" || type == "TYPE_POSTING_CANCELLED") {
    return ReadStateChange(root, type);
  }
  PostingChange change;
  std::vector<std::string_view> date_keys;
  if (type == "TYPE_NEW_POSTING") {
    change.state = kNewPostingState;
    date_keys = {"in_process_at"};
    auto t = OptionalTime(root, "in_process_at");
    if (!t) return t.error();
    change.occurred_at = t.value();
  } else if (type == "TYPE_CUTOFF_DATE_CHANGED") {
    // The new shipping deadline, not the time of the change: occurred_at falls back to now.
    date_keys = {"new_cutoff_date"};
  } else {  // TYPE_DELIVERY_DATE_CHANGED; the new window, likewise not the time of the change
    date_keys = {"new_delivery_date_begin", "new_delivery_date_end"};
  }
  for (std::string_view key : date_keys) {
    auto date = RawDate(root, key);
    if (!date) return date.error();
    change.dates.push_back(std::move(date).value());
  }
  return change;
}

Result<std::vector<proto::OrderItem>> ReadProducts(const JsonValue& root) {
  std::vector<proto::OrderItem> items;
  auto products = root.Find("products");
  if (!products) return products.error();
  if (!products.value()) return items;
  auto elements = products.value()->AsArray();
  if (!elements) return elements.error();
  for (const JsonValue& product : elements.value()) {
    auto sku = product.Id("sku");
    if (!sku) return sku.error();
    auto quantity = product.Int("quantity");
    if (!quantity) return quantity.error();
    proto::OrderItem item;
    item.set_sku(std::move(sku).value());
    item.set_quantity(quantity.value());
    items.push_back(std::move(item));
  }
  return items;
}

// reason.message of a cancellation, "" when absent.
Result<std::string> ReadReason(const JsonValue& root) {
  auto reason = root.OptionalObject("reason");
  if (!reason) return reason.error();
  if (!reason.value()) return std::string();
  auto message = reason.value()->OptionalString("message");
  if (!message) return message.error();
  return message.value().value_or("");
}

// The parts of a chat push that differ per kind.
struct ChatFields {
  std::string event_id;
  std::optional<TimePoint> occurred_at;  // nullopt: the push says nothing, use now
};

Result<ChatFields> ReadNewOrEdited(const JsonValue& root, proto::BuyerMessage::Kind kind,
                                   proto::BuyerMessage& message) {
  auto message_id = root.Id("message_id");
  if (!message_id) return message_id.error();
  auto data = root.StringArray("data");
  if (!data) return data.error();
  message.set_message_id(message_id.value());
  message.set_text(Join(data.value(), "\n"));
  ChatFields fields;
  if (kind == proto::BuyerMessage::KIND_NEW) {
    auto created = OptionalTime(root, "created_at");
    if (!created) return created.error();
    fields.event_id = std::move(message_id).value();
    fields.occurred_at = created.value();
    return fields;
  }
  // An edit is a new event each time the message changes: updated_at tells the edits apart.
  std::string updated_at;
  auto updated = RequiredTime(root, "updated_at", updated_at);
  if (!updated) return updated.error();
  fields.event_id = message_id.value() + ":edit:" + updated_at;
  fields.occurred_at = updated.value();
  return fields;
}

Result<ChatFields> ReadChatFields(const JsonValue& root, proto::BuyerMessage::Kind kind,
                                  proto::BuyerMessage& message) {
  if (kind == proto::BuyerMessage::KIND_NEW || kind == proto::BuyerMessage::KIND_EDITED) {
    return ReadNewOrEdited(root, kind, message);
  }
  ChatFields fields;
  if (kind == proto::BuyerMessage::KIND_READ) {
    auto last_read = root.Id("last_read_message_id");
    if (!last_read) return last_read.error();
    auto message_id = root.OptionalId("message_id");
    if (!message_id) return message_id.error();
    message.set_message_id(message_id.value().value_or(""));
    message.set_read_up_to_message_id(last_read.value());
    // created_at here is the read message's creation time, not the time it was read; the push
    // carries no read time, so occurred_at is when it arrived.
    fields.event_id = "read:" + message.conversation_id() + ":" + last_read.value();
    return fields;
  }
  // TYPE_CHAT_CLOSED carries no time at all.
  fields.event_id = "closed:" + message.conversation_id();
  return fields;
}

struct ChatUser {
  proto::SenderRole role = proto::SENDER_ROLE_UNSPECIFIED;
  std::string id;
};

Result<ChatUser> ReadChatUser(const JsonValue& root, bool required) {
  auto user = root.OptionalObject("user");
  if (!user) return user.error();
  ChatUser out;
  if (!user.value()) {
    if (required) return root.Get("user").error();
    return out;
  }
  auto type = user.value()->OptionalString("type");
  if (!type) return type.error();
  auto id = user.value()->OptionalId("id");
  if (!id) return id.error();
  out.role = OzonSenderRole(type.value().value_or(""));
  out.id = id.value().value_or("");
  return out;
}

}  // namespace

proto::SenderRole OzonSenderRole(std::string_view user_type) {
  // "\xD0\xA1" is the Cyrillic capital Es of the documentation examples' "Сustomer"; "\xD1\x81"
  // its lower-case form.
  const std::string t = AsciiLower(user_type);
  if (t == "customer" || t == "\xD0\xA1ustomer" || t == "\xD1\x81ustomer") {
    return proto::SENDER_ROLE_BUYER;
  }
  if (t == "seller") return proto::SENDER_ROLE_SELLER;
  if (t == "support" || t == "notificationuser") return proto::SENDER_ROLE_PLATFORM;
  return proto::SENDER_ROLE_UNSPECIFIED;
}

std::string OzonOrderIdOfPosting(std::string_view posting_number) {
  // "24219509-0020-1" belongs to order "24219509-0020", as the order_number field of Ozon's FBO
  // pushes shows.
  const size_t dash = posting_number.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return std::string(posting_number);
  return std::string(posting_number.substr(0, dash));
}

proto::OrderStatus OzonOrderStatus(std::string_view state) {
  constexpr std::string_view kPrefix = "posting_";
  if (state.substr(0, kPrefix.size()) == kPrefix) state.remove_prefix(kPrefix.size());
  for (const StatusRow& row : kStatusTable) {
    if (row.state == state) return row.status;
  }
  return proto::ORDER_STATUS_UNSPECIFIED;
}

OzonAdapter::OzonAdapter(Options options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

Result<void> OzonAdapter::Verify(const InboundRequest& request) const {
  if (request.method != "POST") {
    return MakeError(Errc::kMethodNotAllowed, "Ozon pushes are POST requests");
  }
  return CheckUrlToken(request, options_.url_token);
}

Result<Intake> OzonAdapter::Normalize(const InboundRequest& request) const {
  auto doc = JsonDocument::ParseObject(request.body);
  if (!doc) return doc.error();
  const JsonValue& root = doc.value().root();
  auto type = root.NonEmptyString("message_type");
  if (!type) return type.error();
  const std::string& t = type.value();

  if (t == "TYPE_PING") {
    Intake intake;
    intake.reply = PingReply();
    return intake;
  }
  for (const ChatType& chat : kChatTypes) {
    if (chat.name != t) continue;
    auto event = ChatEvent(root, chat.kind, request);
    if (!event) return event.error();
    return Stored(std::move(event).value());
  }
  for (std::string_view posting : kPostingTypes) {
    if (posting != t) continue;
    auto event = PostingEvent(root, t, request);
    if (!event) return event.error();
    return Stored(std::move(event).value());
  }
  // Acknowledged, not an error: Ozon pauses every push to an endpoint that keeps failing.
  return Ignored(t);
}

AdapterReply OzonAdapter::PingReply() const {
  const std::string name =
      options_.app_name.empty() ? std::string(kDefaultAppName) : options_.app_name;
  return JsonReply(200, "{\"version\":" + JsonQuote(CSGW_VERSION) + ",\"name\":" + JsonQuote(name) +
                            ",\"time\":" + JsonQuote(FormatIsoMillis(clock_.Now())) + "}");
}

Result<proto::Event> OzonAdapter::ChatEvent(const JsonValue& root, proto::BuyerMessage::Kind kind,
                                            const InboundRequest& request) const {
  auto chat_id = root.Id("chat_id");
  if (!chat_id) return chat_id.error();
  auto seller_id = root.Id("seller_id");
  if (!seller_id) return seller_id.error();
  auto channel = root.OptionalString("chat_type");
  if (!channel) return channel.error();
  // Who wrote, read or closed. A new or edited message without it could be the seller's own.
  const bool user_required =
      kind == proto::BuyerMessage::KIND_NEW || kind == proto::BuyerMessage::KIND_EDITED;
  auto user = ReadChatUser(root, user_required);
  if (!user) return user.error();

  proto::BuyerMessage message;
  message.set_kind(kind);
  message.set_conversation_id(chat_id.value());
  message.set_channel(channel.value().value_or(""));
  message.set_sender(user.value().role);
  auto fields = ReadChatFields(root, kind, message);
  if (!fields) return fields.error();

  const TimePoint now = clock_.Now();
  proto::Event event =
      NewEvent(kMarketplace, std::move(seller_id).value(), std::move(fields.value().event_id),
               fields.value().occurred_at.value_or(now), now, request);
  if (user.value().role == proto::SENDER_ROLE_BUYER && !user.value().id.empty()) {
    event.mutable_buyer()->set_id(user.value().id);
  }
  *event.mutable_buyer_message() = std::move(message);
  return event;
}

Result<proto::Event> OzonAdapter::PostingEvent(const JsonValue& root, std::string_view type,
                                               const InboundRequest& request) const {
  auto posting_number = root.Id("posting_number");
  if (!posting_number) return posting_number.error();
  auto seller_id = root.Id("seller_id");
  if (!seller_id) return seller_id.error();
  auto change = ReadPostingChange(root, type);
  if (!change) return change.error();
  auto old_state = root.OptionalString("old_state");
  if (!old_state) return old_state.error();
  auto reason = ReadReason(root);
  if (!reason) return reason.error();
  auto items = ReadProducts(root);
  if (!items) return items.error();
  auto tracking = root.OptionalString("tracking_number");
  if (!tracking) return tracking.error();

  // posting:type[:state]:dates: one event per state change, date change or new posting, so a
  // redelivery dedupes while the next change of the same posting does not.
  std::string event_id = posting_number.value() + ":" + std::string(type);
  if (!change.value().state.empty()) event_id += ":" + change.value().state;
  for (const std::string& date : change.value().dates) event_id += ":" + date;

  const TimePoint now = clock_.Now();
  proto::Event event = NewEvent(kMarketplace, std::move(seller_id).value(), std::move(event_id),
                                change.value().occurred_at.value_or(now), now, request);
  event.mutable_order()->set_order_id(OzonOrderIdOfPosting(posting_number.value()));
  event.mutable_order()->set_shipment_id(posting_number.value());
  proto::OrderUpdate* update = event.mutable_order_update();
  update->set_status(OzonOrderStatus(change.value().state));
  update->set_marketplace_status(change.value().state);
  update->set_previous_marketplace_status(old_state.value().value_or(""));
  update->set_reason(std::move(reason).value());
  update->set_tracking_number(tracking.value().value_or(""));
  for (proto::OrderItem& item : items.value()) *update->add_items() = std::move(item);
  return event;
}

}  // namespace csgw::gateway
