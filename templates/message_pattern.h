#pragma once

// What an ICU MessageFormat pattern contains, for lint and rendering: its arguments and, for
// plural and select arguments, their selectors. The only file that parses patterns itself.

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace csgw::templates {

struct PatternArgument {
  std::string name;
  // "none" ({x}), "simple" ({x, number}), "plural", "selectordinal" or "select".
  std::string kind;
  std::vector<std::string> selectors;  // "one", "few", "=0", "other", ... (plural and select)
};

struct PatternInfo {
  std::vector<PatternArgument> arguments;  // in order of appearance, repeated names included
  std::vector<std::string> Names() const;  // sorted, unique
};

// kInvalidField with "syntax error at offset N" for a pattern ICU cannot parse.
Result<PatternInfo> AnalyzePattern(std::string_view pattern);

}  // namespace csgw::templates
