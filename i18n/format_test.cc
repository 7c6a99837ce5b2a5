#include "i18n/format.h"

#include <gtest/gtest.h>

#include <thread>

#include "base/timestamp.h"

namespace csgw::i18n {
namespace {

// CLDR separates groups and currency with U+00A0 in these locales.
#define NBSP "\u00a0"
#define NNBSP "\u202f"

TimePoint At(const char* iso) { return *ParseIsoDateTime(iso); }

TEST(FormatMoney, CurrenciesInTheirLocales) {
  EXPECT_EQ(FormatMoney("ru-RU", "1234.5", "RUB").value(), "1" NBSP "234,50" NBSP "₽");
  EXPECT_EQ(FormatMoney("es-MX", "1234.5", "MXN").value(), "$1,234.50");
  EXPECT_EQ(FormatMoney("en-US", "19.99", "USD").value(), "$19.99");
  EXPECT_EQ(FormatMoney("es-ES", "1234.5", "EUR").value(), "1234,50" NBSP "€");
  EXPECT_EQ(FormatMoney("ru-KZ", "15000", "KZT").value(), "15" NBSP "000,00" NBSP "₸");
  EXPECT_EQ(FormatMoney("ru-BY", "25.5", "BYN").value(), "25,50" NBSP "Br");
  EXPECT_EQ(FormatMoney("es-AR", "1500.25", "ARS").value(), "$" NBSP "1.500,25");
  EXPECT_EQ(FormatMoney("es-CL", "15990", "CLP").value(), "$15.990");  // no minor unit
  EXPECT_EQ(FormatMoney("es-CO", "59900", "COP").value(), "$" NBSP "59.900,00");
  EXPECT_EQ(FormatMoney("es-PE", "120.5", "PEN").value(), "S/" NBSP "120.50");
  EXPECT_EQ(FormatMoney("pt-BR", "99.9", "BRL").value(), "R$" NBSP "99,90");
}

TEST(FormatMoney, ExactDecimalsAndErrors) {
  // No trip through a double: a 17-digit amount keeps every digit.
  EXPECT_EQ(FormatMoney("en-US", "12345678901234.57", "USD").value(), "$12,345,678,901,234.57");
  EXPECT_EQ(FormatMoney("en-US", "-3", "USD").value(), "-$3.00");
  EXPECT_FALSE(FormatMoney("en-US", "12,50", "USD"));
  EXPECT_FALSE(FormatMoney("en-US", "1e5", "USD"));
  EXPECT_FALSE(FormatMoney("en-US", "", "USD"));
  EXPECT_FALSE(FormatMoney("en-US", "10", "usd"));
  EXPECT_FALSE(FormatMoney("en-US", "10", "RUBLE"));
}

TEST(FormatNumber, Grouping) {
  EXPECT_EQ(FormatNumber("ru", 1234.5), "1" NBSP "234,5");
  EXPECT_EQ(FormatNumber("en", 1234567), "1,234,567");
}

TEST(FormatDate, BuyerZoneFromTheSystemDatabase) {
  const TimePoint t = At("2024-07-01T12:00:00Z");
  EXPECT_EQ(FormatDate("es-MX", t, "America/Mexico_City", DateStyle::kTime).value(), "06:00");
  EXPECT_EQ(FormatDate("es-MX", t, "America/Mexico_City", DateStyle::kLongDate).value(),
            "1 de julio de 2024");
  EXPECT_EQ(
      FormatDate("ru-RU", At("2024-01-15T12:00:00Z"), "Europe/Moscow", DateStyle::kLongDateTime)
          .value(),
      "15 января 2024" NNBSP "г. в 15:00");
  EXPECT_EQ(FormatDate("en-US", t, "America/New_York", DateStyle::kMediumDate).value(),
            "Jul 1, 2024");
  // The date itself moves with the zone: 23:30 UTC is already the next day in Moscow.
  EXPECT_EQ(FormatDate("ru-RU", At("2024-12-31T23:30:00Z"), "Europe/Moscow", DateStyle::kShortDate)
                .value(),
            "01.01.2025");
  EXPECT_FALSE(FormatDate("ru-RU", t, "Nowhere/City", DateStyle::kTime));
}

TEST(FormatRelative, FutureAndPast) {
  EXPECT_EQ(FormatRelative("ru", 3, RelativeUnit::kDay), "через 3 дня");
  EXPECT_EQ(FormatRelative("ru", 5, RelativeUnit::kDay), "через 5 дней");
  EXPECT_EQ(FormatRelative("ru", -2, RelativeUnit::kDay), "2 дня назад");
  EXPECT_EQ(FormatRelative("es", -2, RelativeUnit::kDay), "hace 2 días");
  EXPECT_EQ(FormatRelative("es", 3, RelativeUnit::kHour), "dentro de 3 horas");
  EXPECT_EQ(FormatRelative("en", 1, RelativeUnit::kWeek), "in 1 week");
}

TEST(FormatList, ConjunctionAndDisjunction) {
  const std::vector<std::string> items = {"DHL", "Почта России", "СДЭК"};
  EXPECT_EQ(FormatList("ru", items), "DHL, Почта России и СДЭК");
  EXPECT_EQ(FormatList("ru", items, /*disjunction=*/true), "DHL, Почта России или СДЭК");
  const std::vector<std::string> es = {"un cupón", "un reembolso parcial"};
  EXPECT_EQ(FormatList("es", es, true), "un cupón o un reembolso parcial");
  const std::vector<std::string> en = {"a", "b", "c"};
  EXPECT_EQ(FormatList("en", en), "a, b, and c");
  EXPECT_EQ(FormatList("en", std::vector<std::string>{}), "");
}

TEST(PluralCategory, RussianHasOneFewMany) {
  EXPECT_EQ(PluralCategory("ru", 1), "one");
  EXPECT_EQ(PluralCategory("ru", 21), "one");
  EXPECT_EQ(PluralCategory("ru", 2), "few");
  EXPECT_EQ(PluralCategory("ru", 24), "few");
  EXPECT_EQ(PluralCategory("ru", 5), "many");
  EXPECT_EQ(PluralCategory("ru", 11), "many");
  EXPECT_EQ(PluralCategory("ru", 1.5), "other");
  EXPECT_EQ(PluralCategory("es", 1), "one");
  EXPECT_EQ(PluralCategory("es", 2), "other");
  EXPECT_EQ(PluralCategory("en", 0), "other");
}

// The caches are per thread; formatting from many threads at once must agree.
TEST(Format, ConcurrentUse) {
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (FormatMoney("ru-RU", "10", "RUB").value() != "10,00" NBSP "₽") ++bad;
        if (FormatRelative("es", -2, RelativeUnit::kDay) != "hace 2 días") ++bad;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace csgw::i18n
