// The ODR API handlers against a real store with counted events, and through the route table
// with real bearer tokens (store isolation: another seller's store answers 404).
#include "gateway/api/odr_api.h"

#include <gtest/gtest.h>

#include <future>

#include "base/json.h"
#include "gateway/api/odr_test_seed.h"
#include "gateway/pipeline/odr_counting.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

using csgw::testing::TempDir;

// The array member `key` of `object`, by value: a range-for over `.value()` of a temporary
// Result would dangle.
std::vector<JsonValue> Array(const JsonValue& object, std::string_view key) {
  return object.Get(key).value().AsArray().value();
}

class OdrApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.dir = dir_.Sub("db");
    options.sync = false;
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store).value();
    ASSERT_TRUE(testing::Seed(*store_, *rules_));
    deps_.store = store_.get();
    deps_.rules = rules_;
    deps_.clock = &clock_;
    admin_.user = "admin";
    admin_.role = Role::kAdmin;
    admin_.all_stores = true;
    manager_.user = "am";
    manager_.role = Role::kAccountManager;
    manager_.stores = {"ae-1", "amz-1"};
  }

  static http::Request Get(std::map<std::string, std::string, std::less<>> query = {}) {
    http::Request r;
    r.method = "GET";
    r.query = std::move(query);
    return r;
  }

  // The response body parsed, with its status checked.
  static JsonDocument Body(const http::Response& response, int status = 200) {
    EXPECT_EQ(response.status, status) << response.body;
    auto doc = JsonDocument::ParseObject(response.body);
    EXPECT_TRUE(doc) << response.body;
    if (!doc) std::abort();
    return std::move(doc).value();
  }

  static JsonValue MetricOf(const JsonValue& report, const std::string& name) {
    for (const JsonValue& m : Array(report, "metrics")) {
      if (m.String("name").value() == name) return m;
    }
    ADD_FAILURE() << "no metric " << name;
    std::abort();
  }

  ManualClock clock_{*ParseIsoDateTime("2024-03-31T12:00:00Z")};
  TempDir dir_;
  std::unique_ptr<EventStore> store_;
  std::shared_ptr<const OdrRules> rules_ = std::make_shared<OdrRules>();
  OdrApiDeps deps_;
  Principal admin_;
  Principal manager_;
};

TEST_F(OdrApiTest, ReportCarriesFiguresTrendGradeForecastAndWhatItTakes) {
  const http::Response response =
      OdrReportResponse(deps_, manager_, "ae-1", Get({{"rules", "aliexpress-2015"}}));
  EXPECT_EQ(response.content_type, "application/json");
  const JsonDocument doc = Body(response);
  EXPECT_EQ(doc.root().String("store").value(), "ae-1");
  const auto reports = doc.root().Get("reports").value().AsArray().value();
  ASSERT_EQ(reports.size(), 1u);
  const JsonValue& r = reports[0];
  EXPECT_EQ(r.String("rule_set").value(), "aliexpress-2015@1");
  EXPECT_EQ(r.String("time_zone").value(), "Asia/Shanghai");
  EXPECT_EQ(r.String("at").value(), "2024-03-31");  // 20:00 in Beijing: still the 31st

  // Dispute rate 2 / (40 completed + 2 filed), over the 2 % target.
  const JsonValue dispute = MetricOf(r, "dispute_rate");
  EXPECT_EQ(dispute.Int("numerator").value(), 2);
  EXPECT_EQ(dispute.Int("denominator").value(), 42);
  EXPECT_EQ(dispute.Get("rate").value().Minified(), "0.047619");
  EXPECT_EQ(dispute.String("display").value(), "4.76 %");
  EXPECT_EQ(dispute.String("status").value(), "failing");
  EXPECT_EQ(dispute.Get("threshold").value().String("op").value(), "<=");
  EXPECT_EQ(dispute.Get("threshold").value().Get("value").value().Minified(), "0.02");
  EXPECT_EQ(dispute.Get("threshold").value().String("display").value(), "≤ 2.00 %");
  EXPECT_EQ(dispute.Get("window").value().String("from").value(), "2024-01-02");
  // The daily trend: every day of the 90-day window; the counts on the days they happened.
  const auto trend = dispute.Get("trend").value().AsArray().value();
  ASSERT_EQ(trend.size(), 90u);
  int64_t numerator = 0, denominator = 0;
  for (const JsonValue& p : trend) {
    numerator += p.Int("numerator").value();
    denominator += p.Int("denominator").value();
    if (p.String("day").value() == "2024-03-05") {
      EXPECT_EQ(p.Int("denominator").value(), 40);
    }
    if (p.String("day").value() == "2024-03-10") {
      EXPECT_EQ(p.Int("numerator").value(), 2);
      EXPECT_EQ(p.Int("denominator").value(), 2);
    }
  }
  EXPECT_EQ(numerator, 2);
  EXPECT_EQ(denominator, 42);
  const JsonValue nf = MetricOf(r, "non_fulfilment_rate");
  EXPECT_EQ(nf.Int("numerator").value(), 1);
  EXPECT_EQ(nf.Int("denominator").value(), 41);
  EXPECT_FALSE(MetricOf(r, "positive_feedback_rate").Has("rate"));  // null: no ratings

  EXPECT_EQ(r.String("grade").value(), "fail");
  EXPECT_EQ(r.Int("grade_index").value(), 3);
  EXPECT_EQ(r.Get("grades").value().AsArray().value().size(), 4u);
  const JsonValue forecast = r.Get("forecast").value();
  EXPECT_EQ(forecast.String("date").value(), "2024-04-03");
  EXPECT_EQ(forecast.String("grade").value(), "fail");
  bool fewer_disputes = false;
  for (const JsonValue& s : Array(r, "what_it_takes")) {
    if (s.String("metric").value() == "dispute_rate" &&
        s.String("action").value() == "fewer_numerator" && s.String("for_grade").value() == "") {
      // (2 − k)/(42 − k) ≤ 2 % ⇔ k ≥ 2.
      EXPECT_EQ(s.Int("count").value(), 2);
      EXPECT_EQ(s.String("text").value(),
                "dispute_rate ≤ 2.00 % (its target): 2 fewer disputes_not_cancelled in the "
                "window");
      fewer_disputes = true;
    }
  }
  EXPECT_TRUE(fewer_disputes);
  EXPECT_FALSE(r.Has("score"));  // null: not a daily-score rule set

  // Without ?rules: every rule set the store has figures under; ?at moves the day.
  const JsonDocument all = Body(OdrReportResponse(deps_, manager_, "ae-1", Get({{"at", "2024-06-15"}})));
  const auto both = all.root().Get("reports").value().AsArray().value();
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].String("rule_set").value(), "aliexpress-2015@1");
  EXPECT_EQ(both[1].String("rule_set").value(), "aliexpress-daily@1");
  EXPECT_EQ(both[0].String("at").value(), "2024-06-15");
  EXPECT_TRUE(both[1].Has("score"));
}

