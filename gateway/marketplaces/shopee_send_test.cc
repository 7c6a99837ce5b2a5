#include "gateway/marketplaces/shopee_send.h"

#include <gtest/gtest.h>

#include "gateway/marketplaces/send_test_support.h"

namespace csgw::gateway {
namespace {

using send_test::Response;

OutboundMessage Reply() {
  OutboundMessage m;
  m.marketplace = "shopee";
  m.store_id = "14701711";
  m.buyer_id = "1033339541";
  m.text = "Hi! Your parcel is on its way.";
  return m;
}

TEST(ShopeeSend, BuildsTheExactSignedRequest) {
  send_test::Senders senders;
  auto request = senders.Get("shopee").BuildSend(Reply(), send_test::Now());
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request.value().method, "POST");
  // Expected sign computed independently (Python hmac): HMAC-SHA256(partner_key,
  // "2001887" + "/api/v2/sellerchat/send_message" + "1710504000" + access_token + shop_id).
  EXPECT_EQ(request.value().url,
            "https://partner.shopeemobile.com/api/v2/sellerchat/send_message?partner_id=2001887"
            "&timestamp=1710504000&access_token=shp-access-token&shop_id=14701711"
            "&sign=212cff4e9b7428ab6a1bf9fb6bb109b28f8dd7b102c37493078f13b555d1451d");
  EXPECT_EQ(ShopeeShopSign("shopee-test-partner-key", 2001887, "/api/v2/sellerchat/send_message",
                           1710504000, "shp-access-token", "14701711"),
            "212cff4e9b7428ab6a1bf9fb6bb109b28f8dd7b102c37493078f13b555d1451d");
  const send_test::Headers want = {{"Content-Type", "application/json"}};
  EXPECT_EQ(request.value().headers, want);
  EXPECT_EQ(request.value().body,
            "{\"to_id\":1033339541,\"message_type\":\"text\",\"content\":{\"text\":\"Hi! Your "
            "parcel is on its way.\"}}");
}

TEST(ShopeeSend, TheSignatureMovesWithTheClock) {
  send_test::Senders senders;
  auto a = senders.Get("shopee").BuildSend(Reply(), send_test::Now());
  auto b = senders.Get("shopee").BuildSend(Reply(), send_test::Now() + std::chrono::seconds(1));
  ASSERT_TRUE(a && b);
  EXPECT_NE(a.value().url, b.value().url);
  EXPECT_NE(b.value().url.find("timestamp=1710504001"), std::string::npos);
}

TEST(ShopeeSend, ToIdMustBeNumeric) {
  send_test::Senders senders;
  auto m = Reply();
  m.buyer_id = "1033339541,\"x\":1";
  EXPECT_EQ(senders.Get("shopee").BuildSend(m, send_test::Now()).error().code, Errc::kInvalidField);
  m.buyer_id.clear();
  EXPECT_EQ(senders.Get("shopee").BuildSend(m, send_test::Now()).error().code, Errc::kMissingField);
}

TEST(ShopeeSend, ParsesResultsIncludingErrorsInside200) {
  send_test::Senders senders;
  const ReplySender& shopee = senders.Get("shopee");
  auto sent = shopee.ParseSendResult(Response(
      200,
      R"({"request_id":"b937c04e554847789cbf3fe33a0ad5f1","error":"","message":"","response":)"
      R"({"to_id":1033339541,"message_id":"2109412345678901234","message_type":"text",)"
      R"("content":{"text":"Hi"},"conversation_id":"2109876543210987654","created_timestamp":1710504000}})"));
  EXPECT_EQ(sent.verdict, SendVerdict::kDelivered);
  EXPECT_EQ(sent.marketplace_message_id, "2109412345678901234");

  auto auth = shopee.ParseSendResult(Response(
      200, R"({"request_id":"1","error":"error_auth","message":"Invalid access_token."})"));
  EXPECT_EQ(auth.verdict, SendVerdict::kRejected);
  EXPECT_NE(auth.reason.find("error_auth"), std::string::npos);
  EXPECT_EQ(shopee
                .ParseSendResult(
                    Response(200, R"({"request_id":"1","error":"error_server","message":"busy"})"))
                .verdict,
            SendVerdict::kRetry);
  EXPECT_EQ(shopee
                .ParseSendResult(Response(
                    403, R"({"request_id":"1","error":"error_permission","message":"no"})"))
                .verdict,
            SendVerdict::kRejected);
  EXPECT_EQ(shopee.ParseSendResult(Response(429, "")).verdict, SendVerdict::kRetry);
}

}  // namespace
}  // namespace csgw::gateway
