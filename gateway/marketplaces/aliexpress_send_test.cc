#include "gateway/marketplaces/aliexpress_send.h"

#include <gtest/gtest.h>

#include "gateway/marketplaces/alibaba_sign.h"
#include "gateway/marketplaces/send_test_support.h"

namespace csgw::gateway {
namespace {

using send_test::Response;

constexpr char kContentEncoded[] =
    "%D0%97%D0%B4%D1%80%D0%B0%D0%B2%D1%81%D1%82%D0%B2%D1%83%D0%B9%D1%82%D0%B5%21%20%D0%9F%D0%BE"
    "%D1%81%D1%8B%D0%BB%D0%BA%D0%B0%20%D1%83%D0%B6%D0%B5%20%D0%B2%20%D0%BF%D1%83%D1%82%D0%B8.";

OutboundMessage Reply() {
  OutboundMessage m;
  m.marketplace = "aliexpress";
  m.store_id = "cn1510000000abcd";
  m.conversation_id = "2004009123456";
  m.buyer_id = "ru1234567890abcd";
  m.text = "Здравствуйте! Посылка уже в пути.";
  return m;
}

// TOP's published walk-through (Taobao open platform "API调用方法详解", secret "test"):
// taobao.user.seller.get signed with md5 gives 72CB4D809B375A54502C09360D879C64.
TEST(TopSign, MatchesTaobaoPublishedExample) {
  const Params params = {{"method", "taobao.user.seller.get"},
                         {"timestamp", "2013-05-06 13:52:03"},
                         {"format", "xml"},
                         {"app_key", "test"},
                         {"v", "2.0"},
                         {"fields", "nick"},
                         {"sign_method", "md5"},
                         {"session", "test"}};
  EXPECT_EQ(TopSign("test", TopSignMethod::kMd5, params), "72CB4D809B375A54502C09360D879C64");
}

TEST(TopSign, TimestampIsBeijingTime) {
  EXPECT_EQ(TopTimestamp(send_test::Now()), "2024-03-15 20:00:00");
  // Across midnight and a year end.
  EXPECT_EQ(TopTimestamp(TimePoint(std::chrono::seconds(1704038400))), "2024-01-01 00:00:00");
}

TEST(AliExpressSend, BuildsTheIopRequest) {
  send_test::Senders senders;
  auto request = senders.Get("aliexpress").BuildSend(Reply(), send_test::Now());
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request.value().method, "POST");
  EXPECT_EQ(request.value().url, "https://api-sg.aliexpress.com/sync");
  const send_test::Headers want = {
      {"Content-Type", "application/x-www-form-urlencoded;charset=utf-8"}};
  EXPECT_EQ(request.value().headers, want);
  // Expected sign computed independently (Python hmac): HMAC-SHA256(app secret, sorted
  // name/value pairs), no path prefix for a method-named API.
  EXPECT_EQ(request.value().body,
            std::string("app_key=34567890&method=aliexpress.message.redefining.addmsg"
                        "&session=ae-session-token&sign_method=sha256&timestamp=1710504000000"
                        "&buyer_id=ru1234567890abcd&channel_id=2004009123456&content=") +
                kContentEncoded +
                "&msg_sources=message_center"
                "&sign=B2F69DB8AEC7F48E71060BA7044DB1D0A764E969E7497C9E7CA319E57C1129FD");
}

TEST(AliExpressSend, BuildsTopRequestsWithEachSignMethod) {
  struct Case {
    const char* method;
    const char* sign;
  };
  // Expected signs computed independently (Python hashlib/hmac) over the same parameters.
  for (const Case& c :
       {Case{"md5", "945D26422CE03647245682294D5E729D"},
        Case{"hmac", "3EA906908CAC3B54887F2AEB2A31B3E5"},
        Case{"hmac-sha256", "C9D1471E8F6BA5DFB1C5DC8FEB6C5C20CA42CCF0A005C5F422188B3E63213BF8"}}) {
    send_test::Senders senders(send_test::Config("top", c.method));
    auto request = senders.Get("aliexpress").BuildSend(Reply(), send_test::Now());
    ASSERT_TRUE(request) << request.error().message;
    EXPECT_EQ(request.value().url, "https://api.taobao.com/router/rest");
    EXPECT_EQ(request.value().body,
              std::string("app_key=34567890&method=aliexpress.message.redefining.addmsg"
                          "&session=ae-session-token&format=json&sign_method=") +
                  c.method +
                  "&timestamp=2024-03-15%2020%3A00%3A00&v=2.0&buyer_id=ru1234567890abcd"
                  "&channel_id=2004009123456&content=" +
                  kContentEncoded + "&msg_sources=message_center&sign=" + c.sign)
        << c.method;
  }
}

TEST(AliExpressSend, OrderMessagesUseTheOrderAsChannel) {
  send_test::Senders senders;
  auto m = Reply();
  m.conversation_id.clear();
  m.order_id = "8123456789012345";
  auto request = senders.Get("aliexpress").BuildSend(m, send_test::Now());
  ASSERT_TRUE(request);
  EXPECT_NE(request.value().body.find("channel_id=8123456789012345"), std::string::npos);
  EXPECT_NE(request.value().body.find("msg_sources=order_msg"), std::string::npos);
  m.order_id.clear();
  EXPECT_EQ(senders.Get("aliexpress").BuildSend(m, send_test::Now()).error().code,
            Errc::kMissingField);
  m = Reply();
  m.buyer_id.clear();
  EXPECT_EQ(senders.Get("aliexpress").BuildSend(m, send_test::Now()).error().code,
            Errc::kMissingField);
}

TEST(AliExpressSend, ParsesResults) {
  send_test::Senders senders;
  const ReplySender& ae = senders.Get("aliexpress");
  EXPECT_EQ(
      ae.ParseSendResult(Response(200, R"({"aliexpress_message_redefining_addmsg_response":)"
                                       R"({"result":{"is_success":true},"request_id":"0ba2"}})"))
          .verdict,
      SendVerdict::kDelivered);
  auto refused = ae.ParseSendResult(
      Response(200, R"({"aliexpress_message_redefining_addmsg_response":{"result":)"
                    R"({"is_success":false,"error_code":9001,"error_msg":"channel closed"}}})"));
  EXPECT_EQ(refused.verdict, SendVerdict::kRejected);
  EXPECT_NE(refused.reason.find("9001"), std::string::npos);

  auto session = ae.ParseSendResult(Response(
      200,
      R"({"error_response":{"code":27,"msg":"Invalid session","sub_code":"invalid-sessionkey","request_id":"1"}})"));
  EXPECT_EQ(session.verdict, SendVerdict::kRejected);
  EXPECT_NE(session.reason.find("27"), std::string::npos);

  auto banned = ae.ParseSendResult(Response(
      200,
      R"({"error_response":{"code":7,"msg":"App Call Limited","sub_code":"accesscontrol.limited-by-app-access-count",)"
      R"("sub_msg":"This ban will last for 12 more seconds","request_id":"1"}})"));
  EXPECT_EQ(banned.verdict, SendVerdict::kRetry);
  EXPECT_EQ(banned.retry_after, std::chrono::seconds(12));

  EXPECT_EQ(ae.ParseSendResult(
                  Response(200, R"({"error_response":{"code":15,"msg":"Remote service error",)"
                                R"("sub_code":"isp.remote-service-timeout","request_id":"1"}})"))
                .verdict,
            SendVerdict::kRetry);
  // The Open Platform gateway's own error shape.
  EXPECT_EQ(
      ae.ParseSendResult(
            Response(200, R"({"type":"ISV","code":"IllegalAccessToken",)"
                          R"("message":"The specified access token is invalid","request_id":"1"})"))
          .verdict,
      SendVerdict::kRejected);
  EXPECT_EQ(ae.ParseSendResult(Response(200, R"({"type":"ISV","code":"ApiCallLimit",)"
                                             R"("message":"slow down","request_id":"1"})"))
                .verdict,
            SendVerdict::kRetry);
  EXPECT_EQ(ae.ParseSendResult(Response(200, R"({"something_else_response":{}})")).verdict,
            SendVerdict::kRejected);
}

}  // namespace
}  // namespace csgw::gateway
