// Helpers shared by the schedule tests.
#pragma once

#include <cstdlib>
#include <string>

#include "base/clock.h"
#include "base/timestamp.h"

namespace csgw::gateway::schedule::testing {

// An instant from an ISO 8601 string with an explicit offset or 'Z'; aborts on a typo.
inline TimePoint At(const char* iso) {
  auto t = ParseIsoDateTime(iso);
  if (!t) std::abort();
  return *t;
}

// UTC text of an instant, for readable assertions: "2024-03-31T07:00:00.000Z".
inline std::string Utc(TimePoint t) { return FormatIsoMillis(t); }

}  // namespace csgw::gateway::schedule::testing
