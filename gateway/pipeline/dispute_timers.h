// What a fired dispute timer does: a deadline that expires becomes the machine's timeout event
// (seller timeout → the buyer's proposal executes, platform steps in, ...); an alert before a
// deadline is recorded on the dispute for the agents' queue. Both rewrite the dispute's timers
// in the same batch as the timer's removal.
#pragma once

#include <memory>

#include "gateway/pipeline/dispute_settings.h"
#include "gateway/schedule/timer_runner.h"

namespace csgw::gateway {

class DisputeTimerHandler final : public TimerHandler {
 public:
  // `settings`: the stores' alert offsets (null: the defaults), the same the pipeline uses.
  explicit DisputeTimerHandler(EventStore& store,
                               std::shared_ptr<const DisputeSettings> settings = nullptr);
  // Kinds "dispute_deadline" and "dispute_alert".
  Result<void> Fire(const proto::Timer& timer, TimePoint now, StateBatch& batch) override;

 private:
  EventStore& store_;
  const std::shared_ptr<const DisputeSettings> settings_;
};

}  // namespace csgw::gateway
