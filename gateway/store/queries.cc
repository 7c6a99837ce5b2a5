#include "gateway/store/queries.h"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>

#include <algorithm>
#include <memory>

#include "gateway/store/keys.h"

namespace csgw::gateway::store_db {
namespace {

// A record that cannot be decoded: the database was damaged or written by incompatible code.
Error CorruptRecord(std::string_view what, uint64_t sequence, std::string_view dir) {
  return MakeError(Errc::kStorageFailure, "corrupt " + std::string(what) + " at sequence " +
                                              std::to_string(sequence) + " in " + std::string(dir));
}

std::unique_ptr<rocksdb::Iterator> NewIterator(const Database& db, Cf cf) {
  return std::unique_ptr<rocksdb::Iterator>(db.db().NewIterator(rocksdb::ReadOptions(), db.cf(cf)));
}

bool ParseEvent(const rocksdb::Slice& bytes, proto::Event& event) {
  return event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

// Events in sequence order from the whole log.
Result<std::vector<proto::Event>> ListAll(const Database& db, uint64_t after_sequence,
                                          size_t limit) {
  std::vector<proto::Event> out;
  const auto it = NewIterator(db, Cf::kEvents);
  for (it->Seek(store_keys::EncodeSequence(after_sequence + 1)); it->Valid() && out.size() < limit;
       it->Next()) {
    const auto sequence = store_keys::DecodeSequence(it->key().ToStringView());
    if (!sequence) return CorruptRecord("event key", 0, db.dir());
    if (!ParseEvent(it->value(), out.emplace_back())) {
      return CorruptRecord("event", *sequence, db.dir());
    }
  }
  if (!it->status().ok()) return StorageError("list events", db.dir(), it->status());
  return out;
}

// Events of one store: the "store_events" index gives their sequences, "events" the events.
Result<std::vector<proto::Event>> ListStore(const Database& db, const ListQuery& query) {
  if (query.store_id.find('\0') != std::string::npos) {
    return MakeError(Errc::kInvalidField, "store_id contains NUL");
  }
  const std::string prefix = store_keys::StoreEventsPrefix(query.store_id);
  std::vector<std::string> keys;
  {
    const auto it = NewIterator(db, Cf::kStoreEvents);
    for (it->Seek(store_keys::StoreEventsKey(query.store_id, query.after_sequence + 1));
         it->Valid() && keys.size() < query.limit; it->Next()) {
      const std::string_view key = it->key().ToStringView();
      if (!key.starts_with(prefix)) break;
      const auto sequence = store_keys::StoreEventsSequence(key);
      if (!sequence) return CorruptRecord("store index key", 0, db.dir());
      keys.push_back(store_keys::EncodeSequence(*sequence));
    }
    if (!it->status().ok()) return StorageError("list store index", db.dir(), it->status());
  }

  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db.db().MultiGet(rocksdb::ReadOptions(), db.cf(Cf::kEvents), slices.size(), slices.data(),
                   values.data(), statuses.data(), /*sorted_input=*/true);
  std::vector<proto::Event> out;
  out.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    const uint64_t sequence = *store_keys::DecodeSequence(keys[i]);
    // The index entry and the event are written in one batch: one without the other is damage.
    if (statuses[i].IsNotFound()) return CorruptRecord("store index", sequence, db.dir());
    if (!statuses[i].ok()) return StorageError("read event", db.dir(), statuses[i]);
    if (!ParseEvent(values[i], out.emplace_back())) {
      return CorruptRecord("event", sequence, db.dir());
    }
  }
  return out;
}

}  // namespace

Result<std::vector<proto::Event>> ListEvents(const Database& db, const ListQuery& query) {
  // Nothing can follow the largest sequence; checked so that after_sequence + 1 cannot wrap.
  if (query.limit == 0 || query.after_sequence == UINT64_MAX) {
    return std::vector<proto::Event>();
  }
  if (query.store_id.empty()) return ListAll(db, query.after_sequence, query.limit);
  return ListStore(db, query);
}

Result<std::optional<proto::Event>> GetEvent(const Database& db, uint64_t sequence) {
  rocksdb::PinnableSlice value;
  const rocksdb::Status s = db.db().Get(rocksdb::ReadOptions(), db.cf(Cf::kEvents),
                                        store_keys::EncodeSequence(sequence), &value);
  if (s.IsNotFound()) return std::optional<proto::Event>();
  if (!s.ok()) return StorageError("get event", db.dir(), s);
  proto::Event event;
  if (!ParseEvent(value, event)) return CorruptRecord("event", sequence, db.dir());
  return std::optional<proto::Event>(std::move(event));
}

Result<std::optional<uint64_t>> FindEventSequence(const Database& db, std::string_view marketplace,
                                                  std::string_view store_id,
                                                  std::string_view event_id) {
  if (marketplace.find('\0') != std::string_view::npos ||
      store_id.find('\0') != std::string_view::npos) {
    return MakeError(Errc::kInvalidField, "marketplace or store_id contains NUL");
  }
  rocksdb::PinnableSlice value;
  const rocksdb::Status s =
      db.db().Get(rocksdb::ReadOptions(), db.cf(Cf::kDedupe),
                  store_keys::DedupeKey(marketplace, store_id, event_id), &value);
  if (s.IsNotFound()) return std::optional<uint64_t>();
  if (!s.ok()) return StorageError("get dedupe key", db.dir(), s);
  const auto sequence = store_keys::DecodeSequence(value.ToStringView());
  if (!sequence) return CorruptRecord("dedupe value", 0, db.dir());
  return std::optional<uint64_t>(*sequence);
}

Result<std::vector<WorkItem>> ListWork(const Database& db, uint64_t after_sequence, size_t limit) {
  std::vector<WorkItem> out;
  if (limit == 0 || after_sequence == UINT64_MAX) return out;
  const auto it = NewIterator(db, Cf::kQueue);
  for (it->Seek(store_keys::EncodeSequence(after_sequence + 1)); it->Valid() && out.size() < limit;
       it->Next()) {
    const auto sequence = store_keys::DecodeSequence(it->key().ToStringView());
    if (!sequence) return CorruptRecord("queue key", 0, db.dir());
    auto entry = store_keys::DecodeQueueValue(it->value().ToStringView());
    if (!entry) return CorruptRecord("queue value", *sequence, db.dir());
    out.push_back(WorkItem{*sequence, std::move(entry->marketplace), std::move(entry->store_id)});
  }
  if (!it->status().ok()) return StorageError("list work queue", db.dir(), it->status());
  return out;
}

Result<std::optional<std::string>> GetCursor(const Database& db, std::string_view name) {
  std::string value;
  const rocksdb::Status s = db.db().Get(rocksdb::ReadOptions(), db.cf(Cf::kCursors), name, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return StorageError("get cursor", db.dir(), s);
  return std::optional<std::string>(std::move(value));
}

Cf TableCf(Table table) {
  switch (table) {
    case Table::kConversations:
      return Cf::kConversations;
    case Table::kOrders:
      return Cf::kOrders;
    case Table::kDisputes:
      return Cf::kDisputes;
    case Table::kOdrFacts:
      return Cf::kOdrFacts;
    case Table::kOdrAlerts:
      return Cf::kOdrAlerts;
    case Table::kOutbox:
      return Cf::kOutbox;
    case Table::kOutboxIndex:
      return Cf::kOutboxIndex;
    case Table::kDeadTimers:
      return Cf::kDeadTimers;
  }
  return Cf::kConversations;
}

Result<std::optional<std::string>> GetRecord(const Database& db, Table table,
                                             std::string_view key) {
  std::string value;
  const rocksdb::Status s = db.db().Get(rocksdb::ReadOptions(), db.cf(TableCf(table)), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return StorageError("get record", db.dir(), s);
  return std::optional<std::string>(std::move(value));
}

Result<std::vector<std::pair<std::string, std::string>>> ScanRecords(const Database& db,
                                                                     Table table,
                                                                     std::string_view prefix,
                                                                     std::string_view after_key,
                                                                     size_t limit) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto it = NewIterator(db, TableCf(table));
  const std::string_view start = after_key > prefix ? after_key : prefix;
  for (it->Seek(rocksdb::Slice(start.data(), start.size())); it->Valid() && out.size() < limit;
       it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (key.substr(0, prefix.size()) != prefix) break;
    if (!after_key.empty() && key == after_key) continue;
    out.emplace_back(std::string(key), it->value().ToString());
  }
  if (!it->status().ok()) return StorageError("scan records", db.dir(), it->status());
  return out;
}

Result<std::optional<uint64_t>> TimerDue(const Database& db, std::string_view id) {
  std::string value;
  const rocksdb::Status s = db.db().Get(rocksdb::ReadOptions(), db.cf(Cf::kTimerIds), id, &value);
  if (s.IsNotFound()) return std::optional<uint64_t>();
  if (!s.ok()) return StorageError("get timer", db.dir(), s);
  const auto due = store_keys::DecodeSequence(value);
  if (!due) return CorruptRecord("timer id", 0, db.dir());
  return std::optional<uint64_t>(*due);
}

Result<std::vector<std::optional<uint64_t>>> TimerDues(const Database& db,
                                                       const std::vector<std::string>& ids) {
  std::vector<std::optional<uint64_t>> out(ids.size());
  if (ids.empty()) return out;
  std::vector<rocksdb::Slice> keys(ids.begin(), ids.end());
  std::vector<rocksdb::PinnableSlice> values(ids.size());
  std::vector<rocksdb::Status> statuses(ids.size());
  db.db().MultiGet(rocksdb::ReadOptions(), db.cf(Cf::kTimerIds), keys.size(), keys.data(),
                   values.data(), statuses.data());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) return StorageError("get timers", db.dir(), statuses[i]);
    const auto due = store_keys::DecodeSequence(values[i].ToStringView());
    if (!due) return CorruptRecord("timer id", 0, db.dir());
    out[i] = *due;
  }
  return out;
}

