#include "gateway/api/router.h"

#include "base/log.h"
#include "gateway/api/odr_api.h"
#include "gateway/api/responses.h"

namespace csgw::gateway {
namespace {

constexpr std::string_view kWebhookPrefix = "/v1/webhooks/";

bool IsWebhook(const std::string& path) { return path.rfind(kWebhookPrefix, 0) == 0; }

std::string_view MarketplaceOf(const std::string& path) {
  return std::string_view(path).substr(kWebhookPrefix.size());
}

Error MethodNotAllowed(const http::Request& request) {
  return MakeError(Errc::kMethodNotAllowed, request.method + " is not allowed on " + request.path);
}

}  // namespace

Router::Router(Ingest& ingest, const EventStore& store, GatewayMetrics& metrics,
               const ApiRoutes* api)
    : ingest_(ingest), store_(store), metrics_(metrics), api_(api) {}

std::string Router::RouteOf(const http::Request& request) const {
  const std::string& p = request.path;
  if (IsWebhook(p)) {
    const std::string_view id = MarketplaceOf(p);
    // Only enabled marketplaces become label values: anyone can invent paths, and each new
    // label value would be a new series held forever.
    return ingest_.Knows(id) ? std::string(kWebhookPrefix) + std::string(id)
                             : "/v1/webhooks/{unknown}";
  }
  if (p == "/v1/events" || p == "/healthz" || p == "/readyz" || p == "/metrics" ||
      p == "/dashboard") {
    return p;
  }
  if (api_ != nullptr) {
    if (auto route = api_->RouteOf(request)) return *std::move(route);
  }
  return "other";
}

void Router::Handle(http::Request request, http::Responder respond) {
  // Count every answer under its route, whoever produces it and on whichever thread.
  http::Responder counted = [this, route = RouteOf(request),
                             respond = std::move(respond)](http::Response response) {
    metrics_.CountRequest(route, response.status);
    respond(std::move(response));
  };
  const std::string& path = request.path;
  const bool get = request.method == "GET";
  if (IsWebhook(path)) {
    const std::string marketplace(MarketplaceOf(path));
    ingest_.Webhook(marketplace, std::move(request), std::move(counted));
  } else if (path == "/v1/events") {
    if (request.method != "POST") return counted(ErrorResponse(MethodNotAllowed(request)));
    ingest_.PostEvents(std::move(request), std::move(counted));
  } else if (path == "/healthz") {
    if (!get) return counted(ErrorResponse(MethodNotAllowed(request)));
    counted(JsonResponse(200, "{\"status\":\"ok\"}"));
  } else if (path == "/readyz") {
    if (!get) return counted(ErrorResponse(MethodNotAllowed(request)));
    const bool store_ok = store_.Healthy();
    const bool ready = ready_.load() && store_ok;
    counted(JsonResponse(ready ? 200 : 503,
                         std::string("{\"ready\":") + (ready ? "true" : "false") +
                             ",\"store\":" + (store_ok ? "\"ok\"" : "\"failed\"") + ",\"config\":" +
                             (ready_.load() ? "\"loaded\"" : "\"pending\"") + "}"));
  } else if (path == "/dashboard") {
    // The page itself holds no data: it asks the API with the token the user gives it.
    if (!get) return counted(ErrorResponse(MethodNotAllowed(request)));
    counted(DashboardResponse());
  } else if (path == "/metrics") {
    if (!get) return counted(ErrorResponse(MethodNotAllowed(request)));
    counted(http::Response{200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Render(), {}});
  } else if (api_ == nullptr || !api_->Dispatch(request, counted)) {
    counted(
        ErrorResponse(MakeError(Errc::kNotFound, "no route for " + request.method + " " +
                                                     (path.size() > 200 ? "<long path>" : path))));
  }
}

http::Response Router::Reject(Errc code, std::string message, const http::Request& partial) {
  const std::string route = partial.path.empty() ? "-" : RouteOf(partial);
  log::Info("http.rejected", {{"request_id", partial.request_id},
                              {"route", route},
                              {"error", PublicCode(code)},
                              {"detail", message}});
  http::Response response = ErrorResponse(MakeError(code, std::move(message)));
  metrics_.CountRequest(route, response.status);
  return response;
}

}  // namespace csgw::gateway
