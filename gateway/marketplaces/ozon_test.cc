// What the fixture table cannot show for Ozon: the handshake's clock and escaping, the mapping
// tables, ids beyond 2^53, and that errors never carry the buyer's words.
#include "gateway/marketplaces/ozon.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/json.h"
#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"

namespace csgw::gateway {
namespace {

using std::chrono::milliseconds;

constexpr char kBuyerText[] = "PRIVATE-BUYER-WORDS: my address is 12 Lenina St";

InboundRequest Post(std::string body) {
  InboundRequest request;
  request.method = "POST";
  request.path = "/v1/webhooks/ozon";
  request.body = std::move(body);
  return request;
}

TimePoint At(const char* iso) { return *ParseIsoDateTime(iso); }

std::string NewMessage(const std::string& extra_members) {
  return R"({"message_type":"TYPE_NEW_MESSAGE","chat_id":"c-1","chat_type":"Buyer_Seller",)"
         R"("user":{"id":"115568","type":"Customer"},"seller_id":"7")" +
         extra_members + "}";
}

TEST(OzonAdapter, PingAnswersWithTheInjectedClock) {
  ManualClock clock(At("2024-02-29T23:59:59.987Z"));
  const OzonAdapter adapter({.app_name = "seller-gw", .url_token = ""}, clock);
  const InboundRequest ping = Post(R"({"message_type":"TYPE_PING","time":"2024-02-29T23:59:59Z"})");

  auto first = adapter.Normalize(ping);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first.value().events.empty());
  EXPECT_EQ(first.value().reply.status, 200);
  EXPECT_EQ(first.value().reply.content_type, "application/json");
  auto doc = JsonDocument::ParseObject(first.value().reply.body);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc.value().root().String("time").value(), "2024-02-29T23:59:59.987Z");
  EXPECT_EQ(doc.value().root().String("name").value(), "seller-gw");
  EXPECT_FALSE(doc.value().root().String("version").value().empty());

  clock.Advance(milliseconds(20));
  auto second = adapter.Normalize(ping);
  ASSERT_TRUE(second);
  auto later = JsonDocument::ParseObject(second.value().reply.body);
  ASSERT_TRUE(later);
  EXPECT_EQ(later.value().root().String("time").value(), "2024-03-01T00:00:00.007Z");
}

