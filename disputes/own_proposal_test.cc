// csgw's own seller proposals: the event the API appends, its mapping, and what the machine does
// with it between the marketplace's own events.
#include "disputes/own_proposal.h"

#include <gtest/gtest.h>

#include "disputes/advisor.h"
#include "disputes/deadlines.h"
#include "disputes/mapping.h"
#include "disputes/test_util.h"

namespace csgw::disputes {
namespace {

using namespace testing;  // NOLINT: test builders

proto::Event Offer(const std::string& id, std::string_view word, std::optional<Money> amount,
                   TimePoint at, std::string marketplace = "aliexpress") {
  return OwnProposalEvent(std::string(kOwnProposalIdPrefix) + id, std::move(marketplace), "store1",
                          "d1", "order1", *FindSellerSolution(word), amount, at);
}

TEST(OwnProposal, EventRoundTripsThroughTheMapping) {
  const proto::Event event = Offer("abc", "partial_refund", Money{"4.50", "USD"}, T0() + hours(3));
  EXPECT_TRUE(IsOwnProposal(event));
  EXPECT_EQ(event.dispute_update().dispute_type(), "partial_refund");
  EXPECT_EQ(event.order().order_id(), "order1");
  auto mapped = MapEvent(event);
  ASSERT_TRUE(mapped) << mapped.error().message;
  ASSERT_EQ(mapped.value().size(), 1u);
  const DisputeEvent& e = mapped.value()[0];
  EXPECT_EQ(e.kind, EventKind::kSellerOffered);
  EXPECT_EQ(e.event_id, "csgw:proposal:abc#0:seller_offered");
  EXPECT_EQ(e.proposal_id, "csgw:proposal:abc");
  EXPECT_EQ(e.actor, Party::kSeller);
  EXPECT_EQ(e.solution, Solution::kRefundOnly);
  EXPECT_EQ(e.amount, (Money{"4.50", "USD"}));
  EXPECT_EQ(e.occurred_at, T0() + hours(3));
  EXPECT_TRUE(e.marketplace_status.empty());
  EXPECT_FALSE(e.implied);

  // Every marketplace with a mapping takes them, without its fetched context.
  for (std::string_view m : MappedMarketplaces()) {
    EXPECT_TRUE(MapEvent(Offer("x", "resend", std::nullopt, T0(), std::string(m)))) << m;
  }
}

// The advisor's options and the proposals speak one vocabulary: an option's remedy is a
// solution word, so the agents' client posts an option back unchanged.
TEST(OwnProposal, EveryAdvisorRemedyIsASolutionWord) {
  for (Remedy r : {Remedy::kExplanation, Remedy::kCoupon, Remedy::kPartialRefund, Remedy::kResend,
                   Remedy::kFullRefund}) {
    const SellerSolution* s = FindSellerSolution(Name(r));
    ASSERT_NE(s, nullptr) << Name(r);
    // Money changes hands exactly where the advisor prices an amount.
    const bool pays = r == Remedy::kCoupon || r == Remedy::kPartialRefund ||
                      r == Remedy::kFullRefund;
    EXPECT_EQ(s->takes_amount, pays) << Name(r);
  }
  EXPECT_EQ(FindSellerSolution("explanation")->solution, Solution::kNoRefund);
  EXPECT_EQ(SellerSolutions().front().word, "explanation");
}

TEST(OwnProposal, OnlyCsgwsOwnEventsAreOwnProposals) {
  proto::Event event = Offer("abc", "coupon", Money{"2.00", "USD"}, T0());
  event.set_event_id("abc");  // no csgw prefix: a marketplace's event with a strange status
  EXPECT_FALSE(IsOwnProposal(event));
  EXPECT_FALSE(MapEvent(event));  // the AliExpress mapping does not know the status

  event = Offer("abc", "coupon", Money{"2.00", "USD"}, T0());
  event.mutable_dispute_update()->set_dispute_type("gift");
  auto mapped = MapEvent(event);
  ASSERT_FALSE(mapped);
  EXPECT_EQ(mapped.error().code, Errc::kInvalidField);
  EXPECT_NE(mapped.error().message.find("'gift'"), std::string::npos);
}

TEST(OwnProposal, SolutionWordsAndTheirAmounts) {
  for (const SellerSolution& s : SellerSolutions()) {
    EXPECT_EQ(FindSellerSolution(s.word), &s);
    EXPECT_TRUE(!s.needs_amount || s.takes_amount) << s.word;
  }
  EXPECT_TRUE(FindSellerSolution("partial_refund")->needs_amount);
  EXPECT_TRUE(FindSellerSolution("coupon")->needs_amount);
  EXPECT_FALSE(FindSellerSolution("resend")->takes_amount);
  EXPECT_EQ(FindSellerSolution("no_refund")->solution, Solution::kNoRefund);
  EXPECT_EQ(FindSellerSolution("refund"), nullptr);
}

// The offer is the seller's pending proposal; the seller's deadline keeps running until the
// marketplace reports the seller's answer, which supersedes the offer.
TEST(OwnProposal, RecordedWithoutStoppingTheSellersClock) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Fresh();
  ASSERT_TRUE(Apply(d, Opened(T0()), rules));
  const auto deadlines = OpenDeadlines(d, rules);
  auto offered = MapEvent(Offer("o1", "partial_refund", Money{"4.00", "USD"}, T0() + hours(5)));
  ASSERT_TRUE(offered);
  ASSERT_TRUE(Apply(d, offered.value()[0], rules));
  EXPECT_EQ(d.state, State::kAwaitingSellerResponse);
  EXPECT_EQ(OpenDeadlines(d, rules), deadlines);
  ASSERT_EQ(d.proposals.size(), 2u);
  EXPECT_EQ(d.proposals[1].id, "csgw:proposal:o1");
  EXPECT_EQ(d.proposals[1].party, Party::kSeller);
  EXPECT_EQ(d.proposals[1].status, ProposalStatus::kPending);
  EXPECT_EQ(d.proposals[0].status, ProposalStatus::kPending);  // the buyer's stands

