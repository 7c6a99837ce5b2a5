#include "i18n/language.h"

#include <unicode/utf8.h>

#include <algorithm>
#include <cmath>

#include "i18n/cld2_detector.h"
#include "i18n/lang_data.h"
#include "i18n/lang_priors.h"
#include "i18n/short_text.h"

namespace csgw::i18n {
namespace {

// Only the start of a long message is read: a buyer's language shows in the first lines, and the
// cost per message stays bounded.
constexpr int32_t kMaxBytes = 4096;
// CLD2's vote grows with the letters it saw, up to kCld2Max points; its own "unreliable" halves
// it. On one or two words CLD2 is near chance, on a sentence it is strong.
constexpr double kCld2PerLetter = 0.2;
constexpr double kCld2Max = 30.0;
constexpr double kCld2UnreliableFactor = 0.5;
// An answer CLD2 is sure of, in a language the word model does not cover (nl, ro, mk, ...), is
// taken as it is once the text is long enough for CLD2 to be trusted.
constexpr int kCld2OnlyMinLetters = 40;
constexpr int kCld2OnlyMinPercent = 60;
// From this many letters on, CLD2's vote is the main one: method "cld2".
constexpr int kLongTextLetters = 30;
// Scores are log-odds points; confidence is the softmax share at this temperature.
constexpr double kTemperature = 2.0;
constexpr double kMinConfidence = 0.1;

// Valid UTF-8, invalid sequences replaced by U+FFFD, cut before the character that crosses
// kMaxBytes.
std::string Sanitize(std::string_view text) {
  std::string out;
  out.reserve(std::min<size_t>(text.size(), kMaxBytes));
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  int32_t length = static_cast<int32_t>(std::min<size_t>(text.size(), kMaxBytes));
  // Cut before a character, not inside one: back up over continuation bytes at the cut.
  if (static_cast<size_t>(length) < text.size()) {
    while (length > 0 && (s[length] & 0xC0) == 0x80) --length;
  }
  for (int32_t i = 0; i < length;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) {
      out += "\xEF\xBF\xBD";
    } else {
      out.append(text.substr(start, i - start));
    }
  }
  return out;
}

// CLD2 is sure of a language the word model does not cover, but the text has letters that
// language never writes: Serbian and Macedonian Cyrillic have none of я ю ь й щ ы э ъ ё, which
// Russian, Ukrainian, Belarusian and Bulgarian text is full of. Then CLD2's answer is not taken
// as it is, and the model languages decide.
bool HasLettersItsAlphabetLacks(std::string_view language, std::string_view text) {
  if (language != "sr" && language != "mk") return false;
  static constexpr std::string_view kEastSlavicLetters[] = {"я", "ю", "ь", "й", "щ", "ы", "э", "ъ",
                                                            "ё", "Я", "Ю", "Й", "Щ", "Ы", "Э", "Ё"};
  for (std::string_view letter : kEastSlavicLetters) {
    if (text.find(letter) != std::string_view::npos) return true;
  }
  return false;
}

DetectedLanguage Unknown() { return {std::string(kUnknownLanguage), 0.0, "none"}; }

int ArgMax(const LanguageScores& scores) {
  return static_cast<int>(std::max_element(scores.begin(), scores.end()) - scores.begin());
}

}  // namespace

struct LanguageDetector::Impl {
  ShortTextModel model{LanguageData()};
  LanguagePriorTable priors{LanguageData()};
};

LanguageDetector::LanguageDetector() : impl_(std::make_unique<Impl>()) {}
LanguageDetector::~LanguageDetector() = default;

DetectedLanguage LanguageDetector::Detect(std::string_view text,
                                          const LanguagePriors& priors) const {
  const std::string clean = Sanitize(text);
  LanguageScores evidence{};
  const TextStats stats = impl_->model.Score(clean, evidence);
  if (stats.letters == 0) return Unknown();

  const Cld2Result cld2 = DetectWithCld2(clean);
  const Cld2Guess& cld2_top = cld2.top[0];
  // Mostly another script (Chinese, Arabic, ...): only CLD2 knows those.
  if (stats.other_script > stats.cyrillic + stats.latin) {
    if (cld2_top.language.empty()) return Unknown();
    return {cld2_top.language, (cld2.reliable ? 0.9 : 0.5) * cld2_top.percent / 100.0, "cld2"};
  }
  if (cld2.reliable && !cld2_top.language.empty() && ModelLanguageIndex(cld2_top.language) < 0 &&
      cld2_top.percent >= kCld2OnlyMinPercent && stats.letters >= kCld2OnlyMinLetters &&
      !HasLettersItsAlphabetLacks(cld2_top.language, clean)) {
    return {cld2_top.language, 0.9 * cld2_top.percent / 100.0, "cld2"};
  }

  const double cld2_weight = std::min(kCld2Max, kCld2PerLetter * stats.letters) *
                             (cld2.reliable ? 1.0 : kCld2UnreliableFactor);
  for (const Cld2Guess& guess : cld2.top) {
    const int language = ModelLanguageIndex(guess.language);
    if (language >= 0) evidence[language] += cld2_weight * guess.percent / 100.0;
  }

  // Base rates are part of the evidence side: they are the same for every message, so only the
  // per-conversation priors below count as "the prior decided".
  for (int l = 0; l < kModelLanguageCount; ++l) evidence[l] += impl_->priors.BaseRates()[l];
  const LanguageScores prior = impl_->priors.Priors(priors);
  LanguageScores total{};
  for (int l = 0; l < kModelLanguageCount; ++l) total[l] = evidence[l] + prior[l];
  const int best = ArgMax(total);

  // Confidence: the softmax share of the winning language (both spellings of Russian together).
  const double top = total[best];
  double sum = 0;
  double share = 0;
  const bool russian = best == kRu || best == kRuLatn;
  for (int l = 0; l < kModelLanguageCount; ++l) {
    const double e = std::exp((total[l] - top) / kTemperature);
    sum += e;
    if (l == best || (russian && (l == kRu || l == kRuLatn))) share += e;
  }
  const double confidence = share / sum;
  if (confidence < kMinConfidence) return Unknown();

  DetectedLanguage result;
  result.language = russian ? "ru" : std::string(ModelLanguageCode(best));
  result.confidence = std::round(confidence * 1000) / 1000;
  if (best == kRuLatn) {
    result.method = "transliteration";
  } else if (ArgMax(evidence) != best) {
    result.method = "prior";
  } else if (stats.letters >= kLongTextLetters) {
    result.method = "cld2";
  } else {
    result.method = "short_text";
  }
  return result;
}

DetectedLanguage DetectWithCld2Only(std::string_view text) {
  const Cld2Result cld2 = DetectWithCld2(Sanitize(text));
  if (cld2.top[0].language.empty()) return Unknown();
  return {cld2.top[0].language, cld2.top[0].percent / 100.0, "cld2"};
}

}  // namespace csgw::i18n
