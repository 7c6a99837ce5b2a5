// Disputes through the gateway with Config.disputes: the rule set and alert offsets each store
// chose, the buyer kept on the record, and the alerts delivered through the outbox.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <thread>

#include "base/crypto.h"
#include "base/json.h"
#include "base/timestamp.h"
#include "disputes/deadlines.h"
#include "disputes/machine.h"
#include "gateway/config/config.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/outbound/outbox.h"
#include "gateway/pipeline/dispute_alerts.h"
#include "gateway/pipeline/dispute_settings.h"
#include "gateway/pipeline/dispute_timers.h"
#include "gateway/pipeline/disputes_records.h"
#include "gateway/pipeline/pipeline.h"
#include "tests/support/mock_marketplace.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

using std::chrono::hours;

TimePoint At(const char* iso) { return *ParseIsoDateTime(iso); }

// A legacy-API AliExpress issue status of `store`'s dispute `dispute` (order 8001).
proto::Event Issue(const std::string& event_id, const std::string& store,
                   const std::string& dispute, const std::string& status, const char* at) {
  proto::Event e;
  e.set_event_id(event_id);
  e.set_marketplace("aliexpress");
  e.set_store_id(store);
  e.mutable_order()->set_order_id("8001");
  e.mutable_buyer()->set_id("buyer-7");
  e.mutable_buyer()->set_country("MX");
  SetTimestamp(e.mutable_occurred_at(), At(at));
  auto& d = *e.mutable_dispute_update();
  d.set_dispute_id(dispute);
  d.set_marketplace_status(status);
  d.set_reason("damaged");
  d.mutable_refund_amount()->set_amount("12.00");
  d.mutable_refund_amount()->set_currency("USD");
  return e;
}

std::shared_ptr<const DisputeSettings> Settings(const std::string& json) {
  auto config = ParseConfigJson(json);
  EXPECT_TRUE(config) << config.error().message;
  auto settings = DisputeSettings::Build(config ? config.value().disputes() : proto::DisputesConfig());
  EXPECT_TRUE(settings) << settings.error().message;
  return settings ? settings.value() : std::make_shared<const DisputeSettings>();
}

class DisputesFlowTest : public ::testing::Test {
 protected:
  DisputesFlowTest()
      : clock_(At("2024-03-19T12:00:00Z")),
        classifier_(templates::MakeRuleClassifier()),
        catalog_(templates::Catalog::Default()),
        drafter_(detector_, *classifier_, catalog_) {
    StoreOptions options;
    options.dir = dir_.Sub("db");
    options.sync = false;
    auto store = EventStore::Open(options);
    EXPECT_TRUE(store) << store.error().message;
    if (store) store_ = std::move(store).value();
  }

  proto::StoredDispute Stored(const std::string& key) {
    auto record = store_->GetRecord(Table::kDisputes, key);
    EXPECT_TRUE(record && record.value()) << key;
    proto::StoredDispute d;
    if (record && record.value()) {
      EXPECT_TRUE(d.ParseFromString(*record.value()));
    }
    return d;
  }
  std::optional<TimePoint> Due(const std::string& id) {
    auto timer = store_->GetTimer(id);
    EXPECT_TRUE(timer);
    if (!timer || !timer.value()) return std::nullopt;
    return FromTimestamp(timer.value()->due());
  }
  void Process(Pipeline& pipeline) {
    auto processed = pipeline.ProcessPending(1000);
    ASSERT_TRUE(processed) << processed.error().message;
  }

  csgw::testing::TempDir dir_;
  ManualClock clock_;
  i18n::LanguageDetector detector_;
  std::unique_ptr<templates::IntentClassifier> classifier_;
  templates::CatalogHolder catalog_;
  templates::Drafter drafter_;
  proto::TemplatesConfig templates_;
  std::unique_ptr<EventStore> store_;
};

