// The gateway's durable event log on embedded RocksDB: append with group commit and dedupe,
// the work queue the pipeline drains, connector cursors. The only place that includes RocksDB.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "odr/counters.h"
#include "proto/proto.h"

namespace csgw::gateway {

struct StoreOptions {
  // Directory of the database; created if missing.
  std::string dir;
  // Most events one group commit carries (a single append with more still commits alone: an
  // append is never split). Default: 1024.
  size_t max_batch_events = 1024;
  // Most encoded bytes one group commit carries (a single larger append still commits alone).
  size_t max_batch_bytes = 16u << 20;
  // Appends queued for commit before AppendAsync refuses new ones with kOverloaded.
  size_t max_pending_appends = 65536;
  // Encoded bytes queued for commit before AppendAsync refuses new appends with kOverloaded:
  // bounds memory when the disk stalls and clients keep retrying.
  size_t max_pending_bytes = 256u << 20;
  // fsync the WAL before completing appends. Only benchmarks of the unsynced path turn it off.
  bool sync = true;
  // Opens an existing store for reading only, beside a running gateway that holds it for
  // writing (`csgw events`). Reads see the state as of Open; every write fails with kNotReady.
  bool read_only = false;
};

// Told about every commit; implemented by the metrics exporter. Called on the committer thread:
// implementations must be cheap and thread-safe.
class StoreObserver {
 public:
  virtual ~StoreObserver() = default;
  // One group commit: `appends` AppendAsync calls carrying `events` events (duplicates
  // included), written and synced in `write_latency`.
  virtual void OnCommit(size_t appends, size_t events, std::chrono::nanoseconds write_latency) = 0;
  // An event was a redelivery of one already stored.
  virtual void OnDuplicate(std::string_view marketplace) = 0;
  // A commit failed; its appends completed with kStorageFailure.
  virtual void OnCommitFailure() = 0;
};

// The outcome of appending one event.
struct Appended {
  // The event's position in the log: new, or the one it got when first stored.
  uint64_t sequence = 0;
  // True when (marketplace, store_id, event_id) was already stored: nothing was written.
  bool duplicate = false;
};

// Derived state the pipeline keeps beside the log, as serialised records keyed by the caller.
// kDisputes: proto::StoredDispute under "<marketplace>/<store>/<dispute id>".
// kOdrFacts: ODR fact records (odr/facts_codec.h) and kOdrAlerts: ODR alert records and alert
// evaluation state (gateway/pipeline/odr_alerts.h). Every key of these two starts with
// "<store id>\0" (ReplaceOdr relies on it for kOdrFacts).
// kOutbox: proto::OutboxEntry under its id; kOutboxIndex: empty values under
// "dead/<store>/<id>" and "sending/<id>" (gateway/outbound/outbox.h).
// kDeadTimers: proto::Timer under its id, timers whose handler failed too often, set aside by
// the timer runner (gateway/schedule/timer_runner.h).
enum class Table {
  kConversations,
  kOrders,
  kDisputes,
  kOdrFacts,
  kOdrAlerts,
  kOutbox,
  kOutboxIndex,
  kDeadTimers
};

struct TableWrite {
  Table table;
  std::string key;
  std::string value;
};

struct TableKey {
  Table table;
  std::string key;
};

// A pending timer as a firer read it: its id and the due time it had then.
struct TimerVersion {
  std::string id;
  TimePoint due;
};

// Everything one step of processing changes, written in one atomic batch: the work items it
// acknowledges, the derived records it writes, the timers it schedules, moves or cancels, and
// the timers it fired. A timer's effect and its removal are therefore one write, and a timer
// fires at most once: firing an id that is no longer pending refuses the whole batch.
struct StateBatch {
  std::vector<uint64_t> done;
  std::vector<TableWrite> writes;
  std::vector<TableKey> erase;         // records to delete, after `writes`
  std::vector<proto::Timer> schedule;  // by id: a pending timer with the same id is moved
  std::vector<std::string> cancel;     // ids; absent ones are ignored
  std::vector<std::string> fired;      // ids that must be pending now
  // Like `fired`, and each must still have the due time given: a timer moved since it was read
  // refuses the batch too (its effect was decided on the old version). The timer runner's form.
  std::vector<TimerVersion> fired_versions;
  // The timers' version DueTimers reported with the timers of `fired_versions` (0: unknown).
  // When no timer changed since, they are pending as read and are not looked up again.
  uint64_t timers_read_at = 0;
  // ODR counter deltas, added to the stored counters by the "odr_counters" merge operator in
  // the same atomic write as everything above: a step redone after a crash was written either
  // whole (its work item acknowledged with it) or not at all, so a delta is never counted twice
  // or lost. Store id and rule set must be non-empty and free of NUL.
  std::vector<odr::CounterDelta> merges;
  // Synced to disk before returning. Work acknowledgements need not be (redone after a crash),
  // timers that fired with an effect outside the store (a message sent) must be.
  bool sync = false;
};

// A pipeline work item: one stored event to process, in its store's lane.
struct WorkItem {
  uint64_t sequence = 0;
  std::string marketplace;
  std::string store_id;
};

// A place in the timers' due order: the (due time, id) of a timer.
struct TimerPosition {
  TimePoint due;
  std::string id;
};

// Pending timers of one kind due before an instant, in due order (then id), a page at a time.
// The timers family is already keyed by due time and written in the same batch as the records
// the timers belong to, so "what is due within 24 h" (disputes across every store, replies) is
// a range read of it: its cost follows the timers due in the window, not the records stored,
// and it cannot drift from the records the way a second index could.
struct TimerScan {
  std::string kind;  // Timer.kind, e.g. "dispute_deadline"; required
  // Only timers due strictly before this; TimePoint::max() for every pending one.
  TimePoint due_before = TimePoint::max();
  // Resume after this position (a previous page's `next`).
  std::optional<TimerPosition> after;
  // At most this many timers returned...
  size_t limit = 100;
  // ...and at most this many pending timers of any kind read for one page: timers of other
  // kinds share the range, and a page must not read without bound to fill itself.
  size_t max_examined = 10'000;
};

struct TimerScanPage {
  std::vector<proto::Timer> timers;
  // Where the next page starts (the last timer read, returned or not); nullopt when the range
  // is exhausted.
  std::optional<TimerPosition> next;
  // Pending timers read for this page, of any kind (at most TimerScan::max_examined).
  size_t examined = 0;
};

struct ListQuery {
  // Only events of this store id (any marketplace) when non-empty.
  std::string store_id;
  // Only events with sequence > after_sequence.
  uint64_t after_sequence = 0;
  // At most this many events, in sequence order.
  size_t limit = 100;
};

// Thread-safe. Appends from any thread are grouped: one committer thread takes every append
// that is waiting, dedupes it, writes one WriteBatch, has the WAL synced (StoreOptions::sync),
// then completes them all. The fsync runs on a second thread while the committer dedupes and
// writes the next group. A group is readable from its write on, before its sync: a redelivery
// deduped against it still completes only after that sync, so nothing is acknowledged before
// it is durable.
class EventStore {
 public:
  using AppendCallback = std::function<void(Result<std::vector<Appended>>)>;

