// Disputes in the store: the StoredDispute record (proto/csgw/v1/disputes.proto) of a
// disputes::Dispute, the rule set a dispute gets, and the timers its open deadlines and alerts
// become. Pure: no store, no clock (the caller passes `now`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "disputes/deadlines.h"
#include "disputes/dispute.h"
#include "disputes/rules.h"
#include "gateway/pipeline/dispute_settings.h"
#include "proto/csgw/v1/disputes.pb.h"
#include "proto/proto.h"

namespace csgw::gateway {

inline constexpr std::string_view kDisputeDeadlineTimer = "dispute_deadline";
inline constexpr std::string_view kDisputeAlertTimer = "dispute_alert";

// "<marketplace>/<store>/<dispute id>", or empty when the event has no dispute id.
std::string DisputeRecordKey(const proto::Event& event);

// The rule set a new dispute of `marketplace` gets unless Config.disputes chooses another
// (DisputeSettings::RuleSetFor): "aliexpress-2024" for aliexpress, and for the marketplaces
// whose rules are not sourced, an empty rule set "<marketplace>-none" (no deadlines: state only).
std::string DefaultRuleSetId(std::string_view marketplace);
// The rule set called `id`: a built-in one (disputes::DefaultRuleSets) or "<marketplace>-none";
// nullptr when unknown.
const disputes::RuleSet* FindDisputeRuleSet(std::string_view id);

proto::StoredDisputeEvent ToStored(const disputes::DisputeEvent& event);
// kInvalidField naming the field when a stored name is not one the library knows.
Result<disputes::DisputeEvent> FromStored(const proto::StoredDisputeEvent& stored);

// Identity, rule set and history; the caller keeps `timers`.
void ToStored(const disputes::Dispute& dispute, proto::StoredDispute& stored);
// The dispute with its state re-derived from the stored history under its rule set.
// kInvalidField for an unknown rule set or event field.
Result<disputes::Dispute> FromStored(const proto::StoredDispute& stored);

// Keeps what `event` says of the buyer (non-empty fields win) on the record.
void NoteBuyer(const proto::Event& event, proto::StoredDispute& stored);

// The timers the dispute needs now: one "dispute_deadline" per open deadline, id
// "dispute/<key>/<deadline>", due at the deadline, and one "dispute_alert" per alert (at the
// store's offsets, settings.AlertsBefore), id "dispute/<key>/<deadline>/alert/<seconds
// before>", due at the alert, both with a DisputeTimerPayload. Alerts of a deadline already due
// at `now` are left out (the deadline's own timer covers it).
std::vector<proto::Timer> DisputeTimers(std::string_view key, const disputes::Dispute& dispute,
                                        const disputes::RuleSet& rules,
                                        const DisputeSettings& settings, TimePoint now);

// "dispute/<key>/<deadline>": the id of the timer of a deadline (its alerts add
// "/alert/<seconds before>").
std::string DisputeDeadlineTimerId(std::string_view key, std::string_view deadline);

// Records the alert of an own alert event (disputes::IsOwnAlert) on the dispute, raised at the
// time its timer fired, unless that alert (deadline, due time, offset) is recorded already.
// Returns whether the record changed.
bool RecordDisputeAlert(const proto::Event& alert, proto::StoredDispute& stored);

// What to change in the store to go from the timers scheduled before (`stored.timers`) to
// `wanted`: a timer is scheduled when new or moved (an unchanged one is left alone: pending, or
// fired and not to fire again), and cancelled when no longer wanted. Updates `stored.timers`.
struct TimerChanges {
  std::vector<proto::Timer> schedule;
  std::vector<std::string> cancel;
};
TimerChanges PlanDisputeTimers(const std::vector<proto::Timer>& wanted,
                               proto::StoredDispute& stored);

}  // namespace csgw::gateway
