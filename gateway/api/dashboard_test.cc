// The dashboard in a real browser: headless Chromium (Debian `chromium`, installed by `make
// test`) loads GET /dashboard from the gateway's HTTP server on loopback, with the ODR routes
// behind real bearer tokens and a store seeded with counted events, and the test checks that the
// charts carry the API's figures. A screenshot is kept as a test artefact (path printed).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "base/json.h"
#include "gateway/api/odr_api.h"
#include "gateway/api/odr_test_seed.h"
#include "gateway/api/responses.h"
#include "gateway/http/server.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

using csgw::testing::TempDir;

// The array member `key` of `object`, by value: a range-for over `.value()` of a temporary
// Result would dangle.
std::vector<JsonValue> Array(const JsonValue& object, std::string_view key) {
  return object.Get(key).value().AsArray().value();
}

constexpr char kToken[] = "dashboard-token-0123456789";
// One browser run may take this long at most (it normally takes a few seconds).
constexpr auto kBrowserDeadline = std::chrono::seconds(90);

std::string FindChromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/lib/chromium/chromium"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "";
}

// The test's gateway: the dashboard page without a token, everything else through the route
// table (401 without a token, 404 for what it does not know).
class DashboardServer final : public http::Handler {
 public:
  explicit DashboardServer(const ApiRoutes& routes) : routes_(routes) {}
  void Handle(http::Request request, http::Responder respond) override {
    if (request.path == "/dashboard" && request.method == "GET") return respond(DashboardResponse());
    if (routes_.Dispatch(request, respond)) return;
    respond(ErrorResponse(MakeError(Errc::kNotFound, "no route for " + request.path)));
  }
  http::Response Reject(Errc code, std::string message, const http::Request&) override {
    return ErrorResponse(MakeError(code, std::move(message)));
  }

 private:
  const ApiRoutes& routes_;
};

struct BrowserRun {
  int exit_status = -1;
  bool timed_out = false;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs headless Chromium with `extra` arguments on `url`, bounded by kBrowserDeadline.
BrowserRun RunChromium(const std::string& chromium, const TempDir& dir, const std::string& name,
                       std::vector<std::string> extra, const std::string& url) {
  const std::string out_path = dir.Sub(name + ".out");
  const std::string err_path = dir.Sub(name + ".err");
  std::vector<std::string> args = {chromium,
                                    "--headless",
                                    "--no-sandbox",
                                    "--disable-gpu",
                                    "--disable-quic",
                                    "--no-first-run",
                                    "--disable-background-networking",
                                    "--disable-component-update",
                                    "--disable-sync",
                                    "--disable-dev-shm-usage",
                                    "--user-data-dir=" + dir.Sub(name + "-profile")};
  for (auto& e : extra) args.push_back(std::move(e));
  args.push_back(url);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string home = "HOME=" + dir.path().string();
  std::vector<std::string> env = {home, "PATH=/usr/bin:/bin", "LANG=C.UTF-8"};
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || err < 0) _exit(126);
    dup2(out, 1);
    dup2(err, 2);
    setpgid(0, 0);  // its own group: a timeout ends the browser and its helpers, nothing else
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  BrowserRun run;
  if (pid < 0) return run;
  auto waited = std::async(std::launch::async, [pid] {
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
  });
  if (waited.wait_for(kBrowserDeadline) == std::future_status::timeout) {
    run.timed_out = true;
    kill(-pid, SIGKILL);
  }
  const int status = waited.get();
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = ReadFile(out_path);
  run.err = ReadFile(err_path);
  return run;
}

