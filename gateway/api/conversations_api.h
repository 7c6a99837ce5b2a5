// The agents' API: conversations (their queue ordered by reply due time, a thread with its
// messages and drafts), replies and draft approval through the outbox, and the outbox's dead
// letters.
//
//   GET  /v1/conversations?store=&state=&overdue=&limit=&after=   the queue, due soonest first
//   GET  /v1/conversations/{id}                                   messages (with text), drafts
//   POST /v1/conversations/{id}/replies                           free text or template + variables
//   POST /v1/drafts/{id}/approve                                  id: the draft's source sequence
//   GET  /v1/outbox?state=dead&store=&limit=&after=               dead letters
//   GET  /v1/outbox/{id}
//   POST /v1/outbox/{id}/retry                                    re-drive a dead letter
//
// The queue (state=awaiting_reply, or overdue=true) is read from the "reply_queue" timers in
// reply-due order (reply_flow.h), its cursor a place among them; any other state, or none, is a
// bounded scan of the store's key ranges (of every conversation without `store`), filtered and
// sorted in memory.
//
// Anything of a store the caller may not see answers 404, a `store` filter naming one included.
// A reply without an Idempotency-Key is a new send each time (a client's retry may send twice);
// with one, the same user's repeats in the conversation are the same send.
//
// Writes never touch conversation records: they enqueue the send (outbox) and append an
// OutboundUpdate event, which the pipeline applies, so the pipeline stays the only writer of
// conversations.
#pragma once

#include <functional>

#include "base/clock.h"
#include "gateway/api/routes.h"
#include "gateway/outbound/outbox.h"
#include "gateway/store/event_store.h"
#include "templates/catalog.h"

namespace csgw::gateway {

struct ConversationsApiDeps {
  EventStore* store = nullptr;
  Outbox* outbox = nullptr;  // null: replies and approvals answer 503 (no sending configured)
  const Clock* clock = nullptr;
  const templates::CatalogHolder* catalog = nullptr;  // template replies and quality rules
  // The stores' policies (formal address, marketplace limits) for the quality check.
  std::function<bool(std::string_view store_id)> informal;
  size_t max_page = 200;
  // Records (and, in the queue, timers) read at most per list request: the bounded scan sorts
  // what it read in memory and says "truncated" beyond it; a queue page stops short with `next`.
  size_t max_scan = 50'000;
  // Wakes the timer runner after a send was enqueued for now.
  std::function<void()> on_send;
};

void AddConversationRoutes(ApiRoutes& routes, ConversationsApiDeps deps);

}  // namespace csgw::gateway
