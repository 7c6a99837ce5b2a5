#pragma once

// Locale-aware formatting with ICU: money, numbers, dates and times in the buyer's zone,
// relative times, lists, plural categories. Formatters are built once per thread and locale and
// reused (building an ICU formatter costs an order of magnitude more than using one). Date
// formatting takes the UTC offset from the system tz database (i18n/time_zone.h), not from ICU.
//
// All functions are thread-safe. Locales are BCP 47 tags ("ru-RU", "es-MX", "en").

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace csgw::i18n {

// `amount` is an exact decimal ("1234.5", "-3", "0.99"); `currency` ISO 4217 ("RUB"). Rounded to
// the currency's usual digits (2 for RUB, 0 for CLP). ru-RU RUB → "1 234,50 ₽" (U+00A0 spaces).
// kInvalidField for an amount that is not a decimal number or a currency that is not 3 letters.
Result<std::string> FormatMoney(std::string_view locale, std::string_view amount,
                                std::string_view currency);

// Grouped decimal number: ru 1234.5 → "1 234,5".
std::string FormatNumber(std::string_view locale, double value);

enum class DateStyle {
  kShortDate,     // 15.01.2024 / 15/1/24 / 1/15/24
  kMediumDate,    // 15 янв. 2024 г. / 15 ene 2024 / Jan 15, 2024
  kLongDate,      // 15 января 2024 г. / 15 de enero de 2024 / January 15, 2024
  kFullDate,      // понедельник, 15 января 2024 г.
  kTime,          // 15:00 / 3:00 PM
  kLongDateTime,  // 15 января 2024 г. в 15:00 / 15 de enero de 2024, 15:00
};

// The instant as the wall clock of `zone` shows it. kInvalidField for an unknown zone.
Result<std::string> FormatDate(std::string_view locale, TimePoint instant, std::string_view zone,
                               DateStyle style);

enum class RelativeUnit { kMinute, kHour, kDay, kWeek, kMonth };

// Numeric relative time: +3 days → "через 3 дня" / "dentro de 3 días" / "in 3 days";
// -2 days → "2 дня назад" / "hace 2 días" / "2 days ago".
std::string FormatRelative(std::string_view locale, int64_t amount, RelativeUnit unit);

// "a, b и c" / "a, b y c" / "a, b, and c"; with `or` "a, b или c" / "a, b o c" / "a, b, or c".
std::string FormatList(std::string_view locale, std::span<const std::string> items,
                       bool disjunction = false);

// The CLDR plural category of `n` in the locale: "one", "few", "many", "other", ...
// (ru: 1 → one, 3 → few, 5 → many, 1.5 → other).
std::string PluralCategory(std::string_view locale, double n);

}  // namespace csgw::i18n
