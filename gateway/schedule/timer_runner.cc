#include "gateway/schedule/timer_runner.h"

#include <algorithm>

#include "base/log.h"

namespace csgw::gateway {
namespace {

constexpr size_t kRound = 256;
constexpr auto kMaxSleep = std::chrono::seconds(1);

}  // namespace

TimerRunner::TimerRunner(EventStore& store, const Clock& clock) : store_(store), clock_(clock) {}

TimerRunner::~TimerRunner() { Stop(); }

void TimerRunner::Handle(const std::string& kind, TimerHandler& handler) {
  handlers_[kind] = &handler;
}

Result<size_t> TimerRunner::FireDue(size_t limit) {
  const TimePoint now = clock_.Now();
  auto due = store_.DueTimers(now, limit);
  if (!due) return due.error();
  size_t fired = 0;
  for (const proto::Timer& timer : due.value()) {
    StateBatch batch;
    auto handler = handlers_.find(timer.kind());
    if (handler == handlers_.end()) {
      log::Warn("timer.unhandled", {{"id", timer.id()}, {"kind", timer.kind()}});
    } else if (auto done = handler->second->Fire(timer, now, batch); !done) {
      log::Error("timer.failed",
                 {{"id", timer.id()}, {"kind", timer.kind()}, {"error", done.error().message}});
      continue;  // stays pending: tried again next round
    }
    batch.fired.push_back(timer.id());
    if (auto committed = store_.Commit(batch); !committed) {
      // Another runner fired it first, or the store failed: either way not fired here.
      log::Warn("timer.not_fired", {{"id", timer.id()}, {"error", committed.error().message}});
      if (handler != handlers_.end()) handler->second->Abandoned(timer);
      continue;
    }
    if (handler != handlers_.end()) handler->second->Committed(timer);
    ++fired;
  }
  return fired;
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
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    auto fired = FireDue(kRound);
    // Sleep until the next timer is due, at most a second; at once when a full round fired.
    auto sleep = std::chrono::duration_cast<std::chrono::milliseconds>(kMaxSleep);
    if (fired && fired.value() == kRound) {
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
