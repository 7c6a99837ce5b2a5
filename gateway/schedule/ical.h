// A small, strict iCalendar (RFC 5545) reader for holiday calendars: the VEVENTs of a VCALENDAR
// become closures of the agents' business hours.
//
// Accepted: CRLF or LF line ends, folded lines; VEVENT with DTSTART, DTEND (optional for an
// all-day event: one day), SUMMARY, STATUS (CANCELLED events are skipped) and
// RRULE:FREQ=YEARLY[;INTERVAL=n][;COUNT=n|;UNTIL=date]. Dates are YYYYMMDD (all-day, also with
// VALUE=DATE); date-times are YYYYMMDDTHHMMSS with a trailing 'Z' (UTC), a TZID=<IANA zone>
// parameter, or neither (floating: read in the store's zone). VTIMEZONE blocks are skipped:
// offsets always come from the system tz database, so a TZID must be an IANA name.
// Other components (VTODO, VALARM, ...) are skipped; other properties are ignored.
// Rejected with kInvalidField naming the line: anything malformed, DURATION, other RRULE parts.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "gateway/schedule/business_hours.h"

namespace csgw::gateway::schedule {

inline constexpr size_t kMaxICalendarBytes = 1 << 20;  // 1 MiB: kPayloadTooLarge above
inline constexpr size_t kMaxICalendarEvents = 10000;

Result<std::vector<Closure>> ParseICalendar(std::string_view text);

}  // namespace csgw::gateway::schedule
