// The connector runner: one thread that polls every configured feed (AliExpress and
// Wildberries accounts) and fetches the resources behind Mercado Libre's thin notifications.
// Each task runs when due: at once while it has more pages (at most max_steps_per_turn steps in
// a row, so one busy account cannot starve the others), after its interval once caught up,
// and after an exponential, jittered, capped backoff (or the marketplace's Retry-After, if
// longer) while it fails. Every step is bounded by the request timeout; Stop waits at most for
// the step under way.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/connectors/backoff.h"
#include "gateway/connectors/tasks.h"
#include "gateway/outbound/http_client.h"
#include "gateway/store/event_store.h"
#include "proto/proto.h"

namespace csgw::gateway::connectors {

struct RunnerOptions {
  BackoffPolicy backoff;
  TaskOptions task;
  // Steps of one task in a row while it has more. Default: 20.
  size_t max_steps_per_turn = 20;
  // Seeds the jitter (tests); 0: from std::random_device.
  uint64_t seed = 0;
};

// A task's schedule, for /readyz-style reporting and tests.
struct TaskStatus {
  std::string name;
  int failures = 0;  // consecutive
  std::string last_error;
  uint64_t stored = 0;  // new events since start
  uint64_t steps = 0;
};

class ConnectorRunner {
 public:
  // The tasks of `config`: a FeedTask per polled feed of every AliExpress and Wildberries account
  // without disable_polling, and the Mercado Libre fetch when a Mercado Libre account polls.
  // Startup-time (resolves secrets). `store`, `client` and `clock` must outlive the runner.
  static Result<std::unique_ptr<ConnectorRunner>> Build(const proto::Config& config,
                                                        EventStore& store,
                                                        outbound::HttpClient& client,
                                                        const Clock& clock,
                                                        RunnerOptions options = {});

  ConnectorRunner(std::vector<std::unique_ptr<Task>> tasks, RunnerOptions options);
  ~ConnectorRunner();  // Stop()
  ConnectorRunner(const ConnectorRunner&) = delete;
  ConnectorRunner& operator=(const ConnectorRunner&) = delete;

  // Starts the thread; every task is due at once.
  void Start();
  // Stops the thread after the step under way. Idempotent.
  void Stop();

  std::vector<TaskStatus> Status() const;
  size_t task_count() const { return entries_.size(); }

 private:
  struct Entry {
    std::unique_ptr<Task> task;
    std::chrono::steady_clock::time_point due;
    TaskStatus status;
  };

  void Loop();
  // Runs one turn of `entry` and returns when it is due next.
  std::chrono::steady_clock::duration Turn(Entry& entry);

  RunnerOptions options_;
  std::vector<Entry> entries_;
  std::mt19937_64 rng_;

  mutable std::mutex mu_;  // guards stop_ and every Entry::status
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace csgw::gateway::connectors
