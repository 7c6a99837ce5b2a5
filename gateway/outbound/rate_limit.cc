#include "gateway/outbound/rate_limit.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>

namespace csgw::gateway::outbound {

RateLimiter::RateLimiter(size_t max_keys) : max_keys_(std::max<size_t>(max_keys, 1)) {}

TimePoint RateLimiter::Reserve(std::string_view key, const RateLimit& limit, TimePoint now) {
  if (!(limit.per_second > 0) || !std::isfinite(limit.per_second)) std::abort();  // config bug
  const auto interval = std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::duration<double>(1.0 / limit.per_second));
  const uint32_t burst = std::max<uint32_t>(limit.burst, 1);

  std::lock_guard lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) EvictOne(now);
    lru_.emplace_front(key);
    it = buckets_.emplace(lru_.front(), Bucket{now, lru_.begin()}).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  Bucket& bucket = it->second;
  // The bucket has a token when it is no more than burst-1 refills short of full.
  const TimePoint start = std::max(now, bucket.full_at - interval * (burst - 1));
  bucket.full_at = std::max(bucket.full_at, now) + interval;
  return start;
}

void RateLimiter::EvictOne(TimePoint now) {
  const std::string& victim = lru_.back();
  auto it = buckets_.find(victim);
  (it->second.full_at <= now ? evicted_idle_ : evicted_busy_)++;
  buckets_.erase(it);
  lru_.pop_back();
}

RateLimiterStats RateLimiter::Stats() const {
  std::lock_guard lock(mu_);
  return RateLimiterStats{buckets_.size(), evicted_idle_, evicted_busy_};
}

}  // namespace csgw::gateway::outbound
