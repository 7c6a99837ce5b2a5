// The fetch behind Mercado Libre's thin notifications. The pending events come from the push
// adapter itself (the official notification examples in tests/fixtures/mercadolibre); the
// answers are shaped after Mercado Libre's documented resources: messages.get.response.json
// follows the "Get messages by pack" example (buyer text and message_resources filled in),
// claims.get.response.json and orders.get.response.json the fields of the claims and orders
// references, with made-up values.
#include "gateway/marketplaces/mercadolibre_poll.h"

#include <gtest/gtest.h>

#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/marketplaces/mercadolibre.h"
#include "gateway/marketplaces/send_test_support.h"
#include "tests/support/fixtures.h"

namespace csgw::gateway {
namespace {

using send_test::Response;

std::string Fixture(const std::string& name) {
  return testing::ReadFileOrDie(testing::FixturesDir() + "/mercadolibre/" + name);
}

MercadoLibreFetcher Fetcher() {
  auto config = send_test::Config();
  for (const char* store : {"523132944", "465432224", "468424240"}) {
    send_test::AddAccount(config, "mercadolibre", store)
        ->mutable_access_token()
        ->set_env("CSGW_TEST_ML_TOKEN");
  }
  auto accounts = ResolveAccounts(config, "mercadolibre");
  EXPECT_TRUE(accounts);
  return MercadoLibreFetcher(AccountBook("mercadolibre", std::move(accounts).value()));
}

// The event the push adapter stores for a notification body.
proto::Event Pending(const std::string& body) {
  ManualClock clock(send_test::Now());
  MercadoLibreAdapter adapter(MercadoLibreAdapter::Options{}, clock);
  InboundRequest request;
  request.method = "POST";
  request.path = "/v1/webhooks/mercadolibre";
  request.body = body;
  auto intake = adapter.Normalize(request);
  EXPECT_TRUE(intake) << intake.error().message;
  EXPECT_EQ(intake.value().events.size(), 1u);
  return intake.value().events.at(0);
}

std::string Iso(const google::protobuf::Timestamp& t) { return FormatIsoMillis(FromTimestamp(t)); }

TEST(MercadoLibreFetch, BuildsTheResourceGetForEachTopic) {
  const MercadoLibreFetcher fetcher = Fetcher();
  auto order = fetcher.BuildFetch(Pending(Fixture("notification.orders_v2.json")));
  ASSERT_TRUE(order) << order.error().message;
  EXPECT_EQ(order.value().method, "GET");
  EXPECT_EQ(order.value().url, "https://api.mercadolibre.com/orders/2195160686");
  const send_test::Headers want = {{"Authorization", "Bearer APP_USR-ml-token"}};
  EXPECT_EQ(order.value().headers, want);
  EXPECT_EQ(order.value().body, "");

  auto claim = fetcher.BuildFetch(Pending(Fixture("notification.claims.json")));
  ASSERT_TRUE(claim);
  EXPECT_EQ(claim.value().url, "https://api.mercadolibre.com/post-purchase/v1/claims/1041417027");

  auto message = fetcher.BuildFetch(
      Pending(Fixture("notification.messages.wire_body_from_missed_feeds.json")));
  ASSERT_TRUE(message);
  EXPECT_EQ(message.value().url,
            "https://api.mercadolibre.com/messages/a35cf79864a845ca9a3bf6aee59bb4d7?tag=post_sale");

  // The store of the notification must have an account.
  auto unknown =
      fetcher.BuildFetch(Pending(Fixture("notification.messages.doc_example.corrected_read.json")));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::kNotFound);
  // Not a notification with something to fetch.
  proto::Event other;
  other.set_marketplace("ozon");
  EXPECT_EQ(fetcher.BuildFetch(other).error().code, Errc::kInvalidField);
}

TEST(MercadoLibreFetch, MessagesBecomeFullBuyerMessages) {
  const MercadoLibreFetcher fetcher = Fetcher();
  const proto::Event pending = Pending(
      R"({"resource":"2d45a5ad186041659e9a608f0c109dff","user_id":"523132944","topic":"messages",)"
      R"("actions":["created"],"application_id":3486171129139063,"attempts":1,)"
      R"("sent":"2020-03-13T15:14:11.279Z","received":"2020-03-13T15:14:11.259Z"})");
  auto events = fetcher.ParseFetch(pending, Response(200, Fixture("messages.get.response.json")),
                                   send_test::Now());
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events.value().size(), 1u);
  const proto::Event& e = events.value()[0];
  EXPECT_EQ(e.event_id(), "message:2d45a5ad186041659e9a608f0c109dff");
  EXPECT_EQ(e.store_id(), "523132944");
  EXPECT_EQ(Iso(e.occurred_at()), "2020-03-13T15:14:10.000Z");
  EXPECT_EQ(e.buyer().id(), "441782523");
  const proto::BuyerMessage& m = e.buyer_message();
  EXPECT_EQ(m.kind(), proto::BuyerMessage::KIND_NEW);
  EXPECT_EQ(m.sender(), proto::SENDER_ROLE_BUYER);
  EXPECT_EQ(m.conversation_id(), "2000003508419013");
  EXPECT_EQ(m.text(), "Hola, ¿cuándo llega mi pedido?");
  ASSERT_EQ(m.attachments_size(), 1);
  EXPECT_EQ(m.attachments(0).name(), "FileName.png");
  // The fetched event is a different event from the notification, and stable across fetches.
  EXPECT_NE(e.event_id(), pending.event_id());
  auto again = fetcher.ParseFetch(pending, Response(200, Fixture("messages.get.response.json")),
                                  send_test::Now() + std::chrono::hours(1));
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value()[0].event_id(), e.event_id());
}

