// Loading, defaulting and validating the typed config; resolving secret references.
// Startup-time code: errors go to main, which prints them and exits.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "proto/proto.h"

namespace csgw::gateway {

// Parses a JSON config file (protobuf JSON mapping; unknown fields are errors, so typos surface).
// The result has defaults applied and is validated.
Result<proto::Config> LoadConfigFile(const std::string& path);

// Parses config JSON text; same rules as LoadConfigFile.
Result<proto::Config> ParseConfigJson(std::string_view json);

// The built-in config `csgw serve` runs with when given none: 127.0.0.1:8080, store under
// ./var/csgw, the unsigned marketplaces (ozon, mercadolibre) enabled.
proto::Config DefaultConfig();

// Fills every unset field with its documented default.
void ApplyDefaults(proto::Config& config);

// Every problem found, one per line, in one error (kInvalidField); success if none.
Result<void> ValidateConfig(const proto::Config& config);

// The secret a SecretRef names: an environment variable's value or a file's content (one
// trailing newline stripped). `field` names the config field in error messages; the secret's
// value never appears in one.
Result<std::string> ResolveSecret(const proto::SecretRef& ref, std::string_view field);

}  // namespace csgw::gateway
