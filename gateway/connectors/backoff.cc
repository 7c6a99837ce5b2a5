#include "gateway/connectors/backoff.h"

#include <algorithm>

namespace csgw::gateway::connectors {

std::chrono::milliseconds BackoffDelay(int failures, const BackoffPolicy& policy, uint64_t random,
                                       std::optional<std::chrono::seconds> retry_after) {
  const int64_t max = std::max<int64_t>(policy.max.count(), 0);
  int64_t ceiling = std::max<int64_t>(policy.initial.count(), 1);
  // Doubling stops at the cap, so the shift can never overflow.
  for (int i = 1; i < failures && ceiling < max; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, max);
  const int64_t jittered = static_cast<int64_t>(random % static_cast<uint64_t>(ceiling + 1));
  std::chrono::milliseconds delay(jittered);
  if (retry_after) {
    delay = std::max<std::chrono::milliseconds>(delay, *retry_after);
  }
  return delay;
}

}  // namespace csgw::gateway::connectors
