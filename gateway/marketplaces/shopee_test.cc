#include "gateway/marketplaces/shopee.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "base/crypto.h"
#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"

namespace csgw::gateway {
namespace {

constexpr char kCallbackUrl[] = "https://csgw.example.com/v1/webhooks/shopee";
constexpr char kPartnerKey[] = "unit-test-partner-key";
constexpr int64_t kSentAt = 1726044722;  // 2024-09-11T08:52:02Z

TimePoint At(int64_t unix_seconds) { return TimePoint(std::chrono::seconds(unix_seconds)); }

class ShopeeTest : public ::testing::Test {
 protected:
  ShopeeAdapter MakeAdapter(std::chrono::seconds max_age = std::chrono::hours(24)) {
    return ShopeeAdapter({kCallbackUrl, kPartnerKey, max_age}, clock_);
  }

  static InboundRequest Signed(std::string body) {
    InboundRequest request;
    request.method = "POST";
    request.path = "/v1/webhooks/shopee";
    request.headers["content-type"] = "application/json";
    request.headers["authorization"] =
        crypto::HmacSha256Hex(kPartnerKey, std::string(kCallbackUrl) + "|" + body);
    request.body = std::move(body);
    return request;
  }

  // A code-10 push whose content members are given as JSON text.
  static std::string Webchat(const std::string& content_members,
                             const std::string& extra_data = "") {
    return R"({"msg_id":"","data":{"type":"message",)" + extra_data + R"("content":{)" +
           content_members + R"(}},"shop_id":947042923,"code":10,"timestamp":)" +
           std::to_string(kSentAt) + "}";
  }

  static std::string OrderPush(const std::string& status) {
    return R"({"msg_id":"","data":{"ordersn":"240911QWE3RT5Y","status":")" + status +
           R"(","update_time":1726045800},"shop_id":947042923,"code":3,"timestamp":)" +
           std::to_string(kSentAt) + "}";
  }

  Result<Intake> VerifyAndNormalize(const ShopeeAdapter& adapter, const InboundRequest& request) {
    if (auto ok = adapter.Verify(request); !ok) return ok.error();
    return adapter.Normalize(request);
  }

  ManualClock clock_{At(kSentAt + 30)};
};

constexpr char kTextContent[] =
    R"("message_id":"2302748948493123953","shop_id":165103149,"from_id":165105353,)"
    R"("from_user_name":"vn_cstoreponorogo","to_id":947151379,"to_user_name":"keelatofficial",)"
    R"("message_type":"text","content":{"text":"Baik kak"},"conversation_id":"709122092476686867",)"
    R"("created_timestamp":1726044721,"region":"ID")";

TEST_F(ShopeeTest, NormalizesABuyerTextMessage) {
  const ShopeeAdapter adapter = MakeAdapter();
  const InboundRequest request = Signed(Webchat(kTextContent));
  auto intake = VerifyAndNormalize(adapter, request);
  ASSERT_TRUE(intake) << intake.error().message;
  ASSERT_EQ(intake.value().events.size(), 1u);
  const proto::Event& event = intake.value().events[0];
  EXPECT_EQ(event.marketplace(), "shopee");
  EXPECT_EQ(event.event_id(), "2302748948493123953");
  EXPECT_EQ(event.store_id(), "947042923");
  EXPECT_EQ(FromTimestamp(event.occurred_at()), At(1726044721));
  EXPECT_EQ(FromTimestamp(event.received_at()), clock_.Now());
  EXPECT_EQ(event.buyer().id(), "165105353");
  EXPECT_EQ(event.buyer().display_name(), "vn_cstoreponorogo");
  EXPECT_EQ(event.buyer().country(), "ID");
  const proto::BuyerMessage& message = event.buyer_message();
  EXPECT_EQ(message.kind(), proto::BuyerMessage::KIND_NEW);
  EXPECT_EQ(message.sender(), proto::SENDER_ROLE_BUYER);
  EXPECT_EQ(message.conversation_id(), "709122092476686867");
  EXPECT_EQ(message.text(), "Baik kak");
  EXPECT_EQ(event.raw().body(), request.body);
  EXPECT_EQ(event.raw().content_type(), "application/json");
  EXPECT_TRUE(intake.value().ignored.empty());
}

TEST_F(ShopeeTest, RepliesTwoHundredWithAnEmptyBody) {
  const ShopeeAdapter adapter = MakeAdapter();
  for (const std::string& body : {Webchat(kTextContent), OrderPush("SHIPPED")}) {
    auto intake = VerifyAndNormalize(adapter, Signed(body));
    ASSERT_TRUE(intake) << intake.error().message;
    EXPECT_EQ(intake.value().reply.status, 200);
    EXPECT_EQ(intake.value().reply.body, "");
    EXPECT_EQ(intake.value().reply.content_type, "");
  }
}

