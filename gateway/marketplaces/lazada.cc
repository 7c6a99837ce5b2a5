#include "gateway/marketplaces/lazada.h"

#include <algorithm>
#include <array>
#include <optional>

#include "base/crypto.h"
#include "base/json.h"
#include "base/strings.h"
#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"

namespace csgw::gateway {
namespace {

constexpr std::string_view kMarketplace = "lazada";
constexpr int64_t kTradeOrder = 0;
constexpr int64_t kReverseOrder = 10;
constexpr int64_t kImSessionUpdate = 19;
constexpr std::string_view kDefaultSyncType = "SESSION_UPDATE";

struct StatusRow {
  std::string_view order_status;
  proto::OrderStatus status;
};

// Trade order line statuses of the msg_type 0 push and of the order APIs.
constexpr std::array<StatusRow, 15> kOrderStatuses{{
    {"unpaid", proto::ORDER_STATUS_UNPAID},
    // Paid and waiting for the seller: "pending" is Lazada's word for a paid, unprocessed line.
    {"pending", proto::ORDER_STATUS_AWAITING_SHIPMENT},
    {"packed", proto::ORDER_STATUS_AWAITING_SHIPMENT},
    {"ready_to_ship", proto::ORDER_STATUS_AWAITING_SHIPMENT},
    {"shipped", proto::ORDER_STATUS_SHIPPED},
    {"delivered", proto::ORDER_STATUS_DELIVERED},
    {"canceled", proto::ORDER_STATUS_CANCELLED},
    {"cancelled", proto::ORDER_STATUS_CANCELLED},
    {"returned", proto::ORDER_STATUS_RETURNED},
    {"failed", proto::ORDER_STATUS_FAILED_DELIVERY},
    {"failed_delivery", proto::ORDER_STATUS_FAILED_DELIVERY},
    {"lost", proto::ORDER_STATUS_FAILED_DELIVERY},
    {"lost_by_3pl", proto::ORDER_STATUS_FAILED_DELIVERY},
    {"damaged_by_3pl", proto::ORDER_STATUS_FAILED_DELIVERY},
    {"confirmed", proto::ORDER_STATUS_COMPLETED},
}};

constexpr std::array<std::string_view, 6> kCountries{"SG", "VN", "MY", "TH", "PH", "ID"};

// What every message type shares, read once from the envelope.
struct Envelope {
  std::string store_id;
  std::string country;            // from `site`; "" when absent or unknown
  std::optional<TimePoint> sent;  // the top-level timestamp
  TimePoint now;
  const InboundRequest* request;
};

// data.status_update_time, verbatim for the event id and as a time.
struct UpdateTime {
  int64_t raw = 0;
  TimePoint time;
};

Result<UpdateTime> ReadUpdateTime(const JsonValue& data) {
  auto raw = data.Int("status_update_time");
  if (!raw) return raw.error();
  auto time = FromUnixSecondsOrMillis(raw.value());
  if (!time) {
    return MakeError(Errc::kInvalidField,
                     "field '" + data.path() + ".status_update_time' must be a Unix time");
  }
  return UpdateTime{raw.value(), *time};
}

// "<msg_type>:<line id>:<status>:<status_update_time>": Lazada sends no delivery id, and one line
// reaches one status once, so a retry dedupes while the line's next status does not.
std::string StatusEventId(std::string_view type, std::string_view line_id, std::string_view status,
                          const UpdateTime& updated) {
  return std::string(type) + ":" + std::string(line_id) + ":" + std::string(status) + ":" +
         std::to_string(updated.raw);
}

proto::Event NewLazadaEvent(const Envelope& envelope, std::string event_id, TimePoint occurred_at) {
  proto::Event event = NewEvent(kMarketplace, envelope.store_id, std::move(event_id), occurred_at,
                                envelope.now, *envelope.request);
  if (!envelope.country.empty()) event.mutable_buyer()->set_country(envelope.country);
  return event;
}

Result<proto::Event> TradeOrderEvent(const JsonValue& data, const Envelope& envelope) {
  auto order_id = data.Id("trade_order_id");
  if (!order_id) return order_id.error();
  auto line_id = data.Id("trade_order_line_id");
  if (!line_id) return line_id.error();
  auto order_status = data.NonEmptyString("order_status");
  if (!order_status) return order_status.error();
  auto updated = ReadUpdateTime(data);
  if (!updated) return updated.error();

  // A returned or canceled line may carry reverse_order_id / reverse_order_line_id; the reverse
  // order itself arrives as msg_type 10, so this stays an order update.
  proto::Event event = NewLazadaEvent(
      envelope, StatusEventId("0", line_id.value(), order_status.value(), updated.value()),
      updated.value().time);
  event.mutable_order()->set_order_id(std::move(order_id).value());
  event.mutable_order()->set_order_line_id(std::move(line_id).value());
  proto::OrderUpdate* update = event.mutable_order_update();
  update->set_status(LazadaOrderStatus(order_status.value()));
  update->set_marketplace_status(std::move(order_status).value());
  return event;
}

Result<proto::Event> ReverseOrderEvent(const JsonValue& data, const Envelope& envelope) {
  auto reverse_id = data.Id("reverse_order_id");
  if (!reverse_id) return reverse_id.error();
  auto reverse_line_id = data.Id("reverse_order_line_id");
  if (!reverse_line_id) return reverse_line_id.error();
  auto reverse_status = data.NonEmptyString("reverse_status");
  if (!reverse_status) return reverse_status.error();
  auto updated = ReadUpdateTime(data);
  if (!updated) return updated.error();
  auto order_id = data.OptionalId("trade_order_id");
  if (!order_id) return order_id.error();
  auto line_id = data.OptionalId("trade_order_line_id");
  if (!line_id) return line_id.error();
  auto buyer_id = data.OptionalId("buyer_id");
  if (!buyer_id) return buyer_id.error();

  proto::Event event = NewLazadaEvent(
      envelope,
      StatusEventId("10", reverse_line_id.value(), reverse_status.value(), updated.value()),
      updated.value().time);
  event.mutable_order()->set_order_id(order_id.value().value_or(""));
  event.mutable_order()->set_order_line_id(line_id.value().value_or(""));
  if (buyer_id.value()) event.mutable_buyer()->set_id(*buyer_id.value());
  proto::DisputeUpdate* dispute = event.mutable_dispute_update();
  dispute->set_dispute_id(std::move(reverse_id).value());
  dispute->set_return_id(std::move(reverse_line_id).value());
  dispute->set_dispute_type(LazadaDisputeType(reverse_status.value()));
  dispute->set_marketplace_status(std::move(reverse_status).value());
  return event;
}

Result<int64_t> OptionalCount(const JsonValue& data, std::string_view key) {
  auto value = data.OptionalInt(key);
  if (!value) return value.error();
  return value.value().value_or(0);
}

Result<proto::Event> SessionUpdateEvent(const JsonValue& data, Envelope envelope) {
  auto session_id = data.Id("session_id");
  if (!session_id) return session_id.error();
  auto sync_type = data.OptionalString("sync_type");
  if (!sync_type) return sync_type.error();
  auto site_id = data.OptionalString("site_id");
  if (!site_id) return site_id.error();
  int64_t counts[3] = {};
  const std::string_view count_keys[3] = {"to_position", "self_position", "unread_count"};
  for (int i = 0; i < 3; ++i) {
    auto count = OptionalCount(data, count_keys[i]);
    if (!count) return count.error();
    counts[i] = count.value();
  }
  // The read positions (ms) and the unread count are what change between two updates of one
  // session: a new buyer message raises unread_count, a read moves a position.
  const int64_t position = std::max(counts[0], counts[1]);
  const int64_t unread = counts[2];

  if (envelope.country.empty()) {
    envelope.country = LazadaCountryOfSite(site_id.value().value_or(""));
  }
  // Prefer the push time; the published form has none, so fall back to the latest read time.
  std::optional<TimePoint> occurred_at = envelope.sent;
  if (!occurred_at && position > 0) occurred_at = FromUnixSecondsOrMillis(position);
  proto::Event event = NewLazadaEvent(
      envelope,
      "19:" + session_id.value() + ":" + std::to_string(position) + ":" + std::to_string(unread),
      occurred_at.value_or(envelope.now));
  proto::BuyerMessage* message = event.mutable_buyer_message();
  message->set_kind(proto::BuyerMessage::KIND_CONVERSATION_UPDATED);
  message->set_conversation_id(session_id.value());
  // The update names the session only; the fetch connector pulls /im/message/list for it.
  proto::PendingFetch* fetch = event.mutable_pending_fetch();
  const std::string topic = sync_type.value().value_or("");
  fetch->set_topic(topic.empty() ? std::string(kDefaultSyncType) : topic);
  fetch->set_resource(std::move(session_id).value());
  return event;
}

}  // namespace

std::string LazadaCountryOfSite(std::string_view site) {
  std::string code = AsciiUpper(site);
  std::replace(code.begin(), code.end(), '-', '_');
  if (code.starts_with("LAZADA_")) code.erase(0, 7);
  if (std::find(kCountries.begin(), kCountries.end(), code) == kCountries.end()) return "";
  return code;
}

proto::OrderStatus LazadaOrderStatus(std::string_view order_status) {
  const std::string status = AsciiLower(order_status);
  for (const StatusRow& row : kOrderStatuses) {
    if (row.order_status == status) return row.status;
  }
  return proto::ORDER_STATUS_UNSPECIFIED;
}

std::string LazadaDisputeType(std::string_view reverse_status) {
  const std::string status = AsciiUpper(reverse_status);
  if (status.starts_with("CANCEL_")) return "cancel";
  if (status.starts_with("RTM_")) return "return";
  if (status.starts_with("REFUND_") || status.starts_with("ONLY_REFUND")) return "refund_only";
  return "";
}

LazadaAdapter::LazadaAdapter(Options options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

Result<void> LazadaAdapter::Verify(const InboundRequest& request) const {
  if (request.method != "POST") {
    return MakeError(Errc::kMethodNotAllowed, "Lazada pushes are POST requests");
  }
  const std::string* signature = request.Header("authorization");
  if (signature == nullptr || signature->empty()) {
    return MakeError(Errc::kBadSignature, "Authorization header is missing");
  }
  const std::string expected =
      crypto::HmacSha256Hex(options_.app_secret, options_.app_key + request.body);
  if (!crypto::HexEqualsConstantTime(*signature, expected)) {
    return MakeError(Errc::kBadSignature, "Authorization does not match the body");
  }
  return CheckTimestamp(request.body);
}

Result<void> LazadaAdapter::CheckTimestamp(std::string_view body) const {
  auto doc = JsonDocument::ParseObject(body);
  if (!doc) return doc.error();
  const JsonValue& root = doc.value().root();
  auto timestamp = root.OptionalInt("timestamp");
  if (!timestamp) return timestamp.error();
  if (!timestamp.value()) {
    auto type = root.OptionalInt("message_type");
    if (!type) return type.error();
    // The published IM session update has no top-level timestamp. Requiring one would refuse
    // every such push; without it a replayed body can only repeat an event id the store has
    // already deduplicated, and forging one still needs the app secret.
    if (type.value() == kImSessionUpdate) return Ok();
    return root.Get("timestamp").error();
  }
  const std::optional<TimePoint> sent = FromUnixSecondsOrMillis(*timestamp.value());
  if (!sent) {
    return MakeError(Errc::kInvalidField,
                     "field 'timestamp' must be a Unix time in seconds or milliseconds");
  }
  return CheckFreshness(*sent, clock_.Now(), options_.max_age);
}

Result<Intake> LazadaAdapter::Normalize(const InboundRequest& request) const {
  auto doc = JsonDocument::ParseObject(request.body);
  if (!doc) return doc.error();
  const JsonValue& root = doc.value().root();
  auto type = root.Int("message_type");
  if (!type) return type.error();

  Intake intake;
  intake.reply = EmptyReply(200);
  const int64_t t = type.value();
  if (t != kTradeOrder && t != kReverseOrder && t != kImSessionUpdate) {
    intake.ignored = "message_type_" + std::to_string(t);
    return intake;
  }

  auto seller_id = root.Id("seller_id");
  if (!seller_id) return seller_id.error();
  auto data = root.Object("data");
  if (!data) return data.error();
  auto site = root.OptionalString("site");
  if (!site) return site.error();
  auto timestamp = root.OptionalInt("timestamp");
  if (!timestamp) return timestamp.error();

  Envelope envelope;
  envelope.store_id = std::move(seller_id).value();
  envelope.country = LazadaCountryOfSite(site.value().value_or(""));
  if (timestamp.value()) envelope.sent = FromUnixSecondsOrMillis(*timestamp.value());
  envelope.now = clock_.Now();
  envelope.request = &request;

  auto event = t == kTradeOrder     ? TradeOrderEvent(data.value(), envelope)
               : t == kReverseOrder ? ReverseOrderEvent(data.value(), envelope)
                                    : SessionUpdateEvent(data.value(), envelope);
  if (!event) return event.error();
  intake.events.push_back(std::move(event).value());
  return intake;
}

}  // namespace csgw::gateway
