#include "gateway/schedule/timer_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int64_t kStartMs = 1'700'000'000'000;

proto::Timer MakeTimer(const std::string& id, TimePoint due, const std::string& subject = "",
                       const std::string& kind = "follow_up") {
  proto::Timer timer;
  timer.set_id(id);
  timer.set_kind(kind);
  const int64_t ms = ToUnixMillis(due);
  timer.mutable_due()->set_seconds(ms / 1000);
  timer.mutable_due()->set_nanos(static_cast<int32_t>(ms % 1000) * 1'000'000);
  timer.set_subject(subject.empty() ? "subject-" + id : subject);
  return timer;
}

TimePoint DueOf(const proto::Timer& timer) {
  return FromUnixMillis(timer.due().seconds() * 1000 + timer.due().nanos() / 1'000'000);
}

std::string EffectKey(const std::string& id) { return "effect/" + id; }

// Writes one record per timer ("effect/<id>"), and remembers every call. `fail` decides which
// timers fail; `extra` adds more to a timer's effect. Thread-safe.
class RecordingHandler final : public TimerHandler {
 public:
  explicit RecordingHandler(EventStore& store) : store_(store) {}

  Result<void> Fire(const proto::Timer& timer, TimePoint /*now*/, StateBatch& batch) override {
    {
      std::lock_guard lock(mutex_);
      ++fires_[timer.id()];
    }
    // What a real handler may leave behind before it fails: must not be written.
    batch.writes.push_back({Table::kConversations, EffectKey(timer.id()), "fired"});
    if (extra) extra(timer, batch);
    if (fail && fail(timer)) {
      return MakeError(Errc::kInvalidField, "timer " + timer.id() + ": cannot act");
    }
    return Ok();
  }
  void Committed(const proto::Timer& timer) override {
    // The effect is durable (readable) before the hook runs.
    auto effect = store_.GetRecord(Table::kConversations, EffectKey(timer.id()));
    std::lock_guard lock(mutex_);
    if (!effect || !effect.value()) ++committed_before_effect_;
    ++committed_[timer.id()];
    cv_.notify_all();
  }
  void Abandoned(const proto::Timer& timer) override {
    std::lock_guard lock(mutex_);
    ++abandoned_[timer.id()];
  }

  int Fires(const std::string& id) { return Count(fires_, id); }
  int Committed(const std::string& id) { return Count(committed_, id); }
  int Abandoned(const std::string& id) { return Count(abandoned_, id); }
  std::map<std::string, int> AllCommitted() {
    std::lock_guard lock(mutex_);
    return committed_;
  }
  int CommittedBeforeEffect() {
    std::lock_guard lock(mutex_);
    return committed_before_effect_;
  }
  bool WaitCommitted(const std::string& id) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, seconds(10), [&] { return committed_.count(id) > 0; });
  }

  std::function<bool(const proto::Timer&)> fail;
  std::function<void(const proto::Timer&, StateBatch&)> extra;

 private:
  int Count(const std::map<std::string, int>& counts, const std::string& id) {
    std::lock_guard lock(mutex_);
    auto it = counts.find(id);
    return it == counts.end() ? 0 : it->second;
  }

  EventStore& store_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, int> fires_;
  std::map<std::string, int> committed_;
  std::map<std::string, int> abandoned_;
  int committed_before_effect_ = 0;
};

class TimerRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    StoreOptions options;
    options.dir = dir_.Sub("store");
    options.sync = false;
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store).value();
    handler_ = std::make_unique<RecordingHandler>(*store_);
  }

  std::unique_ptr<TimerRunner> MakeRunner(TimerRunnerOptions options = {}) {
    auto runner = std::make_unique<TimerRunner>(*store_, clock_, options);
    runner->Handle("follow_up", *handler_);
    return runner;
  }

  void Schedule(std::vector<proto::Timer> timers) {
    StateBatch batch;
    batch.schedule = std::move(timers);
    ASSERT_TRUE(store_->Commit(batch));
  }

  bool HasEffect(const std::string& id) {
    auto record = store_->GetRecord(Table::kConversations, EffectKey(id));
    return record && record.value();
  }

  std::optional<proto::Timer> Pending(const std::string& id) {
    auto timer = store_->GetTimer(id);
    EXPECT_TRUE(timer);
    return timer ? timer.value() : std::nullopt;
  }

  TimePoint Now() const { return clock_.Now(); }

  csgw::testing::TempDir dir_;
  ManualClock clock_{FromUnixMillis(kStartMs)};
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<RecordingHandler> handler_;
};

