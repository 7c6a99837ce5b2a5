#include "gateway/pipeline/pipeline.h"

#include <gtest/gtest.h>

#include "base/timestamp.h"
#include "disputes/machine.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/pipeline/dispute_timers.h"
#include "gateway/pipeline/disputes_records.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

using csgw::testing::TempDir;

proto::Event BuyerSays(const std::string& id, const std::string& text, const std::string& buyer) {
  proto::Event e;
  e.set_event_id("msg-" + id);
  e.set_marketplace("ozon");
  e.set_store_id("shop-1");
  e.mutable_buyer()->set_id(buyer);
  e.mutable_buyer()->set_country("RU");
  e.mutable_order()->set_order_id("posting-1");
  SetTimestamp(e.mutable_occurred_at(), *ParseIsoDateTime("2024-03-20T08:00:00Z"));
  auto& m = *e.mutable_buyer_message();
  m.set_kind(proto::BuyerMessage::KIND_NEW);
  m.set_message_id(id);
  m.set_conversation_id("chat-1");
  m.set_sender(proto::SENDER_ROLE_BUYER);
  m.set_text(text);
  return e;
}

proto::Event Shipped() {
  proto::Event e;
  e.set_event_id("posting-1-shipped");
  e.set_marketplace("ozon");
  e.set_store_id("shop-1");
  e.mutable_order()->set_order_id("posting-1");
  SetTimestamp(e.mutable_occurred_at(), *ParseIsoDateTime("2024-03-08T10:00:00Z"));
  e.mutable_order_update()->set_status(proto::ORDER_STATUS_SHIPPED);
  e.mutable_order_update()->set_tracking_number("RU123456789CN");
  return e;
}

// An AliExpress issue status (legacy API words) for dispute issue-1 of order 8001.
proto::Event IssueStatus(const std::string& id, const std::string& status, const std::string& at,
                         const std::string& amount = "") {
  proto::Event e;
  e.set_event_id(id);
  e.set_marketplace("aliexpress");
  e.set_store_id("shop-1");
  e.mutable_order()->set_order_id("8001");
  SetTimestamp(e.mutable_occurred_at(), *ParseIsoDateTime(at));
  auto& d = *e.mutable_dispute_update();
  d.set_dispute_id("issue-1");
  d.set_marketplace_status(status);
  d.set_reason("Color_not_as_described@3rdIssueReason");
  if (!amount.empty()) {
    d.mutable_refund_amount()->set_amount(amount);
    d.mutable_refund_amount()->set_currency("USD");
  }
  return e;
}

constexpr char kIssueKey[] = "aliexpress/shop-1/issue-1";
constexpr char kSellerResponse[] = "dispute/aliexpress/shop-1/issue-1/seller_response";
constexpr char kPlatform[] = "dispute/aliexpress/shop-1/issue-1/platform_intervention";

TimePoint At(const char* iso) { return *ParseIsoDateTime(iso); }

