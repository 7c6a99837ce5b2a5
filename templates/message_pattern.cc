#include "templates/message_pattern.h"

#include <unicode/messagepattern.h>
#include <unicode/parseerr.h>
#include <unicode/unistr.h>

#include <algorithm>

namespace csgw::templates {
namespace {

std::string Utf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

const char* KindName(UMessagePatternArgType type) {
  switch (type) {
    case UMSGPAT_ARG_TYPE_NONE:
      return "none";
    case UMSGPAT_ARG_TYPE_SIMPLE:
      return "simple";
    case UMSGPAT_ARG_TYPE_CHOICE:
      return "choice";
    case UMSGPAT_ARG_TYPE_PLURAL:
      return "plural";
    case UMSGPAT_ARG_TYPE_SELECT:
      return "select";
    case UMSGPAT_ARG_TYPE_SELECTORDINAL:
      return "selectordinal";
  }
  return "none";
}

}  // namespace

std::vector<std::string> PatternInfo::Names() const {
  std::vector<std::string> names;
  for (const auto& a : arguments) names.push_back(a.name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

Result<PatternInfo> AnalyzePattern(std::string_view text) {
  const icu::UnicodeString pattern = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  UErrorCode status = U_ZERO_ERROR;
  UParseError parse_error{};
  icu::MessagePattern parsed(UMSGPAT_APOS_DOUBLE_OPTIONAL, status);
  parsed.parse(pattern, &parse_error, status);
  if (U_FAILURE(status)) {
    return Error{Errc::kInvalidField, std::string("ICU syntax error (") + u_errorName(status) +
                                          ") at offset " + std::to_string(parse_error.offset)};
  }
  PatternInfo info;
  const int32_t count = parsed.countParts();
  for (int32_t i = 0; i < count; ++i) {
    const icu::MessagePattern::Part& start = parsed.getPart(i);
    if (start.getType() != UMSGPAT_PART_TYPE_ARG_START) continue;
    PatternArgument arg;
    arg.kind = KindName(start.getArgType());
    const icu::MessagePattern::Part& name = parsed.getPart(i + 1);
    if (name.getType() == UMSGPAT_PART_TYPE_ARG_NUMBER) {
      arg.name = std::to_string(name.getValue());
    } else {
      arg.name = Utf8(parsed.getSubstring(name));
    }
    const int32_t limit = parsed.getLimitPartIndex(i);
    if (start.getArgType() == UMSGPAT_ARG_TYPE_PLURAL ||
        start.getArgType() == UMSGPAT_ARG_TYPE_SELECT ||
        start.getArgType() == UMSGPAT_ARG_TYPE_SELECTORDINAL) {
      // Selectors sit directly inside the argument; nested messages are skipped whole, their
      // own arguments are found when the outer loop reaches them.
      for (int32_t j = i + 2; j < limit;) {
        const icu::MessagePattern::Part& part = parsed.getPart(j);
        if (part.getType() == UMSGPAT_PART_TYPE_ARG_SELECTOR) {
          arg.selectors.push_back(Utf8(parsed.getSubstring(part)));
          ++j;
        } else if (part.getType() == UMSGPAT_PART_TYPE_MSG_START) {
          j = parsed.getLimitPartIndex(j) + 1;
        } else {
          ++j;
        }
      }
    }
    info.arguments.push_back(std::move(arg));
  }
  return info;
}

}  // namespace csgw::templates
