#pragma once

// Data files of the i18n library compiled into the binary (see i18n/CMakeLists.txt).

#include <span>

#include "base/embedded.h"

namespace csgw::i18n {

// data/zones.tsv and the other tables that are not the language detector's own.
std::span<const EmbeddedFile> I18nData();

}  // namespace csgw::i18n
