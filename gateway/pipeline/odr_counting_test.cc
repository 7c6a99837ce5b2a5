// ODR counting through the real pipeline and store: a worked AliExpress example checked by hand
// (every 2015 metric and every exclusion), the replies metrics, window edges in Beijing time,
// idempotent redelivery, `rebuild` giving the live figures, and alerts with signed webhooks.
#include "gateway/pipeline/odr_counting.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "base/crypto.h"
#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/outbound/outbox.h"
#include "gateway/pipeline/conversations.h"
#include "gateway/pipeline/odr_alerts.h"
#include "gateway/pipeline/pipeline.h"
#include "gateway/pipeline/reply_flow.h"
#include "odr/facts_codec.h"
#include "odr/report.h"
#include "tests/support/mock_marketplace.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

using csgw::testing::TempDir;

constexpr char kShop[] = "ae-1";
constexpr char kAe2015[] = "aliexpress-2015@1";

TimePoint At(const std::string& iso) { return *ParseIsoDateTime(iso); }
odr::Day D(const char* text) { return *odr::ParseDay(text); }

proto::Event Base(const std::string& id, const std::string& order, const std::string& at,
                  const std::string& marketplace = "aliexpress") {
  proto::Event e;
  e.set_event_id(id);
  e.set_marketplace(marketplace);
  e.set_store_id(kShop);
  if (!order.empty()) e.mutable_order()->set_order_id(order);
  SetTimestamp(e.mutable_occurred_at(), At(at));
  return e;
}

proto::Event Created(const std::string& order, const std::string& at, const std::string& usd) {
  proto::Event e = Base(order + "-created", order, at);
  e.mutable_order_update()->set_status(proto::ORDER_STATUS_CREATED);
  e.mutable_order_update()->mutable_total()->set_amount(usd);
  e.mutable_order_update()->mutable_total()->set_currency("USD");
  return e;
}

proto::Event Shipped(const std::string& order, const std::string& at) {
  proto::Event e = Base(order + "-shipped", order, at);
  e.mutable_order_update()->set_status(proto::ORDER_STATUS_SHIPPED);
  e.mutable_order_update()->set_tracking_number("LP00" + order);
  return e;
}

proto::Event Completed(const std::string& order, const std::string& at) {
  proto::Event e = Base(order + "-completed", order, at);
  e.mutable_order_update()->set_status(proto::ORDER_STATUS_COMPLETED);
  return e;
}

proto::Event Cancelled(const std::string& order, const std::string& at, const std::string& why) {
  proto::Event e = Base(order + "-cancelled", order, at);
  e.mutable_order_update()->set_status(proto::ORDER_STATUS_CANCELLED);
  e.mutable_order_update()->set_reason(why);
  return e;
}

// An AliExpress issue status (legacy API words), through the real dispute machine.
proto::Event Issue(const std::string& id, const std::string& order, const std::string& status,
                   const std::string& reason, const std::string& at) {
  proto::Event e = Base(id, order, at);
  auto& d = *e.mutable_dispute_update();
  d.set_dispute_id("issue-" + order);
  d.set_marketplace_status(status);
  d.set_reason(reason);
  return e;
}

proto::Event Feedback(const std::string& order, int stars, const std::string& buyer,
                      const std::string& at) {
  proto::Event e = Base(order + "-feedback", order, at);
  e.mutable_buyer()->set_id(buyer);
  e.mutable_feedback_posted()->set_feedback_id("fb-" + order);
  e.mutable_feedback_posted()->set_rating(stars);
  return e;
}

proto::Event Message(const std::string& id, const std::string& chat, proto::SenderRole sender,
                     const std::string& at) {
  proto::Event e = Base(id, "", at);
  e.mutable_buyer()->set_id("buyer-" + chat);
  auto& m = *e.mutable_buyer_message();
  m.set_kind(proto::BuyerMessage::KIND_NEW);
  m.set_message_id(id);
  m.set_conversation_id(chat);
  m.set_sender(sender);
  m.set_text(sender == proto::SENDER_ROLE_BUYER ? "Where is my order?" : "It is on its way.");
  return e;
}

// The conversation the pipeline files Message(..., chat, ...) under: buyer "buyer-<chat>".
std::string ConversationOf(const std::string& chat) {
  return ConversationId(Message("probe", chat, proto::SENDER_ROLE_BUYER, "2024-01-01T00:00:00Z"));
}

// csgw's own record of a send in `chat`, as the outbox appends it (OutboundEvent): `step`
// "sent" unless told, the marketplace's message id when it returned one.
proto::Event Sent(const std::string& outbox, const std::string& chat, const std::string& by,
                  const std::string& at, const std::string& message_id = "",
                  const std::string& kind = "reply", const std::string& step = "sent") {
  proto::OutboxEntry entry;
  entry.set_id(outbox);
  entry.set_marketplace("aliexpress");
  entry.set_store_id(kShop);
  entry.set_conversation_id(ConversationOf(chat));
  entry.set_buyer_id("buyer-" + chat);
  entry.set_kind(kind);
  entry.set_requested_by(by);
  entry.set_marketplace_message_id(message_id);
  return OutboundEvent(entry, step, At(at));
}

