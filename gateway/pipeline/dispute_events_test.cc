// Disputes through the event log, as the pipeline (the only writer of dispute records) sees them:
// - the marketplaces' fetched dispute data reaches the mapping: an AliExpress issue as the
//   poller produces it (the issue detail in its raw payload) and a Mercado Libre claim as the
//   fetch behind the official claims notification produces it become stored disputes;
// - a fired dispute timer only decides and appends csgw's own event, which the pipeline applies:
//   no update lost when the pipeline writes the dispute while its deadline fires, one timeout
//   however often the timer fires (a crash between the append and the timer's removal);
// - POST /v1/events refuses those own events from outside.
//
// AliExpress publishes no sample answers (marketplaces/README.md §1): tests/fixtures/aliexpress
// holds answers shaped after the TOP SDK response classes and the poller's own test, with
// made-up ids. The Mercado Libre notification is the official example
// (tests/fixtures/mercadolibre/notification.claims.json, a copy of the shared sample); the claim
// answer is the fetch test's fixture shaped after the claims reference.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "base/timestamp.h"
#include "disputes/deadlines.h"
#include "disputes/machine.h"
#include "disputes/mapping.h"
#include "disputes/own_proposal.h"
#include "disputes/own_timer.h"
#include "gateway/marketplaces/aliexpress_poll.h"
#include "gateway/marketplaces/canonical.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/marketplaces/mercadolibre.h"
#include "gateway/marketplaces/mercadolibre_poll.h"
#include "gateway/marketplaces/send_test_support.h"
#include "gateway/pipeline/dispute_timers.h"
#include "gateway/pipeline/disputes_records.h"
#include "gateway/pipeline/pipeline.h"
#include "tests/support/fixtures.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

namespace d = csgw::disputes;

TimePoint At(const char* iso) { return *ParseIsoDateTime(iso); }

std::string Fixture(const std::string& path) {
  return csgw::testing::ReadFileOrDie(csgw::testing::FixturesDir() + "/" + path);
}

class DisputeEventsTest : public ::testing::Test {
 protected:
  DisputeEventsTest()
      : clock_(At("2024-03-19T12:00:00Z")),
        classifier_(templates::MakeRuleClassifier()),
        catalog_(templates::Catalog::Default()),
        drafter_(detector_, *classifier_, catalog_) {
    Open();
  }

  void Open() {
    store_.reset();
    StoreOptions options;
    options.dir = dir_.Sub("db");
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store).value();
  }

  std::unique_ptr<Pipeline> NewPipeline() {
    auto pipeline = std::make_unique<Pipeline>(*store_, drafter_, templates_, clock_);
    return pipeline;
  }
  void Process(Pipeline& pipeline) {
    auto processed = pipeline.ProcessPending(1000);
    ASSERT_TRUE(processed) << processed.error().message;
  }
  void Append(std::vector<proto::Event> events) {
    auto appended = store_->Append(std::move(events));
    ASSERT_TRUE(appended) << appended.error().message;
  }

  std::optional<proto::StoredDispute> Stored(const std::string& key) {
    auto record = store_->GetRecord(Table::kDisputes, key);
    EXPECT_TRUE(record);
    if (!record || !record.value()) return std::nullopt;
    proto::StoredDispute stored;
    EXPECT_TRUE(stored.ParseFromString(*record.value()));
    return stored;
  }
  d::Dispute Dispute(const std::string& key) {
    auto stored = Stored(key);
    EXPECT_TRUE(stored) << key;
    if (!stored) return {};
    auto dispute = FromStored(*stored);
    EXPECT_TRUE(dispute) << dispute.error().message;
    return dispute ? dispute.value() : d::Dispute{};
  }
  // Pending timers of `key`, id → due.
  std::map<std::string, TimePoint> PendingTimers(const std::string& key) {
    std::map<std::string, TimePoint> out;
    for (std::string_view kind : {kDisputeDeadlineTimer, kDisputeAlertTimer}) {
      TimerScan scan;
      scan.kind = std::string(kind);
      scan.limit = 1000;
      auto page = store_->ScanTimers(scan);
      EXPECT_TRUE(page);
      if (!page) continue;
      for (const auto& t : page.value().timers) {
        if (t.subject() == key) out[t.id()] = FromTimestamp(t.due());
      }
    }
    return out;
  }
  // Stored events whose id starts with `prefix`.
  size_t LoggedEvents(std::string_view prefix) {
    ListQuery query;
    query.limit = 100000;
    auto events = store_->List(query);
    EXPECT_TRUE(events);
    size_t n = 0;
    for (const auto& e : events.value()) n += e.event_id().starts_with(prefix) ? 1 : 0;
    return n;
  }

  csgw::testing::TempDir dir_;
  ManualClock clock_;
  i18n::LanguageDetector detector_;
  std::unique_ptr<templates::IntentClassifier> classifier_;
  templates::CatalogHolder catalog_;
  templates::Drafter drafter_;
  proto::TemplatesConfig templates_;
  std::unique_ptr<EventStore> store_;
};

