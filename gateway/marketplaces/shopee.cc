#include "gateway/marketplaces/shopee.h"

#include <cctype>
#include <utility>

#include "base/crypto.h"
#include "base/json.h"
#include "gateway/marketplaces/event_util.h"

namespace csgw::gateway {
namespace {

constexpr std::string_view kMarketplace = "shopee";

// Push codes (Shopee v2.push.set_app_push_config; marketplaces/README.md §6.1).
constexpr int64_t kCodeOrderStatus = 3;
constexpr int64_t kCodeWebchat = 10;

// Shopee sends Unix seconds everywhere (timestamp, created_timestamp, update_time).
Result<int64_t> UnixSeconds(const JsonValue& object, std::string_view key) {
  auto field = object.Get(key);
  if (!field) return field.error();
  auto seconds = field.value().AsInt();
  if (!seconds) return seconds.error();
  // Negative or absurdly large values would overflow the nanosecond clock: reject, don't wrap.
  constexpr int64_t kYear9999 = 253402300799;
  if (seconds.value() < 0 || seconds.value() > kYear9999) {
    return MakeError(Errc::kInvalidField,
                     "field '" + field.value().path() + "' must be a Unix time in seconds");
  }
  return seconds;
}

TimePoint FromUnixSeconds(int64_t seconds) { return TimePoint(std::chrono::seconds(seconds)); }

// Shopee's order status words (v2.order.get_order_detail "order_status").
proto::OrderStatus OrderStatusOf(std::string_view status) {
  if (status == "UNPAID") return proto::ORDER_STATUS_UNPAID;
  if (status == "READY_TO_SHIP" || status == "PROCESSED") {
    return proto::ORDER_STATUS_AWAITING_SHIPMENT;
  }
  if (status == "SHIPPED") return proto::ORDER_STATUS_SHIPPED;
  if (status == "TO_CONFIRM_RECEIVE") return proto::ORDER_STATUS_DELIVERED;
  if (status == "COMPLETED") return proto::ORDER_STATUS_COMPLETED;
  if (status == "IN_CANCEL" || status == "CANCELLED") return proto::ORDER_STATUS_CANCELLED;
  if (status == "TO_RETURN") return proto::ORDER_STATUS_RETURNED;
  return proto::ORDER_STATUS_UNSPECIFIED;  // kept verbatim in marketplace_status
}

// Shopee regions (SG, MY, ID, BR, ...) are ISO 3166-1 alpha-2 codes; anything else is dropped
// rather than stored as a country.
std::string CountryFromRegion(std::string_view region) {
  if (region.size() != 2) return {};
  std::string out;
  for (char c : region) {
    if (!std::isalpha(static_cast<unsigned char>(c))) return {};
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// The envelope every push shares: {msg_id, data, shop_id, code, timestamp}.
struct Envelope {
  std::string shop_id;
  int64_t code = 0;
};

Result<Envelope> ReadEnvelope(const JsonValue& root) {
  Envelope envelope;
  auto shop_id = root.Id("shop_id");
  if (!shop_id) return shop_id.error();
  envelope.shop_id = std::move(shop_id).value();
  auto code = root.Int("code");
  if (!code) return code.error();
  envelope.code = code.value();
  return envelope;
}

// data.content of a code-10 "message" push, as read from the wire.
struct WebchatMessage {
  std::string message_id;
  std::string conversation_id;
  std::string from_id;
  std::string from_name;
  std::string to_id;
  std::string to_name;
  std::string sender_shop_id;  // content.shop_id: the sending account's shop
  std::string region;
  std::string text;
  int64_t created = 0;
};

Result<WebchatMessage> ReadWebchatMessage(const JsonValue& data) {
  auto content = data.Object("content");
  if (!content) return content.error();
  const JsonValue& c = content.value();
  WebchatMessage m;
  auto message_id = c.Id("message_id");
  if (!message_id) return message_id.error();
  m.message_id = std::move(message_id).value();
  auto conversation_id = c.Id("conversation_id");
  if (!conversation_id) return conversation_id.error();
  m.conversation_id = std::move(conversation_id).value();
  auto from_id = c.Id("from_id");
  if (!from_id) return from_id.error();
  m.from_id = std::move(from_id).value();
  auto created = UnixSeconds(c, "created_timestamp");
  if (!created) return created.error();
  m.created = created.value();

  struct Optional {
    const JsonValue& object;
    std::string_view key;
    std::string* out;
    bool is_id;
  };
  // The region sits in content and, in the captured push, in data as well.
  for (const Optional& o :
       {Optional{c, "from_user_name", &m.from_name, false}, Optional{c, "to_id", &m.to_id, true},
        Optional{c, "to_user_name", &m.to_name, false},
        Optional{c, "shop_id", &m.sender_shop_id, true}, Optional{c, "region", &m.region, false},
        Optional{data, "region", &m.region, false}}) {
    if (!o.out->empty()) continue;
    auto v = o.is_id ? o.object.OptionalId(o.key) : o.object.OptionalString(o.key);
    if (!v) return v.error();
    *o.out = v.value().value_or("");
  }

  auto message_type = c.String("message_type");
  if (!message_type) return message_type.error();
  // Only text messages carry text. Stickers, images, items and orders have their own content
  // shapes that no captured push shows, so their text stays empty rather than guessed at; the
  // message id lets an agent open the conversation.
  if (message_type.value() == "text") {
    auto body = c.Object("content");
    if (!body) return body.error();
    auto text = body.value().String("text");
    if (!text) return text.error();
    m.text = std::move(text).value();
  }
  return m;
}

Intake Ignored(std::string what) {
  Intake intake;
  intake.reply = EmptyReply(200);
  intake.ignored = std::move(what);
  return intake;
}

}  // namespace

ShopeeAdapter::ShopeeAdapter(Options options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

Result<void> ShopeeAdapter::Verify(const InboundRequest& request) const {
  if (request.method != "POST") {
    return MakeError(Errc::kMethodNotAllowed, "Shopee pushes must be POST");
  }
  const std::string* signature = request.Header("authorization");
  if (signature == nullptr || signature->empty()) {
    return MakeError(Errc::kBadSignature, "Authorization header is missing");
  }
  // The callback URL is part of the signed text, so a push meant for another endpoint fails.
  const std::string expected =
      crypto::HmacSha256Hex(options_.partner_key, options_.callback_url + "|" + request.body);
  if (!crypto::HexEqualsConstantTime(*signature, expected)) {
    return MakeError(Errc::kBadSignature, "Authorization does not match the body");
  }
  // The HMAC covers no timestamp header; the body's `timestamp` is inside the signed bytes, so
  // checking it after the signature bounds how long a captured push can be replayed.
  auto doc = JsonDocument::ParseObject(request.body);
  if (!doc) return doc.error();
  auto sent = UnixSeconds(doc.value().root(), "timestamp");
  if (!sent) return sent.error();
  return CheckFreshness(FromUnixSeconds(sent.value()), clock_.Now(), options_.max_age);
}

Result<Intake> ShopeeAdapter::Normalize(const InboundRequest& request) const {
  auto doc = JsonDocument::ParseObject(request.body);
  if (!doc) return doc.error();
  const JsonValue& root = doc.value().root();
  auto envelope = ReadEnvelope(root);
  if (!envelope) return envelope.error();
  switch (envelope.value().code) {
    case kCodeWebchat:
      return NormalizeWebchat(request, root, envelope.value().shop_id);
    case kCodeOrderStatus:
      return NormalizeOrderStatus(request, root, envelope.value().shop_id);
    default:
      return Ignored("code_" + std::to_string(envelope.value().code));
  }
}

// Code 10: {"type": "message", "content": {message_id, conversation_id, from_id, ...}}. The
// schema is known only from third-party code (marketplaces/README.md §6.3).
Result<Intake> ShopeeAdapter::NormalizeWebchat(const InboundRequest& request, const JsonValue& root,
                                               const std::string& shop_id) const {
  auto data = root.Object("data");
  if (!data) return data.error();
  auto type = data.value().String("type");
  if (!type) return type.error();
  if (type.value() != "message") return Ignored("code_10." + type.value());
  auto message = ReadWebchatMessage(data.value());
  if (!message) return message.error();
  WebchatMessage& m = message.value();

  // from_id is a user id, and a shop's user id differs from its shop_id. In the captured push
  // content.shop_id sits next to from_id (the sender's own shop) while the envelope's shop_id is
  // the receiving shop, so a message the seller sent shows the seller's shop as content.shop_id.
  const bool from_seller = m.from_id == shop_id || m.sender_shop_id == shop_id;

  proto::Event event = NewEvent(kMarketplace, shop_id, m.message_id, FromUnixSeconds(m.created),
                                clock_.Now(), request);
  proto::Buyer* buyer = event.mutable_buyer();
  // A message the seller sent (from Seller Centre or another tool) is about the recipient.
  buyer->set_id(from_seller ? m.to_id : m.from_id);
  buyer->set_display_name(from_seller ? m.to_name : m.from_name);
  buyer->set_country(CountryFromRegion(m.region));

  proto::BuyerMessage* buyer_message = event.mutable_buyer_message();
  buyer_message->set_kind(proto::BuyerMessage::KIND_NEW);
  buyer_message->set_conversation_id(std::move(m.conversation_id));
  buyer_message->set_message_id(std::move(m.message_id));
  buyer_message->set_sender(from_seller ? proto::SENDER_ROLE_SELLER : proto::SENDER_ROLE_BUYER);
  buyer_message->set_text(std::move(m.text));

  Intake intake;
  intake.events.push_back(std::move(event));
  intake.reply = EmptyReply(200);
  return intake;
}

// Code 3: {"ordersn", "status", "update_time", ...}. Shopee sends no event id (msg_id is empty
// in captured pushes), and an order passes through each status once per update, so the id is
// built from the three fields that make one transition unique.
Result<Intake> ShopeeAdapter::NormalizeOrderStatus(const InboundRequest& request,
                                                   const JsonValue& root,
                                                   const std::string& shop_id) const {
  auto data = root.Object("data");
  if (!data) return data.error();
  auto ordersn = data.value().Id("ordersn");
  if (!ordersn) return ordersn.error();
  auto status = data.value().NonEmptyString("status");
  if (!status) return status.error();
  auto update_time = UnixSeconds(data.value(), "update_time");
  if (!update_time) return update_time.error();

  std::string event_id =
      ordersn.value() + ":" + status.value() + ":" + std::to_string(update_time.value());
  proto::Event event = NewEvent(kMarketplace, shop_id, std::move(event_id),
                                FromUnixSeconds(update_time.value()), clock_.Now(), request);
  event.mutable_order()->set_order_id(std::move(ordersn).value());
  proto::OrderUpdate* update = event.mutable_order_update();
  update->set_status(OrderStatusOf(status.value()));
  update->set_marketplace_status(std::move(status).value());

  Intake intake;
  intake.events.push_back(std::move(event));
  intake.reply = EmptyReply(200);
  return intake;
}

}  // namespace csgw::gateway
