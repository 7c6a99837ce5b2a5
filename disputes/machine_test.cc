#include "disputes/machine.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "disputes/deadlines.h"
#include "disputes/test_util.h"

namespace csgw::disputes {
namespace {

using namespace testing;  // NOLINT: test builders

void MustApply(Dispute& d, const DisputeEvent& e, const RuleSet& rules) {
  auto r = Apply(d, e, rules);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r.value().outcome, ApplyOutcome::kApplied) << e.event_id;
}

// The shortest history that reaches each state, times in hours after T0().
std::vector<DisputeEvent> PathTo(State s) {
  const TimePoint t = T0();
  auto h = [&](int n) { return t + hours(n); };
  std::vector<DisputeEvent> path;
  if (s == State::kNone) return path;
  path.push_back(Opened(t));
  switch (s) {
    case State::kNone:
    case State::kAwaitingSellerResponse:
      break;
    case State::kNegotiating: {
      DisputeEvent e = Ev("counter", EventKind::kSellerProposed, h(1));
      e.solution = Solution::kRefundOnly;
      e.amount = Money{"3.00", "USD"};
      path.push_back(e);
      break;
    }
    case State::kArbitrating:
      path.push_back(Ev("escalate", EventKind::kEscalated, h(1)));
      break;
    case State::kAgreed:
      path.push_back(Agreed("agree", h(1), Agreement::kConsensus));
      break;
    case State::kRuled:
      path.push_back(Ev("escalate", EventKind::kEscalated, h(1)));
      path.push_back(Ruled("rule", h(2), Responsibility::kSeller));
      break;
    case State::kAwaitingReturnShipment:
      path.push_back(Agreed("agree", h(1), Agreement::kConsensus));
      path.push_back(Ev("return", EventKind::kReturnRequested, h(2)));
      break;
    case State::kAwaitingSellerReceipt:
      path.push_back(Agreed("agree", h(1), Agreement::kConsensus));
      path.push_back(Ev("return", EventKind::kReturnRequested, h(2)));
      path.push_back(Ev("shipped", EventKind::kReturnShipped, h(3)));
      break;
    case State::kClosed:
      path.push_back(Agreed("agree", h(1), Agreement::kConsensus));
      path.push_back(Closed("close", h(2), Refund::kFull));
      break;
    case State::kCancelled:
      path.push_back(Ev("cancel", EventKind::kCancelled, h(1)));
      break;
  }
  return path;
}

Dispute Reach(State s, std::string_view rule_set = "aliexpress-2024") {
  Dispute d = Fresh(rule_set);
  for (const DisputeEvent& e : PathTo(s)) {
    auto r = Apply(d, e, Rules(rule_set));
    if (!r) ADD_FAILURE() << r.error().message;
  }
  EXPECT_EQ(d.state, s);
  return d;
}

// One valid event of each kind (deadline expiry is tested on its own below).
DisputeEvent Probe(EventKind kind, Agreement agreement = Agreement::kConsensus) {
  const TimePoint at = T0() + hours(10);
  DisputeEvent e = Ev("probe", kind, at);
  switch (kind) {
    case EventKind::kOpened:
      e = Opened(at);
      e.event_id = "probe";
      break;
    case EventKind::kBuyerProposed:
    case EventKind::kSellerProposed:
    case EventKind::kPlatformProposed:
    case EventKind::kSellerOffered:
      e.solution = Solution::kRefundOnly;
      e.amount = Money{"5.00", "USD"};
      break;
    case EventKind::kAgreed:
      e.agreement = agreement;
      e.accepted_by = Party::kBuyer;
      break;
    case EventKind::kRuled:
      e.responsibility = Responsibility::kBuyer;
      break;
    case EventKind::kClosed:
      e.refund = Refund::kPartial;
      break;
    case EventKind::kEvidenceAdded:
      e.evidence = Evidence::kPhotos;
      break;
    default:
      break;
  }
  return e;
}

constexpr State kStates[] = {State::kNone,
                             State::kAwaitingSellerResponse,
                             State::kNegotiating,
                             State::kArbitrating,
                             State::kAgreed,
                             State::kRuled,
                             State::kAwaitingReturnShipment,
                             State::kAwaitingSellerReceipt,
                             State::kClosed,
                             State::kCancelled};

struct Row {
  const char* name;
  EventKind kind;
  Agreement agreement;
  // Expected target per entry of kStates; nullopt = illegal.
  std::optional<State> to[10];
};

constexpr auto X = std::nullopt;
constexpr State ASR = State::kAwaitingSellerResponse, N = State::kNegotiating,
                A = State::kArbitrating, AG = State::kAgreed, R = State::kRuled,
                ARS = State::kAwaitingReturnShipment, ASC = State::kAwaitingSellerReceipt,
                CL = State::kClosed, CA = State::kCancelled;

// Columns: none, awaiting_seller_response, negotiating, arbitrating, agreed, ruled,
// awaiting_return_shipment, awaiting_seller_receipt, closed, cancelled.
const Row kTable[] = {
    {"opened", EventKind::kOpened, Agreement::kNone, {ASR, X, X, X, X, X, X, X, X, X}},
    {"buyer_proposed",
     EventKind::kBuyerProposed,
     Agreement::kNone,
     {X, ASR, ASR, A, X, X, X, X, X, X}},
    {"seller_proposed",
     EventKind::kSellerProposed,
     Agreement::kNone,
     {X, N, N, A, X, X, X, X, X, X}},
    // Only negotiating has a pending seller proposal to refuse on these paths.
    {"buyer_rejected",
     EventKind::kBuyerRejected,
     Agreement::kNone,
     {X, X, ASR, X, X, X, X, X, X, X}},
    {"platform_proposed",
     EventKind::kPlatformProposed,
     Agreement::kNone,
     {X, X, X, A, X, X, X, X, X, X}},
    {"agreed_consensus",
     EventKind::kAgreed,
     Agreement::kConsensus,
     {X, AG, AG, AG, AG, X, X, X, X, X}},
    {"agreed_seller_timeout",
     EventKind::kAgreed,
     Agreement::kSellerTimeout,
     {X, AG, AG, X, AG, X, X, X, X, X}},
    {"escalated", EventKind::kEscalated, Agreement::kNone, {X, A, A, A, X, X, A, A, X, X}},
    {"ruled", EventKind::kRuled, Agreement::kNone, {X, X, X, R, X, R, X, X, X, X}},
    {"return_requested",
     EventKind::kReturnRequested,
     Agreement::kNone,
     {X, X, X, X, ARS, ARS, ARS, X, X, X}},
    {"return_shipped",
     EventKind::kReturnShipped,
     Agreement::kNone,
     {X, X, X, X, X, X, ASC, ASC, X, X}},
    {"closed", EventKind::kClosed, Agreement::kNone, {X, CL, CL, CL, CL, CL, CL, CL, CL, X}},
    {"cancelled", EventKind::kCancelled, Agreement::kNone, {X, CA, CA, CA, CA, CA, CA, CA, X, CA}},
    {"evidence_added",
     EventKind::kEvidenceAdded,
     Agreement::kNone,
     {X, ASR, N, A, AG, R, ARS, ASC, X, X}},
    // csgw's own proposal: recorded, the state follows the marketplace.
    {"seller_offered",
     EventKind::kSellerOffered,
     Agreement::kNone,
     {X, ASR, N, A, X, X, X, X, X, X}},
};

TEST(DisputeMachine, EveryEventFromEveryState) {
  const RuleSet& rules = Rules("aliexpress-2024");
  int legal = 0;
  int illegal = 0;
  for (const Row& row : kTable) {
    for (size_t i = 0; i < std::size(kStates); ++i) {
      SCOPED_TRACE(std::string(row.name) + " from " + std::string(Name(kStates[i])));
      Dispute d = Reach(kStates[i]);
      const Dispute before = d;
      auto r = Apply(d, Probe(row.kind, row.agreement), rules);
      if (row.to[i]) {
        ++legal;
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(r.value().outcome, ApplyOutcome::kApplied);
        EXPECT_EQ(d.state, *row.to[i]);
        EXPECT_EQ(r.value().from, kStates[i]);
        EXPECT_EQ(r.value().to, *row.to[i]);
      } else {
        ++illegal;
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, Errc::kInvalidField);
        const std::string& m = r.error().message;
        EXPECT_NE(m.find("dispute d1"), std::string::npos) << m;
        EXPECT_NE(m.find("event probe"), std::string::npos) << m;
        EXPECT_NE(m.find(std::string(Name(row.kind))), std::string::npos) << m;
        EXPECT_NE(m.find("state " + std::string(Name(kStates[i]))), std::string::npos) << m;
        // Derived state unchanged; the event is held in the history, not applied.
        EXPECT_EQ(d.state, before.state);
        EXPECT_EQ(d.proposals, before.proposals);
        ASSERT_EQ(d.history.size(), before.history.size() + 1);
      }
      auto ok = CheckInvariants(d);
      EXPECT_TRUE(ok) << ok.error().message;
    }
  }
  EXPECT_EQ(legal + illegal, 150);
  EXPECT_EQ(legal, 54);
}

