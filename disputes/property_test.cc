// Property tests over random event sequences: the machine never reaches a state that breaks
// its invariants, never drops a running deadline while the dispute stays where the deadline
// runs, and ends in the same dispute whatever order the same events arrive in.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "disputes/deadlines.h"
#include "disputes/machine.h"
#include "disputes/test_util.h"

namespace csgw::disputes {
namespace {

using namespace testing;  // NOLINT: test builders

constexpr int kSequences = 3000;
constexpr int kMaxEvents = 24;

template <class T>
T Pick(std::mt19937& rng, std::initializer_list<T> values) {
  std::uniform_int_distribution<size_t> d(0, values.size() - 1);
  return *(values.begin() + d(rng));
}

DisputeEvent RandomEvent(std::mt19937& rng, const Dispute& d, const RuleSet& rules, TimePoint& now,
                         int index) {
  std::uniform_int_distribution<int> percent(0, 99);
  std::uniform_int_distribution<int> hours_step(0, 60);
  DisputeEvent e;
  e.event_id = "e" + std::to_string(index);
  e.sequence = static_cast<uint64_t>(index + 1);
  // A timer firing: a third of the time when something is running.
  auto deadlines = OpenDeadlines(d, rules);
  if (!deadlines.empty() && percent(rng) < 33) {
    const Deadline& dl =
        deadlines[std::uniform_int_distribution<size_t>(0, deadlines.size() - 1)(rng)];
    if (dl.due_at >= now) {
      e = TimeoutEvent(d, dl);
      now = dl.due_at;
      return e;
    }
  }
  now += std::chrono::hours(hours_step(rng));
  e.occurred_at = now;
  e.kind = static_cast<EventKind>(
      std::uniform_int_distribution<int>(0, static_cast<int>(EventKind::kSellerOffered))(rng));
  e.implied = percent(rng) < 10;
  e.actor = Pick(rng, {Party::kBuyer, Party::kSeller, Party::kPlatform});
  e.solution = Pick(rng, {Solution::kRefundOnly, Solution::kReturnAndRefund, Solution::kResend});
  if (percent(rng) < 70) e.amount = Money{std::to_string(percent(rng)) + ".50", "USD"};
  if (percent(rng) < 20) e.proposal_id = "p" + std::to_string(percent(rng) % 4);
  e.agreement = Pick(rng, {Agreement::kConsensus, Agreement::kSellerTimeout});
  e.accepted_by = Pick(rng, {Party::kNone, Party::kBuyer, Party::kSeller});
  e.responsibility = Pick(rng, {Responsibility::kSeller, Responsibility::kBuyer,
                                Responsibility::kNeither, Responsibility::kUnknown});
  e.refund = Pick(rng, {Refund::kFull, Refund::kPartial, Refund::kNoRefund});
  e.evidence = Pick(rng, {Evidence::kPhotos, Evidence::kVideo, Evidence::kTrackingDelivered});
  if (percent(rng) < 10) e.after_sales_protection = percent(rng) < 50;
  if (percent(rng) < 15) e.reason = Pick(rng, {Reason::kDamaged, Reason::kInTransit});
  if (e.kind == EventKind::kDeadlineExpired) e.deadline = "seller_response";
  if (e.kind == EventKind::kSellerOffered) {
    // As MapOwnProposal builds them: the seller's, without marketplace flags.
    e.actor = Party::kSeller;
    e.after_sales_protection.reset();
    e.reason.reset();
  }
  // Open early in most sequences so that they go somewhere.
  if (index == 0 && percent(rng) < 90) e.kind = EventKind::kOpened;
  return e;
}

const DeadlineRule* RuleNamed(const RuleSet& rules, const std::string& name) {
  for (const DeadlineRule& r : rules.deadlines) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

// A running deadline may only disappear when the dispute leaves the states it runs in, ends,
// or the platform takes over a seller deadline (after-sales protection); a restart keeps the
// name with a new due time.
void ExpectNoLostDeadline(const std::vector<Deadline>& before, const Dispute& after,
                          const RuleSet& rules) {
  const auto now = OpenDeadlines(after, rules);
  for (const Deadline& d : before) {
    const bool kept =
        std::any_of(now.begin(), now.end(), [&](const Deadline& n) { return n.name == d.name; });
    if (kept) continue;
    const DeadlineRule* rule = RuleNamed(rules, d.name);
    ASSERT_NE(rule, nullptr);
    const bool left =
        std::find(rule->states.begin(), rule->states.end(), after.state) == rule->states.end();
    const bool excused = rule->actor == Party::kSeller && after.after_sales_protection;
    EXPECT_TRUE(left || excused || !IsOpen(after.state))
        << "deadline " << d.name << " lost in state " << Name(after.state);
  }
  // And every open state that a rule covers has its deadline.
  for (const DeadlineRule& rule : rules.deadlines) {
    const bool covered =
        std::find(rule.states.begin(), rule.states.end(), after.state) != rule.states.end();
    const bool excused = rule.actor == Party::kSeller && after.after_sales_protection;
    if (!covered || excused) continue;
    EXPECT_TRUE(
        std::any_of(now.begin(), now.end(), [&](const Deadline& n) { return n.name == rule.name; }))
        << rule.name << " missing in " << Name(after.state);
  }
}

void ApplyChecked(Dispute& d, const DisputeEvent& e, const RuleSet& rules) {
  const Dispute before = d;
  auto r = Apply(d, e, rules);
  if (!r) {
    ASSERT_EQ(r.error().code, Errc::kInvalidField) << r.error().message;
    EXPECT_EQ(d.state, before.state);
    EXPECT_EQ(d.proposals, before.proposals);
    EXPECT_EQ(d.agreement, before.agreement);
  }
  auto ok = CheckInvariants(d);
  ASSERT_TRUE(ok) << ok.error().message;
}

TEST(DisputeProperty, RandomSequencesKeepInvariantsDeadlinesAndOrderIndependence) {
  std::mt19937 rng(20240301);
  int applied = 0;
  int rejected = 0;
  int offered = 0;
  std::map<State, int> finals;
  for (int seq = 0; seq < kSequences; ++seq) {
    const char* id = seq % 2 == 0 ? "aliexpress-2024" : "aliexpress-legacy";
    const RuleSet& rules = Rules(id);
    Dispute in_order = Fresh(id);
    std::vector<DisputeEvent> events;
    TimePoint now = T0();
    const int count = std::uniform_int_distribution<int>(1, kMaxEvents)(rng);
    for (int i = 0; i < count; ++i) {
      DisputeEvent e = RandomEvent(rng, in_order, rules, now, i);
      const auto deadlines_before = OpenDeadlines(in_order, rules);
      const State state_before = in_order.state;
      auto r = Apply(in_order, e, rules);
      r ? ++applied : ++rejected;
      if (r && e.kind == EventKind::kSellerOffered) {
        // csgw's own proposal never moves the state nor stops or restarts a deadline.
        ++offered;
        EXPECT_EQ(in_order.state, state_before) << "sequence " << seq;
        EXPECT_EQ(OpenDeadlines(in_order, rules), deadlines_before) << "sequence " << seq;
      }
      auto ok = CheckInvariants(in_order);
      ASSERT_TRUE(ok) << "sequence " << seq << ": " << ok.error().message;
      ASSERT_NO_FATAL_FAILURE(ExpectNoLostDeadline(deadlines_before, in_order, rules))
          << "sequence " << seq << " event " << i;
      events.push_back(std::move(e));
    }
    finals[in_order.state]++;

    // Same events, shuffled arrival, times untouched: the same dispute.
    std::vector<DisputeEvent> shuffled = events;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    // Some arrive twice.
    if (!events.empty()) shuffled.push_back(events[seq % events.size()]);
    Dispute out_of_order = Fresh(id);
    for (const DisputeEvent& e : shuffled) {
      ASSERT_NO_FATAL_FAILURE(ApplyChecked(out_of_order, e, rules)) << "sequence " << seq;
    }
    ASSERT_EQ(out_of_order, in_order)
        << "sequence " << seq << " ends in " << Name(out_of_order.state) << " instead of "
        << Name(in_order.state);
  }
  // The generator reaches every state, and both legal and illegal events: the properties above
  // were exercised, not vacuous.
  for (State s : {State::kAwaitingSellerResponse, State::kNegotiating, State::kArbitrating,
                  State::kAgreed, State::kRuled, State::kAwaitingReturnShipment,
                  State::kAwaitingSellerReceipt, State::kClosed, State::kCancelled}) {
    EXPECT_GT(finals[s], 0) << Name(s);
  }
  EXPECT_GT(offered, 100);
  EXPECT_GT(applied, 10000);
  EXPECT_GT(rejected, 10000);
}

}  // namespace
}  // namespace csgw::disputes
