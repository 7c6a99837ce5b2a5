#include "gateway/store/event_store.h"

#include <pthread.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <cassert>
#include <climits>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>

#include "base/log.h"
#include "gateway/store/database.h"
#include "gateway/store/keys.h"
#include "gateway/store/queries.h"
#include "gateway/store/wal_syncer.h"

namespace csgw::gateway {
namespace {

using store_db::Cf;
using store_db::Database;
using store_db::StorageError;

// Checks the fields the keys are built from. The whole call is refused on the first bad event
// so a request is stored entirely or not at all.
Result<void> ValidateEvents(const std::vector<proto::Event>& events) {
  for (size_t i = 0; i < events.size(); ++i) {
    const proto::Event& event = events[i];
    const auto invalid = [i](std::string_view what) {
      return MakeError(Errc::kInvalidField,
                       "events[" + std::to_string(i) + "]." + std::string(what));
    };
    if (event.marketplace().empty()) return invalid("marketplace is empty");
    if (event.store_id().empty()) return invalid("store_id is empty");
    if (event.event_id().empty()) return invalid("event_id is empty");
    // '\0' separates the parts of the dedupe and index keys.
    if (event.marketplace().find('\0') != std::string::npos) {
      return invalid("marketplace contains NUL");
    }
    if (event.store_id().find('\0') != std::string::npos) return invalid("store_id contains NUL");
  }
  return Ok();
}

// A timer's due time as its keys hold it: milliseconds since the epoch, none before it.
uint64_t DueMs(TimePoint due) {
  return static_cast<uint64_t>(std::max<int64_t>(0, ToUnixMillis(due)));
}

}  // namespace

class EventStore::Impl {
 public:
  Impl(const StoreOptions& options, StoreObserver* observer, std::unique_ptr<Database> database,
       uint64_t last_sequence)
      : options_(options),
        observer_(observer),
        db_(std::move(database)),
        next_sequence_(last_sequence + 1),
        last_sequence_(last_sequence) {
    if (options_.read_only) {
      closing_ = true;  // appends fail with kNotReady; there is no committer to join
      std::call_once(close_once_, [] {});
      return;
    }
    if (options_.sync) {
      syncer_ = std::make_unique<store_db::WalSyncer>([this] { return db_->db().SyncWAL(); });
    }
    committer_ = std::thread([this] { CommitLoop(); });
  }

  ~Impl() { Close(); }

  void AppendAsync(std::vector<proto::Event> events, AppendCallback done) {
    if (auto valid = ValidateEvents(events); !valid) return done(valid.error());
    size_t bytes = 0;
    for (const proto::Event& event : events) {
      const size_t size = event.ByteSizeLong();
      // Protobuf cannot serialise a message of 2 GiB or more.
      if (size > static_cast<size_t>(INT_MAX)) {
        return done(MakeError(Errc::kPayloadTooLarge, "event over 2 GiB"));
      }
      bytes += size;
    }
    {
      std::unique_lock lock(mutex_);
      if (closing_) {
        lock.unlock();
        return done(MakeError(Errc::kNotReady,
                              options_.read_only ? "store is open read-only" : "store is closed"));
      }
      if (events.empty()) {
        // Nothing to write, hence nothing to wait for.
        lock.unlock();
        return done(std::vector<Appended>());
      }
      // A lone append always fits, so one event larger than the budget is not refused forever.
      if (pending_.size() >= options_.max_pending_appends ||
          (!pending_.empty() && pending_bytes_ + bytes > options_.max_pending_bytes)) {
        lock.unlock();
        return done(MakeError(Errc::kOverloaded, "store append queue is full"));
      }
      pending_bytes_ += bytes;
      pending_.push_back(PendingAppend{std::move(events), bytes, std::move(done)});
    }
    work_ready_.notify_one();
  }

  const Database& db() const { return *db_; }

  uint64_t LastSequence() const { return last_sequence_.load(std::memory_order_acquire); }