TEST_F(TimerRunnerTest, FiresDueTimersWithTheirEffectsAndLeavesTheRest) {
  std::vector<proto::Timer> timers;
  for (int i = 0; i < 10; ++i) {
    timers.push_back(MakeTimer("t" + std::to_string(i), Now() + seconds(i - 4)));  // t0..t4 due
  }
  Schedule(timers);
  auto runner = MakeRunner();
  auto fired = runner->FireDue(100);
  ASSERT_TRUE(fired) << fired.error().message;
  EXPECT_EQ(fired.value(), 5u);
  for (int i = 0; i < 10; ++i) {
    const std::string id = "t" + std::to_string(i);
    EXPECT_EQ(HasEffect(id), i <= 4) << id;
    EXPECT_EQ(Pending(id).has_value(), i > 4) << id;
    EXPECT_EQ(handler_->Committed(id), i <= 4 ? 1 : 0) << id;
    EXPECT_EQ(handler_->Abandoned(id), 0) << id;
  }
  EXPECT_EQ(handler_->CommittedBeforeEffect(), 0);
  EXPECT_EQ(runner->FireDue(100).value(), 0u);  // each fires once
  EXPECT_EQ(runner->Stats().fired, 5u);
}

TEST_F(TimerRunnerTest, FireDueTakesAtMostTheLimitInWritesOfAtMostMaxBatch) {
  std::vector<proto::Timer> timers;
  for (int i = 0; i < 25; ++i) timers.push_back(MakeTimer("t" + std::to_string(i), Now()));
  Schedule(timers);
  TimerRunnerOptions options;
  options.max_batch = 4;
  auto runner = MakeRunner(options);
  EXPECT_EQ(runner->FireDue(10).value(), 10u);
  EXPECT_EQ(runner->FireDue(100).value(), 15u);
  EXPECT_EQ(handler_->AllCommitted().size(), 25u);
}

// Timers share a write; a failing handler keeps only its own timer out of it, and what it added
// to the batch before failing is not written.
TEST_F(TimerRunnerTest, AFailingHandlerKeepsOnlyItsTimerOutOfTheWrite) {
  std::vector<proto::Timer> timers;
  for (int i = 0; i < 10; ++i) timers.push_back(MakeTimer("t" + std::to_string(i), Now()));
  Schedule(timers);
  handler_->fail = [](const proto::Timer& t) { return t.id() == "t3"; };
  auto runner = MakeRunner();
  EXPECT_EQ(runner->FireDue(100).value(), 9u);
  for (int i = 0; i < 10; ++i) {
    const std::string id = "t" + std::to_string(i);
    EXPECT_EQ(HasEffect(id), i != 3) << id;
    EXPECT_EQ(handler_->Committed(id), i != 3 ? 1 : 0) << id;
    EXPECT_EQ(handler_->Fires(id), 1) << id;  // one write for all: nobody fired twice
  }
  EXPECT_EQ(handler_->Abandoned("t3"), 0);  // Fire failed: no hook
  const auto t3 = Pending("t3");
  ASSERT_TRUE(t3);
  EXPECT_EQ(t3->failures(), 1u);
  EXPECT_EQ(DueOf(*t3), Now() + seconds(1));
  EXPECT_EQ(t3->last_error(), "timer t3: cannot act");
  EXPECT_EQ(ToUnixMillis(FromUnixMillis(t3->failed_at().seconds() * 1000)), kStartMs);
  const TimerRunnerStats stats = runner->Stats();
  EXPECT_EQ(stats.fired, 9u);
  EXPECT_EQ(stats.failed, 1u);
  EXPECT_EQ(stats.quarantined, 0u);

  // Not retried before its time, then fired once the handler recovers.
  EXPECT_EQ(runner->FireDue(100).value(), 0u);
  EXPECT_EQ(handler_->Fires("t3"), 1);
  handler_->fail = nullptr;
  clock_.Advance(seconds(1));
  EXPECT_EQ(runner->FireDue(100).value(), 1u);
  EXPECT_TRUE(HasEffect("t3"));
  EXPECT_EQ(Pending("t3"), std::nullopt);
}

