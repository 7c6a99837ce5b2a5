// ODR alerts in the gateway: evaluating a store's report against the last one evaluated
// (odr::DecideAlerts), storing the alerts it raises (listable per store), and the signed webhook
// that tells the store's account manager.
//
// Table kOdrAlerts: "<store>\0a\0<alert id>" → the alert record (AlertJson; also the webhook
// body), "<store>\0s\0<rule set key>" → the evaluation state (what DecideAlerts compares the next
// report with). Alert ids are stable (odr/alerts.h): an alert already stored is neither stored
// nor sent again.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/outbound/request.h"
#include "gateway/pipeline/odr_counting.h"
#include "gateway/schedule/timer_runner.h"
#include "gateway/store/event_store.h"
#include "odr/alerts.h"
#include "odr/report.h"

namespace csgw::gateway {

// Where alert webhooks go to be sent: the outbound layer's durable outbox.
class OdrAlertSink {
 public:
  virtual ~OdrAlertSink() = default;
  // Adds the durable send of `request` to `batch`, so that it is stored together with the alert
  // record (and never sent for an alert that was not stored). Runs on the counting thread under
  // the counting lock: must not block.
  virtual Result<void> Enqueue(const odr::Alert& alert, outbound::HttpRequest request,
                               StateBatch& batch) = 0;
};

class Outbox;

// The sink of the running gateway: each webhook becomes a durable outbox entry (kind "webhook",
// requested by "odr", idempotency key "odr-alert/<store>/<alert id>") in the same batch as the
// alert record; the outbox sends and retries it. `outbox` must outlive the sink.
class OutboxAlertSink final : public OdrAlertSink {
 public:
  explicit OutboxAlertSink(const Outbox& outbox) : outbox_(outbox) {}
  Result<void> Enqueue(const odr::Alert& alert, outbound::HttpRequest request,
                       StateBatch& batch) override;

 private:
  const Outbox& outbox_;
};

inline constexpr char kOdrEvaluateTimerKind[] = "odr_evaluate";

// The periodic alert evaluation: figures change with no event at all (days leave the windows, a
// forecast date comes closer), so every store is evaluated (OdrCounting::EvaluateAll) on a
// durable timer "odr_evaluate" (id "odr/evaluate") that schedules itself again `every` later.
// Register it with the timer runner under kOdrEvaluateTimerKind and call Schedule once at
// startup. `counting` must outlive it.
class OdrEvaluationTimer final : public TimerHandler {
 public:
  explicit OdrEvaluationTimer(OdrCounting& counting,
                              std::chrono::seconds every = std::chrono::hours(1))
      : counting_(counting), every_(every) {}
  // Schedules an evaluation at `now` unless one is pending.
  Result<void> Schedule(EventStore& store, TimePoint now) const;
  // TimerHandler. The evaluation is written by EvaluateAll itself (under the counting lock);
  // redone after a crash it raises nothing twice (alert ids are stable).
  Result<void> Fire(const proto::Timer& timer, TimePoint now, StateBatch& batch) override;

 private:
  OdrCounting& counting_;
  const std::chrono::seconds every_;
};

// The X-Csgw-Signature value: "t=<unix seconds>,v1=<lower-case hex HMAC-SHA256(secret,
// "<t>.<body>")>". The receiver recomputes it over the raw body and refuses old timestamps.
std::string AlertSignature(std::string_view secret, std::string_view body, TimePoint at);

// The webhook for one alert: POST `webhook.url` with `body` (AlertJson), Content-Type
// application/json, X-Csgw-Alert-Id and X-Csgw-Signature signed at `now`. An outbox that retries
// for long should re-sign each attempt with AlertSignature so the timestamp stays fresh.
outbound::HttpRequest BuildAlertWebhook(const OdrRules::Webhook& webhook, const odr::Alert& alert,
                                        std::string body, TimePoint now);

// {"id","kind","store","rule_set","metric","from","to","day","raised_at","grade","forecast":
// {"date","grade"},"figures":{"numerator","denominator","rate","threshold"}} (figures for metric
// alerts only; rate as a decimal string, null without a denominator).
std::string AlertJson(const odr::Alert& alert, const odr::Report& report, TimePoint raised_at);

std::string OdrAlertKey(std::string_view store_id, std::string_view alert_id);
std::string OdrAlertStateKey(std::string_view store_id, std::string_view rule_set_key);

// What DecideAlerts needs of the last report evaluated: day, grade, forecast and each metric's
// status, as stored in the evaluation state (JSON). Decode gives a Report with only those set.
std::string EncodeAlertState(const odr::Report& report);
Result<odr::Report> DecodeAlertState(std::string_view bytes);

// Builds the report of `rules` for `store_id` at the assessment day of `now` from `counters`,
// decides its alerts against the stored state, and adds to `batch` the new alert records, the
// new state, and (with a webhook and a sink) their sends. Returns the alerts newly stored.
Result<std::vector<odr::Alert>> EvaluateAlerts(const EventStore& store,
                                               const odr::CounterSource& counters,
                                               const odr::RuleSet& rules,
                                               std::string_view store_id, TimePoint now,
                                               const OdrRules::Webhook* webhook,
                                               OdrAlertSink* sink, StateBatch& batch);

// The store's alert records (AlertJson), newest first (by raised_at, then id), at most `limit`.
Result<std::vector<std::string>> ListAlerts(const EventStore& store, std::string_view store_id,
                                            size_t limit);

}  // namespace csgw::gateway
