// How long a failing poller waits before its next attempt: exponential with full jitter,
// capped, and never shorter than what the marketplace asked for (Retry-After).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace csgw::gateway::connectors {

struct BackoffPolicy {
  // The ceiling of the first retry's delay; it doubles per consecutive failure.
  std::chrono::milliseconds initial{1'000};
  // No delay exceeds this (but a longer Retry-After is honoured).
  std::chrono::milliseconds max{300'000};
};

// The delay after the `failures`-th consecutive failure (1 for the first): uniform in
// [0, min(max, initial * 2^(failures-1))] drawn from `random` (full jitter spreads the retries
// of many accounts that failed together), then raised to `retry_after` when that is longer.
std::chrono::milliseconds BackoffDelay(int failures, const BackoffPolicy& policy, uint64_t random,
                                       std::optional<std::chrono::seconds> retry_after = {});

}  // namespace csgw::gateway::connectors
