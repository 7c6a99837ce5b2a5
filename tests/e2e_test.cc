// End to end: the real gateway (server, adapters, store) on a loopback port with an injected
// clock; every recorded fixture posted over HTTP and read back from the store.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "base/crypto.h"
#include "base/log.h"
#include "gateway/app.h"
#include "gateway/config/config.h"
#include "tests/support/fixtures.h"
#include "tests/support/http_client.h"

namespace csgw {
namespace {

using csgw::testing::FixtureCase;
using csgw::testing::HttpCall;
using csgw::testing::HttpReply;

// Ozon's registered callback URL carries the test config's url_token.
std::string OzonTarget() {
  return std::string("/v1/webhooks/ozon?token=") + csgw::testing::kOzonUrlToken;
}

std::string Target(const FixtureCase& fc) {
  std::string target = fc.request.path;
  char sep = '?';
  for (const auto& [k, v] : fc.request.query) {
    target += sep + k + "=" + v;  // fixture values need no escaping
    sep = '&';
  }
  return target;
}

HttpReply Post(uint16_t port, const FixtureCase& fc) {
  std::map<std::string, std::string> headers(fc.request.headers.begin(), fc.request.headers.end());
  return HttpCall(port, fc.request.method, Target(fc), fc.request.body, headers);
}

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("csgw_e2e_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    csgw::testing::SetTestSecretEnv();
    config_ = csgw::testing::TestConfig();
    config_.mutable_store()->set_data_dir(dir_.string());
    gateway::ApplyDefaults(config_);
    config_.mutable_server()->set_listen_port(0);
    config_.mutable_server()->set_max_body_bytes(64 * 1024);
    config_.mutable_templates()->mutable_default_policy()->set_store_name("Sunny");
    Start();
  }
  void Start() {
    auto gateway = gateway::Gateway::Create(config_, clock_);
    ASSERT_TRUE(gateway) << gateway.error().message;
    gateway_ = std::move(gateway).value();
    thread_ = std::thread([this] { gateway_->Run(); });
  }
  void Stop() {
    gateway_->Stop();
    thread_.join();
    gateway_.reset();
  }
  void TearDown() override {
    if (gateway_) Stop();
    std::filesystem::remove_all(dir_);
  }
  uint16_t port() const { return gateway_->port(); }

