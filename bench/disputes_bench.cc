// Disputes: events applied through the pure machine (normalised events, and AliExpress
// snapshots through the mapping), the same through the gateway's pipeline on a real store, and
// the agents' question "which disputes are due within 24 h" across 10 000 stores, through the
// timers' due-time index (disputes_view.h) and, for comparison, by reading every dispute.
// Figures and commands: docs/BENCHMARKS.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "base/timestamp.h"
#include "disputes/deadlines.h"
#include "disputes/machine.h"
#include "disputes/mapping.h"
#include "gateway/api/disputes_view.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/pipeline/disputes_records.h"
#include "gateway/pipeline/pipeline.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

namespace d = csgw::disputes;
using std::chrono::hours;
using std::chrono::minutes;

const TimePoint kT0 = *ParseIsoDateTime("2024-03-01T00:00:00Z");

d::DisputeEvent Ev(const std::string& id, d::EventKind kind, TimePoint at) {
  d::DisputeEvent e;
  e.event_id = id;
  e.kind = kind;
  e.occurred_at = at;
  return e;
}

// One dispute's life in normalised events: opened, photos, a counter the buyer refuses, csgw's
// offer, a new buyer proposal, a second counter accepted, the return and the refund. 11 events.
std::vector<d::DisputeEvent> LifeCycle(TimePoint start) {
  std::vector<d::DisputeEvent> out;
  auto at = [&](int h) { return start + hours(h); };
  d::DisputeEvent open = Ev("open", d::EventKind::kOpened, start);
  open.actor = d::Party::kBuyer;
  open.solution = d::Solution::kRefundOnly;
  open.amount = d::Money{"25.00", "USD"};
  open.reason = d::Reason::kDamaged;
  out.push_back(open);
  d::DisputeEvent photos = Ev("photos", d::EventKind::kEvidenceAdded, at(1));
  photos.evidence = d::Evidence::kPhotos;
  out.push_back(photos);
  d::DisputeEvent counter = Ev("counter", d::EventKind::kSellerProposed, at(5));
  counter.actor = d::Party::kSeller;
  counter.solution = d::Solution::kRefundOnly;
  counter.amount = d::Money{"5.00", "USD"};
  out.push_back(counter);
  out.push_back(Ev("refuse", d::EventKind::kBuyerRejected, at(9)));
  d::DisputeEvent offer = Ev("offer", d::EventKind::kSellerOffered, at(10));
  offer.actor = d::Party::kSeller;
  offer.solution = d::Solution::kCoupon;
  offer.amount = d::Money{"3.00", "USD"};
  out.push_back(offer);
  d::DisputeEvent ask = Ev("ask", d::EventKind::kBuyerProposed, at(20));
  ask.actor = d::Party::kBuyer;
  ask.solution = d::Solution::kReturnAndRefund;
  out.push_back(ask);
  d::DisputeEvent counter2 = Ev("counter2", d::EventKind::kSellerProposed, at(30));
  counter2.actor = d::Party::kSeller;
  counter2.solution = d::Solution::kReturnAndRefund;
  out.push_back(counter2);
  d::DisputeEvent agreed = Ev("agreed", d::EventKind::kAgreed, at(40));
  agreed.agreement = d::Agreement::kConsensus;
  agreed.accepted_by = d::Party::kBuyer;
  out.push_back(agreed);
  out.push_back(Ev("return", d::EventKind::kReturnRequested, at(41)));
  out.push_back(Ev("shipped", d::EventKind::kReturnShipped, at(60)));
  d::DisputeEvent closed = Ev("closed", d::EventKind::kClosed, at(100));
  closed.refund = d::Refund::kFull;
  out.push_back(closed);
  return out;
}

// Normalised events into fresh disputes, each applied (and the state re-derived) as the
// pipeline does. Items: events.
void BM_MachineApply(benchmark::State& state) {
  const d::RuleSet& rules = *d::FindRuleSet(d::DefaultRuleSets(), "aliexpress-2024");
  const std::vector<d::DisputeEvent> life = LifeCycle(kT0);
  const size_t total = static_cast<size_t>(state.range(0));
  size_t applied = 0;
  for (auto _ : state) {
    size_t n = 0;
    for (size_t dispute = 0; n < total; ++dispute) {
      d::Dispute x = d::NewDispute("d" + std::to_string(dispute), "aliexpress", "shop", "o",
                                   "aliexpress-2024");
      for (size_t i = 0; i < life.size() && n < total; ++i, ++n) {
        auto r = d::Apply(x, life[i], rules);
        if (!r) std::abort();
      }
      benchmark::DoNotOptimize(x.state);
    }
    applied += n;
  }
  state.SetItemsProcessed(static_cast<int64_t>(applied));
}
BENCHMARK(BM_MachineApply)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);

