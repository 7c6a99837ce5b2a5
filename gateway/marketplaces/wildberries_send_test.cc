#include "gateway/marketplaces/wildberries_send.h"

#include <gtest/gtest.h>

#include "gateway/marketplaces/send_test_support.h"
#include "tests/support/fixtures.h"

namespace csgw::gateway {
namespace {

using send_test::Response;

constexpr char kReplySign[] =
    "1:1e265a58-a120-b178-008c-60af2460207c:66f136e919a8207e136757754f253189bfb9ae1ad9da9170c9d5c"
    "478626663908888c370216525bef51c0ca8d77952e05c9c17f9b63ab00374c5555b42efc07d";

OutboundMessage Reply() {
  OutboundMessage m;
  m.marketplace = "wildberries";
  m.store_id = "wb-main";
  m.conversation_id = "1:1e265a58-a120-b178-008c-60af2460207c";
  m.reply_token = kReplySign;
  m.text = "Здравствуйте. Да, сейчас оформим возврат.";
  return m;
}

TEST(WildberriesSend, BuildsTheMultipartReply) {
  send_test::Senders senders;
  auto request = senders.Get("wildberries").BuildSend(Reply(), send_test::Now());
  ASSERT_TRUE(request) << request.error().message;
  const auto& r = request.value();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://buyer-chat-api.wildberries.ru/api/v1/seller/message");
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0],
            std::make_pair(std::string("Authorization"), std::string("wb-api-token")));
  EXPECT_EQ(r.headers[1].first, "Content-Type");
  const std::string prefix = "multipart/form-data; boundary=";
  ASSERT_EQ(r.headers[1].second.substr(0, prefix.size()), prefix);
  const std::string boundary = r.headers[1].second.substr(prefix.size());
  EXPECT_EQ(boundary.size(), 37u);  // "csgw-" + 32 hex digits
  EXPECT_EQ(r.body, "--" + boundary +
                        "\r\nContent-Disposition: form-data; name=\"replySign\"\r\n\r\n" +
                        kReplySign + "\r\n--" + boundary +
                        "\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n"
                        "Здравствуйте. Да, сейчас оформим возврат.\r\n--" +
                        boundary + "--\r\n");
  // Deterministic: the same message gives the same bytes.
  EXPECT_EQ(senders.Get("wildberries").BuildSend(Reply(), send_test::Now()).value().body, r.body);
}

TEST(WildberriesSend, BuildsQuestionAnswersLikeTheOfficialExample) {
  send_test::Senders senders;
  auto m = Reply();
  m.kind = MessageKind::kQuestionAnswer;
  m.conversation_id = "n5um6IUBQOOSTxXoo0gV";
  m.text = "текст ответа";
  auto request = senders.Get("wildberries").BuildSend(m, send_test::Now());
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request.value().method, "PATCH");
  EXPECT_EQ(request.value().url, "https://feedbacks-api.wildberries.ru/api/v1/questions");
  const send_test::Headers want = {{"Authorization", "wb-api-token"},
                                   {"Content-Type", "application/json"}};
  EXPECT_EQ(request.value().headers, want);
  EXPECT_EQ(request.value().body,
            "{\"id\":\"n5um6IUBQOOSTxXoo0gV\",\"answer\":{\"text\":\"текст ответа\"},"
            "\"state\":\"wbRu\"}");
  send_test::ExpectMatchesSample(request.value().body,
                                 "wildberries/questions.patch.answer.request.json", {});
}

TEST(WildberriesSend, RefusesWhatWbWouldRefuse) {
  send_test::Senders senders;
  const ReplySender& wb = senders.Get("wildberries");
  auto m = Reply();
  m.reply_token.clear();
  EXPECT_EQ(wb.BuildSend(m, send_test::Now()).error().code, Errc::kMissingField);
  m = Reply();
  m.reply_token = std::string(256, 's');
  EXPECT_EQ(wb.BuildSend(m, send_test::Now()).error().code, Errc::kInvalidField);
  m = Reply();
  m.reply_token = "sign\r\nContent-Disposition: x";
  EXPECT_EQ(wb.BuildSend(m, send_test::Now()).error().code, Errc::kInvalidField);
  m = Reply();
  std::string text;
  for (int i = 0; i < 1001; ++i) text += "ж";
  m.text = text;
  auto too_long = wb.BuildSend(m, send_test::Now());
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().message.find("1001 characters"), std::string::npos);
  m = Reply();
  m.kind = MessageKind::kClaimMessage;
  EXPECT_EQ(wb.BuildSend(m, send_test::Now()).error().code, Errc::kInvalidField);
}

TEST(WildberriesSend, ParsesResults) {
  send_test::Senders senders;
  const ReplySender& wb = senders.Get("wildberries");
  const std::string official = testing::ReadFileOrDie(
      testing::FixturesDir() + "/wildberries/buyer_chat.message.response.json");
  EXPECT_EQ(wb.ParseSendResult(Response(200, official)).verdict, SendVerdict::kDelivered);
  EXPECT_EQ(
      wb.ParseSendResult(
            Response(200, R"({"data":null,"error":false,"errorText":"","additionalErrors":null})"))
          .verdict,
      SendVerdict::kDelivered);
  auto failed = wb.ParseSendResult(Response(
      200, R"({"data":null,"error":true,"errorText":"Вопрос не найден","additionalErrors":null})"));
  EXPECT_EQ(failed.verdict, SendVerdict::kRejected);
  EXPECT_EQ(
      wb.ParseSendResult(Response(200, R"({"result":{},"errors":["chat is closed"]})")).verdict,
      SendVerdict::kRejected);
  auto sign = wb.ParseSendResult(
      Response(400, R"({"title":"Bad Request","detail":"Invalid signature","status":400})",
               {{"content-type", "application/problem+json"}}));
  EXPECT_EQ(sign.verdict, SendVerdict::kRejected);
  EXPECT_NE(sign.reason.find("400"), std::string::npos);
  auto limited = wb.ParseSendResult(Response(429, "", {{"x-ratelimit-retry", "3"}}));
  EXPECT_EQ(limited.verdict, SendVerdict::kRetry);
  EXPECT_EQ(limited.retry_after, std::chrono::seconds(3));
}

}  // namespace
}  // namespace csgw::gateway
