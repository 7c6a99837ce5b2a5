// The whole scheduling policy and its JSON form (until it moves into the typed config proto).
//
// {
//   "reply_sla": {                                    // optional; merged onto DefaultSlaPolicy()
//     "default": {"within": "24h", "clock": "calendar"},
//     "marketplaces": {"ozon": {"within": "8h", "clock": "business_hours"}}
//   },
//   "stores": {                                       // optional; keyed by store id
//     "shop-cn-1": {
//       "zone": "Asia/Shanghai",                      // required, IANA
//       "hours": {"mon": ["09:00-18:00", "19:00-23:00"], "sat": ["22:00-06:00"]},
//       "holidays": [{"name": "Chinese New Year", "from": "2025-01-28", "to": "2025-02-04"},
//                    {"name": "National Day", "from": "2025-10-01", "to": "2025-10-07",
//                     "yearly": true}],
//       "ical_files": ["holidays/cn.ics"]             // read through the IcsReader given
//     }
//   },
//   "send_window": {"start": "09:00", "end": "21:00", "replies_wait_for_window": false,
//                   "sla_margin": "30m"},
//   "follow_up_days": [1, 2, 4, 7, 15],
//   "unpaid_reminder_after": "12h",
//   "feedback_request_after": "3d"
// }
//
// Durations are one or more <integer><unit> with unit s, m, h or d ("90s", "1h30m", "3d").
// Hours are "HH:MM-HH:MM" in the store's zone; an end at or before the start is an overnight
// shift ending the next day; "24:00" is allowed as an end. Weekday keys: mon tue wed thu fri sat
// sun. Holiday "from" and "to" are inclusive local dates. Unknown keys are errors (typos).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "gateway/schedule/business_hours.h"
#include "gateway/schedule/send_window.h"
#include "gateway/schedule/sla.h"

namespace csgw::gateway::schedule {

struct SchedulePolicy {
  SlaPolicy sla = DefaultSlaPolicy();
  std::map<std::string, BusinessHours, std::less<>> stores;  // keyed by store id
  SendPolicy send;
};

inline constexpr size_t kMaxPolicyJsonBytes = 1 << 20;

// Returns the content of an .ics file named in "ical_files"; the caller does the I/O (with its
// own size cap) so that this parser stays pure. May be empty when no store names one.
using IcsReader = std::function<Result<std::string>(std::string_view path)>;

// Errors name the JSON path ("stores.shop-cn-1.hours.mon[1]") or the .ics file and line.
Result<SchedulePolicy> ParseSchedulePolicy(std::string_view json, const IcsReader& read_ics = {});

// Parses "1h30m"-style durations (see above); nullopt when malformed or over 10 years.
std::optional<std::chrono::seconds> ParseDuration(std::string_view text);

}  // namespace csgw::gateway::schedule
