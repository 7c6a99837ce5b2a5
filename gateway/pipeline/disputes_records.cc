#include "gateway/pipeline/disputes_records.h"

#include <map>
#include <optional>

#include "disputes/machine.h"
#include "disputes/money.h"
#include "gateway/marketplaces/event_util.h"

namespace csgw::gateway {
namespace {

namespace d = csgw::disputes;

// The value of enum E whose stable name is `name`; E's values run from 0 to `last`.
template <class E>
std::optional<E> ByName(std::string_view name, E last) {
  for (int i = 0; i <= static_cast<int>(last); ++i) {
    if (d::Name(static_cast<E>(i)) == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

template <class E>
Result<void> ParseInto(std::string_view field, const std::string& name, E last, E& out) {
  if (name.empty()) return Ok();  // the default
  auto value = ByName(name, last);
  if (!value) {
    return MakeError(Errc::kInvalidField, "stored dispute event: field '" + std::string(field) +
                                              "' has unknown value '" + name + "'");
  }
  out = *value;
  return Ok();
}

std::string TimerId(std::string_view key, std::string_view deadline) {
  return "dispute/" + std::string(key) + "/" + std::string(deadline);
}

}  // namespace

std::string DisputeDeadlineTimerId(std::string_view key, std::string_view deadline) {
  return TimerId(key, deadline);
}

bool RecordDisputeAlert(const proto::Event& alert, proto::StoredDispute& stored) {
  const proto::DisputeTimerFired& fired = alert.dispute_update().csgw_timer();
  for (const proto::DisputeAlert& a : stored.alerts()) {
    if (a.deadline() == fired.deadline() && a.due_at().seconds() == fired.due_at().seconds() &&
        a.due_at().nanos() == fired.due_at().nanos() &&
        a.before_seconds() == fired.alert_before_seconds()) {
      return false;
    }
  }
  proto::DisputeAlert& a = *stored.add_alerts();
  a.set_deadline(fired.deadline());
  *a.mutable_due_at() = fired.due_at();
  a.set_before_seconds(fired.alert_before_seconds());
  a.set_actor(fired.actor());
  *a.mutable_raised_at() = fired.fired_at();
  return true;
}

std::string DisputeRecordKey(const proto::Event& event) {
  const std::string& id = event.dispute_update().dispute_id();
  if (id.empty()) return "";
  return event.marketplace() + "/" + event.store_id() + "/" + id;
}

std::string DefaultRuleSetId(std::string_view marketplace) {
  if (marketplace == "aliexpress") return "aliexpress-2024";
  return d::NoDeadlinesRuleSetId(marketplace);
}

const d::RuleSet* FindDisputeRuleSet(std::string_view id) { return d::FindBuiltinRuleSet(id); }

proto::StoredDisputeEvent ToStored(const d::DisputeEvent& event) {
  proto::StoredDisputeEvent out;
  out.set_event_id(event.event_id);
  out.set_kind(std::string(d::Name(event.kind)));
  SetTimestamp(out.mutable_occurred_at(), event.occurred_at);
  out.set_sequence(event.sequence);
  out.set_step(event.step);
  out.set_implied(event.implied);
  out.set_actor(std::string(d::Name(event.actor)));
  out.set_solution(std::string(d::Name(event.solution)));
  if (event.amount) *out.mutable_amount() = d::ToProto(*event.amount);
  out.set_proposal_id(event.proposal_id);
  out.set_agreement(std::string(d::Name(event.agreement)));
  out.set_accepted_by(std::string(d::Name(event.accepted_by)));
  out.set_responsibility(std::string(d::Name(event.responsibility)));
  out.set_refund(std::string(d::Name(event.refund)));
  out.set_deadline(event.deadline);
  if (event.evidence) out.set_evidence(std::string(d::Name(*event.evidence)));
  if (event.reason) out.set_reason(std::string(d::Name(*event.reason)));
  if (event.after_sales_protection) out.set_after_sales_protection(*event.after_sales_protection);
  out.set_marketplace_status(event.marketplace_status);
  return out;
}

Result<d::DisputeEvent> FromStored(const proto::StoredDisputeEvent& stored) {
  d::DisputeEvent event;
  event.event_id = stored.event_id();
  if (auto ok = ParseInto("kind", stored.kind(), d::EventKind::kSellerOffered, event.kind); !ok) {
    return ok.error();
  }
  event.occurred_at = FromTimestamp(stored.occurred_at());
  event.sequence = stored.sequence();
  event.step = stored.step();
  event.implied = stored.implied();
  if (auto ok = ParseInto("actor", stored.actor(), d::Party::kPlatform, event.actor); !ok) {
    return ok.error();
  }
  if (auto ok = ParseInto("solution", stored.solution(), d::Solution::kNoRefund, event.solution);
      !ok) {
    return ok.error();
  }
  if (stored.has_amount()) event.amount = d::FromProto(stored.amount());
  event.proposal_id = stored.proposal_id();
  if (auto ok =
          ParseInto("agreement", stored.agreement(), d::Agreement::kSellerTimeout, event.agreement);
      !ok) {
    return ok.error();
  }
  if (auto ok =
          ParseInto("accepted_by", stored.accepted_by(), d::Party::kPlatform, event.accepted_by);
      !ok) {
    return ok.error();
  }
  if (auto ok = ParseInto("responsibility", stored.responsibility(), d::Responsibility::kUnknown,
                          event.responsibility);
      !ok) {
    return ok.error();
  }
  if (auto ok = ParseInto("refund", stored.refund(), d::Refund::kNoRefund, event.refund); !ok) {
    return ok.error();
  }
  event.deadline = stored.deadline();
  if (stored.has_evidence()) {
    d::Evidence evidence = d::Evidence::kPhotos;
    if (auto ok = ParseInto("evidence", stored.evidence(), d::Evidence::kReturnDelivered, evidence);
        !ok) {
      return ok.error();
    }
    event.evidence = evidence;
  }
  if (stored.has_reason()) {
    d::Reason reason = d::Reason::kUnknown;
    if (auto ok = ParseInto("reason", stored.reason(), d::Reason::kBuyerReason, reason); !ok) {
      return ok.error();
    }
    event.reason = reason;
  }
  if (stored.has_after_sales_protection()) {
    event.after_sales_protection = stored.after_sales_protection();
  }
  event.marketplace_status = stored.marketplace_status();
  return event;
}

void ToStored(const d::Dispute& dispute, proto::StoredDispute& stored) {
  stored.set_id(dispute.id);
  stored.set_marketplace(dispute.marketplace);
  stored.set_store_id(dispute.store_id);
  stored.set_order_id(dispute.order_id);
  stored.set_rule_set_id(dispute.rule_set_id);
  stored.clear_history();
  for (const d::HistoryEntry& entry : dispute.history)
    *stored.add_history() = ToStored(entry.event);
}

Result<d::Dispute> FromStored(const proto::StoredDispute& stored) {
  const d::RuleSet* rules = FindDisputeRuleSet(stored.rule_set_id());
  if (rules == nullptr) {
    return MakeError(Errc::kInvalidField, "dispute " + stored.id() + ": unknown rule set '" +
                                              stored.rule_set_id() + "'");
  }
  d::Dispute dispute = d::NewDispute(stored.id(), stored.marketplace(), stored.store_id(),
                                     stored.order_id(), stored.rule_set_id());
  dispute.history.reserve(static_cast<size_t>(stored.history_size()));
  for (const proto::StoredDisputeEvent& e : stored.history()) {
    auto event = FromStored(e);
    if (!event) {
      return MakeError(Errc::kInvalidField, "dispute " + stored.id() + " event " + e.event_id() +
                                                ": " + event.error().message);
    }
    d::HistoryEntry entry;
    entry.event = std::move(event).value();
    dispute.history.push_back(std::move(entry));
  }
  d::Rederive(dispute, *rules);
  return dispute;
}

void NoteBuyer(const proto::Event& event, proto::StoredDispute& stored) {
  const proto::Buyer& from = event.buyer();
  proto::Buyer& to = *stored.mutable_buyer();
  if (!from.id().empty()) to.set_id(from.id());
  if (!from.display_name().empty()) to.set_display_name(from.display_name());
  if (!from.country().empty()) to.set_country(from.country());
  if (!from.locale_hint().empty()) to.set_locale_hint(from.locale_hint());
  if (!from.time_zone().empty()) to.set_time_zone(from.time_zone());
  if (!from.region().empty()) to.set_region(from.region());
}

std::vector<proto::Timer> DisputeTimers(std::string_view key, const d::Dispute& dispute,
                                        const d::RuleSet& rules, const DisputeSettings& settings,
                                        TimePoint now) {
  const std::vector<std::chrono::seconds> alerts_before =
      settings.AlertsBefore(dispute.store_id, rules);
  std::vector<proto::Timer> timers;
  for (const d::Deadline& deadline : d::OpenDeadlines(dispute, rules)) {
    proto::DisputeTimerPayload payload;
    payload.set_dispute_key(std::string(key));
    payload.set_dispute_id(dispute.id);
    payload.set_deadline(deadline.name);
    SetTimestamp(payload.mutable_due_at(), deadline.due_at);
    payload.set_actor(std::string(d::Name(deadline.actor)));
    payload.set_on_expiry(std::string(d::Name(deadline.on_expiry)));

    proto::Timer& timer = timers.emplace_back();
    timer.set_id(TimerId(key, deadline.name));
    timer.set_kind(std::string(kDisputeDeadlineTimer));
    SetTimestamp(timer.mutable_due(), deadline.due_at);
    timer.set_subject(std::string(key));
    timer.set_payload(payload.SerializeAsString());
    SetTimestamp(timer.mutable_created_at(), now);

    if (deadline.due_at <= now) continue;
    for (const d::Alert& alert : d::AlertTimes(deadline, alerts_before)) {
      payload.set_alert_before_seconds(alert.before.count());
      proto::Timer& a = timers.emplace_back();
      a.set_id(TimerId(key, deadline.name) + "/alert/" + std::to_string(alert.before.count()));
      a.set_kind(std::string(kDisputeAlertTimer));
      SetTimestamp(a.mutable_due(), alert.at);
      a.set_subject(std::string(key));
      a.set_payload(payload.SerializeAsString());
      SetTimestamp(a.mutable_created_at(), now);
    }
  }
  return timers;
}

TimerChanges PlanDisputeTimers(const std::vector<proto::Timer>& wanted,
                               proto::StoredDispute& stored) {
  std::map<std::string, const proto::ScheduledDisputeTimer*, std::less<>> before;
  for (const auto& t : stored.timers()) before.emplace(t.id(), &t);
  TimerChanges changes;
  google::protobuf::RepeatedPtrField<proto::ScheduledDisputeTimer> now_scheduled;
  for (const proto::Timer& timer : wanted) {
    auto it = before.find(timer.id());
    const bool unchanged = it != before.end() &&
                           it->second->due().seconds() == timer.due().seconds() &&
                           it->second->due().nanos() == timer.due().nanos();
    if (!unchanged) changes.schedule.push_back(timer);
    if (it != before.end()) before.erase(it);
    proto::ScheduledDisputeTimer* kept = now_scheduled.Add();
    kept->set_id(timer.id());
    kept->set_kind(timer.kind());
    *kept->mutable_due() = timer.due();
  }
  for (const auto& [id, t] : before) changes.cancel.push_back(id);
  stored.mutable_timers()->Swap(&now_scheduled);
  return changes;
}

}  // namespace csgw::gateway