size_t Count(const d::Dispute& dispute, d::EventKind kind, bool applied = true) {
  size_t n = 0;
  for (const auto& h : dispute.history) n += h.event.kind == kind && h.applied == applied ? 1 : 0;
  return n;
}

// --- the fetched dispute data reaches the mapping ----------------------------------------------

std::unique_ptr<PollFeed> AliExpressIssues() {
  auto feeds = PollFeedsFromConfig(send_test::Config());
  EXPECT_TRUE(feeds) << feeds.error().message;
  for (auto& feed : feeds.value()) {
    if (feed->Marketplace() == "aliexpress" && feed->Feed() == "issues") return std::move(feed);
  }
  ADD_FAILURE() << "no AliExpress issues feed";
  std::abort();
}

// The issue events the poller produces for a list answer and the detail answer of its issue.
std::vector<proto::Event> Poll(PollFeed& feed, std::string& cursor, const std::string& list,
                               const std::string& detail) {
  std::vector<proto::Event> out;
  for (const std::string* answer : {&list, &detail}) {
    auto page = feed.ParsePoll(cursor, send_test::Response(200, *answer), send_test::Now());
    EXPECT_TRUE(page) << page.error().message;
    if (!page) return out;
    for (auto& e : page.value().events) out.push_back(std::move(e));
    cursor = page.value().next_cursor;
  }
  return out;
}

