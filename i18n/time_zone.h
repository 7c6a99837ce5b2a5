#pragma once

// Time zones of buyers and agents. UTC offsets come only from the system IANA tz database
// (Debian tzdata, read through date-tz), never from ICU 72's bundled 2022e zone data, which is
// wrong for Mexico since 2022 and for Kazakhstan since 2024.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace csgw::i18n {

// What the tz database says about one zone at one instant.
struct ZoneOffset {
  std::chrono::seconds offset{0};  // local = UTC + offset
  bool dst = false;
  std::string abbreviation;  // "MSK", "CST", "-03" (as the tz database spells it)
};

// kInvalidField for a name the tz database does not know.
Result<ZoneOffset> OffsetAt(std::string_view zone, TimePoint instant);
bool IsKnownZone(std::string_view zone);

// A civil date and time in some zone.
struct LocalDateTime {
  int year = 0;
  unsigned month = 0;    // 1..12
  unsigned day = 0;      // 1..31
  unsigned weekday = 0;  // 0 = Sunday .. 6 = Saturday
  std::chrono::seconds time_of_day{0};
  ZoneOffset zone;
};

Result<LocalDateTime> ToLocal(std::string_view zone, TimePoint instant);

// The instant at which the wall clock of `zone` shows `local_midnight_date` + `time_of_day`.
// A time skipped by a DST change is taken as the instant the clocks jump (the first valid
// local time after it); a time that occurs twice is taken at its first occurrence.
Result<TimePoint> FromLocal(std::string_view zone, int year, unsigned month, unsigned day,
                            std::chrono::seconds time_of_day);

// "+03:00", "-06:00", "+05:45".
std::string FormatUtcOffset(std::chrono::seconds offset);
// "2024-07-01T06:00:00-06:00": ISO 8601 with the zone's offset at that instant.
Result<std::string> FormatLocalIso(std::string_view zone, TimePoint instant);

// The buyer's zone and where it came from.
struct ZoneGuess {
  std::string zone;
  // "marketplace" (given with the order or buyer), "region" (from the region or city within a
  // country spanning several zones), "country" (the country's main zone).
  std::string source;
};

// Best guess of a buyer's zone: the marketplace's own value when it names a known zone, else the
// region or city when the country spans several zones (RU, KZ, MX, BR, US, ...), else the
// country's main zone. nullopt when nothing is known.
std::optional<ZoneGuess> GuessBuyerZone(std::string_view marketplace_zone, std::string_view country,
                                        std::string_view region);

}  // namespace csgw::i18n
