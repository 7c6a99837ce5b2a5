#include "i18n/format.h"

#include <unicode/listformatter.h>
#include <unicode/locid.h>
#include <unicode/numberformatter.h>
#include <unicode/plurrule.h>
#include <unicode/reldatefmt.h>
#include <unicode/simpletz.h>
#include <unicode/smpdtfmt.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "i18n/time_zone.h"

namespace csgw::i18n {
namespace {

// Per-thread caches: ICU date, list and relative formatters are not safe to share between
// threads, and thread-local maps need no lock on the hot path. Locales come from negotiation
// (a handful), but a cache never grows without bound.
constexpr size_t kMaxCached = 256;
// Formatted calendar days per thread: a few years of days in a few locales.
constexpr size_t kMaxCachedDays = 8192;

template <class V>
V& Cached(std::unordered_map<std::string, V>& cache, const std::string& key, auto&& make) {
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  if (cache.size() >= kMaxCached) cache.clear();
  return cache.emplace(key, make()).first->second;
}

icu::Locale ToIcu(std::string_view tag) {
  UErrorCode status = U_ZERO_ERROR;
  icu::Locale locale = icu::Locale::forLanguageTag(
      icu::StringPiece(tag.data(), static_cast<int32_t>(tag.size())), status);
  if (U_FAILURE(status)) return icu::Locale::getEnglish();
  return locale;
}

std::string ToUtf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

bool IsDecimal(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s.empty() || s.size() > 40) return false;
  bool digits = false;
  bool point = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      return false;
    }
  }
  return digits && s.back() != '.';
}

}  // namespace

