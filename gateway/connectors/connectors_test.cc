// The connectors against a real HTTP server on loopback (tests/support/mock_marketplace.h) and
// a real store in a temp dir: cursors kept in the store, resumed after a restart, failures
// backed off, events deduplicated.
#include <gtest/gtest.h>

#include <thread>

#include "gateway/connectors/backoff.h"
#include "gateway/connectors/runner.h"
#include "gateway/connectors/tasks.h"
#include "gateway/marketplaces/mercadolibre.h"
#include "gateway/marketplaces/send_test_support.h"
#include "tests/support/fixtures.h"
#include "tests/support/mock_marketplace.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway::connectors {
namespace {

using std::chrono::milliseconds;

std::string Fixture(const std::string& path) {
  return csgw::testing::ReadFileOrDie(csgw::testing::FixturesDir() + "/" + path);
}

TEST(Backoff, GrowsWithFailuresUpToTheCapWithFullJitter) {
  const BackoffPolicy policy{milliseconds(1000), milliseconds(60'000)};
  // random % (ceiling + 1): the largest draw reaches the ceiling, the smallest zero.
  EXPECT_EQ(BackoffDelay(1, policy, 1000), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(1, policy, 1001), milliseconds(0));
  EXPECT_EQ(BackoffDelay(2, policy, 2000), milliseconds(2000));
  EXPECT_EQ(BackoffDelay(4, policy, 8000), milliseconds(8000));
  EXPECT_EQ(BackoffDelay(4, policy, 8001), milliseconds(0));
  for (int failures : {7, 30, 1000}) {
    EXPECT_EQ(BackoffDelay(failures, policy, 60'000), milliseconds(60'000)) << failures;
    EXPECT_LE(BackoffDelay(failures, policy, ~uint64_t{0}), milliseconds(60'000)) << failures;
  }
  // Retry-After wins when longer, even over the cap.
  EXPECT_EQ(BackoffDelay(1, policy, 10, std::chrono::seconds(120)), milliseconds(120'000));
  EXPECT_EQ(BackoffDelay(1, policy, 1000, std::chrono::seconds(0)), milliseconds(1000));
}

// A store in a temp dir, the mock marketplace and a client: what every connector test needs.
class ConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto mock = csgw::testing::MockMarketplace::Start();
    ASSERT_TRUE(mock) << mock.error().message;
    mock_ = std::move(mock).value();
    auto client = outbound::HttpClient::Create({});
    ASSERT_TRUE(client) << client.error().message;
    client_ = std::move(client).value();
    OpenStore();
    mock_->Respond("GET", "/api/v1/seller/events", 200,
                   Fixture("wildberries/buyer_chat.events.response.json"));
    mock_->Respond("GET", "/api/v1/questions", 200,
                   Fixture("wildberries/questions.list.response.json"));
    mock_->Respond("GET", "/api/v1/claims", 200, Fixture("wildberries/claims.list.response.json"));
  }

  void OpenStore() {
    store_.reset();
    StoreOptions options;
    options.dir = dir_.Sub("store");
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store).value();
  }

  // send_test::Config() with every account pointed at the mock.
  proto::Config Config() const {
    proto::Config config = send_test::Config();
    for (auto& account : *config.mutable_accounts()) account.set_api_base_url(mock_->BaseUrl());
    return config;
  }

  std::unique_ptr<FeedTask> Feed(std::string_view marketplace, std::string_view name) {
    auto feeds = PollFeedsFromConfig(Config());
    EXPECT_TRUE(feeds) << feeds.error().message;
    for (auto& feed : feeds.value()) {
      if (feed->Marketplace() == marketplace && feed->Feed() == name) {
        return std::make_unique<FeedTask>(std::move(feed), *store_, *client_, clock_,
                                          TaskOptions{});
      }
    }
    ADD_FAILURE() << "no feed " << name;
    return nullptr;
  }

  std::optional<std::string> Cursor(const std::string& name) const {
    auto cursor = store_->GetCursor(name);
    EXPECT_TRUE(cursor);
    return cursor ? cursor.value() : std::nullopt;
  }

  csgw::testing::TempDir dir_;
  ManualClock clock_{send_test::Now()};
  std::unique_ptr<csgw::testing::MockMarketplace> mock_;
  std::unique_ptr<outbound::HttpClient> client_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(ConnectorTest, APollStoresTheEventsThenTheCursor) {
  auto task = Feed("wildberries", "chat");
  EXPECT_EQ(task->Name(), "wildberries/wb-main/chat");
  StepResult step = task->Step();
  ASSERT_FALSE(step.error) << step.error->message;
  EXPECT_EQ(step.stored, 4u);
  EXPECT_TRUE(step.more);
  EXPECT_EQ(store_->LastSequence(), 4u);
  EXPECT_EQ(Cursor("wildberries/wb-main/chat"), "1698045576000");

  auto requests = mock_->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, "/api/v1/seller/events");
  EXPECT_TRUE(requests[0].query.empty());
  EXPECT_EQ(requests[0].Header("authorization"), "wb-api-token");

  // The next poll continues from the cursor; the same events again are duplicates.
  step = task->Step();
  ASSERT_FALSE(step.error) << step.error->message;
  EXPECT_EQ(step.stored, 0u);
  EXPECT_EQ(step.duplicates, 4u);
  EXPECT_FALSE(step.more);  // the cursor did not move: caught up
  requests = mock_->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].query.at("next"), "1698045576000");
  EXPECT_EQ(store_->LastSequence(), 4u);
}

TEST_F(ConnectorTest, TheCursorResumesAfterARestart) {
  {
    auto task = Feed("wildberries", "chat");
    ASSERT_FALSE(task->Step().error);
  }
  // A new process: the store reopened from disk, new tasks built from the config.
  OpenStore();
  EXPECT_EQ(store_->LastSequence(), 4u);
  mock_->ClearRequests();
  auto task = Feed("wildberries", "chat");
  StepResult step = task->Step();
  ASSERT_FALSE(step.error) << step.error->message;
  auto requests = mock_->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].query.at("next"), "1698045576000");
  EXPECT_EQ(step.stored, 0u);
  EXPECT_EQ(store_->LastSequence(), 4u);
}

