#include "gateway/schedule/sla.h"

#include <gtest/gtest.h>

#include "gateway/schedule/test_util.h"

namespace csgw::gateway::schedule {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::At;
using testing::Utc;

struct DueCase {
  const char* marketplace;
  const char* message_at;
  const char* due;  // UTC
};

TEST(ReplySla, DefaultsFromRulesRunOnTheCalendar) {
  const SlaPolicy policy = DefaultSlaPolicy();
  // Friday 20:00 UTC: calendar SLAs run through the weekend.
  const DueCase cases[] = {
      {"amazon", "2024-05-10T20:00:00Z", "2024-05-11T20:00:00.000Z"},
      {"aliexpress", "2024-05-10T20:00:00Z", "2024-05-11T20:00:00.000Z"},
      {"walmart", "2024-05-10T20:00:00Z", "2024-05-12T20:00:00.000Z"},
      {"taobao", "2024-05-10T20:00:00Z", "2024-05-10T20:03:00.000Z"},
      {"tmall", "2024-05-10T20:00:00Z", "2024-05-10T20:03:00.000Z"},
      {"ozon", "2024-05-10T20:00:00Z", "2024-05-11T20:00:00.000Z"},  // fallback 24 h
      {"ebay", "2024-05-10T20:00:00Z", "2024-05-11T20:00:00.000Z"},
  };
  for (const DueCase& c : cases) {
    auto due = ReplyDue(policy, c.marketplace, At(c.message_at), nullptr);
    ASSERT_TRUE(due) << c.marketplace;
    EXPECT_EQ(Utc(due.value()), c.due) << c.marketplace;
  }
  EXPECT_EQ(SlaFor(policy, "walmart").within, hours(48));
  EXPECT_EQ(SlaFor(policy, "unknownmarket").within, hours(24));
}

TEST(ReplySla, BusinessHoursSlaCountsOnlyTheAgentsTime) {
  SlaPolicy policy = DefaultSlaPolicy();
  policy.marketplaces["ozon"] = {hours(8), SlaClock::kBusinessHours};
  BusinessHours store;
  store.zone = "Europe/Moscow";
  for (int day = 1; day <= 5; ++day) store.weekly[day] = {{hours(9), hours(18)}};
  Closure holiday;  // Victory Day, Thursday 9 May 2024
  holiday.name = "Victory Day";
  holiday.start = {{2024, 5, 9}, {}};
  holiday.end = {{2024, 5, 10}, {}};
  store.closures.push_back(holiday);

  const DueCase cases[] = {
      // Friday 16:00 MSK: 2 h on Friday, 6 h on Monday -> Monday 15:00 MSK.
      {"ozon", "2024-05-10T16:00:00+03:00", "2024-05-13T12:00:00.000Z"},
      // Saturday night: counts from Monday 09:00.
      {"ozon", "2024-05-11T23:00:00+03:00", "2024-05-13T14:00:00.000Z"},
      // Wednesday 14:00: 4 h Wednesday, Thursday holiday, 4 h Friday -> Friday 13:00.
      {"ozon", "2024-05-08T14:00:00+03:00", "2024-05-10T10:00:00.000Z"},
      // Calendar marketplaces ignore the store's hours.
      {"amazon", "2024-05-11T23:00:00+03:00", "2024-05-12T20:00:00.000Z"},
  };
  for (const DueCase& c : cases) {
    auto due = ReplyDue(policy, c.marketplace, At(c.message_at), &store);
    ASSERT_TRUE(due) << c.message_at;
    EXPECT_EQ(Utc(due.value()), c.due) << c.message_at;
  }
  auto missing = ReplyDue(policy, "ozon", At("2024-05-10T16:00:00Z"), nullptr);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kInvalidField);
}

}  // namespace
}  // namespace csgw::gateway::schedule
