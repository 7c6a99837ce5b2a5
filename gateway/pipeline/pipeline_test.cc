#include "gateway/pipeline/pipeline.h"

#include <gtest/gtest.h>

#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"
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

}  // namespace
}  // namespace csgw::gateway