class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest()
      : clock_(*ParseIsoDateTime("2024-03-20T09:00:00Z")),
        classifier_(templates::MakeRuleClassifier()),
        catalog_(templates::Catalog::Default()),
        drafter_(detector_, *classifier_, catalog_) {
    config_.mutable_default_policy()->set_store_name("Sunny Home");
    config_.mutable_default_policy()->set_agent_name("Лена");
    config_.set_max_conversation_messages(200);
    config_.set_max_conversation_drafts(50);
    Open();
  }

  void Open() {
    StoreOptions options;
    options.dir = dir_.Sub("db");
    options.sync = false;
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store).value();
  }

  proto::Conversation Conversation(const std::string& id) {
    auto record = store_->GetRecord(Table::kConversations, id);
    EXPECT_TRUE(record && record.value());
    proto::Conversation c;
    if (record && record.value()) {
      EXPECT_TRUE(c.ParseFromString(*record.value()));
    }
    return c;
  }

  proto::StoredDispute StoredIssue() {
    auto record = store_->GetRecord(Table::kDisputes, kIssueKey);
    EXPECT_TRUE(record && record.value());
    proto::StoredDispute d;
    if (record && record.value()) {
      EXPECT_TRUE(d.ParseFromString(*record.value()));
    }
    return d;
  }
  disputes::Dispute Issue() {
    auto d = FromStored(StoredIssue());
    EXPECT_TRUE(d) << d.error().message;
    return d ? d.value() : disputes::Dispute{};
  }
  // The due time of a pending timer, nullopt when there is none.
  std::optional<TimePoint> Due(const std::string& id) {
    auto timer = store_->GetTimer(id);
    EXPECT_TRUE(timer);
    if (!timer || !timer.value()) return std::nullopt;
    return FromTimestamp(timer.value()->due());
  }

  TempDir dir_;
  ManualClock clock_;
  i18n::LanguageDetector detector_;
  std::unique_ptr<templates::IntentClassifier> classifier_;
  templates::CatalogHolder catalog_;
  templates::Drafter drafter_;
  proto::TemplatesConfig config_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(PipelineTest, DraftsBuyerMessagesWithTheOrderContextAndAcknowledges) {
  ASSERT_TRUE(store_->Append({Shipped(), BuyerSays("1", "Здравствуйте! Где мой заказ?", "b1"),
                              BuyerSays("2", "спасибо!!!", "b2")}));
  Pipeline pipeline(*store_, drafter_, config_, clock_);
  auto processed = pipeline.ProcessPending(100);
  ASSERT_TRUE(processed) << processed.error().message;
  EXPECT_EQ(processed.value(), 3u);
  EXPECT_TRUE(store_->PendingWork(0, 10).value().empty());

  const proto::Conversation c = Conversation("ozon/shop-1/b1/posting-1");
  ASSERT_EQ(c.drafts_size(), 1);
  const proto::Draft& d = c.drafts(0);
  EXPECT_EQ(d.language(), "ru");
  EXPECT_EQ(d.intent(), "where_is_my_order");
  EXPECT_EQ(d.locale(), "ru-RU");
  EXPECT_EQ(d.time_zone(), "Europe/Moscow");
  EXPECT_EQ(d.source_message_id(), "1");
  EXPECT_FALSE(d.reason().empty());
  ASSERT_EQ(c.messages_size(), 1);
  EXPECT_EQ(c.messages(0).language(), "ru");

  const proto::Conversation thanks = Conversation("ozon/shop-1/b2/posting-1");
  ASSERT_EQ(thanks.drafts_size(), 1);
  EXPECT_EQ(thanks.drafts(0).intent(), "thanks");
  EXPECT_EQ(thanks.drafts(0).template_key(), "aftersale.thanks");
  EXPECT_EQ(thanks.drafts(0).state(), proto::DRAFT_STATE_AUTO_SEND);
  EXPECT_NE(thanks.drafts(0).text().find("Sunny Home"), std::string::npos);

  auto order = store_->GetRecord(Table::kOrders, "ozon/shop-1/posting-1");
  ASSERT_TRUE(order && order.value());
  proto::OrderContext context;
  ASSERT_TRUE(context.ParseFromString(*order.value()));
  EXPECT_EQ(context.tracking_number(), "RU123456789CN");
}

// A crash between drafting and acknowledging brings the work back: doing it again must not
// add a second draft or message.
TEST_F(PipelineTest, ReprocessingIsIdempotent) {
  ASSERT_TRUE(store_->Append({BuyerSays("1", "hola, tienen talla M?", "b1")}));
  Pipeline pipeline(*store_, drafter_, config_, clock_);
  ASSERT_TRUE(pipeline.ProcessPending(100));
  const proto::Conversation first = Conversation("ozon/shop-1/b1/posting-1");
  // Simulate the lost acknowledgement: the same event processed again as new work.
  auto event = store_->Get(1).value().value();
  event.set_event_id("msg-1-redelivered-by-a-bug");
  ASSERT_TRUE(store_->Append({event}));
  ASSERT_TRUE(pipeline.ProcessPending(100));
  const proto::Conversation second = Conversation("ozon/shop-1/b1/posting-1");
  EXPECT_EQ(second.messages_size(), 1);
  EXPECT_EQ(second.drafts_size(), 1);
  EXPECT_EQ(second.drafts(0).intent(), first.drafts(0).intent());
}

