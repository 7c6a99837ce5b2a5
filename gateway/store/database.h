// The RocksDB handle behind EventStore: which column families exist, how they are tuned, how the
// database is opened and closed, and how rocksdb::Status becomes an Error. Private to
// gateway/store; nothing outside this folder sees a RocksDB type.
#pragma once

#include <rocksdb/db.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace csgw::gateway::store_db {

// The column families EventStore reads and writes, indexed into kColumnFamilyNames.
enum class Cf : size_t {
  kEvents,
  kDedupe,
  kQueue,
  kCursors,
  kStoreEvents,
  kConversations,
  kOrders,
  kTimers,
  kTimerIds,
  kDisputes,
  kOdrCounters,  // odr daily counters, summed by the merge operator of counter_merge.h
  kOdrFacts,
  kOdrAlerts,
  kOutbox,
  kOutboxIndex,
  kDeadTimers,
  kCount
};

// The one list of column family names. Open creates any that is missing. A database may hold
// more (later components add theirs); Open opens those too, since RocksDB refuses to open a
// database without all of them.
inline constexpr std::array<std::string_view, static_cast<size_t>(Cf::kCount)> kColumnFamilyNames =
    {"events",    "dedupe",   "queue",        "cursors",   "store_events", "conversations",
     "orders",    "timers",   "timer_ids",    "disputes",  "odr_counters", "odr_facts",
     "odr_alerts", "outbox",   "outbox_index", "timers_dead"};

// kStorageFailure naming the operation, the database path and RocksDB's reason.
Error StorageError(std::string_view operation, std::string_view dir, const rocksdb::Status& status);

// An open database with a handle for every one of its column families. Thread-safe as
// rocksdb::DB is. Destruction releases the handles, then closes the database.
class Database {
 public:
  // Creates `dir` (and its parents) if missing, then opens or creates the database in it.
  // With `read_only`, opens an existing database without taking its lock (another process may
  // be writing it) and creates nothing.
  static Result<std::unique_ptr<Database>> Open(const std::string& dir, bool read_only = false);
  ~Database();

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  rocksdb::DB& db() const { return *db_; }
  rocksdb::ColumnFamilyHandle* cf(Cf cf) const { return ours_[static_cast<size_t>(cf)]; }
  const std::string& dir() const { return dir_; }

 private:
  Database() = default;

  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  // Every column family of the database, ours and others'; owned, destroyed before db_ closes.
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  // Ours, pointing into handles_.
  std::array<rocksdb::ColumnFamilyHandle*, static_cast<size_t>(Cf::kCount)> ours_{};
};

}  // namespace csgw::gateway::store_db
