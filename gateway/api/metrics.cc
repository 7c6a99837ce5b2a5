#include "gateway/api/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <mutex>

#include "gateway/pipeline/conversations.h"

namespace csgw::gateway {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildHistogram;
using prometheus::Counter;
using prometheus::Family;
using prometheus::Histogram;

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

// Latency buckets from 100 µs to 10 s: webhooks are answered in about a millisecond; the tail
// is what operators watch.
Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

Histogram::BucketBoundaries BatchBuckets() {
  return {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};
}

}  // namespace

class GatewayMetrics::Impl {
 public:
  Impl()
      : registry(std::make_shared<prometheus::Registry>()),
        requests(BuildCounter()
                     .Name("csgw_http_requests_total")
                     .Help("HTTP requests by route template and status")
                     .Register(*registry)),
        ingest_latency(BuildHistogram()
                           .Name("csgw_ingest_latency_seconds")
                           .Help("Webhook receipt to durable events, by marketplace")
                           .Register(*registry)),
        rejected(BuildCounter()
                     .Name("csgw_webhook_rejected_total")
                     .Help("Webhooks refused, by marketplace and error code")
                     .Register(*registry)),
        ignored(BuildCounter()
                    .Name("csgw_webhook_ignored_total")
                    .Help("Webhooks acknowledged without storing (unused notification types)")
                    .Register(*registry)),
        stored(BuildCounter()
                   .Name("csgw_events_stored_total")
                   .Help("Events newly stored, by marketplace")
                   .Register(*registry)),
        dedupe(BuildCounter()
                   .Name("csgw_dedupe_hits_total")
                   .Help("Redelivered events recognised and not stored again")
                   .Register(*registry)),
        commit_appends(BuildHistogram()
                           .Name("csgw_store_commit_appends")
                           .Help("Requests sharing one group commit")
                           .Register(*registry)
                           .Add({}, BatchBuckets())),
        commit_events(BuildHistogram()
                          .Name("csgw_store_commit_events")
                          .Help("Events in one group commit")
                          .Register(*registry)
                          .Add({}, BatchBuckets())),
        write_latency(BuildHistogram()
                          .Name("csgw_store_write_latency_seconds")
                          .Help("Write and WAL sync time of one group commit")
                          .Register(*registry)
                          .Add({}, LatencyBuckets())),
        commit_failures(BuildCounter()
                            .Name("csgw_store_commit_failures_total")
                            .Help("Group commits that failed to write")
                            .Register(*registry)
                            .Add({})),
        drafts(BuildCounter()
                   .Name("csgw_drafts_total")
                   .Help("Reply drafts made, by marketplace, intent and state")
                   .Register(*registry)),
        pipeline_events(BuildCounter()
                            .Name("csgw_pipeline_events_total")
                            .Help("Stored events the pipeline has applied")
                            .Register(*registry)
                            .Add({})),
        pipeline_failures(BuildCounter()
                              .Name("csgw_pipeline_failures_total")
                              .Help("Pipeline batches that failed and will be retried")
                              .Register(*registry)
                              .Add({})),
        catalog_reloads(BuildCounter()
                            .Name("csgw_catalog_reloads_total")
                            .Help("Template catalogue reloads (SIGHUP), by result")
                            .Register(*registry)),
        reply_overdue(BuildCounter()
                          .Name("csgw_reply_overdue_total")
                          .Help("Conversations whose reply SLA ran out before a reply")
                          .Register(*registry)
                          .Add({})),
        outbox_settled(BuildCounter()
                           .Name("csgw_outbox_settled_total")
                           .Help("Outbox entries that reached a final state, by state")
                           .Register(*registry)) {}

  // Family::Add builds a label map and hashes it on every call; the request path instead looks
  // its series up here by plain keys, without allocating once a series exists.
  template <class T, class MakeLabels>
  T& Cached(std::map<std::string, T*, std::less<>>& cache, std::string_view key,
            MakeLabels make_labels) {
    std::lock_guard lock(cache_mu);
    if (auto it = cache.find(key); it != cache.end()) return *it->second;
    T& series = make_labels();
    cache.emplace(std::string(key), &series);
    return series;
  }

  std::mutex cache_mu;
  std::map<std::string, std::map<int, Counter*>, std::less<>> requests_by_route;
  std::map<std::string, Histogram*, std::less<>> ingest_by_marketplace;
  std::map<std::string, Counter*, std::less<>> stored_by_marketplace;
  std::map<std::string, Counter*, std::less<>> dedupe_by_marketplace;