Result<std::vector<proto::Timer>> DueTimers(const Database& db, uint64_t from_ms, int64_t now_ms,
                                            size_t limit, std::optional<uint64_t>* first_due) {
  std::vector<proto::Timer> out;
  out.reserve(std::min<size_t>(limit, 1024));  // a runner round without regrowing
  const auto it = NewIterator(db, Cf::kTimers);
  for (it->Seek(store_keys::EncodeSequence(from_ms)); it->Valid() && out.size() < limit;
       it->Next()) {
    const auto parts = store_keys::DecodeTimerKey(it->key().ToStringView());
    if (!parts) return CorruptRecord("timer key", 0, db.dir());
    if (first_due != nullptr && !*first_due) *first_due = parts->due_ms;
    if (parts->due_ms > static_cast<uint64_t>(now_ms)) break;
    proto::Timer timer;
    if (!timer.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return CorruptRecord("timer", parts->due_ms, db.dir());
    }
    out.push_back(std::move(timer));
  }
  if (!it->status().ok()) return StorageError("list due timers", db.dir(), it->status());
  return out;
}

Result<std::optional<uint64_t>> NextTimerDue(const Database& db, uint64_t from_ms) {
  const auto it = NewIterator(db, Cf::kTimers);
  it->Seek(store_keys::EncodeSequence(from_ms));
  if (!it->status().ok()) return StorageError("next timer", db.dir(), it->status());
  if (!it->Valid()) return std::optional<uint64_t>();
  const auto parts = store_keys::DecodeTimerKey(it->key().ToStringView());
  if (!parts) return CorruptRecord("timer key", 0, db.dir());
  return std::optional<uint64_t>(parts->due_ms);
}

