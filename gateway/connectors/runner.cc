#include "gateway/connectors/runner.h"

#include <algorithm>
#include <utility>

#include "base/log.h"
#include "gateway/marketplaces/accounts.h"

namespace csgw::gateway::connectors {

Result<std::unique_ptr<ConnectorRunner>> ConnectorRunner::Build(const proto::Config& config,
                                                                EventStore& store,
                                                                outbound::HttpClient& client,
                                                                const Clock& clock,
                                                                RunnerOptions options) {
  std::vector<std::unique_ptr<Task>> tasks;
  auto feeds = PollFeedsFromConfig(config);
  if (!feeds) return feeds.error();
  for (auto& feed : feeds.value()) {
    tasks.push_back(
        std::make_unique<FeedTask>(std::move(feed), store, client, clock, options.task));
  }
  auto ml = ResolveAccounts(config, "mercadolibre");
  if (!ml) return ml.error();
  std::vector<Account> fetching;
  for (Account& a : ml.value()) {
    if (a.poll) fetching.push_back(std::move(a));
  }
  if (!fetching.empty()) {
    tasks.push_back(std::make_unique<MercadoLibreFetchTask>(
        MercadoLibreFetcher(AccountBook("mercadolibre", std::move(fetching))), store, client, clock,
        options.task));
  }
  return std::make_unique<ConnectorRunner>(std::move(tasks), options);
}

ConnectorRunner::ConnectorRunner(std::vector<std::unique_ptr<Task>> tasks, RunnerOptions options)
    : options_(options), rng_(options.seed != 0 ? options.seed : std::random_device{}()) {
  for (auto& task : tasks) {
    Entry entry;
    entry.status.name = task->Name();
    entry.task = std::move(task);
    entries_.push_back(std::move(entry));
  }
}

ConnectorRunner::~ConnectorRunner() { Stop(); }

void ConnectorRunner::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stop_) return;
  const auto now = std::chrono::steady_clock::now();
  for (Entry& e : entries_) e.due = now;
  thread_ = std::thread([this] { Loop(); });
}

void ConnectorRunner::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::vector<TaskStatus> ConnectorRunner::Status() const {
  std::lock_guard lock(mu_);
  std::vector<TaskStatus> out;
  for (const Entry& e : entries_) out.push_back(e.status);
  return out;
}

void ConnectorRunner::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_ && !entries_.empty()) {
    auto next = std::min_element(entries_.begin(), entries_.end(),
                                 [](const Entry& a, const Entry& b) { return a.due < b.due; });
    if (next->due > std::chrono::steady_clock::now()) {
      wake_.wait_until(lock, next->due, [this] { return stop_; });
      continue;
    }
    lock.unlock();
    const auto wait = Turn(*next);
    lock.lock();
    next->due = std::chrono::steady_clock::now() + wait;
  }
}

std::chrono::steady_clock::duration ConnectorRunner::Turn(Entry& entry) {
  for (size_t i = 0; i < options_.max_steps_per_turn; ++i) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return std::chrono::steady_clock::duration::zero();
    }
    StepResult step = entry.task->Step();
    std::lock_guard lock(mu_);
    ++entry.status.steps;
    entry.status.stored += step.stored;
    if (step.error) {
      ++entry.status.failures;
      entry.status.last_error = step.error->message;
      const auto delay =
          BackoffDelay(entry.status.failures, options_.backoff, rng_(), step.retry_after);
      log::Warn("connectors.step_failed", {{"task", entry.status.name},
                                           {"error", step.error->message},
                                           {"failures", entry.status.failures},
                                           {"retry_in_ms", static_cast<int64_t>(delay.count())}});
      return delay;
    }
    entry.status.failures = 0;
    entry.status.last_error.clear();
    if (step.stored > 0) {
      log::Info("connectors.stored", {{"task", entry.status.name},
                                      {"events", static_cast<int64_t>(step.stored)},
                                      {"duplicates", static_cast<int64_t>(step.duplicates)}});
    }
    if (!step.more) return entry.task->Interval();
  }
  // More work remains: due again at once, after the others had their turn.
  return std::chrono::steady_clock::duration::zero();
}

}  // namespace csgw::gateway::connectors