TEST(DisputeSettings, ChoosesByStoreThenMarketplaceThenBuiltIn) {
  const auto settings = Settings(
      R"({"disputes":{"rule_sets":{"ebay":"ebay-none"},"alerts_before":["4h","24h"],)"
      R"("stores":[{"store_id":"old","rule_sets":{"aliexpress":"aliexpress-legacy"},)"
      R"("alerts_before":["2h","36h"]}]}})");
  EXPECT_EQ(settings->RuleSetFor("aliexpress", "old"), "aliexpress-legacy");
  EXPECT_EQ(settings->RuleSetFor("aliexpress", "new"), "aliexpress-2024");
  EXPECT_EQ(settings->RuleSetFor("lazada", "old"), "lazada-none");
  const disputes::RuleSet& rules = *FindDisputeRuleSet("aliexpress-2024");
  // Largest first, as rule sets keep them.
  EXPECT_EQ(settings->AlertsBefore("old", rules), (std::vector<std::chrono::seconds>{hours(36), hours(2)}));
  EXPECT_EQ(settings->AlertsBefore("new", rules), (std::vector<std::chrono::seconds>{hours(24), hours(4)}));
  EXPECT_EQ(DisputeSettings().AlertsBefore("new", rules), rules.alerts_before);
  EXPECT_EQ(settings->WebhooksOf("old"), nullptr);
}

TEST(DisputeSettings, ResolvesTheSigningSecretOrNamesTheField) {
  setenv("CSGW_DISPUTES_FLOW_SECRET", "s3cret-value", 1);
  const auto settings = Settings(
      R"({"disputes":{"stores":[{"store_id":"s1","agents_webhook_url":"https://a.example/h",)"
      R"("signing_secret":{"env":"CSGW_DISPUTES_FLOW_SECRET"}}]}})");
  ASSERT_NE(settings->WebhooksOf("s1"), nullptr);
  EXPECT_EQ(settings->WebhooksOf("s1")->secret, "s3cret-value");
  EXPECT_EQ(settings->WebhooksOf("s1")->escalation_url, "");

  auto config = ParseConfigJson(
      R"({"disputes":{"stores":[{"store_id":"s1","agents_webhook_url":"https://a.example/h",)"
      R"("signing_secret":{"env":"CSGW_DISPUTES_FLOW_UNSET"}}]}})");
  ASSERT_TRUE(config);
  auto built = DisputeSettings::Build(config.value().disputes());
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().message.find("disputes.stores[0].signing_secret"), std::string::npos)
      << built.error().message;
}

// Each store's new disputes follow the rule set and alert offsets its config chose; the buyer
// the events named is kept on the record.
TEST_F(DisputesFlowTest, RuleSetAndAlertOffsetsFollowTheStoresConfig) {
  const auto settings = Settings(
      R"({"disputes":{"alerts_before":["24h"],"stores":[{"store_id":"old",)"
      R"("rule_sets":{"aliexpress":"aliexpress-legacy"},"alerts_before":["36h","2h"]}]}})");
  Pipeline pipeline(*store_, drafter_, templates_, clock_);
  pipeline.SetDisputes(settings);
  ASSERT_TRUE(store_->Append(
      {Issue("e1", "old", "i-1", "WAIT_SELLER_CONFIRM_REFUND", "2024-03-19T10:00:00Z"),
       Issue("e2", "new", "i-2", "WAIT_SELLER_CONFIRM_REFUND", "2024-03-19T10:00:00Z")}));
  Process(pipeline);

  const proto::StoredDispute old_store = Stored("aliexpress/old/i-1");
  EXPECT_EQ(old_store.rule_set_id(), "aliexpress-legacy");
  EXPECT_EQ(old_store.buyer().id(), "buyer-7");
  EXPECT_EQ(old_store.buyer().country(), "MX");
  const std::string legacy = "dispute/aliexpress/old/i-1/";
  // Legacy: the seller's 5 days and the automatic escalation on day 16, alerts at T-36h, T-2h.
  EXPECT_EQ(Due(legacy + "seller_response"), At("2024-03-24T10:00:00Z"));
  EXPECT_EQ(Due(legacy + "auto_escalation"), At("2024-04-03T10:00:00Z"));
  EXPECT_EQ(Due(legacy + "seller_response/alert/129600"), At("2024-03-22T22:00:00Z"));
  EXPECT_EQ(Due(legacy + "seller_response/alert/7200"), At("2024-03-24T08:00:00Z"));
  EXPECT_EQ(Due(legacy + "seller_response/alert/172800"), std::nullopt);
  EXPECT_EQ(old_store.timers_size(), 6);

  const proto::StoredDispute new_store = Stored("aliexpress/new/i-2");
  EXPECT_EQ(new_store.rule_set_id(), "aliexpress-2024");
  const std::string current = "dispute/aliexpress/new/i-2/";
  EXPECT_EQ(Due(current + "platform_intervention"), At("2024-03-26T10:00:00Z"));
  EXPECT_EQ(Due(current + "seller_response/alert/86400"), At("2024-03-23T10:00:00Z"));
  EXPECT_EQ(Due(current + "seller_response/alert/14400"), std::nullopt);
  EXPECT_EQ(new_store.timers_size(), 4);

  // A dispute keeps its rule set: a later config that moves the store changes only new ones.
  Pipeline moved(*store_, drafter_, templates_, clock_);
  moved.SetDisputes(std::make_shared<const DisputeSettings>());
  ASSERT_TRUE(store_->Append(
      {Issue("e3", "old", "i-1", "SELLER_REFUSE_REFUND", "2024-03-20T10:00:00Z"),
       Issue("e4", "old", "i-3", "WAIT_SELLER_CONFIRM_REFUND", "2024-03-20T10:00:00Z")}));
  Process(moved);
  EXPECT_EQ(Stored("aliexpress/old/i-1").rule_set_id(), "aliexpress-legacy");
  EXPECT_EQ(Stored("aliexpress/old/i-3").rule_set_id(), "aliexpress-2024");
}

