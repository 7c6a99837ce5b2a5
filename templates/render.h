#pragma once

// Rendering ICU MessageFormat patterns with typed variables. Money is formatted in the buyer's
// locale and currency and dates in the buyer's time zone before they reach the pattern, so
// translators write a plain {refund_amount} or {delivery_date}; numbers drive plurals.
// Compiled MessageFormats are cached per thread, locale and pattern.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "base/clock.h"
#include "base/result.h"

namespace csgw::templates {

struct MoneyValue {
  std::string amount;    // exact decimal, "1234.50"
  std::string currency;  // ISO 4217
};

using VariableValue = std::variant<std::string, int64_t, double, MoneyValue, TimePoint>;
using Variables = std::map<std::string, VariableValue, std::less<>>;

struct RenderOptions {
  std::string locale = "en";      // BCP 47: plural rules, number, money and date formats
  std::string time_zone = "UTC";  // IANA zone for date values (offsets from the system tz db)
};

// kInvalidField for a pattern ICU cannot parse or a value that cannot be formatted (bad money,
// unknown zone); kMissingField naming the first variable the pattern uses that `variables`
// lacks, so that no "{tracking_number}" ever reaches a buyer.
Result<std::string> Render(std::string_view pattern, const Variables& variables,
                           const RenderOptions& options);

// The declared type of a catalogue variable (templates/catalog/variables.json).
enum class VariableType { kString, kNumber, kMoney, kDate };

// A value typed from text, as the CLI and the API take it: number "21"; money "1234.50" with
// `default_currency`, or "1234.50 RUB"; date an ISO 8601 instant. kInvalidField if it does not
// parse.
Result<VariableValue> ParseVariable(VariableType type, std::string_view text,
                                    std::string_view default_currency);

}  // namespace csgw::templates
