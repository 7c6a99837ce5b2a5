#include "gateway/marketplaces/canonical.h"

#include <google/protobuf/util/json_util.h>

#include <cctype>
#include <utility>

#include "base/crypto.h"
#include "base/json.h"
#include "base/strings.h"
#include "disputes/own_timer.h"
#include "gateway/marketplaces/event_util.h"

namespace csgw::gateway {
namespace {

constexpr std::string_view kBearer = "bearer ";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// "events[2]." in a batch, "" for a single event: error messages name fields as sent.
std::string FieldName(const std::string& prefix, std::string_view field) {
  return prefix + std::string(field);
}

// Names from the sender (unknown JSON keys) go into error messages: keep them short and plain.
std::string Printable(std::string_view text) {
  constexpr size_t kMaxShown = 64;
  std::string out;
  for (char c : text.substr(0, kMaxShown)) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_' ||
                       c == '.' || c == '[' || c == ']';
    out += plain ? c : '?';
  }
  if (text.size() > kMaxShown) out += "...";
  return out;
}

// Protobuf's JSON parser names the offending field but echoes the offending value too, which
// may be buyer text: keep the field's name, drop the rest.
//   "(buyer_message.text): invalid value 5 for type TYPE_STRING"
//   "bogus: Cannot find field."
Error ProtoJsonError(std::string_view message, const std::string& prefix) {
  if (!message.empty() && message.front() == '(') {
    const size_t close = message.find("):");
    if (close != std::string_view::npos) {
      return MakeError(Errc::kInvalidField, "field '" + prefix +
                                                Printable(message.substr(1, close - 1)) +
                                                "' has the wrong type or value");
    }
  }
  constexpr std::string_view kUnknown = ": Cannot find field.";
  if (const size_t pos = message.find(kUnknown); pos != std::string_view::npos) {
    return MakeError(Errc::kInvalidField,
                     "unknown field '" + prefix + Printable(message.substr(0, pos)) + "'");
  }
  return MakeError(Errc::kInvalidField,
                   (prefix.empty() ? std::string("body") : prefix.substr(0, prefix.size() - 1)) +
                       " is not an Event in the protobuf JSON mapping");
}

// ^[a-z0-9_]+$: the marketplace id is a URL segment, a config key and a file name.
bool IsMarketplaceId(std::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || IsDigit(c) || c == '_')) return false;
  }
  return true;
}

// ^-?[0-9]+(\.[0-9]+)?$: exact decimals only, no exponent, no float formatting.
bool IsExactDecimal(std::string_view amount) {
  size_t i = 0;
  if (i < amount.size() && amount[i] == '-') ++i;
  const size_t int_start = i;
  while (i < amount.size() && IsDigit(amount[i])) ++i;
  if (i == int_start) return false;
  if (i == amount.size()) return true;
  if (amount[i] != '.') return false;
  const size_t frac_start = ++i;
  while (i < amount.size() && IsDigit(amount[i])) ++i;
  return i > frac_start && i == amount.size();
}

bool IsCurrencyCode(std::string_view code) {
  if (code.size() != 3) return false;
  for (char c : code) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

Result<void> CheckMoney(const proto::Money& money, const std::string& name) {
  if (!IsExactDecimal(money.amount())) {
    return MakeError(Errc::kInvalidField,
                     "field '" + name + ".amount' must be an exact decimal string like \"12.50\"");
  }
  if (!IsCurrencyCode(money.currency())) {
    return MakeError(Errc::kInvalidField,
                     "field '" + name + ".currency' must be an ISO 4217 code like \"USD\"");
  }
  return Ok();
}

// Every Money the payload carries, wherever the sender set one.
Result<void> CheckPayloadMoney(const proto::Event& event, const std::string& prefix) {
  if (event.has_order_update()) {
    const proto::OrderUpdate& update = event.order_update();
    if (update.has_total()) {
      if (auto ok = CheckMoney(update.total(), prefix + "order_update.total"); !ok) return ok;
    }
    for (int i = 0; i < update.items_size(); ++i) {
      if (!update.items(i).has_price()) continue;
      const std::string name = prefix + "order_update.items[" + std::to_string(i) + "].price";
      if (auto ok = CheckMoney(update.items(i).price(), name); !ok) return ok;
    }
  }
  if (event.has_dispute_update() && event.dispute_update().has_refund_amount()) {
    const std::string name = prefix + "dispute_update.refund_amount";
    if (auto ok = CheckMoney(event.dispute_update().refund_amount(), name); !ok) return ok;
  }
  return Ok();
}

Error Missing(const std::string& prefix, std::string_view field) {
  return MakeError(Errc::kMissingField, "field '" + FieldName(prefix, field) + "' is required");
}

Result<void> CheckRequired(const proto::Event& event, const std::string& prefix) {
  if (event.event_id().empty()) return Missing(prefix, "event_id");
  if (event.marketplace().empty()) return Missing(prefix, "marketplace");
  if (!IsMarketplaceId(event.marketplace())) {
    return MakeError(Errc::kInvalidField, "field '" + FieldName(prefix, "marketplace") +
                                              "' must be one lowercase word ([a-z0-9_]+)");
  }
  if (event.store_id().empty()) return Missing(prefix, "store_id");
  if (!event.has_occurred_at()) return Missing(prefix, "occurred_at");
  if (event.payload_case() == proto::Event::PAYLOAD_NOT_SET) {
    return MakeError(Errc::kMissingField,
                     "field '" + FieldName(prefix, "payload") +
                         "' is required: one of buyer_message, order_update, dispute_update, "
                         "feedback_posted");
  }
  // csgw's own record of what it sent: only the outbox writes it. From outside it would let a
  // relay mark any store's drafts sent and invent seller messages.
  if (event.has_outbound_update()) {
    return MakeError(Errc::kInvalidField, "field '" + FieldName(prefix, "outbound_update") +
                                              "' is csgw's own and cannot be posted");
  }
  // Likewise csgw's own dispute events (disputes/own_timer.h, own_proposal.h): from outside they
  // would expire a seller's deadline, raise alerts or put words in the seller's mouth.
  if (disputes::IsOwnDisputeUpdate(event)) {
    return MakeError(Errc::kInvalidField,
                     "field '" + FieldName(prefix, "dispute_update") +
                         "' is csgw's own (a dispute timer's or a proposal's) and cannot be posted");
  }
  return CheckPayloadMoney(event, prefix);
}

// One event's JSON text into an Event, checked, with the gateway-owned fields set: received_at
// is ours, not the sender's, and sequence is assigned by the store.
Result<proto::Event> ParseEvent(std::string_view json, const std::string& prefix,
                                TimePoint received_at) {
  proto::Event event;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a typo must not silently drop a field
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &event, options);
  if (!status.ok()) {
    const auto message = status.message();
    return ProtoJsonError(std::string_view(message.data(), message.size()), prefix);
  }
  if (auto ok = CheckRequired(event, prefix); !ok) return ok.error();
  SetTimestamp(event.mutable_received_at(), received_at);
  event.clear_sequence();
  event.mutable_raw()->set_content_type("application/json");
  event.mutable_raw()->set_body(std::string(json));
  return event;
}

}  // namespace