TEST(DisputeMachine, ProposalsCarryTheirOwnStatus) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Reach(State::kNegotiating);
  ASSERT_EQ(d.proposals.size(), 2u);
  EXPECT_EQ(d.proposals[0].party, Party::kBuyer);
  EXPECT_EQ(d.proposals[0].status, ProposalStatus::kRejected);
  EXPECT_EQ(d.proposals[1].party, Party::kSeller);
  EXPECT_EQ(d.proposals[1].status, ProposalStatus::kPending);

  // The buyer changes the proposal: the seller's clock restarts, the old one is superseded.
  DisputeEvent change = Ev("change", EventKind::kBuyerProposed, T0() + hours(5));
  change.amount = Money{"8.00", "USD"};
  MustApply(d, change, rules);
  EXPECT_EQ(d.state, State::kAwaitingSellerResponse);
  EXPECT_EQ(d.buyer_changed_at, T0() + hours(5));

  // The seller accepts the buyer's (new) proposal.
  MustApply(d, Agreed("accept", T0() + hours(6), Agreement::kConsensus, Party::kSeller), rules);
  EXPECT_EQ(d.state, State::kAgreed);
  EXPECT_EQ(d.agreement, Agreement::kConsensus);
  ASSERT_GE(d.accepted_proposal, 0);
  EXPECT_EQ(d.proposals[d.accepted_proposal].id, "change");
  EXPECT_EQ(d.proposals[d.accepted_proposal].amount, (Money{"8.00", "USD"}));
  EXPECT_EQ(d.proposals[1].status, ProposalStatus::kSuperseded);  // the seller's counter

  MustApply(d, Closed("close", T0() + hours(7), Refund::kPartial), rules);
  EXPECT_EQ(d.proposals[d.accepted_proposal].status, ProposalStatus::kExecuted);
  EXPECT_EQ(d.refund, Refund::kPartial);
  EXPECT_EQ(d.refund_amount, (Money{"8.00", "USD"}));
}

