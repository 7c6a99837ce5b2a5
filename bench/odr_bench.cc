// Seller-service-level (ODR) figures through the store:
// - BM_OdrReport: the report of one store with 1 M orders over 90 days (AliExpress 2015: ten
//   metrics, trend, grade, forecast, what it takes), read from RocksDB through
//   StoreCounterSource. The store holds the daily counters that counting 1 M orders leaves
//   (11 112 orders a day: placed, completed, 1.5 % disputes, 0.5 % seller cancellations,
//   feedback), each day's written as 64 merge operands as pipeline batches write them, so the
//   read also merges. Target ≤ 1 ms.
// - BM_OdrCountOrderEvents: counting 1 M order events (created, then shipped, then completed, of
//   333 334 orders over 90 days) the way the pipeline does: batches of 256 events through
//   OdrCounting::Batch (fact records read from and written to the store, deltas merged), each
//   batch committed. Reported as events/s.
// Figures and commands: docs/BENCHMARKS.md.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/pipeline/odr_counting.h"
#include "gateway/store/event_store.h"
#include "odr/report.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

constexpr int kDays = 90;
constexpr int64_t kOrders = 1'000'000;
constexpr int kOperandsPerDay = 64;
constexpr int kBatch = 256;  // the pipeline's batch

const odr::RuleSet& Rules() {
  const odr::RuleSet* r = odr::FindRuleSet(odr::DefaultRuleSets(), "aliexpress-2015");
  if (r == nullptr) std::abort();
  return *r;
}

std::unique_ptr<EventStore> Open(const std::string& dir) {
  StoreOptions options;
  options.dir = dir;
  options.sync = false;
  auto store = EventStore::Open(options);
  if (!store) std::abort();
  return std::move(store).value();
}

odr::Day FirstDay() { return *odr::ParseDay("2024-01-01"); }

// What counting kOrders orders spread evenly over kDays leaves per day.
odr::Counters DayCounters(int64_t orders) {
  return {{"orders_placed", orders},
          {"orders_completed", orders - orders / 50},
          {"disputes_filed", orders * 15 / 1000},
          {"disputes_not_cancelled", orders * 12 / 1000},
          {"disputes_resolved", orders * 10 / 1000},
          {"claims_filed", orders * 4 / 1000},
          {"claims_seller_responsible", orders * 2 / 1000},
          {"nr_disputes", orders * 8 / 1000},
          {"snad_disputes", orders * 6 / 1000},
          {"non_fulfilled", orders * 5 / 1000},
          {"feedback_positive", orders * 30 / 100},
          {"feedback_negative", orders * 1 / 100},
          {"dsr_described_sum", orders * 30 / 100 * 47 / 10},
          {"dsr_described_count", orders * 30 / 100},
          {"dsr_communication_sum", orders * 30 / 100 * 48 / 10},
          {"dsr_communication_count", orders * 30 / 100},
          {"dsr_shipping_sum", orders * 30 / 100 * 46 / 10},
          {"dsr_shipping_count", orders * 30 / 100}};
}

// Writes each day's counters as `operands` deltas, in as many batches (every batch touches
// every day, as late events do).
void Fill(EventStore& store, int operands) {
  const odr::RuleSet& rules = Rules();
  const int64_t per_day = (kOrders + kDays - 1) / kDays;
  for (int part = 0; part < operands; ++part) {
    StateBatch batch;
    for (int d = 0; d < kDays; ++d) {
      const int64_t share = per_day / operands + (part < per_day % operands ? 1 : 0);
      batch.merges.push_back(odr::CounterDelta{
          odr::CounterKey{"bench-1", rules.Key(), FirstDay() + std::chrono::days(d)},
          DayCounters(share)});
    }
    if (!store.Commit(batch)) std::abort();
  }
}

// state.range(0): merge operands per day still to merge at read time (1: one value per day, as
// after a flush or compaction; 64: every day touched by 64 batches since the last flush).
void BM_OdrReport(benchmark::State& state) {
  csgw::testing::TempDir dir;
  auto store = Open(dir.Sub("db"));
  const odr::RuleSet& rules = Rules();
  Fill(*store, static_cast<int>(state.range(0)));
  const StoreCounterSource source(*store);
  const odr::Day at = FirstDay() + std::chrono::days(kDays - 1);
  int64_t orders = 0;
  for (auto _ : state) {
    auto report = odr::BuildReport(rules, source, "bench-1", at);
    if (!report) std::abort();
    orders = report.value().metrics[5].denominator;  // non-fulfilment: orders placed
    benchmark::DoNotOptimize(report);
  }
  if (orders < kOrders) std::abort();  // the window holds every order
  state.counters["orders"] = static_cast<double>(orders);
}
BENCHMARK(BM_OdrReport)->Arg(1)->Arg(kOperandsPerDay)->Unit(benchmark::kMicrosecond);