TEST_F(DisputeEventsTest, AliExpressIssuesFromThePollerBecomeDisputesWithTheirDetail) {
  auto feed = AliExpressIssues();
  std::string cursor;
  const std::vector<proto::Event> processing =
      Poll(*feed, cursor, Fixture("aliexpress/issue_list.processing.json"),
           Fixture("aliexpress/issue_detail.processing.json"));
  ASSERT_EQ(processing.size(), 1u);
  const proto::Event& open = processing[0];
  ASSERT_EQ(open.dispute_update().marketplace_status(), "processing");
  // The issue detail travels in the raw payload; the mapping needs it, and the order's total.
  ASSERT_TRUE(AliExpressIssueOf(open));
  proto::Event order;
  order.set_event_id("order:8123456789012345");
  order.set_marketplace("aliexpress");
  order.set_store_id(open.store_id());
  order.mutable_order()->set_order_id("8123456789012345");
  *order.mutable_occurred_at() = open.occurred_at();
  order.mutable_order_update()->set_status(proto::ORDER_STATUS_SHIPPED);
  order.mutable_order_update()->mutable_total()->set_amount("25.00");
  order.mutable_order_update()->mutable_total()->set_currency("USD");

  auto pipeline = NewPipeline();
  Append({order, open});
  Process(*pipeline);
  const std::string key = "aliexpress/" + open.store_id() + "/1500000000001";
  d::Dispute dispute = Dispute(key);
  EXPECT_EQ(dispute.state, d::State::kAwaitingSellerResponse);
  EXPECT_EQ(dispute.order_id, "8123456789012345");
  // The buyer's solution from the detail: its id and amount (none without the detail).
  ASSERT_FALSE(dispute.proposals.empty());
  const d::Proposal& buyers = dispute.proposals.back();
  EXPECT_EQ(buyers.party, d::Party::kBuyer);
  EXPECT_EQ(buyers.id, "77");
  EXPECT_EQ(buyers.amount, (d::Money{"12.50", "USD"}));
  EXPECT_EQ(buyers.status, d::ProposalStatus::kPending);
  EXPECT_FALSE(PendingTimers(key).empty());

  const std::vector<proto::Event> finish =
      Poll(*feed, cursor, Fixture("aliexpress/issue_list.finish.json"),
           Fixture("aliexpress/issue_detail.finish.json"));
  ASSERT_EQ(finish.size(), 1u);
  ASSERT_EQ(finish[0].dispute_update().marketplace_status(), "finish");
  // Without the detail the mapping cannot tell the refund: the update would be dropped.
  d::MappingContext bare;
  bare.order_total = d::Money{"25.00", "USD"};
  ASSERT_EQ(d::MapEvent(finish[0], bare).error().code, Errc::kMissingField);
  Append({finish[0]});
  Process(*pipeline);
  dispute = Dispute(key);
  EXPECT_EQ(dispute.state, d::State::kClosed);
  EXPECT_EQ(dispute.agreement, d::Agreement::kConsensus);
  EXPECT_EQ(dispute.refund, d::Refund::kPartial);  // 12.50 of 25.00
  EXPECT_EQ(dispute.refund_amount, (d::Money{"12.50", "USD"}));
  EXPECT_TRUE(d::CheckInvariants(dispute));
  EXPECT_TRUE(PendingTimers(key).empty());
}

MercadoLibreFetcher MercadoLibreFetch() {
  auto config = send_test::Config();
  send_test::AddAccount(config, "mercadolibre", "465432224")
      ->mutable_access_token()
      ->set_env("CSGW_TEST_ML_TOKEN");
  auto accounts = ResolveAccounts(config, "mercadolibre");
  EXPECT_TRUE(accounts) << accounts.error().message;
  return MercadoLibreFetcher(AccountBook("mercadolibre", std::move(accounts).value()));
}

TEST_F(DisputeEventsTest, MercadoLibreClaimsFromTheFetchBecomeDisputes) {
  // The official claims notification, as the push adapter stores it: thin, no status.
  MercadoLibreAdapter adapter(MercadoLibreAdapter::Options{}, clock_);
  InboundRequest request;
  request.method = "POST";
  request.path = "/v1/webhooks/mercadolibre";
  request.body = Fixture("mercadolibre/notification.claims.json");
  auto intake = adapter.Normalize(request);
  ASSERT_TRUE(intake) << intake.error().message;
  ASSERT_EQ(intake.value().events.size(), 1u);
  const proto::Event pending = intake.value().events[0];
  ASSERT_TRUE(pending.has_dispute_update());
  ASSERT_TRUE(pending.has_pending_fetch());

  auto pipeline = NewPipeline();
  Append({pending});
  Process(*pipeline);
  const std::string key = "mercadolibre/465432224/1041417027";
  EXPECT_FALSE(Stored(key));  // nothing to map until the claim is fetched

  auto fetched = MercadoLibreFetch().ParseFetch(
      pending, send_test::Response(200, Fixture("mercadolibre/claims.get.response.json")),
      send_test::Now());
  ASSERT_TRUE(fetched) << fetched.error().message;
  ASSERT_EQ(fetched.value().size(), 1u);
  // Without the claim the mapping has nothing to go on.
  ASSERT_EQ(d::MapEvent(fetched.value()[0]).error().code, Errc::kMissingField);
  Append(fetched.value());
  Process(*pipeline);
  // stage dispute, status closed, the complainant (buyer) benefited: Mercado Libre ruled
  // against the seller and the claim closed with a refund.
  const d::Dispute dispute = Dispute(key);
  EXPECT_EQ(dispute.state, d::State::kClosed);
  EXPECT_EQ(dispute.responsibility, d::Responsibility::kSeller);
  EXPECT_EQ(dispute.refund, d::Refund::kFull);
  EXPECT_EQ(dispute.order_id, "2195160686");
  EXPECT_EQ(Count(dispute, d::EventKind::kEscalated), 1u);
  EXPECT_EQ(Count(dispute, d::EventKind::kRuled), 1u);
  EXPECT_TRUE(d::CheckInvariants(dispute));
}

