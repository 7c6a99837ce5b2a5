#include "gateway/outbound/outbox_records.h"

#include "base/clock.h"
#include "base/crypto.h"
#include "base/log.h"
#include "gateway/marketplaces/event_util.h"

namespace csgw::gateway {
std::string OutboxId(std::string_view idempotency_key) {
  return "ob_" + crypto::Sha256Hex(idempotency_key).substr(0, 24);
}

std::string_view OutboxStateName(proto::OutboxState state) {
  switch (state) {
    case proto::OUTBOX_STATE_PENDING:
      return "pending";
    case proto::OUTBOX_STATE_SENDING:
      return "sending";
    case proto::OUTBOX_STATE_SENT:
      return "sent";
    case proto::OUTBOX_STATE_DEAD:
      return "dead";
    case proto::OUTBOX_STATE_CANCELLED:
      return "cancelled";
    default:
      return "unspecified";
  }
}

std::optional<proto::OutboxState> ParseOutboxState(std::string_view name) {
  for (const auto state : {proto::OUTBOX_STATE_PENDING, proto::OUTBOX_STATE_SENDING,
                           proto::OUTBOX_STATE_SENT, proto::OUTBOX_STATE_DEAD,
                           proto::OUTBOX_STATE_CANCELLED}) {
    if (OutboxStateName(state) == name) return state;
  }
  return std::nullopt;
}

std::string DeadLetterKey(const proto::OutboxEntry& entry) {
  return std::string(kDeadLetterPrefix) + entry.store_id() + "/" + entry.id();
}

std::string SendingKey(std::string_view id) { return std::string(kSendingPrefix) + std::string(id); }

Result<std::optional<proto::OutboxEntry>> LoadOutboxEntry(const EventStore& store,
                                                          std::string_view id) {
  auto bytes = store.GetRecord(Table::kOutbox, id);
  if (!bytes) return bytes.error();
  if (!bytes.value()) return std::optional<proto::OutboxEntry>();
  proto::OutboxEntry entry;
  if (!entry.ParseFromString(*bytes.value())) {
    return MakeError(Errc::kStorageFailure, "outbox entry " + std::string(id) + " is unreadable");
  }
  return std::optional<proto::OutboxEntry>(std::move(entry));
}

Result<std::vector<proto::OutboxEntry>> ListDeadLetters(
    const EventStore& store, std::string_view store_id,
    const std::function<bool(std::string_view store)>& visible, std::string_view after,
    size_t limit) {
  const std::string prefix =
      std::string(kDeadLetterPrefix) + (store_id.empty() ? "" : std::string(store_id) + "/");
  std::string cursor =
      after.empty() ? std::string() : std::string(kDeadLetterPrefix) + std::string(after);
  std::vector<proto::OutboxEntry> out;
  while (out.size() < limit) {
    auto keys = store.ScanRecords(Table::kOutboxIndex, prefix, cursor, limit);
    if (!keys) return keys.error();
    if (keys.value().empty()) break;
    for (const auto& [key, unused] : keys.value()) {
      cursor = key;
      const std::string_view rest = std::string_view(key).substr(kDeadLetterPrefix.size());
      const size_t slash = rest.rfind('/');
      if (slash == std::string_view::npos) continue;
      if (!visible(rest.substr(0, slash))) continue;
      auto entry = LoadOutboxEntry(store, rest.substr(slash + 1));
      if (!entry) return entry.error();
      // The index is written with the entry; one that moved on since (re-driven) is skipped.
      if (entry.value() && entry.value()->state() == proto::OUTBOX_STATE_DEAD) {
        out.push_back(*std::move(entry.value()));
        if (out.size() == limit) break;
      }
    }
  }
  return out;
}

void ScheduleSendAttempt(proto::OutboxEntry& entry, TimePoint due, TimePoint now,
                         StateBatch& batch) {
  // A new timer id per scheduling: the timer that fires is removed in the same batch that may
  // schedule the next one, and a stale timer (from before a re-drive) is recognisable.
  const std::string timer_id = std::string(kSendTimerKind) + "/" + entry.id() + "/" +
                               std::to_string(entry.attempt_count()) + "." +
                               std::to_string(ToUnixMillis(due));
  proto::Timer timer;
  timer.set_id(timer_id);
  timer.set_kind(kSendTimerKind);
  timer.set_subject(entry.id());
  SetTimestamp(timer.mutable_due(), due);
  SetTimestamp(timer.mutable_created_at(), now);
  if (!entry.timer_id().empty()) batch.cancel.push_back(entry.timer_id());
  entry.set_timer_id(timer_id);
  entry.set_state(proto::OUTBOX_STATE_PENDING);
  SetTimestamp(entry.mutable_next_attempt_at(), due);
  batch.schedule.push_back(std::move(timer));
  batch.writes.push_back({Table::kOutbox, entry.id(), entry.SerializeAsString()});
}

void MarkDead(proto::OutboxEntry& entry, TimePoint now, StateBatch& batch) {
  entry.set_state(proto::OUTBOX_STATE_DEAD);
  entry.clear_timer_id();
  entry.clear_next_attempt_at();
  SetTimestamp(entry.mutable_finished_at(), now);
  batch.writes.push_back({Table::kOutbox, entry.id(), entry.SerializeAsString()});
  batch.writes.push_back({Table::kOutboxIndex, DeadLetterKey(entry), {}});
  batch.erase.push_back({Table::kOutboxIndex, SendingKey(entry.id())});
}

Result<proto::OutboxEntry> RedriveDeadLetter(EventStore& store, std::string_view id,
                                             std::string_view redriven_by, TimePoint now) {
  auto stored = LoadOutboxEntry(store, id);
  if (!stored) return stored.error();
  if (!stored.value()) return MakeError(Errc::kNotFound, "no outbox entry " + std::string(id));
  proto::OutboxEntry entry = *std::move(stored.value());
  if (entry.state() != proto::OUTBOX_STATE_DEAD) {
    return MakeError(Errc::kConflict, "outbox entry " + entry.id() + " is " +
                                          std::string(OutboxStateName(entry.state())) +
                                          ", only dead letters can be retried");
  }
  StateBatch batch;
  batch.sync = true;
  batch.erase.push_back({Table::kOutboxIndex, DeadLetterKey(entry)});
  entry.set_redrives(entry.redrives() + 1);
  entry.set_attempt_count(0);
  entry.clear_finished_at();
  // requested_by stays who asked for the message (an agent, or csgw on its own): what the
  // draft and the reply metrics attribute it to. Who re-drove it goes to the log.
  SetTimestamp(entry.mutable_window_start(), now);
  ScheduleSendAttempt(entry, now, now, batch);
  if (auto ok = store.Commit(batch); !ok) return ok.error();
  log::Info("outbox.redrive", {{"outbox_id", entry.id()}, {"by", std::string(redriven_by)}});
  return entry;
}

proto::OutboxEntry Redacted(proto::OutboxEntry entry) {
  entry.clear_reply_token();
  entry.clear_headers();
  entry.clear_body();
  return entry;
}

}  // namespace csgw::gateway
