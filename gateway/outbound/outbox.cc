#include "gateway/outbound/outbox.h"

#include <algorithm>

#include "base/log.h"
#include "gateway/marketplaces/event_util.h"

namespace csgw::gateway {
namespace {

// How long a send waits when every in-flight place is taken: short, the places free quickly.
constexpr auto kInFlightBackoff = std::chrono::milliseconds(100);
// Settled attempts written per synced batch.
constexpr size_t kMaxSettleBatch = 256;

MessageKind ParseMessageKind(std::string_view name) {
  if (name == "claim_message") return MessageKind::kClaimMessage;
  if (name == "question_answer") return MessageKind::kQuestionAnswer;
  return MessageKind::kReply;
}

// The host of a webhook URL: webhooks share one rate bucket per receiving host.
std::string_view HostOf(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return url;
  url.remove_prefix(scheme + 3);
  return url.substr(0, url.find_first_of("/?#"));
}

std::chrono::milliseconds Millis(TimePoint::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

}  // namespace

Outbox::Outbox(EventStore& store, const Clock& clock, outbound::HttpClient& client,
               const SenderRegistry* senders, OutboxOptions options, OutboxListener* listener,
               outbound::UniformRandom random)
    : store_(store),
      clock_(clock),
      client_(client),
      senders_(senders),
      options_(std::move(options)),
      listener_(listener),
      random_(std::move(random)) {}

Outbox::~Outbox() { Stop(std::chrono::milliseconds(0)); }

Result<size_t> Outbox::Start() {
  size_t recovered = 0;
  std::string after;
  while (true) {
    auto keys = store_.ScanRecords(Table::kOutboxIndex, kSendingPrefix, after, 256);
    if (!keys) return keys.error();
    if (keys.value().empty()) break;
    for (const auto& [key, unused] : keys.value()) {
      after = key;
      const std::string_view id = std::string_view(key).substr(kSendingPrefix.size());
      auto stored = Get(id);
      if (!stored) return stored.error();
      StateBatch batch;
      batch.sync = true;
      if (stored.value() && stored.value()->state() == proto::OUTBOX_STATE_SENDING) {
        proto::OutboxEntry entry = *std::move(stored.value());
        auto* attempt = entry.attempts_size() > 0 ? entry.mutable_attempts(entry.attempts_size() - 1)
                                                   : entry.add_attempts();
        attempt->set_verdict("uncertain");
        attempt->set_reason("gateway_stopped_during_send");
        SetTimestamp(attempt->mutable_finished_at(), clock_.Now());
        MarkDead(entry, clock_.Now(), batch);
        log::Warn("outbox.uncertain", {{"outbox_id", entry.id()},
                                       {"marketplace", entry.marketplace()},
                                       {"store", entry.store_id()}});
        ++recovered;
        if (auto ok = store_.Commit(batch); !ok) return ok.error();
        if (listener_ != nullptr) listener_->OnSettled(entry);
      } else {
        batch.erase.push_back({Table::kOutboxIndex, key});
        if (auto ok = store_.Commit(batch); !ok) return ok.error();
      }
    }
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  settle_thread_ = std::thread([this] { SettleLoop(); });
  return recovered;
}

void Outbox::Stop(std::chrono::milliseconds grace) {
  std::unique_lock lock(mutex_);
  idle_.wait_for(lock, grace, [&] { return in_flight_.load() == 0 && settle_queue_.empty(); });
  stopping_ = true;
  lock.unlock();
  settle_wake_.notify_all();
  if (settle_thread_.joinable()) settle_thread_.join();
}

Result<std::optional<proto::OutboxEntry>> Outbox::Get(std::string_view id) const {
  return LoadOutboxEntry(store_, id);
}

Result<bool> Outbox::Enqueue(proto::OutboxEntry& entry, TimePoint send_at,
                             StateBatch& batch) const {
  if (entry.idempotency_key().empty()) {
    return MakeError(Errc::kMissingField, "outbox entry needs an idempotency key");
  }
  if (entry.store_id().empty() || (entry.marketplace().empty() && entry.url().empty())) {
    return MakeError(Errc::kMissingField, "outbox entry needs a store and a marketplace or url");
  }
  entry.set_id(OutboxId(entry.idempotency_key()));
  auto existing = store_.GetRecord(Table::kOutbox, entry.id());
  if (!existing) return existing.error();
  if (existing.value()) return false;
  const TimePoint now = clock_.Now();
  SetTimestamp(entry.mutable_created_at(), now);
  SetTimestamp(entry.mutable_window_start(), now);
  entry.clear_attempts();
  entry.set_attempt_count(0);
  entry.clear_timer_id();
  ScheduleSendAttempt(entry, std::max(send_at, now), clock_.Now(), batch);
  return true;
}

Result<proto::OutboxEntry> Outbox::EnqueueNow(proto::OutboxEntry entry, TimePoint send_at) {
  StateBatch batch;
  batch.sync = true;
  auto added = Enqueue(entry, send_at, batch);
  if (!added) return added.error();
  if (!added.value()) {
    auto stored = Get(OutboxId(entry.idempotency_key()));
    if (!stored) return stored.error();
    if (stored.value()) return *std::move(stored.value());
    return MakeError(Errc::kInternal, "outbox entry vanished");
  }
  if (auto ok = store_.Commit(batch); !ok) return ok.error();
  return entry;
}

Result<std::vector<proto::OutboxEntry>> Outbox::ListDead(
    std::string_view store_id, const std::function<bool(std::string_view store)>& visible,
    std::string_view after, size_t limit) const {
  return ListDeadLetters(store_, store_id, visible, after, limit);
}

Result<proto::OutboxEntry> Outbox::Redrive(std::string_view id, std::string_view redriven_by) {
  // Serialised with the settle thread's writes: both read-modify-write entries.
  std::lock_guard lock(redrive_mutex_);
  return RedriveDeadLetter(store_, id, redriven_by, clock_.Now());
}

std::string Outbox::RateKey(const proto::OutboxEntry& entry) const {
  if (!entry.marketplace().empty()) return entry.marketplace() + "/" + entry.store_id();
  return "webhook/" + std::string(HostOf(entry.url()));
}

Result<outbound::HttpRequest> Outbox::BuildRequest(const proto::OutboxEntry& entry,
                                                   TimePoint now) const {
  if (entry.marketplace().empty()) {
    outbound::HttpRequest request;
    request.method = "POST";
    request.url = entry.url();
    for (const auto& h : entry.headers()) request.headers.emplace_back(h.name(), h.value());
    request.body = entry.body();
    request.timeout = options_.attempt_timeout;
    return request;
  }
  const ReplySender* sender = senders_ == nullptr ? nullptr : senders_->Find(entry.marketplace());
  if (sender == nullptr) {
    return MakeError(Errc::kNotFound, "no send account configured for marketplace " +
                                          entry.marketplace());
  }
  OutboundMessage message;
  message.marketplace = entry.marketplace();
  message.store_id = entry.store_id();
  message.conversation_id = entry.marketplace_conversation_id();
  message.order_id = entry.order_id();
  message.buyer_id = entry.buyer_id();
  message.text = entry.text();
  message.idempotency_key = entry.idempotency_key();
  message.reply_token = entry.reply_token();
  message.kind = ParseMessageKind(entry.message_kind());
  auto request = sender->BuildSend(message, now);
  if (!request) return request.error();
  if (request.value().timeout.count() == 0) request.value().timeout = options_.attempt_timeout;
  return request;
}

Result<void> Outbox::Fire(const proto::Timer& timer, TimePoint now, StateBatch& batch) {
  auto stored = Get(timer.subject());
  if (!stored) return stored.error();
  if (!stored.value()) return Ok();  // nothing to send: the timer just goes
  proto::OutboxEntry entry = *std::move(stored.value());
  if (entry.state() != proto::OUTBOX_STATE_PENDING || entry.timer_id() != timer.id()) {
    return Ok();  // a stale timer (re-driven, cancelled): consumed without effect
  }
  auto request = BuildRequest(entry, now);
  if (!request) {
    // The request cannot be made (no account, text over the marketplace's limit): no attempt
    // can succeed, so it is a dead letter at once, with the reason for the agent.
    auto* attempt = entry.add_attempts();
    SetTimestamp(attempt->mutable_started_at(), now);
    SetTimestamp(attempt->mutable_finished_at(), now);
    attempt->set_verdict("rejected");
    attempt->set_reason("not_sendable: " + request.error().message);
    entry.set_attempt_count(entry.attempt_count() + 1);
    MarkDead(entry, now, batch);
    std::lock_guard lock(mutex_);
    ++stats_.dead;
    settled_now_.push_back(entry);
    return Ok();
  }

  // Rate limit and in-flight cap: wait for a slot without spending an attempt.
  TimePoint slot = now;
  bool reserved = false;
  {
    std::lock_guard lock(mutex_);
    if (in_flight_.load() + prepared_.size() >= options_.max_in_flight) {
      slot = now + kInFlightBackoff;
    } else if (!entry.slot_reserved()) {
      slot = limiter_.Reserve(RateKey(entry), options_.rate, now);
      reserved = true;
    }
    if (slot > now) ++stats_.deferred;
  }
  if (slot > now) {
    // A reserved slot is this entry's: taken when the timer fires, never reserved twice.
    entry.set_slot_reserved(reserved);
    ScheduleSendAttempt(entry, slot, clock_.Now(), batch);
    return Ok();
  }
  entry.set_slot_reserved(false);

  entry.set_state(proto::OUTBOX_STATE_SENDING);
  entry.clear_timer_id();
  entry.set_attempt_count(entry.attempt_count() + 1);
  auto* attempt = entry.add_attempts();
  SetTimestamp(attempt->mutable_started_at(), now);
  if (static_cast<size_t>(entry.attempts_size()) > options_.max_attempts_kept) {
    entry.mutable_attempts()->DeleteSubrange(0, 1);
  }
  batch.writes.push_back({Table::kOutbox, entry.id(), entry.SerializeAsString()});
  batch.writes.push_back({Table::kOutboxIndex, SendingKey(entry.id()), {}});
  batch.sync = true;  // the intent is on disk before the request leaves
  std::lock_guard lock(mutex_);
  prepared_[timer.id()] = Prepared{entry, std::move(request).value()};
  return Ok();
}

void Outbox::Committed(const proto::Timer& timer) {
  std::optional<Prepared> prepared;
  std::vector<proto::OutboxEntry> settled;
  {
    std::lock_guard lock(mutex_);
    settled.swap(settled_now_);
    if (auto it = prepared_.find(timer.id()); it != prepared_.end()) {
      prepared = std::move(it->second);
      prepared_.erase(it);
      in_flight_.fetch_add(1);
    }
  }
  if (listener_ != nullptr) {
    for (const auto& entry : settled) listener_->OnSettled(entry);
  }
  if (!prepared) return;
  proto::OutboxEntry entry = std::move(prepared->entry);
  auto sent = client_.Send(std::move(prepared->request),
                           [this, entry](Result<outbound::HttpResponse> result) mutable {
                             OnAnswer(std::move(entry), std::move(result));
                           });
  if (!sent) OnAnswer(std::move(entry), sent.error());  // refused: settled as a failed attempt
}

void Outbox::Abandoned(const proto::Timer& timer) {
  std::lock_guard lock(mutex_);
  prepared_.erase(timer.id());
  settled_now_.clear();
}

void Outbox::OnAnswer(proto::OutboxEntry entry, Result<outbound::HttpResponse> result) {
  Settled s{std::move(entry), std::move(result), std::nullopt};
  if (s.result && !s.entry.marketplace().empty()) {
    if (const ReplySender* sender = senders_ == nullptr ? nullptr : senders_->Find(s.entry.marketplace())) {
      s.outcome = sender->ParseSendResult(s.result.value());
    }
  }
  {
    std::lock_guard lock(mutex_);
    settle_queue_.push_back(std::move(s));
  }
  settle_wake_.notify_one();
}

void Outbox::SettleLoop() {
  while (true) {
    std::vector<Settled> batch;
    {
      std::unique_lock lock(mutex_);
      settle_wake_.wait(lock, [&] { return stopping_ || !settle_queue_.empty(); });
      if (settle_queue_.empty() && stopping_) return;
      while (!settle_queue_.empty() && batch.size() < kMaxSettleBatch) {
        batch.push_back(std::move(settle_queue_.front()));
        settle_queue_.pop_front();
      }
    }
    SettleBatch(batch);
    {
      std::lock_guard lock(mutex_);
      in_flight_.fetch_sub(batch.size());
    }
    idle_.notify_all();
  }
}

void Outbox::SettleBatch(std::vector<Settled>& settled) {
  const TimePoint now = clock_.Now();
  StateBatch batch;
  batch.sync = true;
  std::vector<proto::OutboxEntry> final_entries;
  std::lock_guard redrive(redrive_mutex_);
  for (Settled& s : settled) {
    proto::OutboxEntry& entry = s.entry;
    auto* attempt = entry.mutable_attempts(entry.attempts_size() - 1);
    SetTimestamp(attempt->mutable_finished_at(), now);
    if (s.result) attempt->set_status(s.result.value().status);

    // The marketplace's verdict first (a 200 may carry an error); otherwise HTTP semantics.
    bool delivered = false;
    Result<outbound::HttpResponse> for_retry = s.result;
    std::string reason;
    if (s.outcome) {
      reason = s.outcome->reason;
      switch (s.outcome->verdict) {
        case SendVerdict::kDelivered:
          delivered = true;
          entry.set_marketplace_message_id(s.outcome->marketplace_message_id);
          break;
        case SendVerdict::kRetry: {
          // A retryable answer whatever its status (Lazada says "busy" with a 200): judged as
          // the 503 it means, with the wait the marketplace asked for.
          outbound::HttpResponse busy;
          busy.status = 503;
          if (s.outcome->retry_after) {
            busy.headers.emplace_back("retry-after", std::to_string(s.outcome->retry_after->count()));
          }
          for_retry = busy;
          break;
        }
        case SendVerdict::kRejected:
          for_retry = MakeError(Errc::kInvalidField, "rejected");
          break;
      }
    } else if (s.result) {
      const int status = s.result.value().status;
      delivered = status >= 200 && status < 300;
      reason = "http_" + std::to_string(status);
    } else {
      reason = s.result.error().message;
    }

    if (delivered) {
      attempt->set_verdict("delivered");
      entry.set_state(proto::OUTBOX_STATE_SENT);
      SetTimestamp(entry.mutable_finished_at(), now);
      batch.writes.push_back({Table::kOutbox, entry.id(), entry.SerializeAsString()});
      batch.erase.push_back({Table::kOutboxIndex, SendingKey(entry.id())});
      final_entries.push_back(entry);
      std::lock_guard lock(mutex_);
      ++stats_.sent;
      continue;
    }
    outbound::RetryDecision decision;
    {
      outbound::AttemptInfo info;
      info.attempt = static_cast<int>(entry.attempt_count());
      info.age = Millis(now - FromTimestamp(entry.window_start()));
      info.now = now;
      std::lock_guard lock(mutex_);
      decision = outbound::DecideRetry(options_.retry, for_retry, info, random_);
    }
    attempt->set_reason(reason.empty() ? std::string(decision.reason) : reason);
    if (decision.retry) {
      attempt->set_verdict("retry");
      batch.erase.push_back({Table::kOutboxIndex, SendingKey(entry.id())});
      ScheduleSendAttempt(entry, now + decision.delay, clock_.Now(), batch);
      std::lock_guard lock(mutex_);
      ++stats_.retried;
    } else {
      attempt->set_verdict("rejected");
      if (attempt->reason().empty()) attempt->set_reason(std::string(decision.reason));
      MarkDead(entry, now, batch);
      final_entries.push_back(entry);
      std::lock_guard lock(mutex_);
      ++stats_.dead;
    }
    log::Info("outbox.attempt", {{"outbox_id", entry.id()},
                                 {"marketplace", entry.marketplace()},
                                 {"store", entry.store_id()},
                                 {"attempt", std::to_string(entry.attempt_count())},
                                 {"verdict", attempt->verdict()},
                                 {"reason", attempt->reason()}});
  }
  if (auto ok = store_.Commit(batch); !ok) {
    // The entries stay "sending" on disk: the next start makes them dead letters (uncertain),
    // which is right, since whether they arrived is now unknown to us as well.
    log::Error("outbox.settle_failed", {{"entries", std::to_string(settled.size())},
                                        {"error", ok.error().message}});
    return;
  }
  if (wake_) wake_();
  if (listener_ != nullptr) {
    for (const auto& entry : final_entries) listener_->OnSettled(entry);
  }
}

OutboxStats Outbox::Stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace csgw::gateway
