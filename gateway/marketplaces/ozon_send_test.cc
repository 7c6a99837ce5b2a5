#include "gateway/marketplaces/ozon_send.h"

#include <gtest/gtest.h>

#include "gateway/marketplaces/send_test_support.h"

namespace csgw::gateway {
namespace {

using send_test::Response;

OutboundMessage Reply() {
  OutboundMessage m;
  m.marketplace = "ozon";
  m.store_id = "7";
  m.conversation_id = "b646d975-0c9c-4872-9f41-8b1e57181063";
  m.text = "Здравствуйте! Заказ передан в доставку.";
  m.idempotency_key = "k1";
  return m;
}

TEST(OzonSend, BuildsTheExactRequest) {
  send_test::Senders senders;
  auto request = senders.Get("ozon").BuildSend(Reply(), send_test::Now());
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request.value().method, "POST");
  EXPECT_EQ(request.value().url, "https://api-seller.ozon.ru/v1/chat/send/message");
  const send_test::Headers want = {
      {"Client-Id", "7"}, {"Api-Key", "ozon-api-key-0123"}, {"Content-Type", "application/json"}};
  EXPECT_EQ(request.value().headers, want);
  EXPECT_EQ(request.value().body,
            "{\"chat_id\":\"b646d975-0c9c-4872-9f41-8b1e57181063\",\"text\":\"Здравствуйте! Заказ "
            "передан в доставку.\"}");
}

TEST(OzonSend, UsesTheConfiguredBaseUrlAndClientId) {
  auto config = send_test::Config();
  config.mutable_accounts(0)->set_api_base_url("http://127.0.0.1:4567/ozon");
  config.mutable_accounts(0)->set_client_id("123456");
  send_test::Senders senders(config);
  auto request = senders.Get("ozon").BuildSend(Reply(), send_test::Now());
  ASSERT_TRUE(request);
  EXPECT_EQ(request.value().url, "http://127.0.0.1:4567/ozon/v1/chat/send/message");
  EXPECT_EQ(request.value().headers[0].second, "123456");
}

TEST(OzonSend, EscapesTextIntoJson) {
  send_test::Senders senders;
  auto m = Reply();
  m.text = "Line \"one\"\nline\\two";
  auto request = senders.Get("ozon").BuildSend(m, send_test::Now());
  ASSERT_TRUE(request);
  auto doc = JsonDocument::ParseObject(request.value().body);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc.value().root().String("text").value(), m.text);
}

TEST(OzonSend, RefusesWhatItCannotSend) {
  send_test::Senders senders;
  const ReplySender& ozon = senders.Get("ozon");
  auto m = Reply();
  m.store_id = "8";
  auto no_account = ozon.BuildSend(m, send_test::Now());
  ASSERT_FALSE(no_account);
  EXPECT_EQ(no_account.error().code, Errc::kNotFound);
  EXPECT_NE(no_account.error().message.find("ozon"), std::string::npos);
  EXPECT_NE(no_account.error().message.find("store 8"), std::string::npos);

  m = Reply();
  m.text = std::string(1000, 'a');
  EXPECT_TRUE(ozon.BuildSend(m, send_test::Now()));
  m.text = std::string(999, 'a') + "ы";  // 1000 characters, 1001 bytes
  EXPECT_TRUE(ozon.BuildSend(m, send_test::Now()));
  m.text = std::string(1001, 'a');
  auto too_long = ozon.BuildSend(m, send_test::Now());
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, Errc::kInvalidField);
  EXPECT_NE(too_long.error().message.find("1001 characters"), std::string::npos);

  m = Reply();
  m.text.clear();
  EXPECT_EQ(ozon.BuildSend(m, send_test::Now()).error().code, Errc::kMissingField);
  m = Reply();
  m.conversation_id.clear();
  EXPECT_EQ(ozon.BuildSend(m, send_test::Now()).error().code, Errc::kMissingField);
  m = Reply();
  m.kind = MessageKind::kClaimMessage;
  EXPECT_EQ(ozon.BuildSend(m, send_test::Now()).error().code, Errc::kInvalidField);
  m = Reply();
  m.text = "\xff\xfe";
  EXPECT_EQ(ozon.BuildSend(m, send_test::Now()).error().code, Errc::kInvalidField);
}

TEST(OzonSend, ParsesResults) {
  send_test::Senders senders;
  const ReplySender& ozon = senders.Get("ozon");
  EXPECT_EQ(ozon.ParseSendResult(Response(200, R"({"result":"success"})")).verdict,
            SendVerdict::kDelivered);

  auto limited = ozon.ParseSendResult(
      Response(429, R"({"code":8,"message":"rate limit"})", {{"retry-after", "7"}}));
  EXPECT_EQ(limited.verdict, SendVerdict::kRetry);
  ASSERT_TRUE(limited.retry_after);
  EXPECT_EQ(*limited.retry_after, std::chrono::seconds(7));

  EXPECT_EQ(ozon.ParseSendResult(Response(503, "")).verdict, SendVerdict::kRetry);
  auto bad_key = ozon.ParseSendResult(
      Response(403, R"({"code":7,"message":"Api-key is deactivated","details":[]})"));
  EXPECT_EQ(bad_key.verdict, SendVerdict::kRejected);
  EXPECT_NE(bad_key.reason.find("403"), std::string::npos);
  EXPECT_NE(bad_key.reason.find("code 7"), std::string::npos);
  // A 2xx Ozon did not mean as success is never taken for delivery.
  EXPECT_EQ(ozon.ParseSendResult(Response(200, R"({"result":"fail"})")).verdict,
            SendVerdict::kRejected);
  EXPECT_EQ(ozon.ParseSendResult(Response(200, "<html>")).verdict, SendVerdict::kRejected);
}

}  // namespace
}  // namespace csgw::gateway
