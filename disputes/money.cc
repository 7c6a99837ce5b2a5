#include "disputes/money.h"

#include <algorithm>
#include <array>
#include <utility>

#include "base/json.h"

namespace csgw::disputes {
namespace {

// 30 significant digits stay far below 2^127 (1.7e38) even after a multiplication by 10^4
// basis points and a rescale, so no operation here can overflow.
constexpr int kMaxDigits = 30;
constexpr int kMaxScale = 12;

__int128 Pow10(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

}  // namespace

Money FromProto(const proto::Money& money) { return Money{money.amount(), money.currency()}; }

proto::Money ToProto(const Money& money) {
  proto::Money out;
  out.set_amount(money.amount);
  out.set_currency(money.currency);
  return out;
}

Result<Decimal> Decimal::Parse(std::string_view text, std::string_view field) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.front() < '0' || s.front() > '9') {
    return FieldError(field, "must be a decimal amount like \"1234.50\"");
  }
  __int128 units = 0;
  int digits = 0;
  int scale = 0;
  bool seen_point = false;
  for (char c : s) {
    if (c == '.') {
      if (seen_point) return FieldError(field, "has more than one decimal point");
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') return FieldError(field, "must be a decimal amount like \"1234.50\"");
    if (units != 0 || c != '0') ++digits;
    if (digits > kMaxDigits) return FieldError(field, "has too many digits");
    units = units * 10 + (c - '0');
    if (seen_point && ++scale > kMaxScale) return FieldError(field, "has too many fraction digits");
  }
  if (seen_point && scale == 0) return FieldError(field, "ends with a decimal point");
  return Decimal(negative ? -units : units, scale);
}

Decimal Decimal::operator+(const Decimal& other) const {
  const int scale = std::max(scale_, other.scale_);
  return Decimal(units_ * Pow10(scale - scale_) + other.units_ * Pow10(scale - other.scale_),
                 scale);
}

Decimal Decimal::operator-(const Decimal& other) const {
  return *this + Decimal(-other.units_, other.scale_);
}

Decimal Decimal::TimesBasisPoints(int64_t basis_points) const {
  return Decimal(units_ * basis_points, scale_ + 4);
}

Decimal Decimal::Rounded(int scale) const {
  if (scale >= scale_) return Decimal(units_ * Pow10(scale - scale_), scale);
  const __int128 divisor = Pow10(scale_ - scale);
  const __int128 magnitude = units_ < 0 ? -units_ : units_;
  __int128 q = magnitude / divisor;
  if ((magnitude % divisor) * 2 >= divisor) ++q;  // half away from zero
  return Decimal(units_ < 0 ? -q : q, scale);
}

std::strong_ordering Decimal::operator<=>(const Decimal& other) const {
  const int scale = std::max(scale_, other.scale_);
  const __int128 a = units_ * Pow10(scale - scale_);
  const __int128 b = other.units_ * Pow10(scale - other.scale_);
  return a < b ? std::strong_ordering::less
               : (a > b ? std::strong_ordering::greater : std::strong_ordering::equal);
}

std::string Decimal::ToString() const {
  __int128 magnitude = units_ < 0 ? -units_ : units_;
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  while (static_cast<int>(digits.size()) <= scale_) digits.push_back('0');
  std::reverse(digits.begin(), digits.end());
  if (scale_ > 0) digits.insert(digits.end() - scale_, '.');
  if (units_ < 0) digits.insert(digits.begin(), '-');
  return digits;
}

int MinorUnitDigits(std::string_view currency) {
  // ISO 4217 currencies whose minor unit is not 2 digits; everything else is 2.
  static constexpr std::array<std::string_view, 16> kZero = {
      "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
      "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"};
  static constexpr std::array<std::string_view, 7> kThree = {"BHD", "IQD", "JOD", "KWD",
                                                             "LYD", "OMR", "TND"};
  if (std::find(kZero.begin(), kZero.end(), currency) != kZero.end()) return 0;
  if (std::find(kThree.begin(), kThree.end(), currency) != kThree.end()) return 3;
  return 2;
}

Result<Decimal> ParseMoney(const Money& money, std::string_view field) {
  const bool code_ok =
      money.currency.size() == 3 && std::all_of(money.currency.begin(), money.currency.end(),
                                                [](char c) { return c >= 'A' && c <= 'Z'; });
  if (!code_ok) {
    return FieldError(std::string(field) + ".currency", "must be an upper-case ISO 4217 code");
  }
  return Decimal::Parse(money.amount, std::string(field) + ".amount");
}

Result<Money> PercentOf(const Money& money, int64_t basis_points) {
  auto value = ParseMoney(money);
  if (!value) return value.error();
  const Decimal share =
      value.value().TimesBasisPoints(basis_points).Rounded(MinorUnitDigits(money.currency));
  return Money{share.ToString(), money.currency};
}

Result<Money> Add(const Money& a, const Money& b) {
  if (a.currency != b.currency) {
    return MakeError(Errc::kInvalidField,
                     "cannot add " + a.currency + " and " + b.currency + " amounts");
  }
  auto x = ParseMoney(a);
  if (!x) return x.error();
  auto y = ParseMoney(b);
  if (!y) return y.error();
  const Decimal sum =
      (x.value() + y.value())
          .Rounded(std::max({x.value().scale(), y.value().scale(), MinorUnitDigits(a.currency)}));
  return Money{sum.ToString(), a.currency};
}

Result<std::strong_ordering> Compare(const Money& a, const Money& b) {
  if (a.currency != b.currency) {
    return MakeError(Errc::kInvalidField,
                     "cannot compare " + a.currency + " and " + b.currency + " amounts");
  }
  auto x = ParseMoney(a);
  if (!x) return x.error();
  auto y = ParseMoney(b);
  if (!y) return y.error();
  return x.value() <=> y.value();
}

Money ZeroMoney(std::string_view currency) {
  return Money{Decimal::FromInt(0).Rounded(MinorUnitDigits(currency)).ToString(),
               std::string(currency)};
}

}  // namespace csgw::disputes
