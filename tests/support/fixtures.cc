#include "tests/support/fixtures.h"

#include <google/protobuf/util/json_util.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/crypto.h"
#include "base/json.h"
#include "base/timestamp.h"

namespace csgw::testing {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "fixture error: " << what << "\n";
  std::abort();
}

template <class T>
T OrDie(Result<T> r, const std::string& where) {
  if (!r) Die(where + ": " + r.error().message);
  return std::move(r).value();
}

std::string EbaySignatureHeader(const std::string& body, bool wrong_key) {
  const std::string key_file =
      wrong_key ? "/ebay/other_signing_key.pem" : "/ebay/test_signing_key.pem";
  auto key = crypto::EcPrivateKey::FromPem(ReadFileOrDie(FixturesDir() + key_file));
  if (!key) Die("cannot read " + key_file);
  const std::string minified = MinifyJson(body);
  auto sig = key->Sign(crypto::Digest::kSha256, minified.empty() ? body : minified);
  if (!sig) Die("ECDSA signing failed");
  const std::string header_json = std::string("{\"alg\":\"ecdsa\",\"kid\":\"") + kEbayTestKid +
                                  "\",\"signature\":\"" + crypto::Base64Encode(*sig) +
                                  "\",\"digest\":\"SHA256\"}";
  return crypto::Base64Encode(header_json);
}

void Sign(const std::string& marketplace, gateway::InboundRequest& request, bool wrong_key) {
  const std::string bad = wrong_key ? "-wrong" : "";
  if (marketplace == "lazada") {
    request.headers["authorization"] =
        crypto::HmacSha256Hex(kLazadaAppSecret + bad, kLazadaAppKey + request.body);
  } else if (marketplace == "shopee") {
    request.headers["authorization"] = crypto::HmacSha256Hex(
        kShopeePartnerKey + bad, std::string(kShopeeCallbackUrl) + "|" + request.body);
  } else if (marketplace == "ebay") {
    if (request.method == "POST") {
      request.headers["x-ebay-signature"] = EbaySignatureHeader(request.body, wrong_key);
    }
  } else if (marketplace == "canonical") {
    request.headers["authorization"] = std::string("Bearer ") + kCanonicalToken + bad;
  } else if (marketplace == "ozon") {
    // Unsigned marketplaces: the secret in the registered URL stands in for a signature.
    request.query["token"] = kOzonUrlToken + bad;
  } else if (marketplace == "mercadolibre") {
    request.query["token"] = kMercadoLibreUrlToken + bad;
  }
}

