#include "disputes/money.h"

#include <gtest/gtest.h>

namespace csgw::disputes {
namespace {

TEST(DisputeMoney, ParsesAndPrintsExactly) {
  for (const char* text : {"0", "1234.50", "-3", "0.05", "99999999999999999999.99"}) {
    auto d = Decimal::Parse(text);
    ASSERT_TRUE(d) << text;
    EXPECT_EQ(d.value().ToString(), text);
  }
  for (const char* bad :
       {"", ".5", "1.", "1e5", "1,50", "--1", "12a", "1.2.3", "1234567890123456789012345678901"}) {
    auto d = Decimal::Parse(bad, "refund");
    ASSERT_FALSE(d) << bad;
    EXPECT_EQ(d.error().code, Errc::kInvalidField);
    EXPECT_NE(d.error().message.find("'refund'"), std::string::npos);
  }
}

TEST(DisputeMoney, PercentRoundsHalfAwayFromZeroAtTheMinorUnit) {
  struct Case {
    Money money;
    int64_t bp;
    Money want;
  } cases[] = {
      {{"1234.50", "RUB"}, 1500, {"185.18", "RUB"}},  // 185.175 → 185.18
      {{"10.00", "USD"}, 3333, {"3.33", "USD"}},
      {{"0.10", "USD"}, 5000, {"0.05", "USD"}},
      {{"1999", "JPY"}, 2500, {"500", "JPY"}},      // 499.75 → 500
      {{"12.345", "KWD"}, 1000, {"1.235", "KWD"}},  // 1.2345 → 1.235
      {{"1000000", "VND"}, 7200, {"720000", "VND"}},
      {{"-10.00", "USD"}, 5, {"-0.01", "USD"}},  // -0.005 → -0.01
  };
  for (const auto& c : cases) {
    auto got = PercentOf(c.money, c.bp);
    ASSERT_TRUE(got) << c.money.amount;
    EXPECT_EQ(got.value(), c.want) << c.money.amount << " x " << c.bp;
  }
}

TEST(DisputeMoney, AddAndCompareNeedOneCurrency) {
  auto sum = Add({"0.10", "USD"}, {"0.2", "USD"});
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum.value(), (Money{"0.30", "USD"}));
  EXPECT_FALSE(Add({"1", "USD"}, {"1", "EUR"}));
  auto cmp = Compare({"10.0", "USD"}, {"10.00", "USD"});
  ASSERT_TRUE(cmp);
  EXPECT_TRUE(cmp.value() == 0);
  EXPECT_TRUE(Compare({"9.99", "USD"}, {"10", "USD"}).value() < 0);
  EXPECT_FALSE(Compare({"1", "usd"}, {"1", "usd"}));
  EXPECT_EQ(ZeroMoney("JPY"), (Money{"0", "JPY"}));
  EXPECT_EQ(ZeroMoney("EUR"), (Money{"0.00", "EUR"}));
}

TEST(DisputeMoney, ProtoRoundTrip) {
  const Money m{"12.30", "MXN"};
  EXPECT_EQ(FromProto(ToProto(m)), m);
}

}  // namespace
}  // namespace csgw::disputes
