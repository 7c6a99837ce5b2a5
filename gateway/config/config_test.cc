// Validation of the marketplace settings that guard authenticity: the optional URL tokens of the
// unsigned marketplaces and the eBay store list, plus the shipped example config.
#include "gateway/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace csgw::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string SourceDir() {
  if (const char* dir = std::getenv("CSGW_SOURCE_DIR"); dir != nullptr && *dir != '\0') return dir;
  // Run outside ctest: this file is <source>/gateway/config/config_test.cc.
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().string();
}

// The error ParseConfigJson reports for `json`, or "" when it is accepted.
std::string Problems(const std::string& json) {
  auto config = ParseConfigJson(json);
  return config ? "" : config.error().message;
}

// An otherwise valid eBay section with `extra` members appended.
std::string Ebay(const std::string& extra) {
  return R"({"marketplaces":{"ebay":{"endpoint_url":"https://gw.example.com/v1/webhooks/ebay",)"
         R"("verification_token":{"env":"T"})" +
         extra + "}}}";
}

TEST(Config, FullExampleIsValid) {
  auto config = LoadConfigFile(SourceDir() + "/config/csgw.full.example.json");
  ASSERT_TRUE(config) << config.error().message;
  const proto::MarketplacesConfig& m = config.value().marketplaces();
  EXPECT_TRUE(m.ozon().url_token().has_env());
  EXPECT_TRUE(m.mercadolibre().url_token().has_file());
  EXPECT_EQ(m.ebay().store_ids_size(), 1);
}

TEST(Config, UrlTokensAreOptional) {
  auto config = ParseConfigJson(R"({"marketplaces":{"ozon":{},"mercadolibre":{}}})");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_FALSE(config.value().marketplaces().ozon().has_url_token());
  EXPECT_FALSE(config.value().marketplaces().mercadolibre().has_url_token());
  EXPECT_EQ(Problems(R"({"marketplaces":{"ozon":{"url_token":{"env":"OZON_TOKEN"}},)"
                     R"("mercadolibre":{"url_token":{"file":"/run/ml_token"}}}})"),
            "");
}

TEST(Config, UrlTokenThatIsWrittenMustNameASource) {
  EXPECT_THAT(Problems(R"({"marketplaces":{"ozon":{"url_token":{"env":""}}}})"),
              HasSubstr("marketplaces.ozon.url_token.env is empty"));
  EXPECT_THAT(Problems(R"({"marketplaces":{"mercadolibre":{"url_token":{"file":""}}}})"),
              HasSubstr("marketplaces.mercadolibre.url_token.file is empty"));
  // An empty reference would otherwise read as "no token" and accept every push.
  EXPECT_THAT(Problems(R"({"marketplaces":{"ozon":{"url_token":{}}}})"),
              HasSubstr("marketplaces.ozon.url_token: a secret reference"));
  EXPECT_THAT(Problems(R"({"marketplaces":{"mercadolibre":{"url_token":{}}}})"),
              HasSubstr("marketplaces.mercadolibre.url_token: a secret reference"));
}

TEST(Config, EbayStoreIdsAreShortAndPlain) {
  EXPECT_EQ(Problems(Ebay("")), "");
  EXPECT_EQ(Problems(Ebay(R"(,"default_store_id":"main","store_ids":["a.b_c:d-1",")" +
                          std::string(128, 'x') + R"("])")),
            "");
  const std::string problems =
      Problems(Ebay(R"(,"store_ids":["ok","","has space","a/b","caf\u00e9",")" +
                    std::string(129, 'x') + R"("])"));
  EXPECT_THAT(problems, Not(HasSubstr("store_ids[0]")));
  for (int i = 1; i <= 5; ++i) {
    EXPECT_THAT(problems, HasSubstr("marketplaces.ebay.store_ids[" + std::to_string(i) +
                                    "] must be 1..128 characters of [A-Za-z0-9._:-]"));
  }
  EXPECT_THAT(Problems(Ebay(R"(,"default_store_id":"my store")")),
              HasSubstr("marketplaces.ebay.default_store_id must be"));
}

TEST(Config, EbayEndpointUrlHasNoQuery) {
  // The challenge appends ?store=<id> to it; a query already there could never be what eBay
  // hashes.
  EXPECT_THAT(Problems(R"({"marketplaces":{"ebay":{)"
                       R"("endpoint_url":"https://gw.example.com/v1/webhooks/ebay?store=a",)"
                       R"("verification_token":{"env":"T"}}}})"),
              HasSubstr("marketplaces.ebay.endpoint_url must not have a query string"));
}