// Replies around csgw's sends, on March 20th (UTC, the replies rule set's zone; SLA 24 h):
//   a: the bot at once (echo first, sent event after): unanswered.
//   b: the bot, then agent lena through csgw 3 h later; AliExpress returns no message ids, so
//      each send is one message with the report nearest in time (±2 min); lena's is dated
//      12:59:58 by the marketplace, 13:00:00 by csgw: answered at 12:59:58, 10 798 s.
//   c: a proactive message (scheduler) before the buyer wrote, then a seller-center reply half
//      an hour after the buyer: 1 800 s.
//   d: the buyer at 23:00, agent omar through csgw 26 h later, never echoed: 93 600 s, late.
//   e: an agent's send only queued (not sent) and a dispute proposal: neither is a reply.
std::vector<proto::Event> RepliesScenario() {
  const auto buyer = proto::SENDER_ROLE_BUYER;
  const auto seller = proto::SENDER_ROLE_SELLER;
  return {
      Message("qa", "chat-a", buyer, "2024-03-20T10:00:00Z"),
      Message("mp-a1", "chat-a", seller, "2024-03-20T10:00:04Z"),
      Sent("ob-a1", "chat-a", "auto", "2024-03-20T10:00:05Z", "mp-a1"),
      Message("qb", "chat-b", buyer, "2024-03-20T10:00:00Z"),
      Sent("ob-b1", "chat-b", "auto", "2024-03-20T10:00:05Z"),
      Message("mp-b1", "chat-b", seller, "2024-03-20T10:00:04Z"),
      Sent("ob-b2", "chat-b", "agent:lena", "2024-03-20T13:00:00Z"),
      Message("mp-b2", "chat-b", seller, "2024-03-20T12:59:58Z"),
      Sent("ob-c0", "chat-c", "scheduler", "2024-03-20T08:00:00Z", "mp-c0", "order_shipped"),
      Message("mp-c0", "chat-c", seller, "2024-03-20T08:00:00Z"),
      Message("qc", "chat-c", buyer, "2024-03-20T09:00:00Z"),
      Message("mp-c1", "chat-c", seller, "2024-03-20T09:30:00Z"),
      Message("qd", "chat-d", buyer, "2024-03-20T23:00:00Z"),
      Sent("ob-d1", "chat-d", "agent:omar", "2024-03-22T01:00:00Z"),
      Message("qe", "chat-e", buyer, "2024-03-20T12:00:00Z"),
      Sent("ob-e1", "chat-e", "agent:lena", "2024-03-20T12:05:00Z", "", "reply", "queued"),
      Sent("ob-e2", "chat-e", "agent:lena", "2024-03-20T12:10:00Z", "", "dispute_proposal"),
  };
}

// The worked example (Beijing time = UTC+8; every event at 02:00Z, i.e. 10:00 in Beijing).
std::vector<proto::Event> Scenario() {
  std::vector<proto::Event> events;
  auto add = [&](proto::Event e) { events.push_back(std::move(e)); };
  for (int i = 1; i <= 9; ++i) {
    const std::string o = "o" + std::to_string(i);
    add(Created(o, "2024-03-01T02:00:00Z", o == "o2" ? "3.00" : "20.00"));  // o2 under US$5
  }
  for (const char* o : {"o1", "o2", "o6", "o7", "o8"}) add(Shipped(o, "2024-03-02T02:00:00Z"));
  add(Shipped("o3", "2024-03-03T02:00:00Z"));
  add(Shipped("o9", "2024-03-05T02:00:00Z"));
  add(Completed("o1", "2024-03-10T02:00:00Z"));
  add(Completed("o2", "2024-03-11T02:00:00Z"));
  add(Completed("o6", "2024-03-12T02:00:00Z"));
  add(Completed("o7", "2024-03-12T02:00:00Z"));
  add(Completed("o8", "2024-03-20T02:00:00Z"));
  add(Cancelled("o4", "2024-03-03T02:00:00Z", "out_of_stock"));   // the seller's fault
  add(Cancelled("o5", "2024-03-03T02:00:00Z", "buyer_request"));  // not counted
  // o3: not received, escalated to arbitration.
  add(Issue("iss-3a", "o3", "WAIT_SELLER_CONFIRM_REFUND", "not_received", "2024-03-15T02:00:00Z"));
  add(Issue("iss-3b", "o3", "ARBITRATING", "not_received", "2024-03-20T02:00:00Z"));
  // o9: not as described, cancelled by the buyer.
  add(Issue("iss-9a", "o9", "WAIT_SELLER_CONFIRM_REFUND", "Color_not_as_described@3rdIssueReason",
            "2024-03-16T02:00:00Z"));
  add(Issue("iss-9b", "o9", "canceled_issue", "Color_not_as_described@3rdIssueReason",
            "2024-03-17T02:00:00Z"));
  add(Feedback("o2", 5, "b2", "2024-03-12T02:00:00Z"));  // excluded: under US$5
  add(Feedback("o1", 2, "b3", "2024-03-12T02:00:00Z"));  // negative
  add(Feedback("o6", 5, "b1", "2024-03-13T02:00:00Z"));  // b1's first: counted
  add(Feedback("o7", 1, "b1", "2024-03-14T02:00:00Z"));  // within b1's 10 days: not counted
  add(Feedback("o8", 4, "b1", "2024-03-25T02:00:00Z"));  // 12 days later: counted
  add(Feedback("o3", 5, "b4", "2024-03-25T02:00:00Z"));  // excluded: NR dispute arbitrated
  add(Feedback("o9", 3, "b5", "2024-03-26T02:00:00Z"));  // neutral: neither side of the rate
  // Replies: answered in 5 h, and in 48 h (past the 24 h SLA).
  add(Message("m1", "chat-1", proto::SENDER_ROLE_BUYER, "2024-03-10T00:00:00Z"));
  add(Message("m2", "chat-1", proto::SENDER_ROLE_SELLER, "2024-03-10T05:00:00Z"));
  add(Message("m3", "chat-2", proto::SENDER_ROLE_BUYER, "2024-03-10T00:00:00Z"));
  add(Message("m4", "chat-2", proto::SENDER_ROLE_SELLER, "2024-03-12T00:00:00Z"));
  return events;
}

// Every counter and fact record the store holds for kShop.
struct Snapshot {
  std::map<std::string, std::vector<std::pair<odr::Day, odr::Counters>>> counters;
  std::map<std::string, std::string> facts;  // key → record, empty buyer records left out
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

class RecordingSink final : public OdrAlertSink {
 public:
  Result<void> Enqueue(const odr::Alert& alert, outbound::HttpRequest request,
                       StateBatch&) override {
    sent.emplace_back(alert, std::move(request));
    return Ok();
  }
  std::vector<std::pair<odr::Alert, outbound::HttpRequest>> sent;
};

class OdrCountingTest : public ::testing::Test {
 protected:
  OdrCountingTest()
      : clock_(At("2024-03-31T12:00:00Z")),
        classifier_(templates::MakeRuleClassifier()),
        catalog_(templates::Catalog::Default()),
        drafter_(detector_, *classifier_, catalog_) {
    config_.set_max_conversation_messages(200);
    config_.set_max_conversation_drafts(50);
    Open();
  }

  // A fresh store for each `name`; the same one again for the same name.
  void Open(const std::string& name = "db") {
    pipeline_.reset();
    store_.reset();
    StoreOptions options;
    options.dir = dir_.Sub(name);
    options.sync = false;
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store).value();
    pipeline_ = std::make_unique<Pipeline>(*store_, drafter_, config_, clock_);
  }

  void Append(std::vector<proto::Event> events) {
    auto appended = store_->Append(std::move(events));
    ASSERT_TRUE(appended) << appended.error().message;
  }

