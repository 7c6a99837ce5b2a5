// Exact decimal money for the dispute library. Amounts stay decimal strings end to end (as in
// proto Money): refunds and coupons are computed on scaled integers, never through a double.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "proto/proto.h"

namespace csgw::disputes {

// An amount of money: a decimal string ("1234.50", "-3") and an ISO 4217 code ("RUB").
struct Money {
  std::string amount;
  std::string currency;

  friend bool operator==(const Money&, const Money&) = default;
};

Money FromProto(const proto::Money& money);
proto::Money ToProto(const Money& money);

// A parsed decimal: units / 10^scale. Holds up to 30 significant digits, enough for any
// marketplace amount in any currency (VND and IDR totals included) with room for percentages.
class Decimal {
 public:
  Decimal() = default;

  // "1234.50", "-3", "0.5", ".5" is rejected (marketplaces and our proto always write a leading
  // digit). kInvalidField names `field` when the text is not such a decimal.
  static Result<Decimal> Parse(std::string_view text, std::string_view field = "amount");
  static Decimal FromInt(int64_t value) { return Decimal(value, 0); }

  // Exact: the result has the larger scale of the two.
  Decimal operator+(const Decimal& other) const;
  Decimal operator-(const Decimal& other) const;
  // Exact product with a count of basis points (1/100 of a percent): 1550 = 15.5%.
  Decimal TimesBasisPoints(int64_t basis_points) const;
  // Rounded half away from zero to `scale` fraction digits (the currency's minor unit).
  Decimal Rounded(int scale) const;

  std::strong_ordering operator<=>(const Decimal& other) const;
  bool operator==(const Decimal& other) const { return (*this <=> other) == 0; }

  bool IsZero() const { return units_ == 0; }
  bool IsNegative() const { return units_ < 0; }
  // Decimal text with exactly `scale()` fraction digits: "123.40", "-3", "0.05".
  std::string ToString() const;
  int scale() const { return scale_; }

 private:
  Decimal(__int128 units, int scale) : units_(units), scale_(scale) {}
  __int128 units_ = 0;
  int scale_ = 0;
};

// Fraction digits of a currency's minor unit (ISO 4217): 0 for JPY, KRW, CLP, VND, ...; 3 for
// BHD, KWD, OMR, JOD, TND, ...; 2 otherwise.
int MinorUnitDigits(std::string_view currency);

// kInvalidField unless `money` has a valid decimal amount and a three-letter upper-case code.
Result<Decimal> ParseMoney(const Money& money, std::string_view field = "amount");

// `percent_basis_points` of `money`, rounded to the currency's minor unit.
Result<Money> PercentOf(const Money& money, int64_t basis_points);
// a + b; kInvalidField when the currencies differ.
Result<Money> Add(const Money& a, const Money& b);
// a <=> b; kInvalidField when the currencies differ.
Result<std::strong_ordering> Compare(const Money& a, const Money& b);
// Zero in `currency`, written at its minor unit ("0.00", "0").
Money ZeroMoney(std::string_view currency);

}  // namespace csgw::disputes
