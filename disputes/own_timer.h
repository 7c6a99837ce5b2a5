// csgw's own record of a dispute timer that fired: a deadline that expired, or an alert raised
// before one. The timer handler (gateway/pipeline/dispute_timers.h) does not write the dispute:
// it decides on the record as it reads it and appends one of these DisputeUpdate events to the
// event log; the pipeline, the only writer of dispute records, maps it here and applies it in
// order with the marketplace's events (a deadline through Apply like any other event, an alert
// onto the record's alerts). The event id is a function of the dispute, the deadline and its
// due time (and the alert's offset), so a timer that fires again after a crash appends a
// duplicate that the store's dedupe drops.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "disputes/deadlines.h"
#include "disputes/dispute.h"
#include "proto/proto.h"

namespace csgw::disputes {

// DisputeUpdate.marketplace_status of the two own timer events.
inline constexpr std::string_view kOwnDeadlineStatus = "csgw:deadline_expired";
inline constexpr std::string_view kOwnAlertStatus = "csgw:deadline_alert";
// Event.event_id prefixes: "csgw:deadline:<dispute id>/<deadline>/<due unix ms>" and
// "csgw:alert:<dispute id>/<deadline>/<due unix ms>/<seconds before>"; the marketplace and store
// of the event complete the dispute's key in the store's dedupe key.
inline constexpr std::string_view kOwnDeadlineIdPrefix = "csgw:deadline:";
inline constexpr std::string_view kOwnAlertIdPrefix = "csgw:alert:";

// The event of `deadline` of `dispute` passing (no `alert_before`) or of its alert
// `alert_before` ahead, fired at `fired_at`. A deadline's event occurs at the due time (where
// the machine's timeout sorts) and carries the dispute's order, so the ODR counts the outcome it
// leads to; an alert's occurs when it was due and carries no order (it changes no outcome).
proto::Event OwnTimerEvent(const Dispute& dispute, const Deadline& deadline,
                           std::optional<std::chrono::seconds> alert_before, TimePoint fired_at);

// Whether `event` is an own timer event (status, id prefix and DisputeUpdate.csgw_timer).
bool IsOwnTimer(const proto::Event& event);
bool IsOwnAlert(const proto::Event& event);
// Whether `event` is any of csgw's own dispute updates (a timer's or a seller proposal made
// through the API): a status word in csgw's namespace, an own id prefix or the timer field.
// POST /v1/events refuses them: from outside they would expire a seller's deadline or invent
// a proposal.
bool IsOwnDisputeUpdate(const proto::Event& event);

// A deadline's event: the machine's TimeoutEvent for it (same id, so a timeout recorded by an
// older gateway dedupes with it). An alert's: no machine event. kMissingField / kInvalidField
// naming the field for an event that is not a well-formed own timer event.
Result<std::vector<DisputeEvent>> MapOwnTimer(const proto::Event& event);

}  // namespace csgw::disputes
