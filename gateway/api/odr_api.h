// The account managers' seller-service-level (ODR) API and dashboard:
//
//   GET /v1/stores/{id}/odr?rules=R&at=YYYY-MM-DD   reports: per metric numerator, denominator,
//                                                   rate, threshold, status and daily trend over
//                                                   its window; grade; forecast for the next
//                                                   assessment; what it takes
//   GET /v1/stores/{id}/odr/alerts?limit=N          the store's alerts, newest first
//   GET /v1/odr/stores                              every visible store with figures: its grade
//                                                   and forecast per rule set (the dashboard's
//                                                   list)
//   GET /dashboard                                  the HTML page (no token: the page asks for
//                                                   one and sends it with its API calls)
//
// Without ?rules the report covers every rule set the store has counted anything under; without
// ?at, each rule set's current assessment day in its own zone. A store the caller may not see
// answers 404 (as if it did not exist). Reads only; any role may call them.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "gateway/api/auth.h"
#include "gateway/api/routes.h"
#include "gateway/http/types.h"
#include "gateway/pipeline/odr_counting.h"
#include "gateway/store/event_store.h"
#include "odr/report.h"
#include "odr/rules.h"

namespace csgw::gateway {

struct OdrApiDeps {
  const EventStore* store = nullptr;
  std::shared_ptr<const OdrRules> rules;
  const Clock* clock = nullptr;
  // Largest ?limit of the alerts list; most stores in /v1/odr/stores.
  size_t max_page = 200;
};

// The handlers, request in, response out (the routes call these).
http::Response OdrReportResponse(const OdrApiDeps& deps, const Principal& who,
                                 std::string_view store_id, const http::Request& request);
http::Response OdrAlertsResponse(const OdrApiDeps& deps, const Principal& who,
                                 std::string_view store_id, const http::Request& request);
http::Response OdrStoresResponse(const OdrApiDeps& deps, const Principal& who);
// The dashboard page: one self-contained HTML document (inline CSS and script, no network but
// this API), compiled into the binary.
http::Response DashboardResponse();

// One report as the API's JSON object.
std::string OdrReportJson(const odr::RuleSet& rules, const odr::Report& report);

// Registers the three API routes above (not /dashboard, which needs no token: the router serves
// it with DashboardResponse).
void AddOdrRoutes(ApiRoutes& routes, OdrApiDeps deps);

}  // namespace csgw::gateway