  // The work queue from its first pending item on. Acknowledged items leave tombstones at the
  // front of "queue" until a compaction drops them, and a scan from the start would wade through
  // all of them each time: the pipeline's reads grew with every event stored since the last
  // compaction (half its CPU during the ingest benchmark). So scans start at a floor below which
  // nothing is pending. Items are only ever added above every sequence already stored (one
  // committer, increasing sequences, each batch atomic), so what a scan finds first, or, when
  // it finds nothing, what follows the last sequence stored before it began, is the new floor.
  Result<std::vector<WorkItem>> PendingWork(uint64_t after_sequence, size_t limit) {
    const uint64_t floor = work_floor_.load(std::memory_order_acquire);
    const uint64_t last = LastSequence();  // before the scan: all of these are visible to it
    const bool from_floor = after_sequence < floor;
    auto work = store_db::ListWork(*db_, std::max(after_sequence, floor - 1), limit);
    if (work && from_floor && limit > 0) {
      const uint64_t found = work.value().empty() ? last + 1 : work.value().front().sequence;
      uint64_t current = floor;
      // Only ever raised: a concurrent scan may have raised it further already.
      while (found > current &&
             !work_floor_.compare_exchange_weak(current, found, std::memory_order_acq_rel)) {
      }
    }
    return work;
  }

  Result<void> AckWork(uint64_t sequence) {
    if (options_.read_only) return MakeError(Errc::kNotReady, "store is open read-only");
    return SyncWrite("ack work", [&](rocksdb::DB& db, const rocksdb::WriteOptions& options) {
      return db.Delete(options, db_->cf(Cf::kQueue), store_keys::EncodeSequence(sequence));
    });
  }