// The store's alerts fire at its offsets, then the seller's deadline executes the buyer's
// proposal: the handler appends what fired, the pipeline applies it and rewrites the timers
// (with the same settings), leaving none behind.
TEST_F(DisputesFlowTest, StoreOffsetsFireThenTheSellerTimeout) {
  const auto settings = Settings(
      R"({"disputes":{"stores":[{"store_id":"old",)"
      R"("rule_sets":{"aliexpress":"aliexpress-legacy"},"alerts_before":["36h","2h"]}]}})");
  Pipeline pipeline(*store_, drafter_, templates_, clock_);
  pipeline.SetDisputes(settings);
  ASSERT_TRUE(store_->Append(
      {Issue("e1", "old", "i-1", "WAIT_SELLER_CONFIRM_REFUND", "2024-03-19T10:00:00Z")}));
  Process(pipeline);
  DisputeTimerHandler handler(*store_, settings);
  TimerRunner runner(*store_, clock_);
  runner.Handle("dispute_deadline", handler);
  runner.Handle("dispute_alert", handler);
  clock_.Set(At("2024-03-24T10:00:00Z"));
  auto fired = runner.FireDue(100);
  ASSERT_TRUE(fired) << fired.error().message;
  EXPECT_EQ(fired.value(), 3u);  // T-36h, T-2h and the seller's deadline
  // The handler only decided: the dispute is as the pipeline last wrote it.
  EXPECT_EQ(FromStored(Stored("aliexpress/old/i-1")).value().state,
            disputes::State::kAwaitingSellerResponse);
  Process(pipeline);
  const proto::StoredDispute stored = Stored("aliexpress/old/i-1");
  auto dispute = FromStored(stored);
  ASSERT_TRUE(dispute);
  EXPECT_EQ(dispute.value().state, disputes::State::kAgreed);
  ASSERT_EQ(stored.alerts_size(), 2);
  EXPECT_EQ(stored.alerts(0).before_seconds(), 129600);
  EXPECT_EQ(stored.alerts(1).before_seconds(), 7200);
  EXPECT_EQ(stored.timers_size(), 0);  // agreed: no deadline runs any more
  auto left = store_->DueTimers(At("2030-01-01T00:00:00Z"), 100);
  ASSERT_TRUE(left);
  EXPECT_TRUE(left.value().empty());
}

// The durable timers pending for `key`, by id → due.
std::map<std::string, TimePoint> PendingTimersOf(const EventStore& store, const std::string& key) {
  std::map<std::string, TimePoint> out;
  for (std::string_view kind : {kDisputeDeadlineTimer, kDisputeAlertTimer}) {
    TimerScan scan;
    scan.kind = std::string(kind);
    scan.limit = 1000;
    auto page = store.ScanTimers(scan);
    EXPECT_TRUE(page && !page.value().next);
    if (!page) continue;
    for (const auto& t : page.value().timers) {
      if (t.subject() == key) out[t.id()] = FromTimestamp(t.due());
    }
  }
  return out;
}