Result<std::optional<proto::Timer>> GetTimer(const Database& db, std::string_view id) {
  auto due = TimerDue(db, id);
  if (!due) return due.error();
  if (!due.value()) return std::optional<proto::Timer>();
  std::string value;
  const rocksdb::Status s = db.db().Get(rocksdb::ReadOptions(), db.cf(Cf::kTimers),
                                        store_keys::TimerKey(*due.value(), id), &value);
  if (s.IsNotFound()) return CorruptRecord("timer index", *due.value(), db.dir());
  if (!s.ok()) return StorageError("get timer", db.dir(), s);
  proto::Timer timer;
  if (!timer.ParseFromString(value)) return CorruptRecord("timer", *due.value(), db.dir());
  return std::optional<proto::Timer>(std::move(timer));
}

Result<TimerScanPage> ScanTimers(const Database& db, uint64_t from_ms, const TimerScan& scan) {
  if (scan.kind.empty()) return MakeError(Errc::kInvalidField, "timer scan: kind is required");
  if (scan.limit == 0 || scan.max_examined == 0) {
    return MakeError(Errc::kInvalidField, "timer scan: limit and max_examined must be positive");
  }
  auto millis = [](TimePoint t) {
    return t == TimePoint::max() ? UINT64_MAX
                                 : static_cast<uint64_t>(std::max<int64_t>(0, ToUnixMillis(t)));
  };
  const uint64_t before_ms = millis(scan.due_before);
  std::string start = store_keys::EncodeSequence(from_ms);
  if (scan.after) start = std::max(start, store_keys::TimerKey(millis(scan.after->due), scan.after->id));
  rocksdb::ReadOptions options;
  // Keys are the 8-byte due time then the id: every key due at or after `before_ms` sorts at
  // or above this bound.
  const std::string upper = store_keys::EncodeSequence(before_ms);
  const rocksdb::Slice upper_slice(upper);
  if (before_ms != UINT64_MAX) options.iterate_upper_bound = &upper_slice;
  const std::unique_ptr<rocksdb::Iterator> it(db.db().NewIterator(options, db.cf(Cf::kTimers)));
  std::vector<proto::Timer> timers;
  size_t examined = 0;
  bool more = false;  // a timer was left unread: the page ends at the last one read
  store_keys::TimerKeyParts last;
  for (it->Seek(start); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (scan.after && key == start) continue;  // the position itself was on the last page
    auto parts = store_keys::DecodeTimerKey(key);
    if (!parts) return CorruptRecord("timer key", 0, db.dir());
    if (timers.size() >= scan.limit || examined >= scan.max_examined) {
      more = true;
      break;
    }
    ++examined;
    proto::Timer timer;
    if (!timer.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return CorruptRecord("timer", parts->due_ms, db.dir());
    }
    last = std::move(*parts);
    if (timer.kind() == scan.kind) timers.push_back(std::move(timer));
  }
  if (!it->status().ok()) return StorageError("scan timers", db.dir(), it->status());
  TimerScanPage page;
  page.timers = std::move(timers);
  page.examined = examined;
  if (more) page.next = TimerPosition{FromUnixMillis(static_cast<int64_t>(last.due_ms)), last.id};
  return page;
}

