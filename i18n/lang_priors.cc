#include "i18n/lang_priors.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace csgw::i18n {
namespace {

// Each earlier message in the conversation counts this much for its language, up to the cap:
// a buyer rarely switches language, but history must not outvote the letters of the new message.
constexpr double kHistoryWeight = 0.7;
constexpr double kHistoryCap = 2.1;

std::unordered_map<std::string, std::vector<std::pair<int, double>>> ParseTable(
    std::span<const EmbeddedFile> data, std::string_view name) {
  const auto content = FindEmbedded(data, name);
  if (!content) std::abort();
  std::unordered_map<std::string, std::vector<std::pair<int, double>>> table;
  std::istringstream in{std::string(*content)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#') continue;
    std::istringstream fields(line);
    std::string key, code;
    double weight = 0;
    if (!(fields >> key >> code >> weight)) std::abort();
    const int language = ModelLanguageIndex(code);
    if (language < 0) std::abort();
    table[key].emplace_back(language, weight);
  }
  return table;
}

void Add(LanguageScores& scores, int language, double weight) {
  scores[language] += weight;
  // A Russian-speaking buyer may type in Latin letters: the prior is the language's, not the
  // script's.
  if (language == kRu) scores[kRuLatn] += weight;
}

}  // namespace

LanguagePriorTable::LanguagePriorTable(std::span<const EmbeddedFile> data)
    : marketplace_(ParseTable(data, "data/lang/marketplace_languages.txt")),
      country_(ParseTable(data, "data/lang/country_languages.txt")) {
  const auto content = FindEmbedded(data, "data/lang/base_rates.txt");
  if (!content) std::abort();
  std::istringstream in{std::string(*content)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#') continue;
    std::istringstream fields(line);
    std::string code;
    double weight = 0;
    if (!(fields >> code >> weight) || ModelLanguageIndex(code) < 0) std::abort();
    base_rates_[ModelLanguageIndex(code)] = weight;
  }
}

LanguageScores LanguagePriorTable::Priors(const LanguagePriors& priors) const {
  LanguageScores scores{};
  std::string country = priors.buyer_country;
  std::transform(country.begin(), country.end(), country.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  std::string marketplace = priors.marketplace;
  std::transform(marketplace.begin(), marketplace.end(), marketplace.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });

  if (!marketplace.empty()) {
    auto it = country.empty() ? marketplace_.end() : marketplace_.find(marketplace + ":" + country);
    if (it == marketplace_.end()) it = marketplace_.find(marketplace);
    if (it != marketplace_.end()) {
      for (const auto& [language, weight] : it->second) Add(scores, language, weight);
    }
  }
  if (auto it = country_.find(country); it != country_.end()) {
    for (const auto& [language, weight] : it->second) Add(scores, language, weight);
  }
  LanguageScores history{};
  for (const std::string& code : priors.history) {
    const int language = ModelLanguageIndex(code);
    if (language < 0) continue;  // "unknown" or a language the model does not score
    history[language] = std::min(kHistoryCap, history[language] + kHistoryWeight);
  }
  for (int l = 0; l < kModelLanguageCount; ++l) {
    if (history[l] != 0) Add(scores, l, history[l]);
  }
  return scores;
}

}  // namespace csgw::i18n
