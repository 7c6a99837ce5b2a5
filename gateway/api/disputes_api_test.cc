// The disputes API through the route table, on a real store filled by the real pipeline.
#include "gateway/api/disputes_api.h"

#include <gtest/gtest.h>

#include <set>

#include "base/json.h"
#include "base/timestamp.h"
#include "disputes/money.h"
#include "gateway/http/url.h"
#include "gateway/marketplaces/api_util.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/pipeline/dispute_timers.h"
#include "gateway/pipeline/pipeline.h"
#include "gateway/schedule/timer_runner.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

constexpr char kAgent[] = "agent-token-0123456789";      // ana: shop-a
constexpr char kManager[] = "manager-token-0123456789";  // max: shop-a, reads only
constexpr char kAdmin[] = "admin-token-0123456789";      // root: every store

TimePoint At(const char* iso) { return *ParseIsoDateTime(iso); }

proto::Event Base(const std::string& id, const std::string& marketplace, const std::string& store,
                  const std::string& order, const char* at) {
  proto::Event e;
  e.set_event_id(id);
  e.set_marketplace(marketplace);
  e.set_store_id(store);
  e.mutable_order()->set_order_id(order);
  e.mutable_buyer()->set_id("buyer-" + order);
  e.mutable_buyer()->set_country("MX");
  SetTimestamp(e.mutable_occurred_at(), At(at));
  return e;
}

proto::Event Dispute(const std::string& id, const std::string& marketplace,
                     const std::string& store, const std::string& dispute,
                     const std::string& order, const std::string& status, const char* at) {
  proto::Event e = Base(id, marketplace, store, order, at);
  auto& d = *e.mutable_dispute_update();
  d.set_dispute_id(dispute);
  d.set_marketplace_status(status);
  d.set_reason("damaged");
  d.mutable_refund_amount()->set_amount("12.00");
  d.mutable_refund_amount()->set_currency("USD");
  return e;
}

proto::Event Order(const std::string& order, const std::string& total) {
  proto::Event e = Base("order-" + order, "aliexpress", "shop-a", order, "2024-03-10T00:00:00Z");
  auto& u = *e.mutable_order_update();
  u.set_status(proto::ORDER_STATUS_SHIPPED);
  u.mutable_total()->set_amount(total);
  u.mutable_total()->set_currency("USD");
  u.set_carrier("Cainiao");
  u.set_tracking_number("LP0001");
  return e;
}

struct Answer {
  int status = 0;
  std::string body;
};

// A parsed JSON answer; members read by path.
class Json {
 public:
  explicit Json(const std::string& text) : doc_(JsonDocument::ParseObject(text)) {
    EXPECT_TRUE(doc_) << text;
  }
  const JsonValue& root() const { return doc_.value().root(); }

 private:
  Result<JsonDocument> doc_;
};

// A member as text: strings unquoted, null (or absent) as "null", anything else as JSON.
std::string Member(const JsonValue& v, std::string_view key) {
  auto m = v.Find(key);
  if (!m) return "<not an object>";
  if (!m.value()) return "null";
  if (m.value()->type() == JsonValue::Type::kString) return m.value()->AsString().value();
  return m.value()->Minified();
}

std::vector<JsonValue> Items(const JsonValue& v, std::string_view key) {
  auto m = v.Get(key);
  EXPECT_TRUE(m) << key;
  if (!m) return {};
  auto a = m.value().AsArray();
  EXPECT_TRUE(a) << key;
  return a ? a.value() : std::vector<JsonValue>();
}

std::vector<std::string> Ids(const std::string& body) {
  Json json(body);
  std::vector<std::string> ids;
  for (const JsonValue& d : Items(json.root(), "disputes")) ids.push_back(Member(d, "id"));
  return ids;
}

