#include "base/strings.h"

#include <gtest/gtest.h>

namespace csgw {
namespace {

TEST(Strings, AsciiCaseLeavesOtherBytesAlone) {
  EXPECT_EQ(AsciiLower("Lazada_SG-Ä"), "lazada_sg-Ä");
  EXPECT_EQ(AsciiUpper("rtm_init"), "RTM_INIT");
  EXPECT_TRUE(EqualsIgnoreAsciiCase("ECDSA", "ecdsa"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("ecdsa", "ecdsa "));
}

TEST(Strings, Join) {
  EXPECT_EQ(Join({}, ","), "");
  EXPECT_EQ(Join({"a"}, ","), "a");
  EXPECT_EQ(Join({"a", "", "c"}, "\n"), "a\n\nc");
}

}  // namespace
}  // namespace csgw
