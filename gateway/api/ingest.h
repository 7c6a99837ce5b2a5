// The ingest path: authenticate, normalise, store durably, then acknowledge.
#pragma once

#include <functional>
#include <string_view>

#include "base/clock.h"
#include "gateway/api/metrics.h"
#include "gateway/http/types.h"
#include "gateway/marketplaces/canonical.h"
#include "gateway/marketplaces/registry.h"
#include "gateway/store/event_store.h"

namespace csgw::gateway {

// Thread-safe. Answers go through `respond`, possibly on the store's committer thread.
class Ingest {
 public:
  // `canonical` may be null: POST /v1/events is then not offered (404).
  Ingest(const AdapterRegistry& adapters, const CanonicalEvents* canonical, EventStore& store,
         GatewayMetrics& metrics);

  // POST|GET /v1/webhooks/{marketplace}. Signature failure → 401 and nothing stored; unknown
  // marketplace → 404; bad body → 400 naming the field. Success is answered only once every
  // event is synced to the WAL; a redelivery is answered the same way and stored once.
  void Webhook(std::string_view marketplace, http::Request request, http::Responder respond);

  // Whether `marketplace` names an enabled adapter.
  bool Knows(std::string_view marketplace) const { return adapters_.Find(marketplace) != nullptr; }

  // POST /v1/events with canonical Event JSON, bearer-token authenticated.
  void PostEvents(http::Request request, http::Responder respond);

 private:
  // Stores `events` and answers `reply` once they are durable.
  void StoreThenReply(std::string marketplace, std::string request_id,
                      std::vector<proto::Event> events, http::Response reply,
                      std::chrono::steady_clock::time_point started, http::Responder respond);
  void Refuse(std::string_view marketplace, const http::Request& request, const Error& error,
              const http::Responder& respond);

  const AdapterRegistry& adapters_;
  const CanonicalEvents* canonical_;
  EventStore& store_;
  GatewayMetrics& metrics_;
};

}  // namespace csgw::gateway
