// A strict reader of iCalendar (RFC 5545) holiday calendars on libical 3.0: the VEVENTs of a
// VCALENDAR become closures of the agents' business hours.
//
// libical does the parsing (line unfolding, escapes, parameters and their quoted values, value
// types); this file checks what it reads and keeps libical confined here. Accepted: VEVENT with
// DTSTART, DTEND (optional for an all-day event: one day), SUMMARY, STATUS (CANCELLED events are
// skipped) and RRULE:FREQ=YEARLY[;INTERVAL=n][;COUNT=n|;UNTIL=date] (INTERVAL, COUNT ≤ 9999).
// Dates are all-day; date-times are UTC ('Z'), carry a TZID=<IANA zone> parameter, or are
// floating (read in the store's zone). VTIMEZONE blocks are ignored: offsets always come from
// the system tz database, so a TZID must be an IANA name. Other components (VTODO, VALARM, ...)
// and properties are ignored. Rejected with kInvalidField, naming the line, the event (its
// number, UID and SUMMARY) and the property: what libical marks malformed (X-LIC-ERROR),
// invalid dates and times, DURATION, RDATE, EXDATE, EXRULE, other RRULE parts, unknown TZIDs,
// mismatched BEGIN/END and content outside the one VCALENDAR.
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
