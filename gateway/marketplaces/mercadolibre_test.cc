// What the fixture table cannot show for Mercado Libre: which fields the derived event id
// depends on (retries dedupe, distinct changes do not), the fetch seam, and the reply shape.
#include "gateway/marketplaces/mercadolibre.h"

#include <gtest/gtest.h>

#include <string>

#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"

namespace csgw::gateway {
namespace {

InboundRequest Post(std::string body) {
  InboundRequest request;
  request.method = "POST";
  request.path = "/v1/webhooks/mercadolibre";
  request.body = std::move(body);
  return request;
}

class MercadoLibreAdapterTest : public ::testing::Test {
 protected:
  Result<Intake> Normalize(const std::string& body) const { return adapter_.Normalize(Post(body)); }
  // The id of the one event `body` produces.
  std::string EventId(const std::string& body) const {
    auto intake = Normalize(body);
    EXPECT_TRUE(intake) << (intake ? "" : intake.error().message);
    if (!intake || intake.value().events.size() != 1) return "<none>";
    return intake.value().events[0].event_id();
  }

  ManualClock clock_{*ParseIsoDateTime("2024-02-14T12:00:02Z")};
  MercadoLibreAdapter adapter_{{}, clock_};
};

std::string Notification(const std::string& attempts, const std::string& sent,
                         const std::string& received, const std::string& actions = "") {
  return R"({"resource":"3f6da1e35ac84f70a24af7360d24c7bc","user_id":123456789,)"
         R"("topic":"messages","application_id":89745685555,"attempts":)" +
         attempts + R"(,"sent":")" + sent + R"(","received":")" + received + "\"" +
         (actions.empty() ? "" : R"(,"actions":)" + actions) + "}";
}

TEST_F(MercadoLibreAdapterTest, RetriesOfOneNotificationShareTheEventId) {
  const std::string first =
      EventId(Notification("1", "2017-10-09T13:44:33.006Z", "2017-10-09T13:44:32.984Z"));
  const std::string retry =
      EventId(Notification("5", "2017-10-09T14:01:10.411Z", "2017-10-09T13:44:32.984Z"));
  EXPECT_EQ(first, retry);
  EXPECT_EQ(first.size(), 64u);  // hex SHA-256
}

TEST_F(MercadoLibreAdapterTest, DistinctChangesGetDistinctEventIds) {
  const std::string base = EventId(
      Notification("1", "2017-10-09T13:44:33.006Z", "2017-10-09T13:44:32.984Z", R"(["created"])"));
  EXPECT_NE(base, EventId(Notification("1", "2017-10-09T13:44:33.006Z", "2017-10-09T13:44:32.984Z",
                                       R"(["read"])")));
  EXPECT_NE(base, EventId(Notification("1", "2017-10-09T13:44:33.006Z", "2017-10-09T13:50:00.000Z",
                                       R"(["created"])")));
}

// The official examples reuse one _id for different notifications: it must not merge them.
TEST_F(MercadoLibreAdapterTest, OneDeliveryIdOnDifferentChangesDoesNotMergeThem) {
  const std::string order =
      EventId(R"({"_id":"abc-1","resource":"/orders/1","user_id":1,)"
              R"("topic":"orders_v2","received":"2024-02-14T12:00:00.998Z"})");
  EXPECT_NE(order, EventId(R"({"_id":"abc-1","resource":"/v1/claims/1","user_id":1,)"
                           R"("topic":"claims","received":"2024-02-14T12:00:00.998Z"})"));
  // A retry of the same record (attempts and sent change) keeps its id.
  EXPECT_EQ(order, EventId(R"({"_id":"abc-1","resource":"/orders/1","user_id":1,"attempts":3,)"
                           R"("topic":"orders_v2","sent":"2024-02-14T12:05:00Z",)"
                           R"("received":"2024-02-14T12:00:00.998Z"})"));
}

TEST_F(MercadoLibreAdapterTest, EveryEventNamesWhatToFetch) {
  auto intake = Normalize(
      Notification("1", "2017-10-09T13:44:33.006Z", "2017-10-09T13:44:32.984Z", R"(["read"])"));
  ASSERT_TRUE(intake);
  const proto::Event& event = intake.value().events.at(0);
  EXPECT_EQ(event.pending_fetch().topic(), "messages");
  EXPECT_EQ(event.pending_fetch().resource(), "3f6da1e35ac84f70a24af7360d24c7bc");
  ASSERT_EQ(event.pending_fetch().actions_size(), 1);
  EXPECT_EQ(event.pending_fetch().actions(0), "read");
  EXPECT_EQ(event.buyer_message().kind(), proto::BuyerMessage::KIND_READ);
  EXPECT_EQ(event.store_id(), "123456789");
}

TEST_F(MercadoLibreAdapterTest, UnknownActionsAskForAFetch) {
  auto intake = Normalize(Notification("1", "2017-10-09T13:44:33.006Z", "2017-10-09T13:44:32.984Z",
                                       R"(["moderated"])"));
  ASSERT_TRUE(intake);
  EXPECT_EQ(intake.value().events.at(0).buyer_message().kind(),
            proto::BuyerMessage::KIND_CONVERSATION_UPDATED);
}

TEST_F(MercadoLibreAdapterTest, KeepsNanosecondsOfTheMisspeltReceived) {
  auto intake = Normalize(
      R"({"resource":"/orders/1","user_id":"9","topic":"orders_v2",)"
      R"("sent":"2021-12-05T17:13:53.700Z","recieved":"2021-12-05T17:13:53.617074685Z"})");
  ASSERT_TRUE(intake);
  const proto::Event& event = intake.value().events.at(0);
  EXPECT_EQ(event.occurred_at().nanos(), 617074685);
  EXPECT_EQ(FromTimestamp(event.occurred_at()),
            *ParseIsoDateTime("2021-12-05T17:13:53.617074685Z"));
}

TEST_F(MercadoLibreAdapterTest, RepliesEmpty200) {
  auto intake = Normalize(R"({"resource":"/orders/1","user_id":1,"topic":"orders_v2"})");
  ASSERT_TRUE(intake);
  EXPECT_EQ(intake.value().reply.status, 200);
  EXPECT_EQ(intake.value().reply.body, "");
  EXPECT_EQ(intake.value().reply.content_type, "");
}

TEST_F(MercadoLibreAdapterTest, ResourceErrorsDoNotEchoTheResource) {
  auto intake = Normalize(R"({"resource":"/claims-x/77777","user_id":1,"topic":"claims"})");
  ASSERT_FALSE(intake);
  EXPECT_EQ(intake.error().code, Errc::kInvalidField);
  EXPECT_NE(intake.error().message.find("'resource'"), std::string::npos);
  EXPECT_EQ(intake.error().message.find("77777"), std::string::npos);
}

TEST_F(MercadoLibreAdapterTest, WithoutAUrlTokenAnyPostIsAccepted) {
  InboundRequest request = Post("{}");
  EXPECT_TRUE(adapter_.Verify(request));
  request.query["token"] = "anything";
  EXPECT_TRUE(adapter_.Verify(request));
}

// The token check itself is tested in event_util_test.cc; this proves the adapter applies it.
TEST_F(MercadoLibreAdapterTest, AConfiguredUrlTokenMustBeInTheQuery) {
  const std::string token = "s3cr3t-url-token_0123456789";
  const MercadoLibreAdapter adapter({.url_token = token}, clock_);
  InboundRequest request = Post("{}");
  EXPECT_EQ(adapter.Verify(request).error().code, Errc::kBadSignature);
  request.query["token"] = token + "x";
  EXPECT_EQ(adapter.Verify(request).error().code, Errc::kBadSignature);
  request.query["token"] = token;
  EXPECT_TRUE(adapter.Verify(request));
}

TEST_F(MercadoLibreAdapterTest, OnlyPostIsAllowed) {
  InboundRequest request = Post("");
  EXPECT_TRUE(adapter_.Verify(request));
  request.method = "GET";
  auto verified = adapter_.Verify(request);
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, Errc::kMethodNotAllowed);
}

}  // namespace
}  // namespace csgw::gateway
