#include "gateway/schedule/timer_runner.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <utility>

#include "base/log.h"

namespace csgw::gateway {
namespace {

constexpr auto kMaxSleep = std::chrono::seconds(1);

TimePoint DueOf(const proto::Timer& timer) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::seconds(timer.due().seconds()) + std::chrono::nanoseconds(timer.due().nanos())));
}

void SetTime(google::protobuf::Timestamp* out, TimePoint t) {
  const int64_t ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  int64_t seconds = ns / 1'000'000'000;
  int64_t nanos = ns % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(nanos));
}

// The store itself failed: firing the same timers alone would fail the same way.
bool StoreFailed(const Error& error) {
  return error.code == Errc::kStorageFailure || error.code == Errc::kNotReady;
}

// What an effect touches, hashed: timers by id in space 0, records by key in space 1 + table.
// Equal keys hash equally; a collision only costs a needless fallback to one write per timer.
uint64_t TouchHash(uint64_t space, std::string_view key) {
  return std::hash<std::string_view>{}(key) ^ ((space + 1) * 0x9E3779B97F4A7C15ull);
}
uint64_t TimerTouch(std::string_view id) { return TouchHash(0, id); }
uint64_t RecordTouch(Table table, std::string_view key) {
  return TouchHash(1 + static_cast<uint64_t>(table), key);
}

// (hash, member) pairs: two members touching one record or timer may not share a write, since
// the write applies all writes, then all erases, then all cancels, then all schedules, and Fire
// did not see the other members' effects.
using Touches = std::vector<std::pair<uint64_t, uint32_t>>;

bool Overlap(Touches& touches) {
  std::sort(touches.begin(), touches.end());
  for (size_t i = 1; i < touches.size(); ++i) {
    if (touches[i].first == touches[i - 1].first && touches[i].second != touches[i - 1].second) {
      return true;
    }
  }
  return false;
}

template <class T>
void MoveAppend(std::vector<T>& from, std::vector<T>& to) {
  if (to.empty()) {
    to.swap(from);
  } else {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  }
  from.clear();
}

// Moves everything of `from` into `to`, leaving `from` empty for the next handler.
void MoveAppend(StateBatch& from, StateBatch& to) {
  // A new StateBatch member must be carried over here, or a handler's effect would be lost.
  static_assert(sizeof(StateBatch) ==
                    8 * sizeof(std::vector<int>) + sizeof(uint64_t) + alignof(std::vector<int>),
                "StateBatch changed: carry its new member over in MoveAppend");
  MoveAppend(from.done, to.done);
  MoveAppend(from.writes, to.writes);
  MoveAppend(from.erase, to.erase);
  MoveAppend(from.schedule, to.schedule);
  MoveAppend(from.cancel, to.cancel);
  MoveAppend(from.fired, to.fired);
  MoveAppend(from.fired_versions, to.fired_versions);
  MoveAppend(from.merges, to.merges);
  to.sync = to.sync || from.sync;
  from.sync = false;
  // timers_read_at is the runner's: it read the timers a batch fires.
}

TimerRunnerOptions Checked(TimerRunnerOptions options) {
  options.max_batch = std::max<size_t>(options.max_batch, 1);
  return options;
}

}  // namespace

// One timer of a write: what it became, for the hooks, the counts and the logs once the write's
// outcome is known.
struct TimerRunner::Member {
  enum class Outcome { kFired, kFailed, kUnhandled };
  const proto::Timer* timer = nullptr;
  TimerHandler* handler = nullptr;  // kFired
  Outcome outcome = Outcome::kFired;
  uint32_t failures = 0;                  // kFailed: the count written
  std::chrono::milliseconds retry_in{0};  // kFailed and not dead
};

TimerRunner::TimerRunner(EventStore& store, const Clock& clock, TimerRunnerOptions options)
    : store_(store), clock_(clock), options_(Checked(options)) {}

TimerRunner::~TimerRunner() { Stop(); }

void TimerRunner::Handle(const std::string& kind, TimerHandler& handler) {
  handlers_[kind] = &handler;
}

Result<size_t> TimerRunner::FireDue(size_t limit) {
  auto progress = Run(limit);
  if (!progress) return progress.error();
  return progress.value().fired;
}

