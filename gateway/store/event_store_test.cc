#include "gateway/store/event_store.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <sys/resource.h>

#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <latch>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

using google::protobuf::util::MessageDifferencer;
using namespace std::string_literals;

// A fresh directory under the system temp dir, removed with everything in it.
using csgw::testing::TempDir;

proto::Event MakeEvent(const std::string& marketplace, const std::string& store_id,
                       const std::string& event_id) {
  proto::Event event;
  event.set_marketplace(marketplace);
  event.set_store_id(store_id);
  event.set_event_id(event_id);
  event.mutable_buyer_message()->set_conversation_id("c-" + event_id);
  event.mutable_buyer_message()->set_text("Где мой заказ?");
  return event;
}

struct CommitRecord {
  size_t appends = 0;
  size_t events = 0;
};

// Records what the store reports. While the gate is shut, OnCommit holds the committer thread:
// appends made meanwhile pile up in the pending queue, so batching, overload and Close can be
// tested without relying on timing.
class GateObserver : public StoreObserver {
 public:
  explicit GateObserver(bool open) : open_(open) {}

  void OnCommit(size_t appends, size_t events, std::chrono::nanoseconds) override {
    std::unique_lock lock(mutex_);
    commits_.push_back({appends, events});
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
  }
  void OnDuplicate(std::string_view marketplace) override {
    std::lock_guard lock(mutex_);
    duplicates_.emplace_back(marketplace);
  }
  void OnCommitFailure() override {
    std::lock_guard lock(mutex_);
    ++failures_;
  }

  // Returns once the committer is inside OnCommit (held there while the gate is shut).
  void WaitForCommit() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !commits_.empty(); });
  }
  void OpenGate() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  std::vector<CommitRecord> commits() {
    std::lock_guard lock(mutex_);
    return commits_;
  }
  std::vector<std::string> duplicates() {
    std::lock_guard lock(mutex_);
    return duplicates_;
  }
  int failures() {
    std::lock_guard lock(mutex_);
    return failures_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_;
  std::vector<CommitRecord> commits_;
  std::vector<std::string> duplicates_;
  int failures_ = 0;
};

// Collects the results of AppendAsync calls completed on the committer thread.
class Results {
 public:
  explicit Results(std::ptrdiff_t expected) : remaining_(expected) {}

  EventStore::AppendCallback Callback(size_t slot) {
    return [this, slot](Result<std::vector<Appended>> result) {
      {
        std::lock_guard lock(mutex_);
        results_.emplace_back(slot, std::move(result));
      }
      remaining_.count_down();
    };
  }
  // Waits for all of them; ordered by slot.
  std::vector<std::pair<size_t, Result<std::vector<Appended>>>> Wait() {
    remaining_.wait();
    std::lock_guard lock(mutex_);
    auto out = std::move(results_);
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
  }

 private:
  std::latch remaining_;
  std::mutex mutex_;
  std::vector<std::pair<size_t, Result<std::vector<Appended>>>> results_;
};

class EventStoreTest : public ::testing::Test {
 protected:
  StoreOptions Options() const {
    StoreOptions options;
    options.dir = dir_.Sub("db");
    return options;
  }
  std::unique_ptr<EventStore> OpenStore(const StoreOptions& options,
                                        StoreObserver* observer = nullptr) {
    auto store = EventStore::Open(options, observer);
    if (!store) ADD_FAILURE() << store.error().message;
    return store ? std::move(store).value() : nullptr;
  }
  std::unique_ptr<EventStore> OpenStore() { return OpenStore(Options()); }

  TempDir dir_;
};

std::vector<uint64_t> Sequences(const std::vector<proto::Event>& events) {
  std::vector<uint64_t> out;
  for (const proto::Event& e : events) out.push_back(e.sequence());
  return out;
}

TEST_F(EventStoreTest, AppendsAndReadsBack) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->LastSequence(), 0u);

  const proto::Event first = MakeEvent("ozon", "s1", "e1");
  const proto::Event second = MakeEvent("ebay", "s2", "e2");
  auto appended = store->Append({first, second});
  ASSERT_TRUE(appended) << appended.error().message;
  ASSERT_EQ(appended.value().size(), 2u);
  EXPECT_EQ(appended.value()[0].sequence, 1u);
  EXPECT_FALSE(appended.value()[0].duplicate);
  EXPECT_EQ(appended.value()[1].sequence, 2u);
  EXPECT_EQ(store->LastSequence(), 2u);

  auto got = store->Get(1);
  ASSERT_TRUE(got);
  ASSERT_TRUE(got.value().has_value());
  proto::Event expected = first;
  expected.set_sequence(1);
  EXPECT_TRUE(MessageDifferencer::Equals(*got.value(), expected));
  auto missing = store->Get(3);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing.value().has_value());

  auto found = store->FindSequence("ebay", "s2", "e2");
  ASSERT_TRUE(found);
  EXPECT_EQ(found.value(), 2u);
  auto not_found = store->FindSequence("ebay", "s1", "e2");
  ASSERT_TRUE(not_found);
  EXPECT_EQ(not_found.value(), std::nullopt);

  auto all = store->List(ListQuery{});
  ASSERT_TRUE(all);
  EXPECT_EQ(Sequences(all.value()), (std::vector<uint64_t>{1, 2}));
  EXPECT_TRUE(store->Healthy());
}

TEST_F(EventStoreTest, EmptyAppendSucceedsWithNothing) {
  auto store = OpenStore();
  auto appended = store->Append({});
  ASSERT_TRUE(appended);
  EXPECT_TRUE(appended.value().empty());
  EXPECT_EQ(store->LastSequence(), 0u);
}

