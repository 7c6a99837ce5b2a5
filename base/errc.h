// The one error vocabulary of the request path, and its one mapping to HTTP.
#pragma once

#include <string>
#include <string_view>

namespace csgw {

// Request-path failures. When adding an enumerator, add its row to the table in errc.cc: the
// test there fails for an enumerator without one.
enum class Errc {
  kBadRequest,            // not a valid HTTP request
  kMalformedJson,         // the body is not valid JSON
  kMissingField,          // a required field is absent or empty
  kInvalidField,          // a field is present but has the wrong type or value
  kBadSignature,          // signature missing or wrong
  kStaleRequest,          // signed timestamp outside the accepted window
  kUnauthenticated,       // no or unknown bearer token
  kForbidden,             // authenticated but not allowed
  kNotFound,              // no such route or resource
  kUnknownMarketplace,    // /v1/webhooks/{id} names no enabled marketplace
  kMethodNotAllowed,      // the route exists, not with this method
  kPayloadTooLarge,       // body over the size cap
  kHeadersTooLarge,       // request head over the size cap
  kUnsupportedMediaType,  // body is not JSON where JSON is required
  kRequestTimeout,        // the client was too slow to send the request
  kOverloaded,            // too much queued work: retry later
  kNotReady,              // store or config not ready yet, or shutting down
  kStorageFailure,        // the store failed to read or write
  kInternal,              // a bug: never expected
  kUpstreamUnavailable,   // an outbound call failed: DNS, refused, TLS, reset (retryable)
  kUpstreamTimeout,       // an outbound call got no complete answer in time (retryable)
  kConflict,              // the resource is not in a state that allows this (retry a sent message)
  kCount                  // not an error: the number of enumerators
};

// A request-path error: a code from the table and a message that is safe to return to the caller
// and to log. It names fields and ids, never buyer text or secrets.
struct Error {
  Errc code = Errc::kInternal;
  std::string message;
};

Error MakeError(Errc code, std::string message);

// The HTTP status for a code, e.g. 401 for kBadSignature.
int HttpStatus(Errc code);

// The stable public code for a code, e.g. "bad_signature". Part of the API: never rename one.
std::string_view PublicCode(Errc code);

}  // namespace csgw
