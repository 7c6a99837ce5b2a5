// What a fired dispute timer does. The pipeline is the only writer of dispute records: this
// handler reads the record, decides, and hands its effect to the pipeline as csgw's own event in
// the log (disputes/own_timer.h), which the pipeline applies in order with the marketplace's
// events and rewrites the dispute's timers in its batch:
// - a deadline that expired becomes an own deadline event, which the pipeline maps to the
//   machine's timeout (seller timeout → the buyer's proposal executes, platform steps in, ...);
// - an alert before a deadline becomes an own alert event, which the pipeline records on the
//   dispute (StoredDispute.alerts) for the agents' queue.
// With an outbox and the store's webhooks (Config.disputes) the timer's own batch enqueues the
// signed webhooks of dispute_alerts.h, together with the timer's removal.
//
// Exactly once: the event is appended, synced, inside Fire, before the runner commits the
// timer's removal. Its id is a function of the dispute, the deadline and its due time (and the
// alert's offset), so a timer that fires again (a crash between the append and the removal, a
// shared write refused and fired again alone) appends a duplicate that the store drops, and the
// webhooks' idempotency keys make their second enqueue a no-op. The pipeline may apply the
// event before the runner removes the timer: it leaves a timer whose fire it applies to the
// runner rather than cancelling it (which would refuse the runner's write).
#pragma once

#include <functional>
#include <memory>

#include "gateway/pipeline/dispute_settings.h"
#include "gateway/schedule/timer_runner.h"

namespace csgw::gateway {

class Outbox;
struct DisputeAlertNotice;

class DisputeTimerHandler final : public TimerHandler {
 public:
  // `settings`: the stores' alert offsets and webhooks (null: the defaults, no webhooks), the
  // same the pipeline uses. `outbox` may be null: alerts are then recorded, not sent. Both must
  // outlive the handler.
  explicit DisputeTimerHandler(EventStore& store,
                               std::shared_ptr<const DisputeSettings> settings = nullptr,
                               const Outbox* outbox = nullptr);
  // Called after an event was appended (on the runner's thread): wakes the pipeline.
  void SetOnEvent(std::function<void()> on_event) { on_event_ = std::move(on_event); }
  // Kinds "dispute_deadline" and "dispute_alert". Reads the dispute, never writes it.
  Result<void> Fire(const proto::Timer& timer, TimePoint now, StateBatch& batch) override;

 private:
  // Appends the own timer event (synced); a duplicate is the same decision made before.
  Result<void> Append(proto::Event event, const proto::Timer& timer, TimePoint now);
  // Adds the notice's webhooks to `batch` (nothing without an outbox or webhooks).
  Result<void> Deliver(const DisputeAlertNotice& notice, TimePoint now, StateBatch& batch) const;

  EventStore& store_;
  const std::shared_ptr<const DisputeSettings> settings_;
  const Outbox* const outbox_;
  std::function<void()> on_event_;
};

}  // namespace csgw::gateway
