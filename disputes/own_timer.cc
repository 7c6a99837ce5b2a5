#include "disputes/own_timer.h"

#include <string>

#include "disputes/own_proposal.h"

namespace csgw::disputes {
namespace {

// The library does no I/O and has no gateway helpers: the two conversions it needs, here.
void SetTime(google::protobuf::Timestamp* out, TimePoint t) {
  const auto since_epoch = t.time_since_epoch();
  auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  out->set_seconds(seconds.count());
  out->set_nanos(static_cast<int32_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count()));
}

TimePoint TimeOf(const google::protobuf::Timestamp& t) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::seconds(t.seconds()) + std::chrono::nanoseconds(t.nanos())));
}

std::string DeadlineIdPart(std::string_view dispute_id, std::string_view deadline,
                           TimePoint due_at) {
  return std::string(dispute_id) + "/" + std::string(deadline) + "/" +
         std::to_string(ToUnixMillis(due_at));
}

Error Invalid(const proto::Event& event, const std::string& what) {
  return MakeError(Errc::kInvalidField, "own timer event " + event.event_id() + ": " + what);
}

}  // namespace

proto::Event OwnTimerEvent(const Dispute& dispute, const Deadline& deadline,
                           std::optional<std::chrono::seconds> alert_before, TimePoint fired_at) {
  proto::Event event;
  const std::string part = DeadlineIdPart(dispute.id, deadline.name, deadline.due_at);
  event.set_event_id(alert_before ? std::string(kOwnAlertIdPrefix) + part + "/" +
                                        std::to_string(alert_before->count())
                                  : std::string(kOwnDeadlineIdPrefix) + part);
  event.set_marketplace(dispute.marketplace);
  event.set_store_id(dispute.store_id);
  if (!alert_before && !dispute.order_id.empty()) {
    event.mutable_order()->set_order_id(dispute.order_id);
  }
  SetTime(event.mutable_occurred_at(),
          alert_before ? deadline.due_at - *alert_before : deadline.due_at);
  proto::DisputeUpdate& update = *event.mutable_dispute_update();
  update.set_dispute_id(dispute.id);
  update.set_marketplace_status(std::string(alert_before ? kOwnAlertStatus : kOwnDeadlineStatus));
  proto::DisputeTimerFired& timer = *update.mutable_csgw_timer();
  timer.set_deadline(deadline.name);
  SetTime(timer.mutable_due_at(), deadline.due_at);
  timer.set_alert_before_seconds(alert_before ? alert_before->count() : 0);
  timer.set_actor(std::string(Name(deadline.actor)));
  SetTime(timer.mutable_fired_at(), fired_at);
  return event;
}

bool IsOwnTimer(const proto::Event& event) {
  if (!event.has_dispute_update() || !event.dispute_update().has_csgw_timer()) return false;
  const std::string_view status = event.dispute_update().marketplace_status();
  const std::string_view id = event.event_id();
  return (status == kOwnDeadlineStatus && id.starts_with(kOwnDeadlineIdPrefix)) ||
         (status == kOwnAlertStatus && id.starts_with(kOwnAlertIdPrefix));
}

bool IsOwnAlert(const proto::Event& event) {
  return IsOwnTimer(event) && event.dispute_update().marketplace_status() == kOwnAlertStatus;
}

bool IsOwnDisputeUpdate(const proto::Event& event) {
  if (!event.has_dispute_update()) return false;
  const proto::DisputeUpdate& update = event.dispute_update();
  const std::string_view id = event.event_id();
  return update.has_csgw_timer() || std::string_view(update.marketplace_status()).starts_with("csgw:") ||
         id.starts_with(kOwnDeadlineIdPrefix) || id.starts_with(kOwnAlertIdPrefix) ||
         id.starts_with(kOwnProposalIdPrefix);
}

Result<std::vector<DisputeEvent>> MapOwnTimer(const proto::Event& event) {
  if (!IsOwnTimer(event)) return Invalid(event, "not a dispute timer's event");
  const proto::DisputeUpdate& update = event.dispute_update();
  const proto::DisputeTimerFired& timer = update.csgw_timer();
  if (update.dispute_id().empty()) {
    return MakeError(Errc::kMissingField, "own timer event " + event.event_id() +
                                              ": field 'dispute_update.dispute_id' is required");
  }
  if (timer.deadline().empty() || !timer.has_due_at()) {
    return MakeError(Errc::kMissingField,
                     "own timer event " + event.event_id() +
                         ": fields 'csgw_timer.deadline' and 'csgw_timer.due_at' are required");
  }
  const TimePoint due_at = TimeOf(timer.due_at());
  const std::string part = DeadlineIdPart(update.dispute_id(), timer.deadline(), due_at);
  if (IsOwnAlert(event)) {
    if (timer.alert_before_seconds() <= 0 ||
        event.event_id() != std::string(kOwnAlertIdPrefix) + part + "/" +
                                std::to_string(timer.alert_before_seconds())) {
      return Invalid(event, "the id does not name its dispute, deadline, due time and offset");
    }
    return std::vector<DisputeEvent>();  // recorded on the dispute, not a machine input
  }
  if (event.event_id() != std::string(kOwnDeadlineIdPrefix) + part) {
    return Invalid(event, "the id does not name its dispute, deadline and due time");
  }
  return std::vector<DisputeEvent>{TimeoutEvent(update.dispute_id(), timer.deadline(), due_at)};
}

}  // namespace csgw::disputes
