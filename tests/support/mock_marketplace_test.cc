#include "tests/support/mock_marketplace.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "tests/support/http_client.h"

namespace csgw::testing {
namespace {

using std::chrono::milliseconds;

std::chrono::steady_clock::time_point In(milliseconds d) {
  return std::chrono::steady_clock::now() + d;
}

std::unique_ptr<MockMarketplace> StartMock(MockMarketplace::Options options = {}) {
  auto mock = MockMarketplace::Start(std::move(options));
  if (!mock) ADD_FAILURE() << mock.error().message;
  return mock ? std::move(mock.value()) : nullptr;
}

TEST(PathMatches, MatchesSegmentsAndWildcards) {
  struct Case {
    const char* pattern;
    const char* path;
    bool matches;
  };
  const Case cases[] = {
      {"/v1/chat/send/message", "/v1/chat/send/message", true},
      {"/v1/chat/send/message", "/v1/chat/send/message/", false},
      {"/v1/chat/send/message", "/v1/chat/send", false},
      {"/messages/packs/{pack}/sellers/{seller}", "/messages/packs/2000/sellers/415", true},
      {"/messages/packs/{pack}/sellers/{seller}", "/messages/packs//sellers/415", false},
      {"/messages/packs/{pack}/sellers/{seller}", "/messages/packs/2000/sellers/415/x", false},
      {"/", "/", true},
      {"/{x}", "/", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(PathMatches(c.pattern, c.path), c.matches) << c.pattern << " vs " << c.path;
  }
}

TEST(MockMarketplace, RecordsRequestsAndAnswersDefault) {
  auto mock = StartMock();
  ASSERT_TRUE(mock);
  auto reply = HttpCall(mock->port(), "POST", "/v1/x?a=1&b=two", "{\"k\":1}",
                        {{"X-Api-Key", "secret"}, {"Content-Type", "application/json"}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "{}");
  ASSERT_EQ(mock->RequestCount(), 1u);
  const auto requests = mock->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/v1/x");
  EXPECT_EQ(requests[0].target, "/v1/x?a=1&b=two");
  EXPECT_EQ(requests[0].query.at("b"), "two");
  EXPECT_EQ(requests[0].Header("x-api-key"), "secret");
  EXPECT_EQ(requests[0].body, "{\"k\":1}");
}

TEST(MockMarketplace, AnswersRegisteredRoutesWithWildcards) {
  auto mock = StartMock();
  ASSERT_TRUE(mock);
  RespondLikeMarketplaces(*mock);
  mock->Respond("GET", "/orders/{id}", 404, "{\"error\":\"not_found\"}", {{"X-Trace", "t1"}});

  auto ml = HttpCall(mock->port(), "POST", "/messages/packs/2000001/sellers/415458330", "{}");
  EXPECT_EQ(ml.status, 201);
  EXPECT_NE(ml.body.find("mock-message-1"), std::string::npos);
  EXPECT_EQ(HttpCall(mock->port(), "POST", "/v1/chat/send/message", "{}").body,
            R"({"result":"success"})");
  auto missing = HttpCall(mock->port(), "GET", "/orders/17");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.headers["x-trace"], "t1");
  // Same path, other method: the default answer.
  EXPECT_EQ(HttpCall(mock->port(), "POST", "/orders/17").status, 200);
  // A later registration replaces the earlier one.
  mock->Respond("GET", "/orders/{id}", 200, "{\"id\":17}");
  EXPECT_EQ(HttpCall(mock->port(), "GET", "/orders/17").status, 200);
}

TEST(MockMarketplace, FailsTheNextNRequestsThenRecovers) {
  auto mock = StartMock();
  ASSERT_TRUE(mock);
  mock->FailWith(503, "", 2);
  EXPECT_EQ(HttpCall(mock->port(), "POST", "/a").status, 503);
  EXPECT_EQ(HttpCall(mock->port(), "POST", "/b").status, 503);
  EXPECT_EQ(HttpCall(mock->port(), "POST", "/c").status, 200);
  EXPECT_EQ(mock->RequestCount(), 3u);  // failed requests are recorded too
}

TEST(MockMarketplace, FailsOnePathUntilCleared) {
  auto mock = StartMock();
  ASSERT_TRUE(mock);
  mock->FailWith(429, "7", -1, "/im/message/send");
  for (int i = 0; i < 3; ++i) {
    auto reply = HttpCall(mock->port(), "POST", "/im/message/send");
    EXPECT_EQ(reply.status, 429);
    EXPECT_EQ(reply.headers["retry-after"], "7");
  }
  EXPECT_EQ(HttpCall(mock->port(), "POST", "/other").status, 200);
  mock->ClearFailures();
  EXPECT_EQ(HttpCall(mock->port(), "POST", "/im/message/send").status, 200);
}

TEST(MockMarketplace, HangHoldsTheAnswerUntilCleared) {
  auto mock = StartMock();
  ASSERT_TRUE(mock);
  mock->Hang();
  auto reply = std::async(std::launch::async, [port = mock->port()] {
    return HttpCall(port, "POST", "/v1/chat/send/message", "{}");
  });
  ASSERT_TRUE(mock->WaitForRequests(1, In(milliseconds(5000))));
  EXPECT_EQ(reply.wait_for(milliseconds(100)), std::future_status::timeout);
  mock->ClearHang();
  EXPECT_EQ(reply.get().status, 200);
}

TEST(MockMarketplace, HangingRequestsDoNotBlockShutdown) {
  auto mock = StartMock();
  ASSERT_TRUE(mock);
  mock->Hang();
  HttpConnection conn(mock->port(), milliseconds(5000));
  ASSERT_TRUE(conn.WriteRaw("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  ASSERT_TRUE(mock->WaitForRequests(1, In(milliseconds(5000))));
  const auto start = std::chrono::steady_clock::now();
  mock.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  EXPECT_TRUE(conn.WaitForClose());
}

TEST(MockMarketplace, DownRefusesConnectionsAndComesBackOnTheSamePort) {
  auto mock = StartMock();
  ASSERT_TRUE(mock);
  const uint16_t port = mock->port();
  ASSERT_TRUE(mock->SetDown(true));
  HttpConnection refused(port, milliseconds(1000));
  EXPECT_FALSE(refused.connected());
  EXPECT_EQ(HttpCall(port, "GET", "/x").status, 0);
  ASSERT_TRUE(mock->SetDown(false));
  EXPECT_EQ(mock->port(), port);
  EXPECT_EQ(HttpCall(port, "GET", "/x").status, 200);
  EXPECT_EQ(mock->RequestCount(), 1u);
}

TEST(MockMarketplace, KeepsOnlyTheNewestRequestsButCountsAll) {
  MockMarketplace::Options options;
  options.max_recorded = 2;
  auto mock = StartMock(options);
  ASSERT_TRUE(mock);
  for (const char* p : {"/1", "/2", "/3"}) HttpCall(mock->port(), "GET", p);
  const auto requests = mock->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].path, "/2");
  EXPECT_EQ(requests[1].path, "/3");
  EXPECT_EQ(mock->RequestCount(), 3u);
  mock->ClearRequests();
  EXPECT_EQ(mock->RequestCount(), 0u);
  EXPECT_TRUE(mock->Requests().empty());
  EXPECT_FALSE(mock->WaitForRequests(1, In(milliseconds(50))));
}

}  // namespace
}  // namespace csgw::testing
