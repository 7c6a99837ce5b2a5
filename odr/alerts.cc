#include "odr/alerts.h"

#include <cstdio>

namespace csgw::odr {
namespace {

// FNV-1a, 64 bits: stable across builds and platforms (std::hash is not).
uint64_t Fnv1a(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string AlertId(const Alert& a) {
  std::string key;
  for (std::string_view part : {std::string_view(a.store_id), std::string_view(a.rule_set),
                                Name(a.kind), std::string_view(a.metric), std::string_view(a.to)}) {
    key.append(part);
    key.push_back('\0');  // separators that cannot occur in the parts
  }
  key.append(FormatDay(a.day));
  char buf[24];
  std::snprintf(buf, sizeof buf, "odr-%016llx", static_cast<unsigned long long>(Fnv1a(key)));
  return buf;
}

const MetricReport* Find(const Report* report, const std::string& name) {
  if (report == nullptr) return nullptr;
  for (const MetricReport& m : report->metrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

}  // namespace

std::string_view Name(AlertKind kind) {
  switch (kind) {
    case AlertKind::kMetricFailing:
      return "metric_failing";
    case AlertKind::kMetricWarning:
      return "metric_warning";
    case AlertKind::kMetricRecovered:
      return "metric_recovered";
    case AlertKind::kGradeDropped:
      return "grade_dropped";
    case AlertKind::kForecastDrop:
      return "forecast_drop";
  }
  return "";
}

std::vector<Alert> DecideAlerts(const Report* previous, const Report& current) {
  std::vector<Alert> out;
  auto raise = [&](AlertKind kind, std::string metric, std::string from, std::string to, Day day) {
    Alert a;
    a.kind = kind;
    a.store_id = current.store_id;
    a.rule_set = current.rule_set;
    a.metric = std::move(metric);
    a.from = std::move(from);
    a.to = std::move(to);
    a.day = day;
    a.id = AlertId(a);
    out.push_back(std::move(a));
  };
  for (const MetricReport& m : current.metrics) {
    const MetricReport* before = Find(previous, m.name);
    const Status was = before ? before->status : Status::kOk;
    if (m.status == was) continue;
    if (m.status == Status::kFailing) {
      raise(AlertKind::kMetricFailing, m.name, std::string(Name(was)), "failing", current.at);
    } else if (m.status == Status::kWarning && was != Status::kFailing) {
      raise(AlertKind::kMetricWarning, m.name, std::string(Name(was)), "warning", current.at);
    } else if (was == Status::kFailing &&
               (m.status == Status::kOk || m.status == Status::kWarning)) {
      raise(AlertKind::kMetricRecovered, m.name, "failing", std::string(Name(m.status)),
            current.at);
    }
  }
  if (previous != nullptr && current.grade_index > previous->grade_index) {
    raise(AlertKind::kGradeDropped, "", previous->grade, current.grade, current.at);
  }
  // A forecast drop is announced once per forecast date and forecast grade: the previous
  // report already showing the same (or a worse) drop for the same date means it was raised.
  const Forecast& f = current.forecast;
  if (f.grade_index > current.grade_index) {
    const bool known = previous != nullptr && previous->forecast.date == f.date &&
                       previous->forecast.grade_index >= f.grade_index &&
                       previous->forecast.grade_index > previous->grade_index;
    if (!known) raise(AlertKind::kForecastDrop, "", current.grade, f.grade, f.date);
  }
  return out;
}

}  // namespace csgw::odr
