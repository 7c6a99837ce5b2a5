#include "gateway/outbound/retry.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace csgw::gateway::outbound {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kNow = TimePoint(std::chrono::sys_days(
                           std::chrono::year(1994) / std::chrono::November / std::chrono::day(6))) +
                       hours(8) + std::chrono::minutes(49);  // Sun, 06 Nov 1994 08:49:00 GMT

Result<HttpResponse> Status(int status, std::string retry_after = "") {
  HttpResponse r;
  r.status = status;
  if (!retry_after.empty()) r.headers.emplace_back("retry-after", std::move(retry_after));
  return r;
}

Result<HttpResponse> Failed(Errc code) { return MakeError(code, "test"); }

// The top of the allowed range: makes jittered delays predictable.
int64_t Highest(int64_t, int64_t hi) { return hi; }
int64_t Lowest(int64_t lo, int64_t) { return lo; }

TEST(DecideRetry, ClassifiesOutcomes) {
  struct Case {
    Result<HttpResponse> result;
    bool retry;
    std::string_view reason;
  };
  const std::vector<Case> cases = {
      {Status(200), false, "delivered"},
      {Status(201), false, "delivered"},
      {Status(204), false, "delivered"},
      {Status(500), true, "server_error"},
      {Status(502), true, "server_error"},
      {Status(503), true, "server_error"},
      {Status(504), true, "server_error"},
      {Status(429), true, "rate_limited"},
      {Status(408), true, "request_timeout"},
      {Status(400), false, "client_error"},
      {Status(401), false, "client_error"},
      {Status(403), false, "client_error"},
      {Status(404), false, "client_error"},
      {Status(409), false, "client_error"},
      {Status(413), false, "client_error"},
      {Status(422), false, "client_error"},
      {Status(302), false, "unexpected_status"},
      {Status(101), false, "unexpected_status"},
      {Failed(Errc::kUpstreamUnavailable), true, "transport_error"},
      {Failed(Errc::kUpstreamTimeout), true, "transport_error"},
      {Failed(Errc::kOverloaded), true, "transport_error"},
      {Failed(Errc::kNotReady), true, "transport_error"},
      {Failed(Errc::kPayloadTooLarge), false, "not_retryable_error"},
      {Failed(Errc::kInvalidField), false, "not_retryable_error"},
      {Failed(Errc::kInternal), false, "not_retryable_error"},
  };
  for (const auto& c : cases) {
    const auto d = DecideRetry(RetryPolicy{}, c.result, AttemptInfo{1, {}, {}, kNow}, Highest);
    const std::string what = c.result ? std::to_string(c.result.value().status)
                                      : std::string(PublicCode(c.result.error().code));
    EXPECT_EQ(d.retry, c.retry) << what;
    EXPECT_EQ(d.reason, c.reason) << what;
    if (!d.retry) {
      EXPECT_EQ(d.delay, milliseconds(0)) << what;
    }
  }
}

TEST(DecideRetry, HonoursRetryAfterCapped) {
  RetryPolicy policy;
  policy.max_delay = seconds(60);
  struct Case {
    Result<HttpResponse> result;
    milliseconds delay;
  };
  const std::vector<Case> cases = {
      {Status(429, "3"), seconds(3)},
      {Status(429, "0"), seconds(0)},
      {Status(503, "30"), seconds(30)},
      {Status(429, "3600"), seconds(60)},                           // capped at max_delay
      {Status(503, "Sun, 06 Nov 1994 08:49:37 GMT"), seconds(37)},  // a date
      {Status(503, "Sun, 06 Nov 1994 08:00:00 GMT"), seconds(0)},   // a date in the past
      {Status(429, "soon"), seconds(2)},  // unreadable: backoff (attempt 1: initial at most)
      {Status(500, "5"), seconds(5)},     // on any retryable status
  };
  for (const auto& c : cases) {
    const auto d = DecideRetry(policy, c.result, AttemptInfo{1, {}, {}, kNow}, Highest);
    EXPECT_TRUE(d.retry) << c.result.value().Header("retry-after");
    EXPECT_EQ(d.delay, c.delay) << c.result.value().Header("retry-after");
  }
}

TEST(DecideRetry, FullJitterCeilingDoublesUpToTheCap) {
  RetryPolicy policy;
  policy.initial = seconds(2);
  policy.max_delay = seconds(300);
  policy.max_attempts = 1000;
  policy.max_age = hours(1000);
  const std::vector<std::pair<int, milliseconds>> ceilings = {
      {1, seconds(2)},   {2, seconds(4)},   {3, seconds(8)},    {4, seconds(16)},
      {8, seconds(256)}, {9, seconds(300)}, {10, seconds(300)}, {500, seconds(300)},
  };
  for (const auto& [attempt, ceiling] : ceilings) {
    std::vector<std::pair<int64_t, int64_t>> draws;
    const auto d = DecideRetry(policy, Status(503), AttemptInfo{attempt, {}, {}, kNow},
                               [&](int64_t lo, int64_t hi) {
                                 draws.emplace_back(lo, hi);
                                 return hi;
                               });
    ASSERT_TRUE(d.retry) << attempt;
    EXPECT_EQ(d.delay, ceiling) << attempt;
    ASSERT_EQ(draws.size(), 1u);
    EXPECT_EQ(draws[0].first, 0) << attempt;  // full jitter may draw zero
    EXPECT_EQ(DecideRetry(policy, Status(503), AttemptInfo{attempt, {}, {}, kNow}, Lowest).delay,
              milliseconds(0));
  }
}