TEST_F(EventStoreTest, SequencesAreMonotonicAndRecoveredAfterReopen) {
  auto store = OpenStore();
  uint64_t previous = 0;
  for (int i = 0; i < 5; ++i) {
    auto appended = store->Append({MakeEvent("ozon", "s1", "e" + std::to_string(i))});
    ASSERT_TRUE(appended);
    EXPECT_EQ(appended.value()[0].sequence, previous + 1);
    previous = appended.value()[0].sequence;
  }
  store.reset();

  store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->LastSequence(), 5u);
  auto appended = store->Append({MakeEvent("ozon", "s1", "after-reopen")});
  ASSERT_TRUE(appended);
  EXPECT_EQ(appended.value()[0].sequence, 6u);
  auto got = store->Get(3);
  ASSERT_TRUE(got && got.value().has_value());
  EXPECT_EQ(got.value()->event_id(), "e2");
}

TEST_F(EventStoreTest, DedupesWithinOneCall) {
  GateObserver observer(/*open=*/true);
  auto store = OpenStore(Options(), &observer);
  auto appended = store->Append({MakeEvent("ozon", "s1", "a"), MakeEvent("ozon", "s1", "b"),
                                 MakeEvent("ozon", "s1", "a"),
                                 // Same event id, other store or marketplace: distinct events.
                                 MakeEvent("ozon", "s2", "a"), MakeEvent("ebay", "s1", "a")});
  ASSERT_TRUE(appended);
  const std::vector<Appended>& r = appended.value();
  ASSERT_EQ(r.size(), 5u);
  EXPECT_FALSE(r[0].duplicate);
  EXPECT_FALSE(r[1].duplicate);
  EXPECT_TRUE(r[2].duplicate);
  EXPECT_EQ(r[2].sequence, r[0].sequence);
  EXPECT_FALSE(r[3].duplicate);
  EXPECT_FALSE(r[4].duplicate);
  EXPECT_EQ(store->LastSequence(), 4u);
  EXPECT_EQ(observer.duplicates(), std::vector<std::string>{"ozon"});
  ASSERT_EQ(observer.commits().size(), 1u);
  EXPECT_EQ(observer.commits()[0].events, 5u);
}

TEST_F(EventStoreTest, DedupesOneEventAppendedByManyThreadsInOneBatch) {
  GateObserver observer(/*open=*/false);
  auto store = OpenStore(Options(), &observer);
  constexpr size_t kThreads = 16;
  Results results(kThreads + 1);
  // The first commit holds the committer so that every copy lands in the next batch.
  store->AppendAsync({MakeEvent("ozon", "s1", "blocker")}, results.Callback(kThreads));
  observer.WaitForCommit();
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back(
        [&, t] { store->AppendAsync({MakeEvent("shopee", "s9", "same")}, results.Callback(t)); });
  }
  for (std::thread& t : threads) t.join();
  observer.OpenGate();

  const auto all = results.Wait();
  size_t stored = 0;
  std::set<uint64_t> sequences;
  for (size_t t = 0; t < kThreads; ++t) {
    ASSERT_TRUE(all[t].second) << all[t].second.error().message;
    const Appended& a = all[t].second.value().at(0);
    stored += a.duplicate ? 0 : 1;
    sequences.insert(a.sequence);
  }
  EXPECT_EQ(stored, 1u);
  EXPECT_EQ(sequences, std::set<uint64_t>{2});
  ASSERT_EQ(observer.commits().size(), 2u);
  EXPECT_EQ(observer.commits()[1].appends, kThreads);
  EXPECT_EQ(observer.duplicates().size(), kThreads - 1);
  auto listed = store->List(ListQuery{.store_id = "s9"});
  ASSERT_TRUE(listed);
  EXPECT_EQ(Sequences(listed.value()), std::vector<uint64_t>{2});
}

TEST_F(EventStoreTest, DedupesOneEventAppendedByRacingThreads) {
  auto store = OpenStore();
  constexpr size_t kThreads = 8;
  std::latch start(kThreads);
  std::vector<Result<std::vector<Appended>>> results(kThreads, std::vector<Appended>());
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      results[t] = store->Append({MakeEvent("lazada", "s1", "race")});
    });
  }
  for (std::thread& t : threads) t.join();
  size_t stored = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r);
    EXPECT_EQ(r.value().at(0).sequence, 1u);
    stored += r.value()[0].duplicate ? 0 : 1;
  }
  EXPECT_EQ(stored, 1u);
  EXPECT_EQ(store->LastSequence(), 1u);
}

TEST_F(EventStoreTest, DedupesAcrossReopen) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Append({MakeEvent("ozon", "s1", "e1")}));
  store.reset();

  GateObserver observer(/*open=*/true);
  store = OpenStore(Options(), &observer);
  auto again = store->Append({MakeEvent("ozon", "s1", "e1"), MakeEvent("ozon", "s1", "e2")});
  ASSERT_TRUE(again);
  EXPECT_TRUE(again.value()[0].duplicate);
  EXPECT_EQ(again.value()[0].sequence, 1u);
  EXPECT_FALSE(again.value()[1].duplicate);
  EXPECT_EQ(again.value()[1].sequence, 2u);
  EXPECT_EQ(observer.duplicates(), std::vector<std::string>{"ozon"});

  // A call made only of duplicates writes nothing and still completes.
  auto only_duplicates = store->Append({MakeEvent("ozon", "s1", "e2")});
  ASSERT_TRUE(only_duplicates);
  EXPECT_TRUE(only_duplicates.value()[0].duplicate);
  EXPECT_EQ(store->LastSequence(), 2u);
}

