#include "gateway/cli_store.h"

#include "gateway/app.h"

namespace csgw::gateway {

std::optional<CommandStore> OpenCommandStore(const Args& args, bool read_only, std::ostream& err,
                                             std::string_view busy_hint) {
  ServeFlags flags;
  flags.config_path = args.Flag("config");
  flags.data_dir = args.Flag("data");
  if (!flags.data_dir) flags.data_dir = args.Flag("data-dir");
  auto config = EffectiveConfig(flags);
  if (!config) {
    err << "csgw: " << config.error().message << "\n";
    return std::nullopt;
  }
  StoreOptions options;
  options.dir = config.value().store().data_dir();
  options.read_only = read_only;
  auto store = EventStore::Open(options);
  if (!store) {
    err << "csgw: " << store.error().message;
    if (!read_only) err << " (is a gateway running on this store? " << busy_hint << ")";
    err << "\n";
    return std::nullopt;
  }
  return CommandStore{std::move(config).value(), std::move(store).value()};
}

}  // namespace csgw::gateway