  // Processes everything pending, `batch` items at a time.
  void Drain(size_t batch = 256) {
    while (true) {
      auto processed = pipeline_->ProcessPending(batch);
      ASSERT_TRUE(processed) << processed.error().message;
      if (processed.value() == 0) return;
    }
  }

  odr::Report Report(const char* id, const char* day) {
    const odr::RuleSet* rules = odr::FindRuleSet(odr::DefaultRuleSets(), id);
    EXPECT_NE(rules, nullptr);
    StoreCounterSource source(*store_);
    auto report = odr::BuildReport(*rules, source, kShop, D(day));
    EXPECT_TRUE(report) << report.error().message;
    return report ? report.value() : odr::Report{};
  }

  Snapshot Take() {
    Snapshot s;
    auto rule_sets = store_->CounterRuleSets(kShop);
    EXPECT_TRUE(rule_sets);
    for (const std::string& key : rule_sets.value()) {
      auto rows = store_->ReadCounters(kShop, key, D("2000-01-01"), D("2100-01-01"));
      EXPECT_TRUE(rows);
      s.counters[key] = rows.value();
    }
    std::string prefix(kShop);
    prefix.push_back('\0');
    auto facts = store_->ScanRecords(Table::kOdrFacts, prefix, "", 100000);
    EXPECT_TRUE(facts);
    for (const auto& [key, value] : facts.value()) {
      auto buyer = odr::DecodeBuyerFacts(value);
      if (buyer && buyer.value().orders.empty()) continue;  // a buyer whose orders moved away
      s.facts[key] = value;
    }
    return s;
  }

  static const odr::MetricReport& Metric(const odr::Report& r, const std::string& name) {
    for (const auto& m : r.metrics) {
      if (m.name == name) return m;
    }
    ADD_FAILURE() << "no metric " << name;
    static const odr::MetricReport none;
    return none;
  }

  ManualClock clock_;
  TempDir dir_;
  i18n::LanguageDetector detector_;
  std::unique_ptr<templates::IntentClassifier> classifier_;
  templates::CatalogHolder catalog_;
  templates::Drafter drafter_;
  proto::TemplatesConfig config_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<Pipeline> pipeline_;
};

TEST_F(OdrCountingTest, WorkedAliExpressExampleCheckedByHand) {
  Append(Scenario());
  Drain();
  const odr::Report r = Report("aliexpress-2015", "2024-03-31");
  auto figures = [&](const std::string& name) {
    const odr::MetricReport& m = Metric(r, name);
    return std::pair<int64_t, int64_t>(m.numerator, m.denominator);
  };
  using P = std::pair<int64_t, int64_t>;
  // Completed: o1 o2 o6 o7 o8 = 5. Disputes filed after tracking: o3, o9 = 2; not cancelled: o3.
  EXPECT_EQ(figures("dispute_rate"), P(1, 7));
  // Claims: o3 (escalated); resolved without arbitration: none.
  EXPECT_EQ(figures("arbitration_rate"), P(1, 6));
  EXPECT_EQ(figures("seller_responsible_rate"), P(0, 6));  // not ruled yet
  EXPECT_EQ(figures("nr_dispute_rate"), P(1, 7));          // o3
  EXPECT_EQ(figures("snad_dispute_rate"), P(1, 7));        // o9, even though cancelled
  // Placed: 9; the seller's cancellation o4 (the buyer's o5 is not a violation).
  EXPECT_EQ(figures("non_fulfilment_rate"), P(1, 9));
  // Positive: b1 on o6 and o8 (o7 inside b1's 10 days); negative: b3 on o1. Excluded: o2 (under
  // US$5) and o3 (NR dispute escalated to arbitration); b5's 3★ on o9 is neutral.
  EXPECT_EQ(figures("positive_feedback_rate"), P(2, 3));
  EXPECT_EQ(figures("dsr_described"), P(0, 0));  // no DSR in the events
  EXPECT_EQ(Metric(r, "dispute_rate").status, odr::Status::kFailing);
  EXPECT_EQ(r.grade, "fail");
  // Attribution days (Beijing): o3's claim on March 20th, o4's violation on March 3rd.
  EXPECT_EQ(Metric(r, "arbitration_rate").trend.back().day, D("2024-03-31"));
  int64_t claims_on_20th = 0;
  for (const auto& p : Metric(r, "arbitration_rate").trend) {
    if (p.day == D("2024-03-20")) claims_on_20th = p.numerator;
  }
  EXPECT_EQ(claims_on_20th, 1);

  const odr::Report replies = Report("replies", "2024-03-31");
  // Two conversations, one answered within 24 h; first responses 5 h and 48 h.
  EXPECT_EQ(Metric(replies, "answered_within_sla").numerator, 1);
  EXPECT_EQ(Metric(replies, "answered_within_sla").denominator, 2);
  EXPECT_EQ(Metric(replies, "first_response_time").numerator, 5 * 3600 + 48 * 3600);
  EXPECT_EQ(Metric(replies, "first_response_time").denominator, 2);
  // Rule sets of other marketplaces counted nothing.
  auto keys = store_->CounterRuleSets(kShop);
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys.value(), (std::vector<std::string>{"aliexpress-2015@1", "aliexpress-daily@1",
                                                    "replies@1"}));
}

TEST_F(OdrCountingTest, RebuildGivesTheLiveFiguresWhateverTheBatching) {
  Append(Scenario());
  Drain(/*batch=*/3);  // many small batches: facts carried from one to the next by the store
  const Snapshot live = Take();
  ASSERT_FALSE(live.counters.empty());
  ASSERT_FALSE(live.facts.empty());

  // Redelivered under new event ids (a push and a poll of the same facts): counted once.
  std::vector<proto::Event> again = Scenario();
  for (auto& e : again) e.set_event_id(e.event_id() + "-poll");
  Append(again);
  Drain(/*batch=*/256);
  EXPECT_EQ(Take(), live);

  pipeline_.reset();
  auto rebuilt = RebuildOdr(*store_, OdrRules());
  ASSERT_TRUE(rebuilt) << rebuilt.error().message;
  EXPECT_EQ(rebuilt.value().stores, 1u);
  EXPECT_EQ(rebuilt.value().failed, 0u);
  EXPECT_EQ(rebuilt.value().counted, 2 * Scenario().size());
  EXPECT_EQ(Take(), live);

  // A second rebuild over the rebuilt store changes nothing either.
  ASSERT_TRUE(RebuildOdr(*store_, OdrRules()));
  EXPECT_EQ(Take(), live);
}

