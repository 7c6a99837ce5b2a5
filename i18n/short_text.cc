#include "i18n/short_text.h"

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>

#include "i18n/normalize.h"

namespace csgw::i18n {
namespace {

constexpr std::array<std::string_view, kModelLanguageCount> kCodes = {
    "ru", "uk", "be", "bg", "kk", "en", "es", "pt", "it", "ca", "gl", "fr", "de", "pl", "ru-Latn"};

// Weights of the evidence, in log-odds points. Tuned on dev.tsv files of i18n/eval/language only.
// A letter a language does not write is strong evidence against it: one і rules out Russian.
constexpr double kAlphabetPenalty = 5.0;
// A word in the other script (Latin among Cyrillic or the reverse) says little about which
// Cyrillic (Latin) language the rest is, but counts against every language of its script.
constexpr double kForeignWordPenalty = 4.0;
// Word-list bonus: kListTop for the most frequent word, falling slowly with the rank.
constexpr double kListTop = 4.0;
constexpr double kListDecay = 0.35;
// Generated transliterations of the Russian list are guesses; native lists win a tie.
constexpr double kGeneratedTranslitDiscount = 1.0;
constexpr double kNgramWeight = 0.25;
constexpr double kNgramSmoothing = 0.5;

constexpr uint32_t kBoundary = ' ';
constexpr uint64_t kBigramTag = 0x1FFFFF;

bool IsCyrillicCodePoint(UChar32 c) { return c >= 0x0400 && c <= 0x052F; }

std::vector<UChar32> CodePoints(std::string_view utf8) {
  std::vector<UChar32> out;
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
  const int32_t length = static_cast<int32_t>(utf8.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c >= 0) out.push_back(c);
  }
  return out;
}

uint64_t Trigram(UChar32 a, UChar32 b, UChar32 c) {
  return (static_cast<uint64_t>(a) << 42) | (static_cast<uint64_t>(b) << 21) |
         static_cast<uint64_t>(c);
}
uint64_t Bigram(UChar32 a, UChar32 b) { return Trigram(kBigramTag, a, b); }

// The data files: '#' starts a comment line; everything else is whitespace-separated items.
std::vector<std::string_view> Lines(std::string_view content) {
  std::vector<std::string_view> lines;
  while (!content.empty()) {
    const size_t end = content.find('\n');
    std::string_view line = content.substr(0, end);
    content = end == std::string_view::npos ? std::string_view{} : content.substr(end + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    lines.push_back(line);
  }
  return lines;
}

// Common ways buyers spell Cyrillic letters in Latin ones; each scheme yields one spelling of a
// word. Folded Russian has no ё (folded to е).
std::string Transliterate(std::string_view folded_ru, int scheme) {
  std::string out;
  for (UChar32 c : CodePoints(folded_ru)) {
    const char* latin = nullptr;
    switch (c) {
      case 0x430:
        latin = "a";
        break;
      case 0x431:
        latin = "b";
        break;
      case 0x432:
        latin = "v";
        break;
      case 0x433:
        latin = "g";
        break;
      case 0x434:
        latin = "d";
        break;
      case 0x435:
        latin = "e";
        break;
      case 0x436:
        latin = scheme == 1 ? "j" : "zh";
        break;
      case 0x437:
        latin = "z";
        break;
      case 0x438:
        latin = "i";
        break;
      case 0x439:
        latin = scheme == 0 ? "y" : scheme == 1 ? "i" : "j";
        break;
      case 0x43A:
        latin = "k";
        break;
      case 0x43B:
        latin = "l";
        break;
      case 0x43C:
        latin = "m";
        break;
      case 0x43D:
        latin = "n";
        break;
      case 0x43E:
        latin = "o";
        break;
      case 0x43F:
        latin = "p";
        break;
      case 0x440:
        latin = "r";
        break;
      case 0x441:
        latin = "s";
        break;
      case 0x442:
        latin = "t";
        break;
      case 0x443:
        latin = "u";
        break;
      case 0x444:
        latin = "f";
        break;
      case 0x445:
        latin = scheme == 0 ? "h" : "kh";
        break;
      case 0x446:
        latin = scheme == 0 ? "c" : "ts";
        break;
      case 0x447:
        latin = "ch";
        break;
      case 0x448:
        latin = "sh";
        break;
      case 0x449:
        latin = scheme == 0 ? "sch" : "sh";
        break;
      case 0x44A:
        latin = "";
        break;
      case 0x44B:
        latin = scheme == 1 ? "i" : "y";
        break;
      case 0x44C:
        latin = "";
        break;
      case 0x44D:
        latin = "e";
        break;
      case 0x44E:
        latin = scheme == 0 ? "yu" : scheme == 1 ? "ju" : "iu";
        break;
      case 0x44F:
        latin = scheme == 0 ? "ya" : scheme == 1 ? "ja" : "ia";
        break;
      default:
        return {};  // not a Russian letter: no transliteration
    }
    out += latin;
  }
  return out;
}

}  // namespace

std::string_view ModelLanguageCode(int language) { return kCodes.at(language); }

int ModelLanguageIndex(std::string_view code) {
  for (int i = 0; i < kModelLanguageCount; ++i) {
    if (kCodes[i] == code) return i;
  }
  return -1;
}

ShortTextModel::ShortTextModel(std::span<const EmbeddedFile> data) {
  // Alphabets.
  const auto alphabets = FindEmbedded(data, "data/lang/alphabets.txt");
  if (!alphabets) std::abort();
  for (std::string_view line : Lines(*alphabets)) {
    const size_t space = line.find(' ');
    const int language = ModelLanguageIndex(line.substr(0, space));
    if (language < 0) std::abort();
    if (space == std::string_view::npos) continue;  // a-z only
    for (UChar32 c : CodePoints(line.substr(space + 1))) {
      if (c != ' ') alphabet_[static_cast<uint32_t>(c)] |= 1u << language;
    }
  }

  const auto neutral = FindEmbedded(data, "data/lang/neutral_words.txt");
  if (!neutral) std::abort();
  for (std::string_view line : Lines(*neutral)) {
    const std::string folded = FoldForMatching(line);
    for (std::string_view word : SplitWords(folded)) neutral_.emplace(word);
  }

  // Word lists; they are also the training text of the character n-grams.
  std::vector<std::vector<std::string>> training(kModelLanguageCount);
  for (int language = 0; language < kModelLanguageCount; ++language) {
    std::string name = "data/lang/words_" + std::string(kCodes[language]) + ".txt";
    for (char& ch : name) {
      if (ch == '-') ch = '_';
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    const auto list = FindEmbedded(data, name);
    if (!list) std::abort();
    int rank = 0;
    for (std::string_view line : Lines(*list)) {
      const std::string folded = FoldForMatching(line);
      for (std::string_view word : SplitWords(folded)) {
        auto [it, inserted] = words_.try_emplace(std::string(word), Weights{});
        if (it->second[language] == 0) {
          it->second[language] =
              static_cast<float>(kListTop - kListDecay * std::log1p(static_cast<double>(rank)));
          training[language].emplace_back(word);
        }
        ++rank;
      }
    }
  }
  // Russian buyers without a Cyrillic keyboard: every Russian list word in three common
  // spellings, unless the word is already on the hand-written Latin list.
  const std::vector<std::string> russian = training[kRu];
  for (size_t rank = 0; rank < russian.size(); ++rank) {
    for (int scheme = 0; scheme < 3; ++scheme) {
      std::string latin = Transliterate(russian[rank], scheme);
      if (latin.empty()) continue;
      auto [it, inserted] = words_.try_emplace(latin, Weights{});
      if (it->second[kRuLatn] != 0) continue;
      it->second[kRuLatn] = static_cast<float>(kListTop - kGeneratedTranslitDiscount -
                                               kListDecay * std::log1p(static_cast<double>(rank)));
      training[kRuLatn].push_back(std::move(latin));
    }
  }
  BuildNgrams(training);
}

void ShortTextModel::BuildNgrams(const std::vector<std::vector<std::string>>& training) {
  // Counts per language, per order (0 = bigram, 1 = trigram).
  std::unordered_map<uint64_t, std::array<int, kModelLanguageCount>> counts;
  std::array<std::array<double, kModelLanguageCount>, 2> totals{};
  for (int language = 0; language < kModelLanguageCount; ++language) {
    for (const std::string& word : training[language]) {
      std::vector<UChar32> seq = CodePoints(word);
      seq.insert(seq.begin(), kBoundary);
      seq.push_back(kBoundary);
      for (size_t i = 0; i + 1 < seq.size(); ++i) {
        ++counts[Bigram(seq[i], seq[i + 1])][language];
        totals[0][language] += 1;
        if (i + 2 < seq.size()) {
          ++counts[Trigram(seq[i], seq[i + 1], seq[i + 2])][language];
          totals[1][language] += 1;
        }
      }
    }
  }
  // Distinct n-grams per script group and order: the smoothing vocabulary.
  std::array<std::array<double, 2>, 2> vocabulary{};
  auto group_of = [](uint64_t key) {
    for (int shift : {0, 21, 42}) {
      const auto c = static_cast<UChar32>((key >> shift) & 0x1FFFFF);
      if (IsCyrillicCodePoint(c)) return 0;
    }
    return 1;
  };
  auto order_of = [](uint64_t key) { return (key >> 42) == kBigramTag ? 0 : 1; };
  for (const auto& [key, per_language] : counts) vocabulary[group_of(key)][order_of(key)] += 1;

  for (const auto& [key, per_language] : counts) {
    const int group = group_of(key);
    const int order = order_of(key);
    const int first = group == 0 ? 0 : kFirstLatin;
    const int last = group == 0 ? kFirstLatin : kModelLanguageCount;
    Weights weights{};
    double mean = 0;
    for (int l = first; l < last; ++l) {
      const double p = (per_language[l] + kNgramSmoothing) /
                       (totals[order][l] + kNgramSmoothing * vocabulary[group][order]);
      weights[l] = static_cast<float>(std::log(p));
      mean += weights[l];
    }
    mean /= (last - first);
    // Centred within the script group: an n-gram no language of the group has seen scores 0 for
    // all of them, so unusual words (names, brands) do not favour the language with less data.
    for (int l = first; l < last; ++l) weights[l] = static_cast<float>(weights[l] - mean);
    ngrams_.emplace(key, weights);
  }
}

void ShortTextModel::ScoreWord(std::string_view word, bool cyrillic, LanguageScores& scores) const {
  const int first = cyrillic ? 0 : kFirstLatin;
  const int last = cyrillic ? kFirstLatin : kModelLanguageCount;
  for (int l = 0; l < kModelLanguageCount; ++l) {
    if (l < first || l >= last) scores[l] -= kForeignWordPenalty;
  }
  if (auto it = words_.find(word); it != words_.end()) {
    for (int l = first; l < last; ++l) scores[l] += it->second[l];
  }
  std::vector<UChar32> seq = CodePoints(word);
  seq.insert(seq.begin(), kBoundary);
  seq.push_back(kBoundary);
  LanguageScores ngram{};
  for (size_t i = 0; i + 1 < seq.size(); ++i) {
    if (auto it = ngrams_.find(Bigram(seq[i], seq[i + 1])); it != ngrams_.end()) {
      for (int l = first; l < last; ++l) ngram[l] += it->second[l];
    }
    if (i + 2 < seq.size()) {
      if (auto it = ngrams_.find(Trigram(seq[i], seq[i + 1], seq[i + 2])); it != ngrams_.end()) {
        for (int l = first; l < last; ++l) ngram[l] += it->second[l];
      }
    }
  }
  for (int l = first; l < last; ++l) scores[l] += kNgramWeight * ngram[l];
}

TextStats ShortTextModel::Score(std::string_view text, LanguageScores& scores) const {
  TextStats stats;
  // Letters, on the text as typed: folding would erase the diacritics that tell pt from es.
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) continue;
    const bool alpha = u_isalpha(c);
    int first = 0;
    int last = 0;
    if (alpha) {
      ++stats.letters;
      UErrorCode status = U_ZERO_ERROR;
      const UScriptCode script = uscript_getScript(c, &status);
      if (script == USCRIPT_CYRILLIC) {
        ++stats.cyrillic;
        last = kFirstLatin;
      } else if (script == USCRIPT_LATIN) {
        ++stats.latin;
        first = kFirstLatin;
        last = kModelLanguageCount;
      } else {
        ++stats.other_script;
      }
    } else if (c >= 0x80 && alphabet_.contains(static_cast<uint32_t>(c))) {
      first = kFirstLatin;  // Spanish ¿ ¡
      last = kModelLanguageCount;
    }
    const UChar32 lower = u_tolower(c);
    if (lower < 0x80 || first == last) continue;
    const auto it = alphabet_.find(static_cast<uint32_t>(lower));
    const uint32_t have = it == alphabet_.end() ? 0 : it->second;
    for (int l = first; l < last; ++l) {
      if ((have & (1u << l)) == 0) scores[l] -= kAlphabetPenalty;
    }
  }

  const std::string folded = FoldForMatching(text);
  for (std::string_view word : SplitWords(folded)) {
    int cyrillic = 0;
    int latin = 0;
    const auto* w = reinterpret_cast<const uint8_t*>(word.data());
    const int32_t n = static_cast<int32_t>(word.size());
    for (int32_t i = 0; i < n;) {
      UChar32 c;
      U8_NEXT(w, i, n, c);
      if (c < 0 || !u_isalpha(c)) continue;
      if (IsCyrillicCodePoint(c)) {
        ++cyrillic;
      } else {
        UErrorCode status = U_ZERO_ERROR;
        if (uscript_getScript(c, &status) == USCRIPT_LATIN) ++latin;
      }
    }
    if (cyrillic == 0 && latin == 0) continue;  // digits, other scripts
    if (neutral_.contains(word)) continue;
    ++stats.words;
    ScoreWord(word, cyrillic >= latin, scores);
  }
  return stats;
}

}  // namespace csgw::i18n