// An effect the store refuses (here: an empty record key) is the handler's failure: the others
// of the write still fire, each alone.
TEST_F(TimerRunnerTest, AnEffectTheStoreRefusesCountsAsTheHandlersFailure) {
  Schedule({MakeTimer("a", Now()), MakeTimer("bad", Now()), MakeTimer("c", Now())});
  handler_->extra = [](const proto::Timer& t, StateBatch& batch) {
    if (t.id() == "bad") batch.writes.push_back({Table::kOrders, "", "x"});
  };
  auto runner = MakeRunner();
  EXPECT_EQ(runner->FireDue(100).value(), 2u);
  EXPECT_TRUE(HasEffect("a"));
  EXPECT_TRUE(HasEffect("c"));
  EXPECT_FALSE(HasEffect("bad"));
  // The shared write was refused: its timers were told, then fired alone.
  EXPECT_EQ(handler_->Abandoned("a"), 1);
  EXPECT_EQ(handler_->Committed("a"), 1);
  EXPECT_EQ(handler_->Abandoned("bad"), 2);
  EXPECT_EQ(handler_->Committed("bad"), 0);
  const auto bad = Pending("bad");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->failures(), 1u);
  EXPECT_EQ(runner->Stats().failed, 1u);
}

// Another firer took one timer of the write first: the write is refused whole, that timer's
// handler hears Abandoned, and the others fire alone and hear Committed.
TEST_F(TimerRunnerTest, ATimerFiredElsewhereIsAbandonedAndTheOthersFireAlone) {
  Schedule({MakeTimer("a", Now()), MakeTimer("b", Now()), MakeTimer("c", Now())});
  EventStore& store = *store_;
  handler_->extra = [&store](const proto::Timer& t, StateBatch&) {
    if (t.id() == "b") {
      StateBatch elsewhere;
      elsewhere.fired = {"b"};
      ASSERT_TRUE(store.Commit(elsewhere));
    }
  };
  auto runner = MakeRunner();
  EXPECT_EQ(runner->FireDue(100).value(), 2u);
  EXPECT_FALSE(HasEffect("b"));
  EXPECT_EQ(handler_->Committed("b"), 0);
  EXPECT_EQ(handler_->Abandoned("b"), 1);
  EXPECT_EQ(handler_->Fires("b"), 1);  // gone: not fired again alone
  for (const std::string id : {"a", "c"}) {
    EXPECT_TRUE(HasEffect(id)) << id;
    EXPECT_EQ(handler_->Abandoned(id), 1) << id;
    EXPECT_EQ(handler_->Committed(id), 1) << id;
  }
  EXPECT_EQ(handler_->CommittedBeforeEffect(), 0);
  EXPECT_EQ(runner->Stats().failed, 0u);
}