  std::filesystem::path dir_;
  proto::Config config_;
  ManualClock clock_{FromUnixMillis(1'700'000'000'000)};
  std::unique_ptr<gateway::Gateway> gateway_;
  std::thread thread_;
};

std::string Key(const proto::Event& e) {
  return e.marketplace() + "|" + e.store_id() + "|" + e.event_id();
}

TEST_F(E2eTest, EveryFixtureIsAnsweredAndStoredExactlyOnce) {
  const auto cases = csgw::testing::LoadAllFixtureCases();
  ASSERT_FALSE(cases.empty());
  std::set<std::string> marketplaces;
  std::map<std::string, std::pair<const FixtureCase*, size_t>> expected;  // key → case, index
  for (int round = 0; round < 2; ++round) {  // the second round is a redelivery of everything
    for (const FixtureCase& fc : cases) {
      clock_.Set(fc.now);
      const HttpReply reply = Post(port(), fc);
      ASSERT_EQ(reply.status, fc.expect_status)
          << fc.Label() << " round " << round << ": " << reply.body;
      marketplaces.insert(fc.marketplace);
      if (fc.expect_status >= 400) {
        EXPECT_NE(reply.body.find("\"error\":\"" + fc.expect_error + "\""), std::string::npos)
            << fc.Label() << ": " << reply.body;
        EXPECT_EQ(reply.headers.at("content-type"), "application/json") << fc.Label();
        continue;
      }
      if (fc.expect_body) {
        EXPECT_EQ(reply.body, *fc.expect_body) << fc.Label();
      }
    }
  }
  // Every marketplace has recorded cases.
  for (const char* id : {"ozon", "mercadolibre", "lazada", "shopee", "ebay", "canonical"}) {
    EXPECT_TRUE(marketplaces.count(id)) << "no fixtures for " << id;
  }

  gateway::ListQuery query;
  query.limit = 100000;
  auto stored = gateway_->store().List(query);
  ASSERT_TRUE(stored);
  std::map<std::string, const proto::Event*> by_key;
  for (const auto& e : stored.value()) {
    EXPECT_TRUE(by_key.emplace(Key(e), &e).second) << "stored twice: " << Key(e);
  }
  // Each expected event is there, once, as the fixture describes it.
  size_t expected_count = 0;
  for (const FixtureCase& fc : cases) {
    if (fc.expect_status >= 400) continue;
    for (const auto& want : fc.expect_events) {
      // The store is checked by key: every expected event must name it.
      ASSERT_TRUE(want.fields.count("store_id") && want.fields.count("event_id")) << fc.Label();
      const std::string key =
          (fc.marketplace == "canonical" ? want.fields.at("marketplace") : fc.marketplace) + "|" +
          want.fields.at("store_id") + "|" + want.fields.at("event_id");
      auto it = by_key.find(key);
      ASSERT_NE(it, by_key.end()) << fc.Label() << " missing " << key;
      // The store assigns the sequence that the adapter-level expectation says is absent.
      csgw::testing::ExpectedEvent stored_want = want;
      stored_want.fields.erase("sequence");
      EXPECT_EQ(csgw::testing::CheckEvent(*it->second, stored_want), "") << fc.Label();
      ++expected_count;
    }
  }
  // Fixtures may legitimately describe the same event twice (a redelivery case).
  EXPECT_LE(by_key.size(), expected_count);
  EXPECT_GT(by_key.size(), 0u);

  const HttpReply metrics = HttpCall(port(), "GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("csgw_dedupe_hits_total"), std::string::npos);
  EXPECT_NE(metrics.body.find("csgw_store_commit_events_bucket"), std::string::npos);
  EXPECT_NE(metrics.body.find("csgw_ingest_latency_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.body.find("route=\"/v1/webhooks/lazada\""), std::string::npos);
}

TEST_F(E2eTest, StoredEventsSurviveARestart) {
  const auto cases = csgw::testing::LoadFixtureCases("ozon");
  for (const auto& fc : cases) {
    clock_.Set(fc.now);
    Post(port(), fc);
  }
  gateway::ListQuery query;
  query.limit = 100000;
  const size_t before = gateway_->store().List(query).value().size();
  ASSERT_GT(before, 0u);
  Stop();
  Start();
  EXPECT_EQ(gateway_->store().List(query).value().size(), before);
  for (const auto& fc : cases) {  // redelivered after the restart: still stored once
    clock_.Set(fc.now);
    EXPECT_EQ(Post(port(), fc).status, fc.expect_status) << fc.Label();
  }
  EXPECT_EQ(gateway_->store().List(query).value().size(), before);
}

TEST_F(E2eTest, ConcurrentRedeliveriesOfOneEventStoreItOnce) {
  clock_.Set(FromUnixMillis(1603766859530));
  gateway::InboundRequest request;
  request.method = "POST";
  request.body =
      R"({"seller_id":"1234567","message_type":0,"data":{"order_status":"unpaid",)"
      R"("trade_order_id":"260422900198363","trade_order_line_id":"260422900298363",)"
      R"("status_update_time":1603698638},"timestamp":1603766859530,"site":"lazada_vn"})";
  csgw::testing::SignRequest("lazada", request);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto reply = HttpCall(port(), "POST", "/v1/webhooks/lazada", request.body,
                              {{"Authorization", request.headers["authorization"]}});
        if (reply.status == 200) ok.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 80);
  gateway::ListQuery query;
  query.store_id = "1234567";
  EXPECT_EQ(gateway_->store().List(query).value().size(), 1u);
}

TEST_F(E2eTest, BoundaryErrorsAreJsonWithStableCodes) {
  struct Case {
    std::string method, target, body;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"POST", "/v1/webhooks/nosuchmarket", "{}", 404, "unknown_marketplace"},
      {"POST", "/v1/webhooks/lazada", "{}", 401, "bad_signature"},
      {"POST", OzonTarget(), "{not json", 400, "malformed_json"},
      {"POST", "/v1/webhooks/ozon", "{}", 401, "bad_signature"},
      {"POST", OzonTarget(), std::string(70 * 1024, ' '), 413, "payload_too_large"},
      {"GET", "/v1/webhooks/lazada", "", 405, "method_not_allowed"},
      {"POST", "/v1/events", "{}", 401, "unauthenticated"},
      {"GET", "/v1/events", "", 405, "method_not_allowed"},
      {"GET", "/nowhere", "", 404, "not_found"},
  };
  for (const auto& c : cases) {
    const HttpReply reply = HttpCall(port(), c.method, c.target, c.body);
    EXPECT_EQ(reply.status, c.status) << c.method << " " << c.target << ": " << reply.body;
    EXPECT_NE(reply.body.find("\"error\":\"" + c.code + "\""), std::string::npos) << reply.body;
    EXPECT_NE(reply.body.find("\"message\":\""), std::string::npos) << reply.body;
    // A missing bearer token is challenged (RFC 6750); a bad marketplace signature is not.
    const auto challenge = reply.headers.find("www-authenticate");
    if (c.code == "unauthenticated") {
      ASSERT_NE(challenge, reply.headers.end()) << c.target;
      EXPECT_EQ(challenge->second, "Bearer");
    } else {
      EXPECT_EQ(challenge, reply.headers.end()) << c.target;
    }
  }
  // The server is still up and nothing was stored.
  EXPECT_EQ(HttpCall(port(), "GET", "/healthz").status, 200);
  gateway::ListQuery query;
  EXPECT_TRUE(gateway_->store().List(query).value().empty());
}