  Result<void> CommitState(const StateBatch& state) {
    if (options_.read_only) return MakeError(Errc::kNotReady, "store is open read-only");
    rocksdb::WriteBatch batch;
    for (const auto& w : state.writes) {
      if (w.key.empty()) return MakeError(Errc::kInvalidField, "record key is empty");
      batch.Put(db_->cf(store_db::TableCf(w.table)), w.key, w.value);
    }
    for (const auto& e : state.erase) {
      if (e.key.empty()) return MakeError(Errc::kInvalidField, "record key is empty");
      batch.Delete(db_->cf(store_db::TableCf(e.table)), e.key);
    }
    for (uint64_t sequence : state.done) {
      batch.Delete(db_->cf(Cf::kQueue), store_keys::EncodeSequence(sequence));
    }
    for (const odr::CounterDelta& delta : state.merges) {
      if (delta.values.empty()) continue;
      auto key = odr::EncodeCounterKey(delta.key);
      if (!key) return key.error();
      batch.Merge(db_->cf(Cf::kOdrCounters), key.value(), odr::EncodeCounters(delta.values));
    }
    // Timer changes read the current due time of each id: one timer writer at a time, so that
    // two firers cannot both see a timer pending.
    std::lock_guard lock(timers_mutex_);
    // Timers read at this very version are pending as read: no timer changed since.
    const bool read_now = state.timers_read_at != 0 && state.timers_read_at == timers_version_;
    // The current due time of every other id the batch touches, in one batched lookup.
    std::vector<std::string> ids;
    ids.reserve(state.fired.size() + state.fired_versions.size() + state.cancel.size() +
                state.schedule.size());
    ids.insert(ids.end(), state.fired.begin(), state.fired.end());
    if (!read_now) {
      for (const auto& fired : state.fired_versions) ids.push_back(fired.id);
    }
    ids.insert(ids.end(), state.cancel.begin(), state.cancel.end());
    for (const auto& timer : state.schedule) ids.push_back(timer.id());
    auto dues = store_db::TimerDues(*db_, ids);
    if (!dues) return dues.error();
    std::unordered_map<std::string_view, std::optional<uint64_t>> pending;
    pending.reserve(ids.size() + (read_now ? state.fired_versions.size() : 0));
    for (size_t i = 0; i < ids.size(); ++i) pending.emplace(ids[i], dues.value()[i]);
    if (read_now) {
      for (const auto& fired : state.fired_versions) pending.emplace(fired.id, DueMs(fired.due));
    }
    // Removes a pending timer once; false when it is not pending (or already removed here).
    auto remove = [&](const std::string& id) -> Result<bool> {
      auto it = pending.find(id);
      if (it == pending.end() || !it->second) return false;
      batch.Delete(db_->cf(Cf::kTimers), store_keys::TimerKey(*it->second, id));
      batch.Delete(db_->cf(Cf::kTimerIds), id);
      it->second.reset();
      return true;
    };
    for (const auto& id : state.fired) {
      auto was_pending = remove(id);
      if (!was_pending) return was_pending.error();
      if (!was_pending.value()) {
        return MakeError(Errc::kInvalidField,
                         "timer " + id + " is not pending (fired or cancelled already)");
      }
    }
    for (const auto& fired : state.fired_versions) {
      const auto it = pending.find(fired.id);
      if (it == pending.end() || it->second != DueMs(fired.due)) {
        return MakeError(Errc::kInvalidField, "timer " + fired.id +
                                                  " is not pending as read (fired, cancelled or "
                                                  "moved since)");
      }
      if (auto r = remove(fired.id); !r) return r.error();
    }
    for (const auto& id : state.cancel) {
      if (auto r = remove(id); !r) return r.error();
    }
    std::set<std::string> scheduled;
    for (const auto& timer : state.schedule) {
      if (timer.id().empty() || !timer.has_due()) {
        return MakeError(Errc::kInvalidField, "a timer needs an id and a due time");
      }
      if (!scheduled.insert(timer.id()).second) {
        return MakeError(Errc::kInvalidField, "timer " + timer.id() + " scheduled twice");
      }
      if (auto r = remove(timer.id()); !r) return r.error();
      const int64_t due_ms =
          std::max<int64_t>(0, timer.due().seconds() * 1000 + timer.due().nanos() / 1'000'000);
      batch.Put(db_->cf(Cf::kTimers),
                store_keys::TimerKey(static_cast<uint64_t>(due_ms), timer.id()),
                timer.SerializeAsString());
      timers_floor_ms_ = std::min(timers_floor_ms_, static_cast<uint64_t>(due_ms));
      batch.Put(db_->cf(Cf::kTimerIds), timer.id(),
                store_keys::EncodeSequence(static_cast<uint64_t>(due_ms)));
    }
    // A new version for every write that may change a timer, even a failed one.
    if (!ids.empty() || !state.fired_versions.empty()) ++timers_version_;
    rocksdb::WriteOptions options;
    options.sync = state.sync;
    if (const rocksdb::Status s = db_->db().Write(options, &batch); !s.ok()) {
      MarkUnhealthy("commit state", s);
      return StorageError("commit state", db_->dir(), s);
    }
    return Ok();
  }