TEST_F(OdrApiTest, AmazonOrderDefectRateInLosAngelesTime) {
  const JsonDocument doc =
      Body(OdrReportResponse(deps_, manager_, "amz-1", Get({{"rules", "amazon"}})));
  const JsonValue r = doc.root().Get("reports").value().AsArray().value()[0];
  EXPECT_EQ(r.String("at").value(), "2024-03-31");  // 05:00 in Los Angeles
  const JsonValue odr = MetricOf(r, "order_defect_rate");
  EXPECT_EQ(odr.Int("numerator").value(), 1);
  EXPECT_EQ(odr.Int("denominator").value(), 20);
  EXPECT_EQ(odr.String("status").value(), "failing");  // 5 % against < 1 %
  // Orders placed 18:00Z on March 10th are March 10th in Los Angeles (11:00 PDT).
  for (const JsonValue& p : Array(odr, "trend")) {
    if (p.Int("denominator").value() > 0) {
      EXPECT_EQ(p.String("day").value(), "2024-03-10");
    }
  }
}

TEST_F(OdrApiTest, RefusesOtherStoresAndBadParameters) {
  for (const auto& response :
       {OdrReportResponse(deps_, manager_, "hidden-1", Get()),
        OdrAlertsResponse(deps_, manager_, "hidden-1", Get())}) {
    EXPECT_EQ(response.status, 404);
    EXPECT_NE(response.body.find("not_found"), std::string::npos);
  }
  EXPECT_EQ(OdrReportResponse(deps_, admin_, "hidden-1", Get()).status, 200);
  EXPECT_EQ(OdrReportResponse(deps_, manager_, "ae-1", Get({{"rules", "ebay-2099"}})).status, 400);
  EXPECT_EQ(OdrReportResponse(deps_, manager_, "ae-1", Get({{"at", "2024-13-01"}})).status, 400);
  EXPECT_EQ(OdrAlertsResponse(deps_, manager_, "ae-1", Get({{"limit", "0"}})).status, 400);
  // A visible store with no figures: an empty list, not an error.
  const JsonDocument none = Body(OdrReportResponse(deps_, admin_, "no-such", Get()));
  EXPECT_EQ(none.root().Get("reports").value().AsArray().value().size(), 0u);
}

