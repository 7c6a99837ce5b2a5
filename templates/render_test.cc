#include "templates/render.h"

#include <gtest/gtest.h>

#include "base/timestamp.h"

namespace csgw::templates {
namespace {

#define NBSP "\u00a0"

constexpr char kDays[] =
    "Посылка в пути {days, plural, one {# день} few {# дня} many {# дней} other {# дня}}";

TEST(Render, RussianPlurals) {
  for (auto [n, expected] : std::vector<std::pair<int64_t, std::string>>{{1, "1 день"},
                                                                         {2, "2 дня"},
                                                                         {5, "5 дней"},
                                                                         {11, "11 дней"},
                                                                         {21, "21 день"},
                                                                         {22, "22 дня"},
                                                                         {25, "25 дней"}}) {
    auto text = Render(kDays, {{"days", n}}, {"ru-RU", "Europe/Moscow"});
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_EQ(text.value(), "Посылка в пути " + expected);
  }
  EXPECT_EQ(Render(kDays, {{"days", 1.5}}, {"ru", "UTC"}).value(), "Посылка в пути 1,5 дня");
}

TEST(Render, MoneyAndDatesInTheBuyersLocaleAndZone) {
  const Variables vars = {
      {"amount", MoneyValue{"1234.5", "MXN"}},
      {"date", *ParseIsoDateTime("2024-07-02T03:00:00Z")},  // still July 1st in Mexico City
      {"name", std::string("Ana")},
  };
  auto text = Render("Hola {name}: reembolso de {amount} el {date}.", vars,
                     {"es-MX", "America/Mexico_City"});
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(text.value(), "Hola Ana: reembolso de $1,234.50 el 1 de julio de 2024.");
  auto rub = Render("{amount}", {{"amount", MoneyValue{"1234.5", "RUB"}}}, {"ru-RU", "UTC"});
  EXPECT_EQ(rub.value(), "1" NBSP "234,50" NBSP "₽");
}

TEST(Render, MissingVariableIsAnErrorNotALeftoverPlaceholder) {
  auto text = Render("Трек-номер: {tracking_number}", {}, {"ru", "UTC"});
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, Errc::kMissingField);
  EXPECT_NE(text.error().message.find("tracking_number"), std::string::npos);
}

TEST(Render, SyntaxErrorsAndBadValues) {
  auto bad = Render("Hola {name", {{"name", std::string("x")}}, {"es", "UTC"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kInvalidField);
  auto money = Render("{a}", {{"a", MoneyValue{"12,5", "EUR"}}}, {"es", "UTC"});
  ASSERT_FALSE(money);
  EXPECT_NE(money.error().message.find("'a'"), std::string::npos);
  auto zone = Render("{d}", {{"d", *ParseIsoDateTime("2024-01-01T00:00:00Z")}}, {"es", "Bad/Zone"});
  EXPECT_FALSE(zone);
}

TEST(Render, SelectAndSameValuesEveryTime) {
  constexpr char kPattern[] =
      "{holiday, select, chinese_new_year {Año Nuevo chino} golden_week {Semana Dorada} "
      "other {festivo}}";
  for (int i = 0; i < 3; ++i) {  // the second call comes from the cache
    EXPECT_EQ(Render(kPattern, {{"holiday", std::string("golden_week")}}, {"es", "UTC"}).value(),
              "Semana Dorada");
  }
  EXPECT_EQ(Render(kPattern, {{"holiday", std::string("x")}}, {"es", "UTC"}).value(), "festivo");
}

TEST(ParseVariable, TypedFromText) {
  EXPECT_EQ(std::get<int64_t>(ParseVariable(VariableType::kNumber, "21", "").value()), 21);
  EXPECT_FALSE(ParseVariable(VariableType::kNumber, "21 days", ""));
  auto money = ParseVariable(VariableType::kMoney, "1234.50", "RUB").value();
  EXPECT_EQ(std::get<MoneyValue>(money).currency, "RUB");
  auto explicit_currency = ParseVariable(VariableType::kMoney, "99.90 BRL", "RUB").value();
  EXPECT_EQ(std::get<MoneyValue>(explicit_currency).currency, "BRL");
  EXPECT_FALSE(ParseVariable(VariableType::kMoney, "12.5", ""));
  EXPECT_FALSE(ParseVariable(VariableType::kMoney, "abc RUB", ""));
  EXPECT_TRUE(ParseVariable(VariableType::kDate, "2024-07-01T12:00:00Z", ""));
  EXPECT_FALSE(ParseVariable(VariableType::kDate, "tomorrow", ""));
}

}  // namespace
}  // namespace csgw::templates
