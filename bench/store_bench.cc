// Durable appends through the group commit, one ~1 KB event per append, from N threads.
//   build/release/bench/csgw_store_bench
// The same-run baseline is Threads 1: every append waits for its own fsync.
#include <benchmark/benchmark.h>

#include <atomic>
#include <filesystem>

#include "gateway/store/event_store.h"

namespace csgw {
namespace {

gateway::EventStore* g_store = nullptr;
std::atomic<uint64_t> g_next{0};

void Setup(const benchmark::State&) {
  const auto dir = std::filesystem::temp_directory_path() / "csgw_store_bench";
  std::filesystem::remove_all(dir);
  auto store = gateway::EventStore::Open({.dir = dir.string()});
  if (!store) std::abort();
  g_store = store.value().release();
}

void Teardown(const benchmark::State&) {
  g_store->Close();
  delete g_store;
  g_store = nullptr;
  std::filesystem::remove_all(std::filesystem::temp_directory_path() / "csgw_store_bench");
}

void BM_DurableAppend(benchmark::State& state) {
  const std::string payload(900, 'x');
  for (auto _ : state) {
    proto::Event event;
    event.set_marketplace("lazada");
    event.set_store_id("bench-store");
    event.set_event_id("e" + std::to_string(g_next.fetch_add(1)));
    event.mutable_raw()->set_body(payload);
    auto appended = g_store->Append({std::move(event)});
    if (!appended) state.SkipWithError(appended.error().message.c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DurableAppend)
    ->Setup(Setup)
    ->Teardown(Teardown)
    ->Threads(1)
    ->Threads(8)
    ->Threads(64)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace
}  // namespace csgw

BENCHMARK_MAIN();
