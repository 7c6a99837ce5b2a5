// GCC 12 + Boost 1.74: asio/awaitable.hpp uses std::exchange without including <utility>,
// so <utility> must come before any Asio header.
// clang-format off
#include <utility>
// clang-format on

#include "gateway/http/server.h"

#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "base/log.h"
#include "base/strings.h"
#include "gateway/http/url.h"

namespace csgw::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

// A prefix unique per process and a counter: request ids that are unique across restarts
// without a random draw per request.
class RequestIds {
 public:
  RequestIds() {
    std::random_device rd;
    const uint64_t r = (static_cast<uint64_t>(rd()) << 32) | rd();
    static constexpr char kDigits[] = "0123456789abcdef";
    for (int i = 0; i < 8; ++i) prefix_ += kDigits[(r >> (i * 4)) & 0xf];
    prefix_ += '-';
  }
  std::string Next() { return prefix_ + std::to_string(counter_.fetch_add(1) + 1); }

 private:
  std::string prefix_;
  std::atomic<uint64_t> counter_{0};
};

Request ToRequest(BeastRequest& req, std::string remote, std::string request_id) {
  Request out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  if (auto target = ParseTarget(out.target)) {
    out.path = std::move(target->path);
    out.query = std::move(target->query);
  }
  for (const auto& field : req) {
    const auto raw_name = field.name_string();
    std::string name = AsciiLower(std::string_view(raw_name.data(), raw_name.size()));
    auto [it, inserted] = out.headers.emplace(name, std::string(field.value()));
    if (!inserted) {
      it->second += ", ";
      it->second += std::string(field.value());
    }
  }
  out.body = std::move(req.body());
  out.remote_address = std::move(remote);
  out.request_id = std::move(request_id);
  return out;
}

