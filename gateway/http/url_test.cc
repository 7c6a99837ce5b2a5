#include "gateway/http/url.h"

#include <gtest/gtest.h>

namespace csgw::http {
namespace {

TEST(Url, SplitsPathAndQuery) {
  auto t = ParseTarget("/v1/webhooks/ebay?challenge_code=a%2Bb&store=s+1&store=second");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/v1/webhooks/ebay");
  EXPECT_EQ(t->query.at("challenge_code"), "a+b");
  EXPECT_EQ(t->query.at("store"), "s 1");  // first occurrence wins
}

TEST(Url, PathKeepsPlusAndDecodesEscapes) {
  auto t = ParseTarget("/a+b/%D0%BE");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/a+b/\xD0\xBE");
  EXPECT_TRUE(t->query.empty());
}

TEST(Url, RejectsMalformed) {
  EXPECT_FALSE(ParseTarget("http://example.com/"));
  EXPECT_FALSE(ParseTarget("/bad%zz"));
  EXPECT_FALSE(ParseTarget("/bad%4"));
  EXPECT_FALSE(ParseTarget(""));
}

TEST(Url, EmptyValuesAndSeparators) {
  auto t = ParseTarget("/p?a=&&b&c=1#frag");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->query.at("a"), "");
  EXPECT_EQ(t->query.at("b"), "");
  EXPECT_EQ(t->query.at("c"), "1");
}

}  // namespace
}  // namespace csgw::http
