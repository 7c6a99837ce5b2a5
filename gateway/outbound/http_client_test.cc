#include "gateway/outbound/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "gateway/outbound/retry.h"
#include "tests/support/mock_marketplace.h"

namespace csgw::gateway::outbound {
namespace {

using csgw::testing::MockMarketplace;
using std::chrono::milliseconds;

std::chrono::steady_clock::time_point In(milliseconds d) {
  return std::chrono::steady_clock::now() + d;
}

// Collects callback outcomes and lets the test wait for a number of them.
class Outcomes {
 public:
  HttpClient::Callback Slot(size_t index) {
    return [this, index](Result<HttpResponse> result) {
      std::lock_guard lock(mu_);
      calls_[index]++;
      results_.emplace_back(index, std::move(result));
      cv_.notify_all();
    };
  }
  explicit Outcomes(size_t n) : calls_(n, 0) {}
  bool WaitFor(size_t n, milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return results_.size() >= n; });
  }
  std::vector<int> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::vector<std::pair<size_t, Result<HttpResponse>>> results() {
    std::lock_guard lock(mu_);
    return results_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int> calls_;
  std::vector<std::pair<size_t, Result<HttpResponse>>> results_;
};

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto mock = MockMarketplace::Start();
    ASSERT_TRUE(mock) << mock.error().message;
    mock_ = std::move(mock.value());
  }

  std::unique_ptr<HttpClient> MakeClient(HttpClientOptions options = {}) {
    // Bounded: no test waits long for anything.
    if (options.default_timeout == HttpClientOptions{}.default_timeout) {
      options.default_timeout = milliseconds(5000);
    }
    auto client = HttpClient::Create(options);
    if (!client) {
      ADD_FAILURE() << client.error().message;
      return nullptr;
    }
    return std::move(client.value());
  }

  HttpRequest Post(const std::string& path, std::string body = "{}") {
    HttpRequest r;
    r.method = "POST";
    r.url = mock_->BaseUrl() + path;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = std::move(body);
    return r;
  }

  std::unique_ptr<MockMarketplace> mock_;
};

TEST_F(HttpClientTest, SendsHeadersAndBodyAndReadsTheAnswer) {
  mock_->Respond("POST", "/v1/chat/send/message", 200, R"({"result":"success"})",
                 {{"X-Ratelimit-Remaining", "41"}, {"Set-Cookie", "a=1"}});
  auto client = MakeClient();
  ASSERT_TRUE(client);
  HttpRequest request = Post("/v1/chat/send/message?x=1", R"({"chat_id":"c1","text":"hola"})");
  request.headers.emplace_back("Client-Id", "836");
  request.headers.emplace_back("Api-Key", "k-1");
  request.headers.emplace_back("X-Empty", "");
  auto result = client->SendSync(request);
  ASSERT_TRUE(result) << result.error().message;
  const HttpResponse& response = result.value();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"result":"success"})");
  EXPECT_EQ(response.Header("x-ratelimit-remaining"), "41");  // names lower-cased
  EXPECT_EQ(response.Header("content-type"), "application/json");
  EXPECT_EQ(response.Header("X-Ratelimit-Remaining"), "");
  for (const auto& [name, value] : response.headers) {
    for (char c : name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << name;
  }

  const auto requests = mock_->Requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& got = requests[0];
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.path, "/v1/chat/send/message");
  EXPECT_EQ(got.query.at("x"), "1");
  EXPECT_EQ(got.body, R"({"chat_id":"c1","text":"hola"})");
  EXPECT_EQ(got.Header("client-id"), "836");
  EXPECT_EQ(got.Header("api-key"), "k-1");
  EXPECT_EQ(got.Header("content-type"), "application/json");
  EXPECT_EQ(got.Header("content-length"), "30");
  EXPECT_TRUE(got.headers.count("x-empty"));
  EXPECT_EQ(got.Header("user-agent"), "csgw");
  EXPECT_FALSE(got.headers.count("expect"));  // no 100-continue round trip
}