  Result<void> ReplaceOdr(std::string_view store_id, std::span<const TableWrite> facts,
                          std::span<const odr::CounterDelta> counters) {
    if (options_.read_only) return MakeError(Errc::kNotReady, "store is open read-only");
    if (store_id.empty() || store_id.find('\0') != std::string_view::npos) {
      return MakeError(Errc::kInvalidField, "store id must be non-empty and free of NUL");
    }
    std::string facts_prefix(store_id);
    facts_prefix.push_back('\0');
    std::string counters_prefix = odr::CounterKeyPrefix(store_id, "");
    counters_prefix.pop_back();  // "odr1\0<store>\0": every rule set of the store
    // Checked before anything is deleted, so a bad call changes nothing.
    for (const TableWrite& w : facts) {
      if (w.table != Table::kOdrFacts || !w.key.starts_with(facts_prefix)) {
        return MakeError(Errc::kInvalidField, "rebuild fact records must be kOdrFacts of store " +
                                                  std::string(store_id));
      }
    }
    for (const odr::CounterDelta& c : counters) {
      if (c.key.store_id != store_id) {
        return MakeError(Errc::kInvalidField,
                         "rebuild counters must be of store " + std::string(store_id));
      }
    }
    rocksdb::WriteOptions sync;
    sync.sync = true;
    {
      rocksdb::WriteBatch batch;
      // Both prefixes end in '\0', so "<prefix without it>\x01" bounds exactly their keys.
      auto end_of = [](std::string prefix) {
        prefix.back() = '\x01';
        return prefix;
      };
      batch.DeleteRange(db_->cf(Cf::kOdrFacts), facts_prefix, end_of(facts_prefix));
      batch.DeleteRange(db_->cf(Cf::kOdrCounters), counters_prefix, end_of(counters_prefix));
      if (const rocksdb::Status s = db_->db().Write(sync, &batch); !s.ok()) {
        MarkUnhealthy("rebuild odr", s);
        return StorageError("rebuild odr", db_->dir(), s);
      }
    }
    // Bounded writes: a store with millions of orders must not build one huge batch.
    constexpr size_t kChunk = 10000;
    rocksdb::WriteBatch batch;
    auto flush = [&]() -> Result<void> {
      if (batch.Count() == 0) return Ok();
      const rocksdb::Status s = db_->db().Write(sync, &batch);
      batch.Clear();
      if (!s.ok()) {
        MarkUnhealthy("rebuild odr", s);
        return StorageError("rebuild odr", db_->dir(), s);
      }
      return Ok();
    };
    for (const TableWrite& w : facts) {
      batch.Put(db_->cf(Cf::kOdrFacts), w.key, w.value);
      if (batch.Count() >= kChunk) {
        if (auto ok = flush(); !ok) return ok;
      }
    }
    for (const odr::CounterDelta& c : counters) {
      if (c.values.empty()) continue;
      auto key = odr::EncodeCounterKey(c.key);
      if (!key) return key.error();
      // A Put, not a merge: the range deletion above left nothing to add to.
      batch.Put(db_->cf(Cf::kOdrCounters), key.value(), odr::EncodeCounters(c.values));
      if (batch.Count() >= kChunk) {
        if (auto ok = flush(); !ok) return ok;
      }
    }
    return flush();
  }

  Result<std::vector<proto::Timer>> DueTimers(int64_t now_ms, size_t limit, uint64_t* version) {
    std::lock_guard lock(timers_mutex_);
    if (version != nullptr) *version = timers_version_;
    std::optional<uint64_t> first_due;
    auto due = store_db::DueTimers(*db_, timers_floor_ms_, now_ms, limit, &first_due);
    // Nothing pending lies below the first pending timer found: later scans start there.
    if (due) timers_floor_ms_ = first_due.value_or(timers_floor_ms_);
    return due;
  }

  // The due time below which no timer is pending: where a scan of the timers may start.
  uint64_t TimersFloor() {
    std::lock_guard lock(timers_mutex_);
    return timers_floor_ms_;
  }

  Result<std::optional<uint64_t>> NextTimerDue() {
    std::lock_guard lock(timers_mutex_);
    auto next = store_db::NextTimerDue(*db_, timers_floor_ms_);
    if (next && next.value()) timers_floor_ms_ = *next.value();
    return next;
  }

  Result<void> PutCursor(std::string_view name, std::string_view value) {
    if (name.empty()) return MakeError(Errc::kInvalidField, "cursor name is empty");
    if (options_.read_only) return MakeError(Errc::kNotReady, "store is open read-only");
    return SyncWrite("put cursor", [&](rocksdb::DB& db, const rocksdb::WriteOptions& options) {
      return db.Put(options, db_->cf(Cf::kCursors), name, value);
    });
  }

  bool Healthy() const { return healthy_.load(std::memory_order_acquire); }

  void Close() {
    // call_once also makes a second, concurrent Close wait until the first has drained.
    std::call_once(close_once_, [this] {
      {
        std::lock_guard lock(mutex_);
        closing_ = true;
      }
      work_ready_.notify_one();
      committer_.join();
    });
  }

 private:
  struct PendingAppend {
    std::vector<proto::Event> events;
    size_t bytes = 0;  // encoded size of `events`
    AppendCallback done;
  };

  // One commit being built: the appends it carries and what each of their events became.
  struct Commit {
    std::vector<PendingAppend> appends;
    std::vector<std::vector<Appended>> results;  // parallel to appends
    size_t events = 0;
    size_t duplicates = 0;
    bool written = false;  // something was written (not duplicates only)
    std::chrono::steady_clock::time_point start;  // of the write: latency runs to the sync's end
  };