  // A second offer replaces the first.
  auto again = MapEvent(Offer("o2", "coupon", Money{"2.00", "USD"}, T0() + hours(6)));
  ASSERT_TRUE(Apply(d, again.value()[0], rules));
  EXPECT_EQ(d.proposals[1].status, ProposalStatus::kSuperseded);
  EXPECT_EQ(d.proposals[2].status, ProposalStatus::kPending);

  // The marketplace reports the seller's counter: negotiating, the offer superseded.
  DisputeEvent counter = Ev("counter", EventKind::kSellerProposed, T0() + hours(7));
  counter.solution = Solution::kCoupon;
  ASSERT_TRUE(Apply(d, counter, rules));
  EXPECT_EQ(d.state, State::kNegotiating);
  EXPECT_EQ(d.proposals[2].status, ProposalStatus::kSuperseded);
  EXPECT_TRUE(CheckInvariants(d));

  // Once agreed, an offer is refused like any proposal.
  ASSERT_TRUE(Apply(d, Agreed("agree", T0() + hours(8), Agreement::kConsensus, Party::kBuyer),
                    rules));
  auto late = MapEvent(Offer("o3", "resend", std::nullopt, T0() + hours(9)));
  auto r = Apply(d, late.value()[0], rules);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("seller_offered"), std::string::npos);
  EXPECT_EQ(d.state, State::kAgreed);
}

// Replayed or out of order, an offer lands where its time puts it.
TEST(OwnProposal, ReplayedAndLateOffersAreHarmless) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Fresh();
  ASSERT_TRUE(Apply(d, Opened(T0()), rules));
  auto offer = MapEvent(Offer("o1", "resend", std::nullopt, T0() + hours(2)));
  ASSERT_TRUE(Apply(d, offer.value()[0], rules));
  auto replay = Apply(d, offer.value()[0], rules);
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay.value().outcome, ApplyOutcome::kDuplicate);

  // The marketplace's counter at 1h arrives after our offer of 2h: both kept in time order.
  DisputeEvent counter = Ev("counter", EventKind::kSellerProposed, T0() + hours(1));
  ASSERT_TRUE(Apply(d, counter, rules));
  EXPECT_EQ(d.state, State::kNegotiating);
  EXPECT_EQ(d.history.back().event.kind, EventKind::kSellerOffered);
  EXPECT_EQ(d.proposals.back().id, "csgw:proposal:o1");
  EXPECT_EQ(d.proposals.back().status, ProposalStatus::kPending);
  EXPECT_TRUE(CheckInvariants(d));
}

}  // namespace
}  // namespace csgw::disputes
