#include "odr/counting.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "disputes/machine.h"
#include "disputes/rules.h"
#include "odr/test_util.h"

namespace csgw::odr {
namespace {

using namespace testing;  // NOLINT: test builders
using disputes::ReasonGroup;
using disputes::State;

struct Input {
  proto::Event event;
  EventContext context;
};

InMemoryCounters Count(const std::vector<Input>& inputs, std::vector<std::string> ids) {
  std::vector<RuleSet> sets;
  for (const std::string& id : ids) sets.push_back(Rules(id));
  Recount recount(std::move(sets));
  for (const Input& in : inputs) {
    auto ok = recount.Add(in.event, in.context);
    EXPECT_TRUE(ok) << ok.error().message;
  }
  return recount.counters();
}

int64_t Get(const InMemoryCounters& c, std::string_view rules, Day day, std::string_view name) {
  auto it = c.all().find(CounterKey{"s1", std::string(rules), day});
  if (it == c.all().end()) return 0;
  auto v = it->second.find(std::string(name));
  return v == it->second.end() ? 0 : v->second;
}

// Σ of a counter over all days.
int64_t Total(const InMemoryCounters& c, std::string_view rules, std::string_view name) {
  int64_t sum = 0;
  for (const auto& [key, counters] : c.all()) {
    if (key.rule_set != rules) continue;
    if (auto it = counters.find(std::string(name)); it != counters.end()) sum += it->second;
  }
  return sum;
}

constexpr std::string_view kAe = "aliexpress-2015@1";

TEST(OdrCounting, AttributionDayIsBeijingTime) {
  // 2024-03-31T17:30Z is 2024-04-01 01:30 in Beijing (UTC+8): April 1st for AliExpress.
  auto c =
      Count({{Order("e1", "o1", At("2024-03-31T17:30:00Z"), proto::ORDER_STATUS_COMPLETED), {}}},
            {"aliexpress-2015"});
  EXPECT_EQ(Get(c, kAe, D("2024-04-01"), "orders_completed"), 1);
  EXPECT_EQ(Get(c, kAe, D("2024-03-31"), "orders_completed"), 0);
  // 15:59:59Z is still 23:59:59 of the same Beijing day.
  auto c2 =
      Count({{Order("e1", "o1", At("2024-03-31T15:59:59Z"), proto::ORDER_STATUS_COMPLETED), {}}},
            {"aliexpress-2015"});
  EXPECT_EQ(Get(c2, kAe, D("2024-03-31"), "orders_completed"), 1);
}

TEST(OdrCounting, DisputeCountersFollowTheDisputeOutcome) {
  const TimePoint t = At("2024-05-10T02:00:00Z");  // 10:00 Beijing, May 10th
  std::vector<Input> in;
  proto::Event shipped = Order("s-o1", "o1", t - days(5), proto::ORDER_STATUS_SHIPPED);
  shipped.mutable_order_update()->set_tracking_number("LP001");
  in.push_back({shipped, {}});
  // o1: NR dispute opened after tracking, then cancelled by the buyer.
  EventContext cancelled;
  cancelled.dispute = Outcome(t, ReasonGroup::kNotReceived, State::kCancelled);
  in.push_back({Dispute("d1", "o1", t, "not_received"), cancelled});
  // o2: SNAD dispute opened without any tracking: not counted by the dispute rate (RULES.md §2).
  EventContext open;
  open.dispute = Outcome(t, ReasonGroup::kNotAsDescribed, State::kAwaitingSellerResponse);
  in.push_back({Dispute("d2", "o2", t, "not_as_described"), open});
  // o3: shipped with tracking, dispute escalated and ruled seller-responsible.
  proto::Event shipped3 = Order("s-o3", "o3", t - days(9), proto::ORDER_STATUS_SHIPPED);
  shipped3.mutable_order_update()->set_tracking_number("LP003");
  in.push_back({shipped3, {}});
  EventContext ruled;
  ruled.dispute = Outcome(t, ReasonGroup::kNotAsDescribed, State::kRuled);
  ruled.dispute->escalated_at = t + days(8);
  ruled.dispute->responsibility = disputes::Responsibility::kSeller;
  in.push_back({Dispute("d3", "o3", t, "not_as_described"), ruled});
  auto c = Count(in, {"aliexpress-2015"});
  const Day may10 = D("2024-05-10");
  EXPECT_EQ(Get(c, kAe, may10, "disputes_filed"), 2);          // o1, o3 (o2 had no tracking)
  EXPECT_EQ(Get(c, kAe, may10, "disputes_not_cancelled"), 1);  // o3 only
  EXPECT_EQ(Get(c, kAe, may10, "nr_disputes"), 1);
  EXPECT_EQ(Get(c, kAe, may10, "snad_disputes"), 1);
  // The claim counts on its escalation day (May 18th), not on the opening day.
  EXPECT_EQ(Get(c, kAe, D("2024-05-18"), "claims_filed"), 1);
  EXPECT_EQ(Get(c, kAe, D("2024-05-18"), "claims_seller_responsible"), 1);
  EXPECT_EQ(Total(c, kAe, "claims_filed"), 1);
}

TEST(OdrCounting, PositiveFeedbackExclusionsAndNeutral) {
  const TimePoint t = At("2024-06-01T04:00:00Z");
  std::vector<Input> in;
  // Each order from a different buyer, so the 10-day rule does not interfere.
  in.push_back({Feedback("f1", "o1", t, 5, "b1"), Usd("12.00")});  // counted positive
  in.push_back({Feedback("f2", "o2", t, 4, "b2"), Usd("5.00")});   // exactly $5: counted
  in.push_back({Feedback("f3", "o3", t, 5, "b3"), Usd("4.99")});   // under $5: excluded
  in.push_back({Feedback("f4", "o4", t, 3, "b4"), Usd("20.00")});  // neutral: in neither
  in.push_back({Feedback("f5", "o5", t, 1, "b5"), Usd("20.00")});  // counted negative
  // o6: NR dispute that went to arbitration: its 1★ is not counted.
  in.push_back({Feedback("f6", "o6", t, 1, "b6"), Usd("20.00")});
  EventContext arbitrated;
  arbitrated.dispute = Outcome(t - days(20), ReasonGroup::kNotReceived, State::kArbitrating);
  arbitrated.dispute->escalated_at = t - days(10);
  in.push_back({Dispute("d6", "o6", t - days(20), "not_received"), arbitrated});
  // o7: NR dispute cancelled before arbitration: its 2★ still counts.
  in.push_back({Feedback("f7", "o7", t, 2, "b7"), Usd("20.00")});
  EventContext cancelled;
  cancelled.dispute = Outcome(t - days(20), ReasonGroup::kNotReceived, State::kCancelled);
  in.push_back({Dispute("d7", "o7", t - days(20), "not_received"), cancelled});
  // o8: return (return-and-refund) dispute, SNAD reason, arbitrated: excluded too.
  in.push_back({Feedback("f8", "o8", t, 5, "b8"), Usd("20.00")});
  EventContext ret = arbitrated;
  ret.dispute->reason = ReasonGroup::kNotAsDescribed;
  ret.dispute->return_requested = true;
  in.push_back({Dispute("d8", "o8", t - days(20), "return"), ret});
  // o9: SNAD refund-only dispute arbitrated: not an NR/return dispute, so counted.
  in.push_back({Feedback("f9", "o9", t, 5, "b9"), Usd("20.00")});
  EventContext snad = arbitrated;
  snad.dispute->reason = ReasonGroup::kNotAsDescribed;
  in.push_back({Dispute("d9", "o9", t - days(20), "refund_only"), snad});
  auto c = Count(in, {"aliexpress-2015"});
  // positive: f1, f2, f9 = 3; negative: f5, f7 = 2. Rate 3 / (3 + 2) = 60 %.
  EXPECT_EQ(Total(c, kAe, "feedback_positive"), 3);
  EXPECT_EQ(Total(c, kAe, "feedback_negative"), 2);
}

TEST(OdrCounting, OneBuyerCountsOncePerTenDays) {
  const TimePoint t = At("2024-06-01T04:00:00Z");
  std::vector<Input> in = {
      {Feedback("f1", "o1", t, 5, "b1"), Usd("10")},                          // counted (opens)
      {Feedback("f2", "o2", t + days(3), 1, "b1"), Usd("10")},                // within 10 d: no
      {Feedback("f3", "o3", t + days(10) - minutes(1), 1, "b1"), Usd("10")},  // 9d23h59m: no
      {Feedback("f4", "o4", t + days(10), 1, "b1"), Usd("10")},  // exactly 10 d: counted
      {Feedback("f5", "o5", t + days(12), 5, "b1"), Usd("10")},  // within f4's period: no
      {Feedback("f6", "o6", t + days(3), 5, "b2"), Usd("10")},   // other buyer: counted
  };
  auto c = Count(in, {"aliexpress-2015"});
  EXPECT_EQ(Total(c, kAe, "feedback_positive"), 2);  // f1, f6
  EXPECT_EQ(Total(c, kAe, "feedback_negative"), 1);  // f4
  // A late-arriving earlier rating of b1 (f0, 5 days before f1) opens the first period instead:
  // f0's period (t−5d .. t+5d) swallows f1 and f2; the next rating, f3 (t+10d−1m), opens the
  // next period, which swallows f4 (t+10d) and f5 (t+12d). Counted: f0 (5★), f3 (1★), f6 (5★).
  in.push_back({Feedback("f0", "o0", t - days(5), 5, "b1"), Usd("10")});
  auto c2 = Count(in, {"aliexpress-2015"});
  EXPECT_EQ(Total(c2, kAe, "feedback_positive"), 2);
  EXPECT_EQ(Total(c2, kAe, "feedback_negative"), 1);
  EXPECT_EQ(Get(c2, kAe, D("2024-06-11"), "feedback_negative"), 1);  // f3: Jun 11 11:59 Beijing
  EXPECT_EQ(Get(c2, kAe, D("2024-06-11"), "feedback_positive"), 0);
}

TEST(OdrCounting, RecountIsIdenticalWhateverTheOrderAndReplays) {
  // A realistic mix: orders, disputes driven through the real dispute machine, feedback from
  // repeat buyers, late buyer ids. The dispute outcome given with each event is the machine's
  // state after the events of that dispute seen so far, as the live pipeline would pass it.
  const TimePoint t = At("2024-04-01T00:00:00Z");
  struct Raw {
    proto::Event event;
    EventContext context;
    std::optional<disputes::DisputeEvent> dispute_event;
  };
  std::vector<Raw> raw;
  for (int i = 0; i < 40; ++i) {
    const std::string o = "o" + std::to_string(i);
    const std::string buyer = "b" + std::to_string(i % 7);
    const TimePoint placed = t + hours(13 * i);
    raw.push_back(
        {Order("p" + o, o, placed, proto::ORDER_STATUS_PAID), Usd(i % 5 ? "9.50" : "3.00"), {}});
    proto::Event ship = Order("s" + o, o, placed + days(2), proto::ORDER_STATUS_SHIPPED);
    if (i % 4 != 0) ship.mutable_order_update()->set_tracking_number("T" + o);
    raw.push_back({ship, {}, {}});
    if (i % 6 == 5) {
      EventContext cancel;
      cancel.cancelled_by = disputes::Party::kSeller;
      raw.push_back(
          {Order("c" + o, o, placed + days(1), proto::ORDER_STATUS_CANCELLED), cancel, {}});
    } else {
      raw.push_back({Order("d" + o, o, placed + days(12), proto::ORDER_STATUS_COMPLETED), {}, {}});
    }
    if (i % 3 == 0) {
      disputes::DisputeEvent opened;
      opened.event_id = "open";
      opened.kind = disputes::EventKind::kOpened;
      opened.occurred_at = placed + days(15);
      opened.actor = disputes::Party::kBuyer;
      opened.solution = disputes::Solution::kRefundOnly;
      opened.reason = i % 2 ? disputes::Reason::kInTransit : disputes::Reason::kDamaged;
      raw.push_back({Dispute("do" + o, o, placed + days(15), "refund_only"), {}, opened});
      disputes::DisputeEvent next;
      next.event_id = "next";
      next.occurred_at = placed + days(17);
      next.kind = i % 9 == 0 ? disputes::EventKind::kCancelled : disputes::EventKind::kEscalated;
      raw.push_back({Dispute("dn" + o, o, placed + days(17), "refund_only"), {}, next});
    }
    proto::Event fb =
        Feedback("f" + o, o, placed + days(14) + hours(i % 5), 1 + (i * 7) % 5, buyer);
    if (i % 8 == 0) fb.mutable_buyer()->clear_id();  // buyer id learned from a later event
    raw.push_back({fb, {}, {}});
    if (i % 8 == 0) {
      proto::Event later = Order("x" + o, o, placed + days(20), proto::ORDER_STATUS_COMPLETED);
      later.mutable_buyer()->set_id(buyer);
      raw.push_back({later, {}, {}});
    }
  }
  const disputes::RuleSet& dispute_rules =
      *disputes::FindRuleSet(disputes::DefaultRuleSets(), "aliexpress-2024");
  auto run = [&](std::vector<Raw> order, int repeat) {
    std::map<std::string, disputes::Dispute> machine;
    std::vector<Input> inputs;
    for (int r = 0; r < repeat; ++r) {
      for (Raw& x : order) {
        if (x.dispute_event) {
          const std::string& o = x.event.order().order_id();
          auto [it, fresh] = machine.try_emplace(
              o, disputes::NewDispute("d-" + o, "aliexpress", "s1", o, "aliexpress-2024"));
          (void)disputes::Apply(it->second, *x.dispute_event, dispute_rules);  // dupes: kDuplicate
          x.context.dispute = OutcomeOf(it->second);
        }
        inputs.push_back({x.event, x.context});
      }
    }
    return Count(inputs, {"aliexpress-2015", "aliexpress-daily"});
  };
  const InMemoryCounters in_order = run(raw, 1);
  EXPECT_GT(Total(in_order, kAe, "feedback_positive"), 0);
  EXPECT_GT(Total(in_order, kAe, "claims_filed"), 0);
  EXPECT_EQ(run(raw, 2), in_order);  // every event delivered twice
  std::mt19937 rng(42);
  for (int round = 0; round < 5; ++round) {
    std::vector<Raw> shuffled = raw;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    EXPECT_EQ(run(shuffled, 1), in_order) << "shuffle " << round;
  }
}

TEST(OdrCounting, AmazonDefectsCountOncePerOrderOnTheOrderDay) {
  const TimePoint placed = At("2024-05-01T18:00:00Z");  // May 1st 11:00 in Los Angeles
  std::vector<Input> in;
  in.push_back({Order("p1", "o1", placed, proto::ORDER_STATUS_PAID, "amazon"), {}});
  in.push_back({Feedback("f1", "o1", placed + days(9), 1, "b1", "amazon"), {}});
  in.push_back({Dispute("a1", "o1", placed + days(12), "a_to_z", "amazon"), {}});
  in.push_back({Order("p2", "o2", placed, proto::ORDER_STATUS_PAID, "amazon"), {}});
  EventContext denied;  // A-to-z claim decided for the seller: not a defect
  denied.dispute = Outcome(placed + days(12), ReasonGroup::kNotReceived, State::kRuled);
  denied.dispute->escalated_at = placed + days(13);
  denied.dispute->responsibility = disputes::Responsibility::kBuyer;
  in.push_back({Dispute("a2", "o2", placed + days(12), "a_to_z", "amazon"), denied});
  // Late shipment: ship-by May 3rd 00:00 UTC, shipped an hour later.
  EventContext ship_by;
  ship_by.ship_by = At("2024-05-03T00:00:00Z");
  in.push_back(
      {Order("s2", "o2", At("2024-05-03T01:00:00Z"), proto::ORDER_STATUS_SHIPPED, "amazon"),
       ship_by});
  auto c = Count(in, {"amazon"});
  const Day may1 = D("2024-05-01");
  EXPECT_EQ(Get(c, "amazon@1", may1, "orders"), 2);
  EXPECT_EQ(Get(c, "amazon@1", may1, "orders_with_defect"), 1);  // o1 once, with two defects
  EXPECT_EQ(Get(c, "amazon@1", may1, "negative_feedback"), 1);
  EXPECT_EQ(Get(c, "amazon@1", may1, "a_to_z_claims"), 1);
  // Shipped May 2nd 18:00 in Los Angeles.
  EXPECT_EQ(Get(c, "amazon@1", D("2024-05-02"), "late_shipments"), 1);
  EXPECT_EQ(Total(c, "amazon@1", "late_shipments"), 1);
}

TEST(OdrCounting, BotRepliesDoNotAnswerAConversation) {
  const TimePoint t = At("2024-05-01T08:00:00Z");
  EventContext bot;
  bot.bot_reply = true;
  std::vector<Input> in = {
      {Message("m1", "c1", t, proto::SENDER_ROLE_BUYER), {}},
      {Message("m2", "c1", t + minutes(1), proto::SENDER_ROLE_SELLER), bot},
      {Message("m3", "c1", t + hours(25), proto::SENDER_ROLE_SELLER), {}},  // human, late
      {Message("m4", "c2", t, proto::SENDER_ROLE_BUYER), {}},
      {Message("m5", "c2", t + hours(2), proto::SENDER_ROLE_SELLER), {}},
      {Message("m6", "c3", t, proto::SENDER_ROLE_BUYER), {}},  // unanswered
  };
  auto c = Count(in, {"replies", "amazon"});
  const Day may1 = D("2024-05-01");
  EXPECT_EQ(Get(c, "replies@1", may1, "conversations"), 3);
  EXPECT_EQ(Get(c, "replies@1", may1, "answered"), 2);
  EXPECT_EQ(Get(c, "replies@1", may1, "answered_within_sla"), 1);  // c2 only
  // 25 h + 2 h = 27 h = 97200 s.
  EXPECT_EQ(Get(c, "replies@1", may1, "first_response_seconds"), 97200);
  EXPECT_EQ(Get(c, "amazon@1", may1, "answered_within_sla"), 1);
}

// --- csgw's own sends ---------------------------------------------------------------------

// A seller-side message the marketplace reported, with its id.
Input Echo(std::string event_id, std::string chat, TimePoint at, std::string message_id) {
  proto::Event e = Message(std::move(event_id), std::move(chat), at, proto::SENDER_ROLE_SELLER);
  e.mutable_buyer_message()->set_message_id(std::move(message_id));
  return {std::move(e), {}};
}

// csgw's "sent" step of outbox entry `outbox` (the marketplace's message id when it gave one).
Input Sent(std::string outbox, std::string chat, TimePoint at, SendAuthor by,
           std::string message_id = "") {
  proto::Event e = Base("csgw:" + outbox + ":sent", "amazon", "", at);
  e.clear_order();
  auto& u = *e.mutable_outbound_update();
  u.set_outbox_id(std::move(outbox));
  u.set_step("sent");
  u.set_conversation_id(std::move(chat));
  u.set_marketplace_message_id(std::move(message_id));
  EventContext context;
  context.csgw_send = by;
  return {std::move(e), context};
}

Input Asked(std::string id, std::string chat, TimePoint at) {
  return {Message(std::move(id), std::move(chat), at, proto::SENDER_ROLE_BUYER), {}};
}

constexpr std::string_view kReplies = "replies@1";
constexpr auto kAuto = SendAuthor::kAutomatic;
constexpr auto kAgent = SendAuthor::kAgent;

TEST(OdrCounting, AnAutomaticReplyAloneLeavesTheConversationUnanswered) {
  const TimePoint t = At("2024-05-01T08:00:00Z");
  for (bool echo_first : {true, false}) {
    std::vector<Input> in = {Asked("q1", "c1", t)};
    Input echo = Echo("e1", "c1", t + std::chrono::seconds(4), "mp-1");
    Input sent = Sent("ob-1", "c1", t + std::chrono::seconds(5), kAuto, "mp-1");
    in.push_back(echo_first ? echo : sent);
    in.push_back(echo_first ? sent : echo);
    auto c = Count(in, {"replies"});
    EXPECT_EQ(Total(c, kReplies, "conversations"), 1);
    EXPECT_EQ(Total(c, kReplies, "answered"), 0) << "echo first: " << echo_first;
    EXPECT_EQ(Total(c, kReplies, "first_response_seconds"), 0);
  }
  // Without csgw's sent event the echo is an ordinary seller message: a human reply. This is
  // what the test above would count if the sent event were ignored.
  auto c = Count({Asked("q1", "c1", t), Echo("e1", "c1", t + std::chrono::seconds(4), "mp-1")},
                 {"replies"});
  EXPECT_EQ(Total(c, kReplies, "answered"), 1);
}

TEST(OdrCounting, AnAgentAfterTheBotAnswersAtTheAgentsTime) {
  const TimePoint t = At("2024-05-01T08:00:00Z");
  // The bot at once; the agent through csgw 3 h later; the marketplace dates the agent's
  // message 2 s before csgw's sent step (clocks): the earlier report is the message's time.
  std::vector<Input> in = {
      Asked("q1", "c1", t),
      Sent("ob-1", "c1", t + std::chrono::seconds(5), kAuto, "mp-1"),
      Echo("e1", "c1", t + std::chrono::seconds(5), "mp-1"),
      Sent("ob-2", "c1", t + hours(3), kAgent, "mp-2"),
      Echo("e2", "c1", t + hours(3) - std::chrono::seconds(2), "mp-2"),
  };
  auto c = Count(in, {"replies"});
  const Day may1 = D("2024-05-01");
  EXPECT_EQ(Get(c, kReplies, may1, "answered"), 1);
  EXPECT_EQ(Get(c, kReplies, may1, "answered_within_sla"), 1);
  EXPECT_EQ(Get(c, kReplies, may1, "first_response_seconds"), 3 * 3600 - 2);  // once, not twice
  // Before (or without) the marketplace's echo the agent's send is already the answer.
  in.pop_back();
  EXPECT_EQ(Get(Count(in, {"replies"}), kReplies, may1, "first_response_seconds"), 3 * 3600);
}

TEST(OdrCounting, SendsWithoutMarketplaceIdsArePairedWithTheNearestEcho) {
  const TimePoint t = At("2024-05-01T08:00:00Z");
  using std::chrono::seconds;
  // AliExpress returns no id for a sent message: its echo is the report nearest in time.
  // c1: the bot at t+10 s (echo dated t+9 s), a seller-center reply at t+40 s: that one answers.
  // c2: the bot's echo never came; a seller-center reply 10 min later is past the tolerance.
  // c3: the bot's echo came; nothing else.
  std::vector<Input> in = {
      Asked("q1", "c1", t),
      Sent("ob-1", "c1", t + seconds(10), kAuto),
      Echo("e1", "c1", t + seconds(9), "mp-1"),
      Echo("e2", "c1", t + seconds(40), "mp-2"),
      Asked("q2", "c2", t),
      Sent("ob-2", "c2", t + seconds(10), kAuto),
      Echo("e3", "c2", t + minutes(10), "mp-3"),
      Asked("q3", "c3", t),
      Sent("ob-3", "c3", t + seconds(10), kAuto),
      Echo("e4", "c3", t + seconds(12), "mp-4"),
  };
  auto c = Count(in, {"replies"});
  EXPECT_EQ(Total(c, kReplies, "conversations"), 3);
  EXPECT_EQ(Total(c, kReplies, "answered"), 2);
  EXPECT_EQ(Total(c, kReplies, "first_response_seconds"), 40 + 600);
}

TEST(OdrCounting, RepliesDoNotDependOnArrivalOrderOrRedelivery) {
  const TimePoint t = At("2024-05-01T22:00:00Z");
  using std::chrono::seconds;
  std::vector<Input> in = {
      // c1: bot, then an agent through csgw the next day (past 24 h), both echoed.
      Asked("q1", "c1", t),
      Sent("ob-1", "c1", t + seconds(3), kAuto, "mp-1"),
      Echo("e1", "c1", t + seconds(3), "mp-1"),
      Sent("ob-2", "c1", t + hours(25), kAgent, "mp-2"),
      Echo("e2", "c1", t + hours(25) + seconds(1), "mp-2"),
      // c2: a proactive message before the buyer wrote, the bot, a seller-center reply.
      Sent("ob-3", "c2", t - hours(2), kAuto, "mp-3"),
      Echo("e3", "c2", t - hours(2), "mp-3"),
      Asked("q2", "c2", t + minutes(5)),
      Sent("ob-4", "c2", t + minutes(5) + seconds(2), kAuto),
      Echo("e4", "c2", t + minutes(5) + seconds(1), "mp-4"),
      Echo("e5", "c2", t + minutes(50), "mp-5"),
      // c3: bot only, no ids; a second buyer message.
      Asked("q3", "c3", t + hours(1)),
      Sent("ob-5", "c3", t + hours(1) + seconds(2), kAuto),
      Echo("e6", "c3", t + hours(1) + seconds(1), "mp-6"),
      Asked("q4", "c3", t + hours(5)),
      // c4: an agent's send only, never echoed.
      Asked("q5", "c4", t),
      Sent("ob-6", "c4", t + hours(2), kAgent, "mp-7"),
  };
  Recount in_order({Rules("replies"), Rules("amazon")});
  for (const Input& i : in) ASSERT_TRUE(in_order.Add(i.event, i.context));
  const Day may1 = D("2024-05-01");
  const auto& c = in_order.counters();
  // c1, c4 and c3 start on May 1st; c2's buyer wrote at 22:05 the same day.
  EXPECT_EQ(Get(c, kReplies, may1, "conversations"), 4);
  EXPECT_EQ(Get(c, kReplies, may1, "answered"), 3);             // c1, c2, c4
  EXPECT_EQ(Get(c, kReplies, may1, "answered_within_sla"), 2);  // c2, c4
  EXPECT_EQ(Get(c, kReplies, may1, "first_response_seconds"), 25 * 3600 + 45 * 60 + 2 * 3600);

  auto run = [&](const std::vector<Input>& order) {
    Recount r({Rules("replies"), Rules("amazon")});
    for (const Input& i : order) EXPECT_TRUE(r.Add(i.event, i.context));
    return std::pair(r.counters().all(), r.conversations());
  };
  const auto expected = std::pair(in_order.counters().all(), in_order.conversations());
  std::vector<Input> reversed(in.rbegin(), in.rend());
  EXPECT_EQ(run(reversed), expected);
  std::vector<Input> doubled = in;
  doubled.insert(doubled.end(), in.begin(), in.end());
  EXPECT_EQ(run(doubled), expected);
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::vector<Input> shuffled = doubled;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    EXPECT_EQ(run(shuffled), expected) << "shuffle " << round;
  }
}

TEST(OdrCounting, ALegacyConversationIsTakenOverWithoutCountingTwice) {
  const TimePoint t = At("2024-05-01T08:00:00Z");
  const std::vector<RuleSet> sets = {Rules("replies")};
  // Counted under the marketplace's thread: every seller message human, times only.
  ConversationFacts legacy;
  legacy.store_id = "s1";
  legacy.conversation_id = "thread-1";
  legacy.marketplace = "amazon";
  legacy.first_buyer_at = t;
  legacy.seller_messages["@1"] = {t + hours(30), true, false, false, false};
  // Taken over by an empty entity, it keeps its figures: nothing moves.
  auto alone = AbsorbConversation(sets, ConversationFacts{}, legacy);
  ASSERT_TRUE(alone);
  EXPECT_TRUE(alone.value().deltas.empty());
  // What the old live counting had put in: the legacy record's contribution.
  InMemoryCounters counters;
  auto old = ConversationContribution(Rules("replies"), legacy);
  ASSERT_TRUE(old);
  for (const auto& [day, values] : old.value()) {
    counters.Apply(CounterDelta{CounterKey{"s1", std::string(kReplies), day}, values});
  }
  ASSERT_EQ(Total(counters, kReplies, "answered"), 1);
  // The new entity already holds an agent's send 2 h after the buyer, not seen before.
  ConversationFacts current;
  Input agent = Sent("ob-1", "c1", t + hours(2), kAgent, "mp-1");
  current = FoldConversation(current, agent.event, agent.context);
  auto into = ConversationContribution(Rules("replies"), current);
  ASSERT_TRUE(into);  // nothing: no buyer message in it yet
  EXPECT_TRUE(into.value().empty());
  auto moved = AbsorbConversation(sets, current, legacy);
  ASSERT_TRUE(moved);
  counters.Apply(moved.value().deltas);
  EXPECT_EQ(moved.value().conversation.conversation_id, "c1");
  EXPECT_EQ(moved.value().conversation.first_buyer_at, t);
  EXPECT_EQ(Total(counters, kReplies, "conversations"), 1);
  EXPECT_EQ(Total(counters, kReplies, "answered_within_sla"), 1);
  EXPECT_EQ(Total(counters, kReplies, "first_response_seconds"), 2 * 3600);
}

TEST(OdrCounting, NonFulfilmentCountsSellerCancellationsOnly) {
  const TimePoint t = At("2024-05-10T02:00:00Z");
  EventContext seller;
  seller.cancelled_by = disputes::Party::kSeller;
  EventContext buyer;
  buyer.cancelled_by = disputes::Party::kBuyer;
  std::vector<Input> in = {
      {Order("p1", "o1", t, proto::ORDER_STATUS_PAID), {}},
      {Order("c1", "o1", t + days(3), proto::ORDER_STATUS_CANCELLED), seller},
      {Order("p2", "o2", t, proto::ORDER_STATUS_PAID), {}},
      {Order("c2", "o2", t + days(1), proto::ORDER_STATUS_CANCELLED), buyer},  // not counted
      {Order("p3", "o3", t, proto::ORDER_STATUS_PAID), {}},
      {Order("c3", "o3", t + days(1), proto::ORDER_STATUS_CANCELLED), {}},  // cause unknown
  };
  auto c = Count(in, {"aliexpress-2015"});
  EXPECT_EQ(Get(c, kAe, D("2024-05-10"), "orders_placed"), 3);
  // Counted on the cancellation day (May 13th Beijing), seller's reason only.
  EXPECT_EQ(Get(c, kAe, D("2024-05-13"), "non_fulfilled"), 1);
  EXPECT_EQ(Total(c, kAe, "non_fulfilled"), 1);
  // Conflicting reports of the cause: the seller's fault wins whatever the order.
  in.push_back({Order("c2b", "o2", t + days(1), proto::ORDER_STATUS_CANCELLED), seller});
  EXPECT_EQ(Total(Count(in, {"aliexpress-2015"}), kAe, "non_fulfilled"), 2);
}

TEST(OdrCounting, EbayDefectsAreSellerCancellationsAndCasesLost) {
  const TimePoint t = At("2024-05-10T20:00:00Z");  // May 10th 13:00 in Los Angeles
  EventContext seller;
  seller.cancelled_by = disputes::Party::kSeller;
  EventContext lost;  // eBay stepped in and refunded the buyer
  lost.dispute = Outcome(t + days(5), ReasonGroup::kNotReceived, State::kClosed);
  lost.dispute->escalated_at = t + days(8);
  lost.dispute->refund = disputes::Refund::kFull;
  EventContext solved;  // the seller refunded before eBay stepped in: no defect
  solved.dispute = Outcome(t + days(5), ReasonGroup::kNotReceived, State::kClosed);
  solved.dispute->refund = disputes::Refund::kFull;
  std::vector<Input> in = {
      {Order("p1", "o1", t, proto::ORDER_STATUS_PAID, "ebay"), {}},
      {Order("c1", "o1", t + days(1), proto::ORDER_STATUS_CANCELLED, "ebay"), seller},
      {Order("p2", "o2", t, proto::ORDER_STATUS_PAID, "ebay"), {}},
      {Dispute("d2", "o2", t + days(9), "not_received", "ebay"), lost},
      {Order("p3", "o3", t, proto::ORDER_STATUS_PAID, "ebay"), {}},
      {Dispute("d3", "o3", t + days(9), "not_received", "ebay"), solved},
  };
  auto c = Count(in, {"ebay"});
  const Day may10 = D("2024-05-10");
  EXPECT_EQ(Get(c, "ebay@1", may10, "transactions"), 3);
  EXPECT_EQ(Get(c, "ebay@1", may10, "transactions_with_defect"), 2);  // o1, o2
  EXPECT_EQ(Get(c, "ebay@1", may10, "cases_closed_without_seller_resolution"), 1);
  // Other marketplaces' rule sets ignore eBay events.
  EXPECT_EQ(Total(Count(in, {"aliexpress-2015"}), kAe, "orders_placed"), 0);
}

TEST(OdrCounting, OrderEventWithoutOrderIdIsAnError) {
  Recount recount({Rules("aliexpress-2015")});
  proto::Event e = Order("e1", "", At("2024-05-10T02:00:00Z"), proto::ORDER_STATUS_PAID);
  auto r = recount.Add(e, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kMissingField);
}

TEST(OdrCounters, EncodingRoundTripsAndMergesAdditively) {
  const Counters a = {{"orders", 5}, {"disputes", 2}};
  const Counters b = {{"orders", -5}, {"claims", 1}};
  EXPECT_EQ(MergeCounters(a, b), (Counters{{"disputes", 2}, {"claims", 1}}));
  auto decoded = DecodeCounters(EncodeCounters(a));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.value(), a);
  auto merged = MergeEncoded(EncodeCounters(a), EncodeCounters(b));
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged.value(), EncodeCounters(MergeCounters(a, b)));
  // Associative: (a + b) + c == a + (b + c), as a merge operator may group operands.
  const Counters c = {{"claims", -1}, {"orders", 7}};
  EXPECT_EQ(MergeCounters(MergeCounters(a, b), c), MergeCounters(a, MergeCounters(b, c)));
  auto first = MergeEncoded("", EncodeCounters(a));
  ASSERT_TRUE(first);
  EXPECT_EQ(first.value(), EncodeCounters(a));
  // The merge operator's run sum equals the fold of MergeEncoded, in any grouping.
  EncodedCounterSum sum;
  const std::string ea = EncodeCounters(a), eb = EncodeCounters(b), ec = EncodeCounters(c);
  for (const std::string* e : {&ea, &eb, &ec}) ASSERT_TRUE(sum.Add(*e));
  EXPECT_EQ(sum.Encode(), EncodeCounters(MergeCounters(MergeCounters(a, b), c)));
  EXPECT_EQ(EncodedCounterSum().Encode(), EncodeCounters({}));
  EncodedCounterSum bad;
  EXPECT_FALSE(bad.Add("xx"));
  EXPECT_FALSE(bad.Add(std::string("c1\x02"
                                   "zz\x02\x02"
                                   "aa\x02",
                                   10)));  // names out of order
  EXPECT_FALSE(DecodeCounters("xx"));
  EXPECT_FALSE(
      DecodeCounters(std::string("c1\x05"
                                 "ab",
                                 5)));

  const CounterKey key{"store-7", "aliexpress-2015@1", D("2024-04-01")};
  auto bytes = EncodeCounterKey(key);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes.value(), std::string("odr1\0store-7\0aliexpress-2015@1\0"
                                       "20240401",
                                       39));
  auto back = DecodeCounterKey(bytes.value());
  ASSERT_TRUE(back);
  EXPECT_EQ(back.value(), key);
  // Days sort in byte order: a window is a contiguous range scan.
  EXPECT_LT(EncodeCounterKey({"s", "r", D("2024-03-31")}).value(),
            EncodeCounterKey({"s", "r", D("2024-04-01")}).value());
  EXPECT_FALSE(EncodeCounterKey({std::string("a\0b", 3), "r", D("2024-04-01")}));
}

}  // namespace
}  // namespace csgw::odr
