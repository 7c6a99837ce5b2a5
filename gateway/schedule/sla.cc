#include "gateway/schedule/sla.h"

namespace csgw::gateway::schedule {

using std::chrono::hours;
using std::chrono::minutes;

SlaPolicy DefaultSlaPolicy() {
  SlaPolicy policy;
  policy.fallback = {hours(24), SlaClock::kCalendar};
  policy.marketplaces = {
      {"amazon", {hours(24), SlaClock::kCalendar}},
      {"aliexpress", {hours(24), SlaClock::kCalendar}},
      {"alibaba", {hours(24), SlaClock::kCalendar}},
      {"walmart", {hours(48), SlaClock::kCalendar}},
      {"taobao", {minutes(3), SlaClock::kCalendar}},
      {"tmall", {minutes(3), SlaClock::kCalendar}},
  };
  return policy;
}

const ReplySla& SlaFor(const SlaPolicy& policy, std::string_view marketplace) {
  const auto it = policy.marketplaces.find(marketplace);
  return it == policy.marketplaces.end() ? policy.fallback : it->second;
}

Result<TimePoint> ReplyDue(const SlaPolicy& policy, std::string_view marketplace,
                           TimePoint buyer_message_at, const BusinessHours* store_hours) {
  const ReplySla& sla = SlaFor(policy, marketplace);
  if (sla.clock == SlaClock::kCalendar) return buyer_message_at + sla.within;
  if (store_hours == nullptr) {
    return Error{Errc::kInvalidField, "reply SLA of '" + std::string(marketplace) +
                                          "' counts business hours but the store has none"};
  }
  return AddBusinessTime(*store_hours, buyer_message_at, sla.within);
}

}  // namespace csgw::gateway::schedule
