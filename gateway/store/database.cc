#include "gateway/store/database.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "base/log.h"
#include "gateway/store/counter_merge.h"

namespace csgw::gateway::store_db {
namespace {

rocksdb::DBOptions MakeDbOptions() {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  // After a crash keep the longest consistent prefix of the WAL: every synced batch survives,
  // a torn tail is dropped rather than failing the open.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // Writes go to the WAL file as they happen; a sync write is then durable on return.
  options.manual_wal_flush = false;
  // Small column families (cursors, queue) rarely fill a memtable, which would pin old WAL
  // files forever; past this size RocksDB flushes them so the WAL can be recycled.
  options.max_total_wal_size = 256u << 20;
  options.keep_log_file_num = 10;
  return options;
}

rocksdb::ColumnFamilyOptions MakeCfOptions(std::string_view name) {
  rocksdb::ColumnFamilyOptions options;
  if (name == kColumnFamilyNames[static_cast<size_t>(Cf::kEvents)]) {
    // Events carry the raw payload: the bulk of the bytes written.
    options.write_buffer_size = 64u << 20;
  } else if (name == kColumnFamilyNames[static_cast<size_t>(Cf::kDedupe)]) {
    // Every append looks its key up here and almost every lookup misses: a Bloom filter
    // answers those without reading a data block.
    options.write_buffer_size = 16u << 20;
    rocksdb::BlockBasedTableOptions table;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  } else if (name == kColumnFamilyNames[static_cast<size_t>(Cf::kOdrFacts)]) {
    // Counting reads an order's (or conversation's) facts for every event, and the first event
    // of each misses: a Bloom filter answers those without reading data blocks.
    options.write_buffer_size = 32u << 20;
    rocksdb::BlockBasedTableOptions table;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  } else if (name == kColumnFamilyNames[static_cast<size_t>(Cf::kOdrCounters)]) {
    // Every counted event adds a delta as a merge operand; reads and compactions sum them.
    // Set on read-only opens too: a read of a key with operands needs the operator.
    options.write_buffer_size = 16u << 20;
    options.merge_operator = NewCounterMergeOperator();
    // A key counted by many batches since the last flush (today's, in a busy store) would make
    // every report merge all its deltas; past this many the write folds them into one value.
    options.max_successive_merges = 16;
  } else if (name == kColumnFamilyNames[static_cast<size_t>(Cf::kQueue)] ||
             name == kColumnFamilyNames[static_cast<size_t>(Cf::kStoreEvents)]) {
    options.write_buffer_size = 16u << 20;
  } else {
    // Cursors, and column families of other components opened only because they exist.
    options.write_buffer_size = 4u << 20;
  }
  return options;
}

}  // namespace

Error StorageError(std::string_view operation, std::string_view dir,
                   const rocksdb::Status& status) {
  std::string message = "rocksdb ";
  message.append(operation).append(" in ").append(dir).append(": ").append(status.ToString());
  return MakeError(Errc::kStorageFailure, std::move(message));
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& dir, bool read_only) {
  std::error_code ec;
  if (read_only && !std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec)) {
    return MakeError(Errc::kStorageFailure, "no store in " + dir);
  }
  if (!read_only) std::filesystem::create_directories(dir, ec);
  if (ec) {
    return MakeError(Errc::kStorageFailure, "cannot create " + dir + ": " + ec.message());
  }
  const rocksdb::DBOptions db_options = MakeDbOptions();

  // An existing database must be opened with all of its column families.
  std::vector<std::string> names;
  if (std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec)) {
    if (const rocksdb::Status s = rocksdb::DB::ListColumnFamilies(db_options, dir, &names);
        !s.ok()) {
      return StorageError("list column families", dir, s);
    }
  } else {
    names.push_back(rocksdb::kDefaultColumnFamilyName);
  }
  if (!read_only) {
    for (const std::string_view ours : kColumnFamilyNames) {
      if (std::find(names.begin(), names.end(), ours) == names.end()) names.emplace_back(ours);
    }
  }

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.reserve(names.size());
  for (const std::string& name : names) descriptors.emplace_back(name, MakeCfOptions(name));

  std::unique_ptr<Database> database(new Database());
  database->dir_ = dir;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s =
      read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, dir, descriptors, &database->handles_, &raw)
          : rocksdb::DB::Open(db_options, dir, descriptors, &database->handles_, &raw);
  if (!s.ok()) return StorageError(read_only ? "open read-only" : "open", dir, s);
  database->db_.reset(raw);
  for (size_t i = 0; i < names.size(); ++i) {
    const auto it = std::find(kColumnFamilyNames.begin(), kColumnFamilyNames.end(), names[i]);
    if (it != kColumnFamilyNames.end()) {
      database->ours_[static_cast<size_t>(it - kColumnFamilyNames.begin())] = database->handles_[i];
    }
  }
  for (size_t i = 0; i < database->ours_.size(); ++i) {
    if (database->ours_[i] == nullptr) {  // read-only open of a store of another version
      return MakeError(Errc::kStorageFailure, "store in " + dir + " has no column family " +
                                                  std::string(kColumnFamilyNames[i]));
    }
  }
  return database;
}

Database::~Database() {
  if (!db_) return;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    // Only fails for a handle of another database: a bug.
    const rocksdb::Status s = db_->DestroyColumnFamilyHandle(handle);
    if (!s.ok()) std::abort();
  }
  handles_.clear();
  if (const rocksdb::Status s = db_->Close(); !s.ok()) {
    log::Error("store.close_failed", {{"path", dir_}, {"status", s.ToString()}});
  }
}

}  // namespace csgw::gateway::store_db
