#include "gateway/outbound/rate_limit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace csgw::gateway::outbound {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);

TEST(RateLimiter, BurstGoesAtOnceThenOnePerInterval) {
  RateLimiter limiter;
  const RateLimit limit{2, 3};  // 2/s: one token per 500 ms, 3 at most
  std::vector<TimePoint> starts;
  for (int i = 0; i < 6; ++i) starts.push_back(limiter.Reserve("ozon/s1", limit, kT0));
  const std::vector<TimePoint> want = {
      kT0, kT0, kT0, kT0 + milliseconds(500), kT0 + milliseconds(1000), kT0 + milliseconds(1500)};
  EXPECT_EQ(starts, want);
}

TEST(RateLimiter, RefillsWithTimeUpToTheBurst) {
  RateLimiter limiter;
  const RateLimit limit{1, 2};
  EXPECT_EQ(limiter.Reserve("k", limit, kT0), kT0);
  EXPECT_EQ(limiter.Reserve("k", limit, kT0), kT0);
  EXPECT_EQ(limiter.Reserve("k", limit, kT0), kT0 + seconds(1));  // empty: wait for a token
  // A long quiet spell refills only up to the burst: two at once, the third waits.
  const TimePoint later = kT0 + seconds(100);
  EXPECT_EQ(limiter.Reserve("k", limit, later), later);
  EXPECT_EQ(limiter.Reserve("k", limit, later), later);
  EXPECT_EQ(limiter.Reserve("k", limit, later), later + seconds(1));
  // Half an interval after that: the token is not there yet.
  EXPECT_EQ(limiter.Reserve("k", limit, later + milliseconds(1500)), later + seconds(2));
}

TEST(RateLimiter, SustainedRateNeverExceedsTheLimit) {
  // Whatever the arrival pattern, starts within any window of W seconds number at most
  // burst + rate * W.
  RateLimiter limiter;
  const RateLimit limit{5, 5};
  std::vector<TimePoint> starts;
  TimePoint now = kT0;
  for (int i = 0; i < 200; ++i) {
    now += milliseconds((i * 37) % 120);  // bursty arrivals, faster than 5/s on average
    starts.push_back(limiter.Reserve("k", limit, now));
    EXPECT_GE(starts.back(), now);
  }
  for (size_t i = 0; i < starts.size(); ++i) {
    size_t in_window = 0;
    for (size_t j = i; j < starts.size() && starts[j] < starts[i] + seconds(1); ++j) ++in_window;
    EXPECT_LE(in_window, 5u + 5u) << i;
  }
  for (size_t i = 1; i < starts.size(); ++i) EXPECT_GE(starts[i], starts[i - 1]);
}

TEST(RateLimiter, KeysAreIndependent) {
  RateLimiter limiter;
  const RateLimit limit{1, 1};
  EXPECT_EQ(limiter.Reserve("ozon/a", limit, kT0), kT0);
  EXPECT_EQ(limiter.Reserve("ozon/a", limit, kT0), kT0 + seconds(1));
  EXPECT_EQ(limiter.Reserve("ozon/b", limit, kT0), kT0);
  EXPECT_EQ(limiter.Reserve("shopee/a", limit, kT0), kT0);
}

TEST(RateLimiter, FractionalRates) {
  RateLimiter limiter;
  const RateLimit per_minute{500.0 / 60, 1};  // Mercado Libre: 500 per minute
  EXPECT_EQ(limiter.Reserve("k", per_minute, kT0), kT0);
  EXPECT_EQ(limiter.Reserve("k", per_minute, kT0), kT0 + milliseconds(120));
  const RateLimit slow{0.5, 1};  // one per 2 s
  EXPECT_EQ(limiter.Reserve("s", slow, kT0), kT0);
  EXPECT_EQ(limiter.Reserve("s", slow, kT0), kT0 + seconds(2));
}

TEST(RateLimiter, EvictsTheLeastRecentlyUsedKey) {
  RateLimiter limiter(2);
  const RateLimit limit{1, 1};
  limiter.Reserve("a", limit, kT0);
  limiter.Reserve("b", limit, kT0);
  limiter.Reserve("a", limit, kT0 + seconds(5));  // "a" used last; "b" idle since kT0
  limiter.Reserve("c", limit, kT0 + seconds(5));  // evicts "b", which was idle: harmless
  auto stats = limiter.Stats();
  EXPECT_EQ(stats.keys, 2u);
  EXPECT_EQ(stats.evicted_idle, 1u);
  EXPECT_EQ(stats.evicted_busy, 0u);
  // "a" kept its state: its next token is a second away.
  EXPECT_EQ(limiter.Reserve("a", limit, kT0 + seconds(5)), kT0 + seconds(6));
  // A new key now evicts "c", still draining: counted as busy.
  limiter.Reserve("d", limit, kT0 + seconds(5));
  stats = limiter.Stats();
  EXPECT_EQ(stats.keys, 2u);
  EXPECT_EQ(stats.evicted_busy, 1u);
  // The evicted key starts afresh.
  EXPECT_EQ(limiter.Reserve("c", limit, kT0 + seconds(5)), kT0 + seconds(5));
}

TEST(RateLimiter, ConcurrentReservationsHandOutDistinctSlots) {
  RateLimiter limiter;
  const RateLimit limit{10, 1};  // one per 100 ms
  constexpr int kThreads = 4, kEach = 50;
  std::vector<std::vector<TimePoint>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) got[t].push_back(limiter.Reserve("k", limit, kT0));
    });
  }
  for (auto& t : threads) t.join();
  std::vector<TimePoint> all;
  for (const auto& g : got) all.insert(all.end(), g.begin(), g.end());
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], kT0 + milliseconds(100) * i) << i;
}

}  // namespace
}  // namespace csgw::gateway::outbound
