// The fsync half of EventStore's group commit, on a thread of its own.
//
// The committer writes each group unsynced (into the WAL file and the memtables), starts a sync
// here, and while that fsync runs it dedupes and writes the next group; then it waits for the
// sync and completes the first group. So the disk is not idle while the committer works, and
// the committer's CPU work is off the fsync's critical path. Private to gateway/store.
#pragma once

#include <rocksdb/status.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace csgw::gateway::store_db {

// One sync at a time: Start, then Wait, then Start again. Used by one thread (the committer).
class WalSyncer {
 public:
  // `sync` makes everything written to the WAL so far durable (DB::SyncWAL).
  explicit WalSyncer(std::function<rocksdb::Status()> sync);
  // Waits for a running sync, then stops the thread.
  ~WalSyncer();

  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  // Starts a sync of everything written before this call. Requires that no sync runs.
  void Start();
  // Waits for the sync Start began and returns its outcome.
  rocksdb::Status Wait();

 private:
  void Loop();

  const std::function<rocksdb::Status()> sync_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool requested_ = false;  // guarded by mutex_
  bool done_ = false;       // guarded by mutex_
  bool stopping_ = false;   // guarded by mutex_
  rocksdb::Status status_;  // of the last sync, guarded by mutex_
  std::thread thread_;
};

}  // namespace csgw::gateway::store_db