TEST(OzonAdapter, PingNameDefaultsAndIsEscaped) {
  ManualClock clock(At("2024-01-01T00:00:00Z"));
  const OzonAdapter unnamed({}, clock);
  auto reply = unnamed.Normalize(Post(R"({"message_type":"TYPE_PING"})"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(
      JsonDocument::ParseObject(reply.value().reply.body).value().root().String("name").value(),
      "csgw");

  const std::string name = "shop \"Север\"\\\n";
  const OzonAdapter named({.app_name = name, .url_token = ""}, clock);
  reply = named.Normalize(Post(R"({"message_type":"TYPE_PING"})"));
  ASSERT_TRUE(reply);
  auto doc = JsonDocument::ParseObject(reply.value().reply.body);
  ASSERT_TRUE(doc) << reply.value().reply.body;
  EXPECT_EQ(doc.value().root().String("name").value(), name);
}

TEST(OzonAdapter, ErrorsNeverContainTheBuyersText) {
  ManualClock clock(At("2022-07-18T21:00:00Z"));
  const OzonAdapter adapter({}, clock);
  const std::string text = std::string("\"") + kBuyerText + "\"";
  const std::vector<std::string> bodies = {
      // data holds the text next to a value of the wrong type.
      NewMessage(R"(,"message_id":"1","data":[)" + text + ",5]"),
      // The text is present but a required field is not.
      NewMessage(R"(,"data":[)" + text + "]"),
      // The text where a date belongs.
      NewMessage(R"(,"message_id":"1","created_at":)" + text + R"(,"data":["hi"])"),
      // The text where an object belongs.
      R"({"message_type":"TYPE_NEW_MESSAGE","chat_id":"c","message_id":"1","seller_id":"7",)"
      R"("user":)" +
          text + "}",
      // The text inside a body that does not parse.
      NewMessage(R"(,"message_id":"1","data":[)" + text),
  };
  for (const std::string& body : bodies) {
    auto intake = adapter.Normalize(Post(body));
    ASSERT_FALSE(intake) << body;
    EXPECT_EQ(intake.error().message.find("PRIVATE-BUYER-WORDS"), std::string::npos)
        << intake.error().message;
  }
}

TEST(OzonAdapter, IdsBeyondTwoToThe53StayExact) {
  ManualClock clock(At("2022-07-18T21:00:00Z"));
  const OzonAdapter adapter({}, clock);
  // 2^64 - 1 sent as a JSON number: a double would round it to 18446744073709551616.
  auto intake =
      adapter.Normalize(Post(NewMessage(R"(,"message_id":18446744073709551615,"data":["a","b"])")));
  ASSERT_TRUE(intake) << intake.error().message;
  const proto::Event& event = intake.value().events.at(0);
  EXPECT_EQ(event.event_id(), "18446744073709551615");
  EXPECT_EQ(event.buyer_message().message_id(), "18446744073709551615");
  EXPECT_EQ(event.buyer_message().text(), "a\nb");
  // No created_at: the event happened when it arrived.
  EXPECT_EQ(FromTimestamp(event.occurred_at()), clock.Now());
}

TEST(OzonAdapter, EachEditIsItsOwnEvent) {
  ManualClock clock(At("2022-07-18T21:00:00Z"));
  const OzonAdapter adapter({}, clock);
  auto edit = [&](const char* updated_at) {
    return adapter
        .Normalize(Post(R"({"message_type":"TYPE_UPDATE_MESSAGE","chat_id":"c","message_id":"5",)"
                        R"("updated_at":")" +
                        std::string(updated_at) +
                        R"(","user":{"id":"1","type":"Customer"},"data":["x"],"seller_id":"7"})"))
        .value()
        .events.at(0)
        .event_id();
  };
  EXPECT_EQ(edit("2022-07-18T20:59:04.528Z"), "5:edit:2022-07-18T20:59:04.528Z");
  EXPECT_NE(edit("2022-07-18T20:59:04.528Z"), edit("2022-07-18T20:59:30.000Z"));
}

TEST(OzonAdapter, UnhandledTypesAreAcknowledgedNotStored) {
  ManualClock clock(At("2022-07-18T21:00:00Z"));
  const OzonAdapter adapter({}, clock);
  for (const char* type :
       {"TYPE_PRICE_INDEX_CHANGED", "TYPE_FBO_POSTING_NEW", "TYPE_SOMETHING_NEW"}) {
    auto intake = adapter.Normalize(Post(std::string(R"({"message_type":")") + type + "\"}"));
    ASSERT_TRUE(intake) << type;
    EXPECT_TRUE(intake.value().events.empty());
    EXPECT_EQ(intake.value().ignored, type);
    EXPECT_EQ(intake.value().reply.status, 200);
    EXPECT_EQ(intake.value().reply.body, R"({"result":true})");
  }
}

TEST(OzonAdapter, OnlyPostIsAllowed) {
  ManualClock clock(At("2022-07-18T21:00:00Z"));
  const OzonAdapter adapter({}, clock);
  InboundRequest request = Post("");
  EXPECT_TRUE(adapter.Verify(request));
  for (const char* method : {"GET", "PUT", "HEAD"}) {
    request.method = method;
    auto verified = adapter.Verify(request);
    ASSERT_FALSE(verified) << method;
    EXPECT_EQ(verified.error().code, Errc::kMethodNotAllowed);
  }
}

TEST(OzonAdapter, WithoutAUrlTokenAnyPostIsAccepted) {
  ManualClock clock(At("2022-07-18T21:00:00Z"));
  const OzonAdapter adapter({}, clock);
  InboundRequest request = Post("{}");
  EXPECT_TRUE(adapter.Verify(request));
  request.query["token"] = "anything";
  EXPECT_TRUE(adapter.Verify(request));
}

// The token check itself is tested in event_util_test.cc; this proves the adapter applies it,
// after the method check.
TEST(OzonAdapter, AConfiguredUrlTokenMustBeInTheQuery) {
  ManualClock clock(At("2022-07-18T21:00:00Z"));
  const std::string token = "s3cr3t-url-token_0123456789";
  const OzonAdapter adapter({.app_name = "", .url_token = token}, clock);
  InboundRequest request = Post("{}");
  EXPECT_EQ(adapter.Verify(request).error().code, Errc::kBadSignature);
  request.query["token"] = token + "x";
  EXPECT_EQ(adapter.Verify(request).error().code, Errc::kBadSignature);
  request.query["token"] = token;
  EXPECT_TRUE(adapter.Verify(request));
  request.method = "GET";
  EXPECT_EQ(adapter.Verify(request).error().code, Errc::kMethodNotAllowed);
}

TEST(OzonMapping, SenderRole) {
  EXPECT_EQ(OzonSenderRole("Customer"), proto::SENDER_ROLE_BUYER);
  // Cyrillic capital Es (U+0421) + "ustomer", as in Ozon's documentation examples.
  EXPECT_EQ(OzonSenderRole("\xD0\xA1ustomer"), proto::SENDER_ROLE_BUYER);
  EXPECT_EQ(OzonSenderRole("customer"), proto::SENDER_ROLE_BUYER);
  EXPECT_EQ(OzonSenderRole("Seller"), proto::SENDER_ROLE_SELLER);
  EXPECT_EQ(OzonSenderRole("Support"), proto::SENDER_ROLE_PLATFORM);
  EXPECT_EQ(OzonSenderRole("NotificationUser"), proto::SENDER_ROLE_PLATFORM);
  EXPECT_EQ(OzonSenderRole("Courier"), proto::SENDER_ROLE_UNSPECIFIED);
  EXPECT_EQ(OzonSenderRole(""), proto::SENDER_ROLE_UNSPECIFIED);
}

TEST(OzonMapping, OrderIdOfPosting) {
  EXPECT_EQ(OzonOrderIdOfPosting("24219509-0020-1"), "24219509-0020");
  EXPECT_EQ(OzonOrderIdOfPosting("0574652831-0001-12"), "0574652831-0001");
  EXPECT_EQ(OzonOrderIdOfPosting("24219509"), "24219509");
}

TEST(OzonMapping, PostingStatus) {
  EXPECT_EQ(OzonOrderStatus("posting_delivered"), proto::ORDER_STATUS_DELIVERED);
  EXPECT_EQ(OzonOrderStatus("posting_received"), proto::ORDER_STATUS_DELIVERED);
  EXPECT_EQ(OzonOrderStatus("delivered"), proto::ORDER_STATUS_DELIVERED);
  EXPECT_EQ(OzonOrderStatus("posting_canceled"), proto::ORDER_STATUS_CANCELLED);
  EXPECT_EQ(OzonOrderStatus("cancelled"), proto::ORDER_STATUS_CANCELLED);
  EXPECT_EQ(OzonOrderStatus("posting_driver_pick_up"), proto::ORDER_STATUS_SHIPPED);
  EXPECT_EQ(OzonOrderStatus("driver_pickup"), proto::ORDER_STATUS_SHIPPED);
  EXPECT_EQ(OzonOrderStatus("delivering"), proto::ORDER_STATUS_SHIPPED);
  EXPECT_EQ(OzonOrderStatus("posting_transferred_to_courier_service"), proto::ORDER_STATUS_SHIPPED);
  EXPECT_EQ(OzonOrderStatus("posting_in_pickup_point"), proto::ORDER_STATUS_SHIPPED);
  EXPECT_EQ(OzonOrderStatus("awaiting_packaging"), proto::ORDER_STATUS_AWAITING_SHIPMENT);
  EXPECT_EQ(OzonOrderStatus("awaiting_deliver"), proto::ORDER_STATUS_AWAITING_SHIPMENT);
  EXPECT_EQ(OzonOrderStatus("posting_created"), proto::ORDER_STATUS_AWAITING_SHIPMENT);
  EXPECT_EQ(OzonOrderStatus("posting_transferring_to_delivery"),
            proto::ORDER_STATUS_AWAITING_SHIPMENT);
  EXPECT_EQ(OzonOrderStatus("posting_in_arbitration"), proto::ORDER_STATUS_UNSPECIFIED);
  EXPECT_EQ(OzonOrderStatus("posting_something_new"), proto::ORDER_STATUS_UNSPECIFIED);
}

}  // namespace
}  // namespace csgw::gateway
