// The read side of EventStore: stateless lookups over an open Database. Thread-safe (RocksDB
// reads are); they see every commit that completed before the call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "gateway/store/database.h"
#include "gateway/store/event_store.h"
#include "proto/proto.h"

namespace csgw::gateway::store_db {

// See EventStore::List, Get, FindSequence, PendingWork and GetCursor.
Result<std::vector<proto::Event>> ListEvents(const Database& db, const ListQuery& query);
Result<std::optional<proto::Event>> GetEvent(const Database& db, uint64_t sequence);
Result<std::optional<uint64_t>> FindEventSequence(const Database& db, std::string_view marketplace,
                                                  std::string_view store_id,
                                                  std::string_view event_id);
Result<std::vector<WorkItem>> ListWork(const Database& db, uint64_t after_sequence, size_t limit);
Result<std::optional<std::string>> GetCursor(const Database& db, std::string_view name);

// The column family holding a table of derived state.
Cf TableCf(Table table);
Result<std::optional<std::string>> GetRecord(const Database& db, Table table, std::string_view key);
Result<std::vector<std::pair<std::string, std::string>>> ScanRecords(const Database& db,
                                                                     Table table,
                                                                     std::string_view prefix,
                                                                     std::string_view after_key,
                                                                     size_t limit);

// The highest sequence in "events", 0 when there is none: where Open resumes numbering.
Result<uint64_t> LastStoredSequence(const Database& db);

}  // namespace csgw::gateway::store_db
