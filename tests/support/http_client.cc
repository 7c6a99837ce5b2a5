// GCC 12 + Boost 1.74: asio/awaitable.hpp uses std::exchange without including <utility>,
// so <utility> must come before any Asio header.
// clang-format off
#include <utility>
// clang-format on

#include "tests/support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "base/strings.h"

namespace csgw::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// Every operation is asynchronous on a beast::tcp_stream with a deadline, run to completion on a
// private io_context: a server that never answers fails the call after `timeout` instead of
// hanging the test (blocking socket calls would ignore SO_RCVTIMEO under Asio).
class HttpConnection::Impl {
 public:
  Impl(uint16_t port, std::chrono::milliseconds timeout) : stream_(io_), timeout_(timeout) {
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    stream_.expires_after(timeout_);
    beast::error_code result;
    stream_.async_connect(endpoint, [&](beast::error_code ec) { result = ec; });
    RunToCompletion();
    connected_ = !result;
  }

  bool connected() const { return connected_; }

  bool WriteRaw(const std::string& bytes) {
    stream_.expires_after(timeout_);
    beast::error_code result;
    asio::async_write(stream_, asio::buffer(bytes),
                      [&](beast::error_code ec, size_t) { result = ec; });
    RunToCompletion();
    return !result;
  }

  HttpReply ReadReply() {
    HttpReply reply;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 << 20);
    stream_.expires_after(timeout_);
    beast::error_code result;
    bhttp::async_read(stream_, buffer_, parser, [&](beast::error_code ec, size_t) { result = ec; });
    RunToCompletion();
    if (result) return reply;
    const auto& res = parser.get();
    reply.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      const auto raw_name = field.name_string();
      std::string name = AsciiLower(std::string_view(raw_name.data(), raw_name.size()));
      reply.headers[name] = std::string(field.value());
    }
    reply.body = res.body();
    reply.keep_alive = res.keep_alive();
    return reply;
  }

  HttpReply Send(const std::string& method, const std::string& target, const std::string& body,
                 const std::map<std::string, std::string>& headers) {
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    req.prepare_payload();
    stream_.expires_after(timeout_);
    beast::error_code result;
    bhttp::async_write(stream_, req, [&](beast::error_code ec, size_t) { result = ec; });
    RunToCompletion();
    if (result) return HttpReply{};
    return ReadReply();
  }

  bool WaitForClose() {
    char c;
    stream_.expires_after(timeout_);
    beast::error_code result;
    stream_.async_read_some(asio::buffer(&c, 1),
                            [&](beast::error_code ec, size_t) { result = ec; });
    RunToCompletion();
    return result == asio::error::eof || result == asio::error::connection_reset;
  }

 private:
  // The stream's deadline guarantees the pending operation completes.
  void RunToCompletion() {
    io_.restart();
    io_.run();
  }

  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
  bool connected_ = false;
};

HttpConnection::HttpConnection(uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(port, timeout)) {}
HttpConnection::~HttpConnection() = default;
bool HttpConnection::connected() const { return impl_->connected(); }
HttpReply HttpConnection::Send(const std::string& method, const std::string& target,
                               const std::string& body,
                               const std::map<std::string, std::string>& headers) {
  return impl_->Send(method, target, body, headers);
}
bool HttpConnection::WriteRaw(const std::string& bytes) { return impl_->WriteRaw(bytes); }
HttpReply HttpConnection::ReadReply() { return impl_->ReadReply(); }
bool HttpConnection::WaitForClose() { return impl_->WaitForClose(); }

HttpReply HttpCall(uint16_t port, const std::string& method, const std::string& target,
                   const std::string& body, const std::map<std::string, std::string>& headers) {
  HttpConnection conn(port);
  if (!conn.connected()) return HttpReply{};
  return conn.Send(method, target, body, headers);
}

}  // namespace csgw::testing