TEST(DisputeMachine, RulingAcceptsThePlatformProposal) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Reach(State::kArbitrating);
  DisputeEvent plan = Probe(EventKind::kPlatformProposed);
  plan.event_id = "plan";
  MustApply(d, plan, rules);
  MustApply(d, Ruled("rule", T0() + hours(20), Responsibility::kSeller), rules);
  EXPECT_EQ(d.state, State::kRuled);
  EXPECT_EQ(d.responsibility, Responsibility::kSeller);
  EXPECT_EQ(d.proposals[d.accepted_proposal].party, Party::kPlatform);
  EXPECT_EQ(d.proposals[d.accepted_proposal].id, "plan");
  EXPECT_EQ(d.proposals[0].status, ProposalStatus::kSuperseded);  // the buyer's
}

TEST(DisputeMachine, ReturnStageEscalationCancelsTheReachedPlan) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Reach(State::kAwaitingSellerReceipt);
  const int accepted = d.accepted_proposal;
  MustApply(d, Ev("wrong-item-back", EventKind::kEscalated, T0() + hours(30)), rules);
  EXPECT_EQ(d.state, State::kArbitrating);
  EXPECT_EQ(d.accepted_proposal, -1);
  EXPECT_EQ(d.agreement, Agreement::kNone);
  EXPECT_EQ(d.proposals[accepted].status, ProposalStatus::kSuperseded);
  EXPECT_TRUE(CheckInvariants(d));
}

