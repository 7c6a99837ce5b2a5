// The HTTP/1.1 server: Boost.Beast with C++20 coroutines. The only Beast/Asio user.
//
// Limits at the edge: a cap on the request head and body, timeouts for the head, the body, idle
// keep-alive and writes, a cap on requests per connection (pipelined requests are read and
// answered strictly one after another, so a client cannot queue unbounded work), a cap on
// connections, and a deadline for the handler's answer.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "gateway/http/types.h"

namespace csgw::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see Server::port())
  size_t max_body_bytes = 1 << 20;
  uint32_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds write_timeout{10'000};
  // A handler that has not answered by then gets a 503 sent for it; its late answer is dropped.
  std::chrono::milliseconds handler_timeout{5'000};
  uint32_t max_requests_per_connection = 10'000;
  uint32_t max_connections = 10'000;
  uint32_t io_threads = 1;
};

class Server {
 public:
  Server(ServerOptions options, Handler& handler);
  ~Server();

  // Binds and listens. Errors name the address and the reason.
  Result<void> Listen();
  // The bound port (useful with port 0). Valid after Listen.
  uint16_t port() const;
  // Serves on io_threads threads (the caller's included) until Stop. Call after Listen.
  void Run();
  // Stops accepting, closes connections, makes Run return. Thread-safe, idempotent.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace csgw::http