// The attributes of every start tag `<tag ...>` in `html` whose attributes include all of
// `having`, in document order, plus the position just after each tag.
struct Tag {
  std::map<std::string, std::string> attrs;
  size_t end = 0;
};
std::vector<Tag> Tags(const std::string& html, const std::string& tag,
                      const std::map<std::string, std::string>& having = {}) {
  std::vector<Tag> out;
  const std::string open = "<" + tag + " ";
  for (size_t at = html.find(open); at != std::string::npos; at = html.find(open, at + 1)) {
    const size_t end = html.find('>', at);
    if (end == std::string::npos) break;
    Tag t;
    t.end = end + 1;
    std::string_view rest(html.data() + at + open.size(), end - at - open.size());
    while (!rest.empty()) {
      const size_t eq = rest.find("=\"");
      if (eq == std::string_view::npos) break;
      std::string name(rest.substr(0, eq));
      name.erase(0, name.find_first_not_of(' '));
      const size_t close = rest.find('"', eq + 2);
      if (close == std::string_view::npos) break;
      t.attrs[name] = std::string(rest.substr(eq + 2, close - eq - 2));
      rest.remove_prefix(close + 1);
    }
    bool match = true;
    for (const auto& [k, v] : having) match = match && t.attrs.count(k) && t.attrs.at(k) == v;
    if (match) out.push_back(std::move(t));
  }
  return out;
}

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = FindChromium();
    if (chromium_.empty()) {
      GTEST_SKIP() << "chromium is not installed (apt-get install chromium; `make test` does)";
    }
    StoreOptions options;
    options.dir = dir_.Sub("db");
    options.sync = false;
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store).value();
    ASSERT_TRUE(testing::Seed(*store_, *rules_));
    OdrCounting counting(*store_, rules_, clock_);
    ASSERT_TRUE(counting.EvaluateAll(clock_.Now()));  // alerts for the list
    Principal manager;
    manager.user = "am";
    manager.role = Role::kAccountManager;
    manager.stores = {"ae-1", "amz-1"};
    manager_ = manager;
    users_ = std::make_unique<ApiUsers>(
        std::vector<std::pair<std::string, Principal>>{{kToken, manager}});
    routes_ = std::make_unique<ApiRoutes>(users_.get());
    deps_ = OdrApiDeps{store_.get(), rules_, &clock_, 200};
    AddOdrRoutes(*routes_, deps_);
    handler_ = std::make_unique<DashboardServer>(*routes_);
    http::ServerOptions server_options;
    server_options.host = "127.0.0.1";
    server_options.port = 0;
    server_ = std::make_unique<http::Server>(server_options, *handler_);
    ASSERT_TRUE(server_->Listen());
    serving_ = std::thread([this] { server_->Run(); });
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (serving_.joinable()) serving_.join();
  }

  std::string Url(const std::string& fragment) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/dashboard" + fragment;
  }

  std::string chromium_;
  ManualClock clock_{*ParseIsoDateTime("2024-03-31T12:00:00Z")};
  TempDir dir_;
  std::unique_ptr<EventStore> store_;
  std::shared_ptr<const OdrRules> rules_ = std::make_shared<OdrRules>();
  Principal manager_;
  std::unique_ptr<ApiUsers> users_;
  std::unique_ptr<ApiRoutes> routes_;
  OdrApiDeps deps_;
  std::unique_ptr<DashboardServer> handler_;
  std::unique_ptr<http::Server> server_;
  std::thread serving_;
};

