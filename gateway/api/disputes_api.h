// The agents' disputes API.
//
//   GET  /v1/disputes?store=&state=&due_before=&due_within=&limit=&after=
//        the queue, nearest deadline first (disputes with none last): state, reason, amounts,
//        nearest deadline, alert status. state: a state name or "open"; due_before: an ISO 8601
//        instant (due_within: a duration such as 24h, from now); after: the previous "next".
//   GET  /v1/disputes/{id}
//        id "<marketplace>/<store>/<dispute id>" (URL-encoded, %2F): history, proposals with
//        their status (and the send of csgw's own), open deadlines, alerts, and the advisor's
//        options ordered by cost with the reply drafted in the buyer's language.
//   POST /v1/disputes/{id}/proposals                               (agents and admins)
//        {"solution": "partial_refund", "amount": {"amount": "12.50", "currency": "USD"},
//         "message": "..."}: appends the seller's proposal to the event log (the pipeline, the
//        only writer of disputes, records it in order) and, where the marketplace has a send API
//        for after-sales cases (Mercado Libre claims, eBay returns), enqueues the message through
//        the outbox. 202 with the proposal and the outbox id. Repeating a request (same body, or
//        the same Idempotency-Key header) is one proposal and one send.
//
// A dispute of a store the caller may not see answers 404, as one that does not exist.
#pragma once

#include <cstddef>
#include <functional>

#include "base/clock.h"
#include "gateway/api/routes.h"
#include "gateway/outbound/outbox.h"
#include "gateway/store/event_store.h"
#include "templates/catalog.h"

namespace csgw::gateway {

struct DisputesApiDeps {
  EventStore* store = nullptr;  // required
  const Clock* clock = nullptr;  // required
  // The durable outbox. Null: proposals are recorded but not sent, and the answer says so.
  Outbox* outbox = nullptr;
  // The reply templates the advice is drafted from; null: the built-in catalogue.
  const templates::CatalogHolder* catalog = nullptr;
  size_t max_page = 200;
  // Timers and records one list request reads at most (a page may then be short, with "next").
  size_t max_examined = 10'000;
  // After a proposal event was appended: wakes the pipeline.
  std::function<void()> on_event;
  // After a send was enqueued for now: wakes the timer runner.
  std::function<void()> on_send;
};

void AddDisputeRoutes(ApiRoutes& routes, const DisputesApiDeps& deps);

}  // namespace csgw::gateway