TEST_F(ShopeeTest, NumericIdsBeyondDoublePrecisionStayExact) {
  const ShopeeAdapter adapter = MakeAdapter();
  const std::string content =
      R"("message_id":2302748948493123953,"from_id":165105353,"message_type":"text",)"
      R"("content":{"text":"x"},"conversation_id":709122092476686867,"created_timestamp":1726044721)";
  auto intake = VerifyAndNormalize(adapter, Signed(Webchat(content)));
  ASSERT_TRUE(intake) << intake.error().message;
  EXPECT_EQ(intake.value().events[0].event_id(), "2302748948493123953");
  EXPECT_EQ(intake.value().events[0].buyer_message().conversation_id(), "709122092476686867");
}

TEST_F(ShopeeTest, MessageFromTheShopItselfIsTheSellers) {
  const ShopeeAdapter adapter = MakeAdapter();
  // The seller's own shop id as content.shop_id, or (should Shopee send it so) from_id equal to
  // the envelope's shop id.
  for (const std::string& sender : {std::string(R"("shop_id":947042923,"from_id":947151379,)"),
                                    std::string(R"("from_id":947042923,)")}) {
    const std::string content =
        sender +
        R"("from_user_name":"keelatofficial","to_id":165105353,)"
        R"("to_user_name":"vn_cstoreponorogo","message_id":"1","message_type":"text",)"
        R"("content":{"text":"sent"},"conversation_id":"7","created_timestamp":1726044721)";
    auto intake = VerifyAndNormalize(adapter, Signed(Webchat(content)));
    ASSERT_TRUE(intake) << intake.error().message;
    const proto::Event& event = intake.value().events[0];
    EXPECT_EQ(event.buyer_message().sender(), proto::SENDER_ROLE_SELLER) << sender;
    EXPECT_EQ(event.buyer().id(), "165105353") << sender;
    EXPECT_EQ(event.buyer().display_name(), "vn_cstoreponorogo") << sender;
  }
}

TEST_F(ShopeeTest, NonTextMessagesKeepTheTextEmpty) {
  const ShopeeAdapter adapter = MakeAdapter();
  const std::string content =
      R"("message_id":"5","from_id":1,"message_type":"sticker","content":{"sticker_id":"x"},)"
      R"("conversation_id":"7","created_timestamp":1726044721)";
  auto intake = VerifyAndNormalize(adapter, Signed(Webchat(content)));
  ASSERT_TRUE(intake) << intake.error().message;
  EXPECT_EQ(intake.value().events[0].buyer_message().text(), "");
  EXPECT_EQ(intake.value().events[0].buyer_message().attachments_size(), 0);
}

TEST_F(ShopeeTest, RegionFallsBackToTheDataBlockAndMustBeAlpha2) {
  const ShopeeAdapter adapter = MakeAdapter();
  const std::string content =
      R"("message_id":"5","from_id":1,"message_type":"text","content":{"text":"x"},)"
      R"("conversation_id":"7","created_timestamp":1726044721)";
  auto from_data = VerifyAndNormalize(adapter, Signed(Webchat(content, R"("region":"th",)")));
  ASSERT_TRUE(from_data) << from_data.error().message;
  EXPECT_EQ(from_data.value().events[0].buyer().country(), "TH");
  auto bad = VerifyAndNormalize(adapter, Signed(Webchat(content, R"("region":"SEA",)")));
  ASSERT_TRUE(bad) << bad.error().message;
  EXPECT_EQ(bad.value().events[0].buyer().country(), "");
}

TEST_F(ShopeeTest, MapsEveryOrderStatus) {
  const ShopeeAdapter adapter = MakeAdapter();
  const std::pair<const char*, proto::OrderStatus> table[] = {
      {"UNPAID", proto::ORDER_STATUS_UNPAID},
      {"READY_TO_SHIP", proto::ORDER_STATUS_AWAITING_SHIPMENT},
      {"PROCESSED", proto::ORDER_STATUS_AWAITING_SHIPMENT},
      {"SHIPPED", proto::ORDER_STATUS_SHIPPED},
      {"TO_CONFIRM_RECEIVE", proto::ORDER_STATUS_DELIVERED},
      {"COMPLETED", proto::ORDER_STATUS_COMPLETED},
      {"IN_CANCEL", proto::ORDER_STATUS_CANCELLED},
      {"CANCELLED", proto::ORDER_STATUS_CANCELLED},
      {"TO_RETURN", proto::ORDER_STATUS_RETURNED},
      {"INVOICE_PENDING", proto::ORDER_STATUS_UNSPECIFIED},
  };
  for (const auto& [status, expected] : table) {
    auto intake = VerifyAndNormalize(adapter, Signed(OrderPush(status)));
    ASSERT_TRUE(intake) << status << ": " << intake.error().message;
    const proto::Event& event = intake.value().events[0];
    EXPECT_EQ(event.order_update().status(), expected) << status;
    EXPECT_EQ(event.order_update().marketplace_status(), status);
    EXPECT_EQ(event.order().order_id(), "240911QWE3RT5Y");
    EXPECT_EQ(event.event_id(), std::string("240911QWE3RT5Y:") + status + ":1726045800");
    EXPECT_EQ(FromTimestamp(event.occurred_at()), At(1726045800));
  }
}