// curl would announce a body over 1 MiB with "Expect: 100-continue" and wait for the go-ahead.
TEST_F(HttpClientTest, SendsALargeBodyWithoutWaitingForContinue) {
  auto client = MakeClient();
  ASSERT_TRUE(client);
  const std::string body(3 << 20, 'b');
  auto result = client->SendSync(Post("/api/v1/seller/message", body));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result.value().status, 200);
  const auto requests = mock_->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].body.size(), body.size());
  EXPECT_FALSE(requests[0].headers.count("expect"));
}

TEST_F(HttpClientTest, SendsEachMethodAndOnlyTheHeadersGiven) {
  auto client = MakeClient();
  ASSERT_TRUE(client);
  for (const char* method : {"GET", "DELETE", "PUT", "PATCH", "POST"}) {
    HttpRequest r;
    r.method = method;
    r.url = mock_->BaseUrl() + "/m";
    if (std::string(method) == "PUT" || std::string(method) == "PATCH") r.body = "payload";
    auto result = client->SendSync(r);
    ASSERT_TRUE(result) << method << ": " << result.error().message;
    EXPECT_EQ(result.value().status, 200);
  }
  const auto requests = mock_->Requests();
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_FALSE(requests[0].headers.count("content-length"));
  EXPECT_EQ(requests[1].method, "DELETE");
  EXPECT_EQ(requests[2].method, "PUT");
  EXPECT_EQ(requests[2].body, "payload");
  EXPECT_EQ(requests[3].method, "PATCH");
  EXPECT_EQ(requests[3].body, "payload");
  EXPECT_EQ(requests[4].method, "POST");
  EXPECT_EQ(requests[4].Header("content-length"), "0");
  // curl would otherwise label any body a form.
  for (const auto& r : requests) EXPECT_FALSE(r.headers.count("content-type")) << r.method;
}

TEST_F(HttpClientTest, ReturnsErrorStatusesAsResponses) {
  mock_->FailWith(500, "", 1);
  mock_->Respond("POST", "/bad", 400, R"({"error":"invalid chat_id"})");
  auto client = MakeClient();
  ASSERT_TRUE(client);
  auto first = client->SendSync(Post("/x"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first.value().status, 500);
  auto second = client->SendSync(Post("/bad"));
  ASSERT_TRUE(second);
  EXPECT_EQ(second.value().status, 400);
  EXPECT_EQ(second.value().body, R"({"error":"invalid chat_id"})");
}

TEST_F(HttpClientTest, RateLimitAnswerCarriesRetryAfterToTheRetryDecision) {
  mock_->FailWith(429, "3", 1);
  auto client = MakeClient();
  ASSERT_TRUE(client);
  auto result = client->SendSync(Post("/im/message/send"));
  ASSERT_TRUE(result);
  EXPECT_EQ(result.value().status, 429);
  EXPECT_EQ(result.value().Header("retry-after"), "3");
  const auto decision =
      DecideRetry(RetryPolicy{}, result, AttemptInfo{}, [](int64_t lo, int64_t) { return lo; });
  EXPECT_TRUE(decision.retry);
  EXPECT_EQ(decision.delay, milliseconds(3000));
  EXPECT_EQ(decision.reason, "rate_limited");
  // The next attempt goes through.
  auto again = client->SendSync(Post("/im/message/send"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value().status, 200);
}

TEST_F(HttpClientTest, ResponseBodyOverTheCapIsAnError) {
  mock_->Respond("GET", "/big", 200, std::string(4000, 'x'));
  mock_->Respond("GET", "/fits", 200, std::string(1000, 'x'));
  HttpClientOptions options;
  options.max_response_bytes = 1000;
  auto client = MakeClient(options);
  ASSERT_TRUE(client);
  HttpRequest big{"GET", mock_->BaseUrl() + "/big", {}, "", milliseconds(0)};
  auto result = client->SendSync(big);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kPayloadTooLarge);
  EXPECT_NE(result.error().message.find("over 1000 bytes"), std::string::npos);
  HttpRequest fits{"GET", mock_->BaseUrl() + "/fits", {}, "", milliseconds(0)};
  auto ok = client->SendSync(fits);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok.value().body.size(), 1000u);
}

TEST_F(HttpClientTest, ResponseHeadOverTheCapIsAnError) {
  mock_->Respond("GET", "/fat-head", 200, "{}", {{"X-Padding", std::string(4000, 'p')}});
  HttpClientOptions options;
  options.max_response_header_bytes = 1024;
  auto client = MakeClient(options);
  ASSERT_TRUE(client);
  auto result = client->SendSync({"GET", mock_->BaseUrl() + "/fat-head", {}, "", {}});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kPayloadTooLarge);
}