TEST_F(EventStoreTest, ConcurrentAppendsAreStoredOnceAndBatched) {
  GateObserver observer(/*open=*/false);
  auto store = OpenStore(Options(), &observer);
  constexpr size_t kThreads = 8;
  constexpr size_t kPerThread = 500;
  constexpr size_t kAppends = kThreads * kPerThread + 1;
  Results results(kAppends);
  store->AppendAsync({MakeEvent("ozon", "s0", "blocker")}, results.Callback(kAppends - 1));
  observer.WaitForCommit();
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = 0; i < kPerThread; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        store->AppendAsync({MakeEvent("ozon", "s" + std::to_string(t), id)},
                           results.Callback(t * kPerThread + i));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  observer.OpenGate();

  std::set<uint64_t> sequences;
  for (const auto& [slot, result] : results.Wait()) {
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_FALSE(result.value().at(0).duplicate);
    sequences.insert(result.value()[0].sequence);
  }
  EXPECT_EQ(sequences.size(), kAppends);
  EXPECT_EQ(*sequences.begin(), 1u);
  EXPECT_EQ(*sequences.rbegin(), kAppends);
  EXPECT_EQ(store->LastSequence(), kAppends);

  const auto commits = observer.commits();
  size_t appends = 0;
  size_t events = 0;
  for (const CommitRecord& c : commits) {
    appends += c.appends;
    events += c.events;
  }
  EXPECT_EQ(appends, kAppends);
  EXPECT_EQ(events, kAppends);
  EXPECT_LT(commits.size(), kAppends);
  // 4000 queued appends in batches of at most 1024, after the blocker's commit.
  EXPECT_EQ(commits.size(), 1u + 4u);

  auto listed = store->List(ListQuery{.store_id = "", .limit = kAppends + 10});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed.value().size(), kAppends);
}

TEST_F(EventStoreTest, ConcurrentBlockingAppendsAreStoredExactlyOnce) {
  auto store = OpenStore();
  constexpr size_t kThreads = 8;
  constexpr size_t kPerThread = 500;
  std::vector<std::thread> threads;
  std::atomic<size_t> failures{0};
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = 0; i < kPerThread; ++i) {
        // Every thread also re-sends its previous event, as a retrying client would.
        std::vector<proto::Event> events{MakeEvent("ozon", "s1", std::to_string(t * 1000 + i))};
        if (i > 0) events.push_back(MakeEvent("ozon", "s1", std::to_string(t * 1000 + i - 1)));
        auto r = store->Append(std::move(events));
        if (!r || r.value()[0].duplicate || (i > 0 && !r.value()[1].duplicate)) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0u);
  EXPECT_EQ(store->LastSequence(), kThreads * kPerThread);
  auto listed = store->List(ListQuery{.store_id = "", .limit = 10000});
  ASSERT_TRUE(listed);
  std::set<std::string> ids;
  for (const proto::Event& e : listed.value()) ids.insert(e.event_id());
  EXPECT_EQ(ids.size(), kThreads * kPerThread);
}

TEST_F(EventStoreTest, ListsByStoreWithLimitAndAfterSequence) {
  auto store = OpenStore();
  // Sequences: 1 s1, 2 s2, 3 s1 (other marketplace), 4 s, 5 s1, 6 s1.
  ASSERT_TRUE(store->Append({MakeEvent("ozon", "s1", "a"), MakeEvent("ozon", "s2", "b"),
                             MakeEvent("ebay", "s1", "c"), MakeEvent("ozon", "s", "d")}));
  ASSERT_TRUE(store->Append({MakeEvent("ozon", "s1", "e"), MakeEvent("ozon", "s1", "f")}));

  auto all = store->List(ListQuery{.store_id = "s1"});
  ASSERT_TRUE(all);
  EXPECT_EQ(Sequences(all.value()), (std::vector<uint64_t>{1, 3, 5, 6}));
  EXPECT_EQ(all.value()[1].marketplace(), "ebay");

  auto limited = store->List(ListQuery{.store_id = "s1", .limit = 2});
  ASSERT_TRUE(limited);
  EXPECT_EQ(Sequences(limited.value()), (std::vector<uint64_t>{1, 3}));

  auto after = store->List(ListQuery{.store_id = "s1", .after_sequence = 3, .limit = 1});
  ASSERT_TRUE(after);
  EXPECT_EQ(Sequences(after.value()), std::vector<uint64_t>{5});

  // "s" is a prefix of "s1" but a store of its own.
  auto short_id = store->List(ListQuery{.store_id = "s"});
  ASSERT_TRUE(short_id);
  EXPECT_EQ(Sequences(short_id.value()), std::vector<uint64_t>{4});

  auto none = store->List(ListQuery{.store_id = "s3"});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none.value().empty());

  auto every_store = store->List(ListQuery{.store_id = "", .after_sequence = 2, .limit = 3});
  ASSERT_TRUE(every_store);
  EXPECT_EQ(Sequences(every_store.value()), (std::vector<uint64_t>{3, 4, 5}));

  auto nul = store->List(ListQuery{.store_id = "s\0"s});
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().code, Errc::kInvalidField);
}

