// The store a command of the csgw command line works on: --config F and --data DIR (or
// --data-dir) over the built-in defaults, as `csgw serve` would use them. A read-only open works
// beside a running gateway; a writer needs it stopped (RocksDB lets one process write).
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string_view>

#include "gateway/cli_args.h"
#include "gateway/store/event_store.h"
#include "proto/proto.h"

namespace csgw::gateway {

struct CommandStore {
  proto::Config config;
  std::unique_ptr<EventStore> store;
};

// Prints why not to `err`: a bad config, or a store that cannot be opened; for a writer the
// message adds "is a gateway running on this store? <busy_hint>".
std::optional<CommandStore> OpenCommandStore(const Args& args, bool read_only, std::ostream& err,
                                             std::string_view busy_hint = "stop it first");

}  // namespace csgw::gateway
