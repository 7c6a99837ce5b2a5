// Test support for the ODR API and dashboard tests: a store seeded with events of two sellers
// and counted by the real counting (RebuildOdr over the stored events).
//
// ae-1 (AliExpress, Beijing time): 40 orders placed 2024-03-01 and completed 2024-03-05 (10:00
// Beijing), two of them with a dispute opened 2024-03-10, one seller cancellation 2024-03-02
// (41 placed). Figures on 2024-03-31: dispute rate 2/42, non-fulfilment 1/41.
// amz-1 (Amazon, Los Angeles time): 20 orders placed 2024-03-10, one with 1★ feedback:
// order defect rate 1/20.
// hidden-1 (Amazon): 5 orders, for store isolation.
#pragma once

#include <string>
#include <vector>

#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/pipeline/odr_counting.h"
#include "gateway/store/event_store.h"

namespace csgw::gateway::testing {

inline proto::Event SeedEvent(const std::string& marketplace, const std::string& store,
                              const std::string& id, const std::string& order,
                              const std::string& at) {
  proto::Event e;
  e.set_event_id(id);
  e.set_marketplace(marketplace);
  e.set_store_id(store);
  e.mutable_order()->set_order_id(order);
  SetTimestamp(e.mutable_occurred_at(), *ParseIsoDateTime(at));
  return e;
}

inline std::vector<proto::Event> SeedEvents() {
  std::vector<proto::Event> out;
  auto order = [&](const std::string& mp, const std::string& store, const std::string& o,
                   proto::OrderStatus status, const std::string& at, const std::string& reason = "") {
    proto::Event e = SeedEvent(mp, store, o + "/" + std::to_string(status), o, at);
    e.mutable_order_update()->set_status(status);
    e.mutable_order_update()->set_reason(reason);
    if (status == proto::ORDER_STATUS_SHIPPED) e.mutable_order_update()->set_tracking_number("T1");
    if (status == proto::ORDER_STATUS_CREATED) {
      e.mutable_order_update()->mutable_total()->set_amount("25.00");
      e.mutable_order_update()->mutable_total()->set_currency("USD");
    }
    out.push_back(std::move(e));
  };
  for (int i = 0; i < 40; ++i) {
    const std::string o = "ae-o" + std::to_string(i);
    order("aliexpress", "ae-1", o, proto::ORDER_STATUS_CREATED, "2024-03-01T02:00:00Z");
    order("aliexpress", "ae-1", o, proto::ORDER_STATUS_SHIPPED, "2024-03-01T04:00:00Z");
    order("aliexpress", "ae-1", o, proto::ORDER_STATUS_COMPLETED, "2024-03-05T02:00:00Z");
  }
  for (const char* o : {"ae-o1", "ae-o2"}) {
    proto::Event d = SeedEvent("aliexpress", "ae-1", std::string(o) + "/dispute", o,
                               "2024-03-10T02:00:00Z");
    d.mutable_dispute_update()->set_dispute_id(std::string("issue-") + o);
    d.mutable_dispute_update()->set_dispute_type("not_received");
    out.push_back(std::move(d));
  }
  order("aliexpress", "ae-1", "ae-x", proto::ORDER_STATUS_CREATED, "2024-03-01T02:00:00Z");
  order("aliexpress", "ae-1", "ae-x", proto::ORDER_STATUS_CANCELLED, "2024-03-02T02:00:00Z",
        "out_of_stock");
  for (int i = 0; i < 20; ++i) {
    order("amazon", "amz-1", "amz-o" + std::to_string(i), proto::ORDER_STATUS_CREATED,
          "2024-03-10T18:00:00Z");
  }
  proto::Event f = SeedEvent("amazon", "amz-1", "amz-o3/feedback", "amz-o3", "2024-03-12T18:00:00Z");
  f.mutable_feedback_posted()->set_feedback_id("fb-3");
  f.mutable_feedback_posted()->set_rating(1);
  f.mutable_buyer()->set_id("buyer-3");
  out.push_back(std::move(f));
  for (int i = 0; i < 5; ++i) {
    order("amazon", "hidden-1", "h-o" + std::to_string(i), proto::ORDER_STATUS_CREATED,
          "2024-03-10T18:00:00Z");
  }
  return out;
}

// Appends the seed and counts it. Returns false (with a test failure) on any error.
inline bool Seed(EventStore& store, const OdrRules& rules) {
  auto appended = store.Append(SeedEvents());
  if (!appended) return false;
  auto rebuilt = RebuildOdr(store, rules);
  return rebuilt && rebuilt.value().failed == 0;
}

}  // namespace csgw::gateway::testing
