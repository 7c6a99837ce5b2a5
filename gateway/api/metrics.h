// The gateway's Prometheus metrics, exported at /metrics. The only prometheus-cpp user.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/pipeline/pipeline.h"
#include "gateway/store/event_store.h"

namespace csgw::gateway {

// Thread-safe: every method may be called from any thread.
class GatewayMetrics final : public StoreObserver, public PipelineObserver {
 public:
  GatewayMetrics();
  ~GatewayMetrics() override;

  // csgw_http_requests_total{route,status}. `route` is a route template, never a raw path, so
  // the label set stays bounded.
  void CountRequest(std::string_view route, int status);
  // csgw_ingest_latency_seconds{marketplace}: from the request reaching the handler to its
  // events being durable.
  void ObserveIngest(std::string_view marketplace, std::chrono::nanoseconds latency);
  // csgw_webhook_rejected_total{marketplace,error}
  void CountRejected(std::string_view marketplace, std::string_view error);
  // csgw_webhook_ignored_total{marketplace}: acknowledged types that carry nothing we use.
  void CountIgnored(std::string_view marketplace);
  // csgw_events_stored_total{marketplace}
  void CountStored(std::string_view marketplace, size_t events);

  // StoreObserver: csgw_store_commit_appends / _events (batch size histograms),
  // csgw_store_write_latency_seconds, csgw_dedupe_hits_total{marketplace},
  // csgw_store_commit_failures_total.
  void OnCommit(size_t appends, size_t events, std::chrono::nanoseconds write_latency) override;
  void OnDuplicate(std::string_view marketplace) override;
  void OnCommitFailure() override;

  // PipelineObserver: csgw_drafts_total{marketplace,intent,state},
  // csgw_pipeline_events_total, csgw_pipeline_failures_total.
  void OnDraft(const proto::Draft& draft, std::string_view marketplace) override;
  void OnProcessed(size_t events) override;
  void OnFailure() override;
  // csgw_catalog_reloads_total{result="ok"|"refused"}
  void CountCatalogReload(bool ok);
  // csgw_reply_overdue_total
  void CountReplyOverdue();
  // csgw_outbox_settled_total{state="sent"|"dead"|"cancelled"}
  void CountOutboxSettled(std::string_view state);

  // The Prometheus text exposition format (version 0.0.4).
  std::string Render() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace csgw::gateway
