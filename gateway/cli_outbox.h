// The dead-letter commands of the csgw command line:
//   csgw outbox [list] [--store S] [--limit N] [--config F] [--data DIR]
//       dead letters as JSON lines (ordered by store, then id), without the reply tokens and
//       signed requests they carry; read-only beside a running gateway
//   csgw outbox show ID [--config F] [--data DIR]
//       one entry in any state, with its attempts (read-only)
//   csgw outbox retry ID [--config F] [--data DIR]
//       a dead letter back to pending with a fresh budget of attempts: the gateway sends it when
//       it next runs. Needs the gateway stopped (it writes the store); a running gateway takes
//       POST /v1/outbox/{id}/retry instead.
#pragma once

#include <iosfwd>

#include "base/clock.h"
#include "gateway/cli_args.h"

namespace csgw::gateway {

extern const FlagSpec kOutboxFlags;
int OutboxCommand(const Args& args);
// The same, writing to `out` and `err`, with the clock the re-drive is stamped by (tests).
int OutboxCommand(const Args& args, const Clock& clock, std::ostream& out, std::ostream& err);

}  // namespace csgw::gateway