TEST(DisputeMachine, SellerTimeoutExecutesTheBuyersProposal) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Reach(State::kAwaitingSellerResponse);
  auto deadlines = OpenDeadlines(d, rules);
  ASSERT_EQ(deadlines.size(), 2u);
  EXPECT_EQ(deadlines[0].name, "seller_response");
  EXPECT_EQ(deadlines[0].due_at, T0() + days(5));
  MustApply(d, TimeoutEvent(d, deadlines[0]), rules);
  EXPECT_EQ(d.state, State::kAgreed);
  EXPECT_EQ(d.agreement, Agreement::kSellerTimeout);
  EXPECT_EQ(d.proposals[d.accepted_proposal].party, Party::kBuyer);
  EXPECT_EQ(d.proposals[d.accepted_proposal].amount, (Money{"10.00", "USD"}));
  EXPECT_TRUE(OpenDeadlines(d, rules).empty());

  // The poll later reports the same outcome: a re-observation, not an error.
  MustApply(d, Agreed("ae-timeout", T0() + days(5) + hours(1), Agreement::kSellerTimeout), rules);
  EXPECT_EQ(d.agreement, Agreement::kSellerTimeout);
}

TEST(DisputeMachine, PlatformStepsInAfterSevenDays) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Reach(State::kNegotiating);
  auto deadlines = OpenDeadlines(d, rules);
  ASSERT_EQ(deadlines.size(), 1u);
  EXPECT_EQ(deadlines[0].name, "platform_intervention");
  EXPECT_EQ(deadlines[0].due_at, T0() + days(7));
  EXPECT_EQ(deadlines[0].actor, Party::kPlatform);
  MustApply(d, TimeoutEvent(d, deadlines[0]), rules);
  EXPECT_EQ(d.state, State::kArbitrating);
  EXPECT_EQ(d.state_entered_at, T0() + days(7));
}

TEST(DisputeMachine, ReturnNotShippedInTenDaysClosesWithoutRefund) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Reach(State::kAwaitingReturnShipment);
  auto deadlines = OpenDeadlines(d, rules);
  ASSERT_EQ(deadlines.size(), 1u);
  EXPECT_EQ(deadlines[0].due_at, T0() + hours(2) + days(10));
  EXPECT_EQ(deadlines[0].actor, Party::kBuyer);
  MustApply(d, TimeoutEvent(d, deadlines[0]), rules);
  EXPECT_EQ(d.state, State::kClosed);
  EXPECT_EQ(d.refund, Refund::kNoRefund);
  EXPECT_FALSE(d.refund_amount.has_value());
}

TEST(DisputeMachine, LegacyAutoEscalationOnDaySixteen) {
  const RuleSet& rules = Rules("aliexpress-legacy");
  Dispute d = Reach(State::kNegotiating, "aliexpress-legacy");
  auto deadlines = OpenDeadlines(d, rules);
  ASSERT_EQ(deadlines.size(), 1u);
  EXPECT_EQ(deadlines[0].name, "auto_escalation");
  EXPECT_EQ(deadlines[0].actor, Party::kBuyer);
  ASSERT_TRUE(deadlines[0].opens_at.has_value());
  EXPECT_EQ(*deadlines[0].opens_at, T0() + days(2));  // from day 3
  EXPECT_EQ(deadlines[0].due_at, T0() + days(15));    // day 16 begins
  MustApply(d, TimeoutEvent(d, deadlines[0]), rules);
  EXPECT_EQ(d.state, State::kArbitrating);
}