Result<std::vector<std::pair<odr::Day, odr::Counters>>> ReadCounters(const Database& db,
                                                                     std::string_view store_id,
                                                                     std::string_view rule_set,
                                                                     odr::Day from, odr::Day to) {
  std::vector<std::pair<odr::Day, odr::Counters>> out;
  auto first = odr::EncodeCounterKey(odr::CounterKey{std::string(store_id), std::string(rule_set), from});
  if (!first) return first.error();
  if (to < from) return out;
  const std::string last = odr::CounterKeyPrefix(store_id, rule_set) + odr::EncodeDay(to);
  rocksdb::ReadOptions options;
  // The day is the key's fixed-width tail: the range is exactly [first, last].
  const std::string upper = last + '\0';
  const rocksdb::Slice upper_slice(upper);
  options.iterate_upper_bound = &upper_slice;
  const std::unique_ptr<rocksdb::Iterator> it(db.db().NewIterator(options, db.cf(Cf::kOdrCounters)));
  for (it->Seek(first.value()); it->Valid(); it->Next()) {
    auto key = odr::DecodeCounterKey(it->key().ToStringView());
    if (!key) return MakeError(Errc::kStorageFailure, "corrupt odr counter key in " + db.dir());
    auto counters = odr::DecodeCounters(it->value().ToStringView());
    if (!counters) {
      return MakeError(Errc::kStorageFailure, "corrupt odr counters of " + std::string(store_id) +
                                                  " on " + odr::FormatDay(key.value().day) +
                                                  " in " + db.dir());
    }
    // Deltas that cancelled out leave an empty value behind: no counters that day.
    if (counters.value().empty()) continue;
    out.emplace_back(key.value().day, std::move(counters).value());
  }
  if (!it->status().ok()) return StorageError("read odr counters", db.dir(), it->status());
  return out;
}

Result<std::vector<std::string>> CounterRuleSets(const Database& db, std::string_view store_id) {
  std::vector<std::string> out;
  if (store_id.empty() || store_id.find('\0') != std::string_view::npos) {
    return MakeError(Errc::kInvalidField, "store id must be non-empty and free of NUL");
  }
  std::string prefix = odr::CounterKeyPrefix(store_id, "");
  prefix.pop_back();  // "odr1\0<store>\0": the rule set follows
  const auto it = NewIterator(db, Cf::kOdrCounters);
  for (it->Seek(prefix); it->Valid(); ) {
    const std::string_view key = it->key().ToStringView();
    if (!key.starts_with(prefix)) break;
    const size_t end = key.find('\0', prefix.size());
    if (end == std::string_view::npos) {
      return MakeError(Errc::kStorageFailure, "corrupt odr counter key in " + db.dir());
    }
    std::string rule_set(key.substr(prefix.size(), end - prefix.size()));
    // Past every day of this rule set: its keys continue with '\0', "\x01" sorts after them.
    it->Seek(prefix + rule_set + '\x01');
    out.push_back(std::move(rule_set));
  }
  if (!it->status().ok()) return StorageError("list odr rule sets", db.dir(), it->status());
  return out;
}

Result<std::vector<std::string>> StoreIds(const Database& db) {
  std::vector<std::string> out;
  const auto it = NewIterator(db, Cf::kStoreEvents);
  for (it->SeekToFirst(); it->Valid();) {
    const std::string_view key = it->key().ToStringView();
    const size_t end = key.find('\0');
    if (end == std::string_view::npos) return CorruptRecord("store index key", 0, db.dir());
    std::string store(key.substr(0, end));
    it->Seek(store + '\x01');  // past every "<store>\0<sequence>" key
    out.push_back(std::move(store));
  }
  if (!it->status().ok()) return StorageError("list stores", db.dir(), it->status());
  return out;
}

Result<uint64_t> LastStoredSequence(const Database& db) {
  const auto it = NewIterator(db, Cf::kEvents);
  it->SeekToLast();
  if (!it->status().ok()) return StorageError("recover sequence", db.dir(), it->status());
  if (!it->Valid()) return uint64_t{0};
  const auto sequence = store_keys::DecodeSequence(it->key().ToStringView());
  if (!sequence) return CorruptRecord("last event key", 0, db.dir());
  return *sequence;
}

}  // namespace csgw::gateway::store_db
