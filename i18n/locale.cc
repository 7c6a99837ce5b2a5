#include "i18n/locale.h"

#include <unicode/locid.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <utility>

namespace csgw::i18n {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Locales ICU has data for ("ru_KZ", "es_MX", ...), read once.
const std::set<std::string>& IcuLocales() {
  static const std::set<std::string> locales = [] {
    std::set<std::string> s;
    int32_t count = 0;
    const icu::Locale* all = icu::Locale::getAvailableLocales(count);
    for (int32_t i = 0; i < count; ++i) s.insert(all[i].getName());
    return s;
  }();
  return locales;
}

// The language whose main locale each reply language falls back to without a known country.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kMainLocale = {{
    {"ru", "ru-RU"},
    {"en", "en-US"},
    {"pt", "pt-BR"},
    {"uk", "uk-UA"},
}};

// Countries whose buyers write to us in Russian or Spanish by default.
constexpr std::string_view kRussianCountries[] = {"RU", "BY", "KZ", "KG"};
constexpr std::string_view kSpanishCountries[] = {"ES", "MX", "AR", "CL", "CO", "PE", "EC",
                                                  "UY", "PY", "BO", "VE", "CR", "PA", "GT",
                                                  "DO", "HN", "SV", "NI", "CU", "PR"};

template <size_t N>
bool Contains(const std::string_view (&list)[N], std::string_view value) {
  return std::find(std::begin(list), std::end(list), value) != std::end(list);
}

constexpr std::array<std::pair<std::string_view, std::string_view>, 40> kCurrencies = {{
    {"RU", "RUB"}, {"BY", "BYN"}, {"KZ", "KZT"}, {"UA", "UAH"}, {"KG", "KGS"}, {"UZ", "UZS"},
    {"ES", "EUR"}, {"PT", "EUR"}, {"FR", "EUR"}, {"DE", "EUR"}, {"IT", "EUR"}, {"NL", "EUR"},
    {"IE", "EUR"}, {"MX", "MXN"}, {"AR", "ARS"}, {"CL", "CLP"}, {"CO", "COP"}, {"PE", "PEN"},
    {"BR", "BRL"}, {"UY", "UYU"}, {"PY", "PYG"}, {"BO", "BOB"}, {"EC", "USD"}, {"US", "USD"},
    {"GB", "GBP"}, {"CA", "CAD"}, {"AU", "AUD"}, {"PL", "PLN"}, {"BG", "BGN"}, {"CN", "CNY"},
    {"VE", "VES"}, {"CR", "CRC"}, {"PA", "USD"}, {"GT", "GTQ"}, {"DO", "DOP"}, {"MY", "MYR"},
    {"SG", "SGD"}, {"TH", "THB"}, {"PH", "PHP"}, {"ID", "IDR"},
}};

}  // namespace

std::string NegotiateLocale(std::string_view language, std::string_view country) {
  std::string lang = Lower(language);
  const std::string cc = Upper(country);
  if (lang.empty() || lang == "unknown") {
    if (Contains(kRussianCountries, cc)) {
      lang = "ru";
    } else if (Contains(kSpanishCountries, cc)) {
      lang = "es";
    } else {
      lang = "en";
    }
  }
  if (!cc.empty() && IcuLocales().count(lang + "_" + cc)) return lang + "-" + cc;
  if (lang == "es") return "es";  // neutral Spanish: no country to guess from
  for (const auto& [l, main] : kMainLocale) {
    if (l == lang) return std::string(main);
  }
  return lang;
}

std::string_view LanguageOf(std::string_view locale) {
  return locale.substr(0, locale.find_first_of("-_"));
}

std::string_view RegionOf(std::string_view locale) {
  // Subtags after the language: an optional 4-letter script, then a 2-letter region.
  size_t start = locale.find_first_of("-_");
  while (start != std::string_view::npos) {
    const size_t end = locale.find_first_of("-_", start + 1);
    const std::string_view subtag = locale.substr(
        start + 1, end == std::string_view::npos ? std::string_view::npos : end - start - 1);
    if (subtag.size() == 2) return subtag;
    if (subtag.size() != 4) break;  // a variant or extension: no region follows
    start = end;
  }
  return {};
}

std::vector<std::string> FallbackChain(std::string_view locale) {
  std::vector<std::string> chain;
  std::string tag(locale);
  std::replace(tag.begin(), tag.end(), '_', '-');
  while (!tag.empty()) {
    chain.push_back(tag);
    const size_t dash = tag.rfind('-');
    if (dash == std::string::npos) break;
    tag.resize(dash);
  }
  if (std::find(chain.begin(), chain.end(), "en") == chain.end()) chain.emplace_back("en");
  return chain;
}

std::string_view MarketplaceCountry(std::string_view marketplace) {
  if (marketplace == "ozon" || marketplace == "wildberries" || marketplace == "yandexmarket") {
    return "RU";
  }
  return {};
}

std::string_view DefaultCurrency(std::string_view country) {
  const std::string cc = Upper(country);
  for (const auto& [c, currency] : kCurrencies) {
    if (c == cc) return currency;
  }
  return {};
}

}  // namespace csgw::i18n
