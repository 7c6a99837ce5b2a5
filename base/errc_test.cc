#include "base/errc.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "base/result.h"

namespace csgw {
namespace {

TEST(Errc, EveryCodeHasAStatusAndAUniquePublicCode) {
  std::set<std::string> seen;
  for (int i = 0; i < static_cast<int>(Errc::kCount); ++i) {
    const auto code = static_cast<Errc>(i);
    const int status = HttpStatus(code);
    EXPECT_GE(status, 400);
    EXPECT_LT(status, 600);
    const std::string pub(PublicCode(code));
    EXPECT_FALSE(pub.empty());
    EXPECT_TRUE(seen.insert(pub).second) << "duplicate public code " << pub;
  }
}

TEST(Errc, KeyMappingsAreStable) {
  EXPECT_EQ(HttpStatus(Errc::kBadSignature), 401);
  EXPECT_EQ(PublicCode(Errc::kBadSignature), "bad_signature");
  EXPECT_EQ(HttpStatus(Errc::kUnknownMarketplace), 404);
  EXPECT_EQ(HttpStatus(Errc::kPayloadTooLarge), 413);
  EXPECT_EQ(HttpStatus(Errc::kMissingField), 400);
  EXPECT_EQ(HttpStatus(Errc::kMalformedJson), 400);
}

Result<int> Half(int x) {
  if (x % 2 != 0) return MakeError(Errc::kInvalidField, "odd");
  return x / 2;
}

TEST(Result, CarriesValueOrError) {
  auto ok = Half(4);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok.value(), 2);
  auto bad = Half(3);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kInvalidField);
  EXPECT_EQ(bad.error().message, "odd");
}

}  // namespace
}  // namespace csgw