Result<TimerRunner::Progress> TimerRunner::Run(size_t limit) {
  const TimePoint now = clock_.Now();
  Progress total;
  std::vector<const proto::Timer*> chosen;
  Touches subjects;
  while (total.taken < limit) {
    const size_t want = std::min(limit - total.taken, options_.max_batch);
    uint64_t version = 0;
    auto due = store_.DueTimers(now, want, &version);
    if (!due) return due.error();
    const std::vector<proto::Timer>& timers = due.value();
    if (timers.empty()) break;
    // Two timers of one subject never share a write: the later one is left for the next scan,
    // after the first one's effect is stored, and is read again then (it may have moved).
    subjects.clear();
    for (size_t i = 0; i < timers.size(); ++i) {
      if (!timers[i].subject().empty()) {
        subjects.emplace_back(TouchHash(0, timers[i].subject()), static_cast<uint32_t>(i));
      }
    }
    std::sort(subjects.begin(), subjects.end());
    std::vector<bool> later(timers.size(), false);
    for (size_t i = 1; i < subjects.size(); ++i) {
      if (subjects[i].first == subjects[i - 1].first) later[subjects[i].second] = true;
    }
    chosen.clear();
    for (size_t i = 0; i < timers.size(); ++i) {
      if (!later[i]) chosen.push_back(&timers[i]);
    }
    auto fired = FireBatch(chosen, now, version);
    if (!fired) return fired.error();
    total.fired += fired.value();
    total.taken += chosen.size();
    // Fewer due than asked, none left for later: nothing more is due.
    if (chosen.size() == timers.size() && timers.size() < want) break;
  }
  return total;
}

TimerRunner::Member TimerRunner::Prepare(const proto::Timer& timer, TimePoint now,
                                         StateBatch& batch, StateBatch& scratch) {
  Member member;
  member.timer = &timer;
  const auto handler = handlers_.find(timer.kind());
  if (handler == handlers_.end()) {
    log::Warn("timer.unhandled", {{"id", timer.id()}, {"kind", timer.kind()}});
    member.outcome = Member::Outcome::kUnhandled;
    batch.fired_versions.push_back({timer.id(), DueOf(timer)});
    return member;
  }
  if (auto done = handler->second->Fire(timer, now, scratch); !done) {
    scratch = StateBatch();  // whatever Fire added before failing goes with it
    AddFailure(timer, done.error(), now, batch, member);
    return member;
  }
  member.handler = handler->second;
  batch.fired_versions.push_back({timer.id(), DueOf(timer)});
  MoveAppend(scratch, batch);
  return member;
}

Result<size_t> TimerRunner::FireBatch(std::span<const proto::Timer* const> timers, TimePoint now,
                                      uint64_t read_at) {
  if (timers.size() == 1) return FireAlone(*timers[0], now, read_at);
  StateBatch batch;
  batch.timers_read_at = read_at;
  StateBatch scratch;
  std::vector<Member> members;
  members.reserve(timers.size());
  Touches touches;
  for (const proto::Timer* timer : timers) {
    const auto index = static_cast<uint32_t>(members.size());
    const size_t writes = batch.writes.size();
    const size_t erases = batch.erase.size();
    const size_t schedules = batch.schedule.size();
    const size_t cancels = batch.cancel.size();
    const size_t fired = batch.fired.size();
    members.push_back(Prepare(*timer, now, batch, scratch));
    // What this member added; its own id only once (firing and moving itself is one change).
    touches.emplace_back(TimerTouch(timer->id()), index);
    for (size_t i = writes; i < batch.writes.size(); ++i) {
      touches.emplace_back(RecordTouch(batch.writes[i].table, batch.writes[i].key), index);
    }
    for (size_t i = erases; i < batch.erase.size(); ++i) {
      touches.emplace_back(RecordTouch(batch.erase[i].table, batch.erase[i].key), index);
    }
    for (size_t i = schedules; i < batch.schedule.size(); ++i) {
      if (batch.schedule[i].id() != timer->id()) {
        touches.emplace_back(TimerTouch(batch.schedule[i].id()), index);
      }
    }
    for (size_t i = cancels; i < batch.cancel.size(); ++i) {
      if (batch.cancel[i] != timer->id()) touches.emplace_back(TimerTouch(batch.cancel[i]), index);
    }
    for (size_t i = fired; i < batch.fired.size(); ++i) {
      touches.emplace_back(TimerTouch(batch.fired[i]), index);
    }
  }

  Result<void> committed = Ok();
  const bool overlap = Overlap(touches);
  if (!overlap) committed = store_.Commit(batch);
  if (!overlap && committed) {
    size_t fired = 0;
    for (const Member& member : members) {
      if (member.outcome != Member::Outcome::kFailed) ++fired;
      Finish(member);
    }
    return fired;
  }
  for (const Member& member : members) {
    if (member.outcome == Member::Outcome::kFired) member.handler->Abandoned(*member.timer);
  }
  if (!overlap && StoreFailed(committed.error())) {
    log::Warn("timer.not_fired",
              {{"timers", static_cast<uint64_t>(timers.size())}, {"error", committed.error().message}});
    return committed.error();
  }
  // One timer fired elsewhere or moved, an effect the store refused, or effects that touch each
  // other: each timer alone, as it is now, so that one keeps only itself out.
  log::Info("timer.batch_split", {{"timers", static_cast<uint64_t>(timers.size())},
                                  {"reason", overlap ? "effects overlap" : committed.error().message}});
  size_t fired = 0;
  for (const proto::Timer* timer : timers) {
    auto current = store_.GetTimer(timer->id());
    if (!current) return current.error();
    if (!current.value() || DueOf(*current.value()) != DueOf(*timer)) continue;  // not ours now
    auto alone = FireAlone(*current.value(), now, 0);
    if (!alone) return alone.error();
    fired += alone.value();
  }
  return fired;
}

