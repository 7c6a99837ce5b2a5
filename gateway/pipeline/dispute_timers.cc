#include "gateway/pipeline/dispute_timers.h"

#include "base/log.h"
#include "disputes/deadlines.h"
#include "disputes/machine.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/outbound/outbox.h"
#include "gateway/pipeline/dispute_alerts.h"
#include "gateway/pipeline/disputes_records.h"
#include "proto/csgw/v1/disputes.pb.h"

namespace csgw::gateway {

DisputeTimerHandler::DisputeTimerHandler(EventStore& store,
                                         std::shared_ptr<const DisputeSettings> settings,
                                         const Outbox* outbox)
    : store_(store),
      settings_(settings ? std::move(settings) : std::make_shared<const DisputeSettings>()),
      outbox_(outbox) {}

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
  proto::DisputeTimerPayload payload;
  if (!payload.ParseFromString(timer.payload())) {
    return Error{Errc::kInvalidField, "timer " + timer.id() + ": unreadable payload"};
  }
  const std::string& key = payload.dispute_key();
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
  // Still the deadline this timer was set for? A dispute that moved on has rescheduled or
  // cancelled its timers; a leftover one changes nothing.
  std::optional<disputes::Deadline> deadline;
  for (const auto& d : disputes::OpenDeadlines(dispute.value(), *rules)) {
    if (d.name == payload.deadline() && d.due_at == FromTimestamp(payload.due_at())) deadline = d;
  }
  if (!deadline) return Ok();

  if (timer.kind() == "dispute_alert") {
    proto::DisputeAlert& alert = *stored.add_alerts();
    alert.set_deadline(payload.deadline());
    *alert.mutable_due_at() = payload.due_at();
    alert.set_before_seconds(payload.alert_before_seconds());
    alert.set_actor(payload.actor());
    SetTimestamp(alert.mutable_raised_at(), now);
    batch.writes.push_back({Table::kDisputes, key, stored.SerializeAsString()});
    log::Info("dispute.alert", {{"dispute", key},
                                {"deadline", payload.deadline()},
                                {"before_seconds", payload.alert_before_seconds()}});
    const auto offsets = settings_->AlertsBefore(stored.store_id(), *rules);
    DisputeAlertNotice notice;
    notice.dispute_key = key;
    notice.dispute = &dispute.value();
    notice.deadline = *deadline;
    notice.before = std::chrono::seconds(payload.alert_before_seconds());
    // The smallest offset is the last call; with offsets changed since, anything at or below.
    notice.last = offsets.empty() || *notice.before <= offsets.back();
    return Deliver(notice, now, batch);
  }
  if (timer.kind() != "dispute_deadline") {
    return Error{Errc::kInvalidField, "timer " + timer.id() + ": not a dispute timer"};
  }
  disputes::Dispute& d = dispute.value();
  auto applied = disputes::Apply(d, disputes::TimeoutEvent(d, *deadline), *rules);
  if (!applied) {
    // The machine refuses the timeout (an illegal transition would be a rule-set defect): keep
    // the dispute as it is, and let the timer go rather than firing forever.
    log::Error(
        "dispute.timeout_refused",
        {{"dispute", key}, {"deadline", payload.deadline()}, {"error", applied.error().message}});
    return Ok();
  }
  ToStored(d, stored);
  const TimerChanges changes = PlanDisputeTimers(DisputeTimers(key, d, *rules, *settings_, now), stored);
  for (const auto& t : changes.schedule) batch.schedule.push_back(t);
  for (const auto& id : changes.cancel) {
    if (id != timer.id()) batch.cancel.push_back(id);  // this one goes as fired
  }
  batch.writes.push_back({Table::kDisputes, key, stored.SerializeAsString()});
  log::Info(
      "dispute.deadline_expired",
      {{"dispute", key}, {"deadline", payload.deadline()}, {"state", disputes::Name(d.state)}});
  DisputeAlertNotice notice;
  notice.dispute_key = key;
  notice.dispute = &d;
  notice.deadline = *deadline;
  return Deliver(notice, now, batch);
}

}  // namespace csgw::gateway
