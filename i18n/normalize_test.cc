#include "i18n/normalize.h"

#include <gtest/gtest.h>

namespace csgw::i18n {
namespace {

TEST(FoldForMatching, CaseAndYo) {
  EXPECT_EQ(FoldForMatching("ЁЛКА Где ЗАКАЗ"), "елка где заказ");
  EXPECT_EQ(FoldForMatching("Мой"), "мой");  // й keeps its breve
}

TEST(FoldForMatching, LatinDiacritics) {
  EXPECT_EQ(FoldForMatching("¿Dónde está mi PEDIDO? Año Ñandú"),
            "¿donde esta mi pedido? ano nandu");
  EXPECT_EQ(FoldForMatching("Straße Łódź"), "strasse lodz");
}

TEST(FoldForMatching, Nfkc) { EXPECT_EQ(FoldForMatching("ｏｋ ﬁne ①"), "ok fine 1"); }

TEST(FoldForMatching, InvalidUtf8IsTolerated) {
  const std::string bad = std::string("ok \xff\xfe x");
  const std::string folded = FoldForMatching(bad);
  EXPECT_NE(folded.find("ok"), std::string::npos);
  EXPECT_NE(folded.find('x'), std::string::npos);
}

TEST(SplitWords, PunctuationAndApostrophes) {
  const std::string folded = FoldForMatching("Где заказ?? don't-worry, 3шт!!!");
  const auto words = SplitWords(folded);
  ASSERT_EQ(words.size(), 5u);
  EXPECT_EQ(words[0], "где");
  EXPECT_EQ(words[1], "заказ");
  EXPECT_EQ(words[2], "don't");
  EXPECT_EQ(words[3], "worry");
  EXPECT_EQ(words[4], "3шт");
}

TEST(SplitWords, Empty) {
  EXPECT_TRUE(SplitWords("").empty());
  EXPECT_TRUE(SplitWords("?!. ,").empty());
}

}  // namespace
}  // namespace csgw::i18n
