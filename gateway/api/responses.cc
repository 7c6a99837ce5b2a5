#include "gateway/api/responses.h"

#include "base/log.h"

namespace csgw::gateway {

http::Response ErrorResponse(const Error& error) {
  std::string body = "{\"error\":\"";
  body += PublicCode(error.code);
  body += "\",\"message\":\"";
  log::AppendJsonEscaped(body, error.message);
  body += "\"}";
  return http::Response{HttpStatus(error.code), "application/json", std::move(body), {}};
}

http::Response JsonResponse(int status, std::string body) {
  return http::Response{status, "application/json", std::move(body), {}};
}

}  // namespace csgw::gateway
