// Plain HTTP request/response values exchanged between the server and its handler. No Beast
// types: the server converts at the edge.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/errc.h"

namespace csgw::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded path, no query
  // Percent-decoded query parameters; the first occurrence of a name wins.
  std::map<std::string, std::string, std::less<>> query;
  // Lower-cased names; repeated headers joined with ", ".
  std::map<std::string, std::string, std::less<>> headers;
  std::string body;
  std::string remote_address;
  std::string request_id;  // assigned by the server, echoed as X-Request-Id
};

struct Response {
  int status = 200;
  std::string content_type;  // empty: none
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Completes a request. Call exactly once, from any thread.
using Responder = std::function<void(Response)>;

// What the server serves. Implementations are thread-safe: Handle runs on I/O threads.
class Handler {
 public:
  virtual ~Handler() = default;
  // Must eventually call `respond` exactly once (possibly on another thread, e.g. after a
  // durable write). Must not block.
  virtual void Handle(Request request, Responder respond) = 0;
  // The response for a request the server refused before it reached Handle (over a size cap,
  // unparseable, too slow): keeps the error format in one place. `route` is "-" when unknown.
  virtual Response Reject(Errc code, std::string message, const Request& partial) = 0;
};

}  // namespace csgw::http
