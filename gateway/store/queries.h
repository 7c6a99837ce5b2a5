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

// Timers: the due time of a pending id; pending timers due at or before `now_ms`, earliest
// first; the earliest due time; one timer by id.
Result<std::optional<uint64_t>> TimerDue(const Database& db, std::string_view id);
// The same for many ids in one batched lookup, in the order given.
Result<std::vector<std::optional<uint64_t>>> TimerDues(const Database& db,
                                                       const std::vector<std::string>& ids);
// DueTimers and NextTimerDue start at `from_ms`, below which the caller knows no timer is
// pending (fired timers leave tombstones there that every scan from the start would wade
// through). `first_due` receives the due time of the first pending timer seen, if any.
Result<std::vector<proto::Timer>> DueTimers(const Database& db, uint64_t from_ms, int64_t now_ms,
                                            size_t limit, std::optional<uint64_t>* first_due);
Result<std::optional<uint64_t>> NextTimerDue(const Database& db, uint64_t from_ms);
Result<std::optional<proto::Timer>> GetTimer(const Database& db, std::string_view id);
// See EventStore::ScanTimers; starts no lower than `from_ms` (as DueTimers).
Result<TimerScanPage> ScanTimers(const Database& db, uint64_t from_ms, const TimerScan& scan);

// See EventStore::ReadCounters, CounterRuleSets and StoreIds.
Result<std::vector<std::pair<odr::Day, odr::Counters>>> ReadCounters(const Database& db,
                                                                     std::string_view store_id,
                                                                     std::string_view rule_set,
                                                                     odr::Day from, odr::Day to);
Result<std::vector<std::string>> CounterRuleSets(const Database& db, std::string_view store_id);
Result<std::vector<std::string>> StoreIds(const Database& db);

// The highest sequence in "events", 0 when there is none: where Open resumes numbering.
Result<uint64_t> LastStoredSequence(const Database& db);

}  // namespace csgw::gateway::store_db