Result<size_t> TimerRunner::FireAlone(const proto::Timer& timer, TimePoint now,
                                      uint64_t read_at) {
  StateBatch batch;
  batch.timers_read_at = read_at;
  StateBatch scratch;
  Member member = Prepare(timer, now, batch, scratch);
  auto committed = store_.Commit(batch);
  if (committed) {
    Finish(member);
    return member.outcome == Member::Outcome::kFailed ? 0 : 1;
  }
  if (member.outcome == Member::Outcome::kFired) member.handler->Abandoned(timer);
  log::Warn("timer.not_fired", {{"id", timer.id()}, {"error", committed.error().message}});
  if (StoreFailed(committed.error())) return committed.error();
  // Refused: the timer fired elsewhere or moved since it was read, or its effect is invalid.
  auto current = store_.GetTimer(timer.id());
  if (!current) return current.error();
  if (!current.value() || DueOf(*current.value()) != DueOf(timer)) return 0;
  if (member.outcome == Member::Outcome::kFailed) {
    // Only the runner's own failure record was refused: a defect, not the handler's.
    return MakeError(Errc::kInternal,
                     "timer " + timer.id() + ": failure not recorded: " + committed.error().message);
  }
  // The handler's effect was refused (an empty key, a timer scheduled twice): its failure.
  StateBatch record;
  Member failed;
  failed.timer = &timer;
  AddFailure(timer, committed.error(), now, record, failed);
  if (auto ok = store_.Commit(record); !ok) return ok.error();
  Finish(failed);
  return 0;
}

void TimerRunner::AddFailure(const proto::Timer& timer, const Error& error, TimePoint now,
                             StateBatch& batch, Member& member) {
  failed_.fetch_add(1, std::memory_order_relaxed);
  member.outcome = Member::Outcome::kFailed;
  member.failures = timer.failures() + 1;
  log::Warn("timer.failed", {{"id", timer.id()},
                             {"kind", timer.kind()},
                             {"failures", static_cast<uint64_t>(member.failures)},
                             {"error", error.message}});
  proto::Timer again = timer;
  again.set_failures(member.failures);
  SetTime(again.mutable_failed_at(), now);
  again.set_last_error(error.message);
  // Removed as read (so that a timer moved or fired meanwhile is left alone), and put back
  // later or set aside in the same write.
  batch.fired_versions.push_back({timer.id(), DueOf(timer)});
  if (member.failures >= options_.dead_after) {
    batch.writes.push_back({Table::kDeadTimers, timer.id(), again.SerializeAsString()});
    return;
  }
  if (member.failures < options_.quarantine_after) {
    member.retry_in = options_.retry_delay;
  } else {
    const uint32_t doublings = member.failures - options_.quarantine_after;
    member.retry_in = options_.backoff_max;
    if (doublings < 32 && options_.backoff_initial * (int64_t{1} << doublings) < options_.backoff_max) {
      member.retry_in = options_.backoff_initial * (int64_t{1} << doublings);
    }
  }
  SetTime(again.mutable_due(), now + member.retry_in);
  batch.schedule.push_back(std::move(again));
}

