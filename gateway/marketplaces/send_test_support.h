// Test support for the send builder tests: one config with an account on every marketplace
// (secrets by environment variable), the fixed clock they sign with, and small helpers.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "gateway/config/config.h"
#include "gateway/marketplaces/send.h"
#include "tests/support/fixtures.h"

namespace csgw::gateway::send_test {

// 2024-03-15T12:00:00Z: 1710504000 s; "2024-03-15 20:00:00" in GMT+8.
inline TimePoint Now() { return TimePoint(std::chrono::seconds(1710504000)); }

inline void SetSecrets() {
  setenv("CSGW_TEST_OZON_API_KEY", "ozon-api-key-0123", 1);
  setenv("CSGW_TEST_ML_TOKEN", "APP_USR-ml-token", 1);
  setenv("CSGW_TEST_LAZADA_TOKEN", "lzd-access-token", 1);
  setenv("CSGW_TEST_LAZADA_SECRET", "lazada-test-app-secret", 1);
  setenv("CSGW_TEST_SHOPEE_TOKEN", "shp-access-token", 1);
  setenv("CSGW_TEST_SHOPEE_KEY", "shopee-test-partner-key", 1);
  setenv("CSGW_TEST_EBAY_USER_TOKEN", "v^1.1#ebay-user-token", 1);
  setenv("CSGW_TEST_EBAY_TOKEN", "ebay-test-verification-token_0123456789", 1);
  setenv("CSGW_TEST_AE_SESSION", "ae-session-token", 1);
  setenv("CSGW_TEST_AE_SECRET", "ae-test-app-secret", 1);
  setenv("CSGW_TEST_WB_TOKEN", "wb-api-token", 1);
}

inline proto::MarketplaceAccount* AddAccount(proto::Config& config, const std::string& marketplace,
                                             const std::string& store_id) {
  auto* a = config.add_accounts();
  a->set_marketplace(marketplace);
  a->set_store_id(store_id);
  return a;
}

// Every marketplace with one account; AliExpress on the given protocol / TOP sign method.
inline proto::Config Config(const std::string& ae_protocol = "iop",
                            const std::string& ae_sign_method = "hmac-sha256") {
  SetSecrets();
  proto::Config config;
  auto* m = config.mutable_marketplaces();
  m->mutable_ozon();
  m->mutable_mercadolibre();
  m->mutable_lazada()->set_app_key("100132");
  m->mutable_lazada()->mutable_app_secret()->set_env("CSGW_TEST_LAZADA_SECRET");
  m->mutable_shopee()->set_callback_url("https://csgw.example.com/v1/webhooks/shopee");
  m->mutable_shopee()->mutable_partner_key()->set_env("CSGW_TEST_SHOPEE_KEY");
  m->mutable_shopee()->set_partner_id(2001887);
  m->mutable_ebay()->set_endpoint_url("https://csgw.example.com/v1/webhooks/ebay");
  m->mutable_ebay()->mutable_verification_token()->set_env("CSGW_TEST_EBAY_TOKEN");
  m->mutable_aliexpress()->set_app_key("34567890");
  m->mutable_aliexpress()->mutable_app_secret()->set_env("CSGW_TEST_AE_SECRET");
  m->mutable_aliexpress()->set_protocol(ae_protocol);
  m->mutable_aliexpress()->set_sign_method(ae_sign_method);
  m->mutable_wildberries();

  AddAccount(config, "ozon", "7")->mutable_api_key()->set_env("CSGW_TEST_OZON_API_KEY");
  auto* ml = AddAccount(config, "mercadolibre", "415458330");
  ml->mutable_access_token()->set_env("CSGW_TEST_ML_TOKEN");
  ml->set_site("MLB");
  auto* lz = AddAccount(config, "lazada", "100094063");
  lz->mutable_access_token()->set_env("CSGW_TEST_LAZADA_TOKEN");
  lz->set_site("SG");
  AddAccount(config, "shopee", "14701711")
      ->mutable_access_token()
      ->set_env("CSGW_TEST_SHOPEE_TOKEN");
  auto* eb = AddAccount(config, "ebay", "ebay-seller-42");
  eb->mutable_access_token()->set_env("CSGW_TEST_EBAY_USER_TOKEN");
  eb->set_site("EBAY_US");
  AddAccount(config, "aliexpress", "cn1510000000abcd")
      ->mutable_access_token()
      ->set_env("CSGW_TEST_AE_SESSION");
  AddAccount(config, "wildberries", "wb-main")
      ->mutable_access_token()
      ->set_env("CSGW_TEST_WB_TOKEN");
  ApplyDefaults(config);
  return config;
}

// The registry of Config(); the test fails if the config is invalid or does not build.
class Senders {
 public:
  explicit Senders(const proto::Config& config) : clock_(Now()) {
    auto valid = ValidateConfig(config);
    EXPECT_TRUE(valid) << (valid ? "" : valid.error().message);
    auto registry = SenderRegistry::Build(config, clock_);
    EXPECT_TRUE(registry) << (registry ? "" : registry.error().message);
    if (registry) registry_ = std::move(registry).value();
  }
  Senders() : Senders(Config()) {}

  const ReplySender& Get(std::string_view marketplace) const {
    const ReplySender* sender = registry_ ? registry_->Find(marketplace) : nullptr;
    if (sender == nullptr) {
      ADD_FAILURE() << "no sender for " << marketplace;
      std::abort();
    }
    return *sender;
  }
  ManualClock& clock() { return clock_; }

 private:
  ManualClock clock_;
  std::unique_ptr<SenderRegistry> registry_;
};

inline outbound::HttpResponse Response(
    int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  outbound::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

// Every member of `body` equals the sample's member of the same name; the sample may have more
// members only among `extra` (fields we do not send, such as attachments).
inline void ExpectMatchesSample(const std::string& body, const std::string& sample_file,
                                std::initializer_list<std::string_view> extra) {
  auto ours = JsonDocument::ParseObject(body);
  ASSERT_TRUE(ours) << body;
  auto sample =
      JsonDocument::ParseObject(testing::ReadFileOrDie(testing::FixturesDir() + "/" + sample_file));
  ASSERT_TRUE(sample) << sample_file;
  auto our_members = ours.value().root().AsMembers().value();
  auto sample_members = sample.value().root().AsMembers().value();
  for (const auto& [key, value] : our_members) {
    auto theirs = sample.value().root().Find(key);
    ASSERT_TRUE(theirs && theirs.value()) << key << " is not in " << sample_file;
    EXPECT_EQ(value.Minified(), theirs.value()->Minified()) << key;
  }
  for (const auto& [key, value] : sample_members) {
    if (ours.value().root().Has(key)) continue;
    bool allowed = false;
    for (std::string_view e : extra) allowed = allowed || e == key;
    EXPECT_TRUE(allowed) << sample_file << " has " << key << ", which we do not send";
  }
}

}  // namespace csgw::gateway::send_test