TEST_F(OdrApiTest, StoresListShowsGradesOfVisibleStoresOnly) {
  const JsonDocument doc = Body(OdrStoresResponse(deps_, manager_));
  const auto stores = doc.root().Get("stores").value().AsArray().value();
  ASSERT_EQ(stores.size(), 2u);
  EXPECT_EQ(stores[0].String("store").value(), "ae-1");
  EXPECT_EQ(stores[1].String("store").value(), "amz-1");
  const auto ae = stores[0].Get("rule_sets").value().AsArray().value();
  ASSERT_EQ(ae.size(), 2u);
  EXPECT_EQ(ae[0].String("rule_set").value(), "aliexpress-2015@1");
  EXPECT_EQ(ae[0].String("grade").value(), "fail");
  EXPECT_EQ(ae[0].Int("grades").value(), 4);
  EXPECT_EQ(ae[0].Int("failing").value(), 2);  // dispute and non-fulfilment rates
  const auto amz = stores[1].Get("rule_sets").value().AsArray().value();
  ASSERT_EQ(amz.size(), 1u);
  EXPECT_EQ(amz[0].String("grade").value(), "critical");
  EXPECT_EQ(Body(OdrStoresResponse(deps_, admin_)).root().Get("stores").value().AsArray().value().size(),
            3u);
}

TEST_F(OdrApiTest, AlertsAreListedNewestFirst) {
  EXPECT_EQ(OdrAlertsResponse(deps_, manager_, "ae-1", Get()).body,
            "{\"store\":\"ae-1\",\"alerts\":[]}");
  OdrCounting counting(*store_, rules_, clock_);
  auto raised = counting.EvaluateAll(clock_.Now());
  ASSERT_TRUE(raised) << raised.error().message;
  ASSERT_GT(raised.value(), 0u);
  const JsonDocument doc = Body(OdrAlertsResponse(deps_, manager_, "ae-1", Get()));
  const auto alerts = doc.root().Get("alerts").value().AsArray().value();
  ASSERT_FALSE(alerts.empty());
  bool dispute_failing = false;
  for (const JsonValue& a : alerts) {
    EXPECT_EQ(a.String("store").value(), "ae-1");
    if (a.String("metric").value() == "dispute_rate" && a.String("kind").value() == "metric_failing") {
      dispute_failing = true;
      EXPECT_EQ(a.Get("figures").value().Int("numerator").value(), 2);
      EXPECT_EQ(a.Get("figures").value().Int("denominator").value(), 42);
    }
  }
  EXPECT_TRUE(dispute_failing);
  const JsonDocument one = Body(OdrAlertsResponse(deps_, manager_, "ae-1", Get({{"limit", "1"}})));
  EXPECT_EQ(one.root().Get("alerts").value().AsArray().value().size(), 1u);
}

TEST_F(OdrApiTest, RoutesAuthenticateAndIsolateStores) {
  ApiUsers users({{"manager-token-0123456789", manager_}});
  ApiRoutes routes(&users);
  AddOdrRoutes(routes, deps_);
  auto call = [&](const std::string& target, const std::string& token) {
    http::Request request;
    request.method = "GET";
    request.target = target;
    request.path = target.substr(0, target.find('?'));
    if (auto q = target.find('?'); q != std::string::npos) {
      request.query["rules"] = target.substr(target.find('=', q) + 1);
    }
    if (!token.empty()) request.headers["authorization"] = "Bearer " + token;
    std::promise<http::Response> done;
    http::Responder respond = [&](http::Response r) { done.set_value(std::move(r)); };
    EXPECT_TRUE(routes.Dispatch(request, respond));
    return done.get_future().get();
  };
  EXPECT_EQ(call("/v1/stores/ae-1/odr?rules=amazon", "").status, 401);
  EXPECT_EQ(call("/v1/stores/ae-1/odr?rules=aliexpress-2015", "manager-token-0123456789").status,
            200);
  EXPECT_EQ(call("/v1/stores/hidden-1/odr", "manager-token-0123456789").status, 404);
  EXPECT_EQ(call("/v1/stores/ae-1/odr/alerts", "manager-token-0123456789").status, 200);
  EXPECT_EQ(call("/v1/odr/stores", "manager-token-0123456789").status, 200);
  EXPECT_EQ(call("/v1/odr/stores", "wrong-token-0000000000").status, 401);
}

TEST(OdrDashboard, PageIsSelfContained) {
  const http::Response page = DashboardResponse();
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(page.body.starts_with("<!doctype html>"));
  // Nothing is loaded from elsewhere: no external script, style, font or image.
  for (const char* external : {"http://", "https://", "//cdn", "<link", "src=\""}) {
    const std::string body = page.body;
    size_t at = body.find(external);
    // The SVG namespace URI is an identifier, not a download.
    while (at != std::string::npos && body.compare(at, 26, "http://www.w3.org/2000/svg") == 0) {
      at = body.find(external, at + 1);
    }
    EXPECT_EQ(at, std::string::npos) << external;
  }
  bool csp = false;
  for (const auto& [name, value] : page.headers) {
    if (name == "Content-Security-Policy") csp = value.find("default-src 'none'") == 0;
  }
  EXPECT_TRUE(csp);
}

}  // namespace
}  // namespace csgw::gateway
