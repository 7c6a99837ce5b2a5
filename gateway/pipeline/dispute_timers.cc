#include "gateway/pipeline/dispute_timers.h"

#include <algorithm>

#include "base/log.h"
#include "disputes/deadlines.h"
#include "disputes/machine.h"
#include "disputes/own_timer.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/outbound/outbox.h"
#include "gateway/pipeline/dispute_alerts.h"
#include "gateway/pipeline/disputes_records.h"
#include "proto/csgw/v1/disputes.pb.h"

namespace csgw::gateway {
namespace {

// The deadline `name` due at `due` as its rule describes it, for a deadline no longer open.
std::optional<disputes::Deadline> DeadlineOfRule(const disputes::RuleSet& rules,
                                                 const std::string& name, TimePoint due) {
  for (const disputes::DeadlineRule& rule : rules.deadlines) {
    if (rule.name != name) continue;
    disputes::Deadline d;
    d.name = rule.name;
    d.actor = rule.actor;
    d.on_expiry = rule.on_expiry;
    d.due_at = due;
    return d;
  }
  return std::nullopt;
}

}  // namespace

DisputeTimerHandler::DisputeTimerHandler(EventStore& store,
                                         std::shared_ptr<const DisputeSettings> settings,
                                         const Outbox* outbox)
    : store_(store),
      settings_(settings ? std::move(settings) : std::make_shared<const DisputeSettings>()),
      outbox_(outbox) {}

Result<void> DisputeTimerHandler::Append(proto::Event event, const proto::Timer& timer,
                                         TimePoint now) {
  const std::string id = event.event_id();
  SetTimestamp(event.mutable_received_at(), now);
  std::vector<proto::Event> events;
  events.push_back(std::move(event));
  // Blocking and synced: the decision is durable before the runner commits the removal.
  auto appended = store_.Append(std::move(events));
  if (!appended) return appended.error();
  const bool duplicate = !appended.value().empty() && appended.value().front().duplicate;
  log::Info("dispute.timer_event",
            {{"timer", timer.id()},
             {"event", id},
             {"sequence", static_cast<int64_t>(
                              appended.value().empty() ? 0 : appended.value().front().sequence)},
             {"duplicate", duplicate}});
  if (!duplicate && on_event_) on_event_();
  return Ok();
}

Result<void> DisputeTimerHandler::Deliver(const DisputeAlertNotice& notice, TimePoint now,
                                          StateBatch& batch) const {
  if (outbox_ == nullptr) return Ok();
  const DisputeSettings::Webhooks* hooks = settings_->WebhooksOf(notice.dispute->store_id);
  if (hooks == nullptr) return Ok();
  for (proto::OutboxEntry& entry : DisputeAlertWebhooks(notice, *hooks, now)) {
    auto added = outbox_->Enqueue(entry, now, batch);
    if (!added) return added.error();
    log::Info("dispute.webhook_queued",
              {{"dispute", notice.dispute_key}, {"deadline", notice.deadline.name},
               {"outbox_id", entry.id()}, {"new", added.value()}});
  }
  return Ok();
}

Result<void> DisputeTimerHandler::Fire(const proto::Timer& timer, TimePoint now,
                                       StateBatch& batch) {
  const bool alert = timer.kind() == kDisputeAlertTimer;
  if (!alert && timer.kind() != kDisputeDeadlineTimer) {
    return Error{Errc::kInvalidField, "timer " + timer.id() + ": not a dispute timer"};
  }
  proto::DisputeTimerPayload payload;
  if (!payload.ParseFromString(timer.payload())) {
    return Error{Errc::kInvalidField, "timer " + timer.id() + ": unreadable payload"};
  }
  const std::string& key = payload.dispute_key();
  // Read only: the pipeline may be writing this record right now, and stays its only writer.
  auto record = store_.GetRecord(Table::kDisputes, key);
  if (!record) return record.error();
  if (!record.value()) {
    log::Warn("dispute.timer_without_dispute", {{"timer", timer.id()}, {"dispute", key}});
    return Ok();  // nothing to act on: the timer just goes
  }
  proto::StoredDispute stored;
  if (!stored.ParseFromString(*record.value())) {
    return Error{Errc::kStorageFailure, "dispute " + key + ": unreadable record"};
  }
  auto dispute = FromStored(stored);
  if (!dispute) return dispute.error();
  const disputes::RuleSet* rules = FindDisputeRuleSet(stored.rule_set_id());
  if (rules == nullptr) {
    return Error{Errc::kInvalidField, "dispute " + key + ": no rule set " + stored.rule_set_id()};
  }
  const TimePoint due = FromTimestamp(payload.due_at());
  // Still the deadline this timer was set for? A dispute that moved on has rescheduled or
  // cancelled its timers; a leftover one changes nothing.
  std::optional<disputes::Deadline> deadline;
  for (const auto& d : disputes::OpenDeadlines(dispute.value(), *rules)) {
    if (d.name == payload.deadline() && d.due_at == due) deadline = d;
  }

  DisputeAlertNotice notice;
  notice.dispute_key = key;
  if (alert) {
    if (!deadline) return Ok();
    const std::chrono::seconds before(payload.alert_before_seconds());
    auto appended =
        Append(disputes::OwnTimerEvent(dispute.value(), *deadline, before, now), timer, now);
    if (!appended) return appended.error();
    log::Info("dispute.alert", {{"dispute", key},
                                {"deadline", payload.deadline()},
                                {"before_seconds", payload.alert_before_seconds()}});
    const auto offsets = settings_->AlertsBefore(stored.store_id(), *rules);
    notice.dispute = &dispute.value();
    notice.deadline = *deadline;
    notice.before = before;
    // The smallest offset is the last call; with offsets changed since, anything at or below.
    notice.last = offsets.empty() || before <= offsets.back();
    return Deliver(notice, now, batch);
  }

  // The dispute as the timeout leaves it: what the webhook reports. Not written here.
  disputes::Dispute after = dispute.value();
  if (deadline) {
    auto applied = disputes::Apply(after, disputes::TimeoutEvent(after, *deadline), *rules);
    if (!applied) {
      // The machine refuses the timeout (an illegal transition would be a rule-set defect):
      // nothing to hand on, and the timer goes rather than firing forever.
      log::Error("dispute.timeout_refused", {{"dispute", key},
                                             {"deadline", payload.deadline()},
                                             {"error", applied.error().message}});
      return Ok();
    }
    auto appended = Append(disputes::OwnTimerEvent(dispute.value(), *deadline, std::nullopt, now),
                           timer, now);
    if (!appended) return appended.error();
    log::Info("dispute.deadline_expired", {{"dispute", key},
                                           {"deadline", payload.deadline()},
                                           {"state", disputes::Name(after.state)}});
  } else {
    // Fired again after the pipeline applied this very timeout (a crash before the removal, a
    // shared write refused): the decision stands, only the webhooks may still be missing.
    const std::string timeout_id = disputes::TimeoutEvent(after.id, payload.deadline(), due).event_id;
    const bool recorded =
        std::any_of(after.history.begin(), after.history.end(), [&](const auto& h) {
          return h.applied && h.event.event_id == timeout_id;
        });
    if (!recorded) return Ok();
    deadline = DeadlineOfRule(*rules, payload.deadline(), due);
    if (!deadline) return Ok();
  }
  notice.dispute = &after;
  notice.deadline = *deadline;
  return Deliver(notice, now, batch);
}

}  // namespace csgw::gateway
