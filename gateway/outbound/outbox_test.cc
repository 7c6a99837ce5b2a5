#include "gateway/outbound/outbox.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "gateway/marketplaces/event_util.h"
#include "gateway/schedule/timer_runner.h"
#include "tests/support/mock_marketplace.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kWait = std::chrono::seconds(10);

// Records every settled entry.
class Settlements final : public OutboxListener {
 public:
  void OnSettled(const proto::OutboxEntry& entry) override {
    std::lock_guard lock(mutex_);
    settled_.push_back(entry);
    cv_.notify_all();
  }
  bool WaitFor(size_t n) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kWait, [&] { return settled_.size() >= n; });
  }
  std::vector<proto::OutboxEntry> All() {
    std::lock_guard lock(mutex_);
    return settled_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<proto::OutboxEntry> settled_;
};

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto mock = testing::MockMarketplace::Start();
    ASSERT_TRUE(mock) << mock.error().message;
    mock_ = std::move(mock).value();
    testing::RespondLikeMarketplaces(*mock_);
    setenv("CSGW_OUTBOX_TEST_OZON_KEY", "ozon-api-key-0001", 1);
    proto::Config config;
    auto* account = config.add_accounts();
    account->set_marketplace("ozon");
    account->set_store_id("s1");
    account->set_api_base_url(mock_->BaseUrl());
    account->mutable_api_key()->set_env("CSGW_OUTBOX_TEST_OZON_KEY");
    auto senders = SenderRegistry::Build(config, clock_);
    ASSERT_TRUE(senders) << senders.error().message;
    senders_ = std::move(senders).value();
    outbound::HttpClientOptions client_options;
    client_options.default_timeout = milliseconds(2'000);
    auto client = outbound::HttpClient::Create(client_options);
    ASSERT_TRUE(client) << client.error().message;
    client_ = std::move(client).value();
    Open();
  }

  void TearDown() override { Close(); }

  void Open() {
    StoreOptions options;
    options.dir = (dir_.path() / "store").string();
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store).value();
    OutboxOptions options_out;
    options_out.retry.initial = seconds(2);
    options_out.retry.max_delay = seconds(30);
    options_out.retry.max_attempts = 50;
    options_out.rate = outbound::RateLimit{rate_, burst_};
    options_out.attempt_timeout = milliseconds(1'000);
    outbox_ = std::make_unique<Outbox>(*store_, clock_, *client_, senders_.get(), options_out,
                                       &settlements_, outbound::MakeUniformRandom(7));
    runner_ = std::make_unique<TimerRunner>(*store_, clock_);
    runner_->Handle(kSendTimerKind, *outbox_);
    auto recovered = outbox_->Start();
    ASSERT_TRUE(recovered) << recovered.error().message;
    recovered_ = recovered.value();
  }

  void Close() {
    runner_.reset();
    if (outbox_) outbox_->Stop();
    outbox_.reset();
    if (store_) store_->Close();
    store_.reset();
  }

  proto::OutboxEntry Reply(const std::string& key) {
    proto::OutboxEntry e;
    e.set_idempotency_key(key);
    e.set_kind("reply");
    e.set_marketplace("ozon");
    e.set_store_id("s1");
    e.set_conversation_id("ozon/s1/chat:c-1");
    e.set_marketplace_conversation_id("c-1");
    e.set_text("Здравствуйте! Заказ уже в пути.");
    e.set_requested_by("agent:ana");
    return e;
  }

  proto::OutboxEntry Stored(const std::string& id) {
    auto e = outbox_->Get(id);
    EXPECT_TRUE(e && e.value());
    return e && e.value() ? *e.value() : proto::OutboxEntry();
  }

  // Fires what is due and waits until every attempt in flight has settled.
  size_t Round() {
    auto fired = runner_->FireDue(1000);
    EXPECT_TRUE(fired);
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (outbox_->in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(2));
    }
    EXPECT_EQ(outbox_->in_flight(), 0u);
    return fired ? fired.value() : 0;
  }

  size_t SendsReceived() {
    size_t n = 0;
    for (const auto& r : mock_->Requests()) n += r.path == "/v1/chat/send/message";
    return n;
  }

  double rate_ = 1000;
  uint32_t burst_ = 1000;
  ManualClock clock_{TimePoint(std::chrono::seconds(1'750'000'000))};
  testing::TempDir dir_;
  std::unique_ptr<testing::MockMarketplace> mock_;
  std::unique_ptr<SenderRegistry> senders_;
  std::unique_ptr<outbound::HttpClient> client_;
  std::unique_ptr<EventStore> store_;
  Settlements settlements_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<TimerRunner> runner_;
  size_t recovered_ = 0;
};

TEST_F(OutboxTest, DeliversOnceThroughTheMarketplaceApi) {
  auto entry = outbox_->EnqueueNow(Reply("reply/1"), clock_.Now());
  ASSERT_TRUE(entry) << entry.error().message;
  EXPECT_EQ(entry.value().id(), OutboxId("reply/1"));
  EXPECT_EQ(entry.value().state(), proto::OUTBOX_STATE_PENDING);
  // The same logical send again is the same entry, not a second one.
  auto again = outbox_->EnqueueNow(Reply("reply/1"), clock_.Now());
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value().id(), entry.value().id());

  EXPECT_EQ(Round(), 1u);
  ASSERT_TRUE(settlements_.WaitFor(1));
  const proto::OutboxEntry sent = Stored(entry.value().id());
  EXPECT_EQ(sent.state(), proto::OUTBOX_STATE_SENT);
  EXPECT_EQ(sent.attempt_count(), 1u);
  ASSERT_EQ(sent.attempts_size(), 1);
  EXPECT_EQ(sent.attempts(0).verdict(), "delivered");
  EXPECT_EQ(sent.attempts(0).status(), 200);
  ASSERT_EQ(SendsReceived(), 1u);
  const auto request = mock_->Requests().back();
  EXPECT_EQ(request.Header("api-key"), "ozon-api-key-0001");
  EXPECT_NE(request.body.find("c-1"), std::string::npos);

  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(Round(), 0u);
  EXPECT_EQ(SendsReceived(), 1u);
}

TEST_F(OutboxTest, MarketplaceDownForAMinuteThenBackDeliversEveryReplyExactlyOnce) {
  ASSERT_TRUE(mock_->SetDown(true));
  constexpr int kReplies = 20;
  for (int i = 0; i < kReplies; ++i) {
    ASSERT_TRUE(outbox_->EnqueueNow(Reply("down/" + std::to_string(i)), clock_.Now()));
  }
  // 60 s of injected time with the marketplace refusing connections: every attempt fails and is
  // retried with backoff; none is given up.
  const TimePoint start = clock_.Now();
  while (clock_.Now() - start < seconds(60)) {
    Round();
    clock_.Advance(seconds(1));
  }
  EXPECT_EQ(outbox_->Stats().sent, 0u);
  EXPECT_GT(outbox_->Stats().retried, static_cast<uint64_t>(kReplies));
  EXPECT_EQ(outbox_->Stats().dead, 0u);

  ASSERT_TRUE(mock_->SetDown(false));
  for (int i = 0; i < 60 && outbox_->Stats().sent < kReplies; ++i) {
    Round();
    clock_.Advance(seconds(1));
  }
  ASSERT_EQ(outbox_->Stats().sent, static_cast<uint64_t>(kReplies));
  EXPECT_EQ(SendsReceived(), static_cast<size_t>(kReplies));
  std::set<std::string> chats;
  for (int i = 0; i < kReplies; ++i) {
    const proto::OutboxEntry e = Stored(OutboxId("down/" + std::to_string(i)));
    EXPECT_EQ(e.state(), proto::OUTBOX_STATE_SENT);
    EXPECT_GT(e.attempt_count(), 1u);
  }
  // Nothing more goes out later.
  clock_.Advance(std::chrono::hours(2));
  Round();
  EXPECT_EQ(SendsReceived(), static_cast<size_t>(kReplies));
}

TEST_F(OutboxTest, HonoursRetryAfterOnA429) {
  mock_->FailWith(429, "20", 1);
  auto entry = outbox_->EnqueueNow(Reply("busy"), clock_.Now());
  ASSERT_TRUE(entry);
  Round();
  proto::OutboxEntry e = Stored(entry.value().id());
  EXPECT_EQ(e.state(), proto::OUTBOX_STATE_PENDING);
  EXPECT_EQ(FromTimestamp(e.next_attempt_at()) - clock_.Now(), seconds(20));
  clock_.Advance(seconds(19));
  EXPECT_EQ(Round(), 0u);
  clock_.Advance(seconds(1));
  EXPECT_EQ(Round(), 1u);
  EXPECT_EQ(Stored(entry.value().id()).state(), proto::OUTBOX_STATE_SENT);
}

TEST_F(OutboxTest, APermanentRefusalIsADeadLetterThatCanBeRedriven) {
  mock_->FailWith(403, "", 1);
  auto entry = outbox_->EnqueueNow(Reply("forbidden"), clock_.Now());
  ASSERT_TRUE(entry);
  Round();
  ASSERT_TRUE(settlements_.WaitFor(1));
  EXPECT_EQ(Stored(entry.value().id()).state(), proto::OUTBOX_STATE_DEAD);
  auto dead = outbox_->ListDead("", [](std::string_view) { return true; }, "", 10);
  ASSERT_TRUE(dead);
  ASSERT_EQ(dead.value().size(), 1u);
  EXPECT_EQ(dead.value()[0].id(), entry.value().id());
  // Another store's view sees nothing.
  EXPECT_TRUE(outbox_->ListDead("", [](std::string_view s) { return s == "s2"; }, "", 10)
                  .value()
                  .empty());
  // Only a dead letter can be re-driven.
  EXPECT_EQ(outbox_->Redrive("ob_nope", "agent:ana").error().code, Errc::kNotFound);

  auto redriven = outbox_->Redrive(entry.value().id(), "agent:ana");
  ASSERT_TRUE(redriven) << redriven.error().message;
  EXPECT_EQ(redriven.value().state(), proto::OUTBOX_STATE_PENDING);
  EXPECT_EQ(outbox_->Redrive(entry.value().id(), "agent:ana").error().code, Errc::kConflict);
  EXPECT_TRUE(outbox_->ListDead("", [](std::string_view) { return true; }, "", 10).value().empty());
  Round();
  const proto::OutboxEntry sent = Stored(entry.value().id());
  EXPECT_EQ(sent.state(), proto::OUTBOX_STATE_SENT);
  EXPECT_EQ(sent.redrives(), 1u);
  EXPECT_EQ(SendsReceived(), 2u);
}

TEST_F(OutboxTest, AMessageThatCannotBeBuiltIsDeadAtOnce) {
  proto::OutboxEntry entry = Reply("no-account");
  entry.set_store_id("s-unknown");
  auto queued = outbox_->EnqueueNow(entry, clock_.Now());
  ASSERT_TRUE(queued);
  Round();
  const proto::OutboxEntry dead = Stored(queued.value().id());
  EXPECT_EQ(dead.state(), proto::OUTBOX_STATE_DEAD);
  EXPECT_NE(dead.attempts(0).reason().find("not_sendable"), std::string::npos);
  EXPECT_EQ(SendsReceived(), 0u);
  ASSERT_TRUE(settlements_.WaitFor(1));
}

TEST_F(OutboxTest, AnAttemptInterruptedByAStopBecomesAnUncertainDeadLetter) {
  mock_->Hang();
  auto entry = outbox_->EnqueueNow(Reply("interrupted"), clock_.Now());
  ASSERT_TRUE(entry);
  ASSERT_EQ(runner_->FireDue(10).value(), 1u);
  ASSERT_TRUE(mock_->WaitForRequests(1, std::chrono::steady_clock::now() + kWait));
  EXPECT_EQ(Stored(entry.value().id()).state(), proto::OUTBOX_STATE_SENDING);
  // The gateway dies with the request on the wire: its answer is never recorded.
  runner_.reset();
  outbox_->Stop(milliseconds(0));
  store_->Close();
  store_.reset();
  client_->Stop();
  outbox_.reset();
  mock_->ClearHang();

  auto client = outbound::HttpClient::Create({});
  ASSERT_TRUE(client);
  client_ = std::move(client).value();
  Open();
  EXPECT_EQ(recovered_, 1u);
  const proto::OutboxEntry dead = Stored(entry.value().id());
  EXPECT_EQ(dead.state(), proto::OUTBOX_STATE_DEAD);
  EXPECT_EQ(dead.attempts(dead.attempts_size() - 1).verdict(), "uncertain");
  clock_.Advance(std::chrono::hours(1));
  Round();
  EXPECT_EQ(SendsReceived(), 1u);  // never a second copy on its own
}

TEST_F(OutboxTest, PendingSendsSurviveARestart) {
  ASSERT_TRUE(outbox_->EnqueueNow(Reply("later"), clock_.Now() + std::chrono::hours(3)));
  Close();
  Open();
  EXPECT_EQ(Round(), 0u);
  clock_.Advance(std::chrono::hours(3));
  EXPECT_EQ(Round(), 1u);
  EXPECT_EQ(Stored(OutboxId("later")).state(), proto::OUTBOX_STATE_SENT);
}

class RateLimitedOutboxTest : public OutboxTest {
 protected:
  RateLimitedOutboxTest() {
    rate_ = 2;
    burst_ = 2;
  }
};

TEST_F(RateLimitedOutboxTest, SendsOverTheRateWaitForTheirSlotWithoutSpendingAnAttempt) {
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(outbox_->EnqueueNow(Reply("rate/" + std::to_string(i)), clock_.Now()));
  }
  Round();
  EXPECT_EQ(SendsReceived(), 2u);  // the burst
  clock_.Advance(milliseconds(500));
  Round();
  EXPECT_EQ(SendsReceived(), 3u);  // one more slot every 500 ms
  clock_.Advance(seconds(5));
  Round();
  EXPECT_EQ(SendsReceived(), 6u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(Stored(OutboxId("rate/" + std::to_string(i))).attempt_count(), 1u);
  }
  EXPECT_GT(outbox_->Stats().deferred, 0u);
}

}  // namespace
}  // namespace csgw::gateway
