#pragma once

// Text evidence for language identification that does not depend on CLD2 and works from one word
// up: which letters a text uses (alphabets), frequent words of each language (word lists), and
// character bigrams/trigrams learnt from those lists, plus Russian typed in Latin letters as a
// language of its own ("ru-Latn"). Everything is scored as additive log-odds per language, so the
// caller can add CLD2's opinion and priors on the same scale.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/embedded.h"

namespace csgw::i18n {

// The languages the model knows, in a fixed order; kRuLatn is Russian in Latin letters.
enum ModelLanguage : int {
  kRu,
  kUk,
  kBe,
  kBg,
  kKk,  // Cyrillic script
  kEn,
  kEs,
  kPt,
  kIt,
  kCa,
  kGl,
  kFr,
  kDe,
  kPl,
  kRuLatn,  // Latin script
  kModelLanguageCount
};
inline constexpr int kFirstLatin = kEn;

// "ru", "uk", ..., "ru-Latn".
std::string_view ModelLanguageCode(int language);
// The index of an ISO 639-1 code ("ru-Latn" included), or -1.
int ModelLanguageIndex(std::string_view code);

using LanguageScores = std::array<double, kModelLanguageCount>;

// What the text is made of, counted over letters (not bytes).
struct TextStats {
  int letters = 0;
  int cyrillic = 0;
  int latin = 0;
  int other_script = 0;  // letters of any other script (Han, Arabic, ...)
  int words = 0;         // words of Latin or Cyrillic letters that were scored
};

class ShortTextModel {
 public:
  // Builds the tables from the embedded data files; malformed data is a build bug and aborts.
  explicit ShortTextModel(std::span<const EmbeddedFile> data);

  // Adds each language's log-odds evidence from `text` (valid UTF-8) to `scores`. Thread-safe.
  TextStats Score(std::string_view text, LanguageScores& scores) const;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Weights = std::array<float, kModelLanguageCount>;

  void AddWords(int language, std::string_view list);
  void BuildNgrams(const std::vector<std::vector<std::string>>& training);
  void ScoreWord(std::string_view word, bool cyrillic, LanguageScores& scores) const;

  // Letter -> bit set of the languages whose alphabet has it (non-ASCII letters only).
  std::unordered_map<uint32_t, uint32_t> alphabet_;
  // Folded word -> bonus per language (0 where the word is not on the language's list).
  std::unordered_map<std::string, Weights, StringHash, std::equal_to<>> words_;
  // Words every language writes alike ("ok", brand names): no evidence either way.
  std::unordered_set<std::string, StringHash, std::equal_to<>> neutral_;
  // Character bi/trigram (code points packed) -> centred log-probability per language.
  std::unordered_map<uint64_t, Weights> ngrams_;
};

}  // namespace csgw::i18n
