// Splitting a request target into path and query. (Boost 1.74 predates Boost.URL.)
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace csgw::http {

// Decodes %XX escapes; in query components also '+' as space. nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

struct Target {
  std::string path;
  std::map<std::string, std::string, std::less<>> query;  // first occurrence wins
};

// nullopt when the target is not origin-form ("/...") or has a malformed escape.
std::optional<Target> ParseTarget(std::string_view target);

}  // namespace csgw::http
