// Test support: the recorded marketplace requests in tests/fixtures/<id>/cases.json, signed with
// the test keys, and what each must produce. Used by the table-driven adapter test and by the
// end-to-end test, which posts every case through the real server.
//
// cases.json:
// {"cases": [{
//    "name": "new_message",
//    "body_file": "push.TYPE_NEW_MESSAGE.json",   // or "body": "<inline text>"
//    "method": "POST",                            // default POST
//    "query": {"store": "s1"},                    // optional
//    "headers": {"x-extra": "v"},                 // optional, sent as given
//    "sign": "valid",      // valid (default) | none | wrong_key: how to sign, per marketplace
//                          // (ozon, mercadolibre: the ?token= of the registered URL)
//    "tamper": false,      // true: flip one body byte after signing
//    "now": "2022-07-18T21:00:00Z",               // the injected clock
//    "expect": {"status": 200, "error": "bad_signature", "body": "{\"result\":true}",
//               "ignored": "TYPE_X",
//               "events": [{"event_id": "..", "store_id": "..", "payload": "buyer_message",
//                           "buyer_message.text": "..", "order.order_id": ".."}]}}]}
// Expected event keys other than "payload" are dotted paths into the event's JSON form
// (proto field names), compared as strings; "payload" names the oneof case.
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "gateway/marketplaces/adapter.h"
#include "proto/proto.h"

namespace csgw::testing {

struct ExpectedEvent {
  std::map<std::string, std::string> fields;
};

struct FixtureCase {
  std::string marketplace;  // directory name; "canonical" is POST /v1/events
  std::string name;
  gateway::InboundRequest request;
  TimePoint now;
  int expect_status = 200;
  std::string expect_error;  // public error code when expect_status >= 400
  std::optional<std::string> expect_body;
  std::string expect_ignored;
  std::vector<ExpectedEvent> expect_events;

  std::string Label() const { return marketplace + "/" + name; }
};

// gtest prints a case by its label rather than as raw bytes.
inline void PrintTo(const FixtureCase& c, std::ostream* os) { *os << c.Label(); }

// The test keys every fixture is signed with.
inline constexpr char kLazadaAppKey[] = "100132";
inline constexpr char kLazadaAppSecret[] = "lazada-test-app-secret";
inline constexpr char kShopeeCallbackUrl[] = "https://csgw.example.com/v1/webhooks/shopee";
inline constexpr char kShopeePartnerKey[] = "shopee-test-partner-key";
inline constexpr char kEbayVerificationToken[] = "ebay-test-verification-token_0123456789";
inline constexpr char kEbayEndpointUrl[] = "https://csgw.example.com/v1/webhooks/ebay";
inline constexpr char kEbayTestKid[] = "csgw-test-kid";
inline constexpr char kEbayOfficialKid[] = "9936261a-7d7b-4621-a0f1-96ccb428af49";
inline constexpr char kCanonicalToken[] = "canonical-test-token-0123456789";
// The ?token= of the registered URL for the unsigned marketplaces; URL-safe, so that a test can
// put it in a request target as is.
inline constexpr char kOzonUrlToken[] = "ozon-test-url-token_0123456789";
inline constexpr char kMercadoLibreUrlToken[] = "mercadolibre-test-url-token_0123456789";
// The eBay stores TestConfig accepts in ?store= besides its default store.
inline constexpr char kEbayTestStore[] = "ebay-seller-42";

// $CSGW_SOURCE_DIR/tests/fixtures (ctest sets the variable).
std::string FixturesDir();
std::string ReadFileOrDie(const std::string& path);

// Every case of every marketplace directory, or of one.
std::vector<FixtureCase> LoadAllFixtureCases();
std::vector<FixtureCase> LoadFixtureCases(const std::string& marketplace);

// Sets the environment variables the test config's secret references name.
void SetTestSecretEnv();
// A config enabling every marketplace with the test keys (secrets by env var) and one
// events_api client. Call SetTestSecretEnv() before building adapters from it.
proto::Config TestConfig();

// Signs `request` (already holding method, path, query and body) as `marketplace` does.
void SignRequest(const std::string& marketplace, gateway::InboundRequest& request);

// The event as JSON with proto field names.
std::string EventToJson(const proto::Event& event);
// Empty when `event` matches; otherwise a description of every mismatch.
std::string CheckEvent(const proto::Event& event, const ExpectedEvent& expected);

}  // namespace csgw::testing