// --- timers: the handler decides, the pipeline writes ------------------------------------------

// A current-API AliExpress issue awaiting the seller (legacy status words: no detail needed).
proto::Event Issue(const std::string& event_id, const std::string& dispute, const char* at) {
  proto::Event e;
  e.set_event_id(event_id);
  e.set_marketplace("aliexpress");
  e.set_store_id("s");
  e.mutable_order()->set_order_id("o-" + dispute);
  SetTimestamp(e.mutable_occurred_at(), At(at));
  auto& u = *e.mutable_dispute_update();
  u.set_dispute_id(dispute);
  u.set_marketplace_status("WAIT_SELLER_CONFIRM_REFUND");
  u.mutable_refund_amount()->set_amount("12.00");
  u.mutable_refund_amount()->set_currency("USD");
  return e;
}

// csgw's own seller proposal, as the disputes API appends it.
proto::Event Offer(const std::string& dispute, int n, TimePoint at) {
  return d::OwnProposalEvent(std::string(d::kOwnProposalIdPrefix) + dispute + "-" +
                                 std::to_string(n),
                             "aliexpress", "s", dispute, "o-" + dispute,
                             *d::FindSellerSolution("coupon"), d::Money{"2.00", "USD"}, at);
}

// The seller's deadline of an issue opened at 2024-03-19T10:00Z (aliexpress-2024: 5 days).
constexpr const char* kOpened = "2024-03-19T10:00:00Z";
constexpr const char* kSellerDue = "2024-03-24T10:00:00Z";

// Runs `during` inside the deadline timer's Fire, after the handler decided and before the
// runner commits the timer's removal: the window in which the old handler's write of its stale
// copy lost the pipeline's update.
class Interleaved final : public TimerHandler {
 public:
  Interleaved(DisputeTimerHandler& inner, std::function<void()> during)
      : inner_(inner), during_(std::move(during)) {}
  Result<void> Fire(const proto::Timer& timer, TimePoint now, StateBatch& batch) override {
    auto fired = inner_.Fire(timer, now, batch);
    if (fired && timer.kind() == kDisputeDeadlineTimer) during_();
    return fired;
  }
  void Committed(const proto::Timer& timer) override { inner_.Committed(timer); }
  void Abandoned(const proto::Timer& timer) override { inner_.Abandoned(timer); }

 private:
  DisputeTimerHandler& inner_;
  std::function<void()> during_;
};