void TimerRunner::Finish(const Member& member) {
  const proto::Timer& timer = *member.timer;
  switch (member.outcome) {
    case Member::Outcome::kFired:
      fired_.fetch_add(1, std::memory_order_relaxed);
      member.handler->Committed(timer);
      return;
    case Member::Outcome::kUnhandled:
      fired_.fetch_add(1, std::memory_order_relaxed);
      return;
    case Member::Outcome::kFailed:
      if (member.failures >= options_.dead_after) {
        dead_.fetch_add(1, std::memory_order_relaxed);
        log::Error("timer.dead", {{"id", timer.id()},
                                  {"kind", timer.kind()},
                                  {"failures", static_cast<uint64_t>(member.failures)}});
      } else if (member.failures == options_.quarantine_after) {
        quarantined_.fetch_add(1, std::memory_order_relaxed);
        log::Warn("timer.quarantined", {{"id", timer.id()},
                                        {"kind", timer.kind()},
                                        {"failures", static_cast<uint64_t>(member.failures)},
                                        {"retry_in_ms", member.retry_in.count()}});
      }
      return;
  }
}

TimerRunnerStats TimerRunner::Stats() const {
  return TimerRunnerStats{fired_.load(std::memory_order_relaxed),
                          failed_.load(std::memory_order_relaxed),
                          quarantined_.load(std::memory_order_relaxed),
                          dead_.load(std::memory_order_relaxed)};
}

Result<std::vector<proto::Timer>> TimerRunner::DeadTimers(std::string_view after_id,
                                                         size_t limit) const {
  auto records = store_.ScanRecords(Table::kDeadTimers, "", after_id, limit);
  if (!records) return records.error();
  std::vector<proto::Timer> out(records.value().size());
  for (size_t i = 0; i < out.size(); ++i) {
    if (!out[i].ParseFromString(records.value()[i].second)) {
      return MakeError(Errc::kStorageFailure, "dead timer " + records.value()[i].first +
                                                  ": unreadable record");
    }
  }
  return out;
}

Result<void> TimerRunner::Revive(std::string_view id) {
  auto record = store_.GetRecord(Table::kDeadTimers, id);
  if (!record) return record.error();
  if (!record.value()) return MakeError(Errc::kNotFound, "no dead timer " + std::string(id));
  proto::Timer timer;
  if (!timer.ParseFromString(*record.value())) {
    return MakeError(Errc::kStorageFailure, "dead timer " + std::string(id) + ": unreadable record");
  }
  auto pending = store_.GetTimer(id);
  if (!pending) return pending.error();
  if (pending.value()) {
    return MakeError(Errc::kConflict, "a timer " + std::string(id) + " is pending");
  }
  timer.clear_failures();
  timer.clear_failed_at();
  timer.clear_last_error();
  SetTime(timer.mutable_due(), clock_.Now());
  StateBatch batch;
  batch.schedule.push_back(timer);
  batch.erase.push_back({Table::kDeadTimers, std::string(id)});
  batch.sync = true;  // an operator's decision: not to be lost
  if (auto ok = store_.Commit(batch); !ok) return ok.error();
  log::Info("timer.revived", {{"id", timer.id()}, {"kind", timer.kind()}});
  Notify();
  return Ok();
}

void TimerRunner::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void TimerRunner::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void TimerRunner::Notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_one();
}

void TimerRunner::Loop() {
  const size_t round = options_.max_batch;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    auto progress = Run(round);
    // Sleep until the next timer is due, at most a second; at once when a full round was
    // taken (more may be due); a second after an error (the store failed: no busy loop).
    auto sleep = std::chrono::duration_cast<std::chrono::milliseconds>(kMaxSleep);
    if (!progress) {
      log::Error("timer.round_failed", {{"error", progress.error().message}});
    } else if (progress.value().taken >= round) {
      sleep = std::chrono::milliseconds(0);
    } else if (auto next = store_.NextTimerDue(); next && next.value()) {
      const auto until =
          std::chrono::duration_cast<std::chrono::milliseconds>(*next.value() - clock_.Now());
      sleep = std::clamp(until, std::chrono::milliseconds(0),
                         std::chrono::duration_cast<std::chrono::milliseconds>(kMaxSleep));
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, sleep, [&] { return stopping_ || notified_; });
    notified_ = false;
  }
}

}  // namespace csgw::gateway
