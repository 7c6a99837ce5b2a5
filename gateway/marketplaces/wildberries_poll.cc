#include "gateway/marketplaces/wildberries_poll.h"

#include <algorithm>
#include <array>
#include <utility>

#include "base/json.h"
#include "base/timestamp.h"
#include "gateway/marketplaces/api_util.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/marketplaces/wildberries_send.h"

namespace csgw::gateway {
namespace {

constexpr std::string_view kMarketplace = "wildberries";
// Claim times are Moscow time without an offset (README §9.5).
constexpr std::chrono::minutes kClaimsOffset{180};
// Questions may become visible a while after their createdDate (moderation): each poll reads
// again from this long before the newest one seen. Re-reads dedupe on the question id.
constexpr std::chrono::hours kQuestionsOverlap{1};

std::string OptionalText(const JsonValue& object, std::string_view key) {
  auto v = object.OptionalId(key);
  return v && v.value() ? *v.value() : std::string();
}

int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// ISO 4217 numeric → alphabetic for the currencies Wildberries sells in.
std::string CurrencyOfNumeric(std::string_view code) {
  struct Row {
    std::string_view numeric;
    std::string_view alpha;
  };
  static constexpr std::array<Row, 9> kRows{{{"643", "RUB"},
                                             {"933", "BYN"},
                                             {"398", "KZT"},
                                             {"051", "AMD"},
                                             {"417", "KGS"},
                                             {"860", "UZS"},
                                             {"972", "TJS"},
                                             {"981", "GEL"},
                                             {"840", "USD"}}};
  std::string padded(code);
  while (!padded.empty() && padded.size() < 3) padded.insert(padded.begin(), '0');
  for (const Row& row : kRows) {
    if (row.numeric == padded) return std::string(row.alpha);
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

class WildberriesFeed : public PollFeed {
 public:
  WildberriesFeed(Account account, WildberriesPollOptions options)
      : account_(std::move(account)), options_(options) {}

  std::string_view Marketplace() const override { return kMarketplace; }
  const std::string& StoreId() const override { return account_.store_id; }
  std::chrono::seconds Interval() const override { return options_.interval; }

 protected:
  outbound::HttpRequest Get(std::string_view production_host,
                            const std::string& path_and_query) const {
    outbound::HttpRequest request;
    request.method = "GET";
    request.url = BaseUrl(account_, production_host) + path_and_query;
    request.headers = {{"Authorization", account_.access_token}};
    return request;
  }

  Account account_;
  WildberriesPollOptions options_;
};

// --- chat events ---------------------------------------------------------------------------

proto::SenderRole RoleOf(std::string_view sender) {
  if (sender == "client") return proto::SENDER_ROLE_BUYER;
  if (sender == "seller") return proto::SENDER_ROLE_SELLER;
  if (sender == "wb") return proto::SENDER_ROLE_PLATFORM;
  return proto::SENDER_ROLE_UNSPECIFIED;
}

Result<void> AddAttachments(const JsonValue& attachments, proto::BuyerMessage& message) {
  for (std::string_view list : {"images", "files"}) {
    auto items = attachments.Find(list);
    if (!items) return items.error();
    if (!items.value()) continue;
    auto array = items.value()->AsArray();
    if (!array) return array.error();
    for (const JsonValue& item : array.value()) {
      proto::Attachment* a = message.add_attachments();
      a->set_url(OptionalText(item, "url"));
      a->set_name(OptionalText(item, "name"));
      const std::string type = OptionalText(item, "contentType");
      a->set_media_type(!type.empty() ? type : list == "images" ? "image" : "");
    }
  }
  return Ok();
}

Result<proto::Event> ChatEvent(const JsonValue& e, const std::string& store_id, TimePoint now) {
  auto event_id = e.Id("eventID");
  if (!event_id) return event_id.error();
  TimePoint occurred = now;
  if (auto ms = e.OptionalInt("addTimestamp"); !ms) {
    return ms.error();
  } else if (ms.value()) {
    auto t = FromUnixSecondsOrMillis(*ms.value());
    if (!t) return FieldError(e.path() + ".addTimestamp", "must be a Unix time");
    occurred = *t;
  } else if (const std::string text = OptionalText(e, "addTime"); !text.empty()) {
    auto t = ParseTimeField(e.path() + ".addTime", text);
    if (!t) return t.error();
    occurred = t.value();
  }
  proto::Event event =
      PolledEvent(kMarketplace, store_id, "chat:" + event_id.value(), occurred, now, e.Minified());
  const std::string client_id = OptionalText(e, "clientID");
  const std::string client_name = OptionalText(e, "clientName");
  event.mutable_buyer()->set_id(client_id);
  event.mutable_buyer()->set_display_name(client_name);
  proto::BuyerMessage* m = event.mutable_buyer_message();
  const std::string type = OptionalText(e, "eventType");
  m->set_kind(type.empty() || type == "message" ? proto::BuyerMessage::KIND_NEW
                                                : proto::BuyerMessage::KIND_CONVERSATION_UPDATED);
  m->set_conversation_id(OptionalText(e, "chatID"));
  m->set_message_id(event_id.value());
  m->set_sender(RoleOf(OptionalText(e, "sender")));
  m->set_channel("buyer_chat");
  auto body = e.OptionalObject("message");
  if (!body) return body.error();
  if (body.value()) {
    m->set_text(OptionalText(*body.value(), "text"));
    auto attachments = body.value()->OptionalObject("attachments");
    if (!attachments) return attachments.error();
    if (attachments.value()) {
      if (auto ok = AddAttachments(*attachments.value(), *m); !ok) return ok.error();
      auto card = attachments.value()->OptionalObject("goodCard");
      if (!card) return card.error();
      if (card.value())
        event.mutable_order()->set_order_line_id(OptionalText(*card.value(), "rid"));
    }
  }
  return event;
}

class ChatFeed final : public WildberriesFeed {
 public:
  using WildberriesFeed::WildberriesFeed;
  std::string_view Feed() const override { return "chat"; }

  Result<outbound::HttpRequest> BuildPoll(std::string_view cursor, TimePoint) const override {
    if (!cursor.empty() && !ParseCount(cursor)) {
      return MakeError(Errc::kInvalidField, "field 'cursor' is not a Wildberries chat cursor");
    }
    std::string path = "/api/v1/seller/events";
    if (!cursor.empty()) path += "?next=" + std::string(cursor);
    return Get(WildberriesHosts::kChat, path);
  }

  Result<PollPage> ParsePoll(std::string_view cursor, const outbound::HttpResponse& response,
                             TimePoint now) const override {
    if (auto ok = PollStatus(kMarketplace, response); !ok) return ok.error();
    auto doc = JsonDocument::ParseObject(response.body);
    if (!doc) return doc.error();
    const JsonValue& root = doc.value().root();
    if (auto errors = root.Find("errors"); !errors) {
      return errors.error();
    } else if (errors.value()) {
      auto list = errors.value()->AsArray();
      if (!list) return list.error();
      if (!list.value().empty()) {
        return MakeError(Errc::kUpstreamUnavailable,
                         "wildberries chat events: " + Clip(list.value().front().Minified()));
      }
    }
    auto result = root.Object("result");
    if (!result) return result.error();
    auto next = result.value().OptionalInt("next");
    if (!next) return next.error();
    auto total = result.value().OptionalInt("totalEvents");
    if (!total) return total.error();
    PollPage page;
    auto events = result.value().Find("events");
    if (!events) return events.error();
    if (events.value()) {
      auto list = events.value()->AsArray();
      if (!list) return list.error();
      for (const JsonValue& e : list.value()) {
        auto event = ChatEvent(e, account_.store_id, now);
        if (!event) return event.error();
        page.events.push_back(std::move(event).value());
      }
    }
    page.next_cursor = next.value() ? std::to_string(*next.value()) : std::string(cursor);
    // "Repeat with result.next until totalEvents == 0" (README §9.2); a page that moves nothing
    // on is caught up whatever it claims.
    page.more = total.value().value_or(0) > 0 && !page.events.empty() && page.next_cursor != cursor;
    return page;
  }
};

// --- questions -----------------------------------------------------------------------------

class QuestionsFeed final : public WildberriesFeed {
 public:
  using WildberriesFeed::WildberriesFeed;
  std::string_view Feed() const override { return "questions"; }

  struct Position {
    int64_t from = 0;  // dateFrom, Unix seconds
    int64_t skip = 0;
    int64_t newest = 0;  // newest createdDate seen, Unix seconds
  };

  Result<Position> Read(std::string_view cursor, TimePoint now) const {
    Position p;
    if (cursor.empty()) {
      p.from = Seconds(now - options_.initial_lookback);
      p.newest = p.from;
      return p;
    }
    auto fields = CursorFields::Decode(cursor);
    if (!fields) return fields.error();
    auto from = ParseCount(fields.value().Get("from"));
    auto skip = ParseCount(fields.value().Get("skip"));
    auto newest = ParseCount(fields.value().Get("newest"));
    if (!from || !skip || !newest) {
      return MakeError(Errc::kInvalidField, "field 'cursor' is not a Wildberries questions cursor");
    }
    return Position{*from, *skip, *newest};
  }

  Result<outbound::HttpRequest> BuildPoll(std::string_view cursor, TimePoint now) const override {
    auto p = Read(cursor, now);
    if (!p) return p.error();
    const Params query = {{"isAnswered", "false"},
                          {"take", std::to_string(options_.questions_page)},
                          {"skip", std::to_string(p.value().skip)},
                          {"order", "dateAsc"},
                          {"dateFrom", std::to_string(p.value().from)}};
    return Get(WildberriesHosts::kFeedbacks, "/api/v1/questions?" + FormEncode(query));
  }

  Result<PollPage> ParsePoll(std::string_view cursor, const outbound::HttpResponse& response,
                             TimePoint now) const override {
    auto p = Read(cursor, now);
    if (!p) return p.error();
    if (auto ok = PollStatus(kMarketplace, response); !ok) return ok.error();
    auto doc = JsonDocument::ParseObject(response.body);
    if (!doc) return doc.error();
    const JsonValue& root = doc.value().root();
    auto error = root.OptionalBool("error");
    if (!error) return error.error();
    if (error.value().value_or(false)) {
      return MakeError(Errc::kUpstreamUnavailable,
                       "wildberries questions: " + Clip(OptionalText(root, "errorText")));
    }
    auto data = root.Object("data");
    if (!data) return data.error();
    auto questions = data.value().Find("questions");
    if (!questions) return questions.error();
    std::vector<JsonValue> list;
    if (questions.value()) {
      auto array = questions.value()->AsArray();
      if (!array) return array.error();
      list = std::move(array).value();
    }
    PollPage page;
    int64_t newest = p.value().newest;
    for (const JsonValue& q : list) {
      auto id = q.Id("id");
      if (!id) return id.error();
      auto created_text = q.NonEmptyString("createdDate");
      if (!created_text) return created_text.error();
      auto created = ParseTimeField(q.path() + ".createdDate", created_text.value());
      if (!created) return created.error();
      newest = std::max(newest, Seconds(created.value()));
      proto::Event event = PolledEvent(kMarketplace, account_.store_id, "question:" + id.value(),
                                       created.value(), now, q.Minified());
      proto::BuyerMessage* m = event.mutable_buyer_message();
      m->set_kind(proto::BuyerMessage::KIND_NEW);
      m->set_conversation_id(id.value());
      m->set_message_id(id.value());
      m->set_sender(proto::SENDER_ROLE_BUYER);
      m->set_channel("question");
      m->set_text(OptionalText(q, "text"));
      auto product = q.OptionalObject("productDetails");
      if (!product) return product.error();
      if (product.value()) m->set_subject(OptionalText(*product.value(), "productName"));
      page.events.push_back(std::move(event));
    }
    CursorFields next;
    if (list.size() >= options_.questions_page) {
      // A full page: read on from the same dateFrom.
      next.Set("from", std::to_string(p.value().from));
      next.Set("skip", std::to_string(p.value().skip + static_cast<int64_t>(list.size())));
      page.more = true;
    } else {
      next.Set("from",
               std::to_string(std::max(
                   p.value().from, newest - static_cast<int64_t>(
                                                std::chrono::seconds(kQuestionsOverlap).count()))));
      next.Set("skip", "0");
    }
    next.Set("newest", std::to_string(newest));
    page.next_cursor = next.Encode();
    return page;
  }
};

// --- return claims -------------------------------------------------------------------------

Result<proto::Event> ClaimEvent(const JsonValue& c, const std::string& store_id, TimePoint now) {
  auto id = c.Id("id");
  if (!id) return id.error();
  auto status = c.Int("status");
  if (!status) return status.error();
  auto status_ex = c.OptionalInt("status_ex");
  if (!status_ex) return status_ex.error();
  std::string updated = OptionalText(c, "dt_update");
  if (updated.empty()) updated = OptionalText(c, "dt");
  TimePoint occurred = now;
  if (!updated.empty()) {
    auto t = ParseIsoDateTime(updated, kClaimsOffset);
    if (!t) return FieldError(c.path() + ".dt_update", "must be a date-time");
    occurred = *t;
  }
  const std::string state =
      std::to_string(status.value()) + "/" + std::to_string(status_ex.value().value_or(0));
  proto::Event event =
      PolledEvent(kMarketplace, store_id, "claim:" + id.value() + ":" + updated + ":" + state,
                  occurred, now, c.Minified());
  event.mutable_order()->set_order_line_id(OptionalText(c, "srid"));
  proto::DisputeUpdate* d = event.mutable_dispute_update();
  d->set_dispute_id(id.value());
  // "status/status_ex": status 0 under review, 1 refused, 2 approved; status_ex refines it.
  d->set_marketplace_status(state);
  d->set_dispute_type("return");
  auto price = c.Find("price");
  if (!price) return price.error();
  const std::string currency = CurrencyOfNumeric(OptionalText(c, "currency_code"));
  if (price.value() && !currency.empty()) {
    const std::string amount = price.value()->Minified();
    if (IsDecimal(amount)) {
      d->mutable_refund_amount()->set_amount(amount);
      d->mutable_refund_amount()->set_currency(currency);
    }
  }
  return event;
}

class ClaimsFeed final : public WildberriesFeed {
 public:
  using WildberriesFeed::WildberriesFeed;
  std::string_view Feed() const override { return "claims"; }

  Result<int64_t> Offset(std::string_view cursor) const {
    if (cursor.empty()) return int64_t{0};
    auto offset = ParseCount(cursor);
    if (!offset)
      return MakeError(Errc::kInvalidField, "field 'cursor' is not a Wildberries claims cursor");
    return *offset;
  }

  Result<outbound::HttpRequest> BuildPoll(std::string_view cursor, TimePoint) const override {
    auto offset = Offset(cursor);
    if (!offset) return offset.error();
    const Params query = {{"is_archive", "false"},
                          {"limit", std::to_string(options_.claims_page)},
                          {"offset", std::to_string(offset.value())}};
    return Get(WildberriesHosts::kReturns, "/api/v1/claims?" + FormEncode(query));
  }

  Result<PollPage> ParsePoll(std::string_view cursor, const outbound::HttpResponse& response,
                             TimePoint now) const override {
    auto offset = Offset(cursor);
    if (!offset) return offset.error();
    if (auto ok = PollStatus(kMarketplace, response); !ok) return ok.error();
    auto doc = JsonDocument::ParseObject(response.body);
    if (!doc) return doc.error();
    const JsonValue& root = doc.value().root();
    auto total = root.OptionalInt("total");
    if (!total) return total.error();
    auto claims = root.Find("claims");
    if (!claims) return claims.error();
    PollPage page;
    int64_t count = 0;
    if (claims.value()) {
      auto list = claims.value()->AsArray();
      if (!list) return list.error();
      for (const JsonValue& c : list.value()) {
        auto event = ClaimEvent(c, account_.store_id, now);
        if (!event) return event.error();
        page.events.push_back(std::move(event).value());
        ++count;
      }
    }
    const int64_t next = offset.value() + count;
    page.more = count > 0 && next < total.value().value_or(0);
    // Caught up: the next cycle walks the active claims from the start again.
    page.next_cursor = page.more ? std::to_string(next) : std::string();
    return page;
  }
};

}  // namespace

std::vector<std::unique_ptr<PollFeed>> WildberriesFeeds(const Account& account,
                                                        const WildberriesPollOptions& options) {
  std::vector<std::unique_ptr<PollFeed>> feeds;
  feeds.push_back(std::make_unique<ChatFeed>(account, options));
  feeds.push_back(std::make_unique<QuestionsFeed>(account, options));
  feeds.push_back(std::make_unique<ClaimsFeed>(account, options));
  return feeds;
}

Result<std::string> WildberriesReplySign(const proto::Event& event) {
  if (event.marketplace() != kMarketplace) {
    return MakeError(Errc::kInvalidField, "not a wildberries event");
  }
  auto doc = JsonDocument::ParseObject(event.raw().body());
  if (doc) {
    std::string sign = OptionalText(doc.value().root(), "replySign");
    if (!sign.empty()) return sign;
  }
  return MakeError(Errc::kNotFound,
                   "wildberries event " + event.event_id() + " carries no replySign");
}

}  // namespace csgw::gateway
