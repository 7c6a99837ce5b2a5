#include "gateway/store/wal_syncer.h"

#include <pthread.h>

#include <utility>

namespace csgw::gateway::store_db {

WalSyncer::WalSyncer(std::function<rocksdb::Status()> sync) : sync_(std::move(sync)) {
  thread_ = std::thread([this] { Loop(); });
}

WalSyncer::~WalSyncer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void WalSyncer::Start() {
  {
    std::lock_guard lock(mutex_);
    requested_ = true;
    done_ = false;
  }
  changed_.notify_all();
}

rocksdb::Status WalSyncer::Wait() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return done_; });
  return status_;
}

void WalSyncer::Loop() {
  // Named so that top, perf and the ingest benchmark can tell its time apart.
  pthread_setname_np(pthread_self(), "csgw-sync");
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return requested_ || stopping_; });
    if (!requested_) return;  // stopping, and no sync was asked for
    requested_ = false;
    lock.unlock();
    rocksdb::Status status = sync_();
    lock.lock();
    status_ = std::move(status);
    done_ = true;
    changed_.notify_all();
  }
}

}  // namespace csgw::gateway::store_db