class DisputesApiTest : public ::testing::Test {
 protected:
  DisputesApiTest()
      : clock_(At("2024-03-20T12:00:00Z")),
        classifier_(templates::MakeRuleClassifier()),
        catalog_(templates::Catalog::Default()),
        drafter_(detector_, *classifier_, catalog_),
        users_({{kAgent, Principal{"ana", Role::kAgent, false, {"shop-a"}}},
                {kManager, Principal{"max", Role::kAccountManager, false, {"shop-a"}}},
                {kAdmin, Principal{"root", Role::kAdmin, true, {}}}}) {
    StoreOptions options;
    options.dir = dir_.Sub("db");
    options.sync = false;
    auto store = EventStore::Open(options);
    EXPECT_TRUE(store) << store.error().message;
    store_ = std::move(store).value();
    outbound::HttpClientOptions client_options;
    auto client = outbound::HttpClient::Create(client_options);
    EXPECT_TRUE(client) << client.error().message;
    client_ = std::move(client).value();
    outbox_ = std::make_unique<Outbox>(*store_, clock_, *client_, nullptr, OutboxOptions(),
                                       nullptr, outbound::MakeUniformRandom(7));
    pipeline_ = std::make_unique<Pipeline>(*store_, drafter_, templates_, clock_);

    EXPECT_TRUE(store_->Append({
        Order("8001", "25.00"),
        Dispute("e1", "aliexpress", "shop-a", "issue-1", "8001", "WAIT_SELLER_CONFIRM_REFUND",
                "2024-03-19T10:00:00Z"),
        Dispute("e2", "aliexpress", "shop-a", "issue-2", "8002", "WAIT_SELLER_CONFIRM_REFUND",
                "2024-03-20T08:00:00Z"),
        Dispute("e3", "aliexpress", "shop-b", "issue-3", "9001", "WAIT_SELLER_CONFIRM_REFUND",
                "2024-03-19T12:00:00Z"),
        Dispute("e4", "aliexpress", "shop-a", "issue-4", "8004", "WAIT_SELLER_CONFIRM_REFUND",
                "2024-03-18T09:00:00Z"),
        Dispute("e5", "aliexpress", "shop-a", "issue-4", "8004", "canceled_issue",
                "2024-03-18T10:00:00Z"),
        Dispute("e6", "ebay", "shop-a", "r-1", "e-1", "ReturnCreated", "2024-03-20T09:00:00Z"),
    }));
    Process();
    Routes(outbox_.get());
  }

  void Process() {
    auto processed = pipeline_->ProcessPending(1000);
    ASSERT_TRUE(processed) << processed.error().message;
  }

  void Routes(Outbox* outbox) {
    routes_ = std::make_unique<ApiRoutes>(&users_);
    DisputesApiDeps deps;
    deps.store = store_.get();
    deps.clock = &clock_;
    deps.outbox = outbox;
    deps.catalog = &catalog_;
    deps.on_event = [this] { ++events_appended_; };
    deps.on_send = [this] { ++sends_enqueued_; };
    AddDisputeRoutes(*routes_, deps);
  }

  Answer Call(std::string method, std::string target, const char* token, std::string body = "",
              std::string idempotency_key = "") {
    http::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    auto parsed = http::ParseTarget(r.target);
    EXPECT_TRUE(parsed) << r.target;
    if (parsed) {
      r.path = parsed->path;
      r.query = parsed->query;
    }
    if (token != nullptr) r.headers["authorization"] = std::string("Bearer ") + token;
    if (!idempotency_key.empty()) r.headers["idempotency-key"] = idempotency_key;
    r.body = std::move(body);
    Answer a;
    http::Responder respond = [&a](http::Response response) {
      a.status = response.status;
      a.body = std::move(response.body);
    };
    EXPECT_TRUE(routes_->Dispatch(r, respond)) << r.target;
    return a;
  }
  Answer Get(std::string target, const char* token = kAdmin) {
    return Call("GET", std::move(target), token);
  }
  Answer Propose(std::string_view key, std::string body, const char* token = kAgent,
                 std::string idempotency_key = "") {
    return Call("POST", "/v1/disputes/" + PercentEncode(key) + "/proposals", token, std::move(body),
                std::move(idempotency_key));
  }

  csgw::testing::TempDir dir_;
  ManualClock clock_;
  i18n::LanguageDetector detector_;
  std::unique_ptr<templates::IntentClassifier> classifier_;
  templates::CatalogHolder catalog_;
  templates::Drafter drafter_;
  proto::TemplatesConfig templates_;
  ApiUsers users_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<outbound::HttpClient> client_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<ApiRoutes> routes_;
  int events_appended_ = 0;
  int sends_enqueued_ = 0;
};