FixtureCase ParseCase(const std::string& marketplace, const std::string& dir, const JsonValue& c) {
  FixtureCase fc;
  fc.marketplace = marketplace;
  fc.name = OrDie(c.NonEmptyString("name"), dir);
  const std::string where = marketplace + "/" + fc.name;
  auto& req = fc.request;
  req.method = OrDie(c.OptionalString("method"), where).value_or("POST");
  req.path = marketplace == "canonical" ? "/v1/events" : "/v1/webhooks/" + marketplace;
  req.remote_address = "127.0.0.1";
  if (auto body_file = OrDie(c.OptionalString("body_file"), where)) {
    req.body = ReadFileOrDie(dir + "/" + *body_file);
  } else {
    req.body = OrDie(c.OptionalString("body"), where).value_or("");
  }
  if (!req.body.empty()) req.headers["content-type"] = "application/json";
  if (auto query = OrDie(c.OptionalObject("query"), where)) {
    for (const char* key : {"store", "challenge_code", "token"}) {
      if (auto v = OrDie(query->OptionalString(key), where)) req.query[key] = *v;
    }
  }
  const std::string sign = OrDie(c.OptionalString("sign"), where).value_or("valid");
  if (sign == "valid" || sign == "wrong_key") {
    Sign(marketplace, req, sign == "wrong_key");
  } else if (sign != "none") {
    Die(where + ": sign must be valid, none or wrong_key");
  }
  if (auto headers = OrDie(c.OptionalObject("headers"), where)) {
    for (const char* key : {"x-ebay-signature", "authorization", "content-type"}) {
      if (auto v = OrDie(headers->OptionalString(key), where)) {
        std::string value = *v;
        // "@file" reads the header value from a file in the case's directory.
        if (!value.empty() && value[0] == '@') {
          value = ReadFileOrDie(dir + "/" + value.substr(1));
          while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
        }
        req.headers[key] = value;
      }
    }
  }
  if (OrDie(c.OptionalBool("tamper"), where).value_or(false)) {
    if (req.body.empty()) Die(where + ": cannot tamper an empty body");
    // Change a character inside the JSON so it stays valid but no longer matches the signature.
    const size_t pos = req.body.find_last_of("0123456789");
    if (pos == std::string::npos) Die(where + ": body has no digit to tamper");
    req.body[pos] = req.body[pos] == '9' ? '8' : static_cast<char>(req.body[pos] + 1);
  }
  const std::string now = OrDie(c.NonEmptyString("now"), where);
  auto parsed_now = ParseIsoDateTime(now);
  if (!parsed_now) Die(where + ": bad now " + now);
  fc.now = *parsed_now;

  const JsonValue expect = OrDie(c.Object("expect"), where);
  fc.expect_status = static_cast<int>(OrDie(expect.Int("status"), where));
  fc.expect_error = OrDie(expect.OptionalString("error"), where).value_or("");
  fc.expect_body = OrDie(expect.OptionalString("body"), where);
  fc.expect_ignored = OrDie(expect.OptionalString("ignored"), where).value_or("");
  if (auto events = OrDie(expect.Find("events"), where)) {
    for (const JsonValue& e : OrDie(events->AsArray(), where)) {
      ExpectedEvent ev;
      for (const auto& [key, value] : OrDie(e.AsMembers(), where)) {
        ev.fields[key] = value.type() == JsonValue::Type::kBool
                             ? (value.AsBool().value() ? "true" : "false")
                             : OrDie(value.AsId(), where + " expect." + key);
      }
      fc.expect_events.push_back(std::move(ev));
    }
  }
  return fc;
}

}  // namespace

std::string FixturesDir() {
  const char* src = std::getenv("CSGW_SOURCE_DIR");
  return std::string(src ? src : CSGW_DEFAULT_SOURCE_DIR) + "/tests/fixtures";
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<FixtureCase> LoadFixtureCases(const std::string& marketplace) {
  const std::string dir = FixturesDir() + "/" + marketplace;
  const std::string text = ReadFileOrDie(dir + "/cases.json");
  auto doc = OrDie(JsonDocument::ParseObject(text), dir + "/cases.json");
  std::vector<FixtureCase> out;
  for (const JsonValue& c : OrDie(OrDie(doc.root().Get("cases"), dir).AsArray(), dir)) {
    out.push_back(ParseCase(marketplace, dir, c));
  }
  return out;
}

std::vector<FixtureCase> LoadAllFixtureCases() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(FixturesDir())) {
    if (entry.is_directory() && std::filesystem::exists(entry.path() / "cases.json")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  std::vector<FixtureCase> out;
  for (const auto& name : names) {
    auto cases = LoadFixtureCases(name);
    out.insert(out.end(), cases.begin(), cases.end());
  }
  return out;
}

void SignRequest(const std::string& marketplace, gateway::InboundRequest& request) {
  Sign(marketplace, request, false);
}

void SetTestSecretEnv() {
  setenv("CSGW_TEST_LAZADA_SECRET", kLazadaAppSecret, 1);
  setenv("CSGW_TEST_SHOPEE_KEY", kShopeePartnerKey, 1);
  setenv("CSGW_TEST_EBAY_TOKEN", kEbayVerificationToken, 1);
  setenv("CSGW_TEST_CANONICAL_TOKEN", kCanonicalToken, 1);
  setenv("CSGW_TEST_OZON_URL_TOKEN", kOzonUrlToken, 1);
  setenv("CSGW_TEST_MERCADOLIBRE_URL_TOKEN", kMercadoLibreUrlToken, 1);
}

proto::Config TestConfig() {
  proto::Config config;
  auto* m = config.mutable_marketplaces();
  m->mutable_ozon()->set_app_name("csgw-test");
  m->mutable_ozon()->mutable_url_token()->set_env("CSGW_TEST_OZON_URL_TOKEN");
  m->mutable_mercadolibre()->mutable_url_token()->set_env("CSGW_TEST_MERCADOLIBRE_URL_TOKEN");
  m->mutable_lazada()->set_app_key(kLazadaAppKey);
  m->mutable_lazada()->mutable_app_secret()->set_env("CSGW_TEST_LAZADA_SECRET");
  m->mutable_shopee()->set_callback_url(kShopeeCallbackUrl);
  m->mutable_shopee()->mutable_partner_key()->set_env("CSGW_TEST_SHOPEE_KEY");
  auto* ebay = m->mutable_ebay();
  ebay->mutable_verification_token()->set_env("CSGW_TEST_EBAY_TOKEN");
  ebay->set_endpoint_url(kEbayEndpointUrl);
  ebay->set_default_store_id("ebay-test-store");
  // Every ?store= of tests/fixtures/ebay/cases.json that is meant to be accepted.
  ebay->add_store_ids(kEbayTestStore);
  auto* test_key = ebay->add_public_keys();
  test_key->set_kid(kEbayTestKid);
  test_key->set_pem(ReadFileOrDie(FixturesDir() + "/ebay/test_signing_key.pub.pem"));
  test_key->set_digest("SHA256");
  // eBay's own SDK test key, from its getPublicKey fixture.
  auto official = OrDie(JsonDocument::ParseObject(
                            ReadFileOrDie(FixturesDir() + "/ebay/get_public_key.response.json")),
                        "get_public_key.response.json");
  auto* official_key = ebay->add_public_keys();
  official_key->set_kid(kEbayOfficialKid);
  official_key->set_pem(OrDie(official.root().String("key"), "key"));
  official_key->set_digest(OrDie(official.root().String("digest"), "digest"));
  auto* client = config.mutable_events_api()->add_clients();
  client->set_name("test-relay");
  client->mutable_token()->set_env("CSGW_TEST_CANONICAL_TOKEN");
  return config;
}

std::string EventToJson(const proto::Event& event) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(event, &out, options);
  return out;
}