TEST_F(OdrCountingTest, RebuildRepairsLostCountersAndLiveCountingGoesOnFromIt) {
  std::vector<proto::Event> events = Scenario();
  std::vector<proto::Event> later(events.end() - 6, events.end());
  events.resize(events.size() - 6);
  Append(events);
  Drain();
  const Snapshot first = Take();
  // Damage: one store's figures wiped (as if counted by an older rule set).
  ASSERT_TRUE(store_->ReplaceOdr(kShop, {}, {}));
  EXPECT_TRUE(Take().counters.empty());
  ASSERT_TRUE(RebuildOdr(*store_, OdrRules(), kShop));
  EXPECT_EQ(Take(), first);
  Append(later);
  Drain();
  const Snapshot live = Take();
  // Counted from scratch, all events give what the repaired figures plus live counting gave.
  ASSERT_TRUE(RebuildOdr(*store_, OdrRules()));
  EXPECT_EQ(Take(), live);
}

// Amazon and eBay through the same pipeline, in Los Angeles time, checked by hand.
TEST_F(OdrCountingTest, WorkedAmazonAndEbayExamplesCheckedByHand) {
  std::vector<proto::Event> events;
  auto order = [&](const std::string& mp, const std::string& o, proto::OrderStatus status,
                   const std::string& at) -> proto::Event& {
    proto::Event e = Base(o + "/" + std::to_string(status), o, at, mp);
    e.mutable_order_update()->set_status(status);
    events.push_back(std::move(e));
    return events.back();
  };
  // Amazon: ten orders placed March 10th 11:00 in Los Angeles, to ship by the 12th.
  for (int i = 0; i < 10; ++i) {
    proto::Event& e = order("amazon", "a" + std::to_string(i), proto::ORDER_STATUS_CREATED,
                            "2024-03-10T18:00:00Z");
    SetTimestamp(e.mutable_order_update()->mutable_ship_by(), At("2024-03-12T18:00:00Z"));
  }
  for (int i = 0; i < 6; ++i) {  // a0..a5 on time, with tracking
    order("amazon", "a" + std::to_string(i), proto::ORDER_STATUS_SHIPPED, "2024-03-11T18:00:00Z")
        .mutable_order_update()
        ->set_tracking_number("1Z" + std::to_string(i));
  }
  order("amazon", "a6", proto::ORDER_STATUS_SHIPPED, "2024-03-13T18:00:00Z")  // late
      .mutable_order_update()
      ->set_tracking_number("1Z6");
  order("amazon", "a7", proto::ORDER_STATUS_SHIPPED, "2024-03-11T18:00:00Z");  // no tracking
  order("amazon", "a8", proto::ORDER_STATUS_CANCELLED, "2024-03-11T18:00:00Z")
      .mutable_order_update()
      ->set_reason("seller_out_of_stock");
  order("amazon", "a9", proto::ORDER_STATUS_CANCELLED, "2024-03-11T18:00:00Z")
      .mutable_order_update()
      ->set_reason("buyer_request");
  // Defects: a1 has a 2★ rating and a chargeback (one defective order), a2 an A-to-z claim.
  proto::Event f = Base("a1/feedback", "a1", "2024-03-14T18:00:00Z", "amazon");
  f.mutable_buyer()->set_id("amz-buyer-1");
  f.mutable_feedback_posted()->set_feedback_id("fa1");
  f.mutable_feedback_posted()->set_rating(2);
  events.push_back(f);
  for (const auto& [o, type] : {std::pair<std::string, std::string>{"a1", "chargeback"},
                                std::pair<std::string, std::string>{"a2", "a_to_z"}}) {
    proto::Event d = Base(o + "/claim", o, "2024-03-14T18:00:00Z", "amazon");
    d.mutable_dispute_update()->set_dispute_id("claim-" + o);
    d.mutable_dispute_update()->set_dispute_type(type);
    events.push_back(d);
  }
  // Messages: one answered in 23 h, one never.
  for (auto m : {Message("q1", "amz-chat-1", proto::SENDER_ROLE_BUYER, "2024-03-10T18:00:00Z"),
                 Message("r1", "amz-chat-1", proto::SENDER_ROLE_SELLER, "2024-03-11T17:00:00Z"),
                 Message("q2", "amz-chat-2", proto::SENDER_ROLE_BUYER, "2024-03-10T18:00:00Z")}) {
    m.set_marketplace("amazon");
    events.push_back(m);
  }
  // eBay: 50 transactions, one placed in November (inside the 12-month window used under 400
  // transactions), two cancelled by the seller, one shipped late.
  for (int i = 0; i < 50; ++i) {
    proto::Event& e = order("ebay", "e" + std::to_string(i), proto::ORDER_STATUS_CREATED,
                            i == 0 ? "2023-11-10T18:00:00Z" : "2024-04-10T18:00:00Z");
    SetTimestamp(e.mutable_order_update()->mutable_ship_by(), At("2024-04-12T18:00:00Z"));
  }
  order("ebay", "e1", proto::ORDER_STATUS_CANCELLED, "2024-04-11T18:00:00Z")
      .mutable_order_update()
      ->set_reason("seller_cancelled");
  order("ebay", "e2", proto::ORDER_STATUS_CANCELLED, "2024-04-11T18:00:00Z")
      .mutable_order_update()
      ->set_reason("out_of_stock");
  for (int i = 3; i < 50; ++i) {
    order("ebay", "e" + std::to_string(i), proto::ORDER_STATUS_SHIPPED,
          i == 3 ? "2024-04-15T18:00:00Z" : "2024-04-11T18:00:00Z");
  }
  Append(events);
  Drain();

  const odr::Report amazon = Report("amazon", "2024-03-15");
  auto figures = [](const odr::Report& r, const std::string& name) {
    const odr::MetricReport& m = Metric(r, name);
    return std::pair<int64_t, int64_t>(m.numerator, m.denominator);
  };
  using P = std::pair<int64_t, int64_t>;
  EXPECT_EQ(figures(amazon, "order_defect_rate"), P(2, 10));          // a1, a2
  EXPECT_EQ(figures(amazon, "late_shipment_rate"), P(1, 8));          // a6 of 8 shipped
  EXPECT_EQ(figures(amazon, "pre_fulfilment_cancel_rate"), P(1, 10));  // a8, not a9
  EXPECT_EQ(figures(amazon, "valid_tracking_rate"), P(7, 8));         // a7 has none
  EXPECT_EQ(figures(amazon, "reply_within_24h"), P(1, 2));
  EXPECT_EQ(amazon.grade, "critical");  // ODR 20 % ≥ 1 %
  // The 7-day cancel window: on March 17th the 10th is out (11th .. 17th).
  EXPECT_EQ(figures(Report("amazon", "2024-03-17"), "pre_fulfilment_cancel_rate"), P(0, 0));
  EXPECT_EQ(figures(Report("amazon", "2024-03-16"), "pre_fulfilment_cancel_rate"), P(1, 10));

  const odr::Report ebay = Report("ebay", "2024-05-20");
  // Under 400 transactions in 3 months: the 12-month window, which holds November's.
  EXPECT_EQ(Metric(ebay, "transaction_defect_rate").window_from, D("2023-05-21"));
  EXPECT_EQ(figures(ebay, "transaction_defect_rate"), P(2, 50));  // e1, e2
  EXPECT_EQ(figures(ebay, "late_shipment_rate"), P(1, 47));       // e3
  EXPECT_EQ(ebay.grade, "below_standard");                        // 4 % > 2 %
}

