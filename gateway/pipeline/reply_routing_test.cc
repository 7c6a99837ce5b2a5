// Where a reply goes, end to end: events in (the Wildberries pollers' own output from the
// official examples, canonical events for Mercado Libre and eBay) through the real pipeline,
// the outbox entry an agent's reply or an approved draft becomes (its message kind and reply
// credential), and the request the marketplace's send builder makes, received by the loopback
// mock marketplace.
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "base/json.h"
#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/marketplaces/send.h"
#include "gateway/marketplaces/wildberries_poll.h"
#include "gateway/outbound/outbox.h"
#include "gateway/pipeline/pipeline.h"
#include "gateway/pipeline/reply_flow.h"
#include "gateway/schedule/timer_runner.h"
#include "tests/support/fixtures.h"
#include "tests/support/mock_marketplace.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

constexpr auto kWait = std::chrono::seconds(10);
constexpr char kWbStore[] = "wb-main";
constexpr char kMlStore[] = "415458330";
constexpr char kEbayStore[] = "ebay-seller-42";
// The first event of the official example's new chat carries it.
constexpr char kReplySign[] =
    "1:1e265a58-a120-b178-008c-60af2460207c:66f136e919a8207e136757754f253189bfb9ae1ad9da9170c9d5c"
    "478626663908888c370216525bef51c0ca8d77952e05c9c17f9b63ab00374c5555b42efc07d";

TimePoint At(const char* iso) { return *ParseIsoDateTime(iso); }

std::string Fixture(const std::string& name) {
  return testing::ReadFileOrDie(testing::FixturesDir() + "/wildberries/" + name);
}

// The Wildberries feed `name` of the test account, as the poller runs it.
std::vector<proto::Event> Polled(std::string_view name, const std::string& fixture) {
  Account account;
  account.marketplace = "wildberries";
  account.store_id = kWbStore;
  account.access_token = "wb-api-token";
  for (auto& feed : WildberriesFeeds(account, WildberriesPollOptions{})) {
    if (feed->Feed() != name) continue;
    outbound::HttpResponse response;
    response.status = 200;
    response.body = Fixture(fixture);
    auto page = feed->ParsePoll("", response, At("2024-03-15T12:00:00Z"));
    EXPECT_TRUE(page) << page.error().message;
    return page ? page.value().events : std::vector<proto::Event>();
  }
  ADD_FAILURE() << "no feed " << name;
  return {};
}

// A canonical buyer message, as a relay posts it to /v1/events.
proto::Event Message(const std::string& marketplace, const std::string& store,
                     const std::string& id, const std::string& channel,
                     const std::string& thread, const std::string& text, const char* at) {
  proto::Event e;
  e.set_event_id("msg-" + id);
  e.set_marketplace(marketplace);
  e.set_store_id(store);
  e.mutable_buyer()->set_id(marketplace == "ebay" ? "jane_buyer" : "88001234");
  e.mutable_order()->set_order_id(marketplace == "ebay" ? "27-10001-20002" : "2000001");
  SetTimestamp(e.mutable_occurred_at(), At(at));
  SetTimestamp(e.mutable_received_at(), At(at));
  auto& m = *e.mutable_buyer_message();
  m.set_kind(proto::BuyerMessage::KIND_NEW);
  m.set_message_id(id);
  m.set_conversation_id(thread);
  m.set_channel(channel);
  m.set_sender(proto::SENDER_ROLE_BUYER);
  m.set_text(text);
  return e;
}

class ReplyFlowRoutingTest : public ::testing::Test {
 protected:
  ReplyFlowRoutingTest()
      : clock_(At("2024-03-15T12:00:00Z")),
        classifier_(templates::MakeRuleClassifier()),
        catalog_(templates::Catalog::Default()),
        drafter_(detector_, *classifier_, catalog_) {}

