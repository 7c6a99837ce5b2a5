// What the fixture table cannot show for Lazada: the signature against a value computed outside
// our code, the freshness window's edges, the mapping tables, and what errors reveal.
#include "gateway/marketplaces/lazada.h"

#include <gtest/gtest.h>

#include <cctype>

#include "base/crypto.h"
#include "base/timestamp.h"

namespace csgw::gateway {
namespace {

using std::chrono::seconds;

constexpr char kAppKey[] = "34567";
constexpr char kAppSecret[] = "unit-test-secret";

// A trade order push for Malaysia, timestamp 1603698640 s (2020-10-26T07:50:40Z).
constexpr char kBody[] =
    R"({"seller_id":"1234567","message_type":0,"data":{"order_status":"pending",)"
    R"("trade_order_id":"260422900198363","trade_order_line_id":"260422900298363",)"
    R"("status_update_time":1603698638},"timestamp":1603698640,"site":"lazada_my"})";
// hex HMAC-SHA256(key = kAppSecret, message = kAppKey + kBody), computed with
// `openssl dgst -sha256 -hmac unit-test-secret` and with Python's hmac module.
constexpr char kKnownSignature[] =
    "2a0c2a23f119196e5bcb35d7fcd17273bf2e2940a5516f02e7d66007e5ddb9de";

TimePoint SentAt() { return FromUnixMillis(1603698640000); }

InboundRequest Post(std::string body, std::string authorization) {
  InboundRequest request;
  request.method = "POST";
  request.path = "/v1/webhooks/lazada";
  request.body = std::move(body);
  request.headers["content-type"] = "application/json";
  if (!authorization.empty()) request.headers["authorization"] = std::move(authorization);
  return request;
}

class LazadaAdapterTest : public ::testing::Test {
 protected:
  LazadaAdapter Adapter(seconds max_age = seconds(3600)) {
    return LazadaAdapter(LazadaAdapter::Options{kAppKey, kAppSecret, max_age}, clock_);
  }
  ManualClock clock_{SentAt() + seconds(5)};
};

TEST_F(LazadaAdapterTest, AcceptsSignatureComputedIndependently) {
  const LazadaAdapter adapter = Adapter();
  const InboundRequest request = Post(kBody, kKnownSignature);
  ASSERT_TRUE(adapter.Verify(request));
  auto intake = adapter.Normalize(request);
  ASSERT_TRUE(intake) << intake.error().message;
  ASSERT_EQ(intake.value().events.size(), 1u);
  const proto::Event& event = intake.value().events[0];
  EXPECT_EQ(event.event_id(), "0:260422900298363:pending:1603698638");
  EXPECT_EQ(event.store_id(), "1234567");
  EXPECT_EQ(event.buyer().country(), "MY");
  EXPECT_EQ(event.order_update().status(), proto::ORDER_STATUS_AWAITING_SHIPMENT);
  EXPECT_EQ(intake.value().reply.status, 200);
  EXPECT_EQ(intake.value().reply.body, "");
}

TEST_F(LazadaAdapterTest, SignatureHexIsCaseInsensitive) {
  std::string upper = kKnownSignature;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(Adapter().Verify(Post(kBody, upper)));
}

TEST_F(LazadaAdapterTest, RejectsAnyChangeToSignatureBodyOrKey) {
  const LazadaAdapter adapter = Adapter();
  std::string signature = kKnownSignature;
  signature[10] = signature[10] == '0' ? '1' : '0';
  EXPECT_EQ(adapter.Verify(Post(kBody, signature)).error().code, Errc::kBadSignature);

  std::string body = kBody;
  body.replace(body.find("pending"), 7, "shipped");
  EXPECT_EQ(adapter.Verify(Post(body, kKnownSignature)).error().code, Errc::kBadSignature);

  const LazadaAdapter other_key(LazadaAdapter::Options{"34568", kAppSecret, seconds(3600)}, clock_);
  EXPECT_EQ(other_key.Verify(Post(kBody, kKnownSignature)).error().code, Errc::kBadSignature);
  EXPECT_EQ(adapter.Verify(Post(kBody, "")).error().code, Errc::kBadSignature);
  EXPECT_EQ(adapter.Verify(Post(kBody, std::string(kKnownSignature).substr(0, 63))).error().code,
            Errc::kBadSignature);
}

TEST_F(LazadaAdapterTest, ChecksSignatureBeforeParsing) {
  // An unsigned garbage body is a signature failure, not a parse error: nothing reads
  // unauthenticated bytes.
  auto result = Adapter().Verify(Post("{not json", "00"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kBadSignature);
}

TEST_F(LazadaAdapterTest, SignatureErrorRevealsNeitherSecretNorExpectedValue) {
  auto result = Adapter().Verify(Post(kBody, std::string(64, 'a')));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message.find(kKnownSignature), std::string::npos);
  EXPECT_EQ(result.error().message.find(kAppSecret), std::string::npos);
}

TEST_F(LazadaAdapterTest, FreshnessWindowEdges) {
  const InboundRequest request = Post(kBody, kKnownSignature);
  clock_.Set(SentAt() + seconds(3600));
  EXPECT_TRUE(Adapter().Verify(request));
  clock_.Set(SentAt() + seconds(3601));
  EXPECT_EQ(Adapter().Verify(request).error().code, Errc::kStaleRequest);
  // A sender clock up to 15 minutes ahead is tolerated, beyond that it is refused.
  clock_.Set(SentAt() - std::chrono::minutes(15));
  EXPECT_TRUE(Adapter().Verify(request));
  clock_.Set(SentAt() - std::chrono::minutes(15) - seconds(1));
  EXPECT_EQ(Adapter().Verify(request).error().code, Errc::kStaleRequest);
}

TEST_F(LazadaAdapterTest, SessionUpdateWithoutTimestampIsAcceptedOtherTypesAreNot) {
  const std::string session =
      R"({"data":{"session_id":"1_2_3","to_position":1596550789323},"seller_id":7,)"
      R"("message_type":19})";
  const LazadaAdapter adapter = Adapter();
  const InboundRequest request =
      Post(session, crypto::HmacSha256Hex(kAppSecret, kAppKey + session));
  ASSERT_TRUE(adapter.Verify(request));
  auto intake = adapter.Normalize(request);
  ASSERT_TRUE(intake) << intake.error().message;
  ASSERT_EQ(intake.value().events.size(), 1u);
  EXPECT_EQ(intake.value().events[0].event_id(), "19:1_2_3:1596550789323:0");
  EXPECT_EQ(intake.value().events[0].pending_fetch().topic(), "SESSION_UPDATE");

  const std::string order = R"({"data":{},"seller_id":7,"message_type":0})";
  auto rejected = adapter.Verify(Post(order, crypto::HmacSha256Hex(kAppSecret, kAppKey + order)));
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, Errc::kMissingField);
  EXPECT_NE(rejected.error().message.find("timestamp"), std::string::npos);
}

TEST_F(LazadaAdapterTest, OnlyPostIsAllowed) {
  InboundRequest request = Post(kBody, kKnownSignature);
  request.method = "GET";
  EXPECT_EQ(Adapter().Verify(request).error().code, Errc::kMethodNotAllowed);
}

TEST_F(LazadaAdapterTest, ErrorsNameTheFieldWithItsPath) {
  const std::string body =
      R"({"seller_id":"1","message_type":10,"data":{"reverse_order_id":1,"reverse_status":"RTM_INIT",)"
      R"("status_update_time":1},"timestamp":1603698640})";
  auto intake = Adapter().Normalize(Post(body, ""));
  ASSERT_FALSE(intake);
  EXPECT_EQ(intake.error().code, Errc::kMissingField);
  EXPECT_NE(intake.error().message.find("data.reverse_order_line_id"), std::string::npos);
}

TEST(LazadaMapping, CountryOfSite) {
  EXPECT_EQ(LazadaCountryOfSite("lazada_sg"), "SG");
  EXPECT_EQ(LazadaCountryOfSite("LAZADA_SG"), "SG");
  EXPECT_EQ(LazadaCountryOfSite("lazada-sg"), "SG");
  EXPECT_EQ(LazadaCountryOfSite("Lazada_Vn"), "VN");
  EXPECT_EQ(LazadaCountryOfSite("lazada_my"), "MY");
  EXPECT_EQ(LazadaCountryOfSite("lazada_th"), "TH");
  EXPECT_EQ(LazadaCountryOfSite("lazada_ph"), "PH");
  EXPECT_EQ(LazadaCountryOfSite("lazada_id"), "ID");
  EXPECT_EQ(LazadaCountryOfSite("SG"), "SG");
  EXPECT_EQ(LazadaCountryOfSite("lazada_cn"), "");
  EXPECT_EQ(LazadaCountryOfSite("miravia_es"), "");
  EXPECT_EQ(LazadaCountryOfSite(""), "");
}

TEST(LazadaMapping, OrderStatus) {
  EXPECT_EQ(LazadaOrderStatus("unpaid"), proto::ORDER_STATUS_UNPAID);
  EXPECT_EQ(LazadaOrderStatus("pending"), proto::ORDER_STATUS_AWAITING_SHIPMENT);
  EXPECT_EQ(LazadaOrderStatus("packed"), proto::ORDER_STATUS_AWAITING_SHIPMENT);
  EXPECT_EQ(LazadaOrderStatus("ready_to_ship"), proto::ORDER_STATUS_AWAITING_SHIPMENT);
  EXPECT_EQ(LazadaOrderStatus("shipped"), proto::ORDER_STATUS_SHIPPED);
  EXPECT_EQ(LazadaOrderStatus("delivered"), proto::ORDER_STATUS_DELIVERED);
  EXPECT_EQ(LazadaOrderStatus("canceled"), proto::ORDER_STATUS_CANCELLED);
  EXPECT_EQ(LazadaOrderStatus("returned"), proto::ORDER_STATUS_RETURNED);
  EXPECT_EQ(LazadaOrderStatus("failed"), proto::ORDER_STATUS_FAILED_DELIVERY);
  EXPECT_EQ(LazadaOrderStatus("lost"), proto::ORDER_STATUS_FAILED_DELIVERY);
  EXPECT_EQ(LazadaOrderStatus("confirmed"), proto::ORDER_STATUS_COMPLETED);
  EXPECT_EQ(LazadaOrderStatus("Shipped"), proto::ORDER_STATUS_SHIPPED);
  EXPECT_EQ(LazadaOrderStatus("something_new"), proto::ORDER_STATUS_UNSPECIFIED);
}

TEST(LazadaMapping, DisputeType) {
  EXPECT_EQ(LazadaDisputeType("CANCEL_INIT"), "cancel");
  EXPECT_EQ(LazadaDisputeType("CANCEL_REFUND_ISSUED"), "cancel");
  EXPECT_EQ(LazadaDisputeType("RTM_INIT"), "return");
  EXPECT_EQ(LazadaDisputeType("RTM_CANCELED"), "return");
  EXPECT_EQ(LazadaDisputeType("REFUND_SUCCESS"), "refund_only");
  EXPECT_EQ(LazadaDisputeType("ONLY_REFUND"), "refund_only");
  EXPECT_EQ(LazadaDisputeType("rtm_init"), "return");
  EXPECT_EQ(LazadaDisputeType("UNKNOWN_STATE"), "");
}

}  // namespace
}  // namespace csgw::gateway
