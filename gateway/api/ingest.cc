#include "gateway/api/ingest.h"

#include "base/log.h"
#include "gateway/api/responses.h"

namespace csgw::gateway {
namespace {

InboundRequest ToInbound(http::Request& request) {
  InboundRequest in;
  in.method = std::move(request.method);
  in.path = std::move(request.path);
  in.query = std::move(request.query);
  in.headers = std::move(request.headers);
  in.body = std::move(request.body);
  in.remote_address = std::move(request.remote_address);
  return in;
}

http::Response FromAdapterReply(AdapterReply reply) {
  return http::Response{reply.status, std::move(reply.content_type), std::move(reply.body), {}};
}

}  // namespace

Ingest::Ingest(const AdapterRegistry& adapters, const CanonicalEvents* canonical, EventStore& store,
               GatewayMetrics& metrics)
    : adapters_(adapters), canonical_(canonical), store_(store), metrics_(metrics) {}

void Ingest::Refuse(std::string_view marketplace, const http::Request& request, const Error& error,
                    const http::Responder& respond) {
  metrics_.CountRejected(marketplace, PublicCode(error.code));
  // Ids and codes only: the message names fields, never their content.
  log::Info("webhook.rejected", {{"marketplace", marketplace},
                                 {"request_id", request.request_id},
                                 {"remote", request.remote_address},
                                 {"error", PublicCode(error.code)},
                                 {"detail", error.message}});
  respond(ErrorResponse(error));
}

void Ingest::Webhook(std::string_view marketplace, http::Request request, http::Responder respond) {
  const auto started = std::chrono::steady_clock::now();
  const MarketplaceAdapter* adapter = adapters_.Find(marketplace);
  if (adapter == nullptr) {
    Refuse("unknown", request,
           MakeError(Errc::kUnknownMarketplace,
                     "no enabled marketplace named '" + std::string(marketplace) + "'"),
           respond);
    return;
  }
  const std::string request_id = request.request_id;
  const http::Request meta{request.method, "", "", {}, {}, "", request.remote_address, request_id};
  const InboundRequest inbound = ToInbound(request);
  if (auto verified = adapter->Verify(inbound); !verified) {
    Refuse(adapter->Id(), meta, verified.error(), respond);
    return;
  }
  auto intake = adapter->Normalize(inbound);
  if (!intake) {
    Refuse(adapter->Id(), meta, intake.error(), respond);
    return;
  }
  if (intake.value().events.empty()) {
    if (!intake.value().ignored.empty()) {
      metrics_.CountIgnored(adapter->Id());
      if (log::Enabled(log::Level::kDebug))
        log::Debug("webhook.ignored", {{"marketplace", adapter->Id()},
                                       {"request_id", request_id},
                                       {"type", intake.value().ignored}});
    }
    respond(FromAdapterReply(std::move(intake).value().reply));
    return;
  }
  StoreThenReply(std::string(adapter->Id()), request_id, std::move(intake).value().events,
                 FromAdapterReply(std::move(intake).value().reply), started, std::move(respond));
}

void Ingest::PostEvents(http::Request request, http::Responder respond) {
  const auto started = std::chrono::steady_clock::now();
  if (canonical_ == nullptr) {
    respond(ErrorResponse(MakeError(Errc::kNotFound, "the events API has no clients configured")));
    return;
  }
  const std::string request_id = request.request_id;
  const http::Request meta{request.method, "", "", {}, {}, "", request.remote_address, request_id};
  const InboundRequest inbound = ToInbound(request);
  auto client = canonical_->Authenticate(inbound);
  if (!client) {
    Refuse("canonical", meta, client.error(), respond);
    return;
  }
  auto events = canonical_->Parse(inbound);
  if (!events) {
    Refuse("canonical", meta, events.error(), respond);
    return;
  }
  if (log::Enabled(log::Level::kDebug))
    log::Debug("events.posted", {{"client", client.value()},
                                 {"request_id", request_id},
                                 {"events", static_cast<int64_t>(events.value().size())}});
  StoreThenReply("canonical", request_id, std::move(events).value(),
                 JsonResponse(200, "{\"accepted\":true}"), started, std::move(respond));
}

void Ingest::StoreThenReply(std::string marketplace, std::string request_id,
                            std::vector<proto::Event> events, http::Response reply,
                            std::chrono::steady_clock::time_point started,
                            http::Responder respond) {
  // Event ids are kept only for the per-event debug lines.
  std::vector<std::string> ids;
  if (log::Enabled(log::Level::kDebug)) {
    ids.reserve(events.size());
    for (const auto& e : events) ids.push_back(e.event_id());
  }
  store_.AppendAsync(
      std::move(events),
      [this, marketplace = std::move(marketplace), request_id = std::move(request_id),
       ids = std::move(ids), reply = std::move(reply), started,
       respond = std::move(respond)](Result<std::vector<Appended>> appended) mutable {
        if (!appended) {
          metrics_.CountRejected(marketplace, PublicCode(appended.error().code));
          log::Warn("webhook.store_failed", {{"marketplace", marketplace},
                                             {"request_id", request_id},
                                             {"error", PublicCode(appended.error().code)},
                                             {"detail", appended.error().message}});
          // The detail (paths, RocksDB's words) is for the log; the caller learns the code.
          const bool storage = appended.error().code == Errc::kStorageFailure;
          respond(ErrorResponse(storage ? MakeError(Errc::kStorageFailure,
                                                    "the event store cannot write; retry later")
                                        : appended.error()));
          return;
        }
        size_t stored = 0;
        for (size_t i = 0; i < appended.value().size(); ++i) {
          const Appended& a = appended.value()[i];
          if (!a.duplicate) ++stored;
          if (i < ids.size()) {
            log::Debug("webhook.accepted", {{"marketplace", marketplace},
                                            {"request_id", request_id},
                                            {"event_id", ids[i]},
                                            {"sequence", a.sequence},
                                            {"duplicate", a.duplicate}});
          }
        }
        if (stored > 0) metrics_.CountStored(marketplace, stored);
        metrics_.ObserveIngest(marketplace, std::chrono::steady_clock::now() - started);
        respond(std::move(reply));
      });
}

}  // namespace csgw::gateway