  std::shared_ptr<prometheus::Registry> registry;
  Family<Counter>& requests;
  Family<Histogram>& ingest_latency;
  Family<Counter>& rejected;
  Family<Counter>& ignored;
  Family<Counter>& stored;
  Family<Counter>& dedupe;
  Histogram& commit_appends;
  Histogram& commit_events;
  Histogram& write_latency;
  Counter& commit_failures;
  Family<Counter>& drafts;
  Counter& pipeline_events;
  Counter& pipeline_failures;
  Family<Counter>& catalog_reloads;
  Counter& reply_overdue;
  Family<Counter>& outbox_settled;
};

GatewayMetrics::GatewayMetrics() : impl_(std::make_unique<Impl>()) {}
GatewayMetrics::~GatewayMetrics() = default;

void GatewayMetrics::CountRequest(std::string_view route, int status) {
  Counter* counter = nullptr;
  {
    std::lock_guard lock(impl_->cache_mu);
    auto by_route = impl_->requests_by_route.find(route);
    if (by_route == impl_->requests_by_route.end()) {
      by_route =
          impl_->requests_by_route.emplace(std::string(route), std::map<int, Counter*>()).first;
    }
    auto& slot = by_route->second[status];
    if (slot == nullptr) {
      slot =
          &impl_->requests.Add({{"route", std::string(route)}, {"status", std::to_string(status)}});
    }
    counter = slot;
  }
  counter->Increment();
}

void GatewayMetrics::ObserveIngest(std::string_view marketplace, std::chrono::nanoseconds latency) {
  impl_
      ->Cached(impl_->ingest_by_marketplace, marketplace,
               [&]() -> Histogram& {
                 return impl_->ingest_latency.Add({{"marketplace", std::string(marketplace)}},
                                                  LatencyBuckets());
               })
      .Observe(Seconds(latency));
}

void GatewayMetrics::CountRejected(std::string_view marketplace, std::string_view error) {
  impl_->rejected.Add({{"marketplace", std::string(marketplace)}, {"error", std::string(error)}})
      .Increment();
}

void GatewayMetrics::CountIgnored(std::string_view marketplace) {
  impl_->ignored.Add({{"marketplace", std::string(marketplace)}}).Increment();
}

void GatewayMetrics::CountStored(std::string_view marketplace, size_t events) {
  impl_
      ->Cached(impl_->stored_by_marketplace, marketplace,
               [&]() -> Counter& {
                 return impl_->stored.Add({{"marketplace", std::string(marketplace)}});
               })
      .Increment(static_cast<double>(events));
}

void GatewayMetrics::OnCommit(size_t appends, size_t events,
                              std::chrono::nanoseconds write_latency) {
  impl_->commit_appends.Observe(static_cast<double>(appends));
  impl_->commit_events.Observe(static_cast<double>(events));
  impl_->write_latency.Observe(Seconds(write_latency));
}

void GatewayMetrics::OnDuplicate(std::string_view marketplace) {
  impl_
      ->Cached(impl_->dedupe_by_marketplace, marketplace,
               [&]() -> Counter& {
                 return impl_->dedupe.Add({{"marketplace", std::string(marketplace)}});
               })
      .Increment();
}

void GatewayMetrics::OnCommitFailure() { impl_->commit_failures.Increment(); }

namespace {

// The marketplaces csgw speaks to. /v1/events accepts any well-formed id, so an id outside this
// list is counted as "other": a client must not be able to mint label values.
std::string MarketplaceLabel(std::string_view marketplace) {
  static constexpr std::string_view kKnown[] = {"aliexpress", "amazon",       "ebay",
                                                "lazada",     "mercadolibre", "ozon",
                                                "shopee",     "walmart",      "wildberries"};
  for (std::string_view known : kKnown) {
    if (marketplace == known) return std::string(known);
  }
  return "other";
}

}  // namespace

void GatewayMetrics::OnDraft(const proto::Draft& draft, std::string_view marketplace) {
  // Intents are a closed list, marketplaces are mapped onto one: the label set is bounded.
  impl_->drafts
      .Add({{"marketplace", MarketplaceLabel(marketplace)},
            {"intent", draft.intent()},
            {"state", DraftStateName(draft.state())}})
      .Increment();
}

void GatewayMetrics::OnProcessed(size_t events) {
  impl_->pipeline_events.Increment(static_cast<double>(events));
}

void GatewayMetrics::OnFailure() { impl_->pipeline_failures.Increment(); }

void GatewayMetrics::CountCatalogReload(bool ok) {
  impl_->catalog_reloads.Add({{"result", ok ? "ok" : "refused"}}).Increment();
}

void GatewayMetrics::CountReplyOverdue() { impl_->reply_overdue.Increment(); }

void GatewayMetrics::CountOutboxSettled(std::string_view state) {
  // States are a closed list ("sent", "dead", "cancelled"): the label set is bounded.
  impl_->outbox_settled.Add({{"state", std::string(state)}}).Increment();
}

std::string GatewayMetrics::Render() const {
  return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

}  // namespace csgw::gateway