TEST_F(PipelineTest, ThreadDrainsTheQueueAndResumesAfterRestart) {
  {
    Pipeline pipeline(*store_, drafter_, config_, clock_);
    pipeline.Start();
    ASSERT_TRUE(store_->Append({BuyerSays("1", "hello, is this in stock?", "b1")}));
    pipeline.Notify();
    for (int i = 0; i < 200 && !store_->PendingWork(0, 1).value().empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pipeline.Stop();
  }
  EXPECT_TRUE(store_->PendingWork(0, 1).value().empty());
  // Work stored while no pipeline runs is picked up after a restart.
  ASSERT_TRUE(store_->Append({BuyerSays("2", "hello?", "b1")}));
  store_.reset();
  Open();
  Pipeline pipeline(*store_, drafter_, config_, clock_);
  ASSERT_EQ(pipeline.ProcessPending(100).value(), 1u);
  EXPECT_EQ(Conversation("ozon/shop-1/b1/posting-1").messages_size(), 2);
}

proto::Event ShippedWithEverything() {
  proto::Event e = Shipped();
  auto& u = *e.mutable_order_update();
  u.set_carrier("Почта России");
  SetTimestamp(u.mutable_delivery_from(), *ParseIsoDateTime("2024-03-25T00:00:00Z"));
  SetTimestamp(u.mutable_delivery_to(), *ParseIsoDateTime("2024-04-05T00:00:00Z"));
  auto& item = *u.add_items();
  item.set_item_id("1001");
  item.set_title("Наушники X12");
  return e;
}

TEST_F(PipelineTest, WhereIsMyOrderWithTrackingIsAnsweredAutomatically) {
  proto::Event message = BuyerSays("1", "Здравствуйте! Где мой заказ?", "b1");
  message.mutable_buyer()->set_region("Новосибирская область");
  ASSERT_TRUE(store_->Append({ShippedWithEverything(), message}));
  Pipeline pipeline(*store_, drafter_, config_, clock_);
  ASSERT_TRUE(pipeline.ProcessPending(100));
  const proto::Conversation c = Conversation("ozon/shop-1/b1/posting-1");
  ASSERT_EQ(c.drafts_size(), 1);
  const proto::Draft& d = c.drafts(0);
  EXPECT_EQ(d.time_zone(), "Asia/Novosibirsk");
  EXPECT_EQ(d.template_key(), "aftersale.where_is_order_tracking") << d.reason();
  EXPECT_EQ(d.state(), proto::DRAFT_STATE_AUTO_SEND) << d.reason();
  EXPECT_NE(d.text().find("RU123456789CN"), std::string::npos) << d.text();
  EXPECT_NE(d.text().find("Почта России"), std::string::npos) << d.text();
}

// The same message arriving again under another event id (push and poll) keeps its draft.
TEST_F(PipelineTest, ARepeatedMessageKeepsItsDraft) {
  ASSERT_TRUE(store_->Append({BuyerSays("1", "спасибо!", "b1")}));
  Pipeline pipeline(*store_, drafter_, config_, clock_);
  ASSERT_TRUE(pipeline.ProcessPending(100));
  const proto::Draft first = Conversation("ozon/shop-1/b1/posting-1").drafts(0);
  clock_.Advance(std::chrono::hours(1));
  proto::Event again = BuyerSays("1", "спасибо!", "b1");
  again.set_event_id("poll-copy-of-1");
  ASSERT_TRUE(store_->Append({again}));
  ASSERT_TRUE(pipeline.ProcessPending(100));
  const proto::Conversation c = Conversation("ozon/shop-1/b1/posting-1");
  ASSERT_EQ(c.drafts_size(), 1);
  EXPECT_EQ(c.drafts(0).source_sequence(), first.source_sequence());
  EXPECT_EQ(c.drafts(0).created_at().seconds(), first.created_at().seconds());
  EXPECT_EQ(c.messages_size(), 1);
}

TEST_F(PipelineTest, AnUnreadableRecordFailsTheBatchAndCanBeSetAside) {
  const std::vector<TableWrite> garbage = {
      {Table::kConversations, "ozon/shop-1/b1/posting-1", std::string("\xff\xff\xff", 3)}};
  ASSERT_TRUE(store_->CompleteWork({}, garbage));
  ASSERT_TRUE(store_->Append({BuyerSays("1", "где заказ", "b1"), BuyerSays("2", "hola", "b2")}));
  Pipeline pipeline(*store_, drafter_, config_, clock_);
  auto failed = pipeline.ProcessPending(100);
  ASSERT_FALSE(failed);
  EXPECT_EQ(store_->PendingWork(0, 10).value().size(), 2u);  // nothing acknowledged
  pipeline.QuarantineFirst(failed.error());
  EXPECT_EQ(store_->PendingWork(0, 10).value().size(), 1u);
  ASSERT_EQ(pipeline.ProcessPending(100).value(), 1u);  // the rest goes on
  EXPECT_EQ(Conversation("ozon/shop-1/b2/posting-1").drafts_size(), 1);
  EXPECT_TRUE(store_->Get(1).value().has_value());  // the set-aside event stays in the log
}

TEST_F(PipelineTest, SellerMessagesAreRecordedButNotDrafted) {
  proto::Event seller = BuyerSays("9", "Здравствуйте, заказ отправлен", "b1");
  seller.mutable_buyer_message()->set_sender(proto::SENDER_ROLE_SELLER);
  ASSERT_TRUE(store_->Append({seller}));
  Pipeline pipeline(*store_, drafter_, config_, clock_);
  ASSERT_TRUE(pipeline.ProcessPending(100));
  const proto::Conversation c = Conversation("ozon/shop-1/b1/posting-1");
  EXPECT_EQ(c.messages_size(), 1);
  EXPECT_EQ(c.drafts_size(), 0);
}

TEST_F(PipelineTest, ADisputeUpdateStoresTheDisputeAndSchedulesItsDeadlinesAndAlerts) {
  ASSERT_TRUE(store_->Append({Shipped(), IssueStatus("iss-1", "WAIT_SELLER_CONFIRM_REFUND",
                                                     "2024-03-19T10:00:00Z", "12.00")}));
  Pipeline pipeline(*store_, drafter_, config_, clock_);
  auto processed = pipeline.ProcessPending(100);
  ASSERT_TRUE(processed) << processed.error().message;
  EXPECT_EQ(processed.value(), 2u);
  EXPECT_TRUE(store_->PendingWork(0, 10).value().empty());

  const proto::StoredDispute stored = StoredIssue();
  EXPECT_EQ(stored.id(), "issue-1");
  EXPECT_EQ(stored.order_id(), "8001");
  EXPECT_EQ(stored.rule_set_id(), "aliexpress-2024");
  const disputes::Dispute issue = Issue();
  EXPECT_EQ(issue.state, disputes::State::kAwaitingSellerResponse);
  EXPECT_EQ(issue.opened_at, At("2024-03-19T10:00:00Z"));
  ASSERT_TRUE(disputes::CheckInvariants(issue));

  // Seller: 5 days from the buyer's change; platform: 7 days from the opening. Each with alerts
  // at T-48h, T-24h and T-4h.
  EXPECT_EQ(stored.timers_size(), 8);
  EXPECT_EQ(Due(kSellerResponse), At("2024-03-24T10:00:00Z"));
  EXPECT_EQ(Due(kPlatform), At("2024-03-26T10:00:00Z"));
  EXPECT_EQ(Due(std::string(kSellerResponse) + "/alert/172800"), At("2024-03-22T10:00:00Z"));
  EXPECT_EQ(Due(std::string(kSellerResponse) + "/alert/14400"), At("2024-03-24T06:00:00Z"));
  auto timer = store_->GetTimer(kSellerResponse).value().value();
  EXPECT_EQ(timer.kind(), "dispute_deadline");
  EXPECT_EQ(timer.subject(), kIssueKey);
  proto::DisputeTimerPayload payload;
  ASSERT_TRUE(payload.ParseFromString(timer.payload()));
  EXPECT_EQ(payload.dispute_key(), kIssueKey);
  EXPECT_EQ(payload.deadline(), "seller_response");
  EXPECT_EQ(payload.on_expiry(), "buyer_proposal_executes");
  EXPECT_EQ(FromTimestamp(payload.due_at()), At("2024-03-24T10:00:00Z"));
  // What a runner does with it: the timeout the machine accepts.
  const disputes::RuleSet* rules = FindDisputeRuleSet(stored.rule_set_id());
  ASSERT_NE(rules, nullptr);
  disputes::Dispute expired = issue;
  const auto deadlines = disputes::OpenDeadlines(issue, *rules);
  ASSERT_FALSE(deadlines.empty());
  EXPECT_EQ(deadlines.front().name, payload.deadline());
  ASSERT_TRUE(disputes::Apply(expired, disputes::TimeoutEvent(issue, deadlines.front()), *rules));
  EXPECT_EQ(expired.state, disputes::State::kAgreed);

  auto due = store_->DueTimers(At("2024-03-22T10:00:00Z"), 100);
  ASSERT_TRUE(due);
  ASSERT_EQ(due.value().size(), 1u);
  EXPECT_EQ(due.value()[0].kind(), "dispute_alert");
  EXPECT_EQ(due.value()[0].id(), std::string(kSellerResponse) + "/alert/172800");
}

TEST_F(PipelineTest, LaterDisputeEventsMoveTheStateAndCancelOrMoveTimers) {
  Pipeline pipeline(*store_, drafter_, config_, clock_);
  ASSERT_TRUE(store_->Append(
      {IssueStatus("iss-1", "WAIT_SELLER_CONFIRM_REFUND", "2024-03-19T10:00:00Z", "12.00")}));
  ASSERT_TRUE(pipeline.ProcessPending(100));

  // The seller countered: its deadline and alerts go, the platform's stays where it was.
  ASSERT_TRUE(
      store_->Append({IssueStatus("iss-2", "SELLER_REFUSE_REFUND", "2024-03-20T08:00:00Z")}));
  ASSERT_TRUE(pipeline.ProcessPending(100));
  EXPECT_EQ(Issue().state, disputes::State::kNegotiating);
  EXPECT_EQ(Due(kSellerResponse), std::nullopt);
  EXPECT_EQ(Due(std::string(kSellerResponse) + "/alert/172800"), std::nullopt);
  EXPECT_EQ(Due(kPlatform), At("2024-03-26T10:00:00Z"));
  EXPECT_EQ(StoredIssue().timers_size(), 4);

  // The buyer changed the proposal: the seller's 5 days start again, from the change.
  ASSERT_TRUE(store_->Append(
      {IssueStatus("iss-3", "WAIT_SELLER_CONFIRM_REFUND", "2024-03-21T10:00:00Z", "9.00")}));
  ASSERT_TRUE(pipeline.ProcessPending(100));
  EXPECT_EQ(Issue().state, disputes::State::kAwaitingSellerResponse);
  EXPECT_EQ(Due(kSellerResponse), At("2024-03-26T10:00:00Z"));
  EXPECT_EQ(Due(std::string(kSellerResponse) + "/alert/86400"), At("2024-03-25T10:00:00Z"));

  // An event the machine refuses where it sorts is kept in the history, not applied.
  ASSERT_TRUE(store_->Append(
      {IssueStatus("iss-4", "canceled_issue", "2024-03-21T11:00:00Z"),
       IssueStatus("iss-5", "SELLER_RESPONSE_ISSUE_TIMEOUT", "2024-03-21T12:00:00Z")}));
  ASSERT_TRUE(pipeline.ProcessPending(100));
  const disputes::Dispute issue = Issue();
  EXPECT_EQ(issue.state, disputes::State::kCancelled);
  EXPECT_FALSE(issue.history.back().applied);
  EXPECT_EQ(issue.history.back().event.kind, disputes::EventKind::kAgreed);
  // Closed: nothing runs any more.
  EXPECT_EQ(Due(kSellerResponse), std::nullopt);
  EXPECT_EQ(Due(kPlatform), std::nullopt);
  EXPECT_EQ(StoredIssue().timers_size(), 0);
  auto due = store_->DueTimers(At("2030-01-01T00:00:00Z"), 100);
  ASSERT_TRUE(due);
  EXPECT_TRUE(due.value().empty());
}

// The runner fires the dispute's timers as time passes and hands each to the pipeline as an
// event: alerts are recorded on the dispute, the seller's deadline expiring executes the buyer's
// proposal, and the dispute's other timers are rewritten in the pipeline's batch.
TEST_F(PipelineTest, DisputeTimersFireAlertsThenTheSellerTimeout) {
  ASSERT_TRUE(store_->Append({Shipped(), IssueStatus("iss-1", "WAIT_SELLER_CONFIRM_REFUND",
                                                     "2024-03-19T10:00:00Z", "12.00")}));
  Pipeline pipeline(*store_, drafter_, config_, clock_);
  ASSERT_TRUE(pipeline.ProcessPending(100));
  DisputeTimerHandler handler(*store_);
  TimerRunner runner(*store_, clock_);
  runner.Handle("dispute_deadline", handler);
  runner.Handle("dispute_alert", handler);

  clock_.Set(At("2024-03-19T12:00:00Z"));
  EXPECT_EQ(runner.FireDue(100).value(), 0u);  // nothing due yet

  clock_.Set(At("2024-03-23T10:30:00Z"));  // past T-48h and T-24h of the seller's deadline
  EXPECT_EQ(runner.FireDue(100).value(), 2u);
  ASSERT_TRUE(pipeline.ProcessPending(100));
  proto::StoredDispute stored = StoredIssue();
  ASSERT_EQ(stored.alerts_size(), 2);
  EXPECT_EQ(stored.alerts(0).deadline(), "seller_response");
  EXPECT_EQ(stored.alerts(0).before_seconds(), 172800);
  EXPECT_EQ(stored.alerts(1).before_seconds(), 86400);
  EXPECT_EQ(Issue().state, disputes::State::kAwaitingSellerResponse);
  EXPECT_EQ(runner.FireDue(100).value(), 0u);  // each fires once

  // The seller's T-4h alert and deadline, and the platform deadline's T-48h alert (due the same
  // instant as the seller's deadline).
  clock_.Set(At("2024-03-24T10:00:00Z"));
  EXPECT_EQ(runner.FireDue(100).value(), 3u);
  ASSERT_TRUE(pipeline.ProcessPending(100));
  EXPECT_EQ(StoredIssue().alerts_size(), 4);
  const disputes::Dispute expired = Issue();
  EXPECT_EQ(expired.state, disputes::State::kAgreed);
  EXPECT_TRUE(disputes::CheckInvariants(expired));
  EXPECT_EQ(Due(kSellerResponse), std::nullopt);
  // Nothing left that belongs to the expired seller deadline.
  const auto later = store_->DueTimers(At("2030-01-01T00:00:00Z"), 100);
  ASSERT_TRUE(later);
  for (const auto& timer : later.value()) {
    EXPECT_EQ(timer.id().find("seller_response"), std::string::npos) << timer.id();
  }
}

TEST_F(PipelineTest, ARepeatedDisputeEventChangesNothing) {
  Pipeline pipeline(*store_, drafter_, config_, clock_);
  const proto::Event opened =
      IssueStatus("iss-1", "WAIT_SELLER_CONFIRM_REFUND", "2024-03-19T10:00:00Z", "12.00");
  ASSERT_TRUE(store_->Append({opened}));
  ASSERT_TRUE(pipeline.ProcessPending(100));
  const proto::StoredDispute first = StoredIssue();
  const auto first_timer = store_->GetTimer(kSellerResponse).value().value();

  // The same event again: the store drops it, there is nothing to process.
  auto again = store_->Append({opened});
  ASSERT_TRUE(again);
  EXPECT_TRUE(again.value()[0].duplicate);
  EXPECT_EQ(pipeline.ProcessPending(100).value(), 0u);

  // The first alert fired (the runner's batch); then the same snapshot comes again under another
  // event id (a push and a poll). The state, the deadlines and the timers stay as they were: the
  // fired alert is not scheduled again and pending timers are not rewritten.
  StateBatch fire;
  fire.fired = {std::string(kSellerResponse) + "/alert/172800"};
  ASSERT_TRUE(store_->Commit(fire));
  clock_.Advance(std::chrono::hours(1));
  proto::Event polled = opened;
  polled.set_event_id("iss-1-polled");
  ASSERT_TRUE(store_->Append({polled}));
  ASSERT_TRUE(pipeline.ProcessPending(100));
  const proto::StoredDispute second = StoredIssue();
  EXPECT_EQ(Issue().state, disputes::State::kAwaitingSellerResponse);
  EXPECT_EQ(second.timers_size(), first.timers_size());
  EXPECT_EQ(Due(std::string(kSellerResponse) + "/alert/172800"), std::nullopt);
  const auto second_timer = store_->GetTimer(kSellerResponse).value().value();
  EXPECT_EQ(second_timer.SerializeAsString(), first_timer.SerializeAsString());
}

TEST(DisputeRecords, EventsAndDisputesRoundTrip) {
  disputes::DisputeEvent e;
  e.event_id = "ev-1#0:closed";
  e.kind = disputes::EventKind::kClosed;
  e.occurred_at = At("2024-03-19T10:00:00Z") + std::chrono::nanoseconds(123456789);
  e.sequence = 7;
  e.step = 2;
  e.implied = true;
  e.actor = disputes::Party::kPlatform;
  e.solution = disputes::Solution::kReturnAndRefund;
  e.amount = disputes::Money{"12.50", "USD"};
  e.proposal_id = "p-1";
  e.agreement = disputes::Agreement::kSellerTimeout;
  e.accepted_by = disputes::Party::kBuyer;
  e.responsibility = disputes::Responsibility::kNeither;
  e.refund = disputes::Refund::kPartial;
  e.deadline = "return_shipment";
  e.evidence = disputes::Evidence::kVideo;
  e.reason = disputes::Reason::kQuantityShort;
  e.after_sales_protection = false;
  e.marketplace_status = "finish";
  auto back = FromStored(ToStored(e));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back.value(), e);
  EXPECT_EQ(FromStored(ToStored(disputes::DisputeEvent{})).value(), disputes::DisputeEvent{});

  proto::StoredDisputeEvent bad = ToStored(e);
  bad.set_kind("exploded");
  auto refused = FromStored(bad);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("exploded"), std::string::npos);

  proto::StoredDispute unknown_rules;
  unknown_rules.set_rule_set_id("no-such-rules");
  EXPECT_FALSE(FromStored(unknown_rules));
  EXPECT_EQ(DefaultRuleSetId("aliexpress"), "aliexpress-2024");
  ASSERT_NE(FindDisputeRuleSet(DefaultRuleSetId("ebay")), nullptr);
  EXPECT_TRUE(FindDisputeRuleSet("ebay-none")->deadlines.empty());
  EXPECT_EQ(FindDisputeRuleSet("-none"), nullptr);
}

}  // namespace
}  // namespace csgw::gateway
