// The outbox's records in the store, shared by the running Outbox and by `csgw outbox` (which
// lists dead letters beside a running gateway and re-drives them while it is stopped):
//   table outbox        id → OutboxEntry
//   table outbox_index  "dead/<store>/<id>"  a dead letter, listed per store
//                       "sending/<id>"       an attempt on the wire (found at startup: uncertain)
// Timers "outbound_send/<id>/<attempt>.<due ms>" drive the attempts (outbox.h).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/timestamp.h"
#include "gateway/store/event_store.h"
#include "proto/proto.h"

namespace csgw::gateway {

inline constexpr char kSendTimerKind[] = "outbound_send";
inline constexpr std::string_view kSendingPrefix = "sending/";
inline constexpr std::string_view kDeadLetterPrefix = "dead/";

// "ob_" + 24 lower-case hex digits of SHA-256(idempotency key): fixed length, URL-safe.
std::string OutboxId(std::string_view idempotency_key);

// "pending", "sending", "sent", "dead", "cancelled".
std::string_view OutboxStateName(proto::OutboxState state);
std::optional<proto::OutboxState> ParseOutboxState(std::string_view name);

std::string DeadLetterKey(const proto::OutboxEntry& entry);
std::string SendingKey(std::string_view id);

Result<std::optional<proto::OutboxEntry>> LoadOutboxEntry(const EventStore& store,
                                                          std::string_view id);

// Dead letters of `store_id` (all stores when empty) that `visible` accepts, ordered by store
// then id, after `after` ("<store>/<id>" of the last one seen).
Result<std::vector<proto::OutboxEntry>> ListDeadLetters(
    const EventStore& store, std::string_view store_id,
    const std::function<bool(std::string_view store)>& visible, std::string_view after,
    size_t limit);

// Adds the entry, pending with its next attempt due at `due`, and that attempt's timer to
// `batch`; the entry's previous timer, if any, is cancelled.
void ScheduleSendAttempt(proto::OutboxEntry& entry, TimePoint due, TimePoint now,
                         StateBatch& batch);
// Adds the entry as a dead letter (listed under its store) to `batch`.
void MarkDead(proto::OutboxEntry& entry, TimePoint now, StateBatch& batch);

// A dead letter goes back to pending with a fresh budget of attempts, due now; committed
// (synced). Its requested_by is kept; `redriven_by` is logged. kNotFound for an unknown id,
// kConflict for any state but dead. Callers serialise it with other writers of the entry (the
// running Outbox holds its lock; the CLI runs alone).
Result<proto::OutboxEntry> RedriveDeadLetter(EventStore& store, std::string_view id,
                                             std::string_view redriven_by, TimePoint now);

// The entry as people see it (API, CLI): without the credentials and signed requests it
// carries for sending (a reply token, a webhook's signature headers and body).
proto::OutboxEntry Redacted(proto::OutboxEntry entry);

}  // namespace csgw::gateway
