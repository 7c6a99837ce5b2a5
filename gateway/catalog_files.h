// Reading a template catalogue directory from disk, layered over the built-in catalogue: a file
// in the directory replaces the built-in file of the same name ("ru.json"), and adds overrides
// ("overrides/<store>/<locale>.json"). Used at startup, on SIGHUP and by `csgw templates lint`.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "templates/catalog.h"

namespace csgw::gateway {

// The built-in files with `dir`'s *.json files layered on top; just the built-in files when
// `dir` is empty. kInvalidField for a missing directory or a file over the size cap.
Result<std::vector<templates::CatalogFile>> LayeredCatalogFiles(const std::string& dir);

}  // namespace csgw::gateway
