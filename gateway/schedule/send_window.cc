#include "gateway/schedule/send_window.h"

#include <string>

#include "gateway/schedule/business_hours.h"
#include "gateway/schedule/civil.h"
#include "i18n/time_zone.h"

namespace csgw::gateway::schedule {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

Error Invalid(std::string message) { return Error{Errc::kInvalidField, std::move(message)}; }

// The daytime window as business hours of the buyer: the same slot every day, no closures.
BusinessHours WindowHours(std::string_view zone, const DaytimeWindow& window) {
  BusinessHours hours;
  hours.zone = std::string(zone);
  for (auto& day : hours.weekly) day = {TimeSlot{window.start, window.end}};
  return hours;
}

Result<TimePoint> InWindow(TimePoint earliest, std::string_view zone, const SendPolicy& policy) {
  if (auto valid = Validate(policy); !valid) return valid.error();
  return NextOpenAt(WindowHours(zone, policy.window), earliest);
}

}  // namespace

std::string_view MessageKindName(MessageKind kind) {
  switch (kind) {
    case MessageKind::kReply:
      return "reply";
    case MessageKind::kShippingNotice:
      return "shipping_notice";
    case MessageKind::kUnpaidReminder:
      return "unpaid_reminder";
    case MessageKind::kFeedbackRequest:
      return "feedback_request";
    case MessageKind::kFollowUp:
      return "follow_up";
  }
  return "unknown";
}

std::string_view CancelReasonName(CancelReason reason) {
  switch (reason) {
    case CancelReason::kNone:
      return "none";
    case CancelReason::kBuyerWrote:
      return "buyer_wrote";
    case CancelReason::kConversationClosed:
      return "conversation_closed";
    case CancelReason::kOrderPaid:
      return "order_paid";
    case CancelReason::kOrderCancelled:
      return "order_cancelled";
    case CancelReason::kFeedbackLeft:
      return "feedback_left";
    case CancelReason::kDisputeOpen:
      return "dispute_open";
  }
  return "unknown";
}

Result<void> Validate(const SendPolicy& policy) {
  const DaytimeWindow& w = policy.window;
  if (w.start < seconds(0) || w.start >= hours(24) || w.end <= seconds(0) || w.end > hours(24) ||
      w.start == w.end) {
    return Invalid(
        "send_window: start must be in [00:00, 24:00), end in (00:00, 24:00], "
        "and they must differ");
  }
  if (policy.sla_margin < seconds(0)) return Invalid("send_window.sla_margin is negative");
  if (policy.unpaid_reminder_after < seconds(0))
    return Invalid("unpaid_reminder_after is negative");
  if (policy.feedback_request_after < seconds(0)) {
    return Invalid("feedback_request_after is negative");
  }
  int previous = 0;
  for (int days : policy.follow_up_days) {
    if (days <= previous || days > 365) {
      return Invalid("follow_up_days must increase strictly within 1..365");
    }
    previous = days;
  }
  return Ok();
}

Result<TimePoint> NextSendTime(MessageKind kind, TimePoint earliest, std::string_view buyer_zone,
                               const SendPolicy& policy) {
  if (kind == MessageKind::kReply && !policy.replies_wait_for_window) {
    if (auto valid = Validate(policy); !valid) return valid.error();
    if (!i18n::IsKnownZone(buyer_zone)) {
      return Invalid("unknown time zone '" + std::string(buyer_zone.substr(0, 64)) + "'");
    }
    return earliest;
  }
  return InWindow(earliest, buyer_zone, policy);
}

Result<TimePoint> ReplySendTime(TimePoint earliest, TimePoint deadline, std::string_view buyer_zone,
                                const SendPolicy& policy) {
  auto window = NextSendTime(MessageKind::kReply, earliest, buyer_zone, policy);
  if (!window) return window.error();
  if (window.value() <= deadline - policy.sla_margin) return window.value();
  return earliest;
}

Result<TimePoint> ProactiveSendTime(MessageKind kind, TimePoint anchor, std::string_view buyer_zone,
                                    const SendPolicy& policy) {
  switch (kind) {
    case MessageKind::kShippingNotice:
      return InWindow(anchor, buyer_zone, policy);
    case MessageKind::kUnpaidReminder:
      return InWindow(anchor + policy.unpaid_reminder_after, buyer_zone, policy);
    case MessageKind::kFeedbackRequest:
      return InWindow(anchor + policy.feedback_request_after, buyer_zone, policy);
    case MessageKind::kReply:
    case MessageKind::kFollowUp:
      break;
  }
  return Invalid("ProactiveSendTime: not a proactive kind: " + std::string(MessageKindName(kind)));
}

Result<std::vector<TimePoint>> FollowUpTimes(TimePoint anchor, std::string_view buyer_zone,
                                             const SendPolicy& policy) {
  if (auto valid = Validate(policy); !valid) return valid.error();
  auto local = i18n::ToLocal(buyer_zone, anchor);
  if (!local) return local.error();
  const CivilDate anchor_date{local.value().year, local.value().month, local.value().day};
  std::vector<TimePoint> out;
  for (int days : policy.follow_up_days) {
    const CivilDate date = AddDays(anchor_date, days);
    auto due =
        i18n::FromLocal(buyer_zone, date.year, date.month, date.day, local.value().time_of_day);
    if (!due) return due.error();
    auto send = InWindow(due.value(), buyer_zone, policy);
    if (!send) return send.error();
    out.push_back(send.value());
  }
  return out;
}

CancelReason CancelReasonFor(const PendingSend& send, const ConversationFacts& facts) {
  const bool buyer_wrote =
      facts.last_buyer_message_at && *facts.last_buyer_message_at > send.scheduled_at;
  switch (send.kind) {
    case MessageKind::kFollowUp:
      if (buyer_wrote) return CancelReason::kBuyerWrote;
      if (facts.closed) return CancelReason::kConversationClosed;
      return CancelReason::kNone;
    case MessageKind::kUnpaidReminder:
      if (facts.order_paid) return CancelReason::kOrderPaid;
      if (facts.order_cancelled) return CancelReason::kOrderCancelled;
      if (buyer_wrote) return CancelReason::kBuyerWrote;
      if (facts.closed) return CancelReason::kConversationClosed;
      return CancelReason::kNone;
    case MessageKind::kFeedbackRequest:
      if (facts.order_cancelled) return CancelReason::kOrderCancelled;
      if (facts.dispute_open) return CancelReason::kDisputeOpen;
      if (facts.feedback_left) return CancelReason::kFeedbackLeft;
      if (buyer_wrote) return CancelReason::kBuyerWrote;
      return CancelReason::kNone;
    case MessageKind::kShippingNotice:
      if (facts.order_cancelled) return CancelReason::kOrderCancelled;
      return CancelReason::kNone;
    case MessageKind::kReply:
      return CancelReason::kNone;
  }
  return CancelReason::kNone;
}

}  // namespace csgw::gateway::schedule