// A read-modify-write of one record by two timers of one subject: the second reads what the
// first wrote (they never share a write), so no update is lost.
TEST_F(TimerRunnerTest, TimersOfOneSubjectSeeEachOthersEffects) {
  Schedule({MakeTimer("a1", Now() - seconds(2), "conversation-a"),
            MakeTimer("a2", Now() - seconds(1), "conversation-a"),
            MakeTimer("b1", Now() - seconds(1), "conversation-b")});
  EventStore& store = *store_;
  handler_->extra = [&store](const proto::Timer& t, StateBatch& batch) {
    auto current = store.GetRecord(Table::kConversations, t.subject());
    ASSERT_TRUE(current);
    batch.writes.push_back(
        {Table::kConversations, t.subject(), current.value().value_or("") + "+" + t.id()});
  };
  auto runner = MakeRunner();
  EXPECT_EQ(runner->FireDue(100).value(), 3u);
  EXPECT_EQ(store_->GetRecord(Table::kConversations, "conversation-a").value(), "+a1+a2");
  EXPECT_EQ(store_->GetRecord(Table::kConversations, "conversation-b").value(), "+b1");
}

// Effects of different subjects that touch the same record, or a timer of the same write, are
// applied one write each, in due order: as if each timer had fired alone.
TEST_F(TimerRunnerTest, EffectsThatTouchEachOtherFireOneWriteEach) {
  Schedule({MakeTimer("count-1", Now() - seconds(3)), MakeTimer("count-2", Now() - seconds(2)),
            MakeTimer("canceller", Now() - seconds(1)), MakeTimer("cancelled", Now())});
  EventStore& store = *store_;
  handler_->extra = [&store](const proto::Timer& t, StateBatch& batch) {
    if (t.id().starts_with("count-")) {
      auto current = store.GetRecord(Table::kOrders, "counter");
      ASSERT_TRUE(current);
      batch.writes.push_back({Table::kOrders, "counter", current.value().value_or("") + "I"});
    }
    if (t.id() == "canceller") batch.cancel.push_back("cancelled");
  };
  auto runner = MakeRunner();
  EXPECT_EQ(runner->FireDue(100).value(), 3u);
  EXPECT_EQ(store_->GetRecord(Table::kOrders, "counter").value(), "II");
  EXPECT_TRUE(HasEffect("canceller"));
  EXPECT_FALSE(HasEffect("cancelled"));
  EXPECT_EQ(handler_->Committed("cancelled"), 0);
  EXPECT_EQ(Pending("cancelled"), std::nullopt);
}

TEST_F(TimerRunnerTest, ATimerOfAnUnhandledKindIsRemoved) {
  Schedule({MakeTimer("x", Now(), "", "nobody_handles_this"), MakeTimer("a", Now())});
  auto runner = MakeRunner();
  EXPECT_EQ(runner->FireDue(100).value(), 2u);
  EXPECT_EQ(Pending("x"), std::nullopt);
  EXPECT_TRUE(HasEffect("a"));
}

// Two threads, and two runners, firing the same due timers at once: every timer's effect is
// written and its Committed hook called exactly once.
TEST_F(TimerRunnerTest, ConcurrentFireDueFiresEachTimerExactlyOnce) {
  constexpr int kTimers = 3000;
  std::vector<proto::Timer> timers;
  for (int i = 0; i < kTimers; ++i) {
    timers.push_back(MakeTimer("t" + std::to_string(i), Now() - milliseconds(kTimers - i)));
  }
  Schedule(timers);
  // The effect appends to a per-timer record: two writes of one effect would show.
  EventStore& store = *store_;
  handler_->extra = [&store](const proto::Timer& t, StateBatch& batch) {
    auto current = store.GetRecord(Table::kOrders, t.id());
    ASSERT_TRUE(current);
    batch.writes.push_back({Table::kOrders, t.id(), current.value().value_or("") + "x"});
  };
  TimerRunnerOptions options;
  options.max_batch = 64;
  auto shared = MakeRunner(options);
  auto other = MakeRunner(options);
  std::atomic<size_t> fired{0};
  auto work = [&](TimerRunner& runner) {
    for (;;) {
      auto round = runner.FireDue(64);
      ASSERT_TRUE(round) << round.error().message;
      fired += round.value();
      if (round.value() == 0 && !store.NextTimerDue().value()) return;
    }
  };
  std::thread a([&] { work(*shared); });
  std::thread b([&] { work(*shared); });
  std::thread c([&] { work(*other); });
  a.join();
  b.join();
  c.join();
  EXPECT_EQ(fired.load(), static_cast<size_t>(kTimers));
  const auto committed = handler_->AllCommitted();
  EXPECT_EQ(committed.size(), static_cast<size_t>(kTimers));
  for (const auto& [id, count] : committed) EXPECT_EQ(count, 1) << id;
  for (int i = 0; i < kTimers; ++i) {
    EXPECT_EQ(store_->GetRecord(Table::kOrders, "t" + std::to_string(i)).value(), "x");
  }
  EXPECT_EQ(shared->Stats().fired + other->Stats().fired, static_cast<uint64_t>(kTimers));
  EXPECT_EQ(handler_->CommittedBeforeEffect(), 0);
}

