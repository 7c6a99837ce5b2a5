// Test support: a blocking HTTP/1.1 client over loopback with timeouts, for tests that talk to
// the real server. Not for production use (no TLS, no redirects).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace csgw::testing {

struct HttpReply {
  int status = 0;  // 0: no reply (connection failed, closed or timed out)
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
  bool keep_alive = false;
};

// One keep-alive connection to 127.0.0.1:port. Every operation is bounded by `timeout`.
class HttpConnection {
 public:
  explicit HttpConnection(uint16_t port,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpConnection();
  bool connected() const;

  HttpReply Send(const std::string& method, const std::string& target, const std::string& body = "",
                 const std::map<std::string, std::string>& headers = {});
  // Raw bytes out, for malformed and pipelined requests.
  bool WriteRaw(const std::string& bytes);
  // Reads one response (as sent after WriteRaw).
  HttpReply ReadReply();
  // True when the server closed the connection (EOF) within the timeout.
  bool WaitForClose();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// A one-off request on a fresh connection.
HttpReply HttpCall(uint16_t port, const std::string& method, const std::string& target,
                   const std::string& body = "",
                   const std::map<std::string, std::string>& headers = {});

}  // namespace csgw::testing
