#pragma once

// Priors on a buyer's language from outside the text: the marketplace site, the buyer's country
// and the languages of the conversation's earlier messages. Tables come from the embedded
// data/lang/{marketplace,country}_languages.txt.

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/embedded.h"
#include "i18n/language.h"
#include "i18n/short_text.h"

namespace csgw::i18n {

class LanguagePriorTable {
 public:
  // Malformed data is a build bug and aborts.
  explicit LanguagePriorTable(std::span<const EmbeddedFile> data);

  // Log-odds points per model language; all zero when nothing is known. Thread-safe.
  LanguageScores Priors(const LanguagePriors& priors) const;
  // The languages csgw's buyers write most (data/lang/base_rates.txt), for every message.
  const LanguageScores& BaseRates() const { return base_rates_; }

 private:
  using Entries = std::vector<std::pair<int, double>>;    // model language, weight
  std::unordered_map<std::string, Entries> marketplace_;  // "ozon", "mercadolibre:BR"
  std::unordered_map<std::string, Entries> country_;      // "BR"
  LanguageScores base_rates_{};
};

}  // namespace csgw::i18n
