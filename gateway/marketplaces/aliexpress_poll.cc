#include "gateway/marketplaces/aliexpress_poll.h"

#include <algorithm>
#include <utility>

#include "base/json.h"
#include "base/strings.h"
#include "base/timestamp.h"
#include "gateway/marketplaces/api_util.h"

namespace csgw::gateway {
namespace {

constexpr std::string_view kMarketplace = "aliexpress";
constexpr std::string_view kRelations =
    "aliexpress.message.redefining.versiontwo.querymsgrelationlist";
constexpr std::string_view kDetails = "aliexpress.message.redefining.versiontwo.querymsgdetaillist";
constexpr std::string_view kIssueList = "aliexpress.issue.issuelist.get";
constexpr std::string_view kIssueDetail = "aliexpress.issue.detail.get";
// TOP times are Beijing time without an offset.
constexpr std::chrono::minutes kTopOffset{480};
// Messages a little older than the scan's start are read again (clock skew between the
// relation's message_time and the messages' own times); re-reads dedupe on the message id.
constexpr std::chrono::minutes kOverlap{10};

std::string Text(const JsonValue& object, std::string_view key) {
  auto v = object.OptionalId(key);
  return v && v.value() ? *v.value() : std::string();
}

// A time as AliExpress sends it: Unix ms (or s) as a number or digits, or a zone-less
// "yyyy-MM-dd HH:mm:ss" in GMT+8.
std::optional<TimePoint> AeTime(const JsonValue& object, std::string_view key) {
  const std::string text = Text(object, key);
  if (text.empty()) return std::nullopt;
  if (auto n = ParseCount(text)) return FromUnixSecondsOrMillis(*n);
  return ParseIsoDateTime(text, kTopOffset);
}

// A TOP list: an array, or an object wrapping one array ({"relation_result": [...]}).
std::optional<std::vector<JsonValue>> Unwrap(const JsonValue& value) {
  if (value.type() == JsonValue::Type::kArray) return value.AsArray().value();
  if (value.type() != JsonValue::Type::kObject) return std::nullopt;
  auto members = value.AsMembers().value();
  if (members.size() == 1 && members[0].second.type() == JsonValue::Type::kArray) {
    return members[0].second.AsArray().value();
  }
  if (members.empty()) return std::vector<JsonValue>();
  return std::nullopt;
}

// The list member `key` of `object`, or (key empty) the first member named "*_list". Absent or
// null: empty.
Result<std::vector<JsonValue>> ListOf(const JsonValue& object, std::string_view key) {
  if (key.empty()) {
    // Held in a local: a range-for over a temporary Result's value() would dangle.
    const auto members = object.AsMembers().value();
    for (const auto& [name, value] : members) {
      if (name.size() > 5 && name.substr(name.size() - 5) == "_list") return ListOf(object, name);
    }
    return std::vector<JsonValue>();
  }
  auto member = object.Find(key);
  if (!member) return member.error();
  if (!member.value()) return std::vector<JsonValue>();
  auto list = Unwrap(*member.value());
  if (!list) return FieldError(member.value()->path(), "must be a list");
  return std::move(*list);
}

Error FromOutcome(const SendOutcome& outcome) {
  return MakeError(
      outcome.verdict == SendVerdict::kRetry ? Errc::kUpstreamUnavailable : Errc::kForbidden,
      outcome.reason);
}

// The answer object of `method`: {"<method>_response": {...}}, after the platform error check.
Result<JsonValue> Answer(const JsonDocument& doc, std::string_view method) {
  if (auto error = AliExpressPlatformError(doc.root())) return FromOutcome(error->outcome);
  return doc.root().Object(AliExpressResponseKey(method));
}

// {"is_success": false, "error_code", "error_msg"} inside a result.
Result<void> ResultSucceeded(const JsonValue& result) {
  auto ok = result.OptionalBool("is_success");
  if (!ok) return ok.error();
  if (ok.value().value_or(true)) return Ok();
  return MakeError(Errc::kUpstreamUnavailable, "aliexpress: is_success false, error " +
                                                   Clip(Text(result, "error_code"), 32) + ": " +
                                                   Clip(Text(result, "error_msg")));
}

// Pending entries: fields percent-encoded and joined with ':', entries with ','.
std::string JoinEntries(const std::vector<std::vector<std::string>>& entries) {
  std::string out;
  for (const auto& entry : entries) {
    if (!out.empty()) out += ',';
    for (size_t i = 0; i < entry.size(); ++i) {
      if (i > 0) out += ':';
      out += PercentEncode(entry[i]);
    }
  }
  return out;
}

Result<std::vector<std::vector<std::string>>> SplitEntries(std::string_view text, size_t width) {
  std::vector<std::vector<std::string>> out;
  while (!text.empty()) {
    const size_t end = text.find(',');
    std::string_view entry = text.substr(0, end);
    std::vector<std::string> parts;
    while (true) {
      const size_t colon = entry.find(':');
      auto decoded = PercentDecode(entry.substr(0, colon));
      if (!decoded) break;
      parts.push_back(std::move(*decoded));
      if (colon == std::string_view::npos) break;
      entry.remove_prefix(colon + 1);
    }
    if (parts.size() != width) {
      return MakeError(Errc::kInvalidField, "field 'cursor' has a malformed pending entry");
    }
    out.push_back(std::move(parts));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

class AliExpressFeed : public PollFeed {
 public:
  AliExpressFeed(Account account, AliExpressApp app, AliExpressPollOptions options)
      : account_(std::move(account)), app_(std::move(app)), options_(options) {}

  std::string_view Marketplace() const override { return kMarketplace; }
  const std::string& StoreId() const override { return account_.store_id; }
  std::chrono::seconds Interval() const override { return options_.interval; }

 protected:
  Result<JsonDocument> Body(const outbound::HttpResponse& response) const {
    if (auto ok = PollStatus(kMarketplace, response); !ok) return ok.error();
    return JsonDocument::ParseObject(response.body);
  }

  Account account_;
  AliExpressApp app_;
  AliExpressPollOptions options_;
};

// --- messages ------------------------------------------------------------------------------

// Cursor: since (ms, the scan's lower bound), newest (ms, newest message_time of the scan),
// page (next relation page; 0 once the relation pages are done) and pending relations
// (channel:buyer login:order id).
struct MessagesPosition {
  int64_t since = 0;
  int64_t newest = 0;
  int64_t page = 1;
  std::vector<std::vector<std::string>> pending;

  std::string Encode() const {
    CursorFields f;
    f.Set("since", std::to_string(since));
    f.Set("newest", std::to_string(newest));
    f.Set("page", std::to_string(page));
    f.Set("pending", JoinEntries(pending));
    return f.Encode();
  }
};

class MessagesFeed final : public AliExpressFeed {
 public:
  using AliExpressFeed::AliExpressFeed;
  std::string_view Feed() const override { return "messages"; }

  Result<MessagesPosition> Read(std::string_view cursor, TimePoint now) const {
    MessagesPosition p;
    if (cursor.empty()) {
      p.since = ToUnixMillis(now - options_.initial_lookback);
      p.newest = p.since;
      return p;
    }
    auto f = CursorFields::Decode(cursor);
    if (!f) return f.error();
    auto since = ParseCount(f.value().Get("since"));
    auto newest = ParseCount(f.value().Get("newest"));
    auto page = ParseCount(f.value().Get("page"));
    if (!since || !newest || !page) {
      return MakeError(Errc::kInvalidField, "field 'cursor' is not an AliExpress messages cursor");
    }
    auto pending = SplitEntries(f.value().Get("pending"), 3);
    if (!pending) return pending.error();
    p.since = *since;
    p.newest = *newest;
    p.page = *page;
    p.pending = std::move(pending).value();
    return p;
  }

  Result<outbound::HttpRequest> BuildPoll(std::string_view cursor, TimePoint now) const override {
    auto p = Read(cursor, now);
    if (!p) return p.error();
    if (!p.value().pending.empty()) {
      const auto& next = p.value().pending.front();
      return AliExpressCall(app_, account_, kDetails,
                            {{"channel_id", next[0]},
                             {"current_page", "1"},
                             {"page_size", std::to_string(options_.page_size)}},
                            now);
    }
    const int64_t start = p.value().since - std::chrono::milliseconds(kOverlap).count();
    const std::string query =
        "{\"current_page\":" + std::to_string(std::max<int64_t>(1, p.value().page)) +
        ",\"page_size\":" + std::to_string(options_.page_size) +
        ",\"start_time\":" + std::to_string(std::max<int64_t>(0, start)) + "}";
    return AliExpressCall(app_, account_, kRelations, {{"query", query}}, now);
  }

  Result<PollPage> ParsePoll(std::string_view cursor, const outbound::HttpResponse& response,
                             TimePoint now) const override {
    auto p = Read(cursor, now);
    if (!p) return p.error();
    auto doc = Body(response);
    if (!doc) return doc.error();
    MessagesPosition next = std::move(p).value();
    PollPage page;
    if (!next.pending.empty()) {
      auto answer = Answer(doc.value(), kDetails);
      if (!answer) return answer.error();
      auto ok = ReadDetails(answer.value(), next, now, page);
      if (!ok) return ok.error();
      next.pending.erase(next.pending.begin());
    } else {
      auto answer = Answer(doc.value(), kRelations);
      if (!answer) return answer.error();
      auto ok = ReadRelations(answer.value(), next);
      if (!ok) return ok.error();
    }
    if (next.pending.empty() && next.page == 0) {
      // The scan and its details are done: the next one starts where this one's newest was.
      next.since = std::max(next.since, next.newest);
      next.page = 1;
      page.more = false;
    } else {
      page.more = true;
    }
    page.next_cursor = next.Encode();
    return page;
  }

 private:
  Result<void> ReadRelations(const JsonValue& answer, MessagesPosition& p) const {
    auto result = answer.Object("result");
    if (!result) return result.error();
    if (auto ok = ResultSucceeded(result.value()); !ok) return ok;
    auto relations = ListOf(result.value(), "relation_list");
    if (!relations) return relations.error();
    for (const JsonValue& r : relations.value()) {
      auto channel = r.Id("channel_id");
      if (!channel) return channel.error();
      auto time = r.OptionalInt("message_time");
      if (!time) return time.error();
      const int64_t at = time.value().value_or(0);
      if (at <= p.since) continue;
      p.newest = std::max(p.newest, at);
      std::string order = Text(r, "order_id");
      if (order == "0") order.clear();
      p.pending.push_back({channel.value(), Text(r, "other_login_id"), order});
    }
    p.page = relations.value().size() >= options_.page_size ? p.page + 1 : 0;
    return Ok();
  }

  Result<void> ReadDetails(const JsonValue& answer, const MessagesPosition& p, TimePoint now,
                           PollPage& page) const {
    auto result = answer.Object("result");
    if (!result) return result.error();
    if (auto ok = ResultSucceeded(result.value()); !ok) return ok;
    auto messages = ListOf(result.value(), "");
    if (!messages) return messages.error();
    const auto& relation = p.pending.front();
    const int64_t from = p.since - std::chrono::milliseconds(kOverlap).count();
    for (const JsonValue& m : messages.value()) {
      auto id = m.Id("id");
      if (!id) return id.error();
      auto at = AeTime(m, "gmt_create");
      if (!at) return FieldError(m.path() + ".gmt_create", "must be a time");
      if (ToUnixMillis(*at) < from) continue;
      proto::Event event =
          PolledEvent(kMarketplace, account_.store_id, "msg:" + id.value(), *at, now, m.Minified());
      event.mutable_buyer()->set_id(relation[1]);
      event.mutable_order()->set_order_id(relation[2]);
      proto::BuyerMessage* b = event.mutable_buyer_message();
      b->set_kind(proto::BuyerMessage::KIND_NEW);
      b->set_conversation_id(relation[0]);
      b->set_message_id(id.value());
      b->set_text(Text(m, "content"));
      const std::string sender = Text(m, "sender_login_id");
      b->set_sender(sender.empty()                               ? proto::SENDER_ROLE_UNSPECIFIED
                    : EqualsIgnoreAsciiCase(sender, relation[1]) ? proto::SENDER_ROLE_BUYER
                                                                 : proto::SENDER_ROLE_SELLER);
      b->set_channel(Text(m, "message_type"));
      page.events.push_back(std::move(event));
    }
    return Ok();
  }
};

// --- issues --------------------------------------------------------------------------------

// Cursor: status (the list being walked, "" once all three are), page, since / newest (ms of
// gmt_modified) and pending issues (id:buyer login:status:gmt_modified:order:sub-order:reason).
struct IssuesPosition {
  std::string status = "processing";
  int64_t page = 1;
  int64_t since = 0;
  int64_t newest = 0;
  std::vector<std::vector<std::string>> pending;

  std::string Encode() const {
    CursorFields f;
    f.Set("status", status);
    f.Set("page", std::to_string(page));
    f.Set("since", std::to_string(since));
    f.Set("newest", std::to_string(newest));
    f.Set("pending", JoinEntries(pending));
    return f.Encode();
  }
};

constexpr size_t kIssueFields = 7;

class IssuesFeed final : public AliExpressFeed {
 public:
  using AliExpressFeed::AliExpressFeed;
  std::string_view Feed() const override { return "issues"; }

  Result<IssuesPosition> Read(std::string_view cursor, TimePoint now) const {
    IssuesPosition p;
    if (cursor.empty()) {
      p.since = ToUnixMillis(now - options_.initial_lookback);
      p.newest = p.since;
      return p;
    }
    auto f = CursorFields::Decode(cursor);
    if (!f) return f.error();
    auto page = ParseCount(f.value().Get("page"));
    auto since = ParseCount(f.value().Get("since"));
    auto newest = ParseCount(f.value().Get("newest"));
    const std::string status = f.value().Get("status");
    if (!page || !since || !newest ||
        (status != "processing" && status != "finish" && status != "canceled_issue" &&
         !status.empty())) {
      return MakeError(Errc::kInvalidField, "field 'cursor' is not an AliExpress issues cursor");
    }
    auto pending = SplitEntries(f.value().Get("pending"), kIssueFields);
    if (!pending) return pending.error();
    p.status = status;
    p.page = *page;
    p.since = *since;
    p.newest = *newest;
    p.pending = std::move(pending).value();
    return p;
  }

  Result<outbound::HttpRequest> BuildPoll(std::string_view cursor, TimePoint now) const override {
    auto p = Read(cursor, now);
    if (!p) return p.error();
    if (!p.value().pending.empty()) {
      const auto& next = p.value().pending.front();
      return AliExpressCall(app_, account_, kIssueDetail,
                            {{"buyer_login_id", next[1]}, {"issue_id", next[0]}}, now);
    }
    const std::string query =
        "{\"current_page\":" + std::to_string(p.value().page) +
        ",\"page_size\":" + std::to_string(options_.page_size) + ",\"issue_status\":" +
        JsonString(p.value().status.empty() ? "processing" : p.value().status) + "}";
    return AliExpressCall(app_, account_, kIssueList, {{"query_dto", query}}, now);
  }

  Result<PollPage> ParsePoll(std::string_view cursor, const outbound::HttpResponse& response,
                             TimePoint now) const override {
    auto p = Read(cursor, now);
    if (!p) return p.error();
    IssuesPosition next = std::move(p).value();
    PollPage page;
    if (!next.pending.empty()) {
      auto event = DetailEvent(next.pending.front(), response, now);
      if (!event) return event.error();
      page.events.push_back(std::move(event).value());
      next.pending.erase(next.pending.begin());
    } else {
      auto doc = Body(response);
      if (!doc) return doc.error();
      auto answer = Answer(doc.value(), kIssueList);
      if (!answer) return answer.error();
      auto ok = ReadList(answer.value(), next);
      if (!ok) return ok.error();
    }
    if (next.pending.empty() && next.status.empty()) {
      next.since = std::max(next.since, next.newest);
      next.status = "processing";
      next.page = 1;
      page.more = false;
    } else {
      page.more = true;
    }
    page.next_cursor = next.Encode();
    return page;
  }

 private:
  Result<void> ReadList(const JsonValue& answer, IssuesPosition& p) const {
    // The SDK's response class has the page fields on the answer itself; a "result" wrapper is
    // accepted too.
    JsonValue body = answer;
    if (auto wrapped = answer.OptionalObject("result"); wrapped && wrapped.value()) {
      body = *wrapped.value();
    }
    auto issues = ListOf(body, "data_list");
    if (!issues) return issues.error();
    for (const JsonValue& i : issues.value()) {
      auto id = i.Id("issue_id");
      if (!id) return id.error();
      const std::string modified = Text(i, "gmt_modified");
      const auto at = AeTime(i, "gmt_modified");
      // A time that does not read is treated as a change: the detail call is cheap, a missed
      // ruling is not.
      const int64_t ms = at ? ToUnixMillis(*at) : p.since + 1;
      if (ms <= p.since) continue;
      p.newest = std::max(p.newest, ms);
      p.pending.push_back({id.value(), Text(i, "buyer_login_id"), Text(i, "issue_status"), modified,
                           Text(i, "order_id"), Text(i, "parent_order_id"),
                           Text(i, "reason_english")});
    }
    if (p.status == "processing" && issues.value().size() >= options_.page_size) {
      ++p.page;
    } else if (p.status == "processing") {
      // Closures leave the processing list: the newest page of each final status shows them.
      p.status = "finish";
      p.page = 1;
    } else if (p.status == "finish") {
      p.status = "canceled_issue";
    } else {
      p.status.clear();
    }
    return Ok();
  }

  Result<proto::Event> DetailEvent(const std::vector<std::string>& issue,
                                   const outbound::HttpResponse& response, TimePoint now) const {
    std::string detail = "null";
    std::string status = issue[2];
    std::string reason = issue[6];
    if (auto ok = PollStatus(kMarketplace, response); !ok) return ok.error();
    auto doc = JsonDocument::ParseObject(response.body);
    if (!doc) return doc.error();
    if (auto error = AliExpressPlatformError(doc.value().root())) {
      // Retryable failures wait; a refused detail (an issue the API will not show) still yields
      // the list's state rather than blocking the feed.
      if (error->outcome.verdict == SendVerdict::kRetry) return FromOutcome(error->outcome);
    } else {
      auto answer = doc.value().root().Object(AliExpressResponseKey(kIssueDetail));
      if (!answer) return answer.error();
      JsonValue object = answer.value();
      for (std::string_view key : {"result_object", "result"}) {
        if (auto inner = answer.value().OptionalObject(key); inner && inner.value()) {
          object = *inner.value();
          break;
        }
      }
      detail = object.Minified();
      if (const std::string s = Text(object, "issue_status"); !s.empty()) status = s;
      if (const std::string r = Text(object, "issue_reason"); !r.empty()) reason = r;
    }
    const auto at = ParseIsoDateTime(issue[3], kTopOffset);
    proto::Event event = PolledEvent(
        kMarketplace, account_.store_id, "issue:" + issue[0] + ":" + status + ":" + issue[3],
        at.value_or(now), now,
        "{\"issue_id\":" + JsonString(issue[0]) + ",\"buyer_login_id\":" + JsonString(issue[1]) +
            ",\"issue_status\":" + JsonString(status) +
            ",\"gmt_modified\":" + JsonString(issue[3]) + ",\"order_id\":" + JsonString(issue[4]) +
            ",\"parent_order_id\":" + JsonString(issue[5]) + ",\"detail\":" + detail + "}");
    event.mutable_buyer()->set_id(issue[1]);
    event.mutable_order()->set_order_id(issue[4]);
    event.mutable_order()->set_order_line_id(issue[5]);
    proto::DisputeUpdate* d = event.mutable_dispute_update();
    d->set_dispute_id(issue[0]);
    d->set_marketplace_status(status);
    d->set_reason(reason);
    return event;
  }
};

std::optional<disputes::Money> MoneyOf(const JsonValue& object) {
  for (std::string_view key : {"refund_money", "refund_amount", "refund_money_post"}) {
    auto money = object.OptionalObject(key);
    if (!money || !money.value()) continue;
    std::string amount = Text(*money.value(), "amount");
    std::string currency = Text(*money.value(), "currency_code");
    if (currency.empty()) currency = Text(*money.value(), "currency");
    if (!amount.empty() && disputes::Decimal::Parse(amount) && currency.size() == 3) {
      return disputes::Money{amount, AsciiUpper(currency)};
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::unique_ptr<PollFeed>> AliExpressFeeds(const Account& account,
                                                       const AliExpressApp& app,
                                                       const AliExpressPollOptions& options) {
  std::vector<std::unique_ptr<PollFeed>> feeds;
  feeds.push_back(std::make_unique<MessagesFeed>(account, app, options));
  feeds.push_back(std::make_unique<IssuesFeed>(account, app, options));
  return feeds;
}

Result<disputes::AliExpressIssue> AliExpressIssueOf(const proto::Event& event) {
  auto doc = JsonDocument::ParseObject(event.raw().body());
  if (!doc) return doc.error();
  auto detail = doc.value().root().OptionalObject("detail");
  if (!detail) return detail.error();
  if (!detail.value()) {
    return MakeError(Errc::kNotFound,
                     "aliexpress issue event " + event.event_id() + " carries no issue detail");
  }
  const JsonValue& d = *detail.value();
  disputes::AliExpressIssue issue;
  auto warranty = d.OptionalBool("after_sale_warranty");
  if (!warranty) return warranty.error();
  issue.after_sale_warranty = warranty.value();
  for (std::string_view owner : {"buyer", "seller", "platform"}) {
    auto list = ListOf(d, std::string(owner) + "_solution_list");
    if (!list) return list.error();
    for (const JsonValue& s : list.value()) {
      disputes::AliExpressSolution solution;
      solution.id = Text(s, "id");
      solution.owner = std::string(owner);
      solution.status = Text(s, "status");
      solution.reached_type = Text(s, "reached_type");
      solution.solution_type = Text(s, "solution_type");
      solution.refund_amount = MoneyOf(s);
      issue.solutions.push_back(std::move(solution));
    }
  }
  return issue;
}

}  // namespace csgw::gateway
