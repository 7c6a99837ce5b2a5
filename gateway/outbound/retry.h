// Whether and when to try a send again, from the outcome of one attempt. Pure: the time and the
// random draw are arguments, so the outbox, the connectors and the tests all get the same answer.
//
// Retryable: transport failures and timeouts, 5xx, 429 and 408. Never any other 4xx (the request
// itself is wrong; sending it again gives the same answer), nor 1xx-3xx, nor a response that was
// over the size cap. A Retry-After header (seconds or an HTTP-date) on a retryable answer sets
// the delay, capped at max_delay; otherwise the delay is exponential backoff with jitter.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/outbound/request.h"

namespace csgw::gateway::outbound {

enum class Jitter {
  // A uniform draw in [0, min(max_delay, initial * 2^(attempt-1))]: spreads a crowd of senders
  // the most (AWS's "full jitter").
  kFull,
  // A uniform draw in [initial, min(max_delay, previous_delay * 3)]: never shorter than initial
  // ("decorrelated jitter").
  kDecorrelated,
};

struct RetryPolicy {
  // First backoff and the scale of the next ones. Default: 2 s.
  std::chrono::milliseconds initial{2'000};
  // Cap on one delay, Retry-After included. Default: 5 min.
  std::chrono::milliseconds max_delay{300'000};
  // Attempts in all, the first one included; no retry after the last. Default: 12.
  int max_attempts = 12;
  // No retry that would start later than this after the first attempt. Default: 24 h.
  std::chrono::milliseconds max_age{std::chrono::hours(24)};
  // Default: kFull.
  Jitter jitter = Jitter::kFull;
};

// A uniform integer in [lo, hi] (lo <= hi). Injected so that tests can pin the draw.
using UniformRandom = std::function<int64_t(int64_t lo, int64_t hi)>;

// A UniformRandom over a Mersenne twister seeded from `seed`. Not thread-safe: one per thread.
UniformRandom MakeUniformRandom(uint64_t seed);

// Where the send stands after the attempt that just ended.
struct AttemptInfo {
  int attempt = 1;                              // 1-based number of the attempt that ended
  std::chrono::milliseconds age{0};             // from the first attempt's start to now
  std::chrono::milliseconds previous_delay{0};  // the last delay chosen (0 before any retry)
  TimePoint now{};                              // wall clock: reads a Retry-After date
};

struct RetryDecision {
  bool retry = false;
  std::chrono::milliseconds delay{0};  // when retry: wait this long from now
  // A stable word for logs and metrics: "delivered", "server_error", "rate_limited",
  // "request_timeout", "transport_error", "client_error", "unexpected_status",
  // "not_retryable_error", "attempts_exhausted", "max_age_reached".
  std::string_view reason;
};

// `result` is what the attempt got: a response (any status) or the client's error.
RetryDecision DecideRetry(const RetryPolicy& policy, const Result<HttpResponse>& result,
                          const AttemptInfo& attempt, const UniformRandom& random);

// The wait a Retry-After value asks for: delta-seconds ("120") or an HTTP-date (IMF-fixdate,
// RFC 850 or asctime, per RFC 9110), measured from `now` (a date in the past means zero).
// nullopt for anything else.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, TimePoint now);

}  // namespace csgw::gateway::outbound