// The report alone, from counters in memory: what the store's read adds is the difference.
void BM_OdrReportInMemory(benchmark::State& state) {
  const odr::RuleSet& rules = Rules();
  odr::InMemoryCounters counters;
  const int64_t per_day = (kOrders + kDays - 1) / kDays;
  for (int d = 0; d < kDays; ++d) {
    counters.Apply(odr::CounterDelta{
        odr::CounterKey{"bench-1", rules.Key(), FirstDay() + std::chrono::days(d)},
        DayCounters(per_day)});
  }
  const odr::Day at = FirstDay() + std::chrono::days(kDays - 1);
  for (auto _ : state) {
    auto report = odr::BuildReport(rules, counters, "bench-1", at);
    if (!report) std::abort();
    benchmark::DoNotOptimize(report);
  }
}
BENCHMARK(BM_OdrReportInMemory)->Unit(benchmark::kMicrosecond);

proto::Event OrderEvent(int64_t order, int step) {
  static const proto::OrderStatus kSteps[] = {proto::ORDER_STATUS_CREATED,
                                              proto::ORDER_STATUS_SHIPPED,
                                              proto::ORDER_STATUS_COMPLETED};
  proto::Event e;
  const std::string id = "o" + std::to_string(order);
  e.set_event_id(id + "/" + std::to_string(step));
  e.set_marketplace("aliexpress");
  e.set_store_id("bench-1");
  e.mutable_order()->set_order_id(id);
  // Orders spread over 90 days; shipped a day after placement, completed ten days after.
  const int64_t placed = 1'704'067'200 + (order * kDays * 86'400) / (kOrders / 3);
  const int64_t offset = step == 0 ? 0 : (step == 1 ? 86'400 : 10 * 86'400);
  e.mutable_occurred_at()->set_seconds(placed + offset);
  e.mutable_order_update()->set_status(kSteps[step]);
  if (step == 0) {
    e.mutable_order_update()->mutable_total()->set_amount("19.90");
    e.mutable_order_update()->mutable_total()->set_currency("USD");
  }
  if (step == 1) e.mutable_order_update()->set_tracking_number("LP" + std::to_string(order));
  return e;
}

void BM_OdrCountOrderEvents(benchmark::State& state) {
  constexpr int64_t kEvents = 1'000'000;
  constexpr int64_t kOrdersCounted = (kEvents + 2) / 3;
  for (auto _ : state) {
    state.PauseTiming();
    csgw::testing::TempDir dir;
    auto store = Open(dir.Sub("db"));
    ManualClock clock(FromUnixMillis(1'712'000'000'000));
    OdrCounting counting(*store, std::make_shared<const OdrRules>(), clock);
    // Alerts are evaluated once per store and rule set a minute; the clock stands still here,
    // so after the first batch this measures counting alone.
    std::vector<proto::Event> events;
    events.reserve(kBatch);
    state.ResumeTiming();
    int64_t next = 0;
    while (next < kEvents) {
      events.clear();
      // Every order's creation first, then the shipments, then the completions: an order's
      // events arrive days apart, in different batches, so each reads its facts from the store.
      for (int i = 0; i < kBatch && next < kEvents; ++i, ++next) {
        events.push_back(OrderEvent(next % kOrdersCounted, static_cast<int>(next / kOrdersCounted)));
      }
      OdrCounting::Batch batch = counting.Begin();
      for (const proto::Event& e : events) batch.Add(e);
      StateBatch writes;
      if (!batch.Finish(nullptr, writes)) std::abort();
      if (!store->Commit(writes)) std::abort();
    }
    state.PauseTiming();
    // A check that everything was counted: completions of all orders in the window.
    const odr::RuleSet& rules = Rules();
    auto report = odr::BuildReport(rules, StoreCounterSource(*store), "bench-1",
                                   FirstDay() + std::chrono::days(kDays + 10));
    if (!report) std::abort();
    state.counters["orders_placed_in_window"] = static_cast<double>(report.value().metrics[5].denominator);
    store.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
}
BENCHMARK(BM_OdrCountOrderEvents)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
}  // namespace csgw::gateway

BENCHMARK_MAIN();