TEST(DisputeMachine, LegacySellerTimeoutAlsoRuns) {
  const RuleSet& rules = Rules("aliexpress-legacy");
  Dispute d = Reach(State::kAwaitingSellerResponse, "aliexpress-legacy");
  auto deadlines = OpenDeadlines(d, rules);
  ASSERT_EQ(deadlines.size(), 2u);
  EXPECT_EQ(deadlines[0].name, "seller_response");
  MustApply(d, TimeoutEvent(d, deadlines[0]), rules);
  EXPECT_EQ(d.agreement, Agreement::kSellerTimeout);
}

// Every timeout transition of both AliExpress regimes: each deadline that runs in each state,
// fired at its due time, and where it leads. The table must list every (state, deadline) pair
// the rule sets open, so a new rule cannot go untested.
TEST(DisputeMachine, EveryTimeoutFromEveryState) {
  struct Timeout {
    const char* rule_set;
    State from;
    const char* deadline;
    State to;
  };
  const Timeout kTimeouts[] = {
      {"aliexpress-2024", ASR, "seller_response", AG},
      {"aliexpress-2024", ASR, "platform_intervention", A},
      {"aliexpress-2024", N, "platform_intervention", A},
      {"aliexpress-2024", ARS, "return_shipment", CL},
      {"aliexpress-legacy", ASR, "seller_response", AG},
      {"aliexpress-legacy", ASR, "auto_escalation", A},
      {"aliexpress-legacy", N, "auto_escalation", A},
      {"aliexpress-legacy", ARS, "return_shipment", CL},
  };
  size_t opened = 0;
  for (const char* id : {"aliexpress-2024", "aliexpress-legacy"}) {
    const RuleSet& rules = Rules(id);
    for (State s : kStates) {
      const Dispute d = Reach(s, id);
      for (const Deadline& deadline : OpenDeadlines(d, rules)) {
        SCOPED_TRACE(std::string(id) + " " + std::string(Name(s)) + " " + deadline.name);
        ++opened;
        const Timeout* row = nullptr;
        for (const Timeout& t : kTimeouts) {
          if (t.rule_set == std::string_view(id) && t.from == s && t.deadline == deadline.name) {
            row = &t;
          }
        }
        ASSERT_NE(row, nullptr) << "not in the table";
        Dispute fired = d;
        MustApply(fired, TimeoutEvent(fired, deadline), rules);
        EXPECT_EQ(fired.state, row->to);
        EXPECT_EQ(fired.state_entered_at, deadline.due_at);
        EXPECT_EQ(ExpiryTarget(s, deadline.on_expiry), row->to);
        EXPECT_TRUE(CheckInvariants(fired));
        // The same timer again is a replay.
        auto again = Apply(fired, TimeoutEvent(d, deadline), rules);
        ASSERT_TRUE(again);
        EXPECT_EQ(again.value().outcome, ApplyOutcome::kDuplicate);
      }
    }
  }
  EXPECT_EQ(opened, std::size(kTimeouts));
}

TEST(DisputeMachine, StaleTimerIsRejected) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Reach(State::kAwaitingSellerResponse);
  const DisputeEvent old_timer = TimeoutEvent(d, OpenDeadlines(d, rules)[0]);
  // The buyer changes the proposal on day 1: the seller's 5 days restart.
  MustApply(d, Ev("change", EventKind::kBuyerProposed, T0() + days(1)), rules);
  auto r = Apply(d, old_timer, rules);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("is due at 2024-03-07T00:00:00.000Z"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(d.state, State::kAwaitingSellerResponse);
  // The seller answered before the timer: no seller deadline is running any more.
  MustApply(d, Ev("counter", EventKind::kSellerProposed, T0() + days(2)), rules);
  DisputeEvent timer = old_timer;
  timer.event_id = "timer2";
  timer.occurred_at = T0() + days(6);
  auto late = Apply(d, timer, rules);
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message.find("no deadline 'seller_response' is running"),
            std::string::npos)
      << late.error().message;
}

