// The composition root: config → objects → run. Startup errors print one line and exit non-zero.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "proto/proto.h"

namespace csgw::gateway {

struct ServeFlags {
  std::optional<std::string> config_path;  // none: the built-in default config
  std::optional<std::string> listen;       // "HOST:PORT", overrides server.listen_*
  std::optional<std::string> data_dir;     // overrides store.data_dir
  std::optional<std::string> port_file;    // written with the bound port once listening
};

// The effective config for `serve`: file or defaults, then flags, then validation.
Result<proto::Config> EffectiveConfig(const ServeFlags& flags);

// Runs the gateway until SIGINT/SIGTERM. Returns the process exit code.
int Serve(const ServeFlags& flags);

}  // namespace csgw::gateway