constexpr char kIssue1[] = "aliexpress/shop-a/issue-1";
constexpr char kIssue2[] = "aliexpress/shop-a/issue-2";
constexpr char kIssue3[] = "aliexpress/shop-b/issue-3";
constexpr char kIssue4[] = "aliexpress/shop-a/issue-4";
constexpr char kReturn1[] = "ebay/shop-a/r-1";

TEST_F(DisputesApiTest, AuthenticatesAndChecksTheRole) {
  EXPECT_EQ(Get("/v1/disputes", nullptr).status, 401);
  EXPECT_EQ(Get("/v1/disputes/" + PercentEncode(kIssue1), "wrong-token-000000000").status, 401);
  EXPECT_EQ(Call("DELETE", "/v1/disputes", kAdmin).status, 405);
  const Answer refused = Propose(kIssue1, R"({"solution":"resend","message":"x"})", kManager);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(Get("/v1/disputes", kManager).status, 200);
}

TEST_F(DisputesApiTest, QueueByNearestDeadlineWithNoneLast) {
  const Answer a = Get("/v1/disputes");
  ASSERT_EQ(a.status, 200) << a.body;
  // Seller deadlines: issue-1 03-24 10:00, issue-3 03-24 12:00, issue-2 03-25 08:00; then the
  // cancelled issue-4 and the eBay return (no deadlines sourced) by key.
  EXPECT_EQ(Ids(a.body), (std::vector<std::string>{kIssue1, kIssue3, kIssue2, kIssue4, kReturn1}));
  Json json(a.body);
  EXPECT_EQ(Member(json.root(), "next"), "null");
  const JsonValue first = Items(json.root(), "disputes")[0];
  EXPECT_EQ(Member(first, "state"), "awaiting_seller_response");
  EXPECT_EQ(Member(first, "reason"), "damaged");
  EXPECT_EQ(Member(first, "rule_set"), "aliexpress-2024");
  const JsonValue nearest = first.Get("nearest_deadline").value();
  EXPECT_EQ(Member(nearest, "name"), "seller_response");
  EXPECT_EQ(Member(nearest, "due"), "2024-03-24T10:00:00.000Z");
  EXPECT_EQ(Member(nearest, "actor"), "seller");
  EXPECT_EQ(Member(nearest, "overdue"), "false");
  const JsonValue amounts = first.Get("amounts").value();
  EXPECT_EQ(Member(amounts, "requested"), R"({"amount":"12.00","currency":"USD"})");
  EXPECT_EQ(Member(amounts, "offered"), "null");
  const JsonValue alerts = first.Get("alerts").value();
  EXPECT_EQ(Member(alerts, "raised"), "0");
  EXPECT_EQ(Member(alerts, "next_at"), "2024-03-22T10:00:00.000Z");  // T-48h
  const JsonValue last = Items(json.root(), "disputes")[4];
  EXPECT_EQ(Member(last, "nearest_deadline"), "null");
  EXPECT_EQ(Member(last, "rule_set"), "ebay-none");
}

TEST_F(DisputesApiTest, PagesCoverEveryDisputeOnceInOrder) {
  std::vector<std::string> seen;
  std::string after;
  int pages = 0;
  do {
    const Answer a = Get("/v1/disputes?limit=2" + (after.empty() ? "" : "&after=" + after));
    ASSERT_EQ(a.status, 200) << a.body;
    for (const auto& id : Ids(a.body)) seen.push_back(id);
    const std::string next = Member(Json(a.body).root(), "next");
    after = next == "null" ? "" : PercentEncode(next);
    ASSERT_LT(++pages, 10);
  } while (!after.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{kIssue1, kIssue3, kIssue2, kIssue4, kReturn1}));
  EXPECT_EQ(pages, 3);
}

TEST_F(DisputesApiTest, OtherStoresAreInvisible) {
  EXPECT_EQ(Ids(Get("/v1/disputes", kAgent).body),
            (std::vector<std::string>{kIssue1, kIssue2, kIssue4, kReturn1}));
  const Answer other_store = Get("/v1/disputes?store=shop-b", kAgent);
  EXPECT_EQ(other_store.status, 404);
  EXPECT_EQ(Member(Json(other_store.body).root(), "error"), "not_found");
  EXPECT_EQ(Ids(Get("/v1/disputes?store=shop-b", kAdmin).body),
            std::vector<std::string>{kIssue3});
  const Answer hidden = Get("/v1/disputes/" + PercentEncode(kIssue3), kAgent);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(Member(Json(hidden.body).root(), "error"), "not_found");
  // The same answer as a dispute that does not exist.
  EXPECT_EQ(Get("/v1/disputes/" + PercentEncode("aliexpress/shop-a/nope"), kAgent).status, 404);
  EXPECT_EQ(Propose(kIssue3, R"({"solution":"resend","message":"Lo sentimos"})").status, 404);
  EXPECT_EQ(Get("/v1/disputes/" + PercentEncode(kIssue3), kAdmin).status, 200);
}