TEST_F(OdrCountingTest, BotOnlyRepliesDoNotCountWorkedExampleCheckedByHand) {
  Append(RepliesScenario());
  Drain();
  const odr::Report r = Report("replies", "2024-03-31");
  // Conversations a b c d e; answered b c d; within 24 h b c.
  EXPECT_EQ(Metric(r, "answered_within_sla").numerator, 2);
  EXPECT_EQ(Metric(r, "answered_within_sla").denominator, 5);
  // 10 798 + 1 800 + 93 600 = 106 198 s over 3 answered.
  EXPECT_EQ(Metric(r, "first_response_time").numerator, 106198);
  EXPECT_EQ(Metric(r, "first_response_time").denominator, 3);
  EXPECT_EQ(Metric(r, "answered_within_sla").status, odr::Status::kFailing);  // 40 % < 90 %
  // All on the buyers' first day, March 20th.
  auto rows = store_->ReadCounters(kShop, "replies@1", D("2024-03-01"), D("2024-03-31"));
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows.value().size(), 1u);
  EXPECT_EQ(rows.value()[0].first, D("2024-03-20"));
  EXPECT_EQ(rows.value()[0].second, (odr::Counters{{"answered", 3},
                                                   {"answered_within_sla", 2},
                                                   {"conversations", 5},
                                                   {"first_response_seconds", 106198}}));
}

TEST_F(OdrCountingTest, BotOnlyRepliesCountTheSameWhateverTheOrderAndRebuild) {
  const std::vector<proto::Event> events = RepliesScenario();
  Open("in-order");
  Append(events);
  Drain();
  const Snapshot expected = Take();
  ASSERT_FALSE(expected.counters.empty());
  ASSERT_EQ(expected.facts.size(), 5u);  // one record per conversation, csgw's and the echoes

  std::vector<std::pair<std::string, std::vector<proto::Event>>> orders;
  // Every marketplace report before csgw's own events, and after them.
  std::vector<proto::Event> reports_first;
  std::vector<proto::Event> csgw_first;
  for (const auto& e : events) (e.has_outbound_update() ? csgw_first : reports_first).push_back(e);
  for (const auto& e : events) (e.has_outbound_update() ? reports_first : csgw_first).push_back(e);
  orders.emplace_back("reports-first", reports_first);
  orders.emplace_back("csgw-first", csgw_first);
  orders.emplace_back("reversed", std::vector<proto::Event>(events.rbegin(), events.rend()));
  std::mt19937 rng(2024);
  for (int round = 0; round < 3; ++round) {
    std::vector<proto::Event> shuffled = events;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    orders.emplace_back("shuffled-" + std::to_string(round), std::move(shuffled));
  }
  for (auto& [name, order] : orders) {
    SCOPED_TRACE(name);
    Open(name);
    for (auto& e : order) {
      Append({e});  // one event at a time: each its own batch
      Drain(1);
    }
    EXPECT_EQ(Take(), expected);
    // Redelivered: the marketplace's reports under new event ids (a push, then a poll), csgw's
    // own under the same ids (appended once).
    std::vector<proto::Event> again = order;
    for (auto& e : again) {
      if (!e.has_outbound_update()) e.set_event_id(e.event_id() + "-poll");
    }
    Append(again);
    Drain(4);
    EXPECT_EQ(Take(), expected);
    pipeline_.reset();
    auto rebuilt = RebuildOdr(*store_, OdrRules());
    ASSERT_TRUE(rebuilt) << rebuilt.error().message;
    EXPECT_EQ(rebuilt.value().failed, 0u);
    // Counted: 10 marketplace messages twice and csgw's 5 "sent" events of a reply or a
    // scheduled message; the queued step and the dispute proposal are not.
    EXPECT_EQ(rebuilt.value().counted, 2 * 10 + 5u);
    EXPECT_EQ(Take(), expected);
  }
}

TEST(OdrSendAuthors, FromRequestedByKindAndStep) {
  auto author = [](const std::string& by, const std::string& kind, const std::string& step) {
    return SendAuthorOf(
        Sent("ob", "chat", by, "2024-03-20T10:00:00Z", "", kind, step).outbound_update());
  };
  EXPECT_EQ(author("auto", "reply", "sent"), odr::SendAuthor::kAutomatic);
  EXPECT_EQ(author("scheduler", "follow_up", "sent"), odr::SendAuthor::kAutomatic);
  EXPECT_EQ(author("agent:lena", "reply", "sent"), odr::SendAuthor::kAgent);
  EXPECT_EQ(author("agent:lena", "reply", "queued"), std::nullopt);
  EXPECT_EQ(author("agent:lena", "reply", "dead"), std::nullopt);
  EXPECT_EQ(author("agent:lena", "dispute_proposal", "sent"), std::nullopt);
  EXPECT_EQ(author("odr", "webhook", "sent"), std::nullopt);
  EXPECT_EQ(author("", "reply", "sent"), std::nullopt);
  proto::Event sent = Sent("ob", "chat", "auto", "2024-03-20T10:00:00Z");
  EXPECT_TRUE(CountsForOdr(sent));
  const odr::EventContext context = OdrContextOf(sent, OdrRules());
  EXPECT_EQ(context.conversation_key, ConversationOf("chat"));
  EXPECT_EQ(context.csgw_send, odr::SendAuthor::kAutomatic);
  // A buyer message counts under the conversation csgw files it under, which sends name.
  EXPECT_EQ(OdrContextOf(Message("q", "chat", proto::SENDER_ROLE_BUYER, "2024-03-20T09:00:00Z"),
                         OdrRules())
                .conversation_key,
            ConversationOf("chat"));
  sent.mutable_outbound_update()->clear_conversation_id();  // a webhook
  EXPECT_FALSE(CountsForOdr(sent));
}

