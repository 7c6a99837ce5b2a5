#include "gateway/marketplaces/ebay_send.h"

#include <gtest/gtest.h>

#include "gateway/marketplaces/send_test_support.h"

namespace csgw::gateway {
namespace {

using send_test::Response;

OutboundMessage Reply() {
  OutboundMessage m;
  m.marketplace = "ebay";
  m.store_id = "ebay-seller-42";
  m.conversation_id = "124850576707";
  m.buyer_id = "buyer_jane";
  m.text = "Thanks for your question: it fits the 2019 model.";
  return m;
}

TEST(EbaySend, BuildsSendMessageInAConversation) {
  send_test::Senders senders;
  auto request = senders.Get("ebay").BuildSend(Reply(), send_test::Now());
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request.value().method, "POST");
  EXPECT_EQ(request.value().url, "https://api.ebay.com/commerce/message/v1/send_message");
  const send_test::Headers want = {{"Authorization", "Bearer v^1.1#ebay-user-token"},
                                   {"Content-Type", "application/json"}};
  EXPECT_EQ(request.value().headers, want);
  EXPECT_EQ(request.value().body,
            "{\"conversationId\":\"124850576707\",\"messageText\":\"Thanks for your question: it "
            "fits the 2019 model.\"}");
}

TEST(EbaySend, StartsAConversationWithTheBuyerWhenThereIsNone) {
  send_test::Senders senders;
  auto m = Reply();
  m.conversation_id.clear();
  auto request = senders.Get("ebay").BuildSend(m, send_test::Now());
  ASSERT_TRUE(request);
  EXPECT_EQ(request.value().body,
            "{\"otherPartyUsername\":\"buyer_jane\",\"messageText\":\"Thanks for your question: "
            "it fits the 2019 model.\"}");
  m.buyer_id.clear();
  EXPECT_EQ(senders.Get("ebay").BuildSend(m, send_test::Now()).error().code, Errc::kMissingField);
}

TEST(EbaySend, BuildsReturnMessages) {
  send_test::Senders senders;
  auto m = Reply();
  m.kind = MessageKind::kClaimMessage;
  m.conversation_id = "5000012345";
  m.text = "Please send the item back with the label.";
  auto request = senders.Get("ebay").BuildSend(m, send_test::Now());
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request.value().url,
            "https://api.ebay.com/post-order/v2/return/5000012345/send_message");
  const send_test::Headers want = {{"Authorization", "Bearer v^1.1#ebay-user-token"},
                                   {"Content-Type", "application/json"},
                                   {"X-EBAY-C-MARKETPLACE-ID", "EBAY_US"}};
  EXPECT_EQ(request.value().headers, want);
  EXPECT_EQ(request.value().body,
            "{\"message\":{\"content\":\"Please send the item back with the label.\"}}");
  m.conversation_id = "50/../x";
  EXPECT_EQ(senders.Get("ebay").BuildSend(m, send_test::Now()).error().code, Errc::kInvalidField);
}

TEST(EbaySend, LimitsText) {
  send_test::Senders senders;
  auto m = Reply();
  m.text = std::string(2000, 'e');
  EXPECT_TRUE(senders.Get("ebay").BuildSend(m, send_test::Now()));
  m.text += "e";
  EXPECT_EQ(senders.Get("ebay").BuildSend(m, send_test::Now()).error().code, Errc::kInvalidField);
}

TEST(EbaySend, ParsesResults) {
  send_test::Senders senders;
  const ReplySender& ebay = senders.Get("ebay");
  auto sent = ebay.ParseSendResult(Response(200, R"({"messageId":"3429373760017"})"));
  EXPECT_EQ(sent.verdict, SendVerdict::kDelivered);
  EXPECT_EQ(sent.marketplace_message_id, "3429373760017");
  EXPECT_EQ(ebay.ParseSendResult(Response(204, "")).verdict, SendVerdict::kDelivered);
  auto token = ebay.ParseSendResult(Response(
      401,
      R"({"errors":[{"errorId":1001,"domain":"OAuth","category":"REQUEST","message":"Invalid access token"}]})"));
  EXPECT_EQ(token.verdict, SendVerdict::kRejected);
  EXPECT_NE(token.reason.find("errorId 1001"), std::string::npos);
  EXPECT_EQ(ebay.ParseSendResult(Response(429, "", {{"retry-after", "60"}})).retry_after,
            std::chrono::seconds(60));
  EXPECT_EQ(ebay.ParseSendResult(Response(500, "")).verdict, SendVerdict::kRetry);
}

}  // namespace
}  // namespace csgw::gateway
