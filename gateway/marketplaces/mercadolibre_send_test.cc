#include "gateway/marketplaces/mercadolibre_send.h"

#include <gtest/gtest.h>

#include "gateway/marketplaces/send_test_support.h"

namespace csgw::gateway {
namespace {

using send_test::Response;

// The values of the official "Enviar mensaje al comprador" example
// (tests/fixtures/mercadolibre/messages.send.request.json): seller 415458330 writing on an MLB
// pack, where the messaging agent 3037675074 receives it.
OutboundMessage Reply() {
  OutboundMessage m;
  m.marketplace = "mercadolibre";
  m.store_id = "415458330";
  m.conversation_id = "2000003508419013";
  m.order_id = "2195160686";
  m.buyer_id = "123456789";
  m.text = "¡Hola! Tu paquete fue despachado.";
  return m;
}

TEST(MercadoLibreSend, BuildsTheOfficialExampleOnAnAgentSite) {
  send_test::Senders senders;
  auto request = senders.Get("mercadolibre").BuildSend(Reply(), send_test::Now());
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request.value().method, "POST");
  EXPECT_EQ(request.value().url,
            "https://api.mercadolibre.com/messages/packs/2000003508419013/sellers/415458330"
            "?tag=post_sale");
  const send_test::Headers want = {{"Authorization", "Bearer APP_USR-ml-token"},
                                   {"Content-Type", "application/json"}};
  EXPECT_EQ(request.value().headers, want);
  EXPECT_EQ(request.value().body,
            "{\"from\":{\"user_id\":\"415458330\"},\"to\":{\"user_id\":\"3037675074\"},"
            "\"text\":\"¡Hola! Tu paquete fue despachado.\"}");
  send_test::ExpectMatchesSample(request.value().body, "mercadolibre/messages.send.request.json",
                                 {"attachments"});
}

TEST(MercadoLibreSend, WritesToTheBuyerOffAgentSitesAndFallsBackToTheOrder) {
  auto config = send_test::Config();
  config.mutable_accounts(1)->set_site("MLA");
  send_test::Senders senders(config);
  auto m = Reply();
  m.conversation_id.clear();  // an order without a pack
  auto request = senders.Get("mercadolibre").BuildSend(m, send_test::Now());
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request.value().url,
            "https://api.mercadolibre.com/messages/packs/2195160686/sellers/415458330"
            "?tag=post_sale");
  EXPECT_NE(request.value().body.find("\"to\":{\"user_id\":\"123456789\"}"), std::string::npos);

  // With the agent switched off by config, MLB writes to the buyer too.
  auto off = send_test::Config();
  off.mutable_marketplaces()->mutable_mercadolibre()->clear_messaging_agent_sites();
  off.mutable_marketplaces()->mutable_mercadolibre()->add_messaging_agent_sites("none");
  send_test::Senders no_agent(off);
  auto to_buyer = no_agent.Get("mercadolibre").BuildSend(Reply(), send_test::Now());
  ASSERT_TRUE(to_buyer);
  EXPECT_NE(to_buyer.value().body.find("\"to\":{\"user_id\":\"123456789\"}"), std::string::npos);
}

TEST(MercadoLibreSend, BuildsClaimMessagesLikeTheOfficialExample) {
  send_test::Senders senders;
  auto m = Reply();
  m.kind = MessageKind::kClaimMessage;
  m.conversation_id = "5154807768";
  m.text = "Este es un mensaje de test del respondent al complainant";
  auto request = senders.Get("mercadolibre").BuildSend(m, send_test::Now());
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request.value().url,
            "https://api.mercadolibre.com/post-purchase/v1/claims/5154807768/actions/send-message");
  EXPECT_EQ(request.value().body,
            "{\"receiver_role\":\"complainant\",\"message\":\"Este es un mensaje de test del "
            "respondent al complainant\"}");
  send_test::ExpectMatchesSample(request.value().body,
                                 "mercadolibre/claims.send_message.request.json", {"attachments"});
}

TEST(MercadoLibreSend, EnforcesLimitsAndIds) {
  send_test::Senders senders;
  const ReplySender& ml = senders.Get("mercadolibre");
  auto m = Reply();
  m.text = std::string(350, 'x');
  EXPECT_TRUE(ml.BuildSend(m, send_test::Now()));
  m.text = std::string(351, 'x');
  auto too_long = ml.BuildSend(m, send_test::Now());
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, Errc::kInvalidField);
  EXPECT_NE(too_long.error().message.find("at most 350"), std::string::npos);

  m = Reply();
  m.conversation_id = "123/../../users/me";  // would escape the path
  EXPECT_EQ(ml.BuildSend(m, send_test::Now()).error().code, Errc::kInvalidField);
  m = Reply();
  m.conversation_id.clear();
  m.order_id.clear();
  EXPECT_EQ(ml.BuildSend(m, send_test::Now()).error().code, Errc::kMissingField);
  m = Reply();
  m.kind = MessageKind::kQuestionAnswer;
  EXPECT_EQ(ml.BuildSend(m, send_test::Now()).error().code, Errc::kInvalidField);
}

TEST(MercadoLibreSend, ParsesResults) {
  send_test::Senders senders;
  const ReplySender& ml = senders.Get("mercadolibre");
  auto sent = ml.ParseSendResult(Response(201, R"({"id":"0cd5e0f6b0ec4e1b9b7f4e3d3c6a0f28"})"));
  EXPECT_EQ(sent.verdict, SendVerdict::kDelivered);
  EXPECT_EQ(sent.marketplace_message_id, "0cd5e0f6b0ec4e1b9b7f4e3d3c6a0f28");
  EXPECT_EQ(ml.ParseSendResult(Response(201, "")).verdict, SendVerdict::kDelivered);

  auto blocked = ml.ParseSendResult(Response(
      403, R"({"message":"Forbidden","error":"blocked_conversation_send_message_forbidden",)"
           R"("status":403,"cause":[]})"));
  EXPECT_EQ(blocked.verdict, SendVerdict::kRejected);
  EXPECT_NE(blocked.reason.find("blocked_conversation_send_message_forbidden"), std::string::npos);
  EXPECT_EQ(ml.ParseSendResult(Response(401, R"({"error":"invalid_token"})")).verdict,
            SendVerdict::kRejected);
  auto limited = ml.ParseSendResult(Response(429, R"({"error":"too_many_requests"})",
                                             {{"retry-after", "Fri, 15 Mar 2024 12:00:30 GMT"}}));
  EXPECT_EQ(limited.verdict, SendVerdict::kRetry);
  ASSERT_TRUE(limited.retry_after);
  EXPECT_EQ(*limited.retry_after, std::chrono::seconds(30));
  EXPECT_EQ(ml.ParseSendResult(Response(500, "oops")).verdict, SendVerdict::kRetry);
}

}  // namespace
}  // namespace csgw::gateway