// A record an older csgw wrote (kind 'c', by the marketplace's thread, format "v1": times
// only) and the counters it contributed: the thread's next message moves it into csgw's
// conversation, counted once; `rebuild` then recounts the thread's events under today's rules.
TEST_F(OdrCountingTest, AnOlderThreadRecordIsTakenOverOnce) {
  // Counted by the older csgw: the buyer at 10:00, the bot's echo at 10:00:04 taken for a
  // human reply (4 s).
  Append({Message("ql", "chat-l", proto::SENDER_ROLE_BUYER, "2024-03-20T10:00:00Z"),
          Message("mp-l1", "chat-l", proto::SENDER_ROLE_SELLER, "2024-03-20T10:00:04Z")});
  Drain();
  std::string v1 = "v1";
  auto put_string = [&](const std::string& text) {
    v1.push_back(static_cast<char>(text.size()));
    v1 += text;
  };
  auto put_time = [&](const std::string& at) {
    uint64_t zz = static_cast<uint64_t>(At(at).time_since_epoch().count()) << 1;
    while (zz >= 0x80) {
      v1.push_back(static_cast<char>((zz & 0x7f) | 0x80));
      zz >>= 7;
    }
    v1.push_back(static_cast<char>(zz));
  };
  put_string(kShop);
  put_string("chat-l");
  put_string("aliexpress");
  v1.push_back('\1');
  put_time("2024-03-20T10:00:00Z");
  v1.push_back('\1');
  put_time("2024-03-20T10:00:04Z");
  const std::string legacy_key = OdrFactKey('c', kShop, "aliexpress", "chat-l");
  const odr::CounterKey day{kShop, "replies@1", D("2024-03-20")};
  const odr::Counters old_figures{{"answered", 1},
                                  {"answered_within_sla", 1},
                                  {"conversations", 1},
                                  {"first_response_seconds", 4}};
  const std::vector<TableWrite> old_facts = {{Table::kOdrFacts, legacy_key, v1}};
  const std::vector<odr::CounterDelta> old_counters = {{day, old_figures}};
  ASSERT_TRUE(store_->ReplaceOdr(kShop, old_facts, old_counters));

  // csgw's sent event of that bot reply (its own record, not a thread message) and a later
  // seller message in the thread: the second moves the old record over.
  Append({Sent("ob-l1", "chat-l", "auto", "2024-03-20T10:00:05Z", "mp-l1"),
          Message("mp-l2", "chat-l", proto::SENDER_ROLE_SELLER, "2024-03-20T11:00:00Z")});
  Drain(1);
  auto rows = store_->ReadCounters(kShop, "replies@1", day.day, day.day);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows.value().size(), 1u);
  // Still one conversation, with the old record's answer (its times carry no author).
  EXPECT_EQ(rows.value()[0].second, old_figures);
  auto gone = store_->GetRecord(Table::kOdrFacts, legacy_key);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone.value().has_value());
  auto moved = store_->GetRecord(Table::kOdrFacts,
                                 OdrFactKey('v', kShop, "aliexpress", ConversationOf("chat-l")));
  ASSERT_TRUE(moved);
  ASSERT_TRUE(moved.value().has_value());
  // A redelivery of the thread's messages finds nothing left to take over.
  proto::Event again =
      Message("mp-l2", "chat-l", proto::SENDER_ROLE_SELLER, "2024-03-20T11:00:00Z");
  again.set_event_id("mp-l2-poll");
  Append({again});
  Drain();
  rows = store_->ReadCounters(kShop, "replies@1", day.day, day.day);
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows.value()[0].second, old_figures);

  // Recounted from the events: the bot's echo is no answer; the 11:00 seller message is (1 h).
  pipeline_.reset();
  ASSERT_TRUE(RebuildOdr(*store_, OdrRules()));
  rows = store_->ReadCounters(kShop, "replies@1", day.day, day.day);
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows.value()[0].second, (odr::Counters{{"answered", 1},
                                                   {"answered_within_sla", 1},
                                                   {"conversations", 1},
                                                   {"first_response_seconds", 3600}}));
}

TEST_F(OdrCountingTest, WindowEdgesFollowBeijingTime) {
  // 2024-04-02T15:59Z is April 2nd 23:59 in Beijing; 16:00Z is April 3rd 00:00.
  Append({Completed("a", "2024-04-02T15:59:00Z"), Completed("b", "2024-04-02T16:00:00Z"),
          Completed("c", "2024-06-30T15:59:00Z"), Completed("d", "2024-06-30T16:00:00Z")});
  Drain();
  // On July 1st the 90-day window is April 3rd .. July 1st: b, c and d (d is July 1st there).
  const odr::Report r = Report("aliexpress-2015", "2024-07-01");
  EXPECT_EQ(Metric(r, "dispute_rate").window_from, D("2024-04-03"));
  EXPECT_EQ(Metric(r, "dispute_rate").denominator, 3);
  // A day earlier a, b and c: d is not counted yet.
  EXPECT_EQ(Metric(Report("aliexpress-2015", "2024-06-30"), "dispute_rate").denominator, 3);
  EXPECT_EQ(Metric(Report("aliexpress-2015", "2024-04-02"), "dispute_rate").denominator, 1);
  // The forecast for the next assessment (July 3rd) sees b leave on July 2nd.
  bool b_leaves = false;
  for (const auto& l : r.forecast.leaving) {
    if (l.day == D("2024-04-03")) b_leaves = l.leaves_on == D("2024-07-02");
  }
  EXPECT_TRUE(b_leaves);
}