  void SetUp() override {
    auto mock = testing::MockMarketplace::Start();
    ASSERT_TRUE(mock) << mock.error().message;
    mock_ = std::move(mock).value();
    testing::RespondLikeMarketplaces(*mock_);
    mock_->Respond("PATCH", "/api/v1/questions", 200,
                   R"({"data":null,"error":false,"errorText":"","additionalErrors":null})");

    setenv("CSGW_ROUTING_TEST_WB", "wb-api-token", 1);
    setenv("CSGW_ROUTING_TEST_ML", "APP_USR-ml-token", 1);
    setenv("CSGW_ROUTING_TEST_EBAY", "v^1.1#ebay-user-token", 1);
    proto::Config config;
    auto add = [&](const char* marketplace, const char* store, const char* env) {
      auto* a = config.add_accounts();
      a->set_marketplace(marketplace);
      a->set_store_id(store);
      a->set_api_base_url(mock_->BaseUrl());
      a->mutable_access_token()->set_env(env);
      return a;
    };
    add("wildberries", kWbStore, "CSGW_ROUTING_TEST_WB");
    add("mercadolibre", kMlStore, "CSGW_ROUTING_TEST_ML")->set_site("MLB");
    add("ebay", kEbayStore, "CSGW_ROUTING_TEST_EBAY")->set_site("EBAY_US");
    auto senders = SenderRegistry::Build(config, clock_);
    ASSERT_TRUE(senders) << senders.error().message;
    senders_ = std::move(senders).value();

    StoreOptions options;
    options.dir = dir_.Sub("db");
    options.sync = false;
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store).value();
    outbound::HttpClientOptions client_options;
    client_options.default_timeout = std::chrono::milliseconds(2'000);
    auto client = outbound::HttpClient::Create(client_options);
    ASSERT_TRUE(client) << client.error().message;
    client_ = std::move(client).value();
    OutboxOptions outbox_options;
    outbox_options.attempt_timeout = std::chrono::milliseconds(2'000);
    outbox_ = std::make_unique<Outbox>(*store_, clock_, *client_, senders_.get(), outbox_options,
                                       nullptr, outbound::MakeUniformRandom(7));
    ASSERT_TRUE(outbox_->Start());
    runner_ = std::make_unique<TimerRunner>(*store_, clock_);
    runner_->Handle(kSendTimerKind, *outbox_);

    // Every draft waits for an agent: the sends below are the agents'.
    templates_.mutable_default_policy()->add_auto_send_intents("none");
    templates_.set_max_conversation_messages(200);
    templates_.set_max_conversation_drafts(50);
    pipeline_ = std::make_unique<Pipeline>(*store_, drafter_, templates_, clock_);
    pipeline_->SetReplyFlow({&policy_, outbox_.get(), {}, {}});
  }

  void TearDown() override {
    runner_.reset();
    if (outbox_) outbox_->Stop();
  }

  void Feed(std::vector<proto::Event> events) {
    ASSERT_TRUE(store_->Append(std::move(events)));
    auto processed = pipeline_->ProcessPending(1000);
    ASSERT_TRUE(processed) << processed.error().message;
  }

  proto::Conversation Conversation(const std::string& id) {
    auto bytes = store_->GetRecord(Table::kConversations, id);
    EXPECT_TRUE(bytes && bytes.value()) << id;
    proto::Conversation c;
    if (bytes && bytes.value()) {
      EXPECT_TRUE(c.ParseFromString(*bytes.value()));
    }
    return c;
  }

  // Enqueues `entry`, fires its send and returns the request the marketplace received.
  testing::RecordedRequest Send(proto::OutboxEntry entry) {
    mock_->ClearRequests();
    auto stored = outbox_->EnqueueNow(std::move(entry), clock_.Now());
    EXPECT_TRUE(stored) << stored.error().message;
    if (!stored) return {};
    auto fired = runner_->FireDue(100);
    EXPECT_TRUE(fired) << fired.error().message;
    EXPECT_TRUE(mock_->WaitForRequests(1, std::chrono::steady_clock::now() + kWait));
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (outbox_->in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    auto sent = outbox_->Get(stored.value().id());
    EXPECT_TRUE(sent && sent.value());
    if (sent && sent.value()) {
      EXPECT_EQ(sent.value()->state(), proto::OUTBOX_STATE_SENT)
          << (sent.value()->attempts().empty() ? "" : sent.value()->attempts(0).reason());
    }
    auto requests = mock_->Requests();
    EXPECT_EQ(requests.size(), 1u);
    return requests.empty() ? testing::RecordedRequest() : requests.back();
  }

  testing::TempDir dir_;
  ManualClock clock_;
  i18n::LanguageDetector detector_;
  std::unique_ptr<templates::IntentClassifier> classifier_;
  templates::CatalogHolder catalog_;
  templates::Drafter drafter_;
  proto::TemplatesConfig templates_;
  schedule::SchedulePolicy policy_;
  std::unique_ptr<testing::MockMarketplace> mock_;
  std::unique_ptr<SenderRegistry> senders_;
  std::unique_ptr<outbound::HttpClient> client_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<TimerRunner> runner_;
  std::unique_ptr<Pipeline> pipeline_;
};

TEST_F(ReplyFlowRoutingTest, AWildberriesChatIsAnsweredWithTheReplySignOfItsFirstEvent) {
  std::vector<proto::Event> chat = Polled("chat", "buyer_chat.events.response.json");
  ASSERT_EQ(chat.size(), 4u);
  ASSERT_TRUE(WildberriesReplySign(chat[0]));
  ASSERT_FALSE(WildberriesReplySign(chat[1]));
  // The sign's event first, the rest of the chat in a later batch: nothing without a sign
  // clears it.
  Feed({chat[0]});
  const std::string id = "wildberries/wb-main/186132";
  EXPECT_EQ(Conversation(id).reply_token(), kReplySign);
  Feed({chat[1], chat[2], chat[3]});
  proto::Conversation c = Conversation(id);
  EXPECT_EQ(c.reply_token(), kReplySign);
  EXPECT_EQ(c.channel(), "buyer_chat");
  EXPECT_EQ(c.marketplace_conversation_id(), "1:1e265a58-a120-b178-008c-60af2460207c");

  ASSERT_FALSE(c.drafts().empty());
  const proto::OutboxEntry draft = DraftReplyEntry(c, c.drafts(0), "", "agent:ana");
  EXPECT_EQ(draft.reply_token(), kReplySign);
  EXPECT_EQ(draft.message_kind(), "reply");

  proto::OutboxEntry entry =
      AgentReplyEntry(c, "Здравствуйте! Оформили возврат, новый цвет отправим сегодня.",
                      "agent:ana", "k-1");
  EXPECT_EQ(entry.reply_token(), kReplySign);
  EXPECT_EQ(entry.message_kind(), "reply");
  const testing::RecordedRequest sent = Send(entry);
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.path, "/api/v1/seller/message");
  EXPECT_EQ(sent.Header("authorization"), "wb-api-token");
  EXPECT_NE(sent.body.find("name=\"replySign\"\r\n\r\n" + std::string(kReplySign) + "\r\n"),
            std::string::npos)
      << sent.body;
  EXPECT_NE(sent.body.find("новый цвет"), std::string::npos);
}

TEST_F(ReplyFlowRoutingTest, AReplySignLearnedLateIsKeptAndANewOneReplacesIt) {
  std::vector<proto::Event> chat = Polled("chat", "buyer_chat.events.response.json");
  ASSERT_EQ(chat.size(), 4u);
  // The sign's event arrives after the others (a re-read page): the conversation still learns it.
  Feed({chat[1], chat[2]});
  const std::string id = "wildberries/wb-main/186132";
  EXPECT_EQ(Conversation(id).reply_token(), "");
  Feed({chat[0], chat[3]});
  EXPECT_EQ(Conversation(id).reply_token(), kReplySign);

  // A new chat of the same buyer brings its own sign.
  proto::Event next = chat[0];
  next.set_event_id("chat:new-chat-event");
  next.mutable_buyer_message()->set_message_id("new-chat-event");
  next.mutable_buyer_message()->set_conversation_id("1:22222222-0000-0000-0000-000000000000");
  next.mutable_raw()->set_body(R"({"eventID":"new-chat-event","replySign":"1:2222:fresh-sign"})");
  SetTimestamp(next.mutable_occurred_at(), At("2023-10-24T09:00:00Z"));
  Feed({next});
  EXPECT_EQ(Conversation(id).reply_token(), "1:2222:fresh-sign");
}

TEST_F(ReplyFlowRoutingTest, AWildberriesProductQuestionIsAnsweredWithTheQuestionsCall) {
  std::vector<proto::Event> questions = Polled("questions", "questions.list.response.json");
  ASSERT_EQ(questions.size(), 1u);
  Feed(questions);
  const proto::Conversation c = Conversation("wildberries/wb-main/chat:2ncBtX4B9I0UHoornoqG");
  EXPECT_EQ(c.channel(), "question");
  EXPECT_EQ(c.reply_token(), "");
  ASSERT_FALSE(c.drafts().empty());
  EXPECT_EQ(DraftReplyEntry(c, c.drafts(0), "Да", "agent:ana").message_kind(), "question_answer");

  const proto::OutboxEntry entry =
      AgentReplyEntry(c, "Здравствуйте! Да, кофе в зёрнах.", "agent:ana", "k-2");
  EXPECT_EQ(entry.message_kind(), "question_answer");
  const testing::RecordedRequest sent = Send(entry);
  EXPECT_EQ(sent.method, "PATCH");
  EXPECT_EQ(sent.path, "/api/v1/questions");
  auto body = JsonDocument::ParseObject(sent.body);
  ASSERT_TRUE(body) << sent.body;
  EXPECT_EQ(body.value().root().Get("id").value().AsString().value(), "2ncBtX4B9I0UHoornoqG");
  EXPECT_EQ(body.value().root().Get("state").value().AsString().value(), "wbRu");
  EXPECT_NE(sent.body.find("кофе в зёрнах"), std::string::npos);
}

TEST_F(ReplyFlowRoutingTest, AMercadoLibreClaimIsAnsweredInTheClaimAndThePackChatInThePack) {
  const std::string id = "mercadolibre/415458330/88001234/2000001";
  Feed({Message("mercadolibre", kMlStore, "m-1", "post_sale", "2000009",
                "Hola, ¿cuándo llega mi pedido?", "2024-03-14T10:00:00Z")});
  EXPECT_EQ(MessageKindFor(Conversation(id)), "reply");

  // The buyer now writes in the claim about the same order: the reply goes there.
  Feed({Message("mercadolibre", kMlStore, "c-1", "claim", "5000123",
                "El producto llegó roto, quiero una solución.", "2024-03-14T11:00:00Z")});
  proto::Conversation c = Conversation(id);
  EXPECT_EQ(c.channel(), "claim");
  EXPECT_EQ(c.marketplace_conversation_id(), "5000123");
  const proto::OutboxEntry entry = AgentReplyEntry(
      c, "Hola, lamentamos mucho el daño. Le enviamos un reemplazo sin costo.", "agent:ana", "k-3");
  EXPECT_EQ(entry.message_kind(), "claim_message");
  testing::RecordedRequest sent = Send(entry);
  EXPECT_EQ(sent.path, "/post-purchase/v1/claims/5000123/actions/send-message");
  EXPECT_EQ(sent.Header("authorization"), "Bearer APP_USR-ml-token");
  EXPECT_NE(sent.body.find("\"receiver_role\":\"complainant\""), std::string::npos) << sent.body;

  // Back in the pack chat: replies follow.
  Feed({Message("mercadolibre", kMlStore, "m-2", "post_sale", "2000009", "Gracias.",
                "2024-03-14T12:00:00Z")});
  c = Conversation(id);
  EXPECT_EQ(c.channel(), "post_sale");
  sent = Send(AgentReplyEntry(c, "Hola, gracias a usted por su paciencia.", "agent:ana", "k-4"));
  EXPECT_EQ(sent.path, "/messages/packs/2000009/sellers/415458330");
}

TEST_F(ReplyFlowRoutingTest, AnEbayReturnIsAnsweredWithThePostOrderReturnMessage) {
  Feed({Message("ebay", kEbayStore, "r-1", "return", "5000000001",
                "Hello, the item arrived damaged, I opened a return.", "2024-03-14T10:00:00Z")});
  const proto::Conversation c = Conversation("ebay/ebay-seller-42/jane_buyer/27-10001-20002");
  EXPECT_EQ(c.channel(), "return");
  ASSERT_FALSE(c.drafts().empty());
  EXPECT_EQ(DraftReplyEntry(c, c.drafts(0), "Hello", "auto").message_kind(), "claim_message");
  const proto::OutboxEntry entry = AgentReplyEntry(
      c, "Hello, we are sorry about the damage. We accept the return.", "agent:ana", "k-5");
  EXPECT_EQ(entry.message_kind(), "claim_message");
  const testing::RecordedRequest sent = Send(entry);
  EXPECT_EQ(sent.path, "/post-order/v2/return/5000000001/send_message");
  EXPECT_EQ(sent.Header("x-ebay-c-marketplace-id"), "EBAY_US");
  EXPECT_NE(sent.body.find("\"content\":\"Hello, we are sorry"), std::string::npos) << sent.body;

  // A members' conversation of the same marketplace is a chat.
  Feed({Message("ebay", kEbayStore, "f-1", "FROM_MEMBERS", "124850576707",
                "Is this still available?", "2024-03-14T11:00:00Z")});
  const testing::RecordedRequest chat = Send(AgentReplyEntry(
      Conversation("ebay/ebay-seller-42/jane_buyer/27-10001-20002"),
      "Hello, yes it is, thank you for asking.", "agent:ana", "k-6"));
  EXPECT_EQ(chat.path, "/commerce/message/v1/send_message");
  EXPECT_NE(chat.body.find("\"conversationId\":\"124850576707\""), std::string::npos);
}

TEST(ReplyFlowRouting, MessageKindsByMarketplaceAndChannel) {
  proto::Conversation c;
  auto kind = [&](const char* marketplace, const char* channel) {
    c.set_marketplace(marketplace);
    c.set_channel(channel);
    return MessageKindFor(c);
  };
  EXPECT_EQ(kind("wildberries", "question"), "question_answer");
  EXPECT_EQ(kind("wildberries", "buyer_chat"), "reply");
  EXPECT_EQ(kind("mercadolibre", "claim"), "claim_message");
  EXPECT_EQ(kind("mercadolibre", "post_sale"), "reply");
  EXPECT_EQ(kind("ebay", "return"), "claim_message");
  EXPECT_EQ(kind("ebay", "FROM_MEMBERS"), "reply");
  // Nowhere else do these channels name another send API.
  EXPECT_EQ(kind("ozon", "question"), "reply");
  EXPECT_EQ(kind("wildberries", "claim"), "reply");
  EXPECT_EQ(kind("mercadolibre", ""), "reply");
}

}  // namespace
}  // namespace csgw::gateway