TEST_F(EventStoreTest, WorkQueueSurvivesReopenUntilAcknowledged) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Append(
      {MakeEvent("ozon", "s1", "a"), MakeEvent("ebay", "s2", "b"), MakeEvent("ozon", "s1", "c")}));
  // A duplicate adds no work.
  ASSERT_TRUE(store->Append({MakeEvent("ozon", "s1", "a")}));
  auto work = store->PendingWork(0, 10);
  ASSERT_TRUE(work);
  ASSERT_EQ(work.value().size(), 3u);
  EXPECT_EQ(work.value()[1].sequence, 2u);
  EXPECT_EQ(work.value()[1].marketplace, "ebay");
  EXPECT_EQ(work.value()[1].store_id, "s2");

  ASSERT_TRUE(store->AckWork(2));
  ASSERT_TRUE(store->AckWork(2));  // acknowledging twice is harmless
  store.reset();

  store = OpenStore();
  work = store->PendingWork(0, 10);
  ASSERT_TRUE(work);
  ASSERT_EQ(work.value().size(), 2u);
  EXPECT_EQ(work.value()[0].sequence, 1u);
  EXPECT_EQ(work.value()[1].sequence, 3u);

  auto after = store->PendingWork(1, 10);
  ASSERT_TRUE(after);
  ASSERT_EQ(after.value().size(), 1u);
  EXPECT_EQ(after.value()[0].sequence, 3u);
  auto limited = store->PendingWork(0, 1);
  ASSERT_TRUE(limited);
  ASSERT_EQ(limited.value().size(), 1u);
  EXPECT_EQ(limited.value()[0].sequence, 1u);
  // Acknowledged work leaves the event in the log.
  auto event = store->Get(2);
  ASSERT_TRUE(event && event.value().has_value());
}

// PendingWork starts its scans at the first item it last found pending (the acknowledged ones
// before it are tombstones a scan would otherwise wade through): every way the queue changes
// after a scan must still show up in the next one.
TEST_F(EventStoreTest, PendingWorkSeesEveryChangeAfterEarlierScans) {
  auto store = OpenStore();
  auto sequences = [&](uint64_t after, size_t limit) {
    std::vector<uint64_t> out;
    auto work = store->PendingWork(after, limit);
    EXPECT_TRUE(work);
    if (work) {
      for (const WorkItem& item : work.value()) out.push_back(item.sequence);
    }
    return out;
  };
  using Seqs = std::vector<uint64_t>;
  EXPECT_EQ(sequences(0, 10), Seqs{});  // empty: the floor moves past the last sequence (none)
  ASSERT_TRUE(store->Append({MakeEvent("ozon", "s1", "a"), MakeEvent("ozon", "s1", "b"),
                             MakeEvent("ozon", "s1", "c"), MakeEvent("ozon", "s1", "d")}));
  EXPECT_EQ(sequences(0, 10), (Seqs{1, 2, 3, 4}));
  EXPECT_EQ(sequences(0, 0), Seqs{});  // a zero limit learns nothing
  EXPECT_EQ(sequences(0, 2), (Seqs{1, 2}));
  // Acknowledged out of order: 1 and 3 go, 2 stays the first pending item.
  const std::vector<uint64_t> first = {1, 3};
  ASSERT_TRUE(store->CompleteWork(first, {}));
  EXPECT_EQ(sequences(0, 10), (Seqs{2, 4}));
  EXPECT_EQ(sequences(2, 10), Seqs{4});  // a scan from above the floor leaves it alone
  EXPECT_EQ(sequences(0, 10), (Seqs{2, 4}));
  const std::vector<uint64_t> rest = {2, 4};
  ASSERT_TRUE(store->CompleteWork(rest, {}));
  EXPECT_EQ(sequences(0, 10), Seqs{});
  // New work after a scan found nothing, and a redelivery adding none.
  ASSERT_TRUE(store->Append({MakeEvent("ozon", "s1", "e"), MakeEvent("ozon", "s1", "a")}));
  EXPECT_EQ(sequences(0, 10), Seqs{5});
  ASSERT_TRUE(store->AckWork(5));
  EXPECT_EQ(sequences(0, 10), Seqs{});
  ASSERT_TRUE(store->Append({MakeEvent("ozon", "s1", "f")}));
  EXPECT_EQ(sequences(0, 10), Seqs{6});
  // A reopened store scans from the start again.
  store.reset();
  store = OpenStore();
  EXPECT_EQ(sequences(0, 10), Seqs{6});
}

TEST_F(EventStoreTest, CompleteWorkWritesRecordsAndAcknowledgesTogether) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Append(
      {MakeEvent("ozon", "s1", "a"), MakeEvent("ozon", "s1", "b"), MakeEvent("ozon", "s2", "c")}));
  const std::vector<uint64_t> done = {1, 2};
  const std::vector<TableWrite> writes = {
      {Table::kConversations, "ozon/s1/b1", "conversation 1"},
      {Table::kConversations, "ozon/s1/b2", "conversation 2"},
      {Table::kConversations, "ozon/s2/b1", "other store"},
      {Table::kOrders, "ozon/s1/o1", "order 1"},
  };
  ASSERT_TRUE(store->CompleteWork(done, writes));
  store.reset();

  store = OpenStore();
  auto work = store->PendingWork(0, 10);
  ASSERT_TRUE(work);
  ASSERT_EQ(work.value().size(), 1u);
  EXPECT_EQ(work.value()[0].sequence, 3u);
  EXPECT_EQ(store->GetRecord(Table::kOrders, "ozon/s1/o1").value(), "order 1");
  // Tables are separate: the same key in another table is another record.
  EXPECT_EQ(store->GetRecord(Table::kConversations, "ozon/s1/o1").value(), std::nullopt);

  auto page = store->ScanRecords(Table::kConversations, "ozon/s1/", "", 10);
  ASSERT_TRUE(page);
  ASSERT_EQ(page.value().size(), 2u);
  EXPECT_EQ(page.value()[0].first, "ozon/s1/b1");
  EXPECT_EQ(page.value()[1].second, "conversation 2");
  auto next = store->ScanRecords(Table::kConversations, "ozon/s1/", "ozon/s1/b1", 10);
  ASSERT_TRUE(next);
  ASSERT_EQ(next.value().size(), 1u);
  EXPECT_EQ(next.value()[0].first, "ozon/s1/b2");
  auto all = store->ScanRecords(Table::kConversations, "", "", 2);
  ASSERT_TRUE(all);
  EXPECT_EQ(all.value().size(), 2u);  // the limit

  const std::vector<TableWrite> bad = {{Table::kOrders, "", "x"}};
  auto refused = store->CompleteWork({}, bad);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kInvalidField);
}