  // Opens (creating if needed) the database and starts the committer. Recovers from a crash
  // through RocksDB's WAL: every append that completed before the crash is there. Startup
  // errors are returned with the path and RocksDB's reason.
  static Result<std::unique_ptr<EventStore>> Open(const StoreOptions& options,
                                                  StoreObserver* observer = nullptr);

  // Stops the committer after completing the appends already queued; later appends complete
  // with kNotReady. No other call may run concurrently with the destructor.
  ~EventStore();

  // Stores `events` (all of one request) durably and exactly once each, assigning sequences to
  // the new ones. Events whose (marketplace, store_id, event_id) is already stored, or repeated
  // within the same call or commit, are reported as duplicates and not written again. `done`
  // runs once, on the committer thread, after the WAL is synced (or with kOverloaded at once
  // when too many appends wait, kStorageFailure if the write failed, kNotReady after Close).
  // Each event must have marketplace, store_id and event_id set, and marketplace and store_id
  // must not contain '\0'; otherwise the whole call completes with kInvalidField. Refusals
  // (kInvalidField, kPayloadTooLarge for an event over 2 GiB, kOverloaded, kNotReady) and an
  // empty `events` complete at once on the calling thread. `done` and the observer must not call
  // Append or Close: they run on the committer thread, which would wait for itself.
  void AppendAsync(std::vector<proto::Event> events, AppendCallback done);

  // Blocking form of AppendAsync, for the CLI, connectors and tests.
  Result<std::vector<Appended>> Append(std::vector<proto::Event> events);

  // Stored events in sequence order (with Event.sequence set).
  Result<std::vector<proto::Event>> List(const ListQuery& query) const;
  Result<std::optional<proto::Event>> Get(uint64_t sequence) const;
  // The sequence of a stored event by its dedupe key.
  Result<std::optional<uint64_t>> FindSequence(std::string_view marketplace,
                                               std::string_view store_id,
                                               std::string_view event_id) const;
  // The highest sequence stored (0 when empty). Sequences are dense from 1, so this is the
  // number of events stored, except that a failed commit leaves a gap.
  uint64_t LastSequence() const;