TEST(DisputeMachine, AfterSalesProtectionHasNoSellerDeadline) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Fresh();
  DisputeEvent open = Opened(T0());
  open.after_sales_protection = true;
  MustApply(d, open, rules);
  auto deadlines = OpenDeadlines(d, rules);
  ASSERT_EQ(deadlines.size(), 1u);
  EXPECT_EQ(deadlines[0].actor, Party::kPlatform);
  DisputeEvent timer = Ev("t", EventKind::kDeadlineExpired, T0() + days(5));
  timer.deadline = "seller_response";
  EXPECT_FALSE(Apply(d, timer, rules));
}

TEST(DisputeMachine, ReplayedEventChangesNothing) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Reach(State::kNegotiating);
  const Dispute before = d;
  for (const DisputeEvent& e : PathTo(State::kNegotiating)) {
    auto r = Apply(d, e, rules);
    ASSERT_TRUE(r);
    EXPECT_EQ(r.value().outcome, ApplyOutcome::kDuplicate);
  }
  // Same id, different content: still the first copy wins.
  DisputeEvent changed = PathTo(State::kNegotiating)[1];
  changed.kind = EventKind::kCancelled;
  auto r = Apply(d, changed, rules);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().outcome, ApplyOutcome::kDuplicate);
  EXPECT_EQ(d, before);
}

TEST(DisputeMachine, LateOlderEventDoesNotMoveStateBackwards) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Fresh();
  MustApply(d, Opened(T0()), rules);
  MustApply(d, Agreed("agree", T0() + hours(3), Agreement::kConsensus, Party::kBuyer), rules);
  // The seller's counter-proposal of hour 1 arrives last: it is replayed before the agreement.
  DisputeEvent counter = Ev("counter", EventKind::kSellerProposed, T0() + hours(1));
  counter.amount = Money{"4.00", "USD"};
  auto r = Apply(d, counter, rules);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r.value().outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(d.state, State::kAgreed);
  // The buyer accepted the seller's counter, which the replay now knows about.
  EXPECT_EQ(d.proposals[d.accepted_proposal].id, "counter");
  EXPECT_EQ(d.proposals[d.accepted_proposal].amount, (Money{"4.00", "USD"}));
}

TEST(DisputeMachine, EventBeforeItsPrerequisiteIsHeldThenReleased) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Fresh();
  auto early = Apply(d, Agreed("agree", T0() + hours(3), Agreement::kConsensus), rules);
  ASSERT_FALSE(early);
  EXPECT_NE(early.error().message.find("has not been opened yet"), std::string::npos);
  EXPECT_EQ(d.state, State::kNone);
  ASSERT_EQ(d.history.size(), 1u);
  EXPECT_FALSE(d.history[0].applied);
  auto open = Apply(d, Opened(T0()), rules);
  ASSERT_TRUE(open);
  EXPECT_EQ(open.value().released, std::vector<std::string>{"agree"});
  EXPECT_EQ(d.state, State::kAgreed);
}

TEST(DisputeMachine, TimerOvertakenByAnEarlierSellerAnswer) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Reach(State::kAwaitingSellerResponse);
  MustApply(d, TimeoutEvent(d, OpenDeadlines(d, rules)[0]), rules);
  ASSERT_EQ(d.agreement, Agreement::kSellerTimeout);
  // The seller had in fact countered on day 4; the poll delivers it after our timer fired.
  DisputeEvent counter = Ev("counter", EventKind::kSellerProposed, T0() + days(4));
  counter.sequence = 7;
  auto r = Apply(d, counter, rules);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(d.state, State::kNegotiating);
  ASSERT_EQ(r.value().unapplied.size(), 1u);
  EXPECT_EQ(r.value().unapplied[0], "d1/deadline/seller_response/1709683200000");
}

TEST(DisputeMachine, AnswerAtExactlyTheDueTimeIsLate) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Reach(State::kAwaitingSellerResponse);
  const DisputeEvent timer = TimeoutEvent(d, OpenDeadlines(d, rules)[0]);
  DisputeEvent counter = Ev("counter", EventKind::kSellerProposed, timer.occurred_at);
  counter.sequence = 3;  // a logged event sorts after the timer (sequence 0) at the same instant
  MustApply(d, counter, rules);
  MustApply(d, timer, rules);
  EXPECT_EQ(d.state, State::kAgreed);
  EXPECT_EQ(d.agreement, Agreement::kSellerTimeout);
  EXPECT_FALSE(d.history.back().applied);  // the counter came too late
}

