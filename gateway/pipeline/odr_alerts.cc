#include "gateway/pipeline/odr_alerts.h"

#include <algorithm>

#include "base/crypto.h"
#include "base/json.h"
#include "base/log.h"
#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/outbound/outbox.h"
#include "odr/report_text.h"

namespace csgw::gateway {
namespace {

// How long one webhook attempt may take.
constexpr std::chrono::milliseconds kWebhookTimeout{10'000};

void AppendString(std::string& out, std::string_view text) {
  out.push_back('"');
  log::AppendJsonEscaped(out, text);
  out.push_back('"');
}

void Member(std::string& out, std::string_view name, std::string_view value) {
  if (out.back() != '{') out.push_back(',');
  AppendString(out, name);
  out.push_back(':');
  AppendString(out, value);
}

void RawMember(std::string& out, std::string_view name, std::string_view json) {
  if (out.back() != '{') out.push_back(',');
  AppendString(out, name);
  out.push_back(':');
  out.append(json);
}

const odr::MetricReport* FindMetric(const odr::Report& report, std::string_view name) {
  for (const odr::MetricReport& m : report.metrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::optional<odr::Status> ParseStatus(std::string_view name) {
  for (odr::Status s : {odr::Status::kOk, odr::Status::kWarning, odr::Status::kFailing,
                        odr::Status::kInsufficientData}) {
    if (odr::Name(s) == name) return s;
  }
  return std::nullopt;
}

constexpr char kOdrEvaluateTimerId[] = "odr/evaluate";

proto::Timer EvaluationTimer(TimePoint due) {
  proto::Timer timer;
  timer.set_id(kOdrEvaluateTimerId);
  timer.set_kind(kOdrEvaluateTimerKind);
  timer.set_subject("odr");
  SetTimestamp(timer.mutable_due(), due);
  return timer;
}

std::string KeyPrefix(std::string_view store_id, char kind) {
  std::string key(store_id);
  key.push_back('\0');
  key.push_back(kind);
  key.push_back('\0');
  return key;
}

}  // namespace

Result<void> OutboxAlertSink::Enqueue(const odr::Alert& alert, outbound::HttpRequest request,
                                      StateBatch& batch) {
  proto::OutboxEntry entry;
  entry.set_idempotency_key("odr-alert/" + alert.store_id + "/" + alert.id);
  entry.set_kind("webhook");
  entry.set_store_id(alert.store_id);
  entry.set_requested_by("odr");
  entry.set_url(request.url);
  for (auto& [name, value] : request.headers) {
    proto::OutboxHeader* header = entry.add_headers();
    header->set_name(name);
    header->set_value(value);
  }
  entry.set_body(std::move(request.body));
  // At once: the outbox's clock floors it to now. False (already queued) is the redelivered
  // case of an alert whose record was lost with its batch: one send all the same.
  auto queued = outbox_.Enqueue(entry, TimePoint{}, batch);
  if (!queued) return queued.error();
  return Ok();
}

Result<void> OdrEvaluationTimer::Schedule(EventStore& store, TimePoint now) const {
  auto pending = store.GetTimer(kOdrEvaluateTimerId);
  if (!pending) return pending.error();
  if (pending.value()) return Ok();
  StateBatch batch;
  batch.schedule.push_back(EvaluationTimer(now));
  return store.Commit(batch);
}

Result<void> OdrEvaluationTimer::Fire(const proto::Timer& timer, TimePoint now, StateBatch& batch) {
  auto raised = counting_.EvaluateAll(now);
  if (!raised) return raised.error();
  log::Info("odr.evaluated", {{"timer", timer.id()}, {"alerts", static_cast<uint64_t>(raised.value())}});
  batch.schedule.push_back(EvaluationTimer(now + every_));
  return Ok();
}

std::string AlertSignature(std::string_view secret, std::string_view body, TimePoint at) {
  const std::string t =
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count());
  std::string signed_text = t;
  signed_text.push_back('.');
  signed_text.append(body);
  return "t=" + t + ",v1=" + crypto::HmacSha256Hex(secret, signed_text);
}

outbound::HttpRequest BuildAlertWebhook(const OdrRules::Webhook& webhook, const odr::Alert& alert,
                                        std::string body, TimePoint now) {
  outbound::HttpRequest request;
  request.method = "POST";
  request.url = webhook.url;
  request.headers = {{"Content-Type", "application/json"},
                     {"X-Csgw-Alert-Id", alert.id},
                     {"X-Csgw-Signature", AlertSignature(webhook.secret, body, now)}};
  request.body = std::move(body);
  request.timeout = kWebhookTimeout;
  return request;
}

std::string AlertJson(const odr::Alert& alert, const odr::Report& report, TimePoint raised_at) {
  std::string out = "{";
  Member(out, "id", alert.id);
  Member(out, "kind", odr::Name(alert.kind));
  Member(out, "store", alert.store_id);
  Member(out, "rule_set", alert.rule_set);
  Member(out, "metric", alert.metric);
  Member(out, "from", alert.from);
  Member(out, "to", alert.to);
  Member(out, "day", odr::FormatDay(alert.day));
  Member(out, "raised_at", FormatIsoMillis(raised_at));
  Member(out, "grade", report.grade);
  std::string forecast = "{";
  Member(forecast, "date", odr::FormatDay(report.forecast.date));
  Member(forecast, "grade", report.forecast.grade);
  forecast.push_back('}');
  RawMember(out, "forecast", forecast);
  const odr::MetricReport* m = alert.metric.empty() ? nullptr : FindMetric(report, alert.metric);
  if (m != nullptr) {
    std::string figures = "{";
    RawMember(figures, "numerator", std::to_string(m->numerator));
    RawMember(figures, "denominator", std::to_string(m->denominator));
    RawMember(figures, "rate", odr::RateJson(m->unit, m->value));
    RawMember(figures, "threshold", odr::ThresholdJson(m->unit, m->target));
    figures.push_back('}');
    RawMember(out, "figures", figures);
  } else {
    RawMember(out, "figures", "null");
  }
  out.push_back('}');
  return out;
}

std::string OdrAlertKey(std::string_view store_id, std::string_view alert_id) {
  return KeyPrefix(store_id, 'a') + std::string(alert_id);
}

std::string OdrAlertStateKey(std::string_view store_id, std::string_view rule_set_key) {
  return KeyPrefix(store_id, 's') + std::string(rule_set_key);
}

std::string EncodeAlertState(const odr::Report& report) {
  std::string out = "{";
  Member(out, "rule_set", report.rule_set);
  Member(out, "day", odr::FormatDay(report.at));
  Member(out, "grade", report.grade);
  RawMember(out, "grade_index", std::to_string(report.grade_index));
  Member(out, "forecast_date", odr::FormatDay(report.forecast.date));
  Member(out, "forecast_grade", report.forecast.grade);
  RawMember(out, "forecast_grade_index", std::to_string(report.forecast.grade_index));
  std::string metrics = "{";
  for (const odr::MetricReport& m : report.metrics) Member(metrics, m.name, odr::Name(m.status));
  metrics.push_back('}');
  RawMember(out, "metrics", metrics);
  out.push_back('}');
  return out;
}

Result<odr::Report> DecodeAlertState(std::string_view bytes) {
  auto doc = JsonDocument::ParseObject(bytes);
  if (!doc) return doc.error();
  const JsonValue& root = doc.value().root();
  odr::Report report;
  auto rule_set = root.String("rule_set");
  auto day = root.String("day");
  auto grade = root.String("grade");
  auto grade_index = root.Int("grade_index");
  auto forecast_date = root.String("forecast_date");
  auto forecast_grade = root.String("forecast_grade");
  auto forecast_index = root.Int("forecast_grade_index");
  auto metrics = root.Object("metrics");
  for (const auto* failed : {&rule_set, &day, &grade, &forecast_date, &forecast_grade}) {
    if (!*failed) return failed->error();
  }
  if (!grade_index) return grade_index.error();
  if (!forecast_index) return forecast_index.error();
  if (!metrics) return metrics.error();
  const auto at = odr::ParseDay(day.value());
  const auto forecast_at = odr::ParseDay(forecast_date.value());
  if (!at || !forecast_at) return FieldError("day", "must be a date YYYY-MM-DD");
  report.rule_set = rule_set.value();
  report.at = *at;
  report.grade = grade.value();
  report.grade_index = static_cast<int>(grade_index.value());
  report.forecast.date = *forecast_at;
  report.forecast.grade = forecast_grade.value();
  report.forecast.grade_index = static_cast<int>(forecast_index.value());
  auto members = metrics.value().AsMembers();
  if (!members) return members.error();
  for (const auto& [name, value] : members.value()) {
    auto text = value.AsString();
    if (!text) return text.error();
    const auto status = ParseStatus(text.value());
    if (!status) return FieldError(value.path(), "is not a metric status");
    odr::MetricReport m;
    m.name = name;
    m.status = *status;
    report.metrics.push_back(std::move(m));
  }
  return report;
}

Result<std::vector<odr::Alert>> EvaluateAlerts(const EventStore& store,
                                               const odr::CounterSource& counters,
                                               const odr::RuleSet& rules,
                                               std::string_view store_id, TimePoint now,
                                               const OdrRules::Webhook* webhook,
                                               OdrAlertSink* sink, StateBatch& batch) {
  auto day = odr::AssessmentDay(rules, now);
  if (!day) return day.error();
  auto report = odr::BuildReport(rules, counters, store_id, day.value());
  if (!report) return report.error();

  const std::string state_key = OdrAlertStateKey(store_id, rules.Key());
  auto stored_state = store.GetRecord(Table::kOdrAlerts, state_key);
  if (!stored_state) return stored_state.error();
  std::optional<odr::Report> previous;
  if (stored_state.value()) {
    auto decoded = DecodeAlertState(*stored_state.value());
    if (decoded) {
      previous = std::move(decoded).value();
    } else {
      // Evaluating as if for the first time re-raises current conditions under stable ids:
      // those already stored are not raised again.
      log::Warn("odr.alert_state_unreadable",
                {{"store", store_id}, {"rule_set", rules.Key()}, {"error", decoded.error().message}});
    }
  }
  // A report of an earlier day than the one evaluated last (the clock went back) decides
  // nothing: it would undo transitions already announced.
  if (previous && report.value().at < previous->at) return std::vector<odr::Alert>();

  std::vector<odr::Alert> raised;
  for (odr::Alert& alert : odr::DecideAlerts(previous ? &*previous : nullptr, report.value())) {
    const std::string key = OdrAlertKey(store_id, alert.id);
    auto existing = store.GetRecord(Table::kOdrAlerts, key);
    if (!existing) return existing.error();
    if (existing.value()) continue;  // raised and sent before
    std::string body = AlertJson(alert, report.value(), now);
    if (webhook != nullptr && sink != nullptr) {
      auto queued = sink->Enqueue(alert, BuildAlertWebhook(*webhook, alert, body, now), batch);
      if (!queued) return queued.error();
    }
    batch.writes.push_back({Table::kOdrAlerts, key, std::move(body)});
    log::Info("odr.alert", {{"store", store_id},
                            {"rule_set", rules.Key()},
                            {"alert", alert.id},
                            {"kind", odr::Name(alert.kind)},
                            {"metric", alert.metric},
                            {"to", alert.to}});
    raised.push_back(std::move(alert));
  }
  batch.writes.push_back({Table::kOdrAlerts, state_key, EncodeAlertState(report.value())});
  return raised;
}

Result<std::vector<std::string>> ListAlerts(const EventStore& store, std::string_view store_id,
                                            size_t limit) {
  const std::string prefix = KeyPrefix(store_id, 'a');
  struct Entry {
    std::string raised_at;
    std::string id;
    std::string json;
  };
  std::vector<Entry> entries;
  constexpr size_t kPage = 1000;
  // Alerts are few (transitions, not measurements): a store's whole list is read and sorted.
  constexpr size_t kMaxScanned = 100'000;
  std::string after;
  while (entries.size() < kMaxScanned) {
    auto page = store.ScanRecords(Table::kOdrAlerts, prefix, after, kPage);
    if (!page) return page.error();
    for (auto& [key, value] : page.value()) {
      after = key;
      auto doc = JsonDocument::ParseObject(value);
      std::string raised_at;
      if (doc) {
        auto r = doc.value().root().String("raised_at");
        if (r) raised_at = r.value();
      }
      entries.push_back({std::move(raised_at), key.substr(prefix.size()), std::move(value)});
    }
    if (page.value().size() < kPage) break;
  }
  // ISO timestamps in UTC with milliseconds sort as text.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.raised_at != b.raised_at ? a.raised_at > b.raised_at : a.id < b.id;
  });
  std::vector<std::string> out;
  for (size_t i = 0; i < entries.size() && i < limit; ++i) out.push_back(std::move(entries[i].json));
  return out;
}

}  // namespace csgw::gateway
