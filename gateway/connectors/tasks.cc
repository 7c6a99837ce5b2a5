#include "gateway/connectors/tasks.h"

#include <utility>

#include "base/log.h"
#include "gateway/marketplaces/api_util.h"

namespace csgw::gateway::connectors {
namespace {

StepResult Failed(Error error, std::optional<std::chrono::seconds> retry_after = {}) {
  StepResult result;
  result.error = std::move(error);
  result.retry_after = retry_after;
  return result;
}

}  // namespace

Result<void> StoreEvents(EventStore& store, std::vector<proto::Event> events, StepResult& result) {
  if (events.empty()) return Ok();
  auto appended = store.Append(std::move(events));
  if (!appended) return appended.error();
  for (const Appended& a : appended.value()) {
    if (a.duplicate) {
      ++result.duplicates;
    } else {
      ++result.stored;
    }
  }
  return Ok();
}

FeedTask::FeedTask(std::unique_ptr<PollFeed> feed, EventStore& store, outbound::HttpClient& client,
                   const Clock& clock, TaskOptions options)
    : feed_(std::move(feed)),
      name_(feed_->CursorName()),
      store_(store),
      client_(client),
      clock_(clock),
      options_(options) {}

StepResult FeedTask::Step() {
  auto stored_cursor = store_.GetCursor(name_);
  if (!stored_cursor) return Failed(stored_cursor.error());
  const std::string cursor = stored_cursor.value().value_or("");
  auto request = feed_->BuildPoll(cursor, clock_.Now());
  if (!request && request.error().code == Errc::kInvalidField && !cursor.empty()) {
    // A cursor this feed cannot read (written by an older version): start over. Re-read pages
    // dedupe; staying stuck on it would stop the feed for good.
    log::Warn("connectors.cursor_reset", {{"task", name_}, {"error", request.error().message}});
    if (auto reset = store_.PutCursor(name_, ""); !reset) return Failed(reset.error());
    StepResult result;
    result.more = true;
    return result;
  }
  if (!request) return Failed(request.error());
  outbound::HttpRequest r = std::move(request).value();
  if (r.timeout.count() == 0) r.timeout = options_.request_timeout;
  auto response = client_.SendSync(std::move(r));
  if (!response) return Failed(response.error());
  const TimePoint now = clock_.Now();
  auto page = feed_->ParsePoll(cursor, response.value(), now);
  if (!page) return Failed(page.error(), RetryAfterOf(response.value(), now));
  StepResult result;
  if (auto ok = StoreEvents(store_, std::move(page.value().events), result); !ok) {
    return Failed(ok.error());
  }
  // Only once the events are durable: a crash before this line re-polls the same page.
  if (page.value().next_cursor != cursor) {
    if (auto put = store_.PutCursor(name_, page.value().next_cursor); !put) {
      return Failed(put.error());
    }
  }
  result.more = page.value().more;
  return result;
}

MercadoLibreFetchTask::MercadoLibreFetchTask(MercadoLibreFetcher fetcher, EventStore& store,
                                             outbound::HttpClient& client, const Clock& clock,
                                             TaskOptions options)
    : fetcher_(std::move(fetcher)),
      store_(store),
      client_(client),
      clock_(clock),
      options_(options) {}

Result<void> MercadoLibreFetchTask::Advance(uint64_t sequence) {
  return store_.PutCursor(name_, std::to_string(sequence));
}

StepResult MercadoLibreFetchTask::Step() {
  auto stored_cursor = store_.GetCursor(name_);
  if (!stored_cursor) return Failed(stored_cursor.error());
  uint64_t after = 0;
  if (stored_cursor.value() && !stored_cursor.value()->empty()) {
    auto parsed = ParseCount(*stored_cursor.value());
    if (!parsed) {
      return Failed(MakeError(Errc::kInvalidField, "cursor " + name_ + " is not a sequence"));
    }
    after = static_cast<uint64_t>(*parsed);
  }
  ListQuery query;
  query.after_sequence = after;
  query.limit = options_.fetch_batch;
  auto listed = store_.List(query);
  if (!listed) return Failed(listed.error());
  StepResult result;
  const proto::Event* next = nullptr;
  for (const proto::Event& e : listed.value()) {
    if (MercadoLibreFetcher::Fetchable(e)) {
      next = &e;
      break;
    }
  }
  if (next == nullptr) {
    // Nothing to fetch in this batch: skip past it.
    if (!listed.value().empty()) {
      if (auto ok = Advance(listed.value().back().sequence()); !ok) return Failed(ok.error());
    }
    result.more = listed.value().size() >= options_.fetch_batch;
    return result;
  }
  const uint64_t sequence = next->sequence();
  // Everything before it needed no fetch.
  if (sequence > after + 1) {
    if (auto ok = Advance(sequence - 1); !ok) return Failed(ok.error());
  }
  auto skip = [&](const Error& why) {
    // A notification that can never be fetched (no account for its store, a resource that is
    // gone or not an id) is logged and passed over: waiting would stop every later one.
    log::Warn("connectors.fetch_skipped", {{"task", name_},
                                           {"sequence", static_cast<int64_t>(sequence)},
                                           {"event", next->event_id()},
                                           {"error", why.message}});
    if (auto ok = Advance(sequence); !ok) return Failed(ok.error());
    StepResult skipped;
    skipped.more = true;
    return skipped;
  };
  auto request = fetcher_.BuildFetch(*next);
  if (!request) {
    if (request.error().code == Errc::kNotFound || request.error().code == Errc::kInvalidField) {
      return skip(request.error());
    }
    return Failed(request.error());
  }
  outbound::HttpRequest r = std::move(request).value();
  if (r.timeout.count() == 0) r.timeout = options_.request_timeout;
  auto response = client_.SendSync(std::move(r));
  if (!response) return Failed(response.error());
  const TimePoint now = clock_.Now();
  auto events = fetcher_.ParseFetch(*next, response.value(), now);
  if (!events) {
    // Gone (404) is final; a body that does not read is waited on like any failure, since
    // skipping would drop every notification while a format change lasts.
    if (events.error().code == Errc::kNotFound) return skip(events.error());
    return Failed(events.error(), RetryAfterOf(response.value(), now));
  }
  if (auto ok = StoreEvents(store_, std::move(events).value(), result); !ok) {
    return Failed(ok.error());
  }
  if (auto ok = Advance(sequence); !ok) return Failed(ok.error());
  result.more = true;
  return result;
}

}  // namespace csgw::gateway::connectors
