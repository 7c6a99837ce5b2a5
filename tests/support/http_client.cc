#include <utility>

#include "tests/support/http_client.h"

#include <sys/socket.h>
#include <sys/time.h>

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

class HttpConnection::Impl {
 public:
  Impl(uint16_t port, std::chrono::milliseconds timeout) : socket_(io_) {
    beast::error_code ec;
    socket_.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) return;
    // Blocking calls honour SO_RCVTIMEO / SO_SNDTIMEO: every test call is bounded in time.
    timeval tv{};
    tv.tv_sec = timeout.count() / 1000;
    tv.tv_usec = (timeout.count() % 1000) * 1000;
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    connected_ = true;
  }

  bool connected() const { return connected_; }

  bool WriteRaw(const std::string& bytes) {
    beast::error_code ec;
    asio::write(socket_, asio::buffer(bytes), ec);
    return !ec;
  }

  HttpReply ReadReply() {
    HttpReply reply;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 << 20);
    beast::error_code ec;
    bhttp::read(socket_, buffer_, parser, ec);
    if (ec) return reply;
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
    beast::error_code ec;
    bhttp::write(socket_, req, ec);
    if (ec) return HttpReply{};
    return ReadReply();
  }

  bool WaitForClose() {
    char c;
    beast::error_code ec;
    socket_.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  beast::flat_buffer buffer_;
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
