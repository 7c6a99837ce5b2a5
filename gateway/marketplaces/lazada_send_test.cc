#include "gateway/marketplaces/lazada_send.h"

#include <gtest/gtest.h>

#include "gateway/marketplaces/alibaba_sign.h"
#include "gateway/marketplaces/send_test_support.h"

namespace csgw::gateway {
namespace {

using send_test::Response;

OutboundMessage Reply() {
  OutboundMessage m;
  m.marketplace = "lazada";
  m.store_id = "100094063";
  m.conversation_id = "100094063_2_1011822749_1_103";
  m.text = "Hello! Your order has shipped.";
  return m;
}

// Lazada's published example ("HTTP request sample", open.alitrip.com articleId 108069):
// GetOrder with app secret "helloworld".
TEST(IopSign, MatchesLazadaPublishedExample) {
  const Params params = {{"app_key", "123456"},
                         {"access_token", "test"},
                         {"timestamp", "1517820392000"},
                         {"sign_method", "sha256"},
                         {"order_id", "1234"}};
  EXPECT_EQ(AlibabaSignBase(params),
            "access_tokentestapp_key123456order_id1234sign_methodsha256timestamp1517820392000");
  EXPECT_EQ(IopSign("helloworld", "/order/get", params),
            "4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A");
}

TEST(LazadaSend, BuildsTheExactSignedRequest) {
  send_test::Senders senders;
  auto request = senders.Get("lazada").BuildSend(Reply(), send_test::Now());
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request.value().method, "POST");
  EXPECT_EQ(request.value().url, "https://api.lazada.sg/rest/im/message/send");
  const send_test::Headers want = {
      {"Content-Type", "application/x-www-form-urlencoded;charset=utf-8"}};
  EXPECT_EQ(request.value().headers, want);
  // Expected sign computed independently (Python hmac/hashlib): HMAC-SHA256 with the app
  // secret over "/im/message/send" + the sorted name/value pairs, upper-case hex.
  EXPECT_EQ(request.value().body,
            "access_token=lzd-access-token&app_key=100132&session_id=100094063_2_1011822749_1_103"
            "&sign_method=sha256&template_id=1&timestamp=1710504000000"
            "&txt=Hello%21%20Your%20order%20has%20shipped."
            "&sign=016EBF513A83BF18A2578CD3471FD542B6E0DFB3D064962D5B3A9D30B5759332");
}

TEST(LazadaSend, PicksTheCountryHostOrTheOverride) {
  EXPECT_EQ(LazadaApiUrl("VN"), "https://api.lazada.vn/rest");
  EXPECT_EQ(LazadaApiUrl("XX"), "");
  auto config = send_test::Config();
  config.mutable_accounts(2)->set_api_base_url("http://127.0.0.1:9/lazada");
  send_test::Senders senders(config);
  auto request = senders.Get("lazada").BuildSend(Reply(), send_test::Now());
  ASSERT_TRUE(request);
  EXPECT_EQ(request.value().url, "http://127.0.0.1:9/lazada/im/message/send");
  // The signed path is the API path, whatever the base.
  EXPECT_NE(request.value().body.find(
                "sign=016EBF513A83BF18A2578CD3471FD542B6E0DFB3D064962D5B3A9D30B5759332"),
            std::string::npos);
}

TEST(LazadaSend, RefusesMissingSessionAndOtherKinds) {
  send_test::Senders senders;
  auto m = Reply();
  m.conversation_id.clear();
  EXPECT_EQ(senders.Get("lazada").BuildSend(m, send_test::Now()).error().code, Errc::kMissingField);
  m = Reply();
  m.kind = MessageKind::kClaimMessage;
  EXPECT_EQ(senders.Get("lazada").BuildSend(m, send_test::Now()).error().code, Errc::kInvalidField);
  m = Reply();
  m.text = std::string(2001, 'z');
  EXPECT_EQ(senders.Get("lazada").BuildSend(m, send_test::Now()).error().code, Errc::kInvalidField);
}

TEST(LazadaSend, ParsesResultsIncludingErrorsInside200) {
  send_test::Senders senders;
  const ReplySender& lazada = senders.Get("lazada");
  auto sent = lazada.ParseSendResult(Response(
      200,
      R"({"code":"0","data":{"message_id":"3001"},"request_id":"0ba2887315178178017221014"})"));
  EXPECT_EQ(sent.verdict, SendVerdict::kDelivered);
  EXPECT_EQ(sent.marketplace_message_id, "3001");

  auto token = lazada.ParseSendResult(Response(
      200,
      R"({"type":"ISV","code":"IllegalAccessToken","message":"The specified access token is invalid or expired","request_id":"0ba2"})"));
  EXPECT_EQ(token.verdict, SendVerdict::kRejected);
  EXPECT_NE(token.reason.find("IllegalAccessToken"), std::string::npos);

  EXPECT_EQ(
      lazada
          .ParseSendResult(Response(
              200, R"({"type":"ISV","code":"ApiCallLimit","message":"too fast","request_id":"1"})"))
          .verdict,
      SendVerdict::kRetry);
  EXPECT_EQ(lazada
                .ParseSendResult(Response(
                    200, R"({"type":"ISP","code":"InternalError","message":"x","request_id":"1"})"))
                .verdict,
            SendVerdict::kRetry);
  EXPECT_EQ(lazada.ParseSendResult(Response(200, R"({"data":{}})")).verdict,
            SendVerdict::kRejected);
  EXPECT_EQ(lazada.ParseSendResult(Response(502, "")).verdict, SendVerdict::kRetry);
}

}  // namespace
}  // namespace csgw::gateway