  // The work queue: one item per stored event, written in the event's commit. Items stay until
  // acknowledged, so pending work survives restarts.
  Result<std::vector<WorkItem>> PendingWork(uint64_t after_sequence, size_t limit) const;
  Result<void> AckWork(uint64_t sequence);

  // Writes `writes` and removes the work items `done` from the queue in one atomic batch, so an
  // event's effect and its acknowledgement are stored together. Not synced: a crash may lose
  // the last batches, but then their work items come back with them and are redone, so the
  // processing that produced `writes` must be idempotent (the pipeline's is).
  Result<void> CompleteWork(std::span<const uint64_t> done, std::span<const TableWrite> writes);
  // The general form: see StateBatch. kInvalidField (and nothing written) for an empty record
  // key, a timer without id or due time, or a fired id that is not pending.
  Result<void> Commit(const StateBatch& batch);

  // Pending timers due at or before `now`, earliest first. `version`, when given, receives the
  // timers' version they were read at (see StateBatch::timers_read_at); every commit that
  // changes a timer makes a new one.
  Result<std::vector<proto::Timer>> DueTimers(TimePoint now, size_t limit,
                                              uint64_t* version = nullptr) const;
  // The earliest pending due time, nullopt when no timer is pending.
  Result<std::optional<TimePoint>> NextTimerDue() const;
  Result<std::optional<proto::Timer>> GetTimer(std::string_view id) const;
  // See TimerScan. kInvalidField without a kind or with a zero limit.
  Result<TimerScanPage> ScanTimers(const TimerScan& scan) const;

  Result<std::optional<std::string>> GetRecord(Table table, std::string_view key) const;
  // Records whose key starts with `prefix` and sorts after `after_key`, in key order.
  Result<std::vector<std::pair<std::string, std::string>>> ScanRecords(Table table,
                                                                       std::string_view prefix,
                                                                       std::string_view after_key,
                                                                       size_t limit) const;

  // ODR counters (odr/counters.h), summed over every delta committed. The days in [from, to]
  // that have counters for `store_id` under `rule_set` (odr::RuleSet::Key()), ascending: one
  // range scan, the read odr::BuildReport makes (through StoreCounterSource below).
  Result<std::vector<std::pair<odr::Day, odr::Counters>>> ReadCounters(std::string_view store_id,
                                                                       std::string_view rule_set,
                                                                       odr::Day from,
                                                                       odr::Day to) const;
  // The rule-set keys `store_id` has counters under, ascending.
  Result<std::vector<std::string>> CounterRuleSets(std::string_view store_id) const;
  // The store ids that have events, ascending (one seek per store, not per event).
  Result<std::vector<std::string>> StoreIds() const;
  // `csgw odr rebuild`: replaces every ODR counter (all rule sets) and every kOdrFacts record of
  // `store_id` by `counters` and `facts` (whose keys must start with "<store_id>\0"). Alerts
  // and their evaluation state stay. The old ones go in one write, the new ones follow in
  // bounded writes, all synced: an interrupted rebuild leaves partial figures that the next
  // rebuild replaces. Run it only while nothing else counts into the store (the gateway holds
  // the database lock while it runs).
  Result<void> ReplaceOdr(std::string_view store_id, std::span<const TableWrite> facts,
                          std::span<const odr::CounterDelta> counters);

  // Connector cursors ("aliexpress/<store>/messages" → opaque position), written with sync.
  Result<void> PutCursor(std::string_view name, std::string_view value);
  Result<std::optional<std::string>> GetCursor(std::string_view name) const;

  // False once a write, or a commit's dedupe lookup, has failed (disk full, I/O error): /readyz
  // reports it.
  bool Healthy() const;

  // Completes queued appends and stops the committer. Idempotent; a concurrent second call
  // returns when the first has finished. Reads, AckWork and cursors keep working until the
  // store is destroyed, so the pipeline can acknowledge what it finishes during shutdown.
  void Close();

  class Impl;

 private:
  explicit EventStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The store's counters as the odr library reads them. Thread-safe as EventStore is; `store` must
// outlive it.
class StoreCounterSource final : public odr::CounterSource {
 public:
  explicit StoreCounterSource(const EventStore& store) : store_(store) {}
  Result<std::vector<std::pair<odr::Day, odr::Counters>>> Range(std::string_view store_id,
                                                                std::string_view rule_set,
                                                                odr::Day from,
                                                                odr::Day to) const override {
    return store_.ReadCounters(store_id, rule_set, from, to);
  }

 private:
  const EventStore& store_;
};

}  // namespace csgw::gateway