TEST_F(DisputesApiTest, FiltersByStoreStateAndDueTime) {
  EXPECT_EQ(Ids(Get("/v1/disputes?store=shop-a&state=open").body),
            (std::vector<std::string>{kIssue1, kIssue2, kReturn1}));
  EXPECT_EQ(Ids(Get("/v1/disputes?state=cancelled").body), (std::vector<std::string>{kIssue4}));
  // Due strictly before the instant; a due window leaves out disputes without a deadline.
  EXPECT_EQ(Ids(Get("/v1/disputes?due_before=2024-03-24T12:00:00Z").body),
            (std::vector<std::string>{kIssue1}));
  EXPECT_EQ(Ids(Get("/v1/disputes?due_before=2024-03-24T12:00:00.001Z").body),
            (std::vector<std::string>{kIssue1, kIssue3}));
  EXPECT_EQ(Ids(Get("/v1/disputes?due_within=5d&store=shop-a").body),
            (std::vector<std::string>{kIssue1, kIssue2}));
  // An overdue deadline stays in every window.
  clock_.Set(At("2024-03-30T00:00:00Z"));
  EXPECT_EQ(Ids(Get("/v1/disputes?due_within=1h&store=shop-b").body),
            (std::vector<std::string>{kIssue3}));
}

TEST_F(DisputesApiTest, BadQueriesNameTheField) {
  struct Case {
    const char* query;
    const char* field;
  };
  for (const Case& c : {Case{"state=lost", "'state'"}, Case{"due_before=tomorrow", "'due_before'"},
                        Case{"due_within=soon", "'due_within'"},
                        Case{"due_within=1h&due_before=2024-03-24T12:00:00Z", "'due_within'"},
                        Case{"after=x:1", "'after'"}, Case{"after=t:abc:id", "'after'"},
                        Case{"limit=0", "limit"}, Case{"limit=201", "limit"}}) {
    const Answer a = Get(std::string("/v1/disputes?") + c.query);
    EXPECT_EQ(a.status, 400) << c.query;
    EXPECT_NE(a.body.find(c.field), std::string::npos) << c.query << ": " << a.body;
  }
}

