#include "gateway/cli_odr.h"

#include <algorithm>
#include <iostream>
#include <sstream>
#include <vector>

#include "gateway/cli_store.h"
#include "gateway/pipeline/odr_alerts.h"
#include "gateway/pipeline/odr_counting.h"
#include "gateway/store/event_store.h"
#include "odr/report_text.h"

namespace csgw::gateway {
namespace {

constexpr char kOdrUsage[] =
    "usage: csgw odr report --store S [--rules R] [--at YYYY-MM-DD] [--config F] [--data DIR]\n"
    "       csgw odr alerts --store S [--config F] [--data DIR]\n"
    "       csgw odr rebuild [--store S] [--config F] [--data DIR]\n";

int Usage(std::ostream& err, const std::string& why) {
  err << "csgw: " << why << "\n" << kOdrUsage;
  return 2;
}

// Display width of UTF-8 text: one column per code point ("≤", "★" are one).
size_t Width(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  }));
}

// Rows of cells printed with aligned columns; numbers right-aligned.
class TextTable {
 public:
  explicit TextTable(std::vector<bool> right) : right_(std::move(right)) {}
  void Row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void Print(std::ostream& out) const {
    std::vector<size_t> widths(right_.size(), 0);
    for (const auto& row : rows_) {
      for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], Width(row[i]));
    }
    for (const auto& row : rows_) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) {
        const std::string pad(widths[i] - Width(row[i]), ' ');
        if (i > 0) line += "  ";
        line += right_[i] ? pad + row[i] : row[i] + (i + 1 < row.size() ? pad : "");
      }
      out << line << "\n";
    }
  }

 private:
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

std::string StatusWord(odr::Status status) {
  switch (status) {
    case odr::Status::kOk:
      return "ok";
    case odr::Status::kWarning:
      return "WARNING";
    case odr::Status::kFailing:
      return "FAILING";
    case odr::Status::kInsufficientData:
      return "no data";
  }
  return "";
}

std::string CountersText(const odr::Counters& counters) {
  std::string out;
  for (const auto& [name, value] : counters) {
    if (!out.empty()) out += ", ";
    out += name + " " + std::to_string(value);
  }
  return out;
}

struct Opened {
  proto::Config config;
  std::shared_ptr<const OdrRules> rules;
  std::unique_ptr<EventStore> store;
};

// The config (file or defaults, --data over it), its ODR rules and the store; prints why not.
std::optional<Opened> Open(const Args& args, bool read_only, std::ostream& err) {
  auto opened = OpenCommandStore(args, read_only, err);
  if (!opened) return std::nullopt;
  auto rules = OdrRules::FromConfig(opened->config.odr());
  if (!rules) {
    err << "csgw: " << rules.error().message << "\n";
    return std::nullopt;
  }
  return Opened{std::move(opened->config), std::move(rules).value(), std::move(opened->store)};
}

int Report(const Args& args, std::ostream& out, std::ostream& err) {
  const auto store_id = args.Flag("store");
  if (!store_id || store_id->empty()) return Usage(err, "odr report needs --store");
  std::optional<odr::Day> at;
  if (auto text = args.Flag("at")) {
    at = odr::ParseDay(*text);
    if (!at) return Usage(err, "--at must be a date YYYY-MM-DD");
  }
  auto opened = Open(args, /*read_only=*/true, err);
  if (!opened) return 2;
  std::vector<const odr::RuleSet*> sets;
  if (auto id = args.Flag("rules")) {
    const odr::RuleSet* set = opened->rules->Find(*store_id, *id);
    if (set == nullptr) {
      std::string known;
      for (const auto& r : opened->rules->For(*store_id)) known += (known.empty() ? "" : ", ") + r.id;
      return Usage(err, "store " + *store_id + " is not reported under " + *id + " (" + known + ")");
    }
    sets.push_back(set);
  } else {
    auto keys = opened->store->CounterRuleSets(*store_id);
    if (!keys) {
      err << "csgw: " << keys.error().message << "\n";
      return 1;
    }
    for (const auto& r : opened->rules->For(*store_id)) {
      if (std::find(keys.value().begin(), keys.value().end(), r.Key()) != keys.value().end()) {
        sets.push_back(&r);
      }
    }
    if (sets.empty()) {
      err << "csgw: no ODR figures for store " << *store_id << "\n";
      return 1;
    }
  }
  const StoreCounterSource counters(*opened->store);
  for (size_t i = 0; i < sets.size(); ++i) {
    const odr::RuleSet& rules = *sets[i];
    odr::Day day;
    if (at) {
      day = *at;
    } else {
      auto today = odr::AssessmentDay(rules, SystemClock().Now());
      if (!today) {
        err << "csgw: " << today.error().message << "\n";
        return 1;
      }
      day = today.value();
    }
    auto report = odr::BuildReport(rules, counters, *store_id, day);
    if (!report) {
      err << "csgw: " << report.error().message << "\n";
      return 1;
    }
    if (i > 0) out << "\n";
    out << OdrReportTable(rules, report.value());
  }
  out.flush();
  return 0;
}

