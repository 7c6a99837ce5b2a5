#pragma once

// The language-identification data files (i18n/data/lang/*.txt), compiled into csgw_i18n by
// csgw_embed_files in i18n/CMakeLists.txt.

#include <span>

#include "base/embedded.h"

namespace csgw::i18n {

std::span<const EmbeddedFile> LanguageData();

}  // namespace csgw::i18n