CanonicalEvents::CanonicalEvents(std::vector<Client> clients, const Clock& clock)
    : clients_(std::move(clients)), clock_(clock) {}

Result<std::string> CanonicalEvents::Authenticate(const InboundRequest& request) const {
  const std::string* header = request.Header("authorization");
  if (header == nullptr) {
    return MakeError(Errc::kUnauthenticated, "Authorization: Bearer <token> is required");
  }
  // The scheme name is case-insensitive (RFC 7235 §2.1).
  if (!EqualsIgnoreAsciiCase(std::string_view(*header).substr(0, kBearer.size()), kBearer) ||
      header->size() == kBearer.size()) {
    return MakeError(Errc::kUnauthenticated, "Authorization: Bearer <token> is required");
  }
  const std::string_view token = std::string_view(*header).substr(kBearer.size());
  // Every client is compared, matched or not, so that the time taken does not tell which one.
  const Client* found = nullptr;
  for (const Client& client : clients_) {
    const bool match = !client.token.empty() && crypto::ConstantTimeEquals(token, client.token);
    if (match && found == nullptr) found = &client;
  }
  if (found == nullptr) return MakeError(Errc::kUnauthenticated, "unknown bearer token");
  return found->name;
}

Result<std::vector<proto::Event>> CanonicalEvents::Parse(const InboundRequest& request) const {
  // simdjson first: it tells malformed JSON (kMalformedJson) apart from JSON that is not an
  // Event (kInvalidField), which protobuf's parser reports alike.
  auto doc = JsonDocument::ParseObject(request.body);
  if (!doc) return doc.error();
  const JsonValue& root = doc.value().root();
  const TimePoint now = clock_.Now();

  auto batch = root.Find("events");
  if (!batch) return batch.error();
  if (!batch.value()) {
    auto event = ParseEvent(request.body, "", now);
    if (!event) return event.error();
    // A single event keeps the exact bytes posted.
    std::vector<proto::Event> events;
    events.push_back(std::move(event).value());
    return events;
  }
  return ParseBatch(root, *batch.value(), now);
}

// {"events": [Event, ...]}: each event keeps its own compact JSON as its raw body, since the
// events are stored, deduplicated and replayed one by one.
Result<std::vector<proto::Event>> CanonicalEvents::ParseBatch(const JsonValue& root,
                                                              const JsonValue& list,
                                                              TimePoint now) const {
  auto members = root.AsMembers();
  if (!members) return members.error();
  for (const auto& [key, value] : members.value()) {
    if (key != "events") {
      return MakeError(Errc::kInvalidField, "unknown field '" + Printable(key) +
                                                "' next to 'events' (a batch holds only events)");
    }
  }
  auto items = list.AsArray();
  if (!items) return items.error();
  if (items.value().empty() || items.value().size() > kMaxEventsPerPost) {
    return MakeError(Errc::kInvalidField, "field 'events' must hold 1 to " +
                                              std::to_string(kMaxEventsPerPost) + " events");
  }
  std::vector<proto::Event> events;
  events.reserve(items.value().size());
  for (size_t i = 0; i < items.value().size(); ++i) {
    const JsonValue& item = items.value()[i];
    const std::string prefix = "events[" + std::to_string(i) + "].";
    if (item.type() != JsonValue::Type::kObject) {
      return MakeError(Errc::kInvalidField,
                       "field 'events[" + std::to_string(i) + "]' must be an object");
    }
    auto event = ParseEvent(item.Minified(), prefix, now);
    if (!event) return event.error();
    events.push_back(std::move(event).value());
  }
  return events;
}

}  // namespace csgw::gateway