proto::Timer MakeTimer(const std::string& id, int64_t due_ms,
                       const std::string& kind = "follow_up") {
  proto::Timer timer;
  timer.set_id(id);
  timer.set_kind(kind);
  timer.mutable_due()->set_seconds(due_ms / 1000);
  timer.mutable_due()->set_nanos(static_cast<int32_t>(due_ms % 1000) * 1'000'000);
  timer.set_subject("conversation-" + id);
  return timer;
}

std::vector<std::string> Ids(const std::vector<proto::Timer>& timers) {
  std::vector<std::string> ids;
  for (const auto& t : timers) ids.push_back(t.id());
  return ids;
}

TEST_F(EventStoreTest, TimersAreDueInOrderAndSurviveReopen) {
  auto store = OpenStore();
  StateBatch batch;
  batch.schedule = {MakeTimer("c", 3000), MakeTimer("a", 1000), MakeTimer("b", 2000),
                    MakeTimer("d", 5000)};
  ASSERT_TRUE(store->Commit(batch));
  EXPECT_EQ(FromUnixMillis(1000), store->NextTimerDue().value());
  store.reset();

  store = OpenStore();
  auto due = store->DueTimers(FromUnixMillis(3000), 10);
  ASSERT_TRUE(due);
  EXPECT_EQ(Ids(due.value()), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Ids(store->DueTimers(FromUnixMillis(3000), 2).value()),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(store->DueTimers(FromUnixMillis(999), 10).value().empty());
  auto d = store->GetTimer("d");
  ASSERT_TRUE(d && d.value());
  EXPECT_EQ(d.value()->subject(), "conversation-d");
}

TEST_F(EventStoreTest, TimerFiresExactlyOnceWithItsEffect) {
  auto store = OpenStore();
  StateBatch schedule;
  schedule.schedule = {MakeTimer("a", 1000)};
  ASSERT_TRUE(store->Commit(schedule));

  StateBatch fire;
  fire.fired = {"a"};
  fire.writes = {{Table::kConversations, "conv-a", "follow-up sent"}};
  ASSERT_TRUE(store->Commit(fire));
  EXPECT_EQ(store->GetRecord(Table::kConversations, "conv-a").value(), "follow-up sent");
  EXPECT_TRUE(store->DueTimers(FromUnixMillis(10'000), 10).value().empty());
  EXPECT_EQ(store->NextTimerDue().value(), std::nullopt);

  // Firing again (a second worker, a retry after a lost reply) is refused, and its effect is
  // not written.
  fire.writes = {{Table::kConversations, "conv-a", "sent twice"}};
  auto again = store->Commit(fire);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kInvalidField);
  EXPECT_EQ(store->GetRecord(Table::kConversations, "conv-a").value(), "follow-up sent");
}

TEST_F(EventStoreTest, TimersMoveAndCancelById) {
  auto store = OpenStore();
  StateBatch batch;
  batch.schedule = {MakeTimer("a", 1000), MakeTimer("b", 2000)};
  ASSERT_TRUE(store->Commit(batch));
  StateBatch move;
  move.schedule = {MakeTimer("a", 9000)};  // the same id: moved, not duplicated
  move.cancel = {"b", "never-scheduled"};
  ASSERT_TRUE(store->Commit(move));
  EXPECT_TRUE(store->DueTimers(FromUnixMillis(8999), 10).value().empty());
  EXPECT_EQ(Ids(store->DueTimers(FromUnixMillis(9000), 10).value()),
            (std::vector<std::string>{"a"}));

  // Firing and rescheduling one id in one batch: a repeating timer.
  StateBatch repeat;
  repeat.fired = {"a"};
  repeat.schedule = {MakeTimer("a", 20'000)};
  ASSERT_TRUE(store->Commit(repeat));
  EXPECT_EQ(FromUnixMillis(20'000), store->NextTimerDue().value());

  StateBatch bad;
  bad.schedule = {MakeTimer("", 1)};
  EXPECT_FALSE(store->Commit(bad));
  bad.schedule = {MakeTimer("x", 1), MakeTimer("x", 2)};
  EXPECT_FALSE(store->Commit(bad));
  EXPECT_EQ(store->GetTimer("x").value(), std::nullopt);
}

// Two threads firing the same due timers: each timer's effect is written exactly once.
TEST_F(EventStoreTest, ConcurrentFiringIsExactlyOnce) {
  auto store = OpenStore();
  StateBatch batch;
  for (int i = 0; i < 200; ++i) batch.schedule.push_back(MakeTimer("t" + std::to_string(i), i));
  ASSERT_TRUE(store->Commit(batch));
  std::atomic<int> fired{0};
  auto worker = [&] {
    for (int i = 0; i < 200; ++i) {
      StateBatch fire;
      fire.fired = {"t" + std::to_string(i)};
      if (store->Commit(fire)) ++fired;
    }
  };
  std::thread a(worker), b(worker);
  a.join();
  b.join();
  EXPECT_EQ(fired.load(), 200);
  EXPECT_EQ(store->NextTimerDue().value(), std::nullopt);
}

// Firing a timer as read: refused when it moved, fired or was cancelled since; a version read
// before any timer changed skips the lookup, one read earlier does not.
TEST_F(EventStoreTest, FiredVersionsMustStillBePendingAsRead) {
  auto store = OpenStore();
  StateBatch schedule;
  schedule.schedule = {MakeTimer("a", 1000), MakeTimer("b", 1000)};
  ASSERT_TRUE(store->Commit(schedule));
  uint64_t version = 0;
  ASSERT_EQ(Ids(store->DueTimers(FromUnixMillis(1000), 10, &version).value()),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_NE(version, 0u);

  StateBatch twice;  // one id twice, at the version read
  twice.fired_versions = {{"a", FromUnixMillis(1000)}, {"a", FromUnixMillis(1000)}};
  twice.timers_read_at = version;
  EXPECT_FALSE(store->Commit(twice));

  StateBatch move;
  move.schedule = {MakeTimer("a", 2000)};
  ASSERT_TRUE(store->Commit(move));
  StateBatch stale;  // a moved since it was read
  stale.fired_versions = {{"a", FromUnixMillis(1000)}};
  stale.timers_read_at = version;
  EXPECT_EQ(store->Commit(stale).error().code, Errc::kInvalidField);
  stale.timers_read_at = 0;
  EXPECT_FALSE(store->Commit(stale));

  uint64_t again = 0;
  ASSERT_EQ(store->DueTimers(FromUnixMillis(1000), 10, &again).value().size(), 1u);  // b
  EXPECT_NE(again, version);
  StateBatch elsewhere;  // another firer takes b after it was read
  elsewhere.fired = {"b"};
  ASSERT_TRUE(store->Commit(elsewhere));
  StateBatch late;
  late.fired_versions = {{"b", FromUnixMillis(1000)}};
  late.timers_read_at = again;
  late.writes = {{Table::kConversations, "conv-b", "late"}};
  EXPECT_FALSE(store->Commit(late));
  EXPECT_EQ(store->GetRecord(Table::kConversations, "conv-b").value(), std::nullopt);

  uint64_t now = 0;
  ASSERT_EQ(Ids(store->DueTimers(FromUnixMillis(2000), 10, &now).value()),
            (std::vector<std::string>{"a"}));
  StateBatch fire;
  fire.fired_versions = {{"a", FromUnixMillis(2000)}};
  fire.timers_read_at = now;
  fire.writes = {{Table::kConversations, "conv-a", "fired"}};
  ASSERT_TRUE(store->Commit(fire));
  EXPECT_EQ(store->GetRecord(Table::kConversations, "conv-a").value(), "fired");
  EXPECT_EQ(store->NextTimerDue().value(), std::nullopt);
  EXPECT_FALSE(store->Commit(fire));  // once
}

TEST_F(EventStoreTest, CursorsArePersisted) {
  auto store = OpenStore();
  auto missing = store->GetCursor("aliexpress/s1/messages");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing.value(), std::nullopt);
  ASSERT_TRUE(store->PutCursor("aliexpress/s1/messages", "page=1"));
  ASSERT_TRUE(store->PutCursor("aliexpress/s1/messages", "page=2\0x"s));
  ASSERT_TRUE(store->PutCursor("wildberries/s1/claims", "t=5"));
  store.reset();

  store = OpenStore();
  auto cursor = store->GetCursor("aliexpress/s1/messages");
  ASSERT_TRUE(cursor);
  EXPECT_EQ(cursor.value(), "page=2\0x"s);
  auto other = store->GetCursor("wildberries/s1/claims");
  ASSERT_TRUE(other);
  EXPECT_EQ(other.value(), "t=5");
  auto empty_name = store->PutCursor("", "x");
  ASSERT_FALSE(empty_name);
  EXPECT_EQ(empty_name.error().code, Errc::kInvalidField);
}

TEST_F(EventStoreTest, RefusesAppendsOverThePendingByteBudget) {
  GateObserver observer(/*open=*/false);
  StoreOptions options = Options();
  const size_t one_event = MakeEvent("ozon", "s1", "a").ByteSizeLong();
  options.max_pending_bytes = one_event * 2 + 10;  // room for two such events, not three
  auto store = OpenStore(options, &observer);
  Results results(3);
  store->AppendAsync({MakeEvent("ozon", "s1", "a")}, results.Callback(0));
  observer.WaitForCommit();  // taken: the budget is free again
  store->AppendAsync({MakeEvent("ozon", "s1", "b")}, results.Callback(1));
  store->AppendAsync({MakeEvent("ozon", "s1", "c")}, results.Callback(2));
  bool refused_at_once = false;
  store->AppendAsync({MakeEvent("ozon", "s1", "d")}, [&](Result<std::vector<Appended>> r) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::kOverloaded);
    refused_at_once = true;
  });
  EXPECT_TRUE(refused_at_once);
  observer.OpenGate();
  for (const auto& [slot, result] : results.Wait()) EXPECT_TRUE(result);
  // A lone append larger than the whole budget still goes through once the queue is empty.
  proto::Event big = MakeEvent("ozon", "s1", "big");
  big.mutable_raw()->set_body(std::string(one_event * 4, 'x'));
  EXPECT_TRUE(store->Append({big}));
}

TEST_F(EventStoreTest, RefusesAppendsWhenThePendingQueueIsFull) {
  GateObserver observer(/*open=*/false);
  StoreOptions options = Options();
  options.max_pending_appends = 1;
  auto store = OpenStore(options, &observer);
  Results results(2);
  // Taken by the committer, which then holds in OnCommit: the queue is empty again.
  store->AppendAsync({MakeEvent("ozon", "s1", "a")}, results.Callback(0));
  observer.WaitForCommit();
  // Fills the queue of one.
  store->AppendAsync({MakeEvent("ozon", "s1", "b")}, results.Callback(1));

  bool refused_at_once = false;
  store->AppendAsync({MakeEvent("ozon", "s1", "c")}, [&](Result<std::vector<Appended>> r) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::kOverloaded);
    refused_at_once = true;
  });
  EXPECT_TRUE(refused_at_once);

  observer.OpenGate();
  for (const auto& [slot, result] : results.Wait()) EXPECT_TRUE(result);
  EXPECT_EQ(store->LastSequence(), 2u);
  // With the queue drained, appends are accepted again.
  EXPECT_TRUE(store->Append({MakeEvent("ozon", "s1", "c")}));
}

TEST_F(EventStoreTest, RejectsInvalidEventsAndStoresNothingOfTheCall) {
  auto store = OpenStore();
  const proto::Event valid = MakeEvent("ozon", "s1", "ok");
  std::vector<proto::Event> invalid;
  invalid.push_back(MakeEvent("", "s1", "e"));
  invalid.push_back(MakeEvent("ozon", "", "e"));
  invalid.push_back(MakeEvent("ozon", "s1", ""));
  invalid.push_back(MakeEvent("oz\0on"s, "s1", "e"));
  invalid.push_back(MakeEvent("ozon", "s\0x"s, "e"));
  for (const proto::Event& bad : invalid) {
    auto r = store->Append({valid, bad});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::kInvalidField);
  }
  EXPECT_EQ(store->LastSequence(), 0u);
  auto found = store->FindSequence("ozon", "s1", "ok");
  ASSERT_TRUE(found);
  EXPECT_EQ(found.value(), std::nullopt);

  // The event id is the last part of the key: any byte is fine there.
  const std::string nul_event_id = "e\0x"s;
  auto nul_id = store->Append({MakeEvent("ozon", "s1", nul_event_id)});
  ASSERT_TRUE(nul_id);
  auto by_nul_id = store->FindSequence("ozon", "s1", nul_event_id);
  ASSERT_TRUE(by_nul_id);
  EXPECT_EQ(by_nul_id.value(), 1u);
  auto bad_lookup = store->FindSequence("oz\0on"s, "s1", "e");
  ASSERT_FALSE(bad_lookup);
  EXPECT_EQ(bad_lookup.error().code, Errc::kInvalidField);
}

TEST_F(EventStoreTest, CloseCompletesQueuedAppendsThenRefusesNewOnes) {
  GateObserver observer(/*open=*/false);
  auto store = OpenStore(Options(), &observer);
  constexpr size_t kQueued = 10;
  Results results(kQueued + 1);
  store->AppendAsync({MakeEvent("ozon", "s1", "blocker")}, results.Callback(kQueued));
  observer.WaitForCommit();
  for (size_t i = 0; i < kQueued; ++i) {
    store->AppendAsync({MakeEvent("ozon", "s1", std::to_string(i))}, results.Callback(i));
  }

  std::thread closer([&] { store->Close(); });
  // Close has begun once even an empty append is refused; the queued ones still wait.
  for (;;) {
    auto probe = store->Append({});
    if (!probe) {
      EXPECT_EQ(probe.error().code, Errc::kNotReady);
      break;
    }
    std::this_thread::yield();
  }
  observer.OpenGate();
  closer.join();

  // Close returned, so every queued append has completed.
  for (const auto& [slot, result] : results.Wait()) {
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_FALSE(result.value().at(0).duplicate);
  }
  EXPECT_EQ(store->LastSequence(), kQueued + 1);
  auto late = store->Append({MakeEvent("ozon", "s1", "late")});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, Errc::kNotReady);
  store->Close();  // idempotent

  // Reads and acknowledgements still work after Close.
  auto listed = store->List(ListQuery{});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed.value().size(), kQueued + 1);
  EXPECT_TRUE(store->AckWork(1));
}