TEST_F(E2eTest, HealthAndReadiness) {
  EXPECT_EQ(HttpCall(port(), "GET", "/healthz").status, 200);
  const HttpReply ready = HttpCall(port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_NE(ready.body.find("\"ready\":true"), std::string::npos);
}

TEST_F(E2eTest, LogsCarryIdsButNeverBuyerText) {
  const std::string secret_text = "Buyer private text 9f3a1c";
  const std::string body =
      R"({"message_type":"TYPE_NEW_MESSAGE","chat_id":"c-1","chat_type":"Buyer_Seller",)"
      R"("message_id":"m-1","created_at":"not a date","user":{"id":"1","type":"Customer"},)"
      R"("data":[")" +
      secret_text + R"("],"seller_id":"7"})";
  log::SetLevel(log::Level::kDebug);
  ::testing::internal::CaptureStderr();
  const HttpReply bad = HttpCall(port(), "POST", OzonTarget(), body);
  clock_.Set(FromUnixMillis(1658177884528));
  std::string good_body = body;
  good_body.replace(good_body.find("not a date"), 10, "2022-07-18T20:58:04.528Z");
  const HttpReply good = HttpCall(port(), "POST", OzonTarget(), good_body);
  const std::string logs = ::testing::internal::GetCapturedStderr();
  log::SetLevel(log::Level::kInfo);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(good.status, 200);
  EXPECT_EQ(logs.find("9f3a1c"), std::string::npos) << logs;
  EXPECT_EQ(bad.body.find("9f3a1c"), std::string::npos) << bad.body;
  EXPECT_NE(logs.find("webhook.rejected"), std::string::npos) << logs;
  EXPECT_NE(logs.find(bad.headers.at("x-request-id")), std::string::npos) << logs;
}

HttpReply PostCanonical(uint16_t port, const std::string& body) {
  return HttpCall(port, "POST", "/v1/events", body,
                  {{"authorization", std::string("Bearer ") + csgw::testing::kCanonicalToken},
                   {"content-type", "application/json"}});
}

std::string BuyerMessage(const std::string& id, const std::string& buyer,
                         const std::string& country, const std::string& text) {
  return R"({"event_id": "evt-)" + id + R"(", "marketplace": "aliexpress", "store_id": "shop-1",
    "occurred_at": "2023-11-14T22:00:00Z",
    "buyer": {"id": ")" +
         buyer + R"(", "country": ")" + country + R"("},
    "buyer_message": {"kind": "KIND_NEW", "conversation_id": "c-)" +
         buyer + R"(",
                      "message_id": "m-)" +
         id + R"(", "sender": "SENDER_ROLE_BUYER",
                      "text": ")" +
         text + R"("}})";
}

