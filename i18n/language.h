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
  // Which path decided: "cld2", "short_text", "transliteration", "prior" (for logs and evaluation).
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

}  // namespace csgw::i18n
