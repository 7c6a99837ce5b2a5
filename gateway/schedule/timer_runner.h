// The executor of durable timers: takes the timers that are due from the store, lets the handler
// of each timer's kind add its effect to a StateBatch, and commits the effects together with the
// timers' removal, so every timer fires exactly once (policy — when things may or must happen —
// is the pure part of this folder; this is the part that acts). A timer whose handler keeps
// failing is quarantined: tried again later and later, then set aside as a dead timer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/store/event_store.h"

namespace csgw::gateway {

class TimerHandler {
 public:
  virtual ~TimerHandler() = default;
  // Adds the timer's effect to `batch` (records to write, timers to schedule or cancel); the
  // runner removes the timer in the same write. The effects of many timers share one write, so
  // Fire sees the store as it was before the other timers of its round fired: it should read
  // only records of its timer's subject. The runner never puts two timers of one subject in one
  // write, nor two effects that touch the same record or timer (those fire one write each).
  // An error drops what Fire added and leaves the timer pending, tried again after a delay;
  // neither hook below is called for it.
  virtual Result<void> Fire(const proto::Timer& timer, TimePoint now, StateBatch& batch) = 0;
  // After the write holding Fire's effect was committed (synced when any handler of that write
  // asked for it): start what must follow the durable write (a send whose intent is on disk).
  virtual void Committed(const proto::Timer& /*timer*/) {}
  // Fire's effect was not committed (the timer fired elsewhere or was moved, the store failed,
  // or the shared write failed and the timer is fired again alone): forget what Fire prepared.
  virtual void Abandoned(const proto::Timer& /*timer*/) {}
};

struct TimerRunnerOptions {
  // Most timers fired into one write.
  size_t max_batch = 1000;
  // A timer whose handler failed is tried again after `retry_delay`. Once it has failed
  // `quarantine_after` times in a row it is quarantined: the next tries wait `backoff_initial`,
  // doubling up to `backoff_max`. After `dead_after` failures in a row it is set aside as a dead
  // timer (Table::kDeadTimers), listed by DeadTimers and put back by Revive.
  std::chrono::milliseconds retry_delay{std::chrono::seconds(1)};
  uint32_t quarantine_after = 5;
  std::chrono::milliseconds backoff_initial{std::chrono::seconds(1)};
  std::chrono::milliseconds backoff_max{std::chrono::hours(1)};
  uint32_t dead_after = 20;
};

// Counts since the runner was made, for /metrics.
struct TimerRunnerStats {
  uint64_t fired = 0;        // effects committed (and timers of unhandled kinds removed)
  uint64_t failed = 0;       // handler failures, every attempt counted
  uint64_t quarantined = 0;  // timers that reached `quarantine_after` failures in a row
  uint64_t dead = 0;         // timers set aside after `dead_after` failures in a row
};

class TimerRunner {
 public:
  // `store` and `clock` must outlive the runner.
  TimerRunner(EventStore& store, const Clock& clock, TimerRunnerOptions options = {});
  ~TimerRunner();

  // The handler for timers of `kind`; must outlive the runner. Register before Start.
  void Handle(const std::string& kind, TimerHandler& handler);

  // Fires up to `limit` due timers on the calling thread, up to `max_batch` per write (a failing
  // handler keeps only its own timer out of the write). A timer of a kind nobody handles is
  // removed with a warning (it could never fire). Returns how many fired. Thread-safe: runners
  // on other threads (or processes' stores) never fire a timer twice.
  Result<size_t> FireDue(size_t limit);

  // The thread: a round whenever the earliest timer is due (checked at least once a second,
  // so timers scheduled by other components are picked up without a notification).
  void Start();
  void Stop();
  // Look for due timers now rather than within the second (a timer due now was scheduled).
  void Notify();

  TimerRunnerStats Stats() const;

  // Dead timers in id order, after `after_id`, at most `limit`; each with its failure count,
  // last error and when it last failed.
  Result<std::vector<proto::Timer>> DeadTimers(std::string_view after_id, size_t limit) const;
  // Puts a dead timer back, due now, with its failures forgotten (its cause was fixed).
  // kNotFound when no dead timer has `id`, kConflict when a pending timer has it.
  Result<void> Revive(std::string_view id);

 private:
  struct Progress {
    size_t fired = 0;
    size_t taken = 0;  // timers tried (fired, failed, or found gone)
  };
  struct Member;

  Result<Progress> Run(size_t limit);
  // Fires `timers` (read at the timers' version `read_at`, 0 if unknown) into one write; when
  // that write is refused, each one alone.
  Result<size_t> FireBatch(std::span<const proto::Timer* const> timers, TimePoint now,
                           uint64_t read_at);
  Result<size_t> FireAlone(const proto::Timer& timer, TimePoint now, uint64_t read_at);
  // Fires into `batch` (or records the handler's failure there).
  Member Prepare(const proto::Timer& timer, TimePoint now, StateBatch& batch, StateBatch& scratch);
  void Finish(const Member& member);
  void AddFailure(const proto::Timer& timer, const Error& error, TimePoint now, StateBatch& batch,
                  Member& member);
  void Loop();

  EventStore& store_;
  const Clock& clock_;
  const TimerRunnerOptions options_;
  std::map<std::string, TimerHandler*, std::less<>> handlers_;
  std::atomic<uint64_t> fired_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> quarantined_{0};
  std::atomic<uint64_t> dead_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool notified_ = false;
  std::thread thread_;
};

}  // namespace csgw::gateway
