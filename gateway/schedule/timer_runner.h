// The executor of durable timers: takes the timers that are due from the store, lets the handler
// of each timer's kind add its effect to a StateBatch, and commits the effect together with the
// timer's removal, so every timer fires exactly once (policy — when things may or must happen —
// is the pure part of this folder; this is the part that acts).
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/store/event_store.h"

namespace csgw::gateway {

class TimerHandler {
 public:
  virtual ~TimerHandler() = default;
  // Adds the timer's effect to `batch` (records to write, timers to schedule or cancel); the
  // runner adds the timer itself to `batch.fired`. An error leaves the timer pending, to be
  // tried again in the next round.
  virtual Result<void> Fire(const proto::Timer& timer, TimePoint now, StateBatch& batch) = 0;
  // After Fire's batch was committed: start what must follow the durable write (a send whose
  // intent is now on disk).
  virtual void Committed(const proto::Timer& /*timer*/) {}
  // Fire's batch was not committed (the timer fired elsewhere, or the store failed): forget
  // what Fire prepared.
  virtual void Abandoned(const proto::Timer& /*timer*/) {}
};

class TimerRunner {
 public:
  // `store` and `clock` must outlive the runner.
  TimerRunner(EventStore& store, const Clock& clock);
  ~TimerRunner();

  // The handler for timers of `kind`; must outlive the runner. Register before Start.
  void Handle(const std::string& kind, TimerHandler& handler);

  // One round on the calling thread: fires up to `limit` due timers, each in its own batch so
  // that one failing handler delays only its own timer. A timer of a kind nobody handles is
  // removed with a warning (it could never fire). Returns how many fired.
  Result<size_t> FireDue(size_t limit);

  // The thread: a round whenever the earliest timer is due (checked at least once a second,
  // so timers scheduled by other components are picked up without a notification).
  void Start();
  void Stop();
  // Look for due timers now rather than within the second (a timer due now was scheduled).
  void Notify();

 private:
  void Loop();

  EventStore& store_;
  const Clock& clock_;
  std::map<std::string, TimerHandler*, std::less<>> handlers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool notified_ = false;
  std::thread thread_;
};

}  // namespace csgw::gateway
