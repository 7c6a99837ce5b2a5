// The seller-service-level commands of the csgw command line:
//   csgw odr report --store S [--rules R] [--at YYYY-MM-DD] [--config F] [--data DIR]
//       the store's figures per metric (numerator, denominator, rate, threshold, status), its
//       grade, the forecast for the next assessment and what it takes to reach the next grade;
//       every rule set the store has counters for unless --rules; read-only beside a gateway
//   csgw odr alerts --store S [--config F] [--data DIR]
//       the store's alerts as JSON lines, newest first (read-only)
//   csgw odr rebuild [--store S] [--config F] [--data DIR]
//       recount every store (or S) from the stored events and replace its counters and facts;
//       needs the gateway stopped (it opens the store for writing)
// --data-dir is accepted as a synonym of --data.
#pragma once

#include <iosfwd>
#include <string>

#include "gateway/cli_args.h"
#include "odr/report.h"
#include "odr/rules.h"

namespace csgw::gateway {

extern const FlagSpec kOdrFlags;
int OdrCommand(const Args& args);
// The same, writing to `out` and `err` (tests).
int OdrCommand(const Args& args, std::ostream& out, std::ostream& err);

// The report as `csgw odr report` prints it: a header line, an aligned table of the metrics, the
// grade, the forecast and what it takes.
std::string OdrReportTable(const odr::RuleSet& rules, const odr::Report& report);

}  // namespace csgw::gateway
