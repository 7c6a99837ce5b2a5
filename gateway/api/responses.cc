#include "gateway/api/responses.h"

#include "base/log.h"

namespace csgw::gateway {

http::Response ErrorResponse(const Error& error) {
  std::string body = "{\"error\":\"";
  body += PublicCode(error.code);
  body += "\",\"message\":\"";
  log::AppendJsonEscaped(body, error.message);
  body += "\"}";
  http::Response response{HttpStatus(error.code), "application/json", std::move(body), {}};
  // RFC 6750 §3: a 401 names the scheme it wants. Every unauthenticated answer of the gateway
  // (the agents' API and POST /v1/events alike) is a bearer-token one; marketplace signatures
  // answer kBadSignature, which has no challenge to offer.
  if (error.code == Errc::kUnauthenticated)
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

http::Response NotFound(std::string_view what, std::string_view id) {
  return ErrorResponse(
      MakeError(Errc::kNotFound, "no " + std::string(what) + " " + std::string(id)));
}

http::Response JsonResponse(int status, std::string body) {
  return http::Response{status, "application/json", std::move(body), {}};
}

}  // namespace csgw::gateway
