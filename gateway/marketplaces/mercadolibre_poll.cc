#include "gateway/marketplaces/mercadolibre_poll.h"

#include <algorithm>
#include <utility>

#include "base/json.h"
#include "base/timestamp.h"
#include "gateway/marketplaces/api_util.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/marketplaces/mercadolibre_send.h"
#include "gateway/marketplaces/poll.h"

namespace csgw::gateway {
namespace {

constexpr std::string_view kMarketplace = "mercadolibre";

std::string Text(const JsonValue& object, std::string_view key) {
  auto v = object.OptionalId(key);
  return v && v.value() ? *v.value() : std::string();
}

std::string Nested(const JsonValue& object, std::string_view outer, std::string_view inner) {
  auto o = object.OptionalObject(outer);
  if (!o || !o.value()) return {};
  return Text(*o.value(), inner);
}

// The id after one of `prefixes` ("/orders/2195160686" → "2195160686"), URL-safe, or "".
std::string ResourceId(std::string_view resource,
                       std::initializer_list<std::string_view> prefixes) {
  for (std::string_view prefix : prefixes) {
    if (resource.substr(0, prefix.size()) != prefix) continue;
    std::string_view id = resource.substr(prefix.size());
    id = id.substr(0, id.find_first_of("/?"));
    if (auto ok = UrlSafeId("resource", id)) return ok.value();
  }
  return {};
}

bool IsDecimal(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  const size_t dot = s.find('.');
  auto digits = [](std::string_view d) {
    return !d.empty() &&
           std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (dot == std::string_view::npos) return digits(s);
  return digits(s.substr(0, dot)) && digits(s.substr(dot + 1));
}

// An amount as an exact decimal string: JSON numbers are re-serialised shortest-first, which
// gives back the decimal the marketplace wrote for any amount with up to 15 digits.
std::string AmountOf(const JsonValue& object, std::string_view key) {
  auto v = object.Find(key);
  if (!v || !v.value()) return {};
  const std::string text = v.value()->type() == JsonValue::Type::kString
                               ? v.value()->AsString().value()
                               : v.value()->Minified();
  return IsDecimal(text) ? text : std::string();
}

std::optional<TimePoint> TimeOf(const JsonValue& object, std::string_view key) {
  const std::string text = Text(object, key);
  if (text.empty()) return std::nullopt;
  return ParseIsoDateTime(text);
}

Result<std::vector<proto::Event>> MessageEvents(const proto::Event& pending, const JsonValue& root,
                                                const Account& account, TimePoint now) {
  // GET /messages/{id} answers like the pack listing ({"paging", "messages": [...]}); a bare
  // message object is accepted too.
  std::vector<JsonValue> messages;
  auto list = root.Find("messages");
  if (!list) return list.error();
  if (list.value()) {
    auto array = list.value()->AsArray();
    if (!array) return array.error();
    messages = std::move(array).value();
  } else {
    messages.push_back(root);
  }
  const bool read =
      std::find(pending.pending_fetch().actions().begin(), pending.pending_fetch().actions().end(),
                "read") != pending.pending_fetch().actions().end();
  std::vector<proto::Event> out;
  for (const JsonValue& m : messages) {
    auto id = m.Id("id");
    if (!id) return id.error();
    std::optional<TimePoint> at;
    for (std::string_view key : {"received", "created", "available"}) {
      if (!at) {
        auto date = m.OptionalObject("message_date");
        if (date && date.value()) at = TimeOf(*date.value(), key);
      }
    }
    if (!at) at = TimeOf(m, "date_created");
    proto::Event event = PolledEvent(
        kMarketplace, pending.store_id(), "message:" + id.value() + (read ? ":read" : ""),
        at.value_or(FromTimestamp(pending.occurred_at())), now, m.Minified());
    const std::string from = Nested(m, "from", "user_id");
    const std::string to = Nested(m, "to", "user_id");
    const bool by_seller = from == account.seller_id;
    // With the messaging agent the counterpart is the agent, not the buyer: no buyer id then.
    const std::string counterpart = by_seller ? to : from;
    if (MercadoLibreAgentUserId(Text(m, "site_id")) != counterpart) {
      event.mutable_buyer()->set_id(counterpart);
    }
    proto::BuyerMessage* b = event.mutable_buyer_message();
    b->set_kind(read ? proto::BuyerMessage::KIND_READ : proto::BuyerMessage::KIND_NEW);
    b->set_message_id(id.value());
    if (read) b->set_read_up_to_message_id(id.value());
    b->set_sender(by_seller ? proto::SENDER_ROLE_SELLER : proto::SENDER_ROLE_BUYER);
    b->set_text(Text(m, "text"));
    b->set_subject(Text(m, "subject"));
    b->set_channel("post_sale");
    auto resources = m.Find("message_resources");
    if (!resources) return resources.error();
    if (resources.value() && resources.value()->type() == JsonValue::Type::kArray) {
      const std::vector<JsonValue> list = resources.value()->AsArray().value();
      for (const JsonValue& r : list) {
        const std::string name = Text(r, "name");
        if (name == "packs") b->set_conversation_id(Text(r, "id"));
        if (name == "orders") event.mutable_order()->set_order_id(Text(r, "id"));
      }
    }
    auto attachments = m.Find("message_attachments");
    if (!attachments) return attachments.error();
    if (attachments.value() && attachments.value()->type() == JsonValue::Type::kArray) {
      const std::vector<JsonValue> list = attachments.value()->AsArray().value();
      for (const JsonValue& a : list) {
        proto::Attachment* out_a = b->add_attachments();
        out_a->set_name(Text(a, "original_filename"));
        out_a->set_media_type(Text(a, "type"));
        out_a->set_url(Text(a, "filename"));
      }
    }
    out.push_back(std::move(event));
  }
  return out;
}

Result<proto::Event> ClaimEvent(const proto::Event& pending, const JsonValue& c, TimePoint now) {
  auto id = c.Id("id");
  if (!id) return id.error();
  auto status = c.NonEmptyString("status");
  if (!status) return status.error();
  const std::string updated = Text(c, "last_updated");
  const auto at = TimeOf(c, "last_updated");
  proto::Event event =
      PolledEvent(kMarketplace, pending.store_id(),
                  "claim:" + id.value() + ":" + (updated.empty() ? status.value() : updated),
                  at.value_or(FromTimestamp(pending.occurred_at())), now, c.Minified());
  if (Text(c, "resource") == "order") event.mutable_order()->set_order_id(Text(c, "resource_id"));
  proto::DisputeUpdate* d = event.mutable_dispute_update();
  d->set_dispute_id(id.value());
  d->set_marketplace_status(status.value());
  d->set_dispute_type("claim");
  d->set_reason(Text(c, "reason_id"));
  return event;
}

Result<proto::Event> OrderEvent(const proto::Event& pending, const JsonValue& o, TimePoint now) {
  auto id = o.Id("id");
  if (!id) return id.error();
  auto status = o.NonEmptyString("status");
  if (!status) return status.error();
  std::string updated = Text(o, "last_updated");
  if (updated.empty()) updated = Text(o, "date_last_updated");
  auto at = TimeOf(o, updated == Text(o, "last_updated") ? "last_updated" : "date_last_updated");
  proto::Event event =
      PolledEvent(kMarketplace, pending.store_id(),
                  "order:" + id.value() + ":" + (updated.empty() ? status.value() : updated),
                  at.value_or(FromTimestamp(pending.occurred_at())), now, o.Minified());
  event.mutable_order()->set_order_id(id.value());
  event.mutable_order()->set_shipment_id(Text(o, "pack_id"));
  event.mutable_buyer()->set_id(Nested(o, "buyer", "id"));
  event.mutable_buyer()->set_display_name(Nested(o, "buyer", "nickname"));
  proto::OrderUpdate* u = event.mutable_order_update();
  u->set_status(MercadoLibreOrderStatus(status.value()));
  u->set_marketplace_status(status.value());
  const std::string currency = Text(o, "currency_id");
  if (const std::string total = AmountOf(o, "total_amount"); !total.empty() && !currency.empty()) {
    u->mutable_total()->set_amount(total);
    u->mutable_total()->set_currency(currency);
  }
  auto items = o.Find("order_items");
  if (!items) return items.error();
  if (items.value() && items.value()->type() == JsonValue::Type::kArray) {
    const std::vector<JsonValue> lines = items.value()->AsArray().value();
    for (const JsonValue& line : lines) {
      proto::OrderItem* item = u->add_items();
      auto item_object = line.OptionalObject("item");
      if (item_object && item_object.value()) {
        item->set_item_id(Text(*item_object.value(), "id"));
        item->set_title(Text(*item_object.value(), "title"));
        item->set_sku(Text(*item_object.value(), "seller_sku"));
      }
      if (auto q = line.OptionalInt("quantity"); q && q.value()) item->set_quantity(*q.value());
      const std::string price = AmountOf(line, "unit_price");
      const std::string line_currency = Text(line, "currency_id");
      if (!price.empty() && !(line_currency.empty() && currency.empty())) {
        item->mutable_price()->set_amount(price);
        item->mutable_price()->set_currency(line_currency.empty() ? currency : line_currency);
      }
    }
  }
  return event;
}

}  // namespace

proto::OrderStatus MercadoLibreOrderStatus(std::string_view status) {
  if (status == "confirmed") return proto::ORDER_STATUS_CREATED;
  if (status == "payment_required" || status == "payment_in_process" ||
      status == "partially_paid") {
    return proto::ORDER_STATUS_UNPAID;
  }
  if (status == "paid") return proto::ORDER_STATUS_PAID;
  if (status == "cancelled" || status == "invalid") return proto::ORDER_STATUS_CANCELLED;
  // partially_refunded, pending_cancel: kept verbatim in marketplace_status.
  return proto::ORDER_STATUS_UNSPECIFIED;
}

MercadoLibreFetcher::MercadoLibreFetcher(AccountBook accounts) : accounts_(std::move(accounts)) {}

bool MercadoLibreFetcher::Fetchable(const proto::Event& event) {
  if (event.marketplace() != kMarketplace || !event.has_pending_fetch()) return false;
  const std::string& topic = event.pending_fetch().topic();
  return topic == "messages" || topic == "claims" || topic == "orders_v2";
}

Result<outbound::HttpRequest> MercadoLibreFetcher::BuildFetch(const proto::Event& pending) const {
  if (!Fetchable(pending)) {
    return MakeError(Errc::kInvalidField, "event " + pending.event_id() +
                                              " is not a Mercado Libre notification to fetch");
  }
  auto account = accounts_.Find(pending.store_id());
  if (!account) return account.error();
  const std::string& topic = pending.pending_fetch().topic();
  const std::string& resource = pending.pending_fetch().resource();
  std::string path;
  if (topic == "messages") {
    // The resource is a bare message id (README §5.3).
    auto id = UrlSafeId("resource", resource);
    if (!id) return id.error();
    path = "/messages/" + id.value() + "?tag=post_sale";
  } else if (topic == "claims") {
    const std::string id = ResourceId(resource, {"/v1/claims/", "/post-purchase/v1/claims/"});
    if (id.empty()) return MakeError(Errc::kInvalidField, "field 'resource' is not a claim");
    path = "/post-purchase/v1/claims/" + id;
  } else {
    const std::string id = ResourceId(resource, {"/orders/"});
    if (id.empty()) return MakeError(Errc::kInvalidField, "field 'resource' is not an order");
    path = "/orders/" + id;
  }
  outbound::HttpRequest request;
  request.method = "GET";
  request.url = BaseUrl(*account.value(), kProductionUrl) + path;
  request.headers = {{"Authorization", "Bearer " + account.value()->access_token}};
  return request;
}

Result<std::vector<proto::Event>> MercadoLibreFetcher::ParseFetch(
    const proto::Event& pending, const outbound::HttpResponse& response, TimePoint now) const {
  if (!Fetchable(pending)) {
    return MakeError(Errc::kInvalidField, "event " + pending.event_id() +
                                              " is not a Mercado Libre notification to fetch");
  }
  if (response.status == 404) {
    return MakeError(Errc::kNotFound, "mercadolibre: " + pending.pending_fetch().topic() +
                                          " resource of event " + pending.event_id() +
                                          " is gone (404)");
  }
  if (auto ok = PollStatus(kMarketplace, response); !ok) return ok.error();
  auto account = accounts_.Find(pending.store_id());
  if (!account) return account.error();
  auto doc = JsonDocument::ParseObject(response.body);
  if (!doc) return doc.error();
  const JsonValue& root = doc.value().root();
  const std::string& topic = pending.pending_fetch().topic();
  if (topic == "messages") return MessageEvents(pending, root, *account.value(), now);
  auto event = topic == "claims" ? ClaimEvent(pending, root, now) : OrderEvent(pending, root, now);
  if (!event) return event.error();
  std::vector<proto::Event> out;
  out.push_back(std::move(event).value());
  return out;
}

Result<disputes::MercadoLibreClaim> MercadoLibreClaimOf(const proto::Event& event) {
  if (event.marketplace() != kMarketplace) {
    return MakeError(Errc::kInvalidField, "not a mercadolibre event");
  }
  auto doc = JsonDocument::ParseObject(event.raw().body());
  if (!doc) return doc.error();
  const JsonValue& c = doc.value().root();
  if (!c.Has("stage") || !c.Has("status")) {
    return MakeError(Errc::kNotFound,
                     "mercadolibre event " + event.event_id() + " carries no fetched claim");
  }
  disputes::MercadoLibreClaim claim;
  claim.type = Text(c, "type");
  claim.stage = Text(c, "stage");
  claim.status = Text(c, "status");
  claim.reason_id = Text(c, "reason_id");
  // resolution.benefited is a list in the claims v1 answers (["complainant"]); a bare string
  // is accepted too.
  if (auto resolution = c.OptionalObject("resolution"); resolution && resolution.value()) {
    auto benefited = resolution.value()->Find("benefited");
    if (benefited && benefited.value()) {
      if (benefited.value()->type() == JsonValue::Type::kArray) {
        auto list = benefited.value()->AsArray().value();
        if (!list.empty() && list.front().type() == JsonValue::Type::kString) {
          claim.benefited = list.front().AsString().value();
        }
      } else if (benefited.value()->type() == JsonValue::Type::kString) {
        claim.benefited = benefited.value()->AsString().value();
      }
    }
  }
  return claim;
}

}  // namespace csgw::gateway