  template <class WriteFn>
  Result<void> SyncWrite(std::string_view operation, WriteFn write) {
    rocksdb::WriteOptions options;
    options.sync = true;
    if (const rocksdb::Status s = write(db_->db(), options); !s.ok()) {
      MarkUnhealthy(operation, s);
      return StorageError(operation, db_->dir(), s);
    }
    return Ok();
  }

  void MarkUnhealthy(std::string_view operation, const rocksdb::Status& status) {
    healthy_.store(false, std::memory_order_release);
    log::Error("store.failed",
               {{"path", db_->dir()}, {"operation", operation}, {"status", status.ToString()}});
  }

  void CommitLoop() {
    // Named so that top, perf and the ingest benchmark can tell its CPU from the I/O thread's.
    pthread_setname_np(pthread_self(), "csgw-commit");
    // With options.sync: the commit written last, whose WAL sync runs now (wal_syncer.h).
    std::unique_ptr<Commit> syncing;
    for (;;) {
      auto next = std::make_unique<Commit>();
      {
        std::unique_lock lock(mutex_);
        if (syncing == nullptr) {
          work_ready_.wait(lock, [this] { return closing_ || !pending_.empty(); });
          if (pending_.empty()) return;  // closing, and everything queued is done
        }
        // While a sync runs, take what waits without waiting for more: that sync's commit is
        // to be completed as soon as it ends.
        TakeBatch(*next);
      }
      // Written while the previous commit's fsync runs. A failed one is completed already.
      if (!next->appends.empty() && !WriteCommit(*next)) next.reset();
      if (syncing != nullptr) {
        FinishSync(*syncing);
        syncing.reset();
      }
      if (next == nullptr || next->appends.empty()) continue;
      if (sync_failed_.load(std::memory_order_acquire)) {
        // Written behind a failed sync, or duplicates of what it failed to sync.
        FailBatch(*next, "write", rocksdb::Status::IOError("an earlier WAL sync failed"));
        continue;
      }
      if (syncer_ == nullptr || !next->written) {
        // Unsynced store; or a commit of duplicates only, which wrote nothing: what it
        // duplicates was written before its lookup, and every commit written before that
        // lookup has been synced (the one just finished included).
        Complete(*next);
        continue;
      }
      syncer_->Start();
      syncing = std::move(next);
    }
  }

  // Waits for the sync of `commit` and completes it. A failed sync fails it, and makes every
  // later commit fail unwritten: after a failed fsync nothing written is known to be on disk
  // (the kernel may have dropped the dirty pages), so nothing may be acknowledged any more.
  void FinishSync(Commit& commit) {
    const rocksdb::Status synced = syncer_->Wait();
    if (!synced.ok()) {
      sync_failed_.store(true, std::memory_order_release);
      return FailBatch(commit, "sync wal", synced);
    }
    Complete(commit);
  }

  // Moves the oldest pending appends into `commit`, as many as the caps allow. Requires mutex_.
  void TakeBatch(Commit& commit) {
    size_t bytes = 0;
    while (!pending_.empty()) {
      PendingAppend& next = pending_.front();
      if (!commit.appends.empty() &&
          (commit.events + next.events.size() > options_.max_batch_events ||
           bytes + next.bytes > options_.max_batch_bytes)) {
        break;
      }
      commit.events += next.events.size();
      bytes += next.bytes;
      pending_bytes_ -= next.bytes;
      commit.appends.push_back(std::move(next));
      pending_.pop_front();
    }
  }

