#include "i18n/language.h"

#include <gtest/gtest.h>

namespace csgw::i18n {
namespace {

TEST(LanguageDetectorTest, Smoke) {
  const LanguageDetector detector;
  EXPECT_EQ(detector.Detect("Где заказ?").language, "ru");
}

}  // namespace
}  // namespace csgw::i18n
