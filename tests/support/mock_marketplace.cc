#include "tests/support/mock_marketplace.h"

#include <algorithm>

#include "base/log.h"

namespace csgw::testing {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= path.size()) {
    const size_t slash = std::min(path.find('/', i), path.size());
    out.push_back(path.substr(i, slash - i));
    i = slash + 1;
  }
  return out;
}

http::Response Json(int status, std::string body) {
  return http::Response{status, "application/json", std::move(body), {}};
}

}  // namespace

std::string RecordedRequest::Header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

bool PathMatches(std::string_view pattern, std::string_view path) {
  const auto want = Segments(pattern);
  const auto got = Segments(path);
  if (want.size() != got.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    const bool wildcard = want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}';
    if (wildcard ? got[i].empty() : want[i] != got[i]) return false;
  }
  return true;
}

Result<std::unique_ptr<MockMarketplace>> MockMarketplace::Start(Options options) {
  std::unique_ptr<MockMarketplace> mock(new MockMarketplace(std::move(options)));
  if (auto listening = mock->Listen(); !listening) return listening.error();
  return mock;
}

MockMarketplace::MockMarketplace(Options options)
    : options_(std::move(options)), port_(options_.port) {}

MockMarketplace::~MockMarketplace() {
  Shutdown();
  // The server is gone, so these answers go nowhere; the handler contract still wants each
  // responder called once.
  std::vector<Parked> parked;
  {
    std::lock_guard lock(mu_);
    parked.swap(parked_);
  }
  for (auto& p : parked) p.respond(Json(503, "{\"error\":\"mock_stopped\"}"));
}

std::string MockMarketplace::BaseUrl() const {
  return "http://" + options_.host + ":" + std::to_string(port_.load());
}

Result<void> MockMarketplace::Listen() {
  std::lock_guard lock(server_mu_);
  if (server_) return Ok();
  http::ServerOptions server_options;
  server_options.host = options_.host;
  server_options.port = port_.load();
  server_options.max_body_bytes = options_.max_body_bytes;
  server_options.handler_timeout = options_.hang_limit;
  server_options.io_threads = 1;
  auto server = std::make_unique<http::Server>(server_options, *this);
  if (auto listening = server->Listen(); !listening) return listening.error();
  port_ = server->port();
  server_ = std::move(server);
  server_thread_ = std::thread([server = server_.get()] { server->Run(); });
  return Ok();
}

void MockMarketplace::Shutdown() {
  std::lock_guard lock(server_mu_);
  if (!server_) return;
  server_->Stop();
  server_thread_.join();
  server_.reset();  // closes the connections the stopped loop still held
}

Result<void> MockMarketplace::SetDown(bool down) {
  if (down) {
    Shutdown();
    return Ok();
  }
  return Listen();
}

void MockMarketplace::Respond(const std::string& method, const std::string& path_pattern,
                              int status, std::string body,
                              std::vector<std::pair<std::string, std::string>> headers) {
  http::Response response = Json(status, std::move(body));
  response.headers = std::move(headers);
  std::lock_guard lock(mu_);
  for (auto& route : routes_) {
    if (route.method == method && route.pattern == path_pattern) {
      route.response = std::move(response);
      return;
    }
  }
  routes_.push_back(Route{method, path_pattern, std::move(response)});
}

void MockMarketplace::FailWith(int status, std::string retry_after, int times,
                               std::string path_pattern) {
  if (times == 0) return;
  std::lock_guard lock(mu_);
  failures_.push_back(Failure{status, std::move(retry_after), times, std::move(path_pattern)});
}

void MockMarketplace::ClearFailures() {
  std::lock_guard lock(mu_);
  failures_.clear();
}

void MockMarketplace::Hang() {
  std::lock_guard lock(mu_);
  hang_ = true;
}

void MockMarketplace::ClearHang() {
  std::vector<std::pair<http::Responder, http::Response>> answers;
  {
    std::lock_guard lock(mu_);
    hang_ = false;
    for (auto& p : parked_) answers.emplace_back(std::move(p.respond), Routed(p.method, p.path));
    parked_.clear();
  }
  for (auto& [respond, response] : answers) respond(std::move(response));
}

std::vector<RecordedRequest> MockMarketplace::Requests() const {
  std::lock_guard lock(mu_);
  return {recorded_.begin(), recorded_.end()};
}

size_t MockMarketplace::RequestCount() const {
  std::lock_guard lock(mu_);
  return received_;
}

void MockMarketplace::ClearRequests() {
  std::lock_guard lock(mu_);
  recorded_.clear();
  received_ = 0;
}

