#include "i18n/time_zone.h"

#include <gtest/gtest.h>

#include "base/timestamp.h"

namespace csgw::i18n {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TimePoint At(const char* iso) { return *ParseIsoDateTime(iso); }

// ICU 72's own zone data says UTC-5 here (Mexico's abolished DST); the tz database says -6.
TEST(TimeZone, MexicoCityIsUtcMinus6InJuly2024) {
  auto offset = OffsetAt("America/Mexico_City", At("2024-07-01T12:00:00Z"));
  ASSERT_TRUE(offset);
  EXPECT_EQ(offset.value().offset, hours(-6));
  EXPECT_FALSE(offset.value().dst);
}

TEST(TimeZone, KazakhstanUnifiedOnUtcPlus5In2024) {
  EXPECT_EQ(OffsetAt("Asia/Almaty", At("2023-07-01T00:00:00Z")).value().offset, hours(6));
  EXPECT_EQ(OffsetAt("Asia/Almaty", At("2024-07-01T00:00:00Z")).value().offset, hours(5));
}

TEST(TimeZone, MadridDst) {
  EXPECT_EQ(OffsetAt("Europe/Madrid", At("2024-01-15T12:00:00Z")).value().offset, hours(1));
  auto summer = OffsetAt("Europe/Madrid", At("2024-07-15T12:00:00Z")).value();
  EXPECT_EQ(summer.offset, hours(2));
  EXPECT_TRUE(summer.dst);
  EXPECT_EQ(summer.abbreviation, "CEST");
}

TEST(TimeZone, UnknownZoneIsAnError) {
  auto offset = OffsetAt("Mars/Olympus_Mons", At("2024-01-01T00:00:00Z"));
  ASSERT_FALSE(offset);
  EXPECT_EQ(offset.error().code, Errc::kInvalidField);
  EXPECT_FALSE(IsKnownZone(""));
  EXPECT_TRUE(IsKnownZone("Europe/Moscow"));
}

TEST(TimeZone, ToLocalAcrossMidnight) {
  auto local = ToLocal("Asia/Vladivostok", At("2024-03-10T15:30:00Z"));
  ASSERT_TRUE(local);
  EXPECT_EQ(local.value().year, 2024);
  EXPECT_EQ(local.value().month, 3u);
  EXPECT_EQ(local.value().day, 11u);
  EXPECT_EQ(local.value().weekday, 1u);  // Monday
  EXPECT_EQ(local.value().time_of_day, hours(1) + minutes(30));
}

TEST(TimeZone, FromLocalHandlesGapsAndOverlaps) {
  // Madrid springs forward at 02:00 → 03:00 on 2024-03-31: 02:30 does not exist.
  auto gap = FromLocal("Europe/Madrid", 2024, 3, 31, hours(2) + minutes(30));
  ASSERT_TRUE(gap);
  EXPECT_EQ(FormatIsoMillis(gap.value()), "2024-03-31T01:00:00.000Z");
  // Falls back 03:00 → 02:00 on 2024-10-27: 02:30 happens twice; the first is CEST (+2).
  auto overlap = FromLocal("Europe/Madrid", 2024, 10, 27, hours(2) + minutes(30));
  ASSERT_TRUE(overlap);
  EXPECT_EQ(FormatIsoMillis(overlap.value()), "2024-10-27T00:30:00.000Z");
  // Santiago de Chile moves its clocks at midnight: 2024-09-08 00:00 does not exist.
  auto santiago = FromLocal("America/Santiago", 2024, 9, 8, seconds(0));
  ASSERT_TRUE(santiago);
  EXPECT_EQ(FormatLocalIso("America/Santiago", santiago.value()).value(),
            "2024-09-08T01:00:00-03:00");
  EXPECT_FALSE(FromLocal("Europe/Madrid", 2024, 2, 30, hours(1)));
}

TEST(TimeZone, FormatOffsets) {
  EXPECT_EQ(FormatUtcOffset(hours(3)), "+03:00");
  EXPECT_EQ(FormatUtcOffset(hours(-6)), "-06:00");
  EXPECT_EQ(FormatUtcOffset(hours(5) + minutes(45)), "+05:45");
  EXPECT_EQ(FormatUtcOffset(-(hours(3) + minutes(30))), "-03:30");
  EXPECT_EQ(FormatUtcOffset(hours(2) + minutes(30) + seconds(17)), "+02:30:17");  // Moscow LMT
  EXPECT_EQ(FormatLocalIso("America/Mexico_City", At("2024-07-01T12:00:00Z")).value(),
            "2024-07-01T06:00:00-06:00");
}

TEST(GuessBuyerZone, MarketplaceValueFirst) {
  auto guess = GuessBuyerZone("Asia/Omsk", "RU", "Москва");
  ASSERT_TRUE(guess);
  EXPECT_EQ(guess->zone, "Asia/Omsk");
  EXPECT_EQ(guess->source, "marketplace");
}

TEST(GuessBuyerZone, RegionWithinMultiZoneCountries) {
  EXPECT_EQ(GuessBuyerZone("", "RU", "Новосибирская область")->zone, "Asia/Novosibirsk");
  EXPECT_EQ(GuessBuyerZone("", "RU", "Россия, г. Екатеринбург")->zone, "Asia/Yekaterinburg");
  EXPECT_EQ(GuessBuyerZone("", "ru", "VLADIVOSTOK")->zone, "Asia/Vladivostok");
  EXPECT_EQ(GuessBuyerZone("", "MX", "Quintana Roo")->zone, "America/Cancun");
  EXPECT_EQ(GuessBuyerZone("", "MX", "Tijuana")->zone, "America/Tijuana");
  EXPECT_EQ(GuessBuyerZone("", "BR", "Amazonas")->zone, "America/Manaus");
  EXPECT_EQ(GuessBuyerZone("", "BR", "Pará")->zone, "America/Belem");
  EXPECT_EQ(GuessBuyerZone("", "US", "CA")->zone, "America/Los_Angeles");
  EXPECT_EQ(GuessBuyerZone("", "KZ", "Актобе")->zone, "Asia/Aqtobe");
  EXPECT_EQ(GuessBuyerZone("", "RU", "Новосибирск")->source, "region");
}

TEST(GuessBuyerZone, CountryDefaultAndUnknown) {
  auto guess = GuessBuyerZone("Not/A_Zone", "MX", "somewhere unknown");
  ASSERT_TRUE(guess);
  EXPECT_EQ(guess->zone, "America/Mexico_City");
  EXPECT_EQ(guess->source, "country");
  EXPECT_EQ(GuessBuyerZone("", "ES", "")->zone, "Europe/Madrid");
  EXPECT_FALSE(GuessBuyerZone("", "", ""));
  EXPECT_FALSE(GuessBuyerZone("", "ZZ", "x"));
}

// Every zone in the table must exist in the system tz database.
TEST(GuessBuyerZone, TableZonesExist) {
  for (const char* country : {"RU", "KZ", "MX", "BR", "US", "CA", "AU", "CL", "ES", "PT", "AR"}) {
    auto guess = GuessBuyerZone("", country, "");
    ASSERT_TRUE(guess) << country;
    EXPECT_TRUE(IsKnownZone(guess->zone)) << guess->zone;
  }
}

}  // namespace
}  // namespace csgw::i18n