std::string CheckEvent(const proto::Event& event, const ExpectedEvent& expected) {
  std::string problems;
  const std::string json = EventToJson(event);
  auto doc = JsonDocument::ParseObject(json);
  if (!doc) return "event does not render as JSON";
  for (const auto& [key, want] : expected.fields) {
    std::string got;
    if (key == "payload") {
      switch (event.payload_case()) {
        case proto::Event::kBuyerMessage:
          got = "buyer_message";
          break;
        case proto::Event::kOrderUpdate:
          got = "order_update";
          break;
        case proto::Event::kDisputeUpdate:
          got = "dispute_update";
          break;
        case proto::Event::kFeedbackPosted:
          got = "feedback_posted";
          break;
        default:
          got = "none";
      }
    } else {
      JsonValue v = doc.value().root();
      bool found = true;
      size_t start = 0;
      while (true) {
        const size_t dot = key.find('.', start);
        const std::string part = key.substr(start, dot == std::string::npos ? dot : dot - start);
        if (v.type() == JsonValue::Type::kArray) {
          auto items = v.AsArray().value();
          const size_t index = static_cast<size_t>(std::atoi(part.c_str()));
          if (index >= items.size()) {
            found = false;
            break;
          }
          v = items[index];
        } else {
          auto next = v.Find(part);
          if (!next || !next.value()) {
            found = false;
            break;
          }
          v = *next.value();
        }
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
      if (!found) {
        got = "<absent>";
      } else if (v.type() == JsonValue::Type::kBool) {
        got = v.AsBool().value() ? "true" : "false";
      } else if (v.type() == JsonValue::Type::kString || v.type() == JsonValue::Type::kNumber) {
        auto s = v.AsId();
        got = s ? s.value() : v.Minified();
      } else {
        got = v.Minified();
      }
    }
    if (got != want) problems += key + ": want \"" + want + "\", got \"" + got + "\"; ";
  }
  if (!problems.empty()) problems += "event: " + json;
  return problems;
}

}  // namespace csgw::testing
