// CPU cost of the pure part of ingest: Verify + Normalize of one recorded push per marketplace.
//   build/release/bench/csgw_adapters_bench
#include <benchmark/benchmark.h>

#include "gateway/marketplaces/registry.h"
#include "tests/support/fixtures.h"

namespace csgw {
namespace {

void VerifyAndNormalize(benchmark::State& state, const std::string& marketplace,
                        const std::string& case_name) {
  csgw::testing::SetTestSecretEnv();
  const proto::Config config = csgw::testing::TestConfig();
  for (const auto& fc : csgw::testing::LoadFixtureCases(marketplace)) {
    if (fc.name != case_name) continue;
    ManualClock clock(fc.now);
    auto registry = gateway::AdapterRegistry::Build(config.marketplaces(), clock);
    const gateway::MarketplaceAdapter* adapter = registry.value()->Find(marketplace);
    for (auto _ : state) {
      auto verified = adapter->Verify(fc.request);
      auto intake = adapter->Normalize(fc.request);
      benchmark::DoNotOptimize(verified);
      benchmark::DoNotOptimize(intake);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * fc.request.body.size()));
    return;
  }
  state.SkipWithError(("no fixture case " + marketplace + "/" + case_name).c_str());
}

void BM_Ozon(benchmark::State& s) { VerifyAndNormalize(s, "ozon", "new_message"); }
void BM_MercadoLibre(benchmark::State& s) { VerifyAndNormalize(s, "mercadolibre", "orders_v2"); }
void BM_Lazada(benchmark::State& s) { VerifyAndNormalize(s, "lazada", "trade_order_unpaid"); }
void BM_Shopee(benchmark::State& s) { VerifyAndNormalize(s, "shopee", "webchat_text_from_buyer"); }
void BM_EbayEcdsa(benchmark::State& s) { VerifyAndNormalize(s, "ebay", "new_message"); }
BENCHMARK(BM_Ozon);
BENCHMARK(BM_MercadoLibre);
BENCHMARK(BM_Lazada);
BENCHMARK(BM_Shopee);
BENCHMARK(BM_EbayEcdsa);

}  // namespace
}  // namespace csgw

BENCHMARK_MAIN();