TEST_F(OdrCountingTest, AlertsAreStoredOnceAndSentSigned) {
  const char* secret = "am-webhook-secret";
  setenv("CSGW_TEST_ODR_SECRET", secret, 1);
  proto::OdrConfig config;
  auto* s = config.add_stores();
  s->set_store_id(kShop);
  s->set_alert_webhook_url("https://am.example.com/odr");
  s->mutable_alert_signing_secret()->set_env("CSGW_TEST_ODR_SECRET");
  auto rules = OdrRules::FromConfig(config);
  ASSERT_TRUE(rules) << rules.error().message;
  auto odr = std::make_shared<OdrCounting>(*store_, rules.value(), clock_);
  RecordingSink sink;
  odr->SetAlertSink(&sink);
  odr->SetAlertInterval(std::chrono::seconds(0));
  pipeline_->SetOdr(odr);
  Append(Scenario());
  Drain();

  auto listed = ListAlerts(*store_, kShop, 100);
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_FALSE(listed.value().empty());
  ASSERT_EQ(sink.sent.size(), listed.value().size());
  bool dispute_rate_failing = false;
  for (const auto& [alert, request] : sink.sent) {
    EXPECT_EQ(request.url, "https://am.example.com/odr");
    EXPECT_EQ(request.method, "POST");
    std::string signature;
    for (const auto& [name, value] : request.headers) {
      if (name == "X-Csgw-Signature") signature = value;
    }
    // t=<unix seconds of the clock>,v1=HMAC-SHA256(secret, "<t>.<body>")
    const std::string t = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count());
    EXPECT_EQ(signature, "t=" + t + ",v1=" + crypto::HmacSha256Hex(secret, t + "." + request.body));
    if (alert.kind == odr::AlertKind::kMetricFailing && alert.metric == "dispute_rate" &&
        alert.rule_set == kAe2015) {
      dispute_rate_failing = true;
      EXPECT_NE(request.body.find("\"figures\":{\"numerator\":1,\"denominator\":7,"
                                  "\"rate\":0.142857,\"threshold\":{\"op\":\"<=\",\"value\":0.020000,"
                                  "\"display\":\"≤ 2.00 %\"}}"),
                std::string::npos)
          << request.body;
    }
  }
  EXPECT_TRUE(dispute_rate_failing);

  // Evaluating again (the periodic evaluation, the same day) raises and sends nothing new.
  const size_t sent = sink.sent.size();
  auto again = odr->EvaluateAll(clock_.Now());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again.value(), 0u);
  EXPECT_EQ(sink.sent.size(), sent);

  // In May, March's conversations have left the replies' 30-day window and ten new ones were
  // all answered within an hour: the failing metric recovers.
  clock_.Set(At("2024-05-20T12:00:00Z"));
  std::vector<proto::Event> may;
  for (int i = 0; i < 10; ++i) {
    const std::string chat = "may-" + std::to_string(i);
    may.push_back(Message(chat + "-q", chat, proto::SENDER_ROLE_BUYER, "2024-05-18T08:00:00Z"));
    may.push_back(Message(chat + "-a", chat, proto::SENDER_ROLE_SELLER, "2024-05-18T09:00:00Z"));
  }
  Append(may);
  Drain();
  bool recovered = false;
  for (size_t i = sent; i < sink.sent.size(); ++i) {
    const odr::Alert& a = sink.sent[i].first;
    if (a.rule_set == "replies@1" && a.metric == "answered_within_sla") {
      recovered = a.kind == odr::AlertKind::kMetricRecovered && a.from == "failing" && a.to == "ok";
    }
  }
  EXPECT_TRUE(recovered);
  auto all = ListAlerts(*store_, kShop, 1000);
  ASSERT_TRUE(all);
  EXPECT_EQ(all.value().size(), sink.sent.size());
  EXPECT_NE(all.value().front().find("\"raised_at\":\"2024-05-20T12:00:00.000Z\""),
            std::string::npos);  // newest first
}

TEST_F(OdrCountingTest, WebhooksGoOutThroughTheOutboxToTheAccountManager) {
  auto receiver = testing::MockMarketplace::Start();
  ASSERT_TRUE(receiver) << receiver.error().message;
  setenv("CSGW_TEST_ODR_SECRET_2", "outbox-secret", 1);
  proto::OdrConfig config;
  auto* s = config.add_stores();
  s->set_store_id(kShop);
  s->add_rule_sets("aliexpress-2015");
  s->set_alert_webhook_url(receiver.value()->BaseUrl() + "/hooks/odr");
  s->mutable_alert_signing_secret()->set_env("CSGW_TEST_ODR_SECRET_2");
  auto rules = OdrRules::FromConfig(config);
  ASSERT_TRUE(rules) << rules.error().message;
  auto client = outbound::HttpClient::Create(outbound::HttpClientOptions{});
  ASSERT_TRUE(client) << client.error().message;
  Outbox outbox(*store_, clock_, *client.value(), nullptr, OutboxOptions{}, nullptr,
                outbound::MakeUniformRandom(3));
  ASSERT_TRUE(outbox.Start());
  TimerRunner runner(*store_, clock_);
  runner.Handle(kSendTimerKind, outbox);
  OutboxAlertSink sink(outbox);
  auto odr = std::make_shared<OdrCounting>(*store_, rules.value(), clock_);
  odr->SetAlertSink(&sink);
  pipeline_->SetOdr(odr);
  Append(Scenario());
  Drain();

  auto listed = ListAlerts(*store_, kShop, 100);
  ASSERT_TRUE(listed);
  const size_t alerts = listed.value().size();
  ASSERT_GT(alerts, 0u);
  auto fired = runner.FireDue(100);
  ASSERT_TRUE(fired) << fired.error().message;
  EXPECT_EQ(fired.value(), alerts);
  ASSERT_TRUE(receiver.value()->WaitForRequests(
      alerts, std::chrono::steady_clock::now() + std::chrono::seconds(10)));
  for (const auto& request : receiver.value()->Requests()) {
    EXPECT_EQ(request.path, "/hooks/odr");
    const std::string signature = request.Header("x-csgw-signature");
    const size_t comma = signature.find(",v1=");
    ASSERT_TRUE(signature.starts_with("t=") && comma != std::string::npos) << signature;
    const std::string t = signature.substr(2, comma - 2);
    // The receiver's check: HMAC over "<t>.<raw body>".
    EXPECT_EQ(signature.substr(comma + 4),
              crypto::HmacSha256Hex("outbox-secret", t + "." + request.body));
    EXPECT_NE(std::find(listed.value().begin(), listed.value().end(), request.body),
              listed.value().end());  // the body is the listed alert record
    EXPECT_EQ(request.body.find("\"id\":\"" + request.Header("x-csgw-alert-id") + "\""), 1u);
  }
  outbox.Stop();
  client.value()->Stop();
}

