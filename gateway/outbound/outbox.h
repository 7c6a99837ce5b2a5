// The outbox: durable delivery of everything csgw sends — replies and proactive messages through
// each marketplace's send API (gateway/marketplaces/send.h), signed webhooks to account managers.
//
// Life of an entry (proto::OutboxEntry in Table::kOutbox):
//   Enqueue ─▶ pending ──timer "outbound_send" fires──▶ sending ──answer──▶ sent
//                 ▲                                         │
//                 └──── retryable (5xx, 429, timeout) ◀─────┤──▶ dead (permanent 4xx, attempts or
//                                                                  age exhausted, uncertain)
//   dead ──Redrive (API / CLI)──▶ pending
// - At most one delivery per logical send: the entry id is derived from an idempotency key, the
//   state "sending" is synced to disk before the request leaves (intent), the outcome after it.
//   An entry found "sending" at startup was on the wire when the gateway stopped: it becomes a
//   dead letter with verdict "uncertain" for a person to check, never a second copy.
// - Retries: outbound/retry.h (exponential backoff with full jitter, Retry-After honoured).
//   Rate limits: a token bucket per (marketplace, store) or webhook host; a send over the rate
//   waits for its slot without using an attempt. At most max_in_flight requests at once.
// - Each settled entry is reported to the OutboxListener (the app appends an OutboundUpdate event
//   so that the pipeline, the only writer of conversations, records the reply).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/marketplaces/send.h"
#include "gateway/outbound/http_client.h"
#include "gateway/outbound/outbox_records.h"
#include "gateway/outbound/rate_limit.h"
#include "gateway/outbound/retry.h"
#include "gateway/schedule/timer_runner.h"
#include "gateway/store/event_store.h"
#include "proto/proto.h"

namespace csgw::gateway {

struct OutboxOptions {
  outbound::RetryPolicy retry;
  outbound::RateLimit rate;
  size_t max_in_flight = 64;
  // Whole-exchange timeout of one attempt.
  std::chrono::milliseconds attempt_timeout{15'000};
  // Attempts kept on an entry (the oldest are dropped; attempt_count keeps counting).
  size_t max_attempts_kept = 20;
};

class OutboxListener {
 public:
  virtual ~OutboxListener() = default;
  // The entry reached sent, dead or cancelled (its new state is stored). Called on the outbox's
  // settle thread; must not block long.
  virtual void OnSettled(const proto::OutboxEntry& entry) = 0;
};

struct OutboxStats {
  uint64_t sent = 0;
  uint64_t retried = 0;
  uint64_t dead = 0;
  uint64_t deferred = 0;  // waited for a rate-limit slot or an in-flight place
};

class Outbox final : public TimerHandler {
 public:
  // `senders` may be null when no marketplace can be sent to (webhooks only); `listener` may be
  // null. All must outlive the outbox. Call Start before the timer runner starts.
  Outbox(EventStore& store, const Clock& clock, outbound::HttpClient& client,
         const SenderRegistry* senders, OutboxOptions options, OutboxListener* listener,
         outbound::UniformRandom random);
  ~Outbox() override;

  // Turns entries left "sending" by a stop into dead letters (see above), then starts the settle
  // thread. Returns how many were found.
  Result<size_t> Start();
  // Waits up to `grace` for attempts in flight, then stops the settle thread. Call after the
  // timer runner stopped and before the HTTP client stops; idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  // Adds `entry` as pending with its first attempt due at `send_at` to `batch`, filling id (from
  // idempotency_key, which must be set), state and times. Returns false and adds nothing when
  // the entry already exists: a repeated request is one send.
  Result<bool> Enqueue(proto::OutboxEntry& entry, TimePoint send_at, StateBatch& batch) const;
  // Enqueue, committed (synced) at once. Returns the stored entry: the new one, or the existing
  // one with the same key.
  Result<proto::OutboxEntry> EnqueueNow(proto::OutboxEntry entry, TimePoint send_at);

  Result<std::optional<proto::OutboxEntry>> Get(std::string_view id) const;
  // Dead letters of `store_id` (all stores when empty) that `visible` accepts, ordered by store
  // then id, after `after` ("<store>/<id>" of the last one seen).
  Result<std::vector<proto::OutboxEntry>> ListDead(
      std::string_view store_id, const std::function<bool(std::string_view store)>& visible,
      std::string_view after, size_t limit) const;
  // RedriveDeadLetter (outbox_records.h), serialised with the settle thread's writes.
  Result<proto::OutboxEntry> Redrive(std::string_view id, std::string_view redriven_by);

  // TimerHandler: "outbound_send" timers.
  Result<void> Fire(const proto::Timer& timer, TimePoint now, StateBatch& batch) override;
  void Committed(const proto::Timer& timer) override;
  void Abandoned(const proto::Timer& timer) override;

  // Called after each settled batch: the app wakes the timer runner (a retry may be due soon).
  void SetWake(std::function<void()> wake) { wake_ = std::move(wake); }

  OutboxStats Stats() const;
  size_t in_flight() const { return in_flight_.load(); }

 private:
  struct Settled {
    proto::OutboxEntry entry;  // as it was sent ("sending")
    Result<outbound::HttpResponse> result;
    std::optional<SendOutcome> outcome;  // the marketplace's verdict on a response
  };
  struct Prepared {
    proto::OutboxEntry entry;  // "sending", as committed
    outbound::HttpRequest request;
  };

  // The HTTP request for an entry; a permanent error when it cannot be built.
  Result<outbound::HttpRequest> BuildRequest(const proto::OutboxEntry& entry, TimePoint now) const;
  std::string RateKey(const proto::OutboxEntry& entry) const;
  void OnAnswer(proto::OutboxEntry entry, Result<outbound::HttpResponse> result);
  void SettleLoop();
  // Decides and writes the outcome of the settled attempts in one synced batch.
  void SettleBatch(std::vector<Settled>& settled);

  EventStore& store_;
  const Clock& clock_;
  outbound::HttpClient& client_;
  const SenderRegistry* senders_;
  const OutboxOptions options_;
  OutboxListener* listener_;
  std::function<void()> wake_;

  // Held across read-modify-write of entries outside the timer runner (re-drive, settle).
  std::mutex redrive_mutex_;
  mutable std::mutex mutex_;  // random_, limiter calls, prepared_, settle queue, stats
  outbound::UniformRandom random_;
  outbound::RateLimiter limiter_;
  std::map<std::string, Prepared, std::less<>> prepared_;  // by timer id, Fire → Committed
  // Entries Fire made dead letters, reported to the listener once the batch committed.
  std::vector<proto::OutboxEntry> settled_now_;
  std::deque<Settled> settle_queue_;
  std::condition_variable settle_wake_;
  std::condition_variable idle_;
  bool stopping_ = false;
  std::thread settle_thread_;
  std::atomic<size_t> in_flight_{0};
  // Reserved in Fire (before the commit), so that concurrent rounds never exceed the cap.
  OutboxStats stats_;
};

}  // namespace csgw::gateway