TEST_F(EventStoreTest, RespectsMaxBatchEvents) {
  GateObserver observer(/*open=*/false);
  StoreOptions options = Options();
  options.max_batch_events = 7;
  auto store = OpenStore(options, &observer);
  constexpr size_t kAppends = 50;
  Results results(kAppends + 1);
  store->AppendAsync({MakeEvent("ozon", "s1", "blocker")}, results.Callback(kAppends));
  observer.WaitForCommit();
  for (size_t i = 0; i < kAppends; ++i) {
    std::vector<proto::Event> events{MakeEvent("ozon", "s1", std::to_string(i))};
    // Every fifth append carries three events.
    if (i % 5 == 0) {
      events.push_back(MakeEvent("ozon", "s1", std::to_string(i) + "b"));
      events.push_back(MakeEvent("ozon", "s1", std::to_string(i) + "c"));
    }
    store->AppendAsync(std::move(events), results.Callback(i));
  }
  observer.OpenGate();
  for (const auto& [slot, result] : results.Wait()) ASSERT_TRUE(result);

  size_t largest = 0;
  size_t events = 0;
  for (const CommitRecord& c : observer.commits()) {
    EXPECT_LE(c.events, 7u);
    largest = std::max(largest, c.events);
    events += c.events;
  }
  EXPECT_EQ(largest, 7u);
  EXPECT_EQ(events, 1 + kAppends + 2 * (kAppends / 5));
}