bool MockMarketplace::WaitForRequests(size_t n,
                                      std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(mu_);
  return arrived_.wait_until(lock, deadline, [&] { return received_ >= n; });
}

void MockMarketplace::Handle(http::Request request, http::Responder respond) {
  // Kept for the log line: the request itself moves into the record.
  const std::string method = request.method;
  const std::string path = request.path;
  const std::string request_id = request.request_id;
  http::Response response;
  {
    std::lock_guard lock(mu_);
    ++received_;
    if (options_.max_recorded > 0) {
      if (recorded_.size() >= options_.max_recorded) recorded_.pop_front();
      recorded_.push_back(RecordedRequest{std::move(request.method), std::move(request.target),
                                          std::move(request.path), std::move(request.query),
                                          std::move(request.headers), std::move(request.body)});
    }
    arrived_.notify_all();
    if (hang_) {
      parked_.push_back(Parked{method, path, std::move(respond)});
      return;
    }
    auto failure = std::find_if(failures_.begin(), failures_.end(), [&](const Failure& f) {
      return f.pattern.empty() || PathMatches(f.pattern, path);
    });
    if (failure != failures_.end()) {
      response = Json(failure->status, "{\"error\":\"mock_failure\"}");
      if (!failure->retry_after.empty()) {
        response.headers.emplace_back("Retry-After", failure->retry_after);
      }
      if (failure->remaining > 0 && --failure->remaining == 0) failures_.erase(failure);
    } else {
      response = Routed(method, path);
    }
  }
  if (options_.log_requests) {
    log::Info("mock_marketplace.request", {{"method", method},
                                           {"path", path},
                                           {"status", response.status},
                                           {"request_id", request_id}});
  }
  respond(std::move(response));
}

http::Response MockMarketplace::Routed(const std::string& method, const std::string& path) const {
  for (const auto& route : routes_) {
    if (route.method == method && PathMatches(route.pattern, path)) return route.response;
  }
  return Json(200, "{}");
}

http::Response MockMarketplace::Reject(Errc code, std::string message, const http::Request&) {
  std::string body = "{\"error\":\"" + std::string(PublicCode(code)) + "\",\"message\":\"";
  log::AppendJsonEscaped(body, message);
  body += "\"}";
  return Json(HttpStatus(code), std::move(body));
}

void RespondLikeMarketplaces(MockMarketplace& mock) {
  // Ozon (§8.4).
  mock.Respond("POST", "/v1/chat/send/message", 200, R"({"result":"success"})");
  // Mercado Libre (§5.4): a message in a pack, and a message in a claim.
  mock.Respond("POST", "/messages/packs/{pack}/sellers/{seller}", 201,
               R"({"id":"mock-message-1","status":"available"})");
  mock.Respond("POST", "/post-purchase/v1/claims/{claim}/actions/send-message", 201, "{}");
  // Lazada (§7.4): the IOP envelope, code "0" for success.
  mock.Respond("POST", "/im/message/send", 200,
               R"({"code":"0","request_id":"mock-request-1","data":{"message_id":"mock-1"}})");
  // Shopee (§6.4): an empty "error" means success.
  mock.Respond("POST", "/api/v2/sellerchat/send_message", 200,
               R"({"request_id":"mock-request-1","error":"","message":"",)"
               R"("response":{"message_id":"mock-1","message_type":"text"}})");
  // eBay (§4.6): Commerce Message API and the post-order return message.
  mock.Respond("POST", "/commerce/message/v1/send_message", 200,
               R"({"conversationId":"mock-conversation-1","messageId":"mock-1"})");
  mock.Respond("POST", "/post-order/v2/return/{return}/send_message", 200, "{}");
  // Wildberries (§9.3).
  mock.Respond("POST", "/api/v1/seller/message", 200,
               R"({"result":{"addTime":1712848270018,)"
               R"("chatID":"1:641b623c-5c0e-295b-db03-3d5b4d484c32"},"errors":[]})");
  // AliExpress (§2.4): the TOP/IOP gateways take the method name as a parameter.
  const std::string aliexpress = R"({"aliexpress_message_redefining_addmsg_response":)"
                                 R"({"result":{"is_success":true},"request_id":"mock-request-1"}})";
  mock.Respond("POST", "/sync", 200, aliexpress);
  mock.Respond("POST", "/router/rest", 200, aliexpress);
  // Amazon SP-API messaging (§3.5).
  mock.Respond("POST", "/messaging/v1/orders/{order}/messages/{type}", 201, "{}");
}

}  // namespace csgw::testing