TEST_F(OdrCountingTest, PeriodicEvaluationRunsOnADurableTimerWithoutEvents) {
  Append(Scenario());
  Drain();  // counted, and evaluated once after counting
  auto state = [&] {
    auto record = store_->GetRecord(Table::kOdrAlerts, OdrAlertStateKey(kShop, kAe2015));
    EXPECT_TRUE(record && record.value());
    auto decoded = DecodeAlertState(record && record.value() ? *record.value() : "");
    EXPECT_TRUE(decoded);
    return decoded ? decoded.value() : odr::Report{};
  };
  EXPECT_EQ(state().at, D("2024-03-31"));

  OdrCounting counting(*store_, std::make_shared<const OdrRules>(), clock_);
  OdrEvaluationTimer evaluation(counting, std::chrono::hours(1));
  TimerRunner runner(*store_, clock_);
  runner.Handle(kOdrEvaluateTimerKind, evaluation);
  clock_.Set(At("2024-04-10T12:00:00Z"));
  ASSERT_TRUE(evaluation.Schedule(*store_, clock_.Now()));
  ASSERT_TRUE(evaluation.Schedule(*store_, clock_.Now() + std::chrono::hours(5)));  // no second
  auto fired = runner.FireDue(10);
  ASSERT_TRUE(fired) << fired.error().message;
  EXPECT_EQ(fired.value(), 1u);
  // No event since March, yet the store was evaluated on April 10th (Beijing) ...
  EXPECT_EQ(state().at, D("2024-04-10"));
  // ... and the next evaluation is an hour later.
  auto next = store_->GetTimer("odr/evaluate");
  ASSERT_TRUE(next && next.value());
  EXPECT_EQ(FromTimestamp(next.value()->due()), clock_.Now() + std::chrono::hours(1));
  auto again = runner.FireDue(10);
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value(), 0u);
}

TEST(OdrRules, RulesDirStoresRatesAndCancellationCauses) {
  TempDir dir;
  const odr::RuleSet* replies = odr::FindRuleSet(odr::DefaultRuleSets(), "replies");
  ASSERT_NE(replies, nullptr);
  {
    std::ofstream out(dir.Sub("replies.json"));
    out << R"({"id": "replies", "version": 2, "marketplace": "*", "time_zone": "UTC",
      "window": {"days": 7}, "schedule": {"every": "day"}, "reply_sla": {"*": "12h"},
      "counters": [{"name": "conversations", "fact": "conversation", "day_of": "conversation_started"}],
      "metrics": [{"name": "volume", "numerator": ["conversations"], "denominator": ["conversations"]}],
      "grades": [{"name": "any"}]})";
  }
  { std::ofstream(dir.Sub("notes.txt")) << "not a rule set"; }
  proto::OdrConfig config;
  config.set_rules_dir(dir.path().string());
  auto* s = config.add_stores();
  s->set_store_id("s1");
  s->add_rule_sets("replies");
  s->add_rule_sets("amazon");
  (*config.mutable_usd_rates())["RUB"] = "0.011";
  auto rules = OdrRules::FromConfig(config);
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_EQ(rules.value()->all().size(), odr::DefaultRuleSets().size());
  ASSERT_EQ(rules.value()->For("s1").size(), 2u);
  EXPECT_EQ(rules.value()->For("s1")[0].Key(), "replies@2");
  EXPECT_EQ(rules.value()->For("other").size(), odr::DefaultRuleSets().size());
  EXPECT_EQ(rules.value()->Find("s1", "ebay"), nullptr);
  EXPECT_NE(rules.value()->Find("other", "ebay"), nullptr);
  EXPECT_EQ(rules.value()->WebhookFor("s1"), nullptr);

  proto::Money money;
  money.set_amount("450");
  money.set_currency("RUB");
  EXPECT_EQ(rules.value()->UsdValue(money), std::optional<std::string>("4.95"));
  money.set_amount("4.99");
  money.set_currency("usd");
  EXPECT_EQ(rules.value()->UsdValue(money), std::optional<std::string>("4.99"));
  money.set_currency("EUR");
  EXPECT_EQ(rules.value()->UsdValue(money), std::nullopt);
  money.set_amount("-3");
  money.set_currency("USD");
  EXPECT_EQ(rules.value()->UsdValue(money), std::nullopt);
  money.set_amount("1");
  money.set_currency("RUB");
  EXPECT_EQ(rules.value()->UsdValue(money), std::optional<std::string>("0.011"));

  s->add_rule_sets("no-such-rules");
  auto unknown = OdrRules::FromConfig(config);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("odr.stores[0].rule_sets: no rule set no-such-rules"),
            std::string::npos);
  { std::ofstream(dir.Sub("broken.json")) << "{"; }
  config.mutable_stores(0)->clear_rule_sets();
  auto broken = OdrRules::FromConfig(config);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("broken.json"), std::string::npos);

  EXPECT_EQ(CancelledByOf("OUT_OF_STOCK"), disputes::Party::kSeller);
  EXPECT_EQ(CancelledByOf("seller_cancel"), disputes::Party::kSeller);
  EXPECT_EQ(CancelledByOf("buyer_request"), disputes::Party::kBuyer);
  EXPECT_EQ(CancelledByOf("risk_control"), disputes::Party::kPlatform);
  EXPECT_EQ(CancelledByOf("Покупатель передумал"), std::nullopt);
  EXPECT_EQ(CancelledByOf(""), std::nullopt);
}

TEST(OdrAlertRecords, StateRoundTripsAndSignatureIsStable) {
  odr::Report r;
  r.rule_set = "amazon@1";
  r.at = D("2024-03-31");
  r.grade = "at_risk";
  r.grade_index = 1;
  r.forecast.date = D("2024-04-01");
  r.forecast.grade = "critical";
  r.forecast.grade_index = 2;
  odr::MetricReport m;
  m.name = "order_defect_rate";
  m.status = odr::Status::kFailing;
  r.metrics.push_back(m);
  auto back = DecodeAlertState(EncodeAlertState(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back.value().grade_index, 1);
  EXPECT_EQ(back.value().forecast.date, D("2024-04-01"));
  EXPECT_EQ(back.value().forecast.grade_index, 2);
  ASSERT_EQ(back.value().metrics.size(), 1u);
  EXPECT_EQ(back.value().metrics[0].status, odr::Status::kFailing);
  EXPECT_FALSE(DecodeAlertState("{\"rule_set\":1}"));
  // RFC 4231 test case 2 key and data, as "<t>.<body>".
  EXPECT_EQ(AlertSignature("Jefe", "what do ya want for nothing?", FromUnixMillis(0)),
            "t=0,v1=" + crypto::HmacSha256Hex("Jefe", "0.what do ya want for nothing?"));
}

}  // namespace
}  // namespace csgw::gateway
