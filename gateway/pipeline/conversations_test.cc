#include "gateway/pipeline/conversations.h"

#include <gtest/gtest.h>

#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"

namespace csgw::gateway {
namespace {

proto::Event Message(const std::string& id, const std::string& text, const char* at) {
  proto::Event e;
  e.set_event_id("m-" + id);
  e.set_marketplace("aliexpress");
  e.set_store_id("shop-1");
  e.mutable_buyer()->set_id("buyer-7");
  e.mutable_buyer()->set_country("MX");
  e.mutable_order()->set_order_id("81234");
  SetTimestamp(e.mutable_occurred_at(), *ParseIsoDateTime(at));
  auto& m = *e.mutable_buyer_message();
  m.set_kind(proto::BuyerMessage::KIND_NEW);
  m.set_message_id(id);
  m.set_conversation_id("chat-9");
  m.set_sender(proto::SENDER_ROLE_BUYER);
  m.set_text(text);
  return e;
}

proto::Event OrderEvent(proto::OrderStatus status, const char* at, const std::string& tracking) {
  proto::Event e;
  e.set_marketplace("aliexpress");
  e.set_store_id("shop-1");
  e.mutable_order()->set_order_id("81234");
  SetTimestamp(e.mutable_occurred_at(), *ParseIsoDateTime(at));
  e.mutable_order_update()->set_status(status);
  e.mutable_order_update()->set_tracking_number(tracking);
  return e;
}

TEST(Conversations, Ids) {
  proto::Event e = Message("1", "hola", "2024-07-01T12:00:00Z");
  EXPECT_EQ(ConversationId(e), "aliexpress/shop-1/buyer-7/81234");
  EXPECT_EQ(OrderRecordKey(e), "aliexpress/shop-1/81234");
  e.mutable_buyer()->clear_id();
  e.mutable_order()->clear_order_id();
  EXPECT_EQ(ConversationId(e), "aliexpress/shop-1/chat:chat-9");
  EXPECT_EQ(OrderRecordKey(e), "");
  e.mutable_buyer_message()->clear_conversation_id();
  EXPECT_EQ(ConversationId(e), "");
}

TEST(Conversations, OrderUpdatesApplyInEventTimeOrder) {
  proto::OrderContext order;
  ApplyOrderUpdate(OrderEvent(proto::ORDER_STATUS_SHIPPED, "2024-07-02T00:00:00Z", "LP1"), order);
  // An older "paid" arriving late must not move the order back to not shipped.
  ApplyOrderUpdate(OrderEvent(proto::ORDER_STATUS_PAID, "2024-07-01T00:00:00Z", ""), order);
  EXPECT_EQ(order.status(), proto::ORDER_STATUS_SHIPPED);
  EXPECT_EQ(order.tracking_number(), "LP1");
  EXPECT_EQ(FormatIsoMillis(FromTimestamp(order.shipped_at())), "2024-07-02T00:00:00.000Z");
  ApplyOrderUpdate(OrderEvent(proto::ORDER_STATUS_DELIVERED, "2024-07-09T00:00:00Z", ""), order);
  EXPECT_EQ(order.status(), proto::ORDER_STATUS_DELIVERED);
  EXPECT_EQ(order.tracking_number(), "LP1");  // kept: the update did not carry one
}

TEST(Conversations, MessagesOnceAndBounded) {
  proto::Conversation c;
  EXPECT_TRUE(RecordMessage(Message("1", "hola", "2024-07-01T12:00:00Z"), 1, "es", 3, c));
  EXPECT_FALSE(RecordMessage(Message("1", "hola", "2024-07-01T12:00:00Z"), 1, "es", 3, c));
  for (int i = 2; i <= 5; ++i) {
    RecordMessage(Message(std::to_string(i), "x", "2024-07-01T12:00:00Z"), i, "es", 3, c);
  }
  ASSERT_EQ(c.messages_size(), 3);
  EXPECT_EQ(c.messages(0).message_id(), "3");
  EXPECT_EQ(c.id(), "aliexpress/shop-1/buyer-7/81234");
  EXPECT_EQ(c.marketplace_conversation_id(), "chat-9");
  EXPECT_EQ(HistoryLanguages(c), (std::vector<std::string>{"es", "es", "es"}));
}

TEST(Conversations, DraftRequestCarriesOrderContext) {
  proto::Conversation c;
  const proto::Event e = Message("1", "donde esta mi pedido", "2024-07-10T12:00:00Z");
  RecordMessage(e, 1, "es", 10, c);
  proto::OrderContext order;
  ApplyOrderUpdate(OrderEvent(proto::ORDER_STATUS_SHIPPED, "2024-07-02T00:00:00Z", "LP1"), order);
  const auto request = MakeDraftRequest(e, c, &order, *ParseIsoDateTime("2024-07-10T12:00:00Z"));
  EXPECT_EQ(request.text, "donde esta mi pedido");
  EXPECT_EQ(request.buyer_country, "MX");
  EXPECT_EQ(request.order.state, "shipped");
  EXPECT_EQ(request.order.tracking_number, "LP1");
  ASSERT_TRUE(request.order.shipped_at);
  EXPECT_EQ(request.history_languages, (std::vector<std::string>{"es"}));
}

TEST(Conversations, ReprocessingReplacesTheDraft) {
  proto::Conversation c;
  const proto::Event e = Message("1", "gracias", "2024-07-10T12:00:00Z");
  templates::Draft draft;
  draft.text = "¡Gracias a usted!";
  draft.intent.intent = "thanks";
  draft.auto_send = true;
  const TimePoint now = *ParseIsoDateTime("2024-07-10T12:00:05Z");
  StoreDraft(draft, e, 1, now, 10, c);
  const proto::Draft again = StoreDraft(draft, e, 1, now, 10, c);
  ASSERT_EQ(c.drafts_size(), 1);
  EXPECT_EQ(again.state(), proto::DRAFT_STATE_AUTO_SEND);
  draft.text.clear();
  EXPECT_EQ(StoreDraft(draft, Message("2", "?", "2024-07-10T12:01:00Z"), 2, now, 10, c).state(),
            proto::DRAFT_STATE_NEEDS_AGENT);
  EXPECT_EQ(c.drafts_size(), 2);
}

TEST(Conversations, PolicyFromConfig) {
  proto::TemplatesConfig config;
  config.mutable_default_policy()->set_store_name("Default");
  auto& shop = *config.add_stores();
  shop.set_store_id("shop-1");
  shop.set_store_name("Sunny");
  shop.add_auto_send_intents("none");
  shop.set_informal(true);
  (*shop.mutable_intent_templates())["greeting"] = "presale.greeting_no_name";
  const auto policy = PolicyFor(config, "shop-1");
  EXPECT_EQ(policy.store_name, "Sunny");
  EXPECT_TRUE(policy.auto_send_intents.empty());
  EXPECT_FALSE(policy.formal);
  EXPECT_EQ(policy.intent_templates.at("greeting"), "presale.greeting_no_name");
  const auto other = PolicyFor(config, "shop-2");
  EXPECT_EQ(other.store_name, "Default");
  EXPECT_TRUE(other.auto_send_intents.count("greeting"));
  EXPECT_DOUBLE_EQ(other.min_auto_confidence, 0.8);
}

}  // namespace
}  // namespace csgw::gateway