// A timer that keeps failing: retried after a second until it failed 5 times in a row, then
// with doubling delays up to an hour, and set aside as a dead timer after 20 failures.
TEST_F(TimerRunnerTest, AFailingTimerIsQuarantinedThenSetAsideAsDead) {
  Schedule({MakeTimer("q", Now(), "", "follow_up")});
  handler_->fail = [](const proto::Timer&) { return true; };
  auto runner = MakeRunner();
  const std::vector<seconds> expected = {
      seconds(1),    seconds(1),    seconds(1),    seconds(1),    // failures 1-4: retry_delay
      seconds(1),    seconds(2),    seconds(4),    seconds(8),    // 5: quarantined
      seconds(16),   seconds(32),   seconds(64),   seconds(128),  seconds(256),
      seconds(512),  seconds(1024), seconds(2048), seconds(3600),  // capped at an hour
      seconds(3600), seconds(3600)};
  for (size_t f = 1; f <= expected.size(); ++f) {
    ASSERT_EQ(runner->FireDue(100).value(), 0u);
    const auto q = Pending("q");
    ASSERT_TRUE(q) << f;
    EXPECT_EQ(q->failures(), f);
    EXPECT_EQ(DueOf(*q), Now() + expected[f - 1]) << f;
    EXPECT_EQ(runner->Stats().quarantined, f >= 5 ? 1u : 0u) << f;
    // Out of the way until then: not tried again a moment before.
    clock_.Set(DueOf(*q) - milliseconds(1));
    ASSERT_EQ(runner->FireDue(100).value(), 0u);
    EXPECT_EQ(handler_->Fires("q"), static_cast<int>(f));
    clock_.Set(DueOf(*q));
  }
  ASSERT_EQ(runner->FireDue(100).value(), 0u);  // the 20th failure
  EXPECT_EQ(Pending("q"), std::nullopt);
  EXPECT_EQ(store_->NextTimerDue().value(), std::nullopt);
  const TimerRunnerStats stats = runner->Stats();
  EXPECT_EQ(stats.failed, 20u);
  EXPECT_EQ(stats.quarantined, 1u);
  EXPECT_EQ(stats.dead, 1u);
  EXPECT_EQ(stats.fired, 0u);

  auto dead = runner->DeadTimers("", 10);
  ASSERT_TRUE(dead);
  ASSERT_EQ(dead.value().size(), 1u);
  EXPECT_EQ(dead.value()[0].id(), "q");
  EXPECT_EQ(dead.value()[0].kind(), "follow_up");
  EXPECT_EQ(dead.value()[0].failures(), 20u);
  EXPECT_EQ(dead.value()[0].last_error(), "timer q: cannot act");
  EXPECT_EQ(runner->DeadTimers("q", 10).value().size(), 0u);
  clock_.Advance(hours(24));
  EXPECT_EQ(runner->FireDue(100).value(), 0u);
  EXPECT_EQ(handler_->Fires("q"), 20);  // never tried again
}