// AliExpress legacy issue statuses, as a poller reports them, for dispute `n`.
constexpr const char* kLegacyPath[] = {"WAIT_SELLER_CONFIRM_REFUND", "SELLER_REFUSE_REFUND",
                                       "WAIT_SELLER_CONFIRM_REFUND", "ACCEPTISSUE",
                                       "WAIT_BUYER_SEND_GOODS",      "WAIT_SELLER_RECEIVE_GOODS"};

proto::Event Snapshot(size_t dispute, size_t step, size_t stores) {
  proto::Event e;
  e.set_event_id("ae-" + std::to_string(dispute) + "-" + std::to_string(step));
  e.set_marketplace("aliexpress");
  e.set_store_id("shop-" + std::to_string(dispute % stores));
  e.mutable_order()->set_order_id("o-" + std::to_string(dispute));
  e.mutable_buyer()->set_id("b-" + std::to_string(dispute));
  SetTimestamp(e.mutable_occurred_at(),
               kT0 + minutes(static_cast<int64_t>(dispute % 10'000)) + hours(6 * step));
  auto& u = *e.mutable_dispute_update();
  u.set_dispute_id("issue-" + std::to_string(dispute));
  u.set_marketplace_status(kLegacyPath[step]);
  u.set_reason("damaged");
  u.mutable_refund_amount()->set_amount("12.00");
  u.mutable_refund_amount()->set_currency("USD");
  return e;
}

// Marketplace snapshots through the mapping and the machine. Items: marketplace events (one
// expands to 1-4 machine events). Building the protos is outside the timed part.
void BM_MapAndApply(benchmark::State& state) {
  const d::RuleSet& rules = *d::FindRuleSet(d::DefaultRuleSets(), "aliexpress-legacy");
  const size_t total = static_cast<size_t>(state.range(0));
  constexpr size_t kChunk = 6'000;  // disputes' worth of snapshots built at a time
  size_t mapped = 0;
  for (auto _ : state) {
    size_t n = 0;
    for (size_t first = 0; n < total; first += kChunk / std::size(kLegacyPath)) {
      state.PauseTiming();
      std::vector<proto::Event> events;
      for (size_t i = 0; i < kChunk / std::size(kLegacyPath); ++i) {
        for (size_t step = 0; step < std::size(kLegacyPath); ++step) {
          events.push_back(Snapshot(first + i, step, 10'000));
        }
      }
      state.ResumeTiming();
      for (size_t i = 0; i < events.size() && n < total; i += std::size(kLegacyPath)) {
        d::Dispute x = d::NewDispute(events[i].dispute_update().dispute_id(), "aliexpress",
                                     events[i].store_id(), "o", "aliexpress-legacy");
        for (size_t step = 0; step < std::size(kLegacyPath) && n < total; ++step, ++n) {
          auto expanded = d::MapEvent(events[i + step]);
          if (!expanded) std::abort();
          for (const d::DisputeEvent& e : expanded.value()) (void)d::Apply(x, e, rules);
        }
        benchmark::DoNotOptimize(x.state);
      }
    }
    mapped += n;
  }
  state.SetItemsProcessed(static_cast<int64_t>(mapped));
}
BENCHMARK(BM_MapAndApply)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);

struct PipelineParts {
  PipelineParts()
      : clock(kT0),
        classifier(templates::MakeRuleClassifier()),
        catalog(templates::Catalog::Default()),
        drafter(detector, *classifier, catalog) {}
  ManualClock clock;
  i18n::LanguageDetector detector;
  std::unique_ptr<templates::IntentClassifier> classifier;
  templates::CatalogHolder catalog;
  templates::Drafter drafter;
  proto::TemplatesConfig config;
};

// Stored AliExpress dispute updates taken from the work queue by the pipeline: mapped, applied,
// written with their deadlines' and alerts' timers and the ODR counters, in the batches the
// pipeline's thread uses, on a real store (unsynced, as the pipeline's own writes are).
// Appending is outside the timed part. Items: events. The disputes' snapshots are interleaved
// (a window of 1 000 disputes at a time), so a batch touches many disputes, as live traffic does.
void BM_PipelineDisputeEvents(benchmark::State& state) {
  const size_t total = static_cast<size_t>(state.range(0));
  size_t processed = 0;
  for (auto _ : state) {
    state.PauseTiming();
    csgw::testing::TempDir dir;
    StoreOptions options;
    options.dir = dir.Sub("db");
    options.sync = false;
    auto store = EventStore::Open(options);
    if (!store) std::abort();
    PipelineParts parts;
    Pipeline pipeline(*store.value(), parts.drafter, parts.config, parts.clock);
    constexpr size_t kWindow = 1'000;
    size_t n = 0;
    std::vector<proto::Event> events;
    for (size_t first = 0; n < total; first += kWindow) {
      for (size_t step = 0; step < std::size(kLegacyPath); ++step) {
        for (size_t i = 0; i < kWindow && n < total; ++i, ++n) {
          events.push_back(Snapshot(first + i, step, 10'000));
          if (events.size() == 4096) {
            if (!store.value()->Append(std::move(events))) std::abort();
            events.clear();
          }
        }
      }
    }
    if (!events.empty() && !store.value()->Append(std::move(events))) std::abort();
    state.ResumeTiming();
    size_t done = 0;
    while (done < n) {
      auto batch = pipeline.ProcessPending(256);
      if (!batch || batch.value() == 0) std::abort();
      done += batch.value();
    }
    processed += done;
    state.PauseTiming();
    store.value().reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(processed));
}
BENCHMARK(BM_PipelineDisputeEvents)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// 10 000 stores with 10 disputes each (100 000 disputes; their deadlines and alerts are
// 800 000 timers) opened over the last 5 days, half of them negotiating, plus one reply-SLA
// timer per dispute from the conversations (other kinds share the timers' range). Written
// directly in the pipeline's record and timer form; built once for the query benchmarks.
struct DueWorld {
  static constexpr size_t kStores = 10'000;
  static constexpr size_t kPerStore = 10;
  const TimePoint now = kT0 + hours(24 * 10);
  csgw::testing::TempDir dir;
  std::unique_ptr<EventStore> store;
  size_t timers = 0;

  DueWorld() {
    StoreOptions options;
    options.dir = dir.Sub("db");
    options.sync = false;
    auto opened = EventStore::Open(options);
    if (!opened) std::abort();
    store = std::move(opened).value();
    const d::RuleSet& rules = *FindDisputeRuleSet("aliexpress-2024");
    const DisputeSettings settings;
    std::mt19937 rng(20240301);
    std::uniform_int_distribution<int64_t> age_minutes(0, 5 * 24 * 60);
    StateBatch batch;
    for (size_t s = 0; s < kStores; ++s) {
      const std::string store_id = "shop-" + std::to_string(s);
      for (size_t i = 0; i < kPerStore; ++i) {
        const std::string id = "issue-" + std::to_string(i);
        const std::string key = "aliexpress/" + store_id + "/" + id;
        d::Dispute x = d::NewDispute(id, "aliexpress", store_id, "o-" + id, "aliexpress-2024");
        const TimePoint opened_at = now - minutes(age_minutes(rng));
        d::DisputeEvent open = Ev(key + "#opened", d::EventKind::kOpened, opened_at);
        open.actor = d::Party::kBuyer;
        open.solution = d::Solution::kRefundOnly;
        open.amount = d::Money{"12.00", "USD"};
        open.reason = d::Reason::kDamaged;
        if (!d::Apply(x, open, rules)) std::abort();
        if (i % 2 == 1) {
          d::DisputeEvent counter = Ev(key + "#counter", d::EventKind::kSellerProposed,
                                       opened_at + hours(1));
          counter.actor = d::Party::kSeller;
          if (!d::Apply(x, counter, rules)) std::abort();
        }
        proto::StoredDispute stored;
        ToStored(x, stored);
        const TimerChanges changes =
            PlanDisputeTimers(DisputeTimers(key, x, rules, settings, now), stored);
        for (const auto& t : changes.schedule) batch.schedule.push_back(t);
        proto::Timer sla;
        sla.set_id("reply_sla/" + key);
        sla.set_kind("reply_sla");
        SetTimestamp(sla.mutable_due(), now + minutes(age_minutes(rng) * 7 / 5));
        sla.set_subject(key);
        batch.schedule.push_back(sla);
        batch.writes.push_back({Table::kDisputes, key, stored.SerializeAsString()});
      }
      if (batch.writes.size() >= 5'000) Flush(batch);
    }
    Flush(batch);
  }

  void Flush(StateBatch& batch) {
    timers += batch.schedule.size();
    if (!store->Commit(batch)) std::abort();
    batch = StateBatch();
  }

  static DueWorld& Get() {
    static DueWorld* world = new DueWorld();  // built once, lives for the process
    return *world;
  }
};

// Every dispute due within 24 h, across all stores, a page of 200 at a time through the index
// (what GET /v1/disputes?due_within=24h and `csgw disputes --due-within 24h` run). Items:
// disputes returned.
void BM_DueWithin24hIndex(benchmark::State& state) {
  DueWorld& world = DueWorld::Get();
  size_t found = 0;
  size_t pages = 0;
  for (auto _ : state) {
    DisputeQuery q;
    q.due_before = world.now + hours(24);
    q.limit = 200;
    do {
      auto page = ListDisputes(*world.store, q);
      if (!page) std::abort();
      found += page.value().disputes.size();
      ++pages;
      q.after = page.value().next;
    } while (!q.after.empty());
  }
  state.SetItemsProcessed(static_cast<int64_t>(found));
  state.counters["disputes_per_query"] =
      benchmark::Counter(static_cast<double>(found) / static_cast<double>(state.iterations()));
  state.counters["pages_per_query"] =
      benchmark::Counter(static_cast<double>(pages) / static_cast<double>(state.iterations()));
  state.counters["timers_stored"] = benchmark::Counter(static_cast<double>(world.timers));
}
BENCHMARK(BM_DueWithin24hIndex)->Unit(benchmark::kMillisecond);

// The first page only: what an agent's queue view waits for.
void BM_DueWithin24hFirstPage(benchmark::State& state) {
  DueWorld& world = DueWorld::Get();
  size_t found = 0;
  for (auto _ : state) {
    DisputeQuery q;
    q.due_before = world.now + hours(24);
    q.limit = 50;
    // A page may come back short, even empty, with `next` (it reads at most max_examined
    // timers): this world has no timer runner, so the alerts already due stay in the range
    // ahead of the deadlines. The agent's view follows `next` until it has something to show.
    size_t got = 0;
    do {
      auto page = ListDisputes(*world.store, q);
      if (!page) std::abort();
      got = page.value().disputes.size();
      q.after = page.value().next;
    } while (got == 0 && !q.after.empty());
    if (got == 0) std::abort();
    found += got;
  }
  state.SetItemsProcessed(static_cast<int64_t>(found));
  state.counters["disputes_per_page"] =
      benchmark::Counter(static_cast<double>(found) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_DueWithin24hFirstPage)->Unit(benchmark::kMicrosecond);

// The same answer by reading every dispute record, re-deriving it and sorting by its nearest
// deadline: what the CLI did before the index. Items: disputes returned.
void BM_DueWithin24hFullScan(benchmark::State& state) {
  DueWorld& world = DueWorld::Get();
  size_t found = 0;
  for (auto _ : state) {
    std::vector<std::pair<TimePoint, std::string>> due;
    std::string after;
    while (true) {
      auto page = world.store->ScanRecords(Table::kDisputes, "", after, 500);
      if (!page) std::abort();
      for (const auto& [key, bytes] : page.value()) {
        after = key;
        proto::StoredDispute stored;
        if (!stored.ParseFromString(bytes)) std::abort();
        auto x = FromStored(stored);
        if (!x) std::abort();
        const auto deadlines =
            d::OpenDeadlines(x.value(), *FindDisputeRuleSet(stored.rule_set_id()));
        if (!deadlines.empty() && deadlines.front().due_at < world.now + hours(24)) {
          due.emplace_back(deadlines.front().due_at, key);
        }
      }
      if (page.value().size() < 500) break;
    }
    std::sort(due.begin(), due.end());
    found += due.size();
    benchmark::DoNotOptimize(due.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(found));
}
BENCHMARK(BM_DueWithin24hFullScan)->Unit(benchmark::kMillisecond);

// One store's disputes due within 24 h through the same index (the timers are not keyed by
// store, so this reads the whole window and keeps one store's).
void BM_DueWithin24hOneStore(benchmark::State& state) {
  DueWorld& world = DueWorld::Get();
  size_t found = 0;
  for (auto _ : state) {
    DisputeQuery q;
    q.store_id = "shop-4242";
    q.due_before = world.now + hours(24);
    q.limit = 200;
    q.max_examined = 1'000'000;
    auto page = ListDisputes(*world.store, q);
    if (!page) std::abort();
    found += page.value().disputes.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(found));
}
BENCHMARK(BM_DueWithin24hOneStore)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace csgw::gateway

BENCHMARK_MAIN();
