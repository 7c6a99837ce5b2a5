#include "gateway/cli_outbox.h"

#include <iostream>
#include <limits>
#include <optional>

#include "gateway/api/proto_json.h"
#include "gateway/cli_store.h"
#include "gateway/outbound/outbox_records.h"

namespace csgw::gateway {
namespace {

constexpr char kOutboxUsage[] =
    "usage: csgw outbox [list] [--store S] [--limit N] [--config F] [--data DIR]\n"
    "       csgw outbox show ID [--config F] [--data DIR]\n"
    "       csgw outbox retry ID [--config F] [--data DIR]   (gateway stopped)\n";

int Usage(std::ostream& err, const std::string& why) {
  err << "csgw: " << why << "\n" << kOutboxUsage;
  return 2;
}

int List(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional().size() > 1) return Usage(err, "outbox list takes no id");
  const std::string store_id = args.Flag("store").value_or("");
  size_t limit = std::numeric_limits<size_t>::max();
  if (auto text = args.Flag("limit")) {
    uint64_t n = 0;
    if (!ParseUint(*text, n) || n == 0) return Usage(err, "--limit must be a positive integer");
    limit = n;
  }
  auto opened = OpenCommandStore(args, /*read_only=*/true, err);
  if (!opened) return 2;
  EventStore* store = opened->store.get();
  constexpr size_t kPage = 200;
  std::string after;
  size_t printed = 0;
  while (printed < limit) {
    auto page = ListDeadLetters(
        *store, store_id, [](std::string_view) { return true; }, after,
        std::min(kPage, limit - printed));
    if (!page) {
      err << "csgw: " << page.error().message << "\n";
      return 1;
    }
    for (const proto::OutboxEntry& entry : page.value()) {
      out << ProtoJson(Redacted(entry)) << "\n";
      after = entry.store_id() + "/" + entry.id();
      ++printed;
    }
    if (page.value().size() < kPage) break;
  }
  return 0;
}

int Show(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.positional().size() != 2) return Usage(err, "outbox show needs the entry's id");
  auto opened = OpenCommandStore(args, /*read_only=*/true, err);
  if (!opened) return 2;
  EventStore* store = opened->store.get();
  auto entry = LoadOutboxEntry(*store, args.positional()[1]);
  if (!entry) {
    err << "csgw: " << entry.error().message << "\n";
    return 1;
  }
  if (!entry.value()) {
    err << "csgw: no outbox entry " << args.positional()[1] << "\n";
    return 1;
  }
  out << ProtoJson(Redacted(*entry.value())) << "\n";
  return 0;
}

int Retry(const Args& args, const Clock& clock, std::ostream& out, std::ostream& err) {
  if (args.positional().size() != 2) return Usage(err, "outbox retry needs the entry's id");
  auto opened = OpenCommandStore(args, /*read_only=*/false, err,
                                 "stop it, or retry through POST /v1/outbox/{id}/retry");
  if (!opened) return 2;
  EventStore* store = opened->store.get();
  auto redriven = RedriveDeadLetter(*store, args.positional()[1], "cli", clock.Now());
  if (!redriven) {
    err << "csgw: " << redriven.error().message << "\n";
    return 1;
  }
  out << ProtoJson(Redacted(redriven.value())) << "\n";
  return 0;
}

}  // namespace

const FlagSpec kOutboxFlags{{"config", "data", "store", "limit"}, {}};

int OutboxCommand(const Args& args, const Clock& clock, std::ostream& out, std::ostream& err) {
  const std::string what = args.positional().empty() ? "list" : args.positional()[0];
  if (what == "list") return List(args, out, err);
  if (what == "show") return Show(args, out, err);
  if (what == "retry") return Retry(args, clock, out, err);
  return Usage(err, "unknown outbox command " + what);
}

int OutboxCommand(const Args& args) {
  static const SystemClock clock;
  return OutboxCommand(args, clock, std::cout, std::cerr);
}

}  // namespace csgw::gateway