std::map<std::string, TimePoint> WantedTimersOf(const proto::StoredDispute& stored,
                                                const std::string& key,
                                                const DisputeSettings& settings, TimePoint now) {
  std::map<std::string, TimePoint> out;
  auto dispute = FromStored(stored);
  EXPECT_TRUE(dispute);
  if (!dispute) return out;
  for (const auto& t : DisputeTimers(key, dispute.value(), *FindDisputeRuleSet(stored.rule_set_id()),
                                     settings, now)) {
    out[t.id()] = FromTimestamp(t.due());
  }
  return out;
}

// Late and repeated deliveries: the same dispute and the same durable timers as in order.
TEST_F(DisputesFlowTest, LateAndRepeatedUpdatesEndInTheSameDisputeAndTimers) {
  const std::vector<proto::Event> events = {
      Issue("e1", "s", "i-1", "WAIT_SELLER_CONFIRM_REFUND", "2024-03-19T10:00:00Z"),
      Issue("e2", "s", "i-1", "SELLER_REFUSE_REFUND", "2024-03-19T20:00:00Z"),
      Issue("e3", "s", "i-1", "WAIT_SELLER_CONFIRM_REFUND", "2024-03-20T09:00:00Z"),
  };
  Pipeline pipeline(*store_, drafter_, templates_, clock_);
  // Newest first, one batch each, then everything again.
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    ASSERT_TRUE(store_->Append({*it}));
    Process(pipeline);
  }
  // Redelivered: the store acknowledges them as duplicates, nothing is processed again.
  auto again = store_->Append({events[0], events[1]});
  ASSERT_TRUE(again);
  EXPECT_TRUE(again.value()[0].duplicate && again.value()[1].duplicate);
  Process(pipeline);
  const proto::StoredDispute late = Stored("aliexpress/s/i-1");

  csgw::testing::TempDir other_dir;
  StoreOptions options;
  options.dir = other_dir.Sub("db");
  options.sync = false;
  auto in_order_store = EventStore::Open(options);
  ASSERT_TRUE(in_order_store);
  Pipeline in_order(*in_order_store.value(), drafter_, templates_, clock_);
  ASSERT_TRUE(in_order_store.value()->Append(events));
  ASSERT_TRUE(in_order.ProcessPending(100));
  auto record = in_order_store.value()->GetRecord(Table::kDisputes, "aliexpress/s/i-1");
  ASSERT_TRUE(record && record.value());
  proto::StoredDispute expected;
  ASSERT_TRUE(expected.ParseFromString(*record.value()));

  auto a = FromStored(late);
  auto b = FromStored(expected);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a.value().state, disputes::State::kAwaitingSellerResponse);
  EXPECT_EQ(a.value().state, b.value().state);
  EXPECT_EQ(a.value().proposals, b.value().proposals);
  EXPECT_EQ(a.value().opened_at, At("2024-03-19T10:00:00Z"));
  ASSERT_EQ(a.value().history.size(), b.value().history.size());
  for (size_t i = 0; i < a.value().history.size(); ++i) {
    // The same events in the same order (log sequences differ between the two stores).
    EXPECT_EQ(a.value().history[i].event.event_id, b.value().history[i].event.event_id);
    EXPECT_EQ(a.value().history[i].applied, b.value().history[i].applied);
  }
  EXPECT_EQ(a.value().buyer_changed_at, At("2024-03-20T09:00:00Z"));
  EXPECT_EQ(PendingTimersOf(*store_, "aliexpress/s/i-1"),
            PendingTimersOf(*in_order_store.value(), "aliexpress/s/i-1"));
  EXPECT_EQ(Due("dispute/aliexpress/s/i-1/seller_response"), At("2024-03-25T09:00:00Z"));
}

