// Reply SLA clocks: how long a store has to answer a buyer's message, per marketplace.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/schedule/business_hours.h"

namespace csgw::gateway::schedule {

// Whether the SLA runs on the calendar (nights, weekends and holidays included, as Amazon's
// 24 h rule) or only while the store's agents are at work (their BusinessHours).
enum class SlaClock { kCalendar, kBusinessHours };

struct ReplySla {
  std::chrono::seconds within{std::chrono::hours(24)};
  SlaClock clock = SlaClock::kCalendar;
  friend bool operator==(const ReplySla&, const ReplySla&) = default;
};

struct SlaPolicy {
  // Keyed by marketplace id ("amazon").
  std::map<std::string, ReplySla, std::less<>> marketplaces;
  // For a marketplace not listed. Default: 24 h on the calendar (csgw's own choice: the
  // marketplaces without a published figure are answered on AliExpress's and Amazon's clock).
  ReplySla fallback;
};

// The defaults from domain/RULES.md §4 (all calendar time):
//   amazon 24 h (weekends and holidays included; ✅), aliexpress 24 h (the "24-hour response
//   rate" of its dashboard; ❓ no authoritative figure), alibaba 24 h (inquiries; ⚠️),
//   walmart 48 h (✅), taobao and tmall 3 min (human reply within 3 minutes; ⚠️; Taobao counts
//   only rounds between 09:00 and 23:00, which is not modelled here).
// Everything else (ebay "promptly", ozon, mercadolibre, lazada, shopee, wildberries: no figure
// found) uses the fallback, 24 h.
SlaPolicy DefaultSlaPolicy();

const ReplySla& SlaFor(const SlaPolicy& policy, std::string_view marketplace);

// When the reply to a buyer message received at `buyer_message_at` is due. A business-hours SLA
// needs the store's hours (kInvalidField when `store_hours` is null); the count starts at the
// next open instant, so a message on Saturday night counts from Monday's first slot.
Result<TimePoint> ReplyDue(const SlaPolicy& policy, std::string_view marketplace,
                           TimePoint buyer_message_at, const BusinessHours* store_hours);

}  // namespace csgw::gateway::schedule
