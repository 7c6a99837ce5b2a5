#include "base/log.h"

#include <gtest/gtest.h>

namespace csgw::log {
namespace {

TEST(Log, EscapesControlCharactersAndQuotes) {
  std::string out;
  AppendJsonEscaped(out, "a\"b\\c\n\x01");
  EXPECT_EQ(out, "a\\\"b\\\\c\\n\\u0001");
}

TEST(Log, ParsesLevels) {
  Level level = Level::kInfo;
  EXPECT_TRUE(ParseLevel("warn", &level));
  EXPECT_EQ(level, Level::kWarn);
  EXPECT_FALSE(ParseLevel("loud", &level));
}

TEST(Log, WritesOneJsonLine) {
  testing::internal::CaptureStderr();
  SetLevel(Level::kInfo);
  Info("test.event", {{"id", "x1"}, {"n", 3}, {"ok", true}});
  Debug("test.hidden");
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("\"event\":\"test.event\",\"id\":\"x1\",\"n\":3,\"ok\":true}\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("test.hidden"), std::string::npos);
}

}  // namespace
}  // namespace csgw::log
