// The webhooks a dispute deadline sends as it approaches and passes: every alert (T-48h, T-24h,
// T-4h or the store's offsets) to the store's agents; the last alert of a deadline the seller can
// still act on, and that deadline passing unanswered, also to the account manager. Each is a
// signed outbox entry (the outbox delivers and retries it), built here without I/O.
//
// Body (JSON): {"type":"dispute_alert"|"dispute_deadline_passed","level":"agents"|
// "account_manager","dispute","marketplace","store_id","dispute_id","order_id","state",
// "deadline","actor","on_expiry","due","before_seconds" (null once passed),"raised_at"}.
// Headers: Content-Type: application/json, X-Csgw-Event: the type, X-Csgw-Signature:
// t=<unix seconds>,v1=<lower-case hex HMAC-SHA256(secret, "<t>.<body>")>: the receiver
// recomputes it over the raw body and refuses old timestamps.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "disputes/deadlines.h"
#include "disputes/dispute.h"
#include "gateway/pipeline/dispute_settings.h"
#include "proto/proto.h"

namespace csgw::gateway {

struct DisputeAlertNotice {
  std::string dispute_key;  // "<marketplace>/<store>/<dispute id>"
  const disputes::Dispute* dispute = nullptr;  // its state when the notice goes out
  disputes::Deadline deadline;
  // How long before the deadline; nullopt when the deadline has passed.
  std::optional<std::chrono::seconds> before;
  // The last (smallest) alert offset of the store for this deadline.
  bool last = false;
};

// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
std::string DisputeWebhookSignature(std::string_view secret, std::string_view body, TimePoint at);

// Whether the account manager hears of this notice: the last alert or the expiry of a deadline
// the buyer does not own (the seller's answer, the platform stepping in: the seller can still
// settle), never of the buyer's own deadlines (a return not shipped).
bool EscalatesToAccountManager(const DisputeAlertNotice& notice);

// The outbox entries (pending, kind "webhook") for `notice` under the store's `hooks`: one to
// the agents' URL, and one to the escalation URL when EscalatesToAccountManager. Idempotency
// keys "dispute-alert/<key>/<deadline>/<due unix ms>/<seconds before | passed>/<level>", so that
// a timer fired again sends nothing twice.
std::vector<proto::OutboxEntry> DisputeAlertWebhooks(const DisputeAlertNotice& notice,
                                                     const DisputeSettings::Webhooks& hooks,
                                                     TimePoint now);

}  // namespace csgw::gateway
