// Disputes through the gateway with Config.disputes: the rule set and alert offsets each store
// chose, the buyer kept on the record, and the alerts delivered through the outbox.
#include <gtest/gtest.h>

#include "base/timestamp.h"
#include "disputes/deadlines.h"
#include "gateway/config/config.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/pipeline/dispute_settings.h"
#include "gateway/pipeline/dispute_timers.h"
#include "gateway/pipeline/disputes_records.h"
#include "gateway/pipeline/pipeline.h"
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
// proposal; the handler's rewrite of the timers (with the same settings) leaves none behind.
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

}  // namespace
}  // namespace csgw::gateway