TEST_F(HttpClientTest, HangingServerTimesOut) {
  mock_->Hang();
  auto client = MakeClient();
  ASSERT_TRUE(client);
  HttpRequest request = Post("/v1/chat/send/message");
  request.timeout = milliseconds(200);
  const auto start = std::chrono::steady_clock::now();
  auto result = client->SendSync(request);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kUpstreamTimeout);
  EXPECT_GE(elapsed, milliseconds(190));
  EXPECT_LT(elapsed, milliseconds(3000));
  EXPECT_EQ(mock_->RequestCount(), 1u);
  EXPECT_TRUE(DecideRetry(RetryPolicy{}, result, AttemptInfo{}, [](int64_t lo, int64_t) {
                return lo;
              }).retry);
}

TEST_F(HttpClientTest, DefaultTimeoutAppliesWhenTheRequestHasNone) {
  mock_->Hang();
  HttpClientOptions options;
  options.default_timeout = milliseconds(200);
  auto client = MakeClient(options);
  ASSERT_TRUE(client);
  auto result = client->SendSync(Post("/x"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kUpstreamTimeout);
}

TEST_F(HttpClientTest, RefusedConnectionIsUpstreamUnavailable) {
  ASSERT_TRUE(mock_->SetDown(true));
  auto client = MakeClient();
  ASSERT_TRUE(client);
  HttpRequest request = Post("/v1/chat/send/message?access_token=SECRET");
  request.timeout = milliseconds(2000);
  auto result = client->SendSync(request);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kUpstreamUnavailable);
  // The message names the origin, never the query (Shopee puts its token there).
  EXPECT_NE(result.error().message.find(mock_->BaseUrl()), std::string::npos);
  EXPECT_EQ(result.error().message.find("SECRET"), std::string::npos);

  // Back up: the same client gets through.
  ASSERT_TRUE(mock_->SetDown(false));
  auto again = client->SendSync(request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again.value().status, 200);
}

// A pooled connection the server dropped is not reused blindly: the send after the marketplace
// comes back goes through.
TEST_F(HttpClientTest, RecoversWhenTheServerGoesDownAndComesBack) {
  auto client = MakeClient();
  ASSERT_TRUE(client);
  HttpRequest request = Post("/v1/chat/send/message");
  request.timeout = milliseconds(2000);
  ASSERT_TRUE(client->SendSync(request));
  ASSERT_TRUE(mock_->SetDown(true));
  auto down = client->SendSync(request);
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, Errc::kUpstreamUnavailable);
  ASSERT_TRUE(mock_->SetDown(false));
  auto back = client->SendSync(request);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back.value().status, 200);
  EXPECT_EQ(mock_->RequestCount(), 2u);
}

TEST_F(HttpClientTest, ReusesOneConnectionForSequentialSends) {
  auto client = MakeClient();
  ASSERT_TRUE(client);
  for (int i = 0; i < 20; ++i) {
    auto result = client->SendSync(Post("/v1/chat/send/message"));
    ASSERT_TRUE(result) << result.error().message;
  }
  EXPECT_EQ(client->Stats().responses, 20u);
  EXPECT_EQ(client->Stats().connections_opened, 1u);
}

