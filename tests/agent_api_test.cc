// End to end for the agents: a buyer's message pushed by Ozon becomes a conversation with a
// draft; an agent reads the queue, approves the draft, and the reply reaches the marketplace
// (a mock Ozon API on loopback) exactly once; tokens, roles and store isolation hold throughout.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>

#include "base/json.h"
#include "base/timestamp.h"
#include "gateway/app.h"
#include "gateway/config/config.h"
#include "tests/support/fixtures.h"
#include "tests/support/http_client.h"
#include "tests/support/mock_marketplace.h"
#include "tests/support/temp_dir.h"

namespace csgw {
namespace {

using csgw::testing::HttpCall;
using csgw::testing::HttpReply;

constexpr char kAgentA[] = "agent-a-token-0123456789";
constexpr char kAgentB[] = "agent-b-token-0123456789";
constexpr char kManager[] = "manager-token-0123456789";

std::string OzonMessage(const std::string& seller, const std::string& chat,
                        const std::string& message_id, const std::string& text) {
  return R"({"message_type":"TYPE_NEW_MESSAGE","chat_id":")" + chat +
         R"(","chat_type":"Buyer_Seller","message_id":")" + message_id +
         R"(","created_at":"2022-07-18T20:58:04.528Z","user":{"id":"115568","type":"Customer"},)"
         R"("data":[")" + text + R"("],"seller_id":")" + seller + R"("})";
}