TEST_F(TimerRunnerTest, ShorterQuarantineFromOptions) {
  Schedule({MakeTimer("q", Now())});
  handler_->fail = [](const proto::Timer&) { return true; };
  TimerRunnerOptions options;
  options.quarantine_after = 2;
  options.dead_after = 4;
  options.retry_delay = milliseconds(10);
  options.backoff_initial = milliseconds(100);
  options.backoff_max = milliseconds(150);
  auto runner = MakeRunner(options);
  const std::vector<milliseconds> expected = {milliseconds(10), milliseconds(100),
                                              milliseconds(150)};
  for (size_t f = 1; f <= expected.size(); ++f) {
    ASSERT_EQ(runner->FireDue(10).value(), 0u);
    const auto q = Pending("q");
    ASSERT_TRUE(q);
    EXPECT_EQ(DueOf(*q), Now() + expected[f - 1]) << f;
    clock_.Set(DueOf(*q));
  }
  ASSERT_EQ(runner->FireDue(10).value(), 0u);
  EXPECT_EQ(Pending("q"), std::nullopt);
  EXPECT_EQ(runner->DeadTimers("", 10).value().size(), 1u);
}

TEST_F(TimerRunnerTest, ADeadTimerCanBeRevived) {
  Schedule({MakeTimer("q", Now())});
  handler_->fail = [](const proto::Timer&) { return true; };
  TimerRunnerOptions options;
  options.dead_after = 1;
  auto runner = MakeRunner(options);
  ASSERT_EQ(runner->FireDue(10).value(), 0u);
  ASSERT_EQ(runner->DeadTimers("", 10).value().size(), 1u);

  EXPECT_EQ(runner->Revive("nope").error().code, Errc::kNotFound);
  Schedule({MakeTimer("q", Now() + hours(1))});  // the id was scheduled again meanwhile
  EXPECT_EQ(runner->Revive("q").error().code, Errc::kConflict);
  StateBatch cancel;
  cancel.cancel = {"q"};
  ASSERT_TRUE(store_->Commit(cancel));

  clock_.Advance(hours(2));
  ASSERT_TRUE(runner->Revive("q"));
  EXPECT_TRUE(runner->DeadTimers("", 10).value().empty());
  const auto q = Pending("q");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->failures(), 0u);
  EXPECT_EQ(DueOf(*q), Now());
  handler_->fail = nullptr;
  EXPECT_EQ(runner->FireDue(10).value(), 1u);
  EXPECT_TRUE(HasEffect("q"));
}

// A restart with pending timers: they fire once after it, and a failing timer's count of
// failures survives it.
TEST_F(TimerRunnerTest, PendingTimersAndFailuresSurviveARestart) {
  std::vector<proto::Timer> timers;
  for (int i = 0; i < 50; ++i) {
    timers.push_back(MakeTimer("t" + std::to_string(i), Now() + seconds(10 + i)));
  }
  timers.push_back(MakeTimer("q", Now()));
  Schedule(timers);
  handler_->fail = [](const proto::Timer& t) { return t.id() == "q"; };
  {
    auto runner = MakeRunner();
    ASSERT_EQ(runner->FireDue(100).value(), 0u);
    clock_.Advance(seconds(1));
    ASSERT_EQ(runner->FireDue(100).value(), 0u);
  }
  store_.reset();
  Open();
  handler_->fail = [](const proto::Timer& t) { return t.id() == "q"; };
  auto runner = MakeRunner();
  clock_.Advance(seconds(100));
  EXPECT_EQ(runner->FireDue(100).value(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(HasEffect("t" + std::to_string(i)));
  EXPECT_EQ(runner->FireDue(100).value(), 0u);
  const auto q = Pending("q");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->failures(), 3u);
}

// The runner's thread fires a timer scheduled for now as soon as it is told.
TEST_F(TimerRunnerTest, TheThreadFiresWhatIsDueWhenNotified) {
  auto runner = MakeRunner();
  runner->Start();
  Schedule({MakeTimer("now", Now())});
  runner->Notify();
  EXPECT_TRUE(handler_->WaitCommitted("now"));
  runner->Stop();
  EXPECT_TRUE(HasEffect("now"));
  EXPECT_EQ(handler_->Committed("now"), 1);
}

}  // namespace
}  // namespace csgw::gateway
