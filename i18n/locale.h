#pragma once

// Reply locale negotiation: which locale a reply is written in, and where to fall back when the
// catalogue has no text for it.

#include <string>
#include <string_view>
#include <vector>

namespace csgw::i18n {

// The languages the template catalogue is written in, in fallback order of last resort.
inline constexpr std::string_view kReplyLanguages[] = {"ru", "es", "en"};

// BCP 47 tag for a reply to a buyer writing `language` from `country` (ISO 3166-1; may be
// empty): "ru"+"KZ" → "ru-KZ", "es"+"MX" → "es-MX", "en"+"GB" → "en-GB". When the pair is not a
// locale ICU knows ("ru"+"DE"), the language's main locale ("ru-RU"); Spanish without a country
// stays "es" (neutral), Portuguese from Brazil "pt-BR". An unknown or empty language gives the
// country's main language when it is a reply language, else "en".
std::string NegotiateLocale(std::string_view language, std::string_view country);

// Most specific first, ending in "en": "es-MX" → {"es-MX", "es", "en"}; "ru-KZ" → {"ru-KZ",
// "ru", "en"}; "pt-BR" → {"pt-BR", "pt", "en"}; "en-GB" → {"en-GB", "en"}.
std::vector<std::string> FallbackChain(std::string_view locale);

// The language subtag: "es-MX" → "es".
std::string_view LanguageOf(std::string_view locale);

// The region subtag, upper case: "es-MX" → "MX"; "" when there is none.
std::string_view RegionOf(std::string_view locale);

// The country a marketplace serves when it serves one ("ozon", "wildberries" → "RU"); "" for
// the international ones (AliExpress, eBay, Mercado Libre's sites differ by country).
std::string_view MarketplaceCountry(std::string_view marketplace);

// The currency a buyer in `country` pays in by default (ISO 4217), "" when not known.
std::string_view DefaultCurrency(std::string_view country);

}  // namespace csgw::i18n
