// csgw's own timer events: what the timer handler appends, what the mapping makes of it, and
// what the machine does with it between the marketplace's events.
#include "disputes/own_timer.h"

#include <gtest/gtest.h>

#include "disputes/deadlines.h"
#include "disputes/mapping.h"
#include "disputes/own_proposal.h"
#include "disputes/test_util.h"

namespace csgw::disputes {
namespace {

using namespace testing;  // NOLINT: test builders

// A dispute awaiting the seller (opened at T0) and its seller_response deadline.
struct Open {
  Dispute dispute = Fresh();
  Deadline seller;
  Open() {
    EXPECT_TRUE(Apply(dispute, Opened(T0()), Rules("aliexpress-2024")));
    for (const Deadline& d : OpenDeadlines(dispute, Rules("aliexpress-2024"))) {
      if (d.name == "seller_response") seller = d;
    }
    EXPECT_EQ(seller.due_at, T0() + days(5));
  }
};

TEST(OwnTimer, ADeadlinesEventMapsToTheMachinesTimeout) {
  Open o;
  const proto::Event event = OwnTimerEvent(o.dispute, o.seller, std::nullopt, T0() + days(6));
  EXPECT_TRUE(IsOwnTimer(event));
  EXPECT_FALSE(IsOwnAlert(event));
  EXPECT_TRUE(IsOwnDisputeUpdate(event));
  EXPECT_FALSE(IsOwnProposal(event));
  // Deterministic: the dispute, the deadline and its due time, whenever it fired.
  EXPECT_EQ(event.event_id(), "csgw:deadline:d1/seller_response/1709683200000");
  EXPECT_EQ(OwnTimerEvent(o.dispute, o.seller, std::nullopt, T0() + days(9)).event_id(),
            event.event_id());
  EXPECT_EQ(event.marketplace(), "aliexpress");
  EXPECT_EQ(event.store_id(), "store1");
  EXPECT_EQ(event.order().order_id(), "order1");
  EXPECT_EQ(event.occurred_at().seconds(), ToUnixMillis(o.seller.due_at) / 1000);
  EXPECT_EQ(event.dispute_update().csgw_timer().actor(), "seller");

  auto mapped = MapEvent(event);
  ASSERT_TRUE(mapped) << mapped.error().message;
  ASSERT_EQ(mapped.value().size(), 1u);
  EXPECT_EQ(mapped.value()[0], TimeoutEvent(o.dispute, o.seller));
  auto applied = Apply(o.dispute, mapped.value()[0], Rules("aliexpress-2024"));
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(o.dispute.state, State::kAgreed);
  EXPECT_EQ(o.dispute.agreement, Agreement::kSellerTimeout);
  // Mapped again (the store would have dropped the duplicate; the machine does too).
  auto again = Apply(o.dispute, MapEvent(event).value()[0], Rules("aliexpress-2024"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value().outcome, ApplyOutcome::kDuplicate);

  // Every marketplace with a mapping takes them, without its fetched context.
  for (std::string_view m : MappedMarketplaces()) {
    proto::Event other = event;
    other.set_marketplace(std::string(m));
    EXPECT_TRUE(MapEvent(other)) << m;
  }
}

TEST(OwnTimer, AnAlertIsRecordedNotApplied) {
  Open o;
  const proto::Event alert =
      OwnTimerEvent(o.dispute, o.seller, std::chrono::hours(24), T0() + days(4) + hours(1));
  EXPECT_TRUE(IsOwnAlert(alert));
  EXPECT_EQ(alert.event_id(), "csgw:alert:d1/seller_response/1709683200000/86400");
  EXPECT_EQ(alert.dispute_update().marketplace_status(), "csgw:deadline_alert");
  EXPECT_EQ(alert.dispute_update().csgw_timer().alert_before_seconds(), 86400);
  EXPECT_FALSE(alert.has_order());  // no outcome to count
  EXPECT_EQ(alert.occurred_at().seconds(), ToUnixMillis(T0() + days(4)) / 1000);
  auto mapped = MapEvent(alert);
  ASSERT_TRUE(mapped) << mapped.error().message;
  EXPECT_TRUE(mapped.value().empty());
}

TEST(OwnTimer, OnlyWellFormedOwnEventsMap) {
  Open o;
  proto::Event event = OwnTimerEvent(o.dispute, o.seller, std::nullopt, T0() + days(6));
  // An id that names another due time would apply a timeout the timer did not decide.
  proto::Event moved = event;
  moved.mutable_dispute_update()->mutable_csgw_timer()->mutable_due_at()->set_seconds(
      event.dispute_update().csgw_timer().due_at().seconds() + 1);
  auto refused = MapEvent(moved);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kInvalidField);
  // Without the timer field it is not an own timer event: the marketplace's mapping refuses
  // the csgw status word, and the event is still csgw's own for POST /v1/events.
  proto::Event bare = event;
  bare.mutable_dispute_update()->clear_csgw_timer();
  EXPECT_FALSE(IsOwnTimer(bare));
  EXPECT_TRUE(IsOwnDisputeUpdate(bare));
  EXPECT_FALSE(MapEvent(bare));
  // A marketplace's own update is not csgw's.
  proto::Event marketplace = event;
  marketplace.set_event_id("issue:1:processing");
  marketplace.mutable_dispute_update()->set_marketplace_status("processing");
  marketplace.mutable_dispute_update()->clear_csgw_timer();
  EXPECT_FALSE(IsOwnDisputeUpdate(marketplace));
}

// The timeout decided on a stale copy (the seller answered before the deadline, the update
// arrived after the timer fired): the machine keeps the timeout unapplied, whatever the order.
TEST(OwnTimer, ATimeoutTheSellersEarlierAnswerDisplacesIsKeptUnapplied) {
  for (bool timeout_first : {true, false}) {
    Open o;
    const DisputeEvent timeout =
        MapEvent(OwnTimerEvent(o.dispute, o.seller, std::nullopt, T0() + days(5))).value()[0];
    DisputeEvent answer = Ev("answer", EventKind::kSellerProposed, T0() + days(4));
    answer.actor = Party::kSeller;
    const RuleSet& rules = Rules("aliexpress-2024");
    if (timeout_first) {
      ASSERT_TRUE(Apply(o.dispute, timeout, rules));
      auto late = Apply(o.dispute, answer, rules);
      ASSERT_TRUE(late) << late.error().message;
      EXPECT_EQ(late.value().unapplied, std::vector<std::string>{timeout.event_id});
    } else {
      ASSERT_TRUE(Apply(o.dispute, answer, rules));
      EXPECT_FALSE(Apply(o.dispute, timeout, rules));
    }
    EXPECT_EQ(o.dispute.state, State::kNegotiating) << timeout_first;
    ASSERT_EQ(o.dispute.history.size(), 3u);
    EXPECT_FALSE(o.dispute.history.back().applied);
  }
}

}  // namespace
}  // namespace csgw::disputes