TEST_F(DisputesApiTest, DetailHasHistoryProposalsDeadlinesAlertsAndAdvice) {
  // Two days later the T-48h alert of the seller's deadline has been raised.
  DisputeTimerHandler handler(*store_);
  TimerRunner runner(*store_, clock_);
  runner.Handle("dispute_deadline", handler);
  runner.Handle("dispute_alert", handler);
  clock_.Set(At("2024-03-22T11:00:00Z"));
  ASSERT_TRUE(runner.FireDue(100));
  Process();  // the pipeline records the alert the timer handed on

  const Answer a = Get("/v1/disputes/" + PercentEncode(kIssue1), kAgent);
  ASSERT_EQ(a.status, 200) << a.body;
  Json json(a.body);
  const JsonValue& d = json.root();
  EXPECT_EQ(Member(d, "id"), kIssue1);
  EXPECT_EQ(Member(d, "order_id"), "8001");
  EXPECT_EQ(Member(d.Get("buyer").value(), "country"), "MX");
  const auto history = Items(d, "history");
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(Member(history[0], "kind"), "opened");
  // The snapshot's opening and the buyer's proposal it implies (which supersedes the first).
  const auto proposals = Items(d, "proposals");
  ASSERT_EQ(proposals.size(), 2u);
  EXPECT_EQ(Member(proposals[1], "party"), "buyer");
  EXPECT_EQ(Member(proposals[1], "status"), "pending");
  EXPECT_EQ(Member(proposals[1], "amount"), R"({"amount":"12.00","currency":"USD"})");
  const auto deadlines = Items(d, "deadlines");
  ASSERT_EQ(deadlines.size(), 2u);
  EXPECT_EQ(Member(deadlines[0], "name"), "seller_response");
  EXPECT_EQ(Member(deadlines[1], "name"), "platform_intervention");
  const auto raised = Items(d, "alerts_raised");
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(Member(raised[0], "before_seconds"), "172800");
  EXPECT_EQ(Member(d.Get("alerts").value(), "raised"), "1");
  const auto scheduled = Items(d, "alerts_scheduled");
  ASSERT_FALSE(scheduled.empty());
  EXPECT_EQ(Member(scheduled[0], "deadline"), "seller_response");
  EXPECT_EQ(Member(scheduled[0], "before_seconds"), "86400");

  // The advice: at least two options, cheapest first, and the reply in the buyer's Spanish.
  const JsonValue advice = d.Get("advice").value();
  const auto options = Items(advice, "options");
  ASSERT_GE(options.size(), 2u);
  for (size_t i = 1; i < options.size(); ++i) {
    auto prev = disputes::Decimal::Parse(Member(options[i - 1].Get("cost").value(), "amount"));
    auto cost = disputes::Decimal::Parse(Member(options[i].Get("cost").value(), "amount"));
    ASSERT_TRUE(prev && cost);
    EXPECT_LE(prev.value(), cost.value()) << i;
  }
  const JsonValue reply = advice.Get("reply").value();
  EXPECT_EQ(Member(reply, "template"), "special.dispute_not_as_described");
  EXPECT_EQ(Member(reply, "locale"), "es");
  const std::string text = Member(reply, "text");
  EXPECT_EQ(text.rfind("Lamentamos", 0), 0u) << text;
  EXPECT_NE(text.find("8001"), std::string::npos) << text;

  // Ended: no advice, and why.
  const Answer cancelled = Get("/v1/disputes/" + PercentEncode(kIssue4));
  ASSERT_EQ(cancelled.status, 200);
  EXPECT_EQ(Member(Json(cancelled.body).root(), "advice"), "null");
  EXPECT_EQ(Member(Json(cancelled.body).root(), "advice_unavailable"), "the dispute is cancelled");
}

// The proposal goes to the log; once the pipeline applied it, it is the seller's pending
// proposal and the seller's deadline still runs (AliExpress has no send API here).
TEST_F(DisputesApiTest, ProposalIsRecordedThroughThePipeline) {
  const std::string body =
      R"({"solution":"partial_refund","amount":{"amount":"7.50","currency":"USD"},)"
      R"("message":"Lamentamos lo ocurrido. Le ofrecemos un reembolso parcial."})";
  const Answer a = Propose(kIssue1, body);
  ASSERT_EQ(a.status, 202) << a.body;
  Json json(a.body);
  const JsonValue proposal = json.root().Get("proposal").value();
  const std::string id = Member(proposal, "id");
  EXPECT_EQ(id.rfind("csgw:proposal:", 0), 0u);
  EXPECT_EQ(Member(proposal, "duplicate"), "false");
  EXPECT_EQ(Member(proposal, "solution"), "partial_refund");
  EXPECT_EQ(Member(json.root().Get("send").value(), "sent"), "false");
  EXPECT_EQ(events_appended_, 1);
  EXPECT_EQ(sends_enqueued_, 0);

  // The same request again: one proposal.
  const Answer again = Propose(kIssue1, body);
  ASSERT_EQ(again.status, 202);
  EXPECT_EQ(Member(Json(again.body).root().Get("proposal").value(), "id"), id);
  EXPECT_EQ(Member(Json(again.body).root().Get("proposal").value(), "duplicate"), "true");
  // Another Idempotency-Key: a second proposal with the same content.
  const Answer other = Propose(kIssue1, body, kAgent, "retry-2");
  EXPECT_NE(Member(Json(other.body).root().Get("proposal").value(), "id"), id);

  Process();
  Json detail(Get("/v1/disputes/" + PercentEncode(kIssue1)).body);
  EXPECT_EQ(Member(detail.root(), "state"), "awaiting_seller_response");
  EXPECT_EQ(Member(Items(detail.root(), "deadlines")[0], "name"), "seller_response");
  bool found = false;
  for (const JsonValue& p : Items(detail.root(), "proposals")) {
    if (Member(p, "id") != id) continue;
    found = true;
    EXPECT_EQ(Member(p, "party"), "seller");
    EXPECT_EQ(Member(p, "solution"), "refund_only");
    EXPECT_EQ(Member(p, "amount"), R"({"amount":"7.50","currency":"USD"})");
    EXPECT_EQ(Member(p, "status"), "superseded");  // the second offer replaced it
  }
  EXPECT_TRUE(found);
  const auto history = Items(detail.root(), "history");
  EXPECT_EQ(Member(history.back(), "kind"), "seller_offered");
  EXPECT_EQ(Member(detail.root().Get("amounts").value(), "offered"),
            R"({"amount":"7.50","currency":"USD"})");
}