TEST(MercadoLibreFetch, ReadNotificationsBecomeReadReceipts) {
  const MercadoLibreFetcher fetcher = Fetcher();
  const proto::Event pending = Pending(
      R"({"resource":"2d45a5ad186041659e9a608f0c109dff","user_id":"441782523","topic":"messages",)"
      R"("actions":["read"],"sent":"2020-03-13T16:00:00.000Z","received":"2020-03-13T16:00:00.000Z"})");
  auto config = send_test::Config();
  send_test::AddAccount(config, "mercadolibre", "441782523")
      ->mutable_access_token()
      ->set_env("CSGW_TEST_ML_TOKEN");
  MercadoLibreFetcher seller_view(
      AccountBook("mercadolibre", ResolveAccounts(config, "mercadolibre").value()));
  auto events = seller_view.ParseFetch(
      pending, Response(200, Fixture("messages.get.response.json")), send_test::Now());
  ASSERT_TRUE(events) << events.error().message;
  const proto::Event& e = events.value().at(0);
  EXPECT_EQ(e.event_id(), "message:2d45a5ad186041659e9a608f0c109dff:read");
  EXPECT_EQ(e.buyer_message().kind(), proto::BuyerMessage::KIND_READ);
  EXPECT_EQ(e.buyer_message().read_up_to_message_id(), "2d45a5ad186041659e9a608f0c109dff");
  // Seen from seller 441782523, the message is its own.
  EXPECT_EQ(e.buyer_message().sender(), proto::SENDER_ROLE_SELLER);
  EXPECT_EQ(e.buyer().id(), "523132944");
  (void)fetcher;
}