TEST_F(ConnectorTest, AFailedPollStoresNothingAndKeepsTheCursor) {
  auto task = Feed("wildberries", "chat");
  mock_->FailWith(503, "", 1);
  StepResult failed = task->Step();
  ASSERT_TRUE(failed.error);
  EXPECT_EQ(failed.error->code, Errc::kUpstreamUnavailable);
  EXPECT_EQ(store_->LastSequence(), 0u);
  EXPECT_EQ(Cursor("wildberries/wb-main/chat"), std::nullopt);

  mock_->FailWith(429, "7", 1);
  StepResult limited = task->Step();
  ASSERT_TRUE(limited.error);
  EXPECT_EQ(limited.retry_after, std::chrono::seconds(7));

  ASSERT_TRUE(mock_->SetDown(true));
  StepResult down = task->Step();
  ASSERT_TRUE(down.error);
  EXPECT_EQ(down.error->code, Errc::kUpstreamUnavailable);
  ASSERT_TRUE(mock_->SetDown(false));

  StepResult ok = task->Step();
  ASSERT_FALSE(ok.error) << ok.error->message;
  EXPECT_EQ(ok.stored, 4u);
}

TEST_F(ConnectorTest, AnUnreadableCursorStartsTheFeedOver) {
  ASSERT_TRUE(store_->PutCursor("wildberries/wb-main/chat", "not-a-cursor"));
  auto task = Feed("wildberries", "chat");
  StepResult reset = task->Step();
  EXPECT_FALSE(reset.error);
  EXPECT_TRUE(reset.more);
  EXPECT_EQ(Cursor("wildberries/wb-main/chat"), "");
  EXPECT_EQ(task->Step().stored, 4u);
}

TEST_F(ConnectorTest, TheRunnerBacksOffThroughFailuresAndCatchesUp) {
  mock_->FailWith(503, "", 2, "/api/v1/seller/events");
  RunnerOptions options;
  options.backoff = {milliseconds(5), milliseconds(20)};
  options.seed = 42;
  proto::Config config = Config();
  config.clear_accounts();  // only the Wildberries account
  auto* wb = send_test::AddAccount(config, "wildberries", "wb-main");
  wb->mutable_access_token()->set_env("CSGW_TEST_WB_TOKEN");
  wb->set_api_base_url(mock_->BaseUrl());
  auto runner = ConnectorRunner::Build(config, *store_, *client_, clock_, options);
  ASSERT_TRUE(runner) << runner.error().message;
  EXPECT_EQ(runner.value()->task_count(), 3u);  // chat, questions, claims
  runner.value()->Start();

  // Chat (4 events after two failures), questions (1), claims (1 of 31: pages on).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (store_->LastSequence() < 6 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(2));
  }
  runner.value()->Stop();
  EXPECT_GE(store_->LastSequence(), 6u);
  for (const TaskStatus& s : runner.value()->Status()) {
    if (s.name == "wildberries/wb-main/chat") {
      EXPECT_EQ(s.stored, 4u);
      EXPECT_EQ(s.failures, 0);
      EXPECT_GE(s.steps, 3u);  // two failures, then the page
    }
  }
  EXPECT_EQ(Cursor("wildberries/wb-main/chat"), "1698045576000");
}

