// Validation of Config.disputes: rule sets per marketplace and store, alert offsets, webhooks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "gateway/config/config.h"

namespace csgw::gateway {
namespace {

using ::testing::HasSubstr;

std::string Problems(const std::string& json) {
  auto config = ParseConfigJson(json);
  return config ? "" : config.error().message;
}

TEST(DisputesConfig, AcceptsRuleSetsOffsetsAndWebhooks) {
  auto config = ParseConfigJson(
      R"({"disputes":{"rule_sets":{"aliexpress":"aliexpress-2024","ebay":"ebay-none"},)"
      R"("alerts_before":["72h","24h","2h"],)"
      R"("stores":[{"store_id":"shop-1","rule_sets":{"aliexpress":"aliexpress-legacy"},)"
      R"("alerts_before":["48h","90m"],"agents_webhook_url":"https://agents.example.com/hook",)"
      R"("escalation_webhook_url":"http://am.example.com/esc?x=1",)"
      R"("signing_secret":{"env":"DISPUTES_SECRET"}},{"store_id":"shop-2"}]}})");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config.value().disputes().stores(0).rule_sets().at("aliexpress"), "aliexpress-legacy");
  EXPECT_EQ(Problems("{}"), "");
}

TEST(DisputesConfig, ErrorsNameTheField) {
  const std::string problems = Problems(
      R"({"disputes":{"rule_sets":{"ozon":"ozon-none","aliexpress":"aliexpress-1999",)"
      R"("lazada":"aliexpress-2024"},"alerts_before":["24h","1d","0h","31d","soon"],)"
      R"("stores":[{"store_id":""},{"store_id":"s1","rule_sets":{"ebay":"ebay-2024"}},)"
      R"({"store_id":"s1"},{"store_id":"s3","agents_webhook_url":"ftp://x",)"
      R"("signing_secret":{"env":"S"}},)"
      R"({"store_id":"s4","escalation_webhook_url":"https://am.example.com/hook"},)"
      R"({"store_id":"s5","signing_secret":{"env":"S"}},)"
      R"({"store_id":"s6","alerts_before":["1h","2h","3h","4h","5h","6h","7h","8h","9h"]}]}})");
  for (const char* expected : {
           "disputes.rule_sets: marketplace ozon has no dispute mapping",
           "disputes.rule_sets.aliexpress: aliexpress-1999 is not a rule set of aliexpress",
           "disputes.rule_sets.lazada: aliexpress-2024 is not a rule set of lazada",
           "disputes.alerts_before: 1d is listed twice",
           "disputes.alerts_before: 0h is not a duration",
           "disputes.alerts_before: 31d is not a duration within (0, 30d]",
           "disputes.alerts_before: soon is not a duration",
           "disputes.stores[0].store_id must be 1..128 characters",
           "disputes.stores[1].rule_sets.ebay: ebay-2024 is not a rule set of ebay",
           "disputes.stores[2].store_id s1 is listed twice",
           "disputes.stores[3].agents_webhook_url must be an http:// or https:// URL",
           "disputes.stores[4].signing_secret: a secret reference",
           "disputes.stores[5].signing_secret is set without a webhook URL",
           "disputes.stores[6].alerts_before has more than 8 offsets",
       }) {
    EXPECT_THAT(problems, HasSubstr(expected));
  }
}

}  // namespace
}  // namespace csgw::gateway
