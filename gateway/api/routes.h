// The authenticated JSON API's route table: path templates with {params}, the access each route
// needs, and one place that answers 401 / 403 / 404 / 405 the same way for every route.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/api/auth.h"
#include "gateway/http/types.h"

namespace csgw::gateway {

// What a route needs of its caller.
enum class Access {
  kRead,   // any authenticated user (store visibility is the handler's check: Principal::MaySee)
  kAct,    // agents and admins: sends, approvals, proposals, retries
  kAdmin,  // admins only
};

struct ApiCall {
  http::Request request;
  const Principal* principal = nullptr;  // never null in a handler
  // The {param} segments of the route template, percent-decoded, in template order. A segment
  // may hold an encoded '/' (%2F): conversation ids contain slashes.
  std::vector<std::string> params;
};

// Must call `respond` exactly once, possibly later on another thread; must not block long.
using ApiHandler = std::function<void(ApiCall call, http::Responder respond)>;

// Thread-safe once built (Add before serving).
class ApiRoutes {
 public:
  // `users` may be null or empty: then every API route answers 401 (no user can exist), which
  // keeps an unconfigured gateway closed rather than open.
  explicit ApiRoutes(const ApiUsers* users) : users_(users) {}

  // `pattern`: "/v1/conversations/{id}/replies". Literal segments match exactly; "{name}"
  // matches one non-empty segment.
  void Add(std::string_view method, std::string_view pattern, Access access, ApiHandler handler);

  // The template of the route whose pattern matches the request's path (any method), for
  // metric labels; nullopt when none does.
  std::optional<std::string> RouteOf(const http::Request& request) const;

  // Answers the request if some route's pattern matches its path and returns true; returns
  // false (and leaves both arguments untouched) otherwise. 401 without a valid token, 405 for a
  // method the path does not have, 403 when the role lacks the access.
  bool Dispatch(http::Request& request, http::Responder& respond) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{}" for a parameter
    Access access;
    ApiHandler handler;
  };
  // The raw path's segments, each percent-decoded; nullopt for a malformed escape.
  static std::optional<std::vector<std::string>> Segments(std::string_view target);
  static bool Matches(const Route& route, const std::vector<std::string>& segments,
                      std::vector<std::string>* params);

  const ApiUsers* users_;
  std::vector<Route> routes_;
};

// The page size a list request asks for (?limit=), within [1, max]; default min(50, max).
Result<size_t> PageLimit(const http::Request& request, size_t max);

}  // namespace csgw::gateway
