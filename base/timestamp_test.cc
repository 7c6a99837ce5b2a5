#include "base/timestamp.h"

#include <gtest/gtest.h>

namespace csgw {
namespace {

int64_t Ms(std::optional<TimePoint> t) { return t ? ToUnixMillis(*t) : -1; }

TEST(Timestamp, ParsesUtcWithMillis) {
  EXPECT_EQ(Ms(ParseIsoDateTime("2022-07-18T20:58:04.528Z")), 1658177884528);
}

TEST(Timestamp, ParsesOffsetsAndNanoseconds) {
  EXPECT_EQ(Ms(ParseIsoDateTime("2020-09-30T09:48:06.000-04:00")), 1601473686000);
  EXPECT_EQ(Ms(ParseIsoDateTime("2020-09-30T16:48:06+0300")), 1601473686000);
  const auto t = ParseIsoDateTime("2021-12-05T17:13:53.617074685Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->time_since_epoch().count() % 1000000000, 617074685);
}

TEST(Timestamp, NaiveTimesNeedADefaultOffset) {
  EXPECT_FALSE(ParseIsoDateTime("2025-03-26T17:06:12.245611"));
  EXPECT_EQ(Ms(ParseIsoDateTime("2025-03-26T17:06:12", std::chrono::hours(3))),
            Ms(ParseIsoDateTime("2025-03-26T14:06:12Z")));
  EXPECT_EQ(Ms(ParseIsoDateTime("2015-04-10 10:33:49", std::chrono::hours(8))),
            Ms(ParseIsoDateTime("2015-04-10T02:33:49Z")));
}

TEST(Timestamp, RejectsGarbage) {
  for (const char* bad :
       {"", "2022-13-01T00:00:00Z", "2022-02-30T00:00:00Z", "2022-07-18", "2022-07-18T25:00:00Z",
        "2022-07-18T20:58:04.Z", "2022-07-18T20:58:04Zjunk", "yesterday"}) {
    EXPECT_FALSE(ParseIsoDateTime(bad)) << bad;
  }
}

TEST(Timestamp, RejectsYearsThatWouldOverflow) {
  EXPECT_FALSE(ParseIsoDateTime("9999-12-31T23:59:59Z"));
  EXPECT_FALSE(ParseIsoDateTime("1600-01-01T00:00:00Z"));
  EXPECT_TRUE(ParseIsoDateTime("2199-12-31T23:59:59Z"));
  EXPECT_FALSE(FromUnixSecondsOrMillis(99'999'999'999LL));       // seconds: year 5138
  EXPECT_FALSE(FromUnixSecondsOrMillis(253'402'300'799'000LL));  // ms: year 9999
  EXPECT_FALSE(FromUnixSecondsOrMillis(INT64_MAX));
  EXPECT_TRUE(FromUnixSecondsOrMillis(7'258'118'399'999LL));
}

TEST(Timestamp, UnixUnitByMagnitude) {
  EXPECT_EQ(Ms(FromUnixSecondsOrMillis(1627889609)), 1627889609000);
  EXPECT_EQ(Ms(FromUnixSecondsOrMillis(1603766859530)), 1603766859530);
  EXPECT_FALSE(FromUnixSecondsOrMillis(-1));
}

TEST(Timestamp, FormatsIsoMillis) {
  EXPECT_EQ(FormatIsoMillis(FromUnixMillis(1658177884528)), "2022-07-18T20:58:04.528Z");
}

}  // namespace
}  // namespace csgw
