#include "base/errc.h"

#include <array>
#include <cstdlib>
#include <utility>

namespace csgw {
namespace {

struct Row {
  Errc code;
  int http_status;
  std::string_view public_code;
};

// The one table. Rows are in enumerator order, so lookup is an index (checked by a test).
constexpr std::array<Row, static_cast<size_t>(Errc::kCount)> kTable{{
    {Errc::kBadRequest, 400, "bad_request"},
    {Errc::kMalformedJson, 400, "malformed_json"},
    {Errc::kMissingField, 400, "missing_field"},
    {Errc::kInvalidField, 400, "invalid_field"},
    {Errc::kBadSignature, 401, "bad_signature"},
    {Errc::kStaleRequest, 401, "stale_request"},
    {Errc::kUnauthenticated, 401, "unauthenticated"},
    {Errc::kForbidden, 403, "forbidden"},
    {Errc::kNotFound, 404, "not_found"},
    {Errc::kUnknownMarketplace, 404, "unknown_marketplace"},
    {Errc::kMethodNotAllowed, 405, "method_not_allowed"},
    {Errc::kPayloadTooLarge, 413, "payload_too_large"},
    {Errc::kHeadersTooLarge, 431, "headers_too_large"},
    {Errc::kUnsupportedMediaType, 415, "unsupported_media_type"},
    {Errc::kRequestTimeout, 408, "request_timeout"},
    {Errc::kOverloaded, 503, "overloaded"},
    {Errc::kNotReady, 503, "not_ready"},
    {Errc::kStorageFailure, 503, "storage_failure"},
    {Errc::kInternal, 500, "internal"},
    {Errc::kUpstreamUnavailable, 502, "upstream_unavailable"},
    {Errc::kUpstreamTimeout, 504, "upstream_timeout"},
    {Errc::kConflict, 409, "conflict"},
}};

constexpr bool TableIsInEnumOrder() {
  for (size_t i = 0; i < kTable.size(); ++i) {
    if (static_cast<size_t>(kTable[i].code) != i) return false;
  }
  return true;
}
static_assert(TableIsInEnumOrder(), "errc.cc: kTable rows must follow the Errc order");

const Row& RowOf(Errc code) {
  const auto index = static_cast<size_t>(code);
  if (index >= kTable.size()) std::abort();  // kCount or a cast from garbage: a bug
  return kTable[index];
}

}  // namespace

Error MakeError(Errc code, std::string message) { return Error{code, std::move(message)}; }

int HttpStatus(Errc code) { return RowOf(code).http_status; }

std::string_view PublicCode(Errc code) { return RowOf(code).public_code; }

}  // namespace csgw
