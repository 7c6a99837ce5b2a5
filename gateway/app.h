// The composition root: config → objects → run. Startup errors print one line and exit non-zero.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/store/event_store.h"
#include "proto/proto.h"

namespace csgw::gateway {

struct ServeFlags {
  std::optional<std::string> config_path;  // none: the built-in default config
  std::optional<std::string> listen;       // "HOST:PORT", overrides server.listen_*
  std::optional<std::string> data_dir;     // overrides store.data_dir
  std::optional<std::string> port_file;    // written with the bound port once listening
};

class Gateway {
 public:
  // Builds everything the config describes: adapters (resolving secrets), the store, the
  // server (listening). Every startup error is returned here, before any request is served.
  static Result<std::unique_ptr<Gateway>> Create(const proto::Config& config, const Clock& clock);
  ~Gateway();

  uint16_t port() const;
  EventStore& store();
  std::vector<std::string_view> marketplaces() const;
  bool events_api_enabled() const;
  // Serves until Stop (on server.io_threads threads, the caller's included).
  void Run();
  // Reloads the template catalogue (config templates.catalog_dir over the built-in one). A
  // catalogue that fails lint is refused with its findings and the running one stays.
  // Thread-safe; drafts after it returns use the new catalogue.
  Result<void> ReloadCatalog();
  // Marks the gateway not ready and stops serving. Thread-safe.
  void Stop();

  class Parts;

 private:
  explicit Gateway(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

// The effective config for `serve`: file or defaults, then flags, then validation.
Result<proto::Config> EffectiveConfig(const ServeFlags& flags);

// Runs the gateway until SIGINT/SIGTERM; SIGHUP reloads the template catalogue. Returns the
// process exit code.
int Serve(const ServeFlags& flags);

}  // namespace csgw::gateway
