#pragma once

// The default template catalogue compiled into the binary (templates/catalog/*.json).

#include <span>

#include "base/embedded.h"

namespace csgw::templates {

std::span<const EmbeddedFile> EmbeddedCatalog();

}  // namespace csgw::templates