  // Dedupes and writes one commit, without sync: the caller has it synced (or completes it
  // when the store does not sync). False when it failed, and then it is completed already.
  // Runs only on the committer thread, the only writer of "dedupe": nothing can store a key
  // between the lookup and the write. The lookup also sees commits written but not synced yet;
  // a duplicate of one of those is completed only after that one's sync.
  bool WriteCommit(Commit& commit) {
    commit.start = std::chrono::steady_clock::now();
    if (sync_failed_.load(std::memory_order_acquire)) {
      FailBatch(commit, "write", rocksdb::Status::IOError("an earlier WAL sync failed"));
      return false;
    }
    // Every event's dedupe key, and each distinct key once for the lookup.
    std::vector<std::string> keys;
    keys.reserve(commit.events);
    for (const PendingAppend& append : commit.appends) {
      for (const proto::Event& e : append.events) {
        keys.push_back(store_keys::DedupeKey(e.marketplace(), e.store_id(), e.event_id()));
      }
    }
    std::unordered_map<std::string_view, size_t> distinct;  // key → index into lookup
    std::vector<rocksdb::Slice> lookup;
    std::vector<size_t> key_slot(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      const auto [it, inserted] = distinct.try_emplace(keys[i], lookup.size());
      if (inserted) lookup.emplace_back(keys[i]);
      key_slot[i] = it->second;
    }
    // The sequence each distinct key has: stored before, or assigned below. 0 = none.
    std::vector<uint64_t> slot_sequence(lookup.size(), 0);
    if (const rocksdb::Status s = LookUpStored(lookup, slot_sequence); !s.ok()) {
      FailBatch(commit, "dedupe lookup", s);
      return false;
    }

    rocksdb::WriteBatch batch;
    std::string value;
    size_t key_index = 0;
    uint64_t next = next_sequence_;
    commit.results.resize(commit.appends.size());
    for (size_t a = 0; a < commit.appends.size(); ++a) {
      std::vector<Appended>& results = commit.results[a];
      results.reserve(commit.appends[a].events.size());
      for (proto::Event& event : commit.appends[a].events) {
        uint64_t& known = slot_sequence[key_slot[key_index]];
        const std::string& dedupe_key = keys[key_index++];
        if (known != 0) {
          results.push_back(Appended{known, true});
          ++commit.duplicates;
          continue;
        }
        known = next++;
        const std::string sequence_key = store_keys::EncodeSequence(known);
        event.set_sequence(known);
        value.clear();
        const bool serialized = event.AppendToString(&value);
        assert(serialized);  // sizes were checked in AppendAsync
        (void)serialized;
        batch.Put(db_->cf(Cf::kEvents), sequence_key, value);
        batch.Put(db_->cf(Cf::kDedupe), dedupe_key, sequence_key);
        batch.Put(db_->cf(Cf::kQueue), sequence_key,
                  store_keys::EncodeQueueValue(event.marketplace(), event.store_id()));
        batch.Put(db_->cf(Cf::kStoreEvents), store_keys::StoreEventsKey(event.store_id(), known),
                  rocksdb::Slice());
        results.push_back(Appended{known, false});
      }
    }
    if (batch.Count() == 0) return true;  // duplicates only: nothing to write
    const rocksdb::Status s = db_->db().Write(rocksdb::WriteOptions(), &batch);
    // The sequences stay consumed even if the write failed: RocksDB may have put the batch in
    // the WAL before failing, and reusing them could then pair a recovered dedupe entry with
    // another event. A gap is harmless.
    next_sequence_ = next;
    if (!s.ok()) {
      FailBatch(commit, "write", s);
      return false;
    }
    last_sequence_.store(next - 1, std::memory_order_release);
    commit.written = true;
    return true;
  }