TEST_F(DashboardTest, ChartsShowTheApisFiguresInHeadlessChromium) {
  const BrowserRun run = RunChromium(chromium_, dir_, "dom",
                                     {"--dump-dom", "--virtual-time-budget=15000"},
                                     Url(std::string("#token=") + kToken));
  ASSERT_FALSE(run.timed_out) << run.err;
  ASSERT_EQ(run.exit_status, 0) << run.err;
  const std::string& dom = run.out;
  ASSERT_FALSE(Tags(dom, "body", {{"data-ready", "true"}}).empty()) << dom.substr(0, 4000);

  // Stores with grade badges: the two the manager may see, not the third.
  const auto ae = Tags(dom, "button", {{"data-store", "ae-1"}});
  ASSERT_EQ(ae.size(), 1u);
  EXPECT_EQ(ae[0].attrs.at("aria-pressed"), "true");  // the first store is shown
  EXPECT_EQ(Tags(dom, "span", {{"data-rule-set", "aliexpress-2015@1"}, {"data-grade", "fail"}}).size(),
            1u);
  EXPECT_EQ(Tags(dom, "span", {{"data-rule-set", "amazon@1"}, {"data-grade", "critical"}}).size(),
            1u);
  EXPECT_TRUE(Tags(dom, "button", {{"data-store", "hidden-1"}}).empty());

  // Every chart of the shown store carries the API's figures for its metric, and its bars the
  // daily trend.
  const http::Request get{"GET", "/v1/stores/ae-1/odr", "/v1/stores/ae-1/odr", {}, {}, "", "", ""};
  const http::Response api = OdrReportResponse(deps_, manager_, "ae-1", get);
  auto doc = JsonDocument::ParseObject(api.body);
  ASSERT_TRUE(doc);
  size_t charts = 0;
  for (const JsonValue& report : Array(doc.value().root(), "reports")) {
    const std::string rule_set = report.String("rule_set").value();
    for (const JsonValue& m : Array(report, "metrics")) {
      const std::string name = m.String("name").value();
      const auto figures =
          Tags(dom, "figure", {{"data-rule-set", rule_set}, {"data-metric", name}});
      ASSERT_EQ(figures.size(), 1u) << rule_set << " " << name;
      const auto& a = figures[0].attrs;
      EXPECT_EQ(a.at("data-numerator"), std::to_string(m.Int("numerator").value())) << name;
      EXPECT_EQ(a.at("data-denominator"), std::to_string(m.Int("denominator").value())) << name;
      const std::string rate = m.Has("rate") ? m.Get("rate").value().Minified() : "null";
      // JavaScript prints the JSON number back in its shortest form: compare as numbers.
      if (rate == "null") {
        EXPECT_EQ(a.at("data-rate"), "") << name;
      } else {
        EXPECT_DOUBLE_EQ(std::stod(a.at("data-rate")), std::stod(rate)) << name;
      }
      EXPECT_EQ(a.at("data-status"), m.String("status").value()) << name;
      const auto trend = m.Get("trend").value().AsArray().value();
      EXPECT_EQ(a.at("data-days"), std::to_string(trend.size())) << name;
      // The bars of this chart: up to the next chart's figure.
      const size_t next = dom.find("<figure ", figures[0].end);
      const std::string own = dom.substr(figures[0].end, next == std::string::npos
                                                             ? std::string::npos
                                                             : next - figures[0].end);
      const auto days = Tags(own, "g", {{"class", "day"}});
      ASSERT_EQ(days.size(), trend.size()) << name;
      for (size_t i = 0; i < trend.size(); ++i) {
        EXPECT_EQ(days[i].attrs.at("data-day"), trend[i].String("day").value());
        EXPECT_EQ(days[i].attrs.at("data-numerator"),
                  std::to_string(trend[i].Int("numerator").value()));
        EXPECT_EQ(days[i].attrs.at("data-denominator"),
                  std::to_string(trend[i].Int("denominator").value()));
      }
      ++charts;
    }
  }
  EXPECT_GE(charts, 10u);
  // The numbers of the worked seed, as a last check that they are not all zero.
  const auto dispute = Tags(dom, "figure", {{"data-rule-set", "aliexpress-2015@1"},
                                            {"data-metric", "dispute_rate"}});
  ASSERT_EQ(dispute.size(), 1u);
  EXPECT_EQ(dispute[0].attrs.at("data-numerator"), "2");
  EXPECT_EQ(dispute[0].attrs.at("data-denominator"), "42");
  EXPECT_EQ(dispute[0].attrs.at("data-status"), "failing");

  // What it takes, the alerts, and the disputes' empty state (no disputes API in this server).
  EXPECT_FALSE(Tags(dom, "li", {{"data-metric", "dispute_rate"}, {"data-action", "fewer_numerator"}})
                   .empty());
  EXPECT_FALSE(Tags(dom, "li", {{"data-kind", "metric_failing"}}).empty());
  EXPECT_EQ(Tags(dom, "div", {{"id", "disputes"}}).at(0).attrs.at("data-state"), "unavailable");
}

TEST_F(DashboardTest, WithoutATokenItAsksForOneAndAScreenshotIsKept) {
  const BrowserRun login = RunChromium(chromium_, dir_, "login",
                                       {"--dump-dom", "--virtual-time-budget=5000"}, Url(""));
  ASSERT_FALSE(login.timed_out) << login.err;
  ASSERT_EQ(login.exit_status, 0) << login.err;
  const auto section = Tags(login.out, "section", {{"id", "login"}});
  ASSERT_EQ(section.size(), 1u);
  EXPECT_EQ(section[0].attrs.count("hidden"), 0u);
  // No API call was made without a token.
  EXPECT_TRUE(Tags(login.out, "figure").empty());

  const std::string dir = CSGW_TEST_ARTIFACT_DIR;
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/dashboard.png";
  std::filesystem::remove(path);
  const BrowserRun shot = RunChromium(
      chromium_, dir_, "shot",
      {"--screenshot=" + path, "--window-size=1280,1800", "--hide-scrollbars",
       "--virtual-time-budget=15000"},
      Url(std::string("#token=") + kToken));
  ASSERT_FALSE(shot.timed_out) << shot.err;
  ASSERT_EQ(shot.exit_status, 0) << shot.err;
  ASSERT_TRUE(std::filesystem::exists(path)) << shot.err;
  // A PNG of some substance: the charts are drawn, not a blank page.
  EXPECT_GT(std::filesystem::file_size(path), 20'000u);
  EXPECT_EQ(ReadFile(path).substr(1, 3), "PNG");
  std::cout << "dashboard screenshot: " << path << "\n";
  RecordProperty("screenshot", path);
}

}  // namespace
}  // namespace csgw::gateway