// One vocabulary: every option the advisor gives (GET /v1/disputes/{id}) is posted back as a
// proposal unchanged, its remedy as the solution and its amount as the amount (zero where the
// buyer receives no money).
TEST_F(DisputesApiTest, EveryAdvisorOptionPostsBackUnchanged) {
  std::set<std::string> remedies;
  size_t posted = 0;
  for (const char* key : {kIssue1, kIssue2, kIssue3, kReturn1}) {
    Json detail(Get("/v1/disputes/" + PercentEncode(key)).body);
    auto advice = detail.root().Get("advice");
    ASSERT_TRUE(advice) << key;
    const auto options = Items(advice.value(), "options");
    ASSERT_GE(options.size(), 2u) << key;
    for (const JsonValue& o : options) {
      const std::string body = R"({"solution":)" + o.Get("remedy").value().Minified() +
                               R"(,"amount":)" + o.Get("amount").value().Minified() +
                               R"(,"message":"Le proponemos una solución."})";
      const Answer a = Propose(key, body, kAdmin);
      ASSERT_EQ(a.status, 202) << key << ": " << body << " → " << a.body;
      EXPECT_EQ(Member(Json(a.body).root().Get("proposal").value(), "solution"),
                Member(o, "remedy"));
      remedies.insert(Member(o, "remedy"));
      ++posted;
    }
  }
  // The fixture's disputes draw on most of the ladder; every remedy name is a solution word
  // (own_proposal_test.cc checks the whole ladder).
  EXPECT_GE(remedies.size(), 3u);
  Process();
  size_t recorded = 0;
  for (const char* key : {kIssue1, kIssue2, kIssue3, kReturn1}) {
    Json detail(Get("/v1/disputes/" + PercentEncode(key)).body);
    for (const JsonValue& p : Items(detail.root(), "proposals")) {
      recorded += Member(p, "id").rfind("csgw:proposal:", 0) == 0 ? 1 : 0;
    }
  }
  EXPECT_EQ(recorded, posted);
}

TEST_F(DisputesApiTest, ProposalInputIsValidatedNamingTheField) {
  struct Case {
    std::string body;
    int status;
    const char* says;
  };
  const Case cases[] = {
      {"not json", 400, "malformed_json"},
      {R"({"amount":{"amount":"5.00","currency":"USD"},"message":"x"})", 400, "'solution'"},
      {R"({"solution":"gift","message":"x"})", 400, "'solution' must be one of"},
      {R"({"solution":"partial_refund","message":"x"})", 400, "'amount' is required"},
      {R"({"solution":"resend","amount":{"amount":"1.00","currency":"USD"},"message":"x"})", 400,
       "'amount' is not taken by resend"},
      {R"({"solution":"coupon","amount":{"amount":"1.00","currency":"EUR"},"message":"x"})", 400,
       "'amount.currency' must be USD"},
      {R"({"solution":"coupon","amount":{"amount":"1.00","currency":"usd"},"message":"x"})", 400,
       "'amount.currency'"},
      {R"({"solution":"coupon","amount":{"amount":"1,00","currency":"USD"},"message":"x"})", 400,
       "'amount.amount'"},
      {R"({"solution":"coupon","amount":{"amount":"0","currency":"USD"},"message":"x"})", 400,
       "'amount.amount' must be positive"},
      {R"({"solution":"coupon","amount":{"amount":"1.005","currency":"USD"},"message":"x"})", 400,
       "'amount.amount' has more decimals"},
      {R"({"solution":"partial_refund","amount":{"amount":"25.00","currency":"USD"},)"
       R"("message":"x"})",
       400, "'amount.amount' must be below the order's value 25.00 USD"},
      {R"({"solution":"full_refund","amount":{"amount":"30.00","currency":"USD"},"message":"x"})",
       400, "must not exceed"},
      {R"({"solution":"resend"})", 400, "'message'"},
      {R"({"solution":"resend","message":""})", 400, "'message'"},
      {R"({"solution":"resend","message":"x","note":"y"})", 400, "'note'"},
      {R"({"solution":"resend","message":"x","amount":"5"})", 400, "'amount'"},
  };
  for (const Case& c : cases) {
    const Answer a = Propose(kIssue1, c.body);
    EXPECT_EQ(a.status, c.status) << c.body << " → " << a.body;
    EXPECT_NE(a.body.find(c.says), std::string::npos) << c.body << " → " << a.body;
  }
  EXPECT_EQ(events_appended_, 0);
  EXPECT_EQ(Propose(kIssue1, std::string(R"({"solution":"resend","message":")") +
                                 std::string(9000, 'a') + "\"}")
                .status,
            400);
}