TEST_F(ShopeeTest, SignatureCoversTheCallbackUrl) {
  const ShopeeAdapter adapter = MakeAdapter();
  InboundRequest request = Signed(OrderPush("SHIPPED"));
  request.headers["authorization"] = crypto::HmacSha256Hex(
      kPartnerKey, std::string("https://elsewhere.example.com/hook|") + request.body);
  auto ok = adapter.Verify(request);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, Errc::kBadSignature);
}

TEST_F(ShopeeTest, SignatureHexIsCaseInsensitive) {
  const ShopeeAdapter adapter = MakeAdapter();
  InboundRequest request = Signed(OrderPush("SHIPPED"));
  for (char& c : request.headers["authorization"]) c = static_cast<char>(std::toupper(c));
  EXPECT_TRUE(adapter.Verify(request));
}

TEST_F(ShopeeTest, RejectsMissingOrEmptySignature) {
  const ShopeeAdapter adapter = MakeAdapter();
  InboundRequest request = Signed(OrderPush("SHIPPED"));
  request.headers["authorization"] = "";
  EXPECT_EQ(adapter.Verify(request).error().code, Errc::kBadSignature);
  request.headers.erase("authorization");
  EXPECT_EQ(adapter.Verify(request).error().code, Errc::kBadSignature);
}

TEST_F(ShopeeTest, FreshnessWindowIsInclusiveOfMaxAge) {
  const ShopeeAdapter adapter = MakeAdapter(std::chrono::seconds(300));
  const InboundRequest request = Signed(OrderPush("SHIPPED"));
  clock_.Set(At(kSentAt + 300));
  EXPECT_TRUE(adapter.Verify(request));
  clock_.Set(At(kSentAt + 301));
  auto stale = adapter.Verify(request);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Errc::kStaleRequest);
}

TEST_F(ShopeeTest, RejectsNegativeTimestamps) {
  const ShopeeAdapter adapter = MakeAdapter();
  auto result = adapter.Verify(Signed(R"({"code":3,"shop_id":1,"timestamp":-5,"data":{}})"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kInvalidField);
}

TEST_F(ShopeeTest, ErrorsNameTheFieldButNeverTheText) {
  const ShopeeAdapter adapter = MakeAdapter();
  const std::string content =
      R"("message_id":"5","from_id":1,"message_type":"text","content":{"text":"my secret address"},)"
      R"("conversation_id":"7","created_timestamp":"yesterday")";
  auto intake = VerifyAndNormalize(adapter, Signed(Webchat(content)));
  ASSERT_FALSE(intake);
  EXPECT_EQ(intake.error().code, Errc::kInvalidField);
  EXPECT_NE(intake.error().message.find("data.content.created_timestamp"), std::string::npos)
      << intake.error().message;
  EXPECT_EQ(intake.error().message.find("secret"), std::string::npos);

  auto no_text = VerifyAndNormalize(
      adapter, Signed(Webchat(R"("message_id":"5","from_id":1,"message_type":"text",)"
                              R"("content":{},"conversation_id":"7","created_timestamp":1)")));
  ASSERT_FALSE(no_text);
  EXPECT_EQ(no_text.error().code, Errc::kMissingField);
  EXPECT_NE(no_text.error().message.find("data.content.content.text"), std::string::npos)
      << no_text.error().message;
}

TEST_F(ShopeeTest, EnvelopeFieldsAreRequired) {
  const ShopeeAdapter adapter = MakeAdapter();
  const std::string ts = std::to_string(kSentAt);
  auto no_shop =
      VerifyAndNormalize(adapter, Signed(R"({"code":3,"data":{},"timestamp":)" + ts + "}"));
  ASSERT_FALSE(no_shop);
  EXPECT_EQ(no_shop.error().code, Errc::kMissingField);
  EXPECT_NE(no_shop.error().message.find("shop_id"), std::string::npos);
  auto no_timestamp = adapter.Verify(Signed(R"({"code":3,"shop_id":1,"data":{}})"));
  ASSERT_FALSE(no_timestamp);
  EXPECT_EQ(no_timestamp.error().code, Errc::kMissingField);
}

TEST_F(ShopeeTest, UnusedCodesAreAcknowledgedWithoutEvents) {
  const ShopeeAdapter adapter = MakeAdapter();
  auto intake = VerifyAndNormalize(
      adapter, Signed(R"({"msg_id":"","data":{"item_id":1},"shop_id":947042923,"code":6,)"
                      R"("timestamp":)" +
                      std::to_string(kSentAt) + "}"));
  ASSERT_TRUE(intake) << intake.error().message;
  EXPECT_TRUE(intake.value().events.empty());
  EXPECT_EQ(intake.value().ignored, "code_6");
  EXPECT_EQ(intake.value().reply.status, 200);
  EXPECT_EQ(intake.value().reply.body, "");
}

}  // namespace
}  // namespace csgw::gateway