// Snapshots arriving newest first: each implies the opening under one id; the earliest copy
// ends in the history, so the opening time (and the deadlines counted from it) does not depend
// on the order of arrival.
TEST(DisputeMachine, TheEarliestCopyOfAnImpliedEventWins) {
  const RuleSet& rules = Rules("aliexpress-2024");
  auto implied_open = [](int hour) {
    DisputeEvent e = Opened(T0() + hours(hour));
    e.event_id = "d1#opened";
    e.implied = true;
    return e;
  };
  Dispute late_first = Fresh();
  MustApply(late_first, implied_open(30), rules);
  auto replaced = Apply(late_first, implied_open(10), rules);
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced.value().outcome, ApplyOutcome::kReplaced);
  EXPECT_EQ(late_first.opened_at, T0() + hours(10));
  ASSERT_EQ(late_first.history.size(), 1u);
  // A later copy changes nothing, nor does a non-implied event reusing an id.
  auto later = Apply(late_first, implied_open(20), rules);
  ASSERT_TRUE(later);
  EXPECT_EQ(later.value().outcome, ApplyOutcome::kDuplicate);
  DisputeEvent seen = implied_open(1);
  seen.implied = false;
  EXPECT_EQ(Apply(late_first, seen, rules).value().outcome, ApplyOutcome::kDuplicate);

  Dispute in_order = Fresh();
  MustApply(in_order, implied_open(10), rules);
  ASSERT_TRUE(Apply(in_order, implied_open(30), rules));
  EXPECT_EQ(in_order, late_first);
  EXPECT_EQ(OpenDeadlines(in_order, rules), OpenDeadlines(late_first, rules));
}

TEST(DisputeMachine, ImpliedEventsAreSkippedSilently) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Reach(State::kAgreed);
  DisputeEvent implied_open = Opened(T0() + hours(5));
  implied_open.event_id = "snapshot-open";
  implied_open.implied = true;
  auto r = Apply(d, implied_open, rules);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().outcome, ApplyOutcome::kSkipped);
  EXPECT_EQ(d.state, State::kAgreed);
}

TEST(DisputeMachine, RejectsMissingIdWrongRulesAndOverflow) {
  Dispute d = Fresh();
  DisputeEvent e = Opened(T0());
  e.event_id.clear();
  auto r = Apply(d, e, Rules("aliexpress-2024"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kMissingField);
  auto wrong = Apply(d, Opened(T0()), Rules("aliexpress-legacy"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::kInvalidField);

  const RuleSet& rules = Rules("aliexpress-2024");
  MustApply(d, Opened(T0()), rules);
  for (size_t i = 1; i < kMaxHistory; ++i) {
    auto ok = Apply(d, EvidenceEvent("ev" + std::to_string(i), T0() + hours(1), Evidence::kPhotos),
                    rules);
    ASSERT_TRUE(ok);
  }
  auto full = Apply(d, EvidenceEvent("one-more", T0() + hours(1), Evidence::kVideo), rules);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, Errc::kPayloadTooLarge);
}

TEST(DisputeMachine, ReasonAndStatusFollowTheLatestEvent) {
  const RuleSet& rules = Rules("aliexpress-2024");
  Dispute d = Fresh();
  MustApply(d, Opened(T0()), rules);
  EXPECT_EQ(d.reason, Reason::kDamaged);
  DisputeEvent change = Ev("change", EventKind::kBuyerProposed, T0() + hours(1));
  change.reason = Reason::kWrongItem;
  change.marketplace_status = "WAIT_SELLER_CONFIRM_REFUND";
  MustApply(d, change, rules);
  EXPECT_EQ(d.reason, Reason::kWrongItem);
  EXPECT_EQ(d.marketplace_status, "WAIT_SELLER_CONFIRM_REFUND");
}

}  // namespace
}  // namespace csgw::disputes