// Random AliExpress snapshots in random order and batch sizes, under both regimes: after every
// batch the durable timers of every dispute are exactly those its deadlines and alerts call for
// (none lost, none left behind), and the dispute holds the machine's invariants.
TEST_F(DisputesFlowTest, RandomDeliveriesNeverLoseOrLeaveATimer) {
  const auto settings = Settings(
      R"({"disputes":{"stores":[{"store_id":"old","rule_sets":{"aliexpress":"aliexpress-legacy"},)"
      R"("alerts_before":["36h","2h"]}]}})");
  Pipeline pipeline(*store_, drafter_, templates_, clock_);
  pipeline.SetDisputes(settings);
  const char* kStatuses[] = {"WAIT_SELLER_CONFIRM_REFUND", "SELLER_REFUSE_REFUND", "ACCEPTISSUE",
                             "WAIT_BUYER_SEND_GOODS",      "WAIT_SELLER_RECEIVE_GOODS",
                             "ARBITRATING",                "SELLER_RESPONSE_ISSUE_TIMEOUT",
                             "canceled_issue"};
  std::mt19937 rng(7);
  std::vector<std::string> keys;
  std::vector<proto::Event> pending;
  int n = 0;
  for (const char* store : {"old", "new"}) {
    for (int d = 0; d < 6; ++d) {
      const std::string dispute = "i-" + std::to_string(d);
      keys.push_back("aliexpress/" + std::string(store) + "/" + dispute);
      for (int k = 0; k < 6; ++k) {
        const int hour = std::uniform_int_distribution<int>(0, 200)(rng);
        const int status = std::uniform_int_distribution<int>(0, 7)(rng);
        char at[32];
        std::snprintf(at, sizeof at, "2024-03-%02dT%02d:00:00Z", 10 + hour / 24, hour % 24);
        pending.push_back(Issue("r" + std::to_string(n++), store, dispute, kStatuses[status], at));
      }
    }
  }
  std::shuffle(pending.begin(), pending.end(), rng);
  size_t next = 0;
  while (next < pending.size()) {
    const size_t batch = std::uniform_int_distribution<size_t>(1, 9)(rng);
    std::vector<proto::Event> events;
    for (size_t i = 0; i < batch && next < pending.size(); ++i) events.push_back(pending[next++]);
    if (next > 3 && batch % 3 == 0) events.push_back(pending[next / 2]);  // a redelivery
    ASSERT_TRUE(store_->Append(std::move(events)));
    Process(pipeline);
    for (const std::string& key : keys) {
      auto record = store_->GetRecord(Table::kDisputes, key);
      ASSERT_TRUE(record);
      if (!record.value()) {
        EXPECT_TRUE(PendingTimersOf(*store_, key).empty()) << key;
        continue;
      }
      proto::StoredDispute stored;
      ASSERT_TRUE(stored.ParseFromString(*record.value()));
      auto dispute = FromStored(stored);
      ASSERT_TRUE(dispute) << dispute.error().message;
      ASSERT_TRUE(disputes::CheckInvariants(dispute.value())) << key;
      EXPECT_EQ(PendingTimersOf(*store_, key), WantedTimersOf(stored, key, *settings, clock_.Now()))
          << key << " in " << disputes::Name(dispute.value().state);
      EXPECT_EQ(stored.rule_set_id(),
                key.starts_with("aliexpress/old/") ? "aliexpress-legacy" : "aliexpress-2024");
    }
  }
}

// The receiver's check: t and v1 from the header, HMAC-SHA256(secret, "<t>.<body>").
bool SignatureValid(const std::string& header, const std::string& secret, const std::string& body) {
  const size_t comma = header.find(",v1=");
  if (!header.starts_with("t=") || comma == std::string::npos) return false;
  const std::string t = header.substr(2, comma - 2);
  return crypto::HexEqualsConstantTime(header.substr(comma + 4),
                                       crypto::HmacSha256Hex(secret, t + "." + body));
}

std::string JsonMember(const std::string& body, std::string_view key) {
  auto doc = JsonDocument::ParseObject(body);
  EXPECT_TRUE(doc) << body;
  if (!doc) return "";
  auto m = doc.value().root().Find(key);
  if (!m) return "<not an object>";
  if (!m.value()) return "null";
  if (m.value()->type() == JsonValue::Type::kString) return m.value()->AsString().value();
  return m.value()->Minified();
}

