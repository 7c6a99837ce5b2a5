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

}  // namespace
}  // namespace csgw::gateway