// The event the Mercado Libre push adapter stores for a notification body.
proto::Event NotificationOf(const std::string& body, const Clock& clock) {
  MercadoLibreAdapter adapter(MercadoLibreAdapter::Options{}, clock);
  InboundRequest request;
  request.method = "POST";
  request.body = body;
  auto intake = adapter.Normalize(request);
  EXPECT_TRUE(intake) << intake.error().message;
  return intake.value().events.at(0);
}

proto::Event Notification(const std::string& fixture, const Clock& clock) {
  return NotificationOf(Fixture(fixture), clock);
}

TEST_F(ConnectorTest, MercadoLibreFetchReadsTheLogOnceAndResumes) {
  proto::Config config = Config();
  send_test::AddAccount(config, "mercadolibre", "468424240")
      ->mutable_access_token()
      ->set_env("CSGW_TEST_ML_TOKEN");
  config.mutable_accounts(config.accounts_size() - 1)->set_api_base_url(mock_->BaseUrl());
  auto accounts = ResolveAccounts(config, "mercadolibre");
  ASSERT_TRUE(accounts);
  auto make_task = [&] {
    return std::make_unique<MercadoLibreFetchTask>(
        MercadoLibreFetcher(AccountBook("mercadolibre", accounts.value())), *store_, *client_,
        clock_, TaskOptions{});
  };
  mock_->Respond("GET", "/orders/{id}", 200, Fixture("mercadolibre/orders.get.response.json"));
  ASSERT_TRUE(store_->Append({Notification("mercadolibre/notification.orders_v2.json", clock_)}));

  auto task = make_task();
  StepResult step = task->Step();
  ASSERT_FALSE(step.error) << step.error->message;
  EXPECT_EQ(step.stored, 1u);
  EXPECT_EQ(Cursor("mercadolibre/fetch"), "1");
  auto requests = mock_->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/orders/2195160686");
  EXPECT_EQ(requests[0].Header("authorization"), "Bearer APP_USR-ml-token");
  auto fetched = store_->Get(2);
  ASSERT_TRUE(fetched && fetched.value());
  EXPECT_EQ(fetched.value()->event_id(), "order:2195160686:2019-10-30T12:19:20.000-04:00");
  EXPECT_EQ(fetched.value()->order_update().status(), proto::ORDER_STATUS_PAID);

  // The fetched event needs no fetch: the log is read past it.
  step = task->Step();
  ASSERT_FALSE(step.error);
  EXPECT_FALSE(step.more);
  EXPECT_EQ(Cursor("mercadolibre/fetch"), "2");

  // After a restart nothing is fetched twice.
  task.reset();
  OpenStore();
  task = make_task();
  step = task->Step();
  ASSERT_FALSE(step.error);
  EXPECT_EQ(mock_->RequestCount(), 1u);

  // A notification for a store without an account is passed over, without a request.
  ASSERT_TRUE(store_->Append({Notification("mercadolibre/notification.claims.json", clock_)}));
  step = task->Step();
  ASSERT_FALSE(step.error) << step.error->message;
  EXPECT_EQ(Cursor("mercadolibre/fetch"), "3");
  EXPECT_EQ(mock_->RequestCount(), 1u);

  // A failing fetch is retried, not skipped: the cursor waits before it.
  ASSERT_TRUE(store_->Append(
      {Notification("mercadolibre/notification.orders_v2.recieved_nanoseconds.json", clock_)}));
  mock_->FailWith(500, "", 1, "/orders/{id}");
  step = task->Step();
  ASSERT_TRUE(step.error);
  EXPECT_EQ(Cursor("mercadolibre/fetch"), "3");
  step = task->Step();
  ASSERT_FALSE(step.error) << step.error->message;
  EXPECT_EQ(Cursor("mercadolibre/fetch"), "4");

  // A resource that is gone (404) is passed over.
  mock_->Respond("GET", "/orders/{id}", 404, R"({"message":"Order not found"})");
  ASSERT_TRUE(store_->Append({NotificationOf(
      R"({"resource":"/orders/2000009999","user_id":"468424240","topic":"orders_v2",)"
      R"("sent":"2024-03-15T11:00:00.000Z","received":"2024-03-15T11:00:00.000Z"})",
      clock_)}));
  const uint64_t gone = store_->LastSequence();
  step = task->Step();
  ASSERT_FALSE(step.error) << step.error->message;
  EXPECT_EQ(Cursor("mercadolibre/fetch"), std::to_string(gone));
  EXPECT_EQ(mock_->Requests().back().path, "/orders/2000009999");
}

}  // namespace
}  // namespace csgw::gateway::connectors