TEST(MercadoLibreFetch, ClaimsCarryWhatTheDisputeMappingNeeds) {
  const MercadoLibreFetcher fetcher = Fetcher();
  const proto::Event pending = Pending(Fixture("notification.claims.json"));
  auto events = fetcher.ParseFetch(pending, Response(200, Fixture("claims.get.response.json")),
                                   send_test::Now());
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events.value().size(), 1u);
  const proto::Event& e = events.value()[0];
  EXPECT_EQ(e.event_id(), "claim:1041417027:2019-11-05T12:01:22.000-04:00");
  EXPECT_EQ(Iso(e.occurred_at()), "2019-11-05T16:01:22.000Z");
  EXPECT_EQ(e.order().order_id(), "2195160686");
  EXPECT_EQ(e.dispute_update().dispute_id(), "1041417027");
  EXPECT_EQ(e.dispute_update().marketplace_status(), "closed");
  EXPECT_EQ(e.dispute_update().dispute_type(), "claim");
  EXPECT_EQ(e.dispute_update().reason(), "PNR");
  auto claim = MercadoLibreClaimOf(e);
  ASSERT_TRUE(claim) << claim.error().message;
  EXPECT_EQ(claim.value().type, "mediations");
  EXPECT_EQ(claim.value().stage, "dispute");
  EXPECT_EQ(claim.value().status, "closed");
  EXPECT_EQ(claim.value().reason_id, "PNR");
  EXPECT_EQ(claim.value().benefited, "complainant");
  // The notification itself carries no claim.
  EXPECT_EQ(MercadoLibreClaimOf(pending).error().code, Errc::kNotFound);
}

TEST(MercadoLibreFetch, OrdersBecomeOrderUpdatesWithExactMoney) {
  const MercadoLibreFetcher fetcher = Fetcher();
  const proto::Event pending = Pending(Fixture("notification.orders_v2.json"));
  auto events = fetcher.ParseFetch(pending, Response(200, Fixture("orders.get.response.json")),
                                   send_test::Now());
  ASSERT_TRUE(events) << events.error().message;
  const proto::Event& e = events.value().at(0);
  EXPECT_EQ(e.event_id(), "order:2195160686:2019-10-30T12:19:20.000-04:00");
  EXPECT_EQ(e.order().order_id(), "2195160686");
  EXPECT_EQ(e.order().shipment_id(), "2000000312345678");
  EXPECT_EQ(e.buyer().id(), "441782523");
  EXPECT_EQ(e.buyer().display_name(), "TESTBUYER123");
  const proto::OrderUpdate& u = e.order_update();
  EXPECT_EQ(u.status(), proto::ORDER_STATUS_PAID);
  EXPECT_EQ(u.marketplace_status(), "paid");
  EXPECT_EQ(u.total().amount(), "1250.5");
  EXPECT_EQ(u.total().currency(), "ARS");
  ASSERT_EQ(u.items_size(), 1);
  EXPECT_EQ(u.items(0).item_id(), "MLA801234567");
  EXPECT_EQ(u.items(0).sku(), "FUNDA-01");
  EXPECT_EQ(u.items(0).quantity(), 2);
  EXPECT_EQ(u.items(0).price().amount(), "625.25");
  EXPECT_EQ(MercadoLibreOrderStatus("payment_required"), proto::ORDER_STATUS_UNPAID);
  EXPECT_EQ(MercadoLibreOrderStatus("cancelled"), proto::ORDER_STATUS_CANCELLED);
}

TEST(MercadoLibreFetch, Errors) {
  const MercadoLibreFetcher fetcher = Fetcher();
  const proto::Event pending = Pending(Fixture("notification.orders_v2.json"));
  EXPECT_EQ(fetcher.ParseFetch(pending, Response(404, "{}"), send_test::Now()).error().code,
            Errc::kNotFound);
  EXPECT_EQ(fetcher.ParseFetch(pending, Response(503, ""), send_test::Now()).error().code,
            Errc::kUpstreamUnavailable);
  EXPECT_EQ(fetcher.ParseFetch(pending, Response(401, ""), send_test::Now()).error().code,
            Errc::kForbidden);
  EXPECT_EQ(
      fetcher.ParseFetch(pending, Response(200, R"({"id":1})"), send_test::Now()).error().code,
      Errc::kMissingField);
}

}  // namespace
}  // namespace csgw::gateway
