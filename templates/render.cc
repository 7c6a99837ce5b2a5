#include "templates/render.h"

#include <unicode/fmtable.h>
#include <unicode/msgfmt.h>

#include <charconv>
#include <memory>
#include <unordered_map>
#include <vector>

#include "base/timestamp.h"
#include "i18n/format.h"
#include "templates/message_pattern.h"

namespace csgw::templates {
namespace {

icu::UnicodeString Unicode(std::string_view s) {
  return icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
}

struct CompiledPattern {
  std::unique_ptr<icu::MessageFormat> format;
  std::vector<std::string> names;  // the arguments, unique
  std::vector<icu::UnicodeString> unicode_names;
};

// Keyed by locale + NUL + pattern. Bounded: patterns come from the catalogue, but the CLI and
// the API also render free patterns.
constexpr size_t kMaxCachedPatterns = 4096;

Result<const CompiledPattern*> Compile(std::string_view pattern, const std::string& locale) {
  thread_local std::unordered_map<std::string, CompiledPattern> cache;
  std::string key = locale;
  key.push_back('\0');
  key.append(pattern);
  if (auto it = cache.find(key); it != cache.end()) return &it->second;

  auto info = AnalyzePattern(pattern);
  if (!info) return info.error();
  UErrorCode status = U_ZERO_ERROR;
  UParseError parse_error{};
  UErrorCode locale_status = U_ZERO_ERROR;
  const icu::Locale icu_locale = icu::Locale::forLanguageTag(locale, locale_status);
  CompiledPattern compiled;
  compiled.format = std::make_unique<icu::MessageFormat>(
      Unicode(pattern), U_SUCCESS(locale_status) ? icu_locale : icu::Locale::getEnglish(),
      parse_error, status);
  if (U_FAILURE(status)) {
    return Error{Errc::kInvalidField,
                 std::string("template cannot be compiled: ") + u_errorName(status)};
  }
  compiled.names = info.value().Names();
  for (const auto& n : compiled.names) compiled.unicode_names.push_back(Unicode(n));
  if (cache.size() >= kMaxCachedPatterns) cache.clear();
  return &cache.emplace(std::move(key), std::move(compiled)).first->second;
}

// Fills `out` in place: icu::Formattable has no move constructor, so returning one by value (in
// a Result, then into the argument vector) copied every argument twice, string included.
Result<void> ToFormattable(const VariableValue& value, const RenderOptions& options,
                           icu::Formattable& out) {
  struct Visitor {
    const RenderOptions& options;
    icu::Formattable& out;
    Result<void> operator()(const std::string& s) const {
      out.adoptString(new icu::UnicodeString(Unicode(s)));
      return Ok();
    }
    Result<void> operator()(int64_t n) const {
      out.setInt64(n);
      return Ok();
    }
    Result<void> operator()(double d) const {
      out.setDouble(d);
      return Ok();
    }
    Result<void> operator()(const MoneyValue& m) const {
      auto text = i18n::FormatMoney(options.locale, m.amount, m.currency);
      if (!text) return text.error();
      out.adoptString(new icu::UnicodeString(Unicode(text.value())));
      return Ok();
    }
    Result<void> operator()(TimePoint t) const {
      auto text =
          i18n::FormatDate(options.locale, t, options.time_zone, i18n::DateStyle::kLongDate);
      if (!text) return text.error();
      out.adoptString(new icu::UnicodeString(Unicode(text.value())));
      return Ok();
    }
  };
  return std::visit(Visitor{options, out}, value);
}

}  // namespace

Result<std::string> Render(std::string_view pattern, const Variables& variables,
                           const RenderOptions& options) {
  auto compiled = Compile(pattern, options.locale);
  if (!compiled) return compiled.error();
  const CompiledPattern& c = *compiled.value();
  std::vector<icu::Formattable> arguments(c.names.size());
  for (size_t i = 0; i < c.names.size(); ++i) {
    const std::string& name = c.names[i];
    auto it = variables.find(name);
    if (it == variables.end()) {
      return Error{Errc::kMissingField, "variable '" + name + "' is required by the template"};
    }
    auto filled = ToFormattable(it->second, options, arguments[i]);
    if (!filled) {
      return Error{filled.error().code, "variable '" + name + "': " + filled.error().message};
    }
  }
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out;
  c.format->format(c.unicode_names.data(), arguments.data(), static_cast<int32_t>(arguments.size()),
                   out, status);
  if (U_FAILURE(status)) {
    return Error{Errc::kInvalidField, std::string("rendering failed: ") + u_errorName(status)};
  }
  std::string text;
  out.toUTF8String(text);
  return text;
}

Result<VariableValue> ParseVariable(VariableType type, std::string_view text,
                                    std::string_view default_currency) {
  switch (type) {
    case VariableType::kString:
      return VariableValue(std::string(text));
    case VariableType::kNumber: {
      int64_t n = 0;
      const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec == std::errc() && p == text.data() + text.size()) return VariableValue(n);
      double d = 0;
      const auto [q, ec2] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec2 == std::errc() && q == text.data() + text.size()) return VariableValue(d);
      return Error{Errc::kInvalidField, "must be a number"};
    }
    case VariableType::kMoney: {
      MoneyValue money;
      const size_t space = text.find(' ');
      money.amount = std::string(text.substr(0, space));
      money.currency = space == std::string_view::npos ? std::string(default_currency)
                                                       : std::string(text.substr(space + 1));
      if (money.currency.empty()) {
        return Error{Errc::kInvalidField, "money needs a currency: \"1234.50 RUB\""};
      }
      // Validate now, so that a bad value is reported where it was typed.
      auto formatted = i18n::FormatMoney("en", money.amount, money.currency);
      if (!formatted) return formatted.error();
      return VariableValue(std::move(money));
    }
    case VariableType::kDate: {
      auto instant = ParseIsoDateTime(text);
      if (!instant) {
        return Error{Errc::kInvalidField, "must be an ISO 8601 instant with a zone designator"};
      }
      return VariableValue(*instant);
    }
  }
  return Error{Errc::kInvalidField, "unknown variable type"};
}

}  // namespace csgw::templates
