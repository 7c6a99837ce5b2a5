// Which alerts a new report raises, compared with the previous one. Pure: sending them (signed
// webhooks through the outbound layer) and remembering which ids were sent are the caller's.
#pragma once

#include <string>
#include <vector>

#include "odr/report.h"

namespace csgw::odr {

enum class AlertKind {
  kMetricFailing,    // a metric crossed its target into failing
  kMetricWarning,    // a metric crossed its warning line (target still met)
  kMetricRecovered,  // a failing metric meets its target again
  kGradeDropped,     // the grade is worse than in the previous report
  kForecastDrop,     // if nothing changes, the next assessment gives a worse grade
};
std::string_view Name(AlertKind kind);

struct Alert {
  // Stable: "odr-" + 16 hex digits of a hash of (store, rule set, kind, metric, to, date). The date
  // is the report's day for crossings and the forecast date for forecast drops, so evaluating
  // the same reports again, or re-evaluating later in the same period with the same forecast,
  // yields the same id: the sender drops ids it has already sent.
  std::string id;
  AlertKind kind = AlertKind::kMetricFailing;
  std::string store_id;
  std::string rule_set;
  std::string metric;  // metric alerts
  std::string from;    // status or grade before
  std::string to;      // status or grade now (forecast: the forecast grade)
  Day day;             // the report's day (forecast drops: the forecast date)
  friend bool operator==(const Alert&, const Alert&) = default;
};

// `previous` is the last report evaluated for the same store and rule set, or nullptr. A
// transition raises an alert once: an unchanged failing metric raises nothing the next day.
std::vector<Alert> DecideAlerts(const Report* previous, const Report& current);

}  // namespace csgw::odr