BeastResponse ToBeast(Response response, unsigned version, bool keep_alive,
                      const std::string& request_id) {
  BeastResponse res{static_cast<bhttp::status>(response.status), version};
  res.set(bhttp::field::server, "csgw");
  if (!request_id.empty()) res.set("X-Request-Id", request_id);
  if (!response.content_type.empty()) res.set(bhttp::field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) res.set(name, value);
  res.body() = std::move(response.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, Handler& handler)
      : options_(std::move(options)), handler_(handler), acceptor_(io_) {}

  ~Impl() {
    std::lock_guard lock(liveness_->mu);
    liveness_->alive = false;
  }

  Result<void> Listen() {
    beast::error_code ec;
    const auto address = asio::ip::make_address(options_.host, ec);
    if (ec) return MakeError(Errc::kInvalidField, "bad listen address " + options_.host);
    const tcp::endpoint endpoint(address, options_.port);
    const std::string where = options_.host + ":" + std::to_string(options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return MakeError(Errc::kInternal, "cannot listen on " + where + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, Accept(), asio::detached);
    return Ok();
  }

  uint16_t port() const { return port_; }

  void Run() {
    std::vector<std::thread> extra;
    for (uint32_t i = 1; i < options_.io_threads; ++i) extra.emplace_back([this] { io_.run(); });
    io_.run();
    for (auto& t : extra) t.join();
  }

  void Stop() {
    asio::post(io_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
    });
    io_.stop();
  }

 private:
  awaitable<void> Accept() {
    for (;;) {
      beast::error_code ec;
      // A strand per connection only when several threads run io_: with one, it is pure cost.
      const asio::any_io_executor session_executor =
          options_.io_threads > 1 ? asio::any_io_executor(asio::make_strand(io_))
                                  : asio::any_io_executor(io_.get_executor());
      tcp::socket socket = co_await acceptor_.async_accept(session_executor,
                                                           asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        // EMFILE and friends: log, breathe, go on (a tight loop would spin on the error).
        log::Warn("http.accept_failed", {{"error", ec.message()}});
        asio::steady_timer pause(io_, std::chrono::milliseconds(50));
        co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
        continue;
      }
      if (connections_.load() >= options_.max_connections) {
        log::Warn("http.connection_refused", {{"reason", "max_connections"}});
        socket.close(ec);
        continue;
      }
      connections_.fetch_add(1);
      auto executor = socket.get_executor();
      asio::co_spawn(executor, Session(beast::tcp_stream(std::move(socket))),
                     [this](std::exception_ptr e) {
                       connections_.fetch_sub(1);
                       if (e) LogSessionException(e);
                     });
    }
  }

  static void LogSessionException(std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::Warn("http.session_failed", {{"error", ex.what()}});
    }
  }

  // Sends a refusal produced by the handler's Reject, then closes the connection gracefully: the
  // client may still be sending the body we refused, and closing a socket with unread bytes makes
  // the kernel send a reset that can destroy the refusal before the client reads it.
  awaitable<void> WriteRejection(beast::tcp_stream& stream, Errc code, std::string message,
                                 unsigned version) {
    Request partial;
    partial.request_id = ids_.Next();
    BeastResponse res = ToBeast(handler_.Reject(code, std::move(message), partial), version, false,
                                partial.request_id);
    stream.expires_after(options_.write_timeout);
    beast::error_code ec;
    co_await bhttp::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    // Discard what is still coming, bounded in bytes and time, until the client closes.
    constexpr size_t kMaxDrainBytes = 4u << 20;
    char sink[16 * 1024];
    size_t drained = 0;
    stream.expires_after(std::chrono::seconds(2));
    while (drained < kMaxDrainBytes) {
      const size_t n = co_await stream.async_read_some(asio::buffer(sink),
                                                       asio::redirect_error(use_awaitable, ec));
      if (ec) break;
      drained += n;
    }
  }

  // Awaits the handler's answer, or a 503 when it takes longer than handler_timeout.
  awaitable<Response> CallHandler(Request request) {
    auto executor = co_await asio::this_coro::executor;
    // Owned by this frame alone: a responder the handler keeps (say, in a store callback that
    // runs during shutdown) must not keep a timer alive past its io_context.
    struct State {
      explicit State(asio::any_io_executor ex) : executor(ex), timer(ex) {}
      asio::any_io_executor executor;  // this session's strand
      asio::steady_timer timer;
      std::optional<Response> response;
      bool timed_out = false;
    };
    auto state = std::make_shared<State>(executor);
    state->timer.expires_after(options_.handler_timeout);
    Request copy_for_reject;
    copy_for_reject.request_id = request.request_id;
    copy_for_reject.path = request.path;
    copy_for_reject.method = request.method;
    // The responder may run on any thread and at any time, even after the server is gone. It
    // holds no Asio object: under the liveness lock it borrows the state (if the session still
    // waits) and posts onto the session's strand, so nothing of Asio's outlives io_.
    handler_.Handle(std::move(request),
                    [weak = std::weak_ptr<State>(state), live = liveness_](Response response) {
                      std::lock_guard lock(live->mu);
                      if (!live->alive) return;
                      std::shared_ptr<State> waiting = weak.lock();
                      if (!waiting) return;  // the session gave up (timeout or shutdown)
                      const asio::any_io_executor executor = waiting->executor;
                      asio::post(executor, [waiting = std::move(waiting),
                                            response = std::move(response)]() mutable {
                        if (waiting->timed_out) return;  // too late: the 503 went out already
                        waiting->response = std::move(response);
                        waiting->timer.cancel();
                      });
                    });
    beast::error_code ec;
    co_await state->timer.async_wait(asio::redirect_error(use_awaitable, ec));
    if (state->response) co_return std::move(*state->response);
    state->timed_out = true;
    co_return handler_.Reject(Errc::kOverloaded, "the request was not processed in time",
                              copy_for_reject);
  }

  awaitable<void> Session(beast::tcp_stream stream) {
    std::string remote;
    {
      beast::error_code ec;
      const auto endpoint = stream.socket().remote_endpoint(ec);
      if (!ec) remote = endpoint.address().to_string();
    }
    // Bounded: a pipelining client cannot make the server buffer more than one request.
    beast::flat_buffer buffer(options_.max_header_bytes + options_.max_body_bytes + 4096);
    for (uint32_t served = 0; served < options_.max_requests_per_connection; ++served) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(options_.max_header_bytes);
      parser.body_limit(options_.max_body_bytes);
      beast::error_code ec;

      stream.expires_after(served == 0 ? options_.header_timeout : options_.idle_timeout);
      co_await bhttp::async_read_header(stream, buffer, parser,
                                        asio::redirect_error(use_awaitable, ec));
      if (ec == bhttp::error::header_limit) {
        co_await WriteRejection(stream, Errc::kHeadersTooLarge, "request head is too large", 11);
        break;
      }
      if (ec == bhttp::error::body_limit) {  // Content-Length over the cap: refuse up front
        co_await WriteRejection(
            stream, Errc::kPayloadTooLarge,
            "request body is over " + std::to_string(options_.max_body_bytes) + " bytes",
            parser.get().version());
        break;
      }
      if (ec) {
        // Clean close, timeout or garbage. Only garbage deserves an answer.
        if (ec != bhttp::error::end_of_stream && ec != beast::error::timeout &&
            ec != asio::error::eof && ec != asio::error::connection_reset &&
            ec != asio::error::operation_aborted && buffer.size() > 0) {
          co_await WriteRejection(stream, Errc::kBadRequest, "malformed HTTP request", 11);
        }
        break;
      }
      if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
        // curl sends this for bodies over 1 KiB and would otherwise stall for a second.
        bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, parser.get().version()};
        stream.expires_after(options_.write_timeout);
        co_await bhttp::async_write(stream, go_on, asio::redirect_error(use_awaitable, ec));
        if (ec) break;
      }
      stream.expires_after(options_.body_timeout);
      co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
      if (ec == bhttp::error::body_limit) {
        co_await WriteRejection(
            stream, Errc::kPayloadTooLarge,
            "request body is over " + std::to_string(options_.max_body_bytes) + " bytes",
            parser.get().version());
        break;
      }
      if (ec == beast::error::timeout) {
        co_await WriteRejection(stream, Errc::kRequestTimeout, "request body arrived too slowly",
                                parser.get().version());
        break;
      }
      if (ec) break;

      BeastRequest req = parser.release();
      const bool last = served + 1 >= options_.max_requests_per_connection;
      const bool keep_alive = req.keep_alive() && !last;
      const unsigned version = req.version();
      Request request = ToRequest(req, remote, ids_.Next());
      const std::string request_id = request.request_id;
      // The socket has no deadline while the handler works: CallHandler bounds that.
      stream.expires_never();
      Response response = co_await CallHandler(std::move(request));
      BeastResponse res = ToBeast(std::move(response), version, keep_alive, request_id);
      stream.expires_after(options_.write_timeout);
      co_await bhttp::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
      if (ec || !keep_alive) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // Whether io_ may still take posts; responders check it under the mutex, the destructor
  // clears it before io_ goes away.
  struct Liveness {
    std::mutex mu;
    bool alive = true;
  };

  ServerOptions options_;
  Handler& handler_;
  std::shared_ptr<Liveness> liveness_ = std::make_shared<Liveness>();
  asio::io_context io_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<uint32_t> connections_{0};
  RequestIds ids_;
};

Server::Server(ServerOptions options, Handler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}
Server::~Server() = default;
Result<void> Server::Listen() { return impl_->Listen(); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace csgw::http