TEST_F(DisputesApiTest, NoProposalOnceTheDisputeEnded) {
  const Answer a = Propose(kIssue4, R"({"solution":"resend","message":"Le reenviamos el pedido"})");
  EXPECT_EQ(a.status, 409) << a.body;
  EXPECT_NE(a.body.find("cancelled"), std::string::npos);
  EXPECT_EQ(events_appended_, 0);
}

// eBay returns take a message: the proposal goes out through the outbox, once.
TEST_F(DisputesApiTest, ProposalIsSentThroughTheOutboxWhereTheMarketplaceCan) {
  const std::string body = R"({"solution":"resend","message":"Sorry! We will send a new one."})";
  const Answer a = Propose(kReturn1, body);
  ASSERT_EQ(a.status, 202) << a.body;
  Json json(a.body);
  const JsonValue send = json.root().Get("send").value();
  EXPECT_EQ(Member(send, "sent"), "true");
  EXPECT_EQ(Member(send, "state"), "pending");
  const std::string outbox_id = Member(send, "outbox_id");
  EXPECT_EQ(sends_enqueued_, 1);
  auto entry = outbox_->Get(outbox_id);
  ASSERT_TRUE(entry && entry.value());
  const proto::OutboxEntry& e = *entry.value();
  EXPECT_EQ(e.kind(), "dispute_proposal");
  EXPECT_EQ(e.message_kind(), "claim_message");
  EXPECT_EQ(e.marketplace(), "ebay");
  EXPECT_EQ(e.store_id(), "shop-a");
  EXPECT_EQ(e.marketplace_conversation_id(), "r-1");
  EXPECT_EQ(e.conversation_id(), kReturn1);
  EXPECT_EQ(e.buyer_id(), "buyer-e-1");
  EXPECT_EQ(e.text(), "Sorry! We will send a new one.");
  EXPECT_EQ(e.requested_by(), "agent:ana");
  EXPECT_EQ(e.state(), proto::OUTBOX_STATE_PENDING);

  const Answer again = Propose(kReturn1, body);
  EXPECT_EQ(Member(Json(again.body).root().Get("send").value(), "outbox_id"), outbox_id);

  Process();
  Json detail(Get("/v1/disputes/" + PercentEncode(kReturn1)).body);
  bool sent = false;
  for (const JsonValue& p : Items(detail.root(), "proposals")) {
    if (Member(p, "party") != "seller") continue;
    const JsonValue s = p.Get("send").value();
    EXPECT_EQ(Member(s, "outbox_id"), outbox_id);
    EXPECT_EQ(Member(s, "state"), "pending");
    sent = true;
  }
  EXPECT_TRUE(sent);
}

TEST_F(DisputesApiTest, WithoutAnOutboxTheProposalIsRecordedNotSent) {
  Routes(nullptr);
  const Answer a = Propose(kReturn1, R"({"solution":"no_refund","message":"We are sorry."})");
  ASSERT_EQ(a.status, 202) << a.body;
  Json json(a.body);
  const JsonValue send = json.root().Get("send").value();
  EXPECT_EQ(Member(send, "sent"), "false");
  EXPECT_EQ(Member(send, "reason"), "sending is not configured");
  EXPECT_EQ(events_appended_, 1);
}

}  // namespace
}  // namespace csgw::gateway
