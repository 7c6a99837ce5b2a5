// `csgw odr rebuild | report | alerts` against a real store in a temp dir.
#include "gateway/cli_odr.h"

#include <gtest/gtest.h>

#include <sstream>

#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/store/event_store.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

using csgw::testing::TempDir;

proto::Event Order(const std::string& order, proto::OrderStatus status, const std::string& at,
                   const std::string& reason = "") {
  proto::Event e;
  e.set_event_id(order + "-" + std::to_string(status));
  e.set_marketplace("aliexpress");
  e.set_store_id("ae-1");
  e.mutable_order()->set_order_id(order);
  SetTimestamp(e.mutable_occurred_at(), *ParseIsoDateTime(at));
  e.mutable_order_update()->set_status(status);
  e.mutable_order_update()->set_reason(reason);
  if (status == proto::ORDER_STATUS_SHIPPED) e.mutable_order_update()->set_tracking_number("LP1");
  if (status == proto::ORDER_STATUS_CREATED) {
    e.mutable_order_update()->mutable_total()->set_amount("20.00");
    e.mutable_order_update()->mutable_total()->set_currency("USD");
  }
  return e;
}

struct CliRun {
  int code = 0;
  std::string out;
  std::string err;
};

class CliOdrTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.dir = data_;
    options.sync = false;
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store) << store.error().message;
    // 40 orders placed on March 1st (Beijing) and completed on the 5th; a 41st, o-x, cancelled
    // by the seller (out of stock) on March 2nd.
    std::vector<proto::Event> events;
    for (int i = 0; i < 40; ++i) {
      const std::string o = "o" + std::to_string(i);
      events.push_back(Order(o, proto::ORDER_STATUS_CREATED, "2024-03-01T02:00:00Z"));
      events.push_back(Order(o, proto::ORDER_STATUS_SHIPPED, "2024-03-01T03:00:00Z"));
      events.push_back(Order(o, proto::ORDER_STATUS_COMPLETED, "2024-03-05T02:00:00Z"));
    }
    events.push_back(Order("o-x", proto::ORDER_STATUS_CREATED, "2024-03-01T02:00:00Z"));
    events.push_back(
        Order("o-x", proto::ORDER_STATUS_CANCELLED, "2024-03-02T02:00:00Z", "out_of_stock"));
    ASSERT_TRUE(store.value()->Append(events));
  }

  CliRun Odr(std::vector<std::string> words) {
    words.insert(words.begin(), {"csgw", "odr"});
    words.push_back("--data=" + data_);
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    std::string error;
    auto args = Args::Parse(static_cast<int>(argv.size()), argv.data(), 2, kOdrFlags, error);
    EXPECT_TRUE(args) << error;
    std::ostringstream out, err;
    CliRun run;
    run.code = args ? OdrCommand(*args, out, err) : -1;
    run.out = out.str();
    run.err = err.str();
    return run;
  }

  TempDir dir_;
  const std::string data_ = dir_.Sub("data");
};

TEST_F(CliOdrTest, RebuildThenReportPrintsTheTable) {
  const CliRun rebuilt = Odr({"rebuild"});
  ASSERT_EQ(rebuilt.code, 0) << rebuilt.err;
  EXPECT_EQ(rebuilt.out,
            "rebuilt 1 store(s): 122 events read, 122 counted, 0 refused; 6 counter days, "
            "41 fact records\n");

  const CliRun r = Odr({"report", "--store", "ae-1", "--rules", "aliexpress-2015", "--at",
                     "2024-03-31"});
  ASSERT_EQ(r.code, 0) << r.err;
  // 1 seller cancellation of 41 orders placed: 2.44 %, over the 1 % target.
  EXPECT_NE(r.out.find("ae-1 · aliexpress-2015@1 · 2024-03-31 (Asia/Shanghai)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("metric                   numerator  denominator    rate  threshold  status   "
                       "window\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("non_fulfilment_rate              1           41  2.44 %  ≤ 1.00 %   "
                       "FAILING  90 d\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("dispute_rate                     0           40  0.00 %  ≤ 2.00 %   "
                       "ok       90 d\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("positive_feedback_rate           0            0       –  ≥ 95.00 %  "
                       "no data  90 d\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("grade:    excellent\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("forecast: excellent on 2024-04-03 if nothing new is counted\n"),
            std::string::npos)
      << r.out;
  // (1 − k)/41 ≤ 1 % ⇔ k ≥ 1; 1/(41 + m) ≤ 1 % ⇔ m ≥ 59.
  EXPECT_NE(r.out.find("  - non_fulfilment_rate ≤ 1.00 % (its target): 1 fewer non_fulfilled in "
                       "the window\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  - non_fulfilment_rate ≤ 1.00 % (its target): 59 more orders_placed in "
                       "the window\n"),
            std::string::npos)
      << r.out;

  // Without --rules: every rule set the store has figures under.
  const CliRun all = Odr({"report", "--store", "ae-1", "--at", "2024-03-31"});
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_NE(all.out.find("· aliexpress-2015@1 ·"), std::string::npos);
  EXPECT_NE(all.out.find("· aliexpress-daily@1 ·"), std::string::npos);
  EXPECT_NE(all.out.find("daily score: month average"), std::string::npos);
  EXPECT_EQ(all.out.find("amazon"), std::string::npos);

  // Alerts are decided by the running gateway, not by a rebuild: none listed.
  const CliRun alerts = Odr({"alerts", "--store", "ae-1"});
  EXPECT_EQ(alerts.code, 0);
  EXPECT_EQ(alerts.out, "");
}

TEST_F(CliOdrTest, MistakesAreUsageErrors) {
  EXPECT_EQ(Odr({"report"}).code, 2);
  EXPECT_EQ(Odr({"report", "--store", "ae-1", "--at", "31.03.2024"}).code, 2);
  const CliRun unknown = Odr({"report", "--store", "ae-1", "--rules", "nope"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("not reported under nope (aliexpress-2015, aliexpress-daily, amazon, "
                             "ebay, replies)"),
            std::string::npos)
      << unknown.err;
  EXPECT_EQ(Odr({"frobnicate"}).code, 2);
  // Nothing counted yet for this store.
  const CliRun empty = Odr({"report", "--store", "ae-1"});
  EXPECT_EQ(empty.code, 1);
  EXPECT_NE(empty.err.find("no ODR figures for store ae-1"), std::string::npos);
}

TEST_F(CliOdrTest, RebuildRefusesAStoreAGatewayHolds) {
  StoreOptions options;
  options.dir = data_;
  auto held = EventStore::Open(options);
  ASSERT_TRUE(held) << held.error().message;
  const CliRun r = Odr({"rebuild"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("stop it first"), std::string::npos) << r.err;
  // Once the store is free, the rebuild runs.
  held.value().reset();
  ASSERT_EQ(Odr({"rebuild", "--store", "ae-1"}).code, 0);
  EXPECT_EQ(Odr({"report", "--store", "ae-1", "--rules", "amazon", "--at", "2024-03-31"}).code, 0);
}

}  // namespace
}  // namespace csgw::gateway
