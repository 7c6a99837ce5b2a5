// Crash safety: a real `csgw serve` child under concurrent signed webhook load is SIGKILLed
// mid-run and restarted on the same data. Every acknowledged event must be stored exactly once.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "base/clock.h"
#include "base/crypto.h"
#include "gateway/store/event_store.h"
#include "tests/support/fixtures.h"
#include "tests/support/http_client.h"

namespace csgw {
namespace {

namespace fs = std::filesystem;
using csgw::testing::HttpCall;

// A `csgw serve` child process with its port read from --port-file.
class Child {
 public:
  Child(const fs::path& config, const fs::path& dir) : port_file_(dir / "port") {
    fs::remove(port_file_);
    const std::string log = (dir / "serve.log").string();
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(fd, STDERR_FILENO);
      execl(CSGW_BINARY, CSGW_BINARY, "serve", "--config", config.c_str(), "--listen",
            "127.0.0.1:0", "--port-file", port_file_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  // The bound port, waiting (bounded) for the child to listen; 0 if it did not.
  uint16_t WaitForPort() {
    for (int i = 0; i < 300; ++i) {
      std::ifstream in(port_file_);
      int port = 0;
      if (in >> port && port > 0) return static_cast<uint16_t>(port);
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return 0;
  }
  void Kill(int sig) {
    if (pid_ <= 0) return;
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  ~Child() { Kill(SIGKILL); }

 private:
  fs::path port_file_;
  pid_t pid_ = -1;
};

std::string LazadaBody(int n, int64_t now_seconds) {
  return R"({"seller_id":"crash-store","message_type":0,"data":{"order_status":"pending",)"
         R"("trade_order_id":"7000)" +
         std::to_string(n) + R"(","trade_order_line_id":"8000)" + std::to_string(n) +
         R"(","status_update_time":)" + std::to_string(now_seconds) + R"(},"timestamp":)" +
         std::to_string(now_seconds) + R"(,"site":"lazada_sg"})";
}

std::string EventIdOf(int n, int64_t now_seconds) {
  return "0:8000" + std::to_string(n) + ":pending:" + std::to_string(now_seconds);
}

TEST(CrashTest, EveryAcknowledgedEventSurvivesSigkillExactlyOnce) {
  const fs::path dir = fs::temp_directory_path() / ("csgw_crash_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path secret = dir / "lazada_secret";
  std::ofstream(secret) << csgw::testing::kLazadaAppSecret << "\n";
  const fs::path config = dir / "csgw.json";
  std::ofstream(config) << R"({"store":{"data_dir":")" << (dir / "data").string()
                        << R"("},"marketplaces":{"lazada":{"app_key":")"
                        << csgw::testing::kLazadaAppKey << R"(","app_secret":{"file":")"
                        << secret.string() << R"("}}},"log":{"level":"warn"}})";

  const int64_t now_seconds = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  std::mutex mu;
  std::set<int> acked;
  {
    Child child(config, dir);
    const uint16_t port = child.WaitForPort();
    ASSERT_NE(port, 0) << "csgw serve did not start; see " << (dir / "serve.log");
    std::atomic<int> next{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 8; ++t) {
      clients.emplace_back([&] {
        csgw::testing::HttpConnection conn(port, std::chrono::seconds(5));
        while (!stop.load()) {
          const int n = next.fetch_add(1);
          const std::string body = LazadaBody(n, now_seconds);
          const std::string sig = crypto::HmacSha256Hex(
              csgw::testing::kLazadaAppSecret, std::string(csgw::testing::kLazadaAppKey) + body);
          auto reply = conn.Send("POST", "/v1/webhooks/lazada", body, {{"Authorization", sig}});
          if (reply.status == 200) {
            std::lock_guard lock(mu);
            acked.insert(n);
          } else {
            return;  // the server died under us
          }
        }
      });
    }
    // Kill once a good number of events is acknowledged, while the clients are still sending.
    for (int i = 0; i < 600; ++i) {
      {
        std::lock_guard lock(mu);
        if (acked.size() >= 3000) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    child.Kill(SIGKILL);
    stop.store(true);
    for (auto& c : clients) c.join();
  }
  ASSERT_GT(acked.size(), 100u) << "too little load reached the server before the kill";

  // Restart on the same data; redeliver a slice of the acknowledged events (they must dedupe).
  {
    Child child(config, dir);
    const uint16_t port = child.WaitForPort();
    ASSERT_NE(port, 0) << "csgw serve did not restart after the crash";
    int redelivered = 0;
    for (int n : acked) {
      if (redelivered++ >= 50) break;
      const std::string body = LazadaBody(n, now_seconds);
      const std::string sig = crypto::HmacSha256Hex(
          csgw::testing::kLazadaAppSecret, std::string(csgw::testing::kLazadaAppKey) + body);
      EXPECT_EQ(
          HttpCall(port, "POST", "/v1/webhooks/lazada", body, {{"Authorization", sig}}).status,
          200);
    }
    child.Kill(SIGTERM);
  }

  auto store = gateway::EventStore::Open({.dir = (dir / "data").string()});
  ASSERT_TRUE(store) << store.error().message;
  gateway::ListQuery query;
  query.store_id = "crash-store";
  query.limit = 1'000'000;
  auto events = store.value()->List(query);
  ASSERT_TRUE(events);
  std::multiset<std::string> stored_ids;
  for (const auto& e : events.value()) stored_ids.insert(e.event_id());
  for (int n : acked) {
    EXPECT_EQ(stored_ids.count(EventIdOf(n, now_seconds)), 1u) << "acknowledged event " << n;
  }
  // Nothing at all is stored twice, acknowledged or not.
  EXPECT_EQ(std::set<std::string>(stored_ids.begin(), stored_ids.end()).size(), stored_ids.size());
  store.value()->Close();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace csgw
