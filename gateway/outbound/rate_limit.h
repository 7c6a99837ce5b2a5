// Token buckets per key (say "ozon/store-17"): when may the next send to that key start. Pure:
// the time is an argument. Thread-safe.
//
// A bucket holds `burst` tokens and refills at `per_second`. Reserve takes one token for a send
// and answers when it may start: now while tokens are left, later when the bucket is empty, so a
// caller that starts every send at its answer never exceeds the rate. A reservation is final (a
// send that is not made still spent its token): sending too slowly is safe, too fast is not.
//
// Keys are bounded: a new key beyond max_keys evicts the least recently used one. An evicted key
// that was idle (its bucket full again) loses nothing; one still draining forgets its debt, which
// Stats().evicted_busy counts, so size max_keys above the number of live keys.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/clock.h"

namespace csgw::gateway::outbound {

struct RateLimit {
  // Sustained sends per second; > 0.
  double per_second = 5;
  // Sends allowed back to back after a quiet spell; >= 1.
  uint32_t burst = 5;
};

struct RateLimiterStats {
  uint64_t keys = 0;          // buckets held now
  uint64_t evicted_idle = 0;  // evictions of full buckets: harmless
  uint64_t evicted_busy = 0;  // evictions of buckets that still had to refill
};

class RateLimiter {
 public:
  // max_keys >= 1.
  explicit RateLimiter(size_t max_keys = 100'000);

  // Takes a token from `key`'s bucket under `limit` and returns the earliest time the send may
  // start (>= now). A key's limit is the one passed with each call: changing it applies from
  // this reservation on.
  TimePoint Reserve(std::string_view key, const RateLimit& limit, TimePoint now);

  RateLimiterStats Stats() const;

 private:
  struct Bucket {
    // When the bucket will be full again if nothing more is taken ("theoretical arrival time"
    // of the generic cell rate algorithm); at or before now means full.
    TimePoint full_at;
    std::list<std::string>::iterator lru;
  };

  void EvictOne(TimePoint now);

  const size_t max_keys_;
  mutable std::mutex mu_;
  std::list<std::string> lru_;  // most recently used first
  // Heterogeneous lookup needs C++20 transparent hashing; keys are short, a copy per lookup is
  // cheaper to read than the machinery.
  std::unordered_map<std::string, Bucket> buckets_;
  uint64_t evicted_idle_ = 0;
  uint64_t evicted_busy_ = 0;
};

}  // namespace csgw::gateway::outbound
