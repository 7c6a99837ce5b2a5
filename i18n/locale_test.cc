#include "i18n/locale.h"

#include <gtest/gtest.h>

namespace csgw::i18n {
namespace {

using Chain = std::vector<std::string>;

TEST(NegotiateLocale, LanguageAndCountry) {
  EXPECT_EQ(NegotiateLocale("ru", "RU"), "ru-RU");
  EXPECT_EQ(NegotiateLocale("ru", "KZ"), "ru-KZ");
  EXPECT_EQ(NegotiateLocale("ru", "by"), "ru-BY");
  EXPECT_EQ(NegotiateLocale("es", "ES"), "es-ES");
  EXPECT_EQ(NegotiateLocale("es", "MX"), "es-MX");
  EXPECT_EQ(NegotiateLocale("es", "AR"), "es-AR");
  EXPECT_EQ(NegotiateLocale("es", "CL"), "es-CL");
  EXPECT_EQ(NegotiateLocale("es", "CO"), "es-CO");
  EXPECT_EQ(NegotiateLocale("es", "PE"), "es-PE");
  EXPECT_EQ(NegotiateLocale("en", "US"), "en-US");
  EXPECT_EQ(NegotiateLocale("en", "GB"), "en-GB");
  EXPECT_EQ(NegotiateLocale("pt", "BR"), "pt-BR");
}

TEST(NegotiateLocale, CountryWithoutThatLocale) {
  EXPECT_EQ(NegotiateLocale("ru", "DE"), "ru-RU");
  EXPECT_EQ(NegotiateLocale("es", ""), "es");
  EXPECT_EQ(NegotiateLocale("en", ""), "en-US");
}

TEST(NegotiateLocale, UnknownLanguageUsesCountry) {
  EXPECT_EQ(NegotiateLocale("unknown", "RU"), "ru-RU");
  EXPECT_EQ(NegotiateLocale("", "MX"), "es-MX");
  EXPECT_EQ(NegotiateLocale("", "FR"), "en-US");
}

TEST(FallbackChain, EndsInEnglish) {
  EXPECT_EQ(FallbackChain("es-MX"), (Chain{"es-MX", "es", "en"}));
  EXPECT_EQ(FallbackChain("ru_KZ"), (Chain{"ru-KZ", "ru", "en"}));
  EXPECT_EQ(FallbackChain("en-GB"), (Chain{"en-GB", "en"}));
  EXPECT_EQ(FallbackChain("en"), (Chain{"en"}));
  EXPECT_EQ(FallbackChain(""), (Chain{"en"}));
}

TEST(LocaleParts, LanguageRegionCurrency) {
  EXPECT_EQ(LanguageOf("es-MX"), "es");
  EXPECT_EQ(LanguageOf("ru"), "ru");
  EXPECT_EQ(RegionOf("es-MX"), "MX");
  EXPECT_EQ(RegionOf("es"), "");
  EXPECT_EQ(RegionOf("sr-Latn-RS"), "RS");
  EXPECT_EQ(DefaultCurrency("kz"), "KZT");
  EXPECT_EQ(DefaultCurrency("BY"), "BYN");
  EXPECT_EQ(DefaultCurrency("XX"), "");
  EXPECT_EQ(MarketplaceCountry("ozon"), "RU");
  EXPECT_EQ(MarketplaceCountry("aliexpress"), "");
}

}  // namespace
}  // namespace csgw::i18n