TEST(Config, OdrStoresWebhooksAndRates) {
  EXPECT_EQ(Problems(R"({"odr":{"rules_dir":"/etc/csgw/odr","usd_rates":{"RUB":"0.011","EUR":"1.08"},)"
                     R"("stores":[{"store_id":"s1","rule_sets":["aliexpress-2015","replies"],)"
                     R"("alert_webhook_url":"https://am.example.com/hook",)"
                     R"("alert_signing_secret":{"env":"ODR_SECRET"}},{"store_id":"s2"}]}})"),
            "");
  const std::string problems = Problems(
      R"({"odr":{"usd_rates":{"rub":"0.011","EUR":"-1","GBP":"0","JPY":"1e-2"},)"
      R"("stores":[{"store_id":""},{"store_id":"s1","rule_sets":[""]},{"store_id":"s1"},)"
      R"({"store_id":"s3","alert_webhook_url":"ftp://x"},)"
      R"({"store_id":"s4","alert_webhook_url":"https://am.example.com/hook"},)"
      R"({"store_id":"s5","alert_signing_secret":{"env":"S"}}]}})");
  for (const char* expected :
       {"odr.stores[0].store_id must be 1..128 characters", "odr.stores[1].rule_sets has an empty id",
        "odr.stores[2].store_id s1 is listed twice",
        "odr.stores[3].alert_webhook_url must be an http:// or https:// URL",
        "odr.stores[4].alert_signing_secret: a secret reference",
        "odr.stores[5].alert_signing_secret is set without alert_webhook_url",
        "odr.usd_rates: rub is not an ISO 4217 code", "odr.usd_rates.EUR must be a positive decimal",
        "odr.usd_rates.GBP must be a positive decimal", "odr.usd_rates.JPY must be a positive decimal"}) {
    EXPECT_THAT(problems, HasSubstr(expected));
  }
}

// Seller accounts (Config.accounts) and the app keys their senders and pollers need.
TEST(Config, AccountsNeedTheirSecretsAndAppKeys) {
  EXPECT_EQ(Problems(R"({"marketplaces":{"lazada":{"app_key":"100132","app_secret":{"env":"S"}},)"
                     R"("shopee":{"callback_url":"https://gw.example.com/v1/webhooks/shopee",)"
                     R"("partner_key":{"env":"K"},"partner_id":"2001887"},)"
                     R"("aliexpress":{"app_key":"345","app_secret":{"env":"A"}},"wildberries":{}},)"
                     R"("accounts":[{"marketplace":"ozon","store_id":"7","api_key":{"env":"O"}},)"
                     R"({"marketplace":"lazada","store_id":"100094063","site":"SG",)"
                     R"("access_token":{"file":"/run/lzd"}},)"
                     R"({"marketplace":"shopee","store_id":"14701711","access_token":{"env":"T"}},)"
                     R"({"marketplace":"aliexpress","store_id":"cn15","access_token":{"env":"T"},)"
                     R"("api_base_url":"http://127.0.0.1:8081/ae"},)"
                     R"({"marketplace":"wildberries","store_id":"wb-main","access_token":{"env":"W"}}]})"),
            "");
  const std::string problems = Problems(
      R"({"accounts":[{"marketplace":"amazon","store_id":"a"},)"
      R"({"marketplace":"ozon","store_id":"7"},)"
      R"({"marketplace":"ozon","store_id":"7","api_key":{"env":"O"}},)"
      R"({"marketplace":"mercadolibre","store_id":"bad id","access_token":{"env":"T"}},)"
      R"({"marketplace":"lazada","store_id":"1","access_token":{"env":"T"},"site":"US"},)"
      R"({"marketplace":"shopee","store_id":"shop","access_token":{"env":"T"}},)"
      R"({"marketplace":"aliexpress","store_id":"cn1","access_token":{"env":"T"}},)"
      R"({"marketplace":"ebay","store_id":"e1","access_token":{"env":"T"},)"
      R"("api_base_url":"https://api.ebay.com/"}],)"
      R"("marketplaces":{"mercadolibre":{"messaging_agent_sites":["mlb"]}}})");
  for (const char* expected :
       {"accounts[0].marketplace must be one of", "accounts[1].api_key: a secret reference",
        "accounts[2]: ozon store 7 is listed twice", "accounts[3].store_id must be 1..128",
        "accounts[4]: marketplaces.lazada (app_key, app_secret) is required",
        "accounts[4].site must be SG, MY, VN, TH, PH or ID",
        "accounts[5].shop_id (default store_id) must be digits",
        "accounts[5]: marketplaces.shopee.partner_id is required",
        "accounts[6]: marketplaces.aliexpress (app_key, app_secret) is required",
        "accounts[7].api_base_url must be http(s)://host",
        "marketplaces.mercadolibre.messaging_agent_sites: mlb is not a site id"}) {
    EXPECT_THAT(problems, HasSubstr(expected));
  }
}

TEST(Config, PolledMarketplacesGetDefaultsOnlyWhenPresent) {
  auto config = ParseConfigJson(R"({"marketplaces":{"aliexpress":{"app_key":"1",)"
                                R"("app_secret":{"env":"A"}},"mercadolibre":{}}})");
  ASSERT_TRUE(config) << config.error().message;
  const auto& m = config.value().marketplaces();
  EXPECT_EQ(m.aliexpress().protocol(), "iop");
  EXPECT_EQ(m.aliexpress().sign_method(), "hmac-sha256");
  EXPECT_EQ(m.aliexpress().poll_interval_seconds(), 60u);
  EXPECT_FALSE(m.has_wildberries());
  ASSERT_EQ(m.mercadolibre().messaging_agent_sites_size(), 2);
  EXPECT_EQ(m.mercadolibre().messaging_agent_sites(0), "MLB");
  EXPECT_THAT(Problems(R"({"marketplaces":{"aliexpress":{"app_key":"1","app_secret":{"env":"A"},)"
                       R"("protocol":"rest","sign_method":"sha1"}}})"),
              HasSubstr("marketplaces.aliexpress.protocol must be iop or top"));
}

}  // namespace
}  // namespace csgw::gateway
