// The contract between the HTTP layer and one marketplace's push dialect.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "proto/proto.h"

namespace csgw::gateway {

// A webhook request as the HTTP layer received it, with no transport types.
struct InboundRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string, e.g. "/v1/webhooks/ozon"
  // Query parameters, percent-decoded; the first occurrence of a name wins.
  std::map<std::string, std::string, std::less<>> query;
  // Header names lower-cased; repeated headers joined with ", ".
  std::map<std::string, std::string, std::less<>> headers;
  // The body bytes exactly as received: signatures are computed over these.
  std::string body;
  std::string remote_address;

  // nullptr when absent.
  const std::string* Header(std::string_view lower_name) const;
  const std::string* Query(std::string_view name) const;
};

// What the gateway answers once the request's events are durable.
struct AdapterReply {
  int status = 200;
  std::string content_type;  // empty: no Content-Type header
  std::string body;
};

// The result of normalising one verified request.
struct Intake {
  // Events to store (deduplicated) before `reply` is sent. May be empty: a handshake, or a
  // notification type the gateway acknowledges but does not use (see `ignored`).
  std::vector<proto::Event> events;
  AdapterReply reply;
  // Non-empty when the request was acknowledged without storing anything: names the type that
  // is not used (e.g. "TYPE_CREATE_OR_UPDATE_ITEM"), for metrics and logs.
  std::string ignored;
};

// One marketplace's push dialect: authenticity and translation, nothing else.
//
// Adapters are pure: no I/O, keys and clock injected at construction. All methods are const and
// an adapter is safe to share between threads once built.
class MarketplaceAdapter {
 public:
  virtual ~MarketplaceAdapter() = default;

  // The marketplace id: URL segment (/v1/webhooks/<id>), config key and file name.
  virtual std::string_view Id() const = 0;

  // Checks the request's authenticity over the raw bytes, before anything parses the body.
  // Marketplaces without a signature scheme return success. Errors: kBadSignature,
  // kStaleRequest, kMethodNotAllowed.
  virtual Result<void> Verify(const InboundRequest& request) const = 0;

  // Translates a verified request into normalised events and the reply to send once they are
  // stored. Errors: kMalformedJson, kMissingField, kInvalidField (message names the field).
  virtual Result<Intake> Normalize(const InboundRequest& request) const = 0;
};

}  // namespace csgw::gateway
