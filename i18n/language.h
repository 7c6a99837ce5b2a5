#pragma once

// Language identification of buyer messages: CLD2 for text, a short-text path for the one- to
// three-word messages buyers send ("Где заказ?", "gracias", "ok"), transliterated Russian, and
// priors from the marketplace site, the buyer's country and the conversation so far.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace csgw::i18n {

// What is known about a message besides its text.
struct LanguagePriors {
  std::string marketplace;    // marketplace id: "ozon", "mercadolibre", "aliexpress", ...
  std::string buyer_country;  // ISO 3166-1 alpha-2, upper case ("RU", "BR"); empty if unknown
  // Languages detected for the buyer's earlier messages in this conversation, oldest first.
  std::vector<std::string> history;
};

struct DetectedLanguage {
  // ISO 639-1 code ("ru", "es", "en", "uk", "pt", ...), or "unknown" when the text carries no
  // usable signal (empty, digits, emoji only) or no candidate is good enough.
  std::string language;
  double confidence = 0;  // 0..1; 0 for "unknown"
  // Which path decided (for logs and evaluation): "cld2" (a text long enough for CLD2, whose
  // vote is combined with the word evidence), "short_text" (word lists, alphabets and character
  // n-grams carried a short text), "transliteration" (Russian typed in Latin letters), "prior"
  // (the priors tipped the balance), "none" (unknown).
  std::string method;
};

inline constexpr std::string_view kUnknownLanguage = "unknown";

class LanguageDetector {
 public:
  // Builds the detector from its embedded word lists (no I/O).
  LanguageDetector();
  ~LanguageDetector();
  LanguageDetector(const LanguageDetector&) = delete;
  LanguageDetector& operator=(const LanguageDetector&) = delete;

  // Thread-safe; text is UTF-8 (invalid sequences are tolerated, not rejected).
  DetectedLanguage Detect(std::string_view text, const LanguagePriors& priors = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// CLD2 alone, best effort, top language or "unknown": the baseline the detector is measured
// against (tools/eval_language.py --cmd '... --cld2-only'). Not for production use.
DetectedLanguage DetectWithCld2Only(std::string_view text);

}  // namespace csgw::i18n
