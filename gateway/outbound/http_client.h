// The outbound HTTP client: libcurl's multi interface on one thread of its own, fed by a bounded
// queue. The only libcurl user; no curl type appears here.
//
// Contract:
// - Send is thread-safe. A request it accepts gets `done` called exactly once, on the client
//   thread: with the response (any status; deciding about 4xx/5xx is the caller's) or with an
//   error. A request it refuses (queue full: kOverloaded; stopped: kNotReady) gets the error
//   returned from Send and `done` is never called, so a caller never runs its own callback under
//   its own lock.
// - `done` must not block (it runs on the thread that drives every transfer). It may call Send.
// - Errors: kUpstreamTimeout (the deadline passed), kUpstreamUnavailable (DNS, refused, TLS,
//   reset, garbage), kPayloadTooLarge (the answer is over the cap; the transfer is aborted),
//   kInvalidField (a malformed request: bad method or URL, a scheme other than http/https),
//   kNotReady (stopped before it completed).
// - Nothing is retried here and redirects are not followed: retries are the outbox's decision
//   (retry.h), a redirect on a send API is a configuration error to surface, not to chase.
// - Connections are reused: one multi handle keeps the connection and DNS caches for all
//   transfers, with at most max_connections_per_host to one host.
// - Proxies come only from the options, never from the environment (http_proxy and friends).
// - The first Create sets SIGPIPE to ignored if it is at its default (see http_client.cc).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "gateway/outbound/request.h"

namespace csgw::gateway::outbound {

struct HttpClientOptions {
  // Whole-exchange deadline of a request whose own timeout is zero. Default: 15 s.
  std::chrono::milliseconds default_timeout{15'000};
  // Deadline for the TCP and TLS handshakes (never longer than the request's). Default: 5 s.
  std::chrono::milliseconds connect_timeout{5'000};
  // Cap on a response body; a larger one aborts the transfer with kPayloadTooLarge.
  // Default: 1 MiB.
  size_t max_response_bytes = 1 << 20;
  // Cap on the response head (status line and headers). Default: 64 KiB.
  size_t max_response_header_bytes = 64 << 10;
  // Transfers running at once; further requests wait in the queue. Default: 64.
  uint32_t max_concurrent = 64;
  // Requests waiting beyond the running ones; more are refused with kOverloaded. Default: 10000.
  uint32_t max_queued = 10'000;
  // Open connections to one host (and port). Default: 8.
  uint32_t max_connections_per_host = 8;
  // Sent as User-Agent unless the request sets its own. Default: "csgw".
  std::string user_agent = "csgw";
  // A PEM file of CA certificates that replaces the system bundle (tests with their own CA).
  // Certificates and host names are always verified. Default: empty, the system bundle.
  std::string ca_file;
  // "http://host:port" of a forward proxy. Default: empty, direct connections.
  std::string proxy;
};

// Counters since Create. A snapshot; the fields are independent reads.
struct HttpClientStats {
  uint64_t accepted = 0;   // requests Send took
  uint64_t refused = 0;    // requests Send refused (queue full or stopped)
  uint64_t responses = 0;  // completed with a response, any status
  uint64_t errors = 0;     // completed with an error
  // New connections opened (TCP + TLS handshakes); far below `responses` when reuse works.
  uint64_t connections_opened = 0;
};

class HttpClient {
 public:
  using Callback = std::function<void(Result<HttpResponse>)>;

  // Starts the client thread. Errors: kInvalidField for unusable options (zero caps, a CA file
  // that cannot be read), kInternal when libcurl cannot be set up.
  static Result<std::unique_ptr<HttpClient>> Create(const HttpClientOptions& options);

  // Stops (see Stop) and frees everything. Must not run on the client thread.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Queues `request`; see the contract above. Thread-safe.
  [[nodiscard]] Result<void> Send(HttpRequest request, Callback done);

  // Sends and waits for the outcome: for the CLI and connectors. Must not run on the client
  // thread (from inside a callback), which would wait for itself: that aborts.
  Result<HttpResponse> SendSync(HttpRequest request);

  // Refuses new requests, completes every queued and running one with kNotReady (each exactly
  // once, on the client thread), and joins that thread. Idempotent; thread-safe; must not run on
  // the client thread.
  void Stop();

  HttpClientStats Stats() const;

 private:
  class Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace csgw::gateway::outbound
