// The units of polling work the connector runner schedules, each one bounded step at a time:
// - FeedTask: one PollFeed of one account (AliExpress, Wildberries). A step loads the feed's
//   cursor from the store, sends one request, stores the page's events (deduplicated by the
//   store), then the next cursor, in that order: a crash between the two re-polls a page whose
//   events dedupe.
// - MercadoLibreFetchTask: reads the store's log for Mercado Libre notifications still to be
//   fetched (cursor "mercadolibre/fetch" = the last sequence handled) and fetches one resource
//   per step.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/marketplaces/mercadolibre_poll.h"
#include "gateway/marketplaces/poll.h"
#include "gateway/outbound/http_client.h"
#include "gateway/store/event_store.h"

namespace csgw::gateway::connectors {

// What one step did.
struct StepResult {
  // Set when the step failed: the runner backs off. Nothing was stored past the failure.
  std::optional<Error> error;
  // The marketplace's requested wait (Retry-After), when it gave one.
  std::optional<std::chrono::seconds> retry_after;
  size_t stored = 0;      // new events
  size_t duplicates = 0;  // events the store already had
  bool more = false;      // another step has work now
};

class Task {
 public:
  virtual ~Task() = default;
  // The cursor name: "<marketplace>/<store>/<feed>".
  virtual const std::string& Name() const = 0;
  // Between steps once caught up.
  virtual std::chrono::seconds Interval() const = 0;
  virtual StepResult Step() = 0;
};

struct TaskOptions {
  // Timeout of each marketplace request (bounds a step). Default: 30 s.
  std::chrono::milliseconds request_timeout{30'000};
  // Notifications read from the log per Mercado Libre step. Default: 256.
  size_t fetch_batch = 256;
  // Between Mercado Libre log scans once caught up. Default: 5 s.
  std::chrono::seconds fetch_interval{5};
};

class FeedTask final : public Task {
 public:
  FeedTask(std::unique_ptr<PollFeed> feed, EventStore& store, outbound::HttpClient& client,
           const Clock& clock, TaskOptions options);

  const std::string& Name() const override { return name_; }
  std::chrono::seconds Interval() const override { return feed_->Interval(); }
  StepResult Step() override;

 private:
  std::unique_ptr<PollFeed> feed_;
  std::string name_;
  EventStore& store_;
  outbound::HttpClient& client_;
  const Clock& clock_;
  TaskOptions options_;
};

class MercadoLibreFetchTask final : public Task {
 public:
  static constexpr std::string_view kCursor = "mercadolibre/fetch";

  MercadoLibreFetchTask(MercadoLibreFetcher fetcher, EventStore& store,
                        outbound::HttpClient& client, const Clock& clock, TaskOptions options);

  const std::string& Name() const override { return name_; }
  std::chrono::seconds Interval() const override { return options_.fetch_interval; }
  StepResult Step() override;

 private:
  Result<void> Advance(uint64_t sequence);

  MercadoLibreFetcher fetcher_;
  std::string name_{kCursor};
  EventStore& store_;
  outbound::HttpClient& client_;
  const Clock& clock_;
  TaskOptions options_;
};

// Appends `events` and counts new ones and duplicates into `result`.
Result<void> StoreEvents(EventStore& store, std::vector<proto::Event> events, StepResult& result);

}  // namespace csgw::gateway::connectors
