// EventStore::ScanTimers: pending timers of one kind before an instant, in due order, paged.
#include <gtest/gtest.h>

#include <set>

#include "gateway/store/event_store.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

proto::Timer MakeTimer(const std::string& id, const std::string& kind, int64_t due_ms) {
  proto::Timer t;
  t.set_id(id);
  t.set_kind(kind);
  t.mutable_due()->set_seconds(due_ms / 1000);
  t.mutable_due()->set_nanos(static_cast<int32_t>(due_ms % 1000) * 1'000'000);
  t.set_subject("s-" + id);
  return t;
}

std::vector<std::string> Ids(const TimerScanPage& page) {
  std::vector<std::string> ids;
  for (const auto& t : page.timers) ids.push_back(t.id());
  return ids;
}

class TimerScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.dir = dir_.Sub("db");
    options.sync = false;
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store).value();
    StateBatch batch;
    // Deadlines at 1..6 s, interleaved with alerts and another component's timers.
    batch.schedule = {MakeTimer("d3", "deadline", 3000), MakeTimer("d1", "deadline", 1000),
                      MakeTimer("a1", "alert", 1000),    MakeTimer("r2", "reply", 2000),
                      MakeTimer("d2", "deadline", 2000), MakeTimer("d2b", "deadline", 2000),
                      MakeTimer("d6", "deadline", 6000), MakeTimer("r4", "reply", 4000),
                      MakeTimer("r5", "reply", 5000)};
    ASSERT_TRUE(store_->Commit(batch));
  }

  csgw::testing::TempDir dir_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(TimerScanTest, OneKindBeforeAnInstantInDueThenIdOrder) {
  TimerScan scan;
  scan.kind = "deadline";
  scan.due_before = FromUnixMillis(6000);  // exclusive: d6 is not due before 6 s
  auto page = store_->ScanTimers(scan);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(Ids(page.value()), (std::vector<std::string>{"d1", "d2", "d2b", "d3"}));
  EXPECT_EQ(page.value().next, std::nullopt);
  EXPECT_EQ(page.value().timers[0].subject(), "s-d1");

  scan.due_before = TimePoint::max();
  EXPECT_EQ(Ids(store_->ScanTimers(scan).value()),
            (std::vector<std::string>{"d1", "d2", "d2b", "d3", "d6"}));
  scan.kind = "nothing";
  EXPECT_TRUE(store_->ScanTimers(scan).value().timers.empty());
}

TEST_F(TimerScanTest, PagesResumeWhereTheLastOneStopped) {
  TimerScan scan;
  scan.kind = "deadline";
  scan.limit = 2;
  std::vector<std::string> seen;
  int pages = 0;
  while (true) {
    auto page = store_->ScanTimers(scan);
    ASSERT_TRUE(page) << page.error().message;
    for (const auto& id : Ids(page.value())) seen.push_back(id);
    ++pages;
    if (!page.value().next) break;
    scan.after = page.value().next;
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"d1", "d2", "d2b", "d3", "d6"}));
  EXPECT_EQ(pages, 3);
}

// Other kinds count against max_examined: a page may come back short (even empty) with a
// `next` to continue from, so that one request never reads the whole range.
TEST_F(TimerScanTest, ReadsAtMostMaxExaminedPerPage) {
  TimerScan scan;
  scan.kind = "reply";
  scan.max_examined = 3;
  auto page = store_->ScanTimers(scan);
  ASSERT_TRUE(page);
  EXPECT_EQ(Ids(page.value()), (std::vector<std::string>{}));  // a1, d1, d2 read
  EXPECT_EQ(page.value().examined, 3u);
  ASSERT_TRUE(page.value().next);
  EXPECT_EQ(page.value().next->id, "d2");
  std::vector<std::string> seen;
  while (page.value().next) {
    scan.after = page.value().next;
    page = store_->ScanTimers(scan);
    ASSERT_TRUE(page);
    for (const auto& id : Ids(page.value())) seen.push_back(id);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"r2", "r4", "r5"}));
}

TEST_F(TimerScanTest, FiredAndCancelledTimersAreGoneAndBadScansRefused) {
  ASSERT_EQ(store_->DueTimers(FromUnixMillis(2000), 10).value().size(), 5u);
  StateBatch batch;
  batch.fired = {"d1", "a1"};
  batch.cancel = {"d2"};
  batch.schedule = {MakeTimer("d0", "deadline", 500)};  // below everything scanned so far
  ASSERT_TRUE(store_->Commit(batch));
  TimerScan scan;
  scan.kind = "deadline";
  scan.due_before = FromUnixMillis(3001);
  EXPECT_EQ(Ids(store_->ScanTimers(scan).value()), (std::vector<std::string>{"d0", "d2b", "d3"}));

  scan.kind = "";
  EXPECT_FALSE(store_->ScanTimers(scan));
  scan.kind = "deadline";
  scan.limit = 0;
  EXPECT_FALSE(store_->ScanTimers(scan));
}

}  // namespace
}  // namespace csgw::gateway