TEST_F(DisputeEventsTest, TheDeadlineFiringWhileThePipelineWritesLosesNothing) {
  auto pipeline = NewPipeline();
  Append({Issue("e1", "i-1", kOpened)});
  Process(*pipeline);
  const std::string key = "aliexpress/s/i-1";

  DisputeTimerHandler handler(*store_);
  Interleaved interleaved(handler, [&] {
    // The seller's offer made before the deadline reaches the pipeline, which writes the
    // dispute (and applies the timeout the handler just appended) before the timer is removed.
    Append({Offer("i-1", 1, At("2024-03-23T09:00:00Z"))});
    Process(*pipeline);
  });
  TimerRunner runner(*store_, clock_);
  runner.Handle(std::string(kDisputeDeadlineTimer), interleaved);
  runner.Handle(std::string(kDisputeAlertTimer), handler);
  clock_.Set(At(kSellerDue));
  auto fired = runner.FireDue(100);
  ASSERT_TRUE(fired) << fired.error().message;
  // Three seller alerts, the platform deadline's T-48h alert and the seller's deadline: the
  // deadline's write was not refused (the pipeline left its timer to the runner).
  EXPECT_EQ(fired.value(), 5u);
  EXPECT_EQ(runner.Stats().failed, 0u);
  Process(*pipeline);

  const d::Dispute dispute = Dispute(key);
  EXPECT_EQ(dispute.state, d::State::kAgreed);
  EXPECT_EQ(dispute.agreement, d::Agreement::kSellerTimeout);
  EXPECT_EQ(Count(dispute, d::EventKind::kSellerOffered), 1u);  // the update survived
  EXPECT_EQ(Count(dispute, d::EventKind::kDeadlineExpired), 1u);
  EXPECT_EQ(Count(dispute, d::EventKind::kDeadlineExpired, false), 0u);
  EXPECT_TRUE(d::CheckInvariants(dispute));
  EXPECT_EQ(Stored(key)->alerts_size(), 4);
  EXPECT_EQ(LoggedEvents("csgw:deadline:"), 1u);
  EXPECT_EQ(LoggedEvents("csgw:alert:"), 4u);
  EXPECT_TRUE(PendingTimers(key).empty());  // agreed: nothing runs
  EXPECT_EQ(runner.FireDue(100).value(), 0u);
}

