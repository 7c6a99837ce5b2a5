// Plain values of one outbound HTTP exchange: what a marketplace send builder produces and the
// libcurl client performs. No libcurl types, so the pure builders in gateway/marketplaces can use
// them.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace csgw::gateway::outbound {

struct HttpRequest {
  std::string method = "POST";  // "GET", "POST", "PUT", "PATCH", "DELETE"
  std::string url;              // absolute: scheme, host, path and query, already encoded
  // Sent in this order; names as the marketplace documents them.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The whole exchange, connect included. Zero: the client's default.
  std::chrono::milliseconds timeout{0};
};

struct HttpResponse {
  int status = 0;
  // Lower-cased names, in the order received.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header named `name` (lower case), or empty.
  std::string_view Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return {};
  }
};

}  // namespace csgw::gateway::outbound
