// Outbound sends per second: HttpClient (libcurl multi on its own thread) against the mock
// marketplace on loopback (the project's Beast server, one I/O thread), with N sends in flight.
// Each send is an Ozon-shaped reply: POST /v1/chat/send/message, three headers, a 200-byte JSON
// body, answered {"result":"success"}. Figures and commands: docs/BENCHMARKS.md.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <semaphore>
#include <string>

#include "gateway/outbound/http_client.h"
#include "tests/support/mock_marketplace.h"

namespace csgw::gateway::outbound {
namespace {

HttpRequest OzonSend(const std::string& base_url) {
  HttpRequest r;
  r.method = "POST";
  r.url = base_url + "/v1/chat/send/message";
  r.headers = {{"Client-Id", "836"},
               {"Api-Key", "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"},
               {"Content-Type", "application/json"}};
  r.body = R"({"chat_id":"99feb3fc-a474-469f-95d5-268b470cc607","text":")" + std::string(120, 'x') +
           "\"}";
  return r;
}

// One item: one send completed (a response received and checked). N = sends kept in flight.
void BM_OutboundSends(benchmark::State& state) {
  const auto in_flight = static_cast<std::ptrdiff_t>(state.range(0));
  csgw::testing::MockMarketplace::Options mock_options;
  mock_options.max_recorded = 0;  // count only: recording is not what is measured
  auto mock = csgw::testing::MockMarketplace::Start(mock_options);
  if (!mock) std::abort();
  csgw::testing::RespondLikeMarketplaces(*mock.value());
  HttpClientOptions options;
  options.max_concurrent = static_cast<uint32_t>(in_flight);
  auto client = HttpClient::Create(options);
  if (!client) std::abort();
  const HttpRequest request = OzonSend(mock.value()->BaseUrl());

  std::counting_semaphore<> slots(in_flight);
  std::atomic<int64_t> failures{0};
  const auto done = [&](Result<HttpResponse> result) {
    if (!result || result.value().status != 200) failures.fetch_add(1);
    slots.release();
  };
  for (auto _ : state) {
    slots.acquire();
    if (!client.value()->Send(request, done)) std::abort();
  }
  for (std::ptrdiff_t i = 0; i < in_flight; ++i) slots.acquire();  // the last ones count too

  const auto stats = client.value()->Stats();
  if (failures.load() > 0) state.SkipWithError("a send failed");
  state.SetItemsProcessed(state.iterations());
  state.counters["connections"] = static_cast<double>(stats.connections_opened);
  client.value()->Stop();
}
BENCHMARK(BM_OutboundSends)->ArgName("in_flight")->Arg(1)->Arg(8)->Arg(64)->UseRealTime();

}  // namespace
}  // namespace csgw::gateway::outbound

BENCHMARK_MAIN();
