// Test support: a mock marketplace API, a real HTTP server on loopback (the project's own
// gateway/http server on its own thread). It records every request it receives, answers the
// routes a test registers (anything else: 200 "{}"), and can be told to fail, hang or go down.
// Also serves the local demo (tests/mock_marketplace_main.cc).
//
// Thread-safe: every method may be called from any thread while requests arrive.
//
// Failure modes, and what a client sees:
// - FailWith: the chosen status (500, 503, 429 with Retry-After ...) for the next N matching
//   requests, or until ClearFailures.
// - Hang: requests are read and recorded but not answered until ClearHang, so the client's own
//   deadline fires. A hanging answer never delays shutdown: Stop abandons it. The server's
//   handler deadline (Options::hang_limit) answers 503 if the client waits longer than that.
// - SetDown(true): the listening socket is closed and open connections are dropped, so a client
//   gets "connection refused" (or a reset on a reused connection), as from a marketplace that is
//   down. SetDown(false) listens again on the same port. The server has no way to refuse a
//   connection it has accepted, so going down is stopping it: the realistic choice.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "base/result.h"
#include "gateway/http/server.h"
#include "gateway/http/types.h"

namespace csgw::testing {

struct RecordedRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::string path;    // percent-decoded, no query
  std::map<std::string, std::string, std::less<>> query;
  std::map<std::string, std::string, std::less<>> headers;  // lower-cased names
  std::string body;

  // The header `name` (lower case), or empty.
  std::string Header(const std::string& name) const;
};

// A path pattern matches a path segment by segment; a segment "{name}" matches any one non-empty
// segment: "/messages/packs/{pack}/sellers/{seller}".
bool PathMatches(std::string_view pattern, std::string_view path);

class MockMarketplace : public http::Handler {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 0;  // 0: any free port
    // Requests kept for inspection (the oldest are dropped beyond it; RequestCount still counts
    // them). Default: 100000.
    size_t max_recorded = 100'000;
    // A hanging request gets the server's 503 after this long. Default: 60 s.
    std::chrono::milliseconds hang_limit{60'000};
    // Request bodies over this are refused with 413. Default: 32 MiB (Wildberries files).
    size_t max_body_bytes = 32u << 20;
    // Logs each request's method, path and answer as a JSON line (never the body: buyer text).
    // Default: false.
    bool log_requests = false;
  };

  // Listens and starts serving. Errors: the address cannot be bound.
  static Result<std::unique_ptr<MockMarketplace>> Start(Options options);
  static Result<std::unique_ptr<MockMarketplace>> Start() { return Start(Options{}); }

  ~MockMarketplace() override;
  MockMarketplace(const MockMarketplace&) = delete;
  MockMarketplace& operator=(const MockMarketplace&) = delete;

  uint16_t port() const { return port_.load(); }
  // "http://127.0.0.1:<port>", to which a test appends the path.
  std::string BaseUrl() const;

  // Answers `method` requests whose path matches `path_pattern`. A later registration for the
  // same method and pattern replaces the earlier one.
  void Respond(const std::string& method, const std::string& path_pattern, int status,
               std::string body, std::vector<std::pair<std::string, std::string>> headers = {});

  // Answers `status` (body {"error":"mock_failure"}), with a Retry-After header when
  // `retry_after` is not empty ("2" or an HTTP-date), to the next `times` requests (-1: until
  // ClearFailures) whose path matches `path_pattern` (empty: any path). Failures registered
  // earlier are consumed first.
  void FailWith(int status, std::string retry_after = "", int times = -1,
                std::string path_pattern = "");
  void ClearFailures();

  // Stops answering (see above) until ClearHang, which answers the parked requests normally.
  void Hang();
  void ClearHang();

  // Goes down (closes the port) or comes back up on the same port. Errors: the port could not
  // be bound again (another socket took it meanwhile).
  Result<void> SetDown(bool down);

  std::vector<RecordedRequest> Requests() const;
  size_t RequestCount() const;  // all received since Start or ClearRequests
  void ClearRequests();
  // Waits until RequestCount() >= n; false if `deadline` passed first.
  bool WaitForRequests(size_t n, std::chrono::steady_clock::time_point deadline) const;

  // http::Handler
  void Handle(http::Request request, http::Responder respond) override;
  http::Response Reject(Errc code, std::string message, const http::Request& partial) override;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    http::Response response;
  };
  struct Failure {
    int status;
    std::string retry_after;
    int remaining;  // -1: until cleared
    std::string pattern;
  };
  struct Parked {
    std::string method;
    std::string path;
    http::Responder respond;
  };

  explicit MockMarketplace(Options options);
  Result<void> Listen();  // builds, binds and runs a server on port_ (0 at first)
  void Shutdown();        // stops and joins the server; parked requests are abandoned
  http::Response Routed(const std::string& method, const std::string& path) const;  // mu_ held

  Options options_;
  std::atomic<uint16_t> port_{0};  // fixed after the first Listen

  std::mutex server_mu_;  // serialises Listen / Shutdown
  std::unique_ptr<http::Server> server_;
  std::thread server_thread_;

  mutable std::mutex mu_;
  mutable std::condition_variable arrived_;
  std::deque<RecordedRequest> recorded_;  // the newest max_recorded
  size_t received_ = 0;
  std::vector<Route> routes_;
  std::vector<Failure> failures_;
  bool hang_ = false;
  std::vector<Parked> parked_;
};

// Registers answers shaped like each marketplace's send endpoint (marketplaces/README.md §2.4,
// 3.5, 4.6, 5.4, 6.4, 7.4, 8.4, 9.3): Ozon /v1/chat/send/message, Mercado Libre
// /messages/packs/{pack}/sellers/{seller} and claim send-message, Lazada /im/message/send, Shopee
// /api/v2/sellerchat/send_message, eBay send_message (commerce and post-order), Wildberries
// /api/v1/seller/message, AliExpress /sync and /router/rest, Amazon messaging.
void RespondLikeMarketplaces(MockMarketplace& mock);

}  // namespace csgw::testing