// The pipeline on its own thread applying a stream of updates to many disputes while their
// deadlines fire on the runner's thread: every update kept, every timeout applied once.
TEST_F(DisputeEventsTest, ConcurrentUpdatesAndTimeoutsAreAllApplied) {
  constexpr int kDisputes = 12;
  constexpr int kOffers = 25;
  auto pipeline = NewPipeline();
  std::vector<proto::Event> opened;
  for (int i = 0; i < kDisputes; ++i) {
    opened.push_back(Issue("e" + std::to_string(i), "i-" + std::to_string(i), kOpened));
  }
  Append(opened);
  Process(*pipeline);

  DisputeTimerHandler handler(*store_);
  Pipeline* running = pipeline.get();
  handler.SetOnEvent([running] { running->Notify(); });
  TimerRunner runner(*store_, clock_);
  runner.Handle(std::string(kDisputeDeadlineTimer), handler);
  runner.Handle(std::string(kDisputeAlertTimer), handler);
  pipeline->Start();
  clock_.Set(At(kSellerDue));

  std::atomic<bool> feeding{true};
  std::thread feeder([&] {
    for (int n = 0; n < kOffers; ++n) {
      std::vector<proto::Event> offers;
      for (int i = 0; i < kDisputes; ++i) {
        offers.push_back(Offer("i-" + std::to_string(i), n,
                               At("2024-03-24T09:00:00Z") + std::chrono::seconds(n)));
      }
      EXPECT_TRUE(store_->Append(std::move(offers)));
      running->Notify();
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
    feeding = false;
  });
  // Three seller alerts, the platform deadline's T-48h alert and the seller's deadline each.
  size_t fired = 0;
  while (true) {
    auto round = runner.FireDue(3);  // small rounds: interleave with the feeder
    ASSERT_TRUE(round) << round.error().message;
    fired += round.value();
    ASSERT_LE(fired, size_t{kDisputes * 5});
    if (round.value() > 0) continue;
    auto due = store_->DueTimers(clock_.Now(), 1);
    ASSERT_TRUE(due);
    if (!feeding && due.value().empty()) break;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  feeder.join();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    auto work = store_->PendingWork(0, 1);
    ASSERT_TRUE(work);
    if (work.value().empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pipeline->Stop();
  ASSERT_TRUE(store_->PendingWork(0, 1).value().empty());

  for (int i = 0; i < kDisputes; ++i) {
    const std::string key = "aliexpress/s/i-" + std::to_string(i);
    const d::Dispute dispute = Dispute(key);
    EXPECT_EQ(dispute.state, d::State::kAgreed) << key;
    EXPECT_EQ(Count(dispute, d::EventKind::kSellerOffered), size_t{kOffers}) << key;
    EXPECT_EQ(Count(dispute, d::EventKind::kDeadlineExpired), 1u) << key;
    EXPECT_TRUE(d::CheckInvariants(dispute)) << key;
    // Every alert the handler handed on is recorded (alerts of a deadline already due when the
    // pipeline plans the timers are dropped unfired: the deadline's own timer covers them).
    const auto stored = Stored(key);
    ASSERT_TRUE(stored) << key;
    EXPECT_EQ(static_cast<size_t>(stored->alerts_size()),
              LoggedEvents("csgw:alert:i-" + std::to_string(i) + "/"))
        << key;
    EXPECT_TRUE(PendingTimers(key).empty()) << key;
  }
  EXPECT_EQ(LoggedEvents("csgw:deadline:"), size_t{kDisputes});
  EXPECT_GT(LoggedEvents("csgw:alert:"), 0u);
}

// The deadline fired and its event was appended, then the process died before the timer's
// removal was committed: after the restart the timer fires again, and the dispute still times
// out once (the duplicate append is dropped; or, when the pipeline got there first, the handler
// finds the timeout recorded and appends nothing).
TEST_F(DisputeEventsTest, ATimerFiredAgainAfterACrashTimesOutOnce) {
  for (bool applied_before_crash : {false, true}) {
    SCOPED_TRACE(applied_before_crash ? "pipeline applied it before the crash"
                                      : "crash before the pipeline ran");
    const std::string dispute_id = applied_before_crash ? "i-b" : "i-a";
    const std::string key = "aliexpress/s/" + dispute_id;
    clock_.Set(At("2024-03-19T12:00:00Z"));
    {
      auto pipeline = NewPipeline();
      Append({Issue("e-" + dispute_id, dispute_id, kOpened)});
      Process(*pipeline);
      clock_.Set(At(kSellerDue));
      auto timer = store_->GetTimer(DisputeDeadlineTimerId(key, "seller_response"));
      ASSERT_TRUE(timer && timer.value());
      DisputeTimerHandler handler(*store_);
      StateBatch batch;  // what the runner would commit with the removal: never committed
      ASSERT_TRUE(handler.Fire(*timer.value(), clock_.Now(), batch));
      EXPECT_EQ(LoggedEvents("csgw:deadline:" + dispute_id), 1u);
      if (applied_before_crash) Process(*pipeline);
    }
    Open();  // the restart: the synced append survived, the timer is still pending

    auto pipeline = NewPipeline();
    DisputeTimerHandler handler(*store_);
    TimerRunner runner(*store_, clock_);
    runner.Handle(std::string(kDisputeDeadlineTimer), handler);
    runner.Handle(std::string(kDisputeAlertTimer), handler);
    auto fired = runner.FireDue(100);
    ASSERT_TRUE(fired) << fired.error().message;
    EXPECT_GE(fired.value(), 1u);
    Process(*pipeline);
    ASSERT_TRUE(runner.FireDue(100));
    Process(*pipeline);

    EXPECT_EQ(LoggedEvents("csgw:deadline:" + dispute_id), 1u);
    const d::Dispute dispute = Dispute(key);
    EXPECT_EQ(dispute.state, d::State::kAgreed);
    EXPECT_EQ(Count(dispute, d::EventKind::kDeadlineExpired), 1u);
    EXPECT_EQ(Count(dispute, d::EventKind::kDeadlineExpired, false), 0u);
    EXPECT_TRUE(d::CheckInvariants(dispute));
    EXPECT_TRUE(PendingTimers(key).empty());
  }
}

// A timeout decided on a copy the pipeline has since moved past (the seller answered before
// the deadline; its update arrived after the timer fired): kept in the history, not applied.
TEST_F(DisputeEventsTest, AStaleTimeoutIsKeptButNotApplied) {
  auto pipeline = NewPipeline();
  Append({Issue("e1", "i-1", kOpened)});
  Process(*pipeline);
  const std::string key = "aliexpress/s/i-1";
  clock_.Set(At(kSellerDue));
  auto timer = store_->GetTimer(DisputeDeadlineTimerId(key, "seller_response"));
  ASSERT_TRUE(timer && timer.value());
  DisputeTimerHandler handler(*store_);
  StateBatch batch;
  ASSERT_TRUE(handler.Fire(*timer.value(), clock_.Now(), batch));
  proto::Event answer = Issue("e2", "i-1", "2024-03-23T10:00:00Z");
  answer.mutable_dispute_update()->set_marketplace_status("SELLER_REFUSE_REFUND");
  Append({answer});  // after the timeout in the log, before it in time
  Process(*pipeline);
  const d::Dispute dispute = Dispute(key);
  EXPECT_EQ(dispute.state, d::State::kNegotiating);
  EXPECT_EQ(Count(dispute, d::EventKind::kDeadlineExpired, false), 1u);
  EXPECT_EQ(Count(dispute, d::EventKind::kDeadlineExpired), 0u);
  EXPECT_TRUE(d::CheckInvariants(dispute));
}

// --- POST /v1/events ---------------------------------------------------------------------------

TEST(DisputeOwnEvents, PostEventsRefusesThemFromOutside) {
  ManualClock clock(At("2024-03-24T10:00:05Z"));
  CanonicalEvents canonical({{"relay", "token-relay-9876543210"}}, clock);
  auto post = [&](const std::string& body) {
    InboundRequest request;
    request.method = "POST";
    request.path = "/v1/events";
    request.headers["content-type"] = "application/json";
    request.headers["authorization"] = "Bearer token-relay-9876543210";
    request.body = body;
    return canonical.Parse(request);
  };
  const std::string head =
      R"({"marketplace":"aliexpress","store_id":"s","occurred_at":"2024-03-24T10:00:00Z",)";
  // A marketplace's own update goes through.
  EXPECT_TRUE(post(head + R"("event_id":"e1","dispute_update":{"dispute_id":"i-1",)"
                          R"("marketplace_status":"WAIT_SELLER_CONFIRM_REFUND"}})"));
  for (const std::string& own : {
           // a timer's event, as the handler appends it
           head + R"("event_id":"csgw:deadline:i-1/seller_response/1711274400000",)"
                  R"("dispute_update":{"dispute_id":"i-1","marketplace_status":)"
                  R"("csgw:deadline_expired","csgw_timer":{"deadline":"seller_response",)"
                  R"("due_at":"2024-03-24T10:00:00Z"}}})",
           // the timer's field under another id and status
           head + R"("event_id":"x1","dispute_update":{"dispute_id":"i-1",)"
                  R"("csgw_timer":{"deadline":"seller_response"}}})",
           // an alert's status word
           head + R"("event_id":"x2","dispute_update":{"dispute_id":"i-1",)"
                  R"("marketplace_status":"csgw:deadline_alert"}})",
           // the disputes API's own proposal
           head + R"("event_id":"csgw:proposal:abc","dispute_update":{"dispute_id":"i-1",)"
                  R"("marketplace_status":"csgw:seller_offer","dispute_type":"coupon"}})",
       }) {
    auto refused = post(own);
    ASSERT_FALSE(refused) << own;
    EXPECT_EQ(refused.error().code, Errc::kInvalidField);
    EXPECT_NE(refused.error().message.find("dispute_update"), std::string::npos)
        << refused.error().message;
  }
}

}  // namespace
}  // namespace csgw::gateway
