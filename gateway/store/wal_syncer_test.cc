#include "gateway/store/wal_syncer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace csgw::gateway::store_db {
namespace {

TEST(WalSyncerTest, WaitReturnsTheOutcomeOfTheSyncStarted) {
  std::atomic<int> calls{0};
  WalSyncer syncer([&] {
    return ++calls == 2 ? rocksdb::Status::IOError("disk gone") : rocksdb::Status::OK();
  });
  syncer.Start();
  EXPECT_TRUE(syncer.Wait().ok());
  syncer.Start();
  EXPECT_TRUE(syncer.Wait().IsIOError());
  syncer.Start();
  EXPECT_TRUE(syncer.Wait().ok());
  EXPECT_EQ(calls.load(), 3);
}

// The caller works while the sync runs: Start returns at once, Wait blocks until it ends.
TEST(WalSyncerTest, TheSyncRunsOnItsOwnThreadUntilWaitedFor) {
  std::atomic<bool> release{false};
  std::atomic<bool> ended{false};
  const std::thread::id caller = std::this_thread::get_id();
  std::thread::id ran_on;
  WalSyncer syncer([&] {
    ran_on = std::this_thread::get_id();
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ended = true;
    return rocksdb::Status::OK();
  });
  syncer.Start();
  EXPECT_FALSE(ended.load());
  release = true;
  EXPECT_TRUE(syncer.Wait().ok());
  EXPECT_TRUE(ended.load());
  EXPECT_NE(ran_on, caller);
}

// Destroying a syncer with a sync running lets it finish first.
TEST(WalSyncerTest, DestructionWaitsForARunningSync) {
  std::atomic<bool> ended{false};
  {
    WalSyncer syncer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ended = true;
      return rocksdb::Status::OK();
    });
    syncer.Start();
  }
  EXPECT_TRUE(ended.load());
}

}  // namespace
}  // namespace csgw::gateway::store_db
