// The drafting pipeline end to end on a real store: stored buyer messages (with their order
// updates) taken from the work queue, drafted, and written back with their acknowledgement.
// Figures and commands: docs/BENCHMARKS.md.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/pipeline/pipeline.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

struct Sample {
  const char* text;
  const char* country;
};

// Buyer messages as they arrive, ru / es / en, short and long.
constexpr Sample kSamples[] = {
    {"Здравствуйте! Где мой заказ? Уже две недели жду", "RU"},
    {"спасибо, всё пришло", "RU"},
    {"gde moy zakaz", "RU"},
    {"Товар пришёл сломанный, что делать?", "KZ"},
    {"hola donde esta mi pedido??", "MX"},
    {"¿Tienen talla M en color negro?", "AR"},
    {"quiero devolver el producto, no me queda", "ES"},
    {"Hi, when will my order ship?", "US"},
    {"thanks a lot!", "GB"},
    {"Can I get a discount if I buy 50 pieces?", "US"},
};

proto::Event Message(uint64_t n) {
  const Sample& s = kSamples[n % std::size(kSamples)];
  proto::Event e;
  e.set_event_id("m-" + std::to_string(n));
  e.set_marketplace("aliexpress");
  e.set_store_id("shop-" + std::to_string(n % 50));
  e.mutable_buyer()->set_id("buyer-" + std::to_string(n % 5000));
  e.mutable_buyer()->set_country(s.country);
  e.mutable_order()->set_order_id("order-" + std::to_string(n % 5000));
  SetTimestamp(e.mutable_occurred_at(), *ParseIsoDateTime("2024-03-20T08:00:00Z"));
  auto& m = *e.mutable_buyer_message();
  m.set_kind(proto::BuyerMessage::KIND_NEW);
  m.set_message_id("msg-" + std::to_string(n));
  m.set_sender(proto::SENDER_ROLE_BUYER);
  m.set_text(s.text);
  return e;
}

proto::Event Shipped(uint64_t n) {
  proto::Event e;
  e.set_event_id("o-" + std::to_string(n));
  e.set_marketplace("aliexpress");
  e.set_store_id("shop-" + std::to_string(n % 50));
  e.mutable_order()->set_order_id("order-" + std::to_string(n % 5000));
  SetTimestamp(e.mutable_occurred_at(), *ParseIsoDateTime("2024-03-08T08:00:00Z"));
  e.mutable_order_update()->set_status(proto::ORDER_STATUS_SHIPPED);
  e.mutable_order_update()->set_tracking_number("LP" + std::to_string(1000000 + n));
  return e;
}

// One item: one stored buyer message drafted and acknowledged (one order update per ten
// messages rides along). Appending is outside the timed part.
void BM_PipelineDrafts(benchmark::State& state) {
  csgw::testing::TempDir dir;
  StoreOptions options;
  options.dir = dir.Sub("db");
  options.sync = false;  // the appends are setup; the pipeline's own writes are unsynced
  auto store = EventStore::Open(options);
  if (!store) std::abort();
  ManualClock clock(*ParseIsoDateTime("2024-03-20T09:00:00Z"));
  i18n::LanguageDetector detector;
  const auto classifier = templates::MakeRuleClassifier();
  templates::CatalogHolder catalog(templates::Catalog::Default());
  templates::Drafter drafter(detector, *classifier, catalog);
  proto::TemplatesConfig config;
  config.mutable_default_policy()->set_store_name("Sunny Home");
  config.mutable_default_policy()->set_agent_name("Lena");
  config.set_max_conversation_messages(200);
  config.set_max_conversation_drafts(50);
  Pipeline pipeline(*store.value(), drafter, config, clock);

  const size_t batch = static_cast<size_t>(state.range(0));
  uint64_t n = 0;
  size_t messages = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<proto::Event> events;
    for (size_t i = 0; i < batch; ++i, ++n) {
      events.push_back(Message(n));
      if (n % 10 == 0) events.push_back(Shipped(n));
    }
    messages += batch;
    if (!store.value()->Append(std::move(events))) std::abort();
    state.ResumeTiming();
    size_t done = 0;
    while (done < batch) {
      auto processed = pipeline.ProcessPending(256);
      if (!processed || processed.value() == 0) std::abort();
      done += processed.value();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(messages));
}
BENCHMARK(BM_PipelineDrafts)->Arg(256)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace csgw::gateway

BENCHMARK_MAIN();
