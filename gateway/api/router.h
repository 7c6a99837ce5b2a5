// Maps requests to the gateway's endpoints; the http::Handler the server calls.
#pragma once

#include <atomic>
#include <string>

#include "gateway/api/ingest.h"
#include "gateway/api/metrics.h"
#include "gateway/api/routes.h"
#include "gateway/http/types.h"
#include "gateway/store/event_store.h"

namespace csgw::gateway {

// Endpoints:
//   POST|GET /v1/webhooks/{marketplace}   marketplace pushes (GET for handshakes)
//   POST     /v1/events                   canonical events from relays
//   GET      /healthz                     the process is up
//   GET      /readyz                      store healthy and config loaded: 200, else 503
//   GET      /metrics                     Prometheus text
//   GET      /dashboard                   the account managers' page (data from the API)
//   ...      the authenticated API routes (ApiRoutes), when given
// Thread-safe.
class Router final : public http::Handler {
 public:
  // `api` may be null (no agent API); it must be complete before serving and outlive the router.
  Router(Ingest& ingest, const EventStore& store, GatewayMetrics& metrics,
         const ApiRoutes* api = nullptr);

  // Set once the config is loaded and the server listens; cleared when shutting down.
  void SetReady(bool ready) { ready_.store(ready); }

  // http::Handler
  void Handle(http::Request request, http::Responder respond) override;
  http::Response Reject(Errc code, std::string message, const http::Request& partial) override;

 private:
  // A bounded label for metrics: the route template, never the raw path.
  std::string RouteOf(const http::Request& request) const;

  Ingest& ingest_;
  const EventStore& store_;
  GatewayMetrics& metrics_;
  const ApiRoutes* api_;
  std::atomic<bool> ready_{false};
};

}  // namespace csgw::gateway
