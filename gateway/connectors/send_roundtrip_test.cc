// The send builders' requests over real HTTP: each marketplace's request goes through the
// libcurl client to the loopback mock marketplace, arrives with the path, headers and body the
// builder made, and the mock's answer (shaped like the marketplace's) is judged delivered.
#include <gtest/gtest.h>

#include "gateway/marketplaces/send.h"
#include "gateway/marketplaces/send_test_support.h"
#include "gateway/outbound/http_client.h"
#include "tests/support/mock_marketplace.h"

namespace csgw::gateway {
namespace {

struct Case {
  OutboundMessage message;
  std::string method;
  std::string path;
};

std::vector<Case> Cases() {
  auto make = [](std::string marketplace, std::string store, std::string conversation,
                 std::string buyer, MessageKind kind = MessageKind::kReply) {
    OutboundMessage m;
    m.marketplace = std::move(marketplace);
    m.store_id = std::move(store);
    m.conversation_id = std::move(conversation);
    m.buyer_id = std::move(buyer);
    m.kind = kind;
    m.text = "Здравствуйте! ¡Hola! Hello & welcome: 50% off";
    m.reply_token = "1:641b623c-5c0e-295b-db03-3d5b4d484c32:signature";
    return m;
  };
  return {
      {make("ozon", "7", "b646d975-0c9c-4872-9f41-8b1e57181063", ""), "POST",
       "/v1/chat/send/message"},
      {make("mercadolibre", "415458330", "2000003508419013", "123456789"), "POST",
       "/messages/packs/2000003508419013/sellers/415458330"},
      {make("mercadolibre", "415458330", "5154807768", "", MessageKind::kClaimMessage), "POST",
       "/post-purchase/v1/claims/5154807768/actions/send-message"},
      {make("lazada", "100094063", "100094063_2_1011822749_1_103", ""), "POST", "/im/message/send"},
      {make("shopee", "14701711", "", "1033339541"), "POST", "/api/v2/sellerchat/send_message"},
      {make("ebay", "ebay-seller-42", "124850576707", ""), "POST",
       "/commerce/message/v1/send_message"},
      {make("ebay", "ebay-seller-42", "5000012345", "", MessageKind::kClaimMessage), "POST",
       "/post-order/v2/return/5000012345/send_message"},
      {make("wildberries", "wb-main", "1:641b623c", ""), "POST", "/api/v1/seller/message"},
      {make("aliexpress", "cn1510000000abcd", "2004009123456", "ru1234567890abcd"), "POST",
       "/sync"},
  };
}

TEST(SendRoundTrip, EveryMarketplacesRequestArrivesAsBuiltAndIsDelivered) {
  auto mock = csgw::testing::MockMarketplace::Start();
  ASSERT_TRUE(mock) << mock.error().message;
  csgw::testing::RespondLikeMarketplaces(*mock.value());
  auto client = outbound::HttpClient::Create({});
  ASSERT_TRUE(client) << client.error().message;
  proto::Config config = send_test::Config();
  for (auto& account : *config.mutable_accounts()) {
    account.set_api_base_url(mock.value()->BaseUrl());
  }
  send_test::Senders senders(config);

  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.message.marketplace + " " + std::string(MessageKindName(c.message.kind)));
    const ReplySender& sender = senders.Get(c.message.marketplace);
    auto request = sender.BuildSend(c.message, send_test::Now());
    ASSERT_TRUE(request) << request.error().message;
    const outbound::HttpRequest sent = request.value();
    mock.value()->ClearRequests();
    auto response = client.value()->SendSync(std::move(request).value());
    ASSERT_TRUE(response) << response.error().message;
    const SendOutcome outcome = sender.ParseSendResult(response.value());
    EXPECT_EQ(outcome.verdict, SendVerdict::kDelivered) << outcome.reason;

    auto recorded = mock.value()->Requests();
    ASSERT_EQ(recorded.size(), 1u);
    EXPECT_EQ(recorded[0].method, c.method);
    EXPECT_EQ(recorded[0].path, c.path);
    EXPECT_EQ(recorded[0].body, sent.body);
    for (const auto& [name, value] : sent.headers) {
      std::string lower;
      for (char ch : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      EXPECT_EQ(recorded[0].Header(lower), value) << name;
    }
  }
}

}  // namespace
}  // namespace csgw::gateway