TEST_F(EventStoreTest, AppendLargerThanTheBatchCapsCommitsAlone) {
  GateObserver observer(/*open=*/true);
  StoreOptions options = Options();
  options.max_batch_events = 2;
  options.max_batch_bytes = 1;
  auto store = OpenStore(options, &observer);
  std::vector<proto::Event> events;
  for (int i = 0; i < 5; ++i) events.push_back(MakeEvent("ozon", "s1", std::to_string(i)));
  auto appended = store->Append(std::move(events));
  ASSERT_TRUE(appended);
  ASSERT_EQ(observer.commits().size(), 1u);
  EXPECT_EQ(observer.commits()[0].appends, 1u);
  EXPECT_EQ(observer.commits()[0].events, 5u);
  EXPECT_EQ(store->LastSequence(), 5u);
}

TEST_F(EventStoreTest, MaxBatchBytesSplitsCommits) {
  GateObserver observer(/*open=*/false);
  StoreOptions options = Options();
  const proto::Event sample = MakeEvent("ozon", "s1", "0");
  // Room for two of these events, not three.
  options.max_batch_bytes = 2 * sample.ByteSizeLong() + 1;
  auto store = OpenStore(options, &observer);
  Results results(7);
  store->AppendAsync({MakeEvent("ozon", "s1", "blocker")}, results.Callback(6));
  observer.WaitForCommit();
  for (size_t i = 0; i < 6; ++i) {
    store->AppendAsync({MakeEvent("ozon", "s1", std::to_string(i))}, results.Callback(i));
  }
  observer.OpenGate();
  for (const auto& [slot, result] : results.Wait()) ASSERT_TRUE(result);
  const auto commits = observer.commits();
  ASSERT_EQ(commits.size(), 4u);
  for (size_t i = 1; i < commits.size(); ++i) EXPECT_EQ(commits[i].events, 2u);
}