int Alerts(const Args& args, std::ostream& out, std::ostream& err) {
  const auto store_id = args.Flag("store");
  if (!store_id || store_id->empty()) return Usage(err, "odr alerts needs --store");
  auto opened = Open(args, /*read_only=*/true, err);
  if (!opened) return 2;
  auto alerts = ListAlerts(*opened->store, *store_id, 100'000);
  if (!alerts) {
    err << "csgw: " << alerts.error().message << "\n";
    return 1;
  }
  for (const std::string& a : alerts.value()) out << a << "\n";
  out.flush();
  return 0;
}

int Rebuild(const Args& args, std::ostream& out, std::ostream& err) {
  auto opened = Open(args, /*read_only=*/false, err);
  if (!opened) return 2;
  const std::string only = args.Flag("store").value_or("");
  auto summary = RebuildOdr(*opened->store, *opened->rules, only);
  if (!summary) {
    err << "csgw: " << summary.error().message << "\n";
    return 1;
  }
  const OdrRebuildSummary& s = summary.value();
  out << "rebuilt " << s.stores << " store(s): " << s.events << " events read, " << s.counted
      << " counted, " << s.failed << " refused; " << s.counter_days << " counter days, "
      << s.fact_records << " fact records\n";
  out.flush();
  return s.failed == 0 ? 0 : 1;
}

}  // namespace

const FlagSpec kOdrFlags{{"config", "data", "data-dir", "store", "rules", "at"}, {}};

std::string OdrReportTable(const odr::RuleSet& rules, const odr::Report& report) {
  std::ostringstream out;
  out << report.store_id << " · " << report.rule_set << " · " << odr::FormatDay(report.at) << " ("
      << rules.time_zone << ")\n\n";
  TextTable table({false, true, true, true, false, false, false});
  table.Row({"metric", "numerator", "denominator", "rate", "threshold", "status", "window"});
  for (const odr::MetricReport& m : report.metrics) {
    table.Row({m.name, std::to_string(m.numerator), std::to_string(m.denominator),
               odr::FormatValue(m.unit, m.value),
               m.target ? odr::FormatThreshold(m.unit, *m.target) : "–", StatusWord(m.status),
               std::to_string((m.window_to - m.window_from).count() + 1) + " d"});
  }
  table.Print(out);
  out << "\n";
  if (report.score) {
    out << "daily score: month average " << odr::FormatRatio(report.score->month_average, 2)
        << " points, " << report.score->daily.size() << " day(s) so far; today's items:";
    for (const auto& [metric, points] : report.score->items) {
      out << " " << metric << " " << odr::FormatRatio(odr::Ratio{points, 1000}, 1);
    }
    out << "\n";
  }
  out << "grade:    " << report.grade << "\n";
  out << "forecast: " << report.forecast.grade << " on " << odr::FormatDay(report.forecast.date)
      << " if nothing new is counted";
  if (report.forecast.grade_index > report.grade_index) out << " (a drop)";
  out << "\n";
  constexpr size_t kLeavingShown = 5;
  for (size_t i = 0; i < report.forecast.leaving.size() && i < kLeavingShown; ++i) {
    const odr::Leaving& l = report.forecast.leaving[i];
    out << "          leaves on " << odr::FormatDay(l.leaves_on) << ": counted "
        << odr::FormatDay(l.day) << " (" << CountersText(l.counters) << ")\n";
  }
  if (report.forecast.leaving.size() > kLeavingShown) {
    out << "          and " << report.forecast.leaving.size() - kLeavingShown
        << " more counted day(s)\n";
  }
  if (report.what_it_takes.empty()) {
    out << "what it takes: nothing (best grade, every target met)\n";
  } else {
    out << "what it takes (any one of these, all else unchanged):\n";
    for (const odr::Step& step : report.what_it_takes) {
      out << "  - " << odr::StepText(rules, step) << "\n";
    }
  }
  return out.str();
}

int OdrCommand(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional().size() != 1) return Usage(err, "odr takes one of report, alerts, rebuild");
  const std::string& what = args.positional()[0];
  if (what == "report") return Report(args, out, err);
  if (what == "alerts") return Alerts(args, out, err);
  if (what == "rebuild") return Rebuild(args, out, err);
  return Usage(err, "unknown odr command " + what);
}

int OdrCommand(const Args& args) { return OdrCommand(args, std::cout, std::cerr); }

}  // namespace csgw::gateway