TEST(DisputeAlerts, AgentsHearEveryAlertTheAccountManagerTheLastAndThePassing) {
  const disputes::RuleSet& rules = *FindDisputeRuleSet("aliexpress-2024");
  disputes::Dispute d = disputes::NewDispute("i-1", "aliexpress", "shop-1", "8001",
                                             "aliexpress-2024");
  disputes::DisputeEvent opened;
  opened.event_id = "open";
  opened.kind = disputes::EventKind::kOpened;
  opened.occurred_at = At("2024-03-19T10:00:00Z");
  opened.actor = disputes::Party::kBuyer;
  ASSERT_TRUE(disputes::Apply(d, opened, rules));
  const auto deadlines = disputes::OpenDeadlines(d, rules);
  ASSERT_EQ(deadlines[0].name, "seller_response");
  const DisputeSettings::Webhooks hooks{"https://agents.example/h", "https://am.example/h",
                                        "k3y"};
  const TimePoint now = At("2024-03-24T06:00:00Z");

  DisputeAlertNotice notice{"aliexpress/shop-1/i-1", &d, deadlines[0], hours(4), true};
  auto entries = DisputeAlertWebhooks(notice, hooks, now);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].url(), "https://agents.example/h");
  EXPECT_EQ(entries[1].url(), "https://am.example/h");
  EXPECT_EQ(entries[0].idempotency_key(),
            "dispute-alert/aliexpress/shop-1/i-1/seller_response/1711274400000/14400/agents");
  EXPECT_EQ(entries[1].idempotency_key(),
            "dispute-alert/aliexpress/shop-1/i-1/seller_response/1711274400000/14400/"
            "account_manager");
  const proto::OutboxEntry& e = entries[0];
  EXPECT_EQ(e.kind(), "webhook");
  EXPECT_TRUE(e.marketplace().empty());
  EXPECT_EQ(e.store_id(), "shop-1");
  ASSERT_EQ(e.headers_size(), 3);
  EXPECT_EQ(e.headers(0).value(), "application/json");
  EXPECT_EQ(e.headers(1).value(), "dispute_alert");
  EXPECT_EQ(e.headers(2).name(), "X-Csgw-Signature");
  EXPECT_TRUE(e.headers(2).value().starts_with("t=1711260000,v1="));
  EXPECT_TRUE(SignatureValid(e.headers(2).value(), "k3y", e.body()));
  EXPECT_FALSE(SignatureValid(e.headers(2).value(), "other", e.body()));
  EXPECT_FALSE(SignatureValid(e.headers(2).value(), "k3y", e.body() + " "));
  EXPECT_EQ(e.body(),
            R"({"type":"dispute_alert","level":"agents","dispute":"aliexpress/shop-1/i-1",)"
            R"("marketplace":"aliexpress","store_id":"shop-1","dispute_id":"i-1",)"
            R"("order_id":"8001","state":"awaiting_seller_response",)"
            R"("deadline":"seller_response","actor":"seller",)"
            R"("on_expiry":"buyer_proposal_executes","due":"2024-03-24T10:00:00.000Z",)"
            R"("before_seconds":14400,"raised_at":"2024-03-24T06:00:00.000Z"})");
  EXPECT_EQ(JsonMember(entries[1].body(), "level"), "account_manager");

  notice.before = hours(48);
  notice.last = false;
  EXPECT_EQ(DisputeAlertWebhooks(notice, hooks, now).size(), 1u);  // agents only

  notice.before.reset();  // the deadline passed unanswered
  entries = DisputeAlertWebhooks(notice, hooks, now);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(JsonMember(entries[1].body(), "type"), "dispute_deadline_passed");
  EXPECT_EQ(JsonMember(entries[1].body(), "before_seconds"), "null");
  EXPECT_TRUE(entries[1].idempotency_key().ends_with("/passed/account_manager"));

  // The buyer's own deadline (return not shipped) concerns the agents only.
  disputes::Deadline buyers = deadlines[0];
  buyers.actor = disputes::Party::kBuyer;
  DisputeAlertNotice buyer_notice{"aliexpress/shop-1/i-1", &d, buyers, hours(4), true};
  EXPECT_EQ(DisputeAlertWebhooks(buyer_notice, hooks, now).size(), 1u);
  // No agents URL: the account manager alone.
  EXPECT_EQ(DisputeAlertWebhooks(notice, {"", "https://am.example/h", "k3y"}, now).size(), 1u);
}