// Waits (bounded) until the stored conversation satisfies `done`.
template <typename Done>
std::optional<proto::Conversation> WaitForConversation(gateway::EventStore& store,
                                                       const std::string& id, Done done) {
  for (int i = 0; i < 500; ++i) {
    auto record = store.GetRecord(gateway::Table::kConversations, id);
    if (record && record.value()) {
      proto::Conversation c;
      if (c.ParseFromString(*record.value()) && done(c)) return c;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

// Waits (bounded) until the pipeline has stored a draft on the conversation.
std::optional<proto::Conversation> WaitForDrafts(gateway::EventStore& store, const std::string& id,
                                                 int drafts) {
  return WaitForConversation(
      store, id, [drafts](const proto::Conversation& c) { return c.drafts_size() >= drafts; });
}

TEST_F(E2eTest, BuyerMessagesGetDraftsOnTheirConversation) {
  ASSERT_EQ(
      PostCanonical(port(), BuyerMessage("1", "b-es", "MX", "hola donde esta mi pedido??")).status,
      200);
  ASSERT_EQ(PostCanonical(port(), BuyerMessage("2", "b-ru", "RU", "Спасибо!!!")).status, 200);

  auto es = WaitForDrafts(gateway_->store(), "aliexpress/shop-1/b-es", 1);
  ASSERT_TRUE(es);
  EXPECT_EQ(es->drafts(0).language(), "es");
  EXPECT_EQ(es->drafts(0).locale(), "es-MX");
  EXPECT_EQ(es->drafts(0).time_zone(), "America/Mexico_City");
  EXPECT_EQ(es->drafts(0).intent(), "where_is_my_order");
  // Nothing is known about the order: an agent answers, and the draft says why.
  EXPECT_EQ(es->drafts(0).state(), proto::DRAFT_STATE_NEEDS_AGENT);
  EXPECT_FALSE(es->drafts(0).reason().empty());

  auto ru = WaitForDrafts(gateway_->store(), "aliexpress/shop-1/b-ru", 1);
  ASSERT_TRUE(ru);
  EXPECT_EQ(ru->drafts(0).intent(), "thanks");
  EXPECT_EQ(ru->drafts(0).template_key(), "aftersale.thanks");
  // An auto-send draft goes straight to the outbox. This gateway has no AliExpress send account,
  // so the send is a dead letter at once, and the outbox's own "dead" event marks the draft
  // failed for an agent to pick up.
  EXPECT_FALSE(ru->drafts(0).outbox_id().empty());
  EXPECT_EQ(ru->drafts(0).requested_by(), "auto");
  auto failed = WaitForConversation(
      gateway_->store(), "aliexpress/shop-1/b-ru", [](const proto::Conversation& c) {
        return c.drafts_size() > 0 && c.drafts(0).state() == proto::DRAFT_STATE_FAILED;
      });
  ASSERT_TRUE(failed) << "draft state " << ru->drafts(0).state();
  auto entry = gateway_->store().GetRecord(gateway::Table::kOutbox, failed->drafts(0).outbox_id());
  ASSERT_TRUE(entry && entry.value());
  proto::OutboxEntry outbox;
  ASSERT_TRUE(outbox.ParseFromString(*entry.value()));
  EXPECT_EQ(outbox.state(), proto::OUTBOX_STATE_DEAD);
  ASSERT_GT(outbox.attempts_size(), 0);
  EXPECT_NE(outbox.attempts(0).reason().find("no send account"), std::string::npos)
      << outbox.attempts(0).reason();
  EXPECT_TRUE(gateway_->store().PendingWork(0, 10).value().empty());
}

TEST_F(E2eTest, CatalogueReloadTakesAValidCatalogueAndRefusesABrokenOne) {
  Stop();
  const std::filesystem::path catalog = dir_ / "catalog";
  std::filesystem::create_directories(catalog / "overrides" / "shop-1");
  auto write = [](const std::filesystem::path& path, const std::string& content) {
    std::ofstream(path) << content;
  };
  config_.mutable_templates()->set_catalog_dir(catalog.string());
  Start();

  write(catalog / "overrides" / "shop-1" / "ru.json",
        R"({"aftersale.thanks": "Спасибо Вам! Магазин «{store_name}» всегда рад помочь."})");
  ASSERT_TRUE(gateway_->ReloadCatalog());
  ASSERT_EQ(PostCanonical(port(), BuyerMessage("1", "b1", "RU", "спасибо")).status, 200);
  auto first = WaitForDrafts(gateway_->store(), "aliexpress/shop-1/b1", 1);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->drafts(0).text(), "Спасибо Вам! Магазин «Sunny» всегда рад помочь.");

  // A Russian plural without "few" fails lint: refused, and the running catalogue stays.
  write(
      catalog / "overrides" / "shop-1" / "ru.json",
      R"({"aftersale.thanks": "Спасибо! {store_name} {days_in_transit, plural, one {# день} other {# дней}}"})");
  auto refused = gateway_->ReloadCatalog();
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("overrides/shop-1/ru.json"), std::string::npos)
      << refused.error().message;
  ASSERT_EQ(PostCanonical(port(), BuyerMessage("2", "b2", "RU", "спасибо")).status, 200);
  auto second = WaitForDrafts(gateway_->store(), "aliexpress/shop-1/b2", 1);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->drafts(0).text(), "Спасибо Вам! Магазин «Sunny» всегда рад помочь.");
}

TEST_F(E2eTest, StartupRefusesACatalogueThatFailsLint) {
  Stop();
  const std::filesystem::path catalog = dir_ / "bad_catalog";
  std::filesystem::create_directories(catalog);
  std::ofstream(catalog / "es.json") << R"({"aftersale.thanks": "¡Gracias {store_name"})";
  config_.mutable_templates()->set_catalog_dir(catalog.string());
  auto gateway = gateway::Gateway::Create(config_, clock_);
  ASSERT_FALSE(gateway);
  EXPECT_NE(gateway.error().message.find("es.json"), std::string::npos) << gateway.error().message;
}

}  // namespace
}  // namespace csgw
