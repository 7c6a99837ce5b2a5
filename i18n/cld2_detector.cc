#include "i18n/cld2_detector.h"

// compact_lang_det.h uses NULL and size_t without including what declares them.
#include <cstdio>
// clang-format off
#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>
// clang-format on

#include <climits>
#include <string_view>

namespace csgw::i18n {
namespace {

// CLD2 keeps a few pre-2008 codes; the rest of csgw speaks current ISO 639-1.
std::string ToIso(CLD2::Language language) {
  if (language == CLD2::UNKNOWN_LANGUAGE || language == CLD2::TG_UNKNOWN_LANGUAGE) return {};
  const std::string_view code = CLD2::LanguageCode(language);
  if (code == "un" || code.empty()) return {};
  if (code == "iw") return "he";
  if (code == "jw") return "jv";
  if (code == "zh-Hant") return "zh";
  if (code == "no") return "nb";
  return std::string(code);
}

}  // namespace

Cld2Result DetectWithCld2(std::string_view utf8) {
  Cld2Result result;
  if (utf8.empty() || utf8.size() > static_cast<size_t>(INT_MAX)) return result;
  CLD2::CLDHints hints{nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
  CLD2::Language language3[3];
  int percent3[3] = {0, 0, 0};
  double normalized_score3[3] = {0, 0, 0};
  int text_bytes = 0;
  bool reliable = false;
  int valid_prefix_bytes = 0;
  // Best effort: without it CLD2 gives up on anything under a few dozen letters, which is most
  // buyer messages; the caller weighs the answer by text_bytes and reliability instead.
  CLD2::ExtDetectLanguageSummaryCheckUTF8(
      utf8.data(), static_cast<int>(utf8.size()), /*is_plain_text=*/true, &hints,
      CLD2::kCLDFlagBestEffort, language3, percent3, normalized_score3,
      /*resultchunkvector=*/nullptr, &text_bytes, &reliable, &valid_prefix_bytes);
  if (valid_prefix_bytes < static_cast<int>(utf8.size())) return result;  // not UTF-8
  result.reliable = reliable;
  result.text_bytes = text_bytes;
  for (int i = 0; i < 3; ++i) {
    result.top[i].language = ToIso(language3[i]);
    result.top[i].percent = result.top[i].language.empty() ? 0 : percent3[i];
  }
  return result;
}

}  // namespace csgw::i18n