  // Fills `sequences[i]` with the stored sequence of `keys[i]`, leaving 0 where there is none.
  rocksdb::Status LookUpStored(const std::vector<rocksdb::Slice>& keys,
                               std::vector<uint64_t>& sequences) {
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db_->db().MultiGet(rocksdb::ReadOptions(), db_->cf(Cf::kDedupe), keys.size(), keys.data(),
                       values.data(), statuses.data());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) continue;
      if (!statuses[i].ok()) return statuses[i];
      const auto sequence = store_keys::DecodeSequence(values[i].ToStringView());
      if (!sequence) return rocksdb::Status::Corruption("malformed dedupe value");
      sequences[i] = *sequence;
    }
    return rocksdb::Status::OK();
  }

  // Reports a written commit, then runs its callbacks: the observer's counts are current by
  // the time a caller sees its result.
  void Complete(Commit& commit) {
    if (observer_ != nullptr) {
      observer_->OnCommit(commit.appends.size(), commit.events,
                          std::chrono::steady_clock::now() - commit.start);
      if (commit.duplicates > 0) {
        for (size_t a = 0; a < commit.appends.size(); ++a) {
          for (size_t i = 0; i < commit.results[a].size(); ++i) {
            if (commit.results[a][i].duplicate) {
              observer_->OnDuplicate(commit.appends[a].events[i].marketplace());
            }
          }
        }
      }
    }
    for (size_t a = 0; a < commit.appends.size(); ++a) {
      commit.appends[a].done(std::move(commit.results[a]));
    }
  }

  void FailBatch(Commit& commit, std::string_view operation, const rocksdb::Status& status) {
    MarkUnhealthy(operation, status);
    if (observer_ != nullptr) observer_->OnCommitFailure();
    const Error error = StorageError(operation, db_->dir(), status);
    for (PendingAppend& append : commit.appends) append.done(error);
  }

  const StoreOptions options_;
  StoreObserver* const observer_;
  const std::unique_ptr<Database> db_;

  std::mutex mutex_;
  // Serialises timer changes: Commit reads a timer's due time before deleting or moving it.
  std::mutex timers_mutex_;
  // No timer is pending below this due time (guarded by timers_mutex_): raised by scans,
  // lowered by every timer scheduled.
  uint64_t timers_floor_ms_ = 0;
  // Changes with every commit that may change a timer (guarded by timers_mutex_): timers read
  // at the current version are still pending as read.
  uint64_t timers_version_ = 1;
  std::condition_variable work_ready_;
  std::deque<PendingAppend> pending_;  // guarded by mutex_
  size_t pending_bytes_ = 0;           // encoded size of pending_, guarded by mutex_
  bool closing_ = false;               // guarded by mutex_

  uint64_t next_sequence_;  // committer thread only
  std::atomic<uint64_t> last_sequence_;
  std::atomic<bool> healthy_{true};
  // No work item is pending below this sequence (see PendingWork); at least 1.
  std::atomic<uint64_t> work_floor_{1};
  // A WAL sync failed: the committer writes nothing more (see FinishSync).
  std::atomic<bool> sync_failed_{false};
  std::once_flag close_once_;
  // Syncs the WAL behind the committer (with options.sync); used by the committer only.
  std::unique_ptr<store_db::WalSyncer> syncer_;
  std::thread committer_;  // started by the constructor once all above is built; Close joins it
};

Result<std::unique_ptr<EventStore>> EventStore::Open(const StoreOptions& options,
                                                     StoreObserver* observer) {
  if (options.dir.empty()) return MakeError(Errc::kInvalidField, "store dir is empty");
  if (options.max_batch_events == 0 || options.max_batch_bytes == 0 ||
      options.max_pending_appends == 0 || options.max_pending_bytes == 0) {
    return MakeError(Errc::kInvalidField, "store batch and queue limits must be positive");
  }
  auto database = Database::Open(options.dir, options.read_only);
  if (!database) return database.error();

  // Sequences are dense from 1 and the last event has the highest one.
  const auto last_sequence = store_db::LastStoredSequence(*database.value());
  if (!last_sequence) return last_sequence.error();
  log::Info("store.opened", {{"path", options.dir}, {"last_sequence", last_sequence.value()}});
  return std::unique_ptr<EventStore>(new EventStore(std::make_unique<Impl>(
      options, observer, std::move(database).value(), last_sequence.value())));
}

EventStore::EventStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EventStore::~EventStore() = default;

void EventStore::AppendAsync(std::vector<proto::Event> events, AppendCallback done) {
  impl_->AppendAsync(std::move(events), std::move(done));
}

Result<std::vector<Appended>> EventStore::Append(std::vector<proto::Event> events) {
  std::promise<Result<std::vector<Appended>>> promise;
  std::future<Result<std::vector<Appended>>> future = promise.get_future();
  AppendAsync(std::move(events), [&promise](Result<std::vector<Appended>> result) {
    promise.set_value(std::move(result));
  });
  return future.get();
}