TEST_F(HttpClientTest, ConnectionsPerHostAreCapped) {
  HttpClientOptions options;
  options.max_connections_per_host = 2;
  auto client = MakeClient(options);
  ASSERT_TRUE(client);
  constexpr size_t kSends = 40;
  Outcomes outcomes(kSends);
  for (size_t i = 0; i < kSends; ++i) ASSERT_TRUE(client->Send(Post("/x"), outcomes.Slot(i)));
  ASSERT_TRUE(outcomes.WaitFor(kSends, milliseconds(10'000)));
  for (const auto& [index, result] : outcomes.results()) ASSERT_TRUE(result) << index;
  EXPECT_LE(client->Stats().connections_opened, 2u);
}

TEST_F(HttpClientTest, ManyConcurrentSendsCompleteExactlyOnce) {
  HttpClientOptions options;
  options.max_concurrent = 16;
  auto client = MakeClient(options);
  ASSERT_TRUE(client);
  constexpr size_t kSends = 300;
  Outcomes outcomes(kSends);
  // From several threads at once: Send is thread-safe.
  std::vector<std::thread> senders;
  for (size_t t = 0; t < 4; ++t) {
    senders.emplace_back([&, t] {
      for (size_t i = t; i < kSends; i += 4) {
        HttpRequest r = Post("/send/" + std::to_string(i), std::to_string(i));
        ASSERT_TRUE(client->Send(std::move(r), outcomes.Slot(i)));
      }
    });
  }
  for (auto& s : senders) s.join();
  ASSERT_TRUE(outcomes.WaitFor(kSends, milliseconds(20'000)));
  for (int calls : outcomes.calls()) EXPECT_EQ(calls, 1);
  for (const auto& [index, result] : outcomes.results()) {
    ASSERT_TRUE(result) << index << ": " << result.error().message;
    EXPECT_EQ(result.value().status, 200);
  }
  EXPECT_EQ(mock_->RequestCount(), kSends);
  // Each request arrived once, with its own body.
  std::vector<int> seen(kSends, 0);
  for (const auto& r : mock_->Requests()) seen[std::stoul(r.body)]++;
  for (size_t i = 0; i < kSends; ++i) EXPECT_EQ(seen[i], 1) << i;
  client->Stop();
  EXPECT_EQ(outcomes.calls(), std::vector<int>(kSends, 1));  // Stop adds no second call
  EXPECT_EQ(client->Stats().accepted, kSends);
}

TEST_F(HttpClientTest, StopCompletesQueuedAndRunningRequestsOnce) {
  mock_->Hang();
  HttpClientOptions options;
  options.max_concurrent = 3;
  auto client = MakeClient(options);
  ASSERT_TRUE(client);
  constexpr size_t kSends = 10;  // 3 running at the mock, 7 queued
  Outcomes outcomes(kSends);
  for (size_t i = 0; i < kSends; ++i) ASSERT_TRUE(client->Send(Post("/x"), outcomes.Slot(i)));
  ASSERT_TRUE(mock_->WaitForRequests(3, In(milliseconds(5000))));
  EXPECT_EQ(outcomes.results().size(), 0u);
  client->Stop();
  ASSERT_EQ(outcomes.results().size(), kSends);  // Stop returns after every callback ran
  EXPECT_EQ(outcomes.calls(), std::vector<int>(kSends, 1));
  for (const auto& [index, result] : outcomes.results()) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::kNotReady);
  }
  EXPECT_EQ(mock_->RequestCount(), 3u);

  auto late = client->Send(Post("/x"), [](Result<HttpResponse>) { ADD_FAILURE(); });
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, Errc::kNotReady);
  client->Stop();  // idempotent
}

TEST_F(HttpClientTest, FullQueueRefusesWithOverloaded) {
  mock_->Hang();
  HttpClientOptions options;
  options.max_concurrent = 1;
  options.max_queued = 2;
  auto client = MakeClient(options);
  ASSERT_TRUE(client);
  Outcomes outcomes(3);
  for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(client->Send(Post("/x"), outcomes.Slot(i)));
  auto refused = client->Send(Post("/x"), [](Result<HttpResponse>) { ADD_FAILURE(); });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kOverloaded);
  EXPECT_EQ(client->Stats().refused, 1u);
  // Room again once one completes.
  mock_->ClearHang();
  ASSERT_TRUE(outcomes.WaitFor(1, milliseconds(5000)));
  mock_->Hang();
  Outcomes more(1);
  EXPECT_TRUE(client->Send(Post("/x"), more.Slot(0)));
  client->Stop();
  EXPECT_EQ(outcomes.calls(), std::vector<int>(3, 1));
  EXPECT_EQ(more.calls(), std::vector<int>(1, 1));
}

TEST_F(HttpClientTest, CallbackMaySendAgain) {
  auto client = MakeClient();
  ASSERT_TRUE(client);
  Outcomes outcomes(2);
  auto second = outcomes.Slot(1);
  HttpClient* c = client.get();
  ASSERT_TRUE(client->Send(Post("/first"), [&, c, second](Result<HttpResponse> result) {
    outcomes.Slot(0)(std::move(result));
    ASSERT_TRUE(c->Send(Post("/second"), second));
  }));
  ASSERT_TRUE(outcomes.WaitFor(2, milliseconds(5000)));
  for (const auto& [index, result] : outcomes.results()) EXPECT_TRUE(result) << index;
  EXPECT_EQ(mock_->RequestCount(), 2u);
}

TEST_F(HttpClientTest, DoesNotFollowRedirects) {
  mock_->Respond("POST", "/moved", 302, "", {{"Location", mock_->BaseUrl() + "/elsewhere"}});
  auto client = MakeClient();
  ASSERT_TRUE(client);
  auto result = client->SendSync(Post("/moved"));
  ASSERT_TRUE(result);
  EXPECT_EQ(result.value().status, 302);
  EXPECT_EQ(mock_->RequestCount(), 1u);
}

TEST_F(HttpClientTest, RefusesMalformedRequests) {
  auto client = MakeClient();
  ASSERT_TRUE(client);
  struct Case {
    HttpRequest request;
    const char* why;
  };
  std::vector<Case> cases;
  cases.push_back({{"FETCH", mock_->BaseUrl() + "/x", {}, "", {}}, "unknown method"});
  cases.push_back({{"GET", "ftp://127.0.0.1/x", {}, "", {}}, "ftp scheme"});
  cases.push_back({{"GET", "file:///etc/passwd", {}, "", {}}, "file scheme"});
  cases.push_back({{"GET", "", {}, "", {}}, "empty url"});
  cases.push_back({{"GET", mock_->BaseUrl() + "/x\r\nX: y", {}, "", {}}, "line break in url"});
  cases.push_back(
      {{"GET", mock_->BaseUrl() + "/x", {{"X-A", "v\r\nX-Injected: 1"}}, "", {}}, "header value"});
  cases.push_back({{"GET", mock_->BaseUrl() + "/x", {{"X:A", "v"}}, "", {}}, "colon in name"});
  for (auto& c : cases) {
    auto result = client->SendSync(c.request);
    ASSERT_FALSE(result) << c.why;
    EXPECT_EQ(result.error().code, Errc::kInvalidField) << c.why << ": " << result.error().message;
  }
  EXPECT_EQ(mock_->RequestCount(), 0u);
  EXPECT_FALSE(DecideRetry(RetryPolicy{}, client->SendSync(cases[1].request), AttemptInfo{},
                           [](int64_t lo, int64_t) { return lo; })
                   .retry);
}

TEST_F(HttpClientTest, TlsToAPlainServerFailsAsUnavailable) {
  auto client = MakeClient();
  ASSERT_TRUE(client);
  HttpRequest request = Post("/x");
  request.url = "https://127.0.0.1:" + std::to_string(mock_->port()) + "/x";
  request.timeout = milliseconds(2000);
  auto result = client->SendSync(request);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kUpstreamUnavailable);
}

// The environment's proxy variables are not followed: the request reaches the mock directly.
TEST_F(HttpClientTest, IgnoresProxyEnvironment) {
  setenv("http_proxy", "http://127.0.0.1:1", 1);
  setenv("HTTP_PROXY", "http://127.0.0.1:1", 1);
  setenv("ALL_PROXY", "http://127.0.0.1:1", 1);
  auto client = MakeClient();
  Result<HttpResponse> result = MakeError(Errc::kInternal, "no client");
  if (client) result = client->SendSync(Post("/x"));
  unsetenv("http_proxy");
  unsetenv("HTTP_PROXY");
  unsetenv("ALL_PROXY");
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result.value().status, 200);
}

TEST(HttpClientCreate, RefusesUnusableOptions) {
  HttpClientOptions no_ca;
  no_ca.ca_file = "/nonexistent/ca.pem";
  auto a = HttpClient::Create(no_ca);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::kInvalidField);
  HttpClientOptions no_slots;
  no_slots.max_concurrent = 0;
  EXPECT_FALSE(HttpClient::Create(no_slots));
  HttpClientOptions no_time;
  no_time.connect_timeout = milliseconds(0);
  EXPECT_FALSE(HttpClient::Create(no_time));
}

}  // namespace
}  // namespace csgw::gateway::outbound
