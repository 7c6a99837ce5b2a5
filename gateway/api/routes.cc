#include "gateway/api/routes.h"

#include <charconv>

#include "gateway/api/responses.h"
#include "gateway/http/url.h"

namespace csgw::gateway {
namespace {

constexpr std::string_view kParam = "{}";
// Longer paths are no route of ours; refusing them early bounds the work per request.
constexpr size_t kMaxSegments = 16;

bool Allowed(Access access, Role role) {
  switch (access) {
    case Access::kRead:
      return true;
    case Access::kAct:
      return role == Role::kAgent || role == Role::kAdmin;
    case Access::kAdmin:
      return role == Role::kAdmin;
  }
  return false;
}

std::vector<std::string> SplitPattern(std::string_view pattern) {
  std::vector<std::string> out;
  size_t start = 1;  // after the leading '/'
  while (start <= pattern.size()) {
    size_t end = pattern.find('/', start);
    if (end == std::string_view::npos) end = pattern.size();
    std::string_view segment = pattern.substr(start, end - start);
    if (segment.size() >= 2 && segment.front() == '{' && segment.back() == '}') segment = kParam;
    out.emplace_back(segment);
    start = end + 1;
  }
  return out;
}

}  // namespace

void ApiRoutes::Add(std::string_view method, std::string_view pattern, Access access,
                    ApiHandler handler) {
  routes_.push_back(
      {std::string(method), std::string(pattern), SplitPattern(pattern), access, std::move(handler)});
}

std::optional<std::vector<std::string>> ApiRoutes::Segments(std::string_view target) {
  const size_t query = target.find('?');
  const std::string_view path = target.substr(0, query);
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    if (out.size() == kMaxSegments) return std::nullopt;
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    auto decoded = http::PercentDecode(path.substr(start, end - start), /*plus_is_space=*/false);
    if (!decoded) return std::nullopt;
    out.push_back(std::move(*decoded));
    start = end + 1;
  }
  return out;
}

bool ApiRoutes::Matches(const Route& route, const std::vector<std::string>& segments,
                        std::vector<std::string>* params) {
  if (route.segments.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (route.segments[i] == kParam) {
      if (segments[i].empty()) return false;
    } else if (route.segments[i] != segments[i]) {
      return false;
    }
  }
  if (params != nullptr) {
    params->clear();
    for (size_t i = 0; i < segments.size(); ++i) {
      if (route.segments[i] == kParam) params->push_back(segments[i]);
    }
  }
  return true;
}

std::optional<std::string> ApiRoutes::RouteOf(const http::Request& request) const {
  const auto segments = Segments(request.target);
  if (!segments) return std::nullopt;
  for (const Route& route : routes_) {
    if (Matches(route, *segments, nullptr)) return route.pattern;
  }
  return std::nullopt;
}

bool ApiRoutes::Dispatch(http::Request& request, http::Responder& respond) const {
  const auto segments = Segments(request.target);
  if (!segments) return false;
  const Route* path_match = nullptr;
  const Route* match = nullptr;
  for (const Route& route : routes_) {
    if (!Matches(route, *segments, nullptr)) continue;
    if (path_match == nullptr) path_match = &route;
    if (route.method == request.method) {
      match = &route;
      break;
    }
  }
  if (path_match == nullptr) return false;

  // Authentication comes before the method check, so that an anonymous caller learns nothing
  // about which methods exist.
  const auto header = request.headers.find("authorization");
  auto principal = users_ == nullptr || header == request.headers.end()
                       ? Result<const Principal*>(MakeError(
                             Errc::kUnauthenticated, "Authorization: Bearer <token> is required"))
                       : users_->Authenticate(header->second);
  if (!principal) {
    respond(ErrorResponse(principal.error()));
    return true;
  }
  if (match == nullptr) {
    respond(ErrorResponse(MakeError(Errc::kMethodNotAllowed,
                                    request.method + " is not allowed on " + path_match->pattern)));
    return true;
  }
  if (!Allowed(match->access, principal.value()->role)) {
    respond(ErrorResponse(MakeError(
        Errc::kForbidden, "role " + std::string(RoleName(principal.value()->role)) +
                              " may not " + match->method + " " + match->pattern)));
    return true;
  }
  ApiCall call;
  Matches(*match, *segments, &call.params);
  call.principal = principal.value();
  call.request = std::move(request);
  match->handler(std::move(call), std::move(respond));
  return true;
}

Result<size_t> PageLimit(const http::Request& request, size_t max) {
  const auto it = request.query.find("limit");
  if (it == request.query.end()) return std::min<size_t>(50, max);
  size_t limit = 0;
  const std::string& text = it->second;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
  if (ec != std::errc() || p != text.data() + text.size() || limit == 0 || limit > max) {
    return MakeError(Errc::kInvalidField, "limit must be an integer in [1, " +
                                              std::to_string(max) + "]");
  }
  return limit;
}

}  // namespace csgw::gateway