std::string Encode(std::string_view id) {
  std::string out;
  for (const char c : id) {
    if (c == '/') {
      out += "%2F";
    } else if (c == ':') {
      out += "%3A";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

class AgentApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto mock = csgw::testing::MockMarketplace::Start();
    ASSERT_TRUE(mock) << mock.error().message;
    mock_ = std::move(mock).value();
    csgw::testing::RespondLikeMarketplaces(*mock_);

    csgw::testing::SetTestSecretEnv();
    setenv("CSGW_AGENT_TEST_OZON_KEY", "ozon-key-7", 1);
    setenv("CSGW_AGENT_TEST_A", kAgentA, 1);
    setenv("CSGW_AGENT_TEST_B", kAgentB, 1);
    setenv("CSGW_AGENT_TEST_M", kManager, 1);
    config_ = csgw::testing::TestConfig();
    config_.mutable_store()->set_data_dir((dir_.path() / "store").string());
    for (const char* store : {"7", "8"}) {
      auto* account = config_.add_accounts();
      account->set_marketplace("ozon");
      account->set_store_id(store);
      account->set_api_base_url(mock_->BaseUrl());
      account->mutable_api_key()->set_env("CSGW_AGENT_TEST_OZON_KEY");
    }
    AddUser("ana", "agent", "7", "CSGW_AGENT_TEST_A");
    AddUser("bo", "agent", "8", "CSGW_AGENT_TEST_B");
    AddUser("max", "account_manager", "7", "CSGW_AGENT_TEST_M");
    // Every draft waits for an agent.
    config_.mutable_templates()->mutable_default_policy()->add_auto_send_intents("none");
    config_.mutable_templates()->mutable_default_policy()->set_store_name("Sunny");
    config_.mutable_outbound()->set_timeout_ms(2'000);
    gateway::ApplyDefaults(config_);
    config_.mutable_server()->set_listen_port(0);
    ASSERT_TRUE(gateway::ValidateConfig(config_)) << gateway::ValidateConfig(config_).error().message;
    auto gw = gateway::Gateway::Create(config_, clock_);
    ASSERT_TRUE(gw) << gw.error().message;
    gateway_ = std::move(gw).value();
    thread_ = std::thread([this] { gateway_->Run(); });
  }

  void TearDown() override {
    if (gateway_) {
      gateway_->Stop();
      thread_.join();
      gateway_.reset();
    }
  }

  void AddUser(const char* name, const char* role, const char* store, const char* env) {
    auto* user = config_.mutable_api()->add_users();
    user->set_name(name);
    user->set_role(role);
    user->add_stores(store);
    user->mutable_token()->set_env(env);
  }

  HttpReply Call(const std::string& method, const std::string& target, const char* token,
                 const std::string& body = "") {
    std::map<std::string, std::string> headers;
    if (token != nullptr) headers["authorization"] = std::string("Bearer ") + token;
    if (!body.empty()) headers["content-type"] = "application/json";
    return HttpCall(gateway_->port(), method, target, body, headers);
  }

  void Push(const std::string& body) {
    const HttpReply r = HttpCall(gateway_->port(), "POST",
                                 std::string("/v1/webhooks/ozon?token=") +
                                     csgw::testing::kOzonUrlToken,
                                 body, {{"content-type", "application/json"}});
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // Polls `target` until `ready` holds for its body; the last body.
  std::string WaitFor(const std::string& target, const char* token,
                      const std::function<bool(const std::string&)>& ready) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::string body;
    while (std::chrono::steady_clock::now() < deadline) {
      const HttpReply r = Call("GET", target, token);
      body = r.body;
      if (r.status == 200 && ready(body)) return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "timed out waiting on " << target << ": " << body;
    return body;
  }

  size_t Sends() {
    size_t n = 0;
    for (const auto& r : mock_->Requests()) n += r.path == "/v1/chat/send/message";
    return n;
  }

  csgw::testing::TempDir dir_;
  std::unique_ptr<csgw::testing::MockMarketplace> mock_;
  proto::Config config_;
  ManualClock clock_{FromUnixMillis(1'658'177'885'000)};  // 2022-07-18T20:58:05Z
  std::unique_ptr<gateway::Gateway> gateway_;
  std::thread thread_;
};

const std::string kConversation = "ozon/7/115568";  // one thread per (marketplace, store, buyer)

TEST_F(AgentApiTest, ADraftApprovedByAnAgentReachesTheMarketplaceOnce) {
  Push(OzonMessage("7", "chat-1", "m-1", "Здравствуйте! Где мой заказ? Жду уже две недели."));
  const std::string list = WaitFor("/v1/conversations?store=7", kAgentA, [](const std::string& b) {
    return b.find("\"drafts_waiting\":1") != std::string::npos;
  });
  // The agents' default queue, from its index, shows it too.
  const std::string queue = WaitFor("/v1/conversations?state=awaiting_reply", kAgentA,
                                    [](const std::string& b) {
                                      return b.find(kConversation) != std::string::npos;
                                    });
  EXPECT_NE(queue.find("\"cursor\":\"t:1658264284528:reply_queue/" + kConversation + "\""),
            std::string::npos)
      << queue;
  EXPECT_NE(list.find("\"id\":\"" + kConversation + "\""), std::string::npos) << list;
  EXPECT_NE(list.find("\"state\":\"awaiting_reply\""), std::string::npos) << list;
  EXPECT_NE(list.find("\"reply_due\":\"2022-07-19T20:58:04.528Z\""), std::string::npos) << list;

  const HttpReply thread = Call("GET", "/v1/conversations/" + Encode(kConversation), kAgentA);
  ASSERT_EQ(thread.status, 200) << thread.body;
  EXPECT_NE(thread.body.find("Где мой заказ?"), std::string::npos);
  auto doc = JsonDocument::ParseObject(thread.body);
  ASSERT_TRUE(doc);
  auto draft_seq = doc.value().root().Get("conversation").value().Get("drafts").value().AsArray();
  ASSERT_TRUE(draft_seq && !draft_seq.value().empty());
  const std::string draft_id = draft_seq.value()[0].Id("source_sequence").value();

  // Store isolation, roles, tokens.
  EXPECT_EQ(Call("GET", "/v1/conversations/" + Encode(kConversation), kAgentB).status, 404);
  EXPECT_EQ(Call("POST", "/v1/drafts/" + draft_id + "/approve", kAgentB).status, 404);
  // A filter naming another seller's store answers as anything else of it: not there.
  const HttpReply other_store = Call("GET", "/v1/conversations?store=7", kAgentB);
  EXPECT_EQ(other_store.status, 404) << other_store.body;
  EXPECT_EQ(other_store.body.find(kConversation), std::string::npos);
  EXPECT_EQ(Call("GET", "/v1/conversations?state=awaiting_reply", kAgentB).body.find(kConversation),
            std::string::npos);
  EXPECT_EQ(Call("GET", "/v1/outbox?state=dead&store=7", kAgentB).status, 404);
  EXPECT_EQ(Call("POST", "/v1/drafts/" + draft_id + "/approve", kManager).status, 403);
  EXPECT_EQ(Call("GET", "/v1/conversations/" + Encode(kConversation), kManager).status, 200);
  EXPECT_EQ(Call("GET", "/v1/conversations", nullptr).status, 401);
  EXPECT_EQ(Call("GET", "/v1/conversations", "not-a-token-at-all-000").status, 401);

  // Without order data no template fits "where is my order": the agent writes the text.
  const HttpReply empty = Call("POST", "/v1/drafts/" + draft_id + "/approve", kAgentA);
  EXPECT_EQ(empty.status, 400) << empty.body;
  EXPECT_NE(empty.body.find("missing_field"), std::string::npos) << empty.body;
  const HttpReply approved = Call("POST", "/v1/drafts/" + draft_id + "/approve", kAgentA,
                                  R"({"text":"Здравствуйте! Ваш заказ в пути, трек-номер пришлём сегодня. Спасибо за терпение!"})");
  ASSERT_EQ(approved.status, 202) << approved.body;
  ASSERT_TRUE(mock_->WaitForRequests(1, std::chrono::steady_clock::now() + std::chrono::seconds(10)));
  const std::string sent =
      WaitFor("/v1/conversations/" + Encode(kConversation), kAgentA, [](const std::string& b) {
        return b.find("DRAFT_STATE_SENT") != std::string::npos;
      });
  EXPECT_NE(sent.find("\"state\":\"awaiting_buyer\""), std::string::npos) << sent;
  EXPECT_NE(sent.find("\"sender\":\"seller\""), std::string::npos) << sent;
  EXPECT_NE(sent.find("first_response_at"), std::string::npos) << sent;
  EXPECT_EQ(Sends(), 1u);
  const auto request = mock_->Requests().back();
  EXPECT_NE(request.body.find("chat-1"), std::string::npos);
  EXPECT_NE(request.body.find("трек-номер"), std::string::npos);
  EXPECT_EQ(request.Header("api-key"), "ozon-key-7");

  // Approving again is the same send, not a second one.
  const HttpReply again = Call("POST", "/v1/drafts/" + draft_id + "/approve", kAgentA);
  EXPECT_EQ(again.status, 200) << again.body;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Sends(), 1u);
}

TEST_F(AgentApiTest, RepliesAreQualityCheckedAndDeadLettersCanBeRetried) {
  Push(OzonMessage("7", "chat-1", "m-1", "Where is my order?"));
  WaitFor("/v1/conversations?store=7", kAgentA,
          [](const std::string& b) { return b.find(kConversation) != std::string::npos; });
  const std::string replies = "/v1/conversations/" + Encode(kConversation) + "/replies";

  // A refusal without an apology is held back with the findings.
  const HttpReply refused =
      Call("POST", replies, kAgentA, R"({"text":"No. We cannot do anything, it is not our problem."})");
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("\"findings\""), std::string::npos) << refused.body;
  EXPECT_EQ(Call("POST", replies, kAgentA, R"({"txt":"x"})").status, 400);
  EXPECT_EQ(Call("POST", replies, kAgentA, R"({"text":"a","template":"b"})").status, 400);
  EXPECT_EQ(Call("POST", replies, kAgentA, "not json").status, 400);
  EXPECT_EQ(Call("POST", replies, kManager, R"({"text":"Hello"})").status, 403);

  // The marketplace refuses for good: a dead letter, listed, then re-driven and delivered.
  mock_->FailWith(400, "", 1, "/v1/chat/send/message");
  const HttpReply queued = Call("POST", replies, kAgentA,
                                R"({"text":"Hello! Your parcel is on its way, thank you for waiting."})");
  ASSERT_EQ(queued.status, 202) << queued.body;
  auto doc = JsonDocument::ParseObject(queued.body);
  const std::string outbox_id = doc.value().root().Get("outbox").value().Id("id").value();
  const std::string dead = WaitFor("/v1/outbox?state=dead", kAgentA, [&](const std::string& b) {
    return b.find(outbox_id) != std::string::npos;
  });
  EXPECT_EQ(Call("GET", "/v1/outbox?state=dead", kAgentB).body.find(outbox_id), std::string::npos);
  EXPECT_EQ(Call("GET", "/v1/outbox/" + outbox_id, kAgentB).status, 404);
  EXPECT_EQ(Call("GET", "/v1/outbox", kAgentA).status, 400);
  EXPECT_EQ(Call("POST", "/v1/outbox/" + outbox_id + "/retry", kAgentB).status, 404);
  const HttpReply retried = Call("POST", "/v1/outbox/" + outbox_id + "/retry", kAgentA);
  ASSERT_EQ(retried.status, 202) << retried.body;
  WaitFor("/v1/outbox/" + outbox_id, kAgentA, [](const std::string& b) {
    return b.find("OUTBOX_STATE_SENT") != std::string::npos;
  });
  EXPECT_EQ(Call("POST", "/v1/outbox/" + outbox_id + "/retry", kAgentA).status, 409);
  EXPECT_EQ(Sends(), 2u);  // the refused attempt and the delivered one
}

}  // namespace
}  // namespace csgw