// The whole path: the pipeline schedules the alerts, the timer runner fires them, the outbox
// delivers the signed webhooks to a real HTTP server on loopback, each exactly once.
TEST_F(DisputesFlowTest, AlertsAndThePassedDeadlineReachTheWebhooksSignedAndOnce) {
  auto mock = csgw::testing::MockMarketplace::Start();
  ASSERT_TRUE(mock) << mock.error().message;
  setenv("CSGW_DISPUTES_FLOW_HOOK_SECRET", "hook-secret-1", 1);
  const auto settings = Settings(
      R"({"disputes":{"stores":[{"store_id":"shop-1","alerts_before":["48h","4h"],)"
      R"("agents_webhook_url":")" + mock.value()->BaseUrl() + R"(/agents",)"
      R"("escalation_webhook_url":")" + mock.value()->BaseUrl() + R"(/am",)"
      R"("signing_secret":{"env":"CSGW_DISPUTES_FLOW_HOOK_SECRET"}}]}})");
  outbound::HttpClientOptions client_options;
  client_options.default_timeout = std::chrono::milliseconds(5'000);
  auto client = outbound::HttpClient::Create(client_options);
  ASSERT_TRUE(client) << client.error().message;
  Outbox outbox(*store_, clock_, *client.value(), nullptr, OutboxOptions(), nullptr,
                outbound::MakeUniformRandom(3));
  ASSERT_TRUE(outbox.Start());
  Pipeline pipeline(*store_, drafter_, templates_, clock_);
  pipeline.SetDisputes(settings);
  ASSERT_TRUE(store_->Append(
      {Issue("e1", "shop-1", "i-1", "WAIT_SELLER_CONFIRM_REFUND", "2024-03-19T10:00:00Z")}));
  Process(pipeline);
  DisputeTimerHandler handler(*store_, settings, &outbox);
  TimerRunner runner(*store_, clock_);
  runner.Handle("dispute_deadline", handler);
  runner.Handle("dispute_alert", handler);
  runner.Handle(kSendTimerKind, outbox);

  // Fires what is due (the webhook sends are due at once) until `n` requests have arrived.
  auto deliver = [&](size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (mock.value()->RequestCount() < n && std::chrono::steady_clock::now() < deadline) {
      ASSERT_TRUE(runner.FireDue(100));
      mock.value()->WaitForRequests(n, std::chrono::steady_clock::now() +
                                           std::chrono::milliseconds(50));
    }
    ASSERT_EQ(mock.value()->RequestCount(), n);
  };
  clock_.Set(At("2024-03-22T10:00:00Z"));  // T-48h of the seller's deadline
  deliver(1);
  Process(pipeline);
  clock_.Set(At("2024-03-24T06:00:00Z"));  // T-4h: the last alert, escalated
  deliver(3);
  Process(pipeline);
  clock_.Set(At("2024-03-24T10:00:00Z"));  // the seller's deadline passes; the platform's T-48h
  deliver(6);
  Process(pipeline);  // applies the timeout: the platform's deadline and alerts go

  std::multiset<std::string> seen;
  for (const auto& r : mock.value()->Requests()) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.Header("content-type"), "application/json");
    EXPECT_TRUE(SignatureValid(r.Header("x-csgw-signature"), "hook-secret-1", r.body)) << r.body;
    EXPECT_EQ(JsonMember(r.body, "dispute"), "aliexpress/shop-1/i-1");
    seen.insert(r.path + " " + JsonMember(r.body, "type") + " " + JsonMember(r.body, "deadline") +
                " " + JsonMember(r.body, "before_seconds") + " " + JsonMember(r.body, "state"));
  }
  EXPECT_EQ(seen, (std::multiset<std::string>{
                      "/agents dispute_alert seller_response 172800 awaiting_seller_response",
                      "/agents dispute_alert seller_response 14400 awaiting_seller_response",
                      "/am dispute_alert seller_response 14400 awaiting_seller_response",
                      "/agents dispute_alert platform_intervention 172800 awaiting_seller_response",
                      "/agents dispute_deadline_passed seller_response null agreed",
                      "/am dispute_deadline_passed seller_response null agreed",
                  }));
  // Nothing is sent twice, however often the runner looks again.
  clock_.Set(At("2024-04-30T00:00:00Z"));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(runner.FireDue(100));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((outbox.in_flight() > 0 || outbox.Stats().sent < 6) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(outbox.in_flight(), 0u);
  EXPECT_EQ(outbox.Stats().sent, 6u);
  EXPECT_EQ(mock.value()->RequestCount(), 6u);
  auto pending = store_->DueTimers(At("2030-01-01T00:00:00Z"), 100);
  ASSERT_TRUE(pending);
  EXPECT_TRUE(pending.value().empty());
  outbox.Stop();
}

}  // namespace
}  // namespace csgw::gateway