Result<std::vector<proto::Event>> EventStore::List(const ListQuery& query) const {
  return store_db::ListEvents(impl_->db(), query);
}

Result<std::optional<proto::Event>> EventStore::Get(uint64_t sequence) const {
  return store_db::GetEvent(impl_->db(), sequence);
}

Result<std::optional<uint64_t>> EventStore::FindSequence(std::string_view marketplace,
                                                         std::string_view store_id,
                                                         std::string_view event_id) const {
  return store_db::FindEventSequence(impl_->db(), marketplace, store_id, event_id);
}

uint64_t EventStore::LastSequence() const { return impl_->LastSequence(); }

Result<std::vector<WorkItem>> EventStore::PendingWork(uint64_t after_sequence, size_t limit) const {
  return impl_->PendingWork(after_sequence, limit);
}

Result<void> EventStore::AckWork(uint64_t sequence) { return impl_->AckWork(sequence); }

Result<void> EventStore::CompleteWork(std::span<const uint64_t> done,
                                      std::span<const TableWrite> writes) {
  StateBatch batch;
  batch.done.assign(done.begin(), done.end());
  batch.writes.assign(writes.begin(), writes.end());
  return impl_->CommitState(batch);
}

Result<void> EventStore::Commit(const StateBatch& batch) { return impl_->CommitState(batch); }

Result<std::vector<proto::Timer>> EventStore::DueTimers(TimePoint now, size_t limit,
                                                       uint64_t* version) const {
  return impl_->DueTimers(std::max<int64_t>(0, ToUnixMillis(now)), limit, version);
}

Result<std::optional<TimePoint>> EventStore::NextTimerDue() const {
  auto due = impl_->NextTimerDue();
  if (!due) return due.error();
  if (!due.value()) return std::optional<TimePoint>();
  return std::optional<TimePoint>(FromUnixMillis(static_cast<int64_t>(*due.value())));
}

Result<std::optional<proto::Timer>> EventStore::GetTimer(std::string_view id) const {
  return store_db::GetTimer(impl_->db(), id);
}

Result<TimerScanPage> EventStore::ScanTimers(const TimerScan& scan) const {
  return store_db::ScanTimers(impl_->db(), impl_->TimersFloor(), scan);
}

Result<std::optional<std::string>> EventStore::GetRecord(Table table, std::string_view key) const {
  return store_db::GetRecord(impl_->db(), table, key);
}

Result<std::vector<std::pair<std::string, std::string>>> EventStore::ScanRecords(
    Table table, std::string_view prefix, std::string_view after_key, size_t limit) const {
  return store_db::ScanRecords(impl_->db(), table, prefix, after_key, limit);
}

Result<std::vector<std::pair<odr::Day, odr::Counters>>> EventStore::ReadCounters(
    std::string_view store_id, std::string_view rule_set, odr::Day from, odr::Day to) const {
  return store_db::ReadCounters(impl_->db(), store_id, rule_set, from, to);
}

Result<std::vector<std::string>> EventStore::CounterRuleSets(std::string_view store_id) const {
  return store_db::CounterRuleSets(impl_->db(), store_id);
}

Result<std::vector<std::string>> EventStore::StoreIds() const {
  return store_db::StoreIds(impl_->db());
}

Result<void> EventStore::ReplaceOdr(std::string_view store_id, std::span<const TableWrite> facts,
                                    std::span<const odr::CounterDelta> counters) {
  return impl_->ReplaceOdr(store_id, facts, counters);
}

Result<void> EventStore::PutCursor(std::string_view name, std::string_view value) {
  return impl_->PutCursor(name, value);
}

Result<std::optional<std::string>> EventStore::GetCursor(std::string_view name) const {
  return store_db::GetCursor(impl_->db(), name);
}

bool EventStore::Healthy() const { return impl_->Healthy(); }

void EventStore::Close() { impl_->Close(); }

}  // namespace csgw::gateway
