// Durable timers in the store: recovery after a restart with 1 M pending timers, and how fast
// due timers fire: through TimerRunner with a handler writing one record per timer (what the
// gateway does), and through the store alone (one hand-built batch per 1 000 timers).
// Figures and commands: docs/BENCHMARKS.md.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "gateway/schedule/timer_runner.h"
#include "gateway/store/event_store.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

// 1 M; CSGW_TIMERS_BENCH_TIMERS=<n> for fewer (profiling under valgrind, where filling 1 M
// takes long).
int Timers() {
  static const int timers = [] {
    const char* env = std::getenv("CSGW_TIMERS_BENCH_TIMERS");
    return env != nullptr && std::atoi(env) > 0 ? std::atoi(env) : 1'000'000;
  }();
  return timers;
}
constexpr int kScheduleBatch = 10'000;
constexpr int64_t kStartMs = 1'700'000'000'000;

proto::Timer MakeTimer(int i) {
  proto::Timer t;
  t.set_id("follow_up/aliexpress/shop-" + std::to_string(i % 100) + "/buyer-" + std::to_string(i));
  t.set_kind("follow_up");
  const int64_t due = kStartMs + static_cast<int64_t>(i) * 37;  // spread over ~10 hours
  t.mutable_due()->set_seconds(due / 1000);
  t.mutable_due()->set_nanos(static_cast<int32_t>(due % 1000) * 1'000'000);
  t.set_subject("aliexpress/shop-" + std::to_string(i % 100) + "/buyer-" + std::to_string(i));
  return t;
}

std::unique_ptr<EventStore> Open(const std::string& dir) {
  StoreOptions options;
  options.dir = dir;
  options.sync = false;
  auto store = EventStore::Open(options);
  if (!store) std::abort();
  return std::move(store).value();
}

void Fill(EventStore& store, int count) {
  for (int start = 0; start < count; start += kScheduleBatch) {
    StateBatch batch;
    for (int i = start; i < std::min(count, start + kScheduleBatch); ++i) {
      batch.schedule.push_back(MakeTimer(i));
    }
    if (!store.Commit(batch)) std::abort();
  }
}

// One item: a restart with 1 M pending timers — open the store (WAL replay included) and find
// what is due first: what the scheduler does before it can fire anything.
void BM_TimerRecovery(benchmark::State& state) {
  csgw::testing::TempDir dir;
  {
    auto store = Open(dir.Sub("db"));
    Fill(*store, Timers());
  }
  for (auto _ : state) {
    auto store = Open(dir.Sub("db"));
    auto next = store->NextTimerDue();
    auto due = store->DueTimers(FromUnixMillis(kStartMs + 60'000), 1000);
    if (!next || !next.value() || !due || due.value().empty()) std::abort();
    benchmark::DoNotOptimize(due);
    state.PauseTiming();
    store.reset();  // closing is not part of recovery
    state.ResumeTiming();
  }
}
BENCHMARK(BM_TimerRecovery)->Unit(benchmark::kMillisecond)->Iterations(3);

// One item: one timer fired — read from the due range, removed, and its effect (a record
// write) stored, 1000 per batch, unsynced (`sync` = true when a fire's effect left the process).
void BM_TimerFires(benchmark::State& state) {
  csgw::testing::TempDir dir;
  auto store = Open(dir.Sub("db"));
  Fill(*store, Timers());
  const TimePoint now = FromUnixMillis(kStartMs + int64_t{Timers()} * 37);
  const bool sync = state.range(0) != 0;
  int64_t fired = 0;
  for (auto _ : state) {
    auto due = store->DueTimers(now, 1000);
    if (!due || due.value().empty()) {
      state.SkipWithError("ran out of timers: lower the iteration count");
      break;
    }
    StateBatch batch;
    batch.sync = sync;
    for (const auto& timer : due.value()) {
      batch.fired.push_back(timer.id());
      batch.writes.push_back({Table::kConversations, timer.subject(), "follow-up 1 sent"});
    }
    if (!store->Commit(batch)) std::abort();
    fired += static_cast<int64_t>(due.value().size());
  }
  state.SetItemsProcessed(fired);
}
BENCHMARK(BM_TimerFires)
    ->ArgName("sync")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(200)
    ->Unit(benchmark::kMillisecond);

// A follow-up's effect: one record write for its conversation.
class FollowUpHandler final : public TimerHandler {
 public:
  explicit FollowUpHandler(bool sync) : sync_(sync) {}
  Result<void> Fire(const proto::Timer& timer, TimePoint /*now*/, StateBatch& batch) override {
    batch.writes.push_back({Table::kConversations, timer.subject(), "follow-up 1 sent"});
    batch.sync = batch.sync || sync_;
    return Ok();
  }

 private:
  const bool sync_;
};

// One item: one timer fired by TimerRunner::FireDue(1000) — read, handled, removed with its
// effect, hooks called. `sync` = 1: every handler asks for a synced write (an outbox send).
void BM_RunnerFires(benchmark::State& state) {
  csgw::testing::TempDir dir;
  auto store = Open(dir.Sub("db"));
  Fill(*store, Timers());
  ManualClock clock(FromUnixMillis(kStartMs + int64_t{Timers()} * 37));
  FollowUpHandler handler(state.range(0) != 0);
  TimerRunner runner(*store, clock);
  runner.Handle("follow_up", handler);
  int64_t fired = 0;
  for (auto _ : state) {
    auto round = runner.FireDue(1000);
    if (!round || round.value() == 0) {
      state.SkipWithError("ran out of timers: lower the iteration count");
      break;
    }
    fired += static_cast<int64_t>(round.value());
  }
  state.SetItemsProcessed(fired);
}
BENCHMARK(BM_RunnerFires)->ArgName("sync")->Arg(0)->Iterations(200)->Unit(benchmark::kMillisecond);
// The same, CPU time of every thread of the process: RocksDB's flushes and compactions included.
BENCHMARK(BM_RunnerFires)
    ->ArgName("sync")
    ->Arg(0)
    ->Iterations(200)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);
// Fewer: one fsync per timer before timers shared a write.
BENCHMARK(BM_RunnerFires)->ArgName("sync")->Arg(1)->Iterations(20)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace csgw::gateway

BENCHMARK_MAIN();
