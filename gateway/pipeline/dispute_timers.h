// What a fired dispute timer does: a deadline that expires becomes the machine's timeout event
// (seller timeout → the buyer's proposal executes, platform steps in, ...); an alert before a
// deadline is recorded on the dispute for the agents' queue. Both rewrite the dispute's timers
// in the same batch as the timer's removal, and with an outbox and the store's webhooks
// (Config.disputes) enqueue the signed webhooks of dispute_alerts.h in that batch too: an alert
// is recorded and sent, or neither.
#pragma once

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
  // Kinds "dispute_deadline" and "dispute_alert".
  Result<void> Fire(const proto::Timer& timer, TimePoint now, StateBatch& batch) override;

 private:
  // Adds the notice's webhooks to `batch` (nothing without an outbox or webhooks).
  Result<void> Deliver(const DisputeAlertNotice& notice, TimePoint now, StateBatch& batch) const;

  EventStore& store_;
  const std::shared_ptr<const DisputeSettings> settings_;
  const Outbox* const outbox_;
};

}  // namespace csgw::gateway