Result<std::string> FormatMoney(std::string_view locale, std::string_view amount,
                                std::string_view currency) {
  if (!IsDecimal(amount)) {
    return Error{Errc::kInvalidField, "amount must be a decimal number"};
  }
  if (currency.size() != 3 ||
      !std::all_of(currency.begin(), currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return Error{Errc::kInvalidField, "currency must be an ISO 4217 code such as RUB"};
  }
  thread_local std::unordered_map<std::string, icu::number::LocalizedNumberFormatter> cache;
  std::string key(locale);
  key.append("|").append(currency);
  auto& formatter = Cached(cache, key, [&] {
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString code(currency.data(), static_cast<int32_t>(currency.size()), US_INV);
    icu::CurrencyUnit unit(code.getTerminatedBuffer(), status);
    return icu::number::NumberFormatter::withLocale(ToIcu(locale)).unit(unit);
  });
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out =
      formatter
          .formatDecimal(icu::StringPiece(amount.data(), static_cast<int32_t>(amount.size())),
                         status)
          .toString(status);
  if (U_FAILURE(status)) return Error{Errc::kInvalidField, "amount cannot be formatted"};
  return ToUtf8(out);
}

std::string FormatNumber(std::string_view locale, double value) {
  thread_local std::unordered_map<std::string, icu::number::LocalizedNumberFormatter> cache;
  auto& formatter = Cached(cache, std::string(locale),
                           [&] { return icu::number::NumberFormatter::withLocale(ToIcu(locale)); });
  UErrorCode status = U_ZERO_ERROR;
  return ToUtf8(formatter.formatDouble(value, status).toString(status));
}

Result<std::string> FormatDate(std::string_view locale, TimePoint instant, std::string_view zone,
                               DateStyle style) {
  auto offset = OffsetAt(zone, instant);
  if (!offset) return offset.error();
  std::string key(locale);
  key.push_back('|');
  key.push_back(static_cast<char>('0' + static_cast<int>(style)));

  // A date without a time depends only on the buyer's local calendar day, and drafts name the
  // same few days (delivery windows, ship-by dates) over and over: remember each day's text.
  const bool date_only = style != DateStyle::kTime && style != DateStyle::kLongDateTime;
  std::string day_key;
  thread_local std::unordered_map<std::string, std::string> day_texts;
  if (date_only) {
    const auto local_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(instant.time_since_epoch()) +
        offset.value().offset;
    const auto day = local_seconds.count() >= 0 ? local_seconds.count() / 86400
                                                : (local_seconds.count() - 86399) / 86400;
    day_key = key + "|" + std::to_string(day);
    if (auto it = day_texts.find(day_key); it != day_texts.end()) return it->second;
  }

  thread_local std::unordered_map<std::string, std::unique_ptr<icu::DateFormat>> cache;
  auto& format = Cached(cache, key, [&] {
    const icu::Locale loc = ToIcu(locale);
    using F = icu::DateFormat;
    switch (style) {
      case DateStyle::kShortDate:
        return std::unique_ptr<F>(F::createDateInstance(F::kShort, loc));
      case DateStyle::kMediumDate:
        return std::unique_ptr<F>(F::createDateInstance(F::kMedium, loc));
      case DateStyle::kLongDate:
        return std::unique_ptr<F>(F::createDateInstance(F::kLong, loc));
      case DateStyle::kFullDate:
        return std::unique_ptr<F>(F::createDateInstance(F::kFull, loc));
      case DateStyle::kTime:
        return std::unique_ptr<F>(F::createTimeInstance(F::kShort, loc));
      case DateStyle::kLongDateTime:
        return std::unique_ptr<F>(F::createDateTimeInstance(F::kLong, F::kShort, loc));
    }
    return std::unique_ptr<F>();
  });
  if (!format) return Error{Errc::kInternal, "no ICU date format for locale"};
  // A fixed-offset zone carrying the real offset at this instant: ICU 72 would compute the
  // offset from its own 2022e rules, which are wrong for Mexico and Kazakhstan.
  const icu::UnicodeString id(zone.data(), static_cast<int32_t>(zone.size()), US_INV);
  format->adoptTimeZone(
      new icu::SimpleTimeZone(static_cast<int32_t>(offset.value().offset.count() * 1000), id));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(instant.time_since_epoch());
  icu::UnicodeString out;
  format->format(static_cast<UDate>(ms.count()), out);
  std::string text = ToUtf8(out);
  if (date_only) {
    if (day_texts.size() >= kMaxCachedDays) day_texts.clear();
    day_texts.emplace(std::move(day_key), text);
  }
  return text;
}

std::string FormatRelative(std::string_view locale, int64_t amount, RelativeUnit unit) {
  thread_local std::unordered_map<std::string, std::unique_ptr<icu::RelativeDateTimeFormatter>>
      cache;
  auto& formatter = Cached(cache, std::string(locale), [&] {
    UErrorCode status = U_ZERO_ERROR;
    auto f = std::make_unique<icu::RelativeDateTimeFormatter>(ToIcu(locale), status);
    if (U_FAILURE(status)) f.reset();
    return f;
  });
  if (!formatter) return std::to_string(amount);
  URelativeDateTimeUnit u = UDAT_REL_UNIT_DAY;
  switch (unit) {
    case RelativeUnit::kMinute:
      u = UDAT_REL_UNIT_MINUTE;
      break;
    case RelativeUnit::kHour:
      u = UDAT_REL_UNIT_HOUR;
      break;
    case RelativeUnit::kDay:
      u = UDAT_REL_UNIT_DAY;
      break;
    case RelativeUnit::kWeek:
      u = UDAT_REL_UNIT_WEEK;
      break;
    case RelativeUnit::kMonth:
      u = UDAT_REL_UNIT_MONTH;
      break;
  }
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out;
  formatter->formatNumeric(static_cast<double>(amount), u, out, status);
  if (U_FAILURE(status)) return std::to_string(amount);
  return ToUtf8(out);
}

std::string FormatList(std::string_view locale, std::span<const std::string> items,
                       bool disjunction) {
  thread_local std::unordered_map<std::string, std::unique_ptr<icu::ListFormatter>> cache;
  std::string key(locale);
  key.append(disjunction ? "|or" : "|and");
  auto& formatter = Cached(cache, key, [&] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::ListFormatter> f(icu::ListFormatter::createInstance(
        ToIcu(locale), disjunction ? ULISTFMT_TYPE_OR : ULISTFMT_TYPE_AND, ULISTFMT_WIDTH_WIDE,
        status));
    if (U_FAILURE(status)) f.reset();
    return f;
  });
  std::vector<icu::UnicodeString> unicode;
  unicode.reserve(items.size());
  for (const auto& item : items) {
    unicode.push_back(icu::UnicodeString::fromUTF8(
        icu::StringPiece(item.data(), static_cast<int32_t>(item.size()))));
  }
  if (!formatter) {
    std::string joined;
    for (size_t i = 0; i < items.size(); ++i) joined.append(i ? ", " : "").append(items[i]);
    return joined;
  }
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out;
  formatter->format(unicode.data(), static_cast<int32_t>(unicode.size()), out, status);
  return ToUtf8(out);
}

std::string PluralCategory(std::string_view locale, double n) {
  thread_local std::unordered_map<std::string, std::unique_ptr<icu::PluralRules>> cache;
  auto& rules = Cached(cache, std::string(locale), [&] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::PluralRules> r(icu::PluralRules::forLocale(ToIcu(locale), status));
    if (U_FAILURE(status)) r.reset();
    return r;
  });
  if (!rules) return "other";
  return ToUtf8(rules->select(n));
}

}  // namespace csgw::i18n