// Lowers the process's file size limit so that RocksDB's next large write fails with EFBIG, as
// a full disk would fail it; restores it on destruction.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    if (getrlimit(RLIMIT_FSIZE, &saved_) != 0) std::abort();
    // Past the limit the kernel sends SIGXFSZ, which would kill the test; ignored, write()
    // fails with EFBIG instead.
    saved_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit lowered = saved_;
    lowered.rlim_cur = bytes;
    if (setrlimit(RLIMIT_FSIZE, &lowered) != 0) std::abort();
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, saved_handler_);
  }

 private:
  rlimit saved_{};
  void (*saved_handler_)(int) = nullptr;
};

TEST_F(EventStoreTest, FailedWriteCompletesTheBatchWithStorageFailure) {
  GateObserver observer(/*open=*/true);
  auto store = OpenStore(Options(), &observer);
  ASSERT_TRUE(store->Append({MakeEvent("ozon", "s1", "before")}));
  {
    FileSizeLimit limit(256 << 10);
    proto::Event big = MakeEvent("ozon", "s1", "big");
    big.mutable_raw()->set_body(std::string(1 << 20, 'x'));
    auto failed = store->Append({big, MakeEvent("ozon", "s1", "small")});
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, Errc::kStorageFailure);
    EXPECT_NE(failed.error().message.find(Options().dir), std::string::npos);
  }
  EXPECT_FALSE(store->Healthy());
  EXPECT_EQ(observer.failures(), 1);
  EXPECT_EQ(store->LastSequence(), 1u);
  auto found = store->FindSequence("ozon", "s1", "small");
  ASSERT_TRUE(found);
  EXPECT_EQ(found.value(), std::nullopt);
}

TEST_F(EventStoreTest, OpensADatabaseWithOtherComponentsColumnFamilies) {
  const std::string path = Options().dir;
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, path, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    ASSERT_TRUE(
        db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "analytics", &handle).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handle, "k", "v").ok());
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
    ASSERT_TRUE(db->Close().ok());
  }

  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Append({MakeEvent("ozon", "s1", "e1")}));
  store.reset();

  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"analytics", "conversations", "cursors", "dedupe",
                                             "default", "disputes", "events", "odr_alerts",
                                             "odr_counters", "odr_facts", "orders", "outbox",
                                             "outbox_index", "queue", "store_events", "timer_ids",
                                             "timers", "timers_dead"}));
  store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->LastSequence(), 1u);
}

TEST_F(EventStoreTest, OpenRejectsUnusableOptions) {
  StoreOptions options = Options();
  options.max_pending_appends = 0;
  auto store = EventStore::Open(options);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::kInvalidField);

  // A regular file where the directory should be.
  const std::string file = dir_.Sub("file");
  { std::ofstream(file) << "x"; }
  options = Options();
  options.dir = file;
  store = EventStore::Open(options);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::kStorageFailure);
  EXPECT_NE(store.error().message.find(file), std::string::npos) << store.error().message;
}

TEST_F(EventStoreTest, ReadOnlyOpenReadsBesideAWriterAndRefusesWrites) {
  auto writer = OpenStore();
  ASSERT_TRUE(writer->Append({MakeEvent("ozon", "s1", "e1"), MakeEvent("ozon", "s2", "e2")}));
  StoreOptions options = Options();
  options.read_only = true;
  auto reader = OpenStore(options);  // the writer still holds the database lock
  ASSERT_NE(reader, nullptr);
  ListQuery query;
  auto events = reader->List(query);
  ASSERT_TRUE(events);
  EXPECT_EQ(events.value().size(), 2u);
  auto appended = reader->Append({MakeEvent("ozon", "s1", "e3")});
  ASSERT_FALSE(appended);
  EXPECT_EQ(appended.error().code, Errc::kNotReady);
  EXPECT_FALSE(reader->PutCursor("c", "v"));
  EXPECT_FALSE(reader->AckWork(1));
  reader->Close();
}

TEST_F(EventStoreTest, ReadOnlyOpenOfAMissingStoreFails) {
  StoreOptions options = Options();
  options.read_only = true;
  auto store = EventStore::Open(options);
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("no store"), std::string::npos);
}

}  // namespace
}  // namespace csgw::gateway
