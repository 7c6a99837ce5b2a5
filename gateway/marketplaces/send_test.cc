#include "gateway/marketplaces/send.h"

#include <gtest/gtest.h>

#include "gateway/marketplaces/api_util.h"
#include "gateway/marketplaces/registry.h"
#include "gateway/marketplaces/send_test_support.h"

namespace csgw::gateway {
namespace {

TEST(SenderRegistry, HasASenderPerMarketplaceWithAnAccount) {
  send_test::Senders senders;
  for (std::string_view id :
       {"ozon", "mercadolibre", "lazada", "shopee", "ebay", "aliexpress", "wildberries"}) {
    EXPECT_EQ(senders.Get(id).Marketplace(), id);
  }

  auto config = send_test::Config();
  config.clear_accounts();
  send_test::AddAccount(config, "ozon", "7")->mutable_api_key()->set_env("CSGW_TEST_OZON_API_KEY");
  ManualClock clock(send_test::Now());
  auto registry = SenderRegistry::Build(config, clock);
  ASSERT_TRUE(registry);
  EXPECT_NE(registry.value()->Find("ozon"), nullptr);
  EXPECT_EQ(registry.value()->Find("lazada"), nullptr);
  EXPECT_EQ(registry.value()->Ids(), std::vector<std::string_view>{"ozon"});
}

TEST(SenderRegistry, AnUnreadableSecretNamesItsField) {
  auto config = send_test::Config();
  config.mutable_accounts(3)->mutable_access_token()->set_env("CSGW_TEST_UNSET_VARIABLE_H2");
  unsetenv("CSGW_TEST_UNSET_VARIABLE_H2");
  ManualClock clock(send_test::Now());
  auto registry = SenderRegistry::Build(config, clock);
  ASSERT_FALSE(registry);
  EXPECT_NE(registry.error().message.find("accounts[3].access_token"), std::string::npos);
}

// AliExpress and Wildberries are configured (for their senders and pollers) but have no push
// adapter: the webhook registry leaves them out instead of failing.
TEST(SenderRegistry, PolledMarketplacesGetNoPushAdapter) {
  const proto::Config config = send_test::Config();
  ASSERT_TRUE(config.marketplaces().has_aliexpress() && config.marketplaces().has_wildberries());
  ManualClock clock(send_test::Now());
  auto adapters = AdapterRegistry::Build(config.marketplaces(), clock);
  ASSERT_TRUE(adapters) << adapters.error().message;
  EXPECT_EQ(adapters.value()->Find("aliexpress"), nullptr);
  EXPECT_EQ(adapters.value()->Find("wildberries"), nullptr);
  EXPECT_NE(adapters.value()->Find("lazada"), nullptr);
}

TEST(ApiUtil, PercentEncodesEverythingButUnreserved) {
  EXPECT_EQ(PercentEncode("aZ09-._~ /?&=+%ж"), "aZ09-._~%20%2F%3F%26%3D%2B%25%D0%B6");
  EXPECT_EQ(FormEncode({{"a b", "c&d"}, {"e", ""}}), "a%20b=c%26d&e=");
  EXPECT_EQ(PercentDecode("aZ09-._~%20%2F%3F%26%3D%2B%25%D0%B6"), "aZ09-._~ /?&=+%ж");
  EXPECT_EQ(PercentDecode("%2"), std::nullopt);
  EXPECT_EQ(PercentDecode("%zz"), std::nullopt);
}

TEST(ApiUtil, CountsCodePointsNotBytes) {
  EXPECT_EQ(CodePointCount("abc"), 3u);
  EXPECT_EQ(CodePointCount("жёлтый"), 6u);
  EXPECT_EQ(CodePointCount("🙂"), 1u);
  EXPECT_TRUE(CheckText("x", "🙂🙂", 2));
  EXPECT_FALSE(CheckText("x", "🙂🙂🙂", 2));
}

TEST(ApiUtil, ReadsRetryAfterInBothForms) {
  const TimePoint now = send_test::Now();  // Fri, 15 Mar 2024 12:00:00 GMT
  auto with = [](std::string value) {
    return send_test::Response(429, "", {{"retry-after", std::move(value)}});
  };
  EXPECT_EQ(RetryAfterOf(with("120"), now), std::chrono::seconds(120));
  EXPECT_EQ(RetryAfterOf(with(" 5 "), now), std::chrono::seconds(5));
  EXPECT_EQ(RetryAfterOf(with("Fri, 15 Mar 2024 12:01:00 GMT"), now), std::chrono::seconds(60));
  EXPECT_EQ(RetryAfterOf(with("Fri, 15 Mar 2024 11:00:00 GMT"), now), std::chrono::seconds(0));
  EXPECT_EQ(RetryAfterOf(with("99999999999"), now), std::chrono::seconds(86400));
  EXPECT_EQ(RetryAfterOf(with("soon"), now), std::nullopt);
  EXPECT_EQ(RetryAfterOf(with("Fri, 31 Feb 2024 12:01:00 GMT"), now), std::nullopt);
  EXPECT_EQ(RetryAfterOf(send_test::Response(429, ""), now), std::nullopt);
}

TEST(ApiUtil, ClassifiesStatuses) {
  const TimePoint now = send_test::Now();
  EXPECT_FALSE(OutcomeOfStatus("m", send_test::Response(204, ""), now));
  for (int status : {0, 408, 425, 429, 500, 502, 503, 504}) {
    auto outcome = OutcomeOfStatus("m", send_test::Response(status, ""), now);
    ASSERT_TRUE(outcome) << status;
    EXPECT_EQ(outcome->verdict, SendVerdict::kRetry) << status;
  }
  for (int status : {301, 400, 401, 403, 404, 409, 413, 422}) {
    auto outcome = OutcomeOfStatus("m", send_test::Response(status, ""), now, "why");
    ASSERT_TRUE(outcome) << status;
    EXPECT_EQ(outcome->verdict, SendVerdict::kRejected) << status;
    EXPECT_EQ(outcome->reason, "m HTTP " + std::to_string(status) + " why");
  }
}

TEST(ApiUtil, ClipsAtCharacterBoundaries) {
  EXPECT_EQ(Clip("short"), "short");
  EXPECT_EQ(Clip("жжж", 3), "ж...");
}

}  // namespace
}  // namespace csgw::gateway