TEST(DecideRetry, DecorrelatedJitterGrowsFromThePreviousDelay) {
  RetryPolicy policy;
  policy.initial = seconds(2);
  policy.max_delay = seconds(300);
  policy.jitter = Jitter::kDecorrelated;
  struct Case {
    milliseconds previous;
    milliseconds lo;
    milliseconds hi;
  };
  const std::vector<Case> cases = {
      {seconds(0), seconds(2), seconds(6)},
      {seconds(1), seconds(2), seconds(6)},  // never below initial
      {seconds(10), seconds(2), seconds(30)},
      {seconds(99), seconds(2), seconds(297)},
      {seconds(200), seconds(2), seconds(300)},  // capped
  };
  for (const auto& c : cases) {
    const AttemptInfo attempt{2, {}, c.previous, kNow};
    EXPECT_EQ(DecideRetry(policy, Status(500), attempt, Lowest).delay, c.lo) << c.previous.count();
    EXPECT_EQ(DecideRetry(policy, Status(500), attempt, Highest).delay, c.hi) << c.previous.count();
  }
}

TEST(DecideRetry, StopsAfterMaxAttempts) {
  RetryPolicy policy;
  policy.max_attempts = 3;
  const auto second = DecideRetry(policy, Status(503), AttemptInfo{2, {}, {}, kNow}, Highest);
  EXPECT_TRUE(second.retry);
  const auto third = DecideRetry(policy, Status(503), AttemptInfo{3, {}, {}, kNow}, Highest);
  EXPECT_FALSE(third.retry);
  EXPECT_EQ(third.reason, "attempts_exhausted");
  // A success on the last attempt is still a success.
  EXPECT_EQ(DecideRetry(policy, Status(200), AttemptInfo{3, {}, {}, kNow}, Highest).reason,
            "delivered");
  // A client error is final whatever the count.
  EXPECT_EQ(DecideRetry(policy, Status(400), AttemptInfo{3, {}, {}, kNow}, Highest).reason,
            "client_error");
}

TEST(DecideRetry, StopsWhenTheNextAttemptWouldStartPastMaxAge) {
  RetryPolicy policy;
  policy.initial = seconds(10);
  policy.max_age = seconds(100);
  // Attempt 1: the delay is 10 s at most.
  EXPECT_TRUE(
      DecideRetry(policy, Status(503), AttemptInfo{1, seconds(90), {}, kNow}, Highest).retry);
  const auto late =
      DecideRetry(policy, Status(503), AttemptInfo{1, seconds(91), {}, kNow}, Highest);
  EXPECT_FALSE(late.retry);
  EXPECT_EQ(late.reason, "max_age_reached");
  // A Retry-After that reaches past max_age ends it too.
  EXPECT_EQ(
      DecideRetry(policy, Status(429, "60"), AttemptInfo{1, seconds(50), {}, kNow}, Highest).reason,
      "max_age_reached");
}

TEST(ParseRetryAfter, ReadsSecondsAndTheThreeDateFormats) {
  struct Case {
    const char* value;
    std::optional<milliseconds> wait;
  };
  const std::vector<Case> cases = {
      {"120", seconds(120)},
      {" 5 ", seconds(5)},
      {"0", seconds(0)},
      {"99999999999999999999999", seconds(365LL * 24 * 3600)},  // clamped, no overflow
      {"Sun, 06 Nov 1994 08:49:37 GMT", seconds(37)},           // IMF-fixdate
      {"Sunday, 06-Nov-94 08:49:37 GMT", seconds(37)},          // RFC 850
      {"Sun Nov  6 08:49:37 1994", seconds(37)},                // asctime
      {"Mon, 07 Nov 1994 08:49:00 GMT", hours(24)},
      {"Sat, 05 Nov 1994 08:49:00 GMT", seconds(0)},  // past
      {"", std::nullopt},
      {"-1", std::nullopt},
      {"1.5", std::nullopt},
      {"soon", std::nullopt},
      {"Sun, 06 Nov 1994 08:49:37 UTC", std::nullopt},
      {"Sun, 06 Foo 1994 08:49:37 GMT", std::nullopt},
      {"Sun, 06 Nov 1994 24:00:00 GMT", std::nullopt},
      {"Thu, 31 Feb 1994 08:49:37 GMT", std::nullopt},
      {"Sun, 6 Nov 1994 08:49:37 GMT", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ParseRetryAfter(c.value, kNow), c.wait) << c.value;
  }
}

TEST(ParseRetryAfter, TwoDigitYearsAreTheRecentPast) {
  // From 2030, "94" is 1994 (2094 is more than 50 years ahead), "30" is 2030 and "40" is 2040.
  const TimePoint now2030 = TimePoint(std::chrono::sys_days(std::chrono::year(2030) / 1 / 1));
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now2030), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("Monday, 01-Jul-30 00:00:00 GMT", now2030), hours(24 * 181));
  // Ten years ahead, clamped to a year (max_delay caps it far lower anyway).
  EXPECT_EQ(ParseRetryAfter("Sunday, 01-Jan-40 00:00:00 GMT", now2030), hours(24 * 365));
}

TEST(MakeUniformRandom, StaysInRangeAndRepeatsForASeed) {
  auto a = MakeUniformRandom(42);
  auto b = MakeUniformRandom(42);
  bool saw_lo = false, saw_hi = false;
  for (int i = 0; i < 1000; ++i) {
    const int64_t x = a(3, 7);
    EXPECT_EQ(x, b(3, 7));
    EXPECT_GE(x, 3);
    EXPECT_LE(x, 7);
    saw_lo |= x == 3;
    saw_hi |= x == 7;
  }
  EXPECT_TRUE(saw_lo && saw_hi);
  EXPECT_EQ(a(5, 5), 5);
}

}  // namespace
}  // namespace csgw::gateway::outbound
