#include "gateway/http/server.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "tests/support/http_client.h"

namespace csgw::http {
namespace {

using csgw::testing::HttpCall;
using csgw::testing::HttpConnection;

// Echoes the request; "/slow" answers from another thread after a delay, "/never" never does.
class EchoHandler : public Handler {
 public:
  void Handle(Request request, Responder respond) override {
    {
      std::lock_guard lock(mu_);
      ++handled_;
    }
    if (request.path == "/never") {
      std::lock_guard lock(mu_);
      parked_.push_back(std::move(respond));  // answered (too late) in the destructor
      return;
    }
    Response response{200,
                      "text/plain",
                      request.method + " " + request.path +
                          " q=" + (request.query.count("x") ? request.query.at("x") : "") +
                          " body=" + request.body + " id=" + request.request_id,
                      {}};
    if (request.path == "/slow") {
      threads_.emplace_back([respond = std::move(respond), response]() mutable {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        respond(response);
      });
      return;
    }
    respond(response);
  }
  Response Reject(Errc code, std::string message, const Request&) override {
    return Response{
        HttpStatus(code),
        "application/json",
        "{\"error\":\"" + std::string(PublicCode(code)) + "\",\"message\":\"" + message + "\"}",
        {}};
  }
  int handled() {
    std::lock_guard lock(mu_);
    return handled_;
  }
  ~EchoHandler() override {
    for (auto& t : threads_) t.join();
    for (auto& r : parked_) r(Response{200, "", "late", {}});
  }

 private:
  std::mutex mu_;
  int handled_ = 0;
  std::vector<std::thread> threads_;
  std::vector<Responder> parked_;
};

class ServerTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options) {
    options.port = 0;
    server_ = std::make_unique<Server>(options, handler_);
    ASSERT_TRUE(server_->Listen());
    thread_ = std::thread([this] { server_->Run(); });
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return server_->port(); }

  EchoHandler handler_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(ServerTest, AnswersAndDecodesQuery) {
  Start({});
  auto reply = HttpCall(port(), "POST", "/p?x=a%20b", "hello");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body.substr(0, 27), "POST /p q=a b body=hello id");
  EXPECT_FALSE(reply.headers["x-request-id"].empty());
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  Start({});
  HttpConnection conn(port());
  for (int i = 0; i < 5; ++i) {
    auto reply = conn.Send("GET", "/k");
    ASSERT_EQ(reply.status, 200);
    EXPECT_TRUE(reply.keep_alive);
  }
}

TEST_F(ServerTest, AnswersFromAnotherThread) {
  Start({});
  auto reply = HttpCall(port(), "GET", "/slow");
  EXPECT_EQ(reply.status, 200);
  EXPECT_NE(reply.body.find("GET /slow"), std::string::npos);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Start({});
  HttpConnection conn(port());
  std::string raw;
  for (const char* p : {"/one", "/slow", "/three"}) {
    raw += std::string("GET ") + p + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  ASSERT_TRUE(conn.WriteRaw(raw));
  for (const char* p : {"GET /one", "GET /slow", "GET /three"}) {
    auto reply = conn.ReadReply();
    ASSERT_EQ(reply.status, 200);
    EXPECT_EQ(reply.body.find(p), 0u) << reply.body;
  }
}

TEST_F(ServerTest, ClosesAfterMaxRequestsPerConnection) {
  ServerOptions options;
  options.max_requests_per_connection = 2;
  Start(options);
  HttpConnection conn(port());
  EXPECT_TRUE(conn.Send("GET", "/a").keep_alive);
  auto second = conn.Send("GET", "/b");
  EXPECT_EQ(second.status, 200);
  EXPECT_FALSE(second.keep_alive);
  EXPECT_TRUE(conn.WaitForClose());
}

TEST_F(ServerTest, RefusesBodyOverTheCapWith413) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  Start(options);
  auto reply = HttpCall(port(), "POST", "/p", std::string(1001, 'x'));
  EXPECT_EQ(reply.status, 413);
  EXPECT_NE(reply.body.find("\"error\":\"payload_too_large\""), std::string::npos);
  EXPECT_EQ(handler_.handled(), 0);
  EXPECT_EQ(HttpCall(port(), "POST", "/p", std::string(1000, 'x')).status, 200);
}

// The refusal must survive a client that keeps sending the body it was refused: the server
// drains instead of resetting the connection under it.
TEST_F(ServerTest, RefusalReachesAClientStillSendingALargeBody) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  Start(options);
  auto reply = HttpCall(port(), "POST", "/p", std::string(2 << 20, 'x'));
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(handler_.handled(), 0);
}

TEST_F(ServerTest, RefusesChunkedBodyOverTheCap) {
  ServerOptions options;
  options.max_body_bytes = 100;
  Start(options);
  HttpConnection conn(port());
  std::string raw = "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  raw += "c8\r\n" + std::string(200, 'y') + "\r\n0\r\n\r\n";
  conn.WriteRaw(raw);
  EXPECT_EQ(conn.ReadReply().status, 413);
  EXPECT_EQ(handler_.handled(), 0);
}

TEST_F(ServerTest, RefusesHugeHeadWith431) {
  ServerOptions options;
  options.max_header_bytes = 2048;
  Start(options);
  auto reply = HttpCall(port(), "GET", "/p", "", {{"X-Big", std::string(4096, 'h')}});
  EXPECT_EQ(reply.status, 431);
}

TEST_F(ServerTest, MalformedRequestGets400) {
  Start({});
  HttpConnection conn(port());
  conn.WriteRaw("NOT HTTP AT ALL\r\n\r\n");
  auto reply = conn.ReadReply();
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(reply.body.find("bad_request"), std::string::npos);
}

TEST_F(ServerTest, HandlerThatNeverAnswersGets503AfterDeadline) {
  ServerOptions options;
  options.handler_timeout = std::chrono::milliseconds(100);
  Start(options);
  auto reply = HttpCall(port(), "GET", "/never");
  EXPECT_EQ(reply.status, 503);
  EXPECT_NE(reply.body.find("overloaded"), std::string::npos);
}

TEST_F(ServerTest, SlowHeaderIsCutOff) {
  ServerOptions options;
  options.header_timeout = std::chrono::milliseconds(100);
  Start(options);
  HttpConnection conn(port());
  conn.WriteRaw("GET /p HTTP/1.1\r\nHost: x\r\n");  // never finishes the head
  EXPECT_TRUE(conn.WaitForClose());
  EXPECT_EQ(handler_.handled(), 0);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions options;
  options.idle_timeout = std::chrono::milliseconds(100);
  Start(options);
  HttpConnection conn(port());
  EXPECT_EQ(conn.Send("GET", "/a").status, 200);
  EXPECT_TRUE(conn.WaitForClose());
}

TEST_F(ServerTest, ExpectContinueIsHonoured) {
  Start({});
  HttpConnection conn(port());
  conn.WriteRaw("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  auto interim = conn.ReadReply();
  EXPECT_EQ(interim.status, 100);
  conn.WriteRaw("hello");
  auto reply = conn.ReadReply();
  EXPECT_EQ(reply.status, 200);
  EXPECT_NE(reply.body.find("body=hello"), std::string::npos);
}

TEST_F(ServerTest, ListenFailureNamesTheAddress) {
  Start({});
  ServerOptions options;
  options.port = port();  // taken
  EchoHandler other;
  Server second(options, other);
  auto result = second.Listen();
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("127.0.0.1:" + std::to_string(port())), std::string::npos);
}

}  // namespace
}  // namespace csgw::http
