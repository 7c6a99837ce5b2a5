// Parsing the timestamp dialects marketplaces send into one TimePoint (UTC).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace csgw {

// Parses ISO 8601 / RFC 3339 date-times: "2022-07-18T20:58:04.528Z",
// "2020-09-30T09:48:06.000-04:00", "2021-12-05T17:13:53.617074685Z" (fractions to nanoseconds),
// "+0300" offsets, and a space instead of 'T'. A value without a zone designator is read at
// `default_offset` when given (Wildberries claims are UTC+3 without saying so) and rejected
// otherwise. nullopt for anything that is not a valid date-time or lies outside 1970-2199.
std::optional<TimePoint> ParseIsoDateTime(
    std::string_view text, std::optional<std::chrono::minutes> default_offset = std::nullopt);

// Unix time whose unit is guessed by magnitude, as Lazada sends seconds in one field and
// milliseconds in the next: values of 10^11 and above are milliseconds (10^11 s is the year
// 5138; 10^11 ms is 1973). Negative values and times from 2200 on are rejected.
std::optional<TimePoint> FromUnixSecondsOrMillis(int64_t value);

// "2022-07-18T20:58:04.528Z" (milliseconds, UTC).
std::string FormatIsoMillis(TimePoint t);

}  // namespace csgw
