#include "gateway/schedule/send_window.h"

#include <gtest/gtest.h>

#include "gateway/schedule/test_util.h"
#include "i18n/time_zone.h"

namespace csgw::gateway::schedule {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::At;
using testing::Utc;

struct WindowCase {
  const char* name;
  const char* zone;
  const char* earliest;
  const char* expected;  // UTC
};

// Default window 09:00-21:00 in the buyer's zone, through the system tz database.
TEST(SendWindow, ProactiveMessagesWaitForTheBuyersDaytimeAcrossDstEdges) {
  const WindowCase cases[] = {
      // Europe/Madrid spring forward (2024-03-31 02:00 CET -> 03:00 CEST).
      {"madrid-night-before-spring", "Europe/Madrid", "2024-03-30T21:30:00+01:00",
       "2024-03-31T07:00:00.000Z"},
      {"madrid-spring-0859", "Europe/Madrid", "2024-03-31T08:59:00+02:00",
       "2024-03-31T07:00:00.000Z"},
      {"madrid-spring-inside", "Europe/Madrid", "2024-03-31T10:00:00+02:00",
       "2024-03-31T08:00:00.000Z"},
      // Europe/Madrid fall back (2024-10-27 03:00 CEST -> 02:00 CET).
      {"madrid-night-before-fall", "Europe/Madrid", "2024-10-26T21:30:00+02:00",
       "2024-10-27T08:00:00.000Z"},
      {"madrid-repeated-hour", "Europe/Madrid", "2024-10-27T02:30:00+01:00",
       "2024-10-27T08:00:00.000Z"},
      {"madrid-last-minute", "Europe/Madrid", "2024-10-26T20:59:00+02:00",
       "2024-10-26T18:59:00.000Z"},
      // America/Santiago changes at midnight (2024-04-07 00:00 -03 -> 23:00 -04;
      // 2024-09-08 00:00 -04 -> 01:00 -03).
      {"santiago-april", "America/Santiago", "2024-04-06T22:00:00-03:00",
       "2024-04-07T13:00:00.000Z"},
      {"santiago-april-repeated", "America/Santiago", "2024-04-06T23:30:00-04:00",
       "2024-04-07T13:00:00.000Z"},
      {"santiago-september", "America/Santiago", "2024-09-07T23:30:00-04:00",
       "2024-09-08T12:00:00.000Z"},
      // America/Sao_Paulo: no DST since 2019, -03:00 in January as in July.
      {"sao-paulo-january", "America/Sao_Paulo", "2024-01-14T23:00:00-03:00",
       "2024-01-15T12:00:00.000Z"},
      {"sao-paulo-july", "America/Sao_Paulo", "2024-07-14T23:00:00-03:00",
       "2024-07-15T12:00:00.000Z"},
      // Europe/Moscow: +03:00 all year since 2014.
      {"moscow-january", "Europe/Moscow", "2024-01-15T22:00:00+03:00", "2024-01-16T06:00:00.000Z"},
      {"moscow-july", "Europe/Moscow", "2024-07-15T05:00:00+03:00", "2024-07-15T06:00:00.000Z"},
      // America/Mexico_City after 2022: UTC-6 all year (ICU 72's zone data would say -5 in summer).
      {"mexico-city-july-2023", "America/Mexico_City", "2023-06-30T21:00:00-06:00",
       "2023-07-01T15:00:00.000Z"},
      {"mexico-city-april-2024", "America/Mexico_City", "2024-04-07T08:00:00-06:00",
       "2024-04-07T15:00:00.000Z"},
  };
  const SendPolicy policy;
  for (const WindowCase& c : cases) {
    for (MessageKind kind : {MessageKind::kShippingNotice, MessageKind::kFollowUp,
                             MessageKind::kUnpaidReminder, MessageKind::kFeedbackRequest}) {
      auto send = NextSendTime(kind, At(c.earliest), c.zone, policy);
      ASSERT_TRUE(send) << c.name;
      EXPECT_EQ(Utc(send.value()), c.expected) << c.name << " " << MessageKindName(kind);
    }
  }
}

struct OffsetCase {
  const char* zone;
  const char* at;
  hours offset;
};

TEST(SendWindow, OffsetsOfZonesWithoutDstStayFixed) {
  const OffsetCase cases[] = {
      {"America/Sao_Paulo", "2024-01-15T12:00:00Z", hours(-3)},
      {"America/Sao_Paulo", "2024-07-15T12:00:00Z", hours(-3)},
      {"America/Sao_Paulo", "2018-01-15T12:00:00Z", hours(-2)},  // DST until 2019
      {"Europe/Moscow", "2024-01-15T12:00:00Z", hours(3)},
      {"Europe/Moscow", "2024-07-15T12:00:00Z", hours(3)},
      {"Europe/Moscow", "2013-01-15T12:00:00Z", hours(4)},  // permanent +04 in 2011-2014
      {"America/Mexico_City", "2023-07-01T12:00:00Z", hours(-6)},
      {"America/Mexico_City", "2024-01-15T12:00:00Z", hours(-6)},
      {"America/Mexico_City", "2021-07-01T12:00:00Z", hours(-5)},  // DST until 2022
  };
  for (const OffsetCase& c : cases) {
    auto offset = i18n::OffsetAt(c.zone, At(c.at));
    ASSERT_TRUE(offset) << c.zone;
    EXPECT_EQ(offset.value().offset, c.offset) << c.zone << " " << c.at;
  }
}

TEST(SendWindow, QuietHoursCrossMidnight) {
  const SendPolicy policy;  // quiet 21:00-09:00
  const WindowCase cases[] = {
      {"evening", "Asia/Tokyo", "2024-05-10T21:00:00+09:00", "2024-05-11T00:00:00.000Z"},
      {"before-midnight", "Asia/Tokyo", "2024-05-10T23:30:00+09:00", "2024-05-11T00:00:00.000Z"},
      {"after-midnight", "Asia/Tokyo", "2024-05-11T02:00:00+09:00", "2024-05-11T00:00:00.000Z"},
      {"last-second", "Asia/Tokyo", "2024-05-10T20:59:59+09:00", "2024-05-10T11:59:59.000Z"},
      {"opening", "Asia/Tokyo", "2024-05-11T09:00:00+09:00", "2024-05-11T00:00:00.000Z"},
  };
  for (const WindowCase& c : cases) {
    auto send = NextSendTime(MessageKind::kFollowUp, At(c.earliest), c.zone, policy);
    ASSERT_TRUE(send) << c.name;
    EXPECT_EQ(Utc(send.value()), c.expected) << c.name;
  }
}

TEST(SendWindow, DaytimeWindowMayItselfCrossMidnight) {
  SendPolicy policy;
  policy.window = {hours(20), hours(2)};  // a night-owl market: 20:00-02:00
  const WindowCase cases[] = {
      {"inside-after-midnight", "UTC", "2024-05-11T01:00:00Z", "2024-05-11T01:00:00.000Z"},
      {"closed-morning", "UTC", "2024-05-11T03:00:00Z", "2024-05-11T20:00:00.000Z"},
      {"inside-evening", "UTC", "2024-05-11T23:00:00Z", "2024-05-11T23:00:00.000Z"},
  };
  for (const WindowCase& c : cases) {
    auto send = NextSendTime(MessageKind::kShippingNotice, At(c.earliest), c.zone, policy);
    ASSERT_TRUE(send) << c.name;
    EXPECT_EQ(Utc(send.value()), c.expected) << c.name;
  }
}

TEST(SendWindow, WindowStartingAtASkippedMidnightOpensWhenTheClocksJump) {
  SendPolicy policy;
  policy.window = {hours(0), hours(20)};
  auto send = NextSendTime(MessageKind::kFollowUp, At("2024-09-07T21:00:00-04:00"),
                           "America/Santiago", policy);
  ASSERT_TRUE(send);
  EXPECT_EQ(Utc(send.value()), "2024-09-08T04:00:00.000Z");  // 01:00 -03
}

TEST(SendWindow, RepliesGoOutAtOnceUnlessThePolicyWaits) {
  SendPolicy policy;
  const TimePoint night = At("2024-05-10T23:30:00+02:00");
  auto now = NextSendTime(MessageKind::kReply, night, "Europe/Madrid", policy);
  ASSERT_TRUE(now);
  EXPECT_EQ(now.value(), night);
  policy.replies_wait_for_window = true;
  auto later = NextSendTime(MessageKind::kReply, night, "Europe/Madrid", policy);
  ASSERT_TRUE(later);
  EXPECT_EQ(Utc(later.value()), "2024-05-11T07:00:00.000Z");
  EXPECT_FALSE(NextSendTime(MessageKind::kReply, night, "Nowhere/City", SendPolicy{}));
}

struct SlaCase {
  const char* name;
  minutes until_deadline;
  const char* expected;  // UTC
};

TEST(SendWindow, SlaDeadlineOverridesQuietHours) {
  SendPolicy policy;
  policy.replies_wait_for_window = true;
  policy.sla_margin = minutes(30);
  const TimePoint earliest = At("2024-05-10T23:00:00+02:00");  // window opens 09:00 = 07:00Z
  const SlaCase cases[] = {
      {"walmart-48h-waits", hours(48), "2024-05-11T07:00:00.000Z"},
      {"taobao-3min-at-once", minutes(3), "2024-05-10T21:00:00.000Z"},
      {"8h-would-miss-at-once", hours(8), "2024-05-10T21:00:00.000Z"},
      // 09:00 is 09:30 - 30 min: waiting still keeps the margin.
      {"boundary-waits", hours(10) + minutes(30), "2024-05-11T07:00:00.000Z"},
      {"one-minute-short-at-once", hours(10) + minutes(29), "2024-05-10T21:00:00.000Z"},
  };
  for (const SlaCase& c : cases) {
    auto send = ReplySendTime(earliest, earliest + c.until_deadline, "Europe/Madrid", policy);
    ASSERT_TRUE(send) << c.name;
    EXPECT_EQ(Utc(send.value()), c.expected) << c.name;
  }
  // Without waiting, a reply is immediate whatever the deadline.
  auto now = ReplySendTime(earliest, earliest + hours(48), "Europe/Madrid", SendPolicy{});
  ASSERT_TRUE(now);
  EXPECT_EQ(now.value(), earliest);
}

TEST(SendWindow, FollowUpCadenceLandingAtNightMovesToNineNextMorning) {
  const SendPolicy policy;  // 1, 2, 4, 7, 15 days
  auto times = FollowUpTimes(At("2024-05-10T23:30:00+02:00"), "Europe/Madrid", policy);
  ASSERT_TRUE(times);
  const std::vector<std::string> expected = {"2024-05-12T07:00:00.000Z", "2024-05-13T07:00:00.000Z",
                                             "2024-05-15T07:00:00.000Z", "2024-05-18T07:00:00.000Z",
                                             "2024-05-26T07:00:00.000Z"};
  ASSERT_EQ(times.value().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(Utc(times.value()[i]), expected[i]) << i;
}

TEST(SendWindow, FollowUpDaysAreCalendarDaysInTheBuyersZone) {
  SendPolicy policy;
  policy.follow_up_days = {1, 3};
  // 15:00 CET the day before spring forward: one calendar day later is 15:00 CEST, 23 h later.
  auto times = FollowUpTimes(At("2024-03-30T15:00:00+01:00"), "Europe/Madrid", policy);
  ASSERT_TRUE(times);
  ASSERT_EQ(times.value().size(), 2u);
  EXPECT_EQ(Utc(times.value()[0]), "2024-03-31T13:00:00.000Z");
  EXPECT_EQ(Utc(times.value()[1]), "2024-04-02T13:00:00.000Z");
  // A cadence in Moscow from a morning anchor: 07:00 is before the window, so 09:00 that day.
  policy.follow_up_days = {2};
  auto moscow = FollowUpTimes(At("2024-01-15T07:00:00+03:00"), "Europe/Moscow", policy);
  ASSERT_TRUE(moscow);
  EXPECT_EQ(Utc(moscow.value()[0]), "2024-01-17T06:00:00.000Z");
}

TEST(SendWindow, ProactiveDelays) {
  SendPolicy policy;
  policy.unpaid_reminder_after = hours(12);
  policy.feedback_request_after = hours(72);
  // Ordered 12:00 MSK: 12 h later is midnight, the reminder waits until 09:00.
  auto unpaid = ProactiveSendTime(MessageKind::kUnpaidReminder, At("2024-05-10T12:00:00+03:00"),
                                  "Europe/Moscow", policy);
  ASSERT_TRUE(unpaid);
  EXPECT_EQ(Utc(unpaid.value()), "2024-05-11T06:00:00.000Z");
  auto feedback = ProactiveSendTime(MessageKind::kFeedbackRequest, At("2024-05-10T12:00:00+03:00"),
                                    "Europe/Moscow", policy);
  ASSERT_TRUE(feedback);
  EXPECT_EQ(Utc(feedback.value()), "2024-05-13T09:00:00.000Z");
  auto shipped = ProactiveSendTime(MessageKind::kShippingNotice, At("2024-05-10T22:10:00+03:00"),
                                   "Europe/Moscow", policy);
  ASSERT_TRUE(shipped);
  EXPECT_EQ(Utc(shipped.value()), "2024-05-11T06:00:00.000Z");
  EXPECT_FALSE(ProactiveSendTime(MessageKind::kReply, At("2024-05-10T12:00:00Z"), "UTC", policy));
  EXPECT_FALSE(
      ProactiveSendTime(MessageKind::kFollowUp, At("2024-05-10T12:00:00Z"), "UTC", policy));
}

TEST(SendWindow, InvalidPoliciesAreRejected) {
  SendPolicy same;
  same.window = {hours(9), hours(9)};
  EXPECT_FALSE(Validate(same));
  EXPECT_FALSE(NextSendTime(MessageKind::kFollowUp, At("2024-05-10T12:00:00Z"), "UTC", same));
  SendPolicy cadence;
  cadence.follow_up_days = {1, 4, 2};
  EXPECT_FALSE(Validate(cadence));
  cadence.follow_up_days = {0};
  EXPECT_FALSE(Validate(cadence));
  EXPECT_TRUE(Validate(SendPolicy{}));
}

struct CancelCase {
  const char* name;
  MessageKind kind;
  ConversationFacts facts;
  CancelReason expected;
};

TEST(SendWindow, CancellationRules) {
  const TimePoint scheduled = At("2024-05-10T12:00:00Z");
  const TimePoint before = scheduled - minutes(5);
  const TimePoint after = scheduled + minutes(5);
  auto facts = [](bool closed, std::optional<TimePoint> last_buyer) {
    ConversationFacts f;
    f.closed = closed;
    f.last_buyer_message_at = last_buyer;
    return f;
  };
  ConversationFacts paid;
  paid.order_paid = true;
  ConversationFacts cancelled;
  cancelled.order_cancelled = true;
  ConversationFacts disputed;
  disputed.dispute_open = true;
  ConversationFacts rated;
  rated.feedback_left = true;
  const CancelCase cases[] = {
      {"follow-up-quiet-buyer", MessageKind::kFollowUp, facts(false, before), CancelReason::kNone},
      {"follow-up-no-buyer-msg", MessageKind::kFollowUp, facts(false, std::nullopt),
       CancelReason::kNone},
      {"follow-up-buyer-wrote", MessageKind::kFollowUp, facts(false, after),
       CancelReason::kBuyerWrote},
      {"follow-up-same-instant", MessageKind::kFollowUp, facts(false, scheduled),
       CancelReason::kNone},
      {"follow-up-closed", MessageKind::kFollowUp, facts(true, before),
       CancelReason::kConversationClosed},
      {"unpaid-paid", MessageKind::kUnpaidReminder, paid, CancelReason::kOrderPaid},
      {"unpaid-cancelled", MessageKind::kUnpaidReminder, cancelled, CancelReason::kOrderCancelled},
      {"unpaid-buyer-wrote", MessageKind::kUnpaidReminder, facts(false, after),
       CancelReason::kBuyerWrote},
      {"unpaid-closed", MessageKind::kUnpaidReminder, facts(true, std::nullopt),
       CancelReason::kConversationClosed},
      {"feedback-dispute", MessageKind::kFeedbackRequest, disputed, CancelReason::kDisputeOpen},
      {"feedback-rated", MessageKind::kFeedbackRequest, rated, CancelReason::kFeedbackLeft},
      {"feedback-closed-still-asks", MessageKind::kFeedbackRequest, facts(true, before),
       CancelReason::kNone},
      {"shipping-cancelled", MessageKind::kShippingNotice, cancelled,
       CancelReason::kOrderCancelled},
      {"shipping-buyer-wrote", MessageKind::kShippingNotice, facts(true, after),
       CancelReason::kNone},
      {"reply-never", MessageKind::kReply, facts(true, after), CancelReason::kNone},
  };
  for (const CancelCase& c : cases) {
    const PendingSend send{c.kind, scheduled};
    EXPECT_EQ(CancelReasonFor(send, c.facts), c.expected) << c.name;
    EXPECT_EQ(ShouldCancel(send, c.facts), c.expected != CancelReason::kNone) << c.name;
  }
  EXPECT_EQ(CancelReasonName(CancelReason::kBuyerWrote), "buyer_wrote");
}

}  // namespace
}  // namespace csgw::gateway::schedule
