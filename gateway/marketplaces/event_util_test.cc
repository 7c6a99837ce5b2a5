#include "gateway/marketplaces/event_util.h"

#include <gtest/gtest.h>

namespace csgw::gateway {
namespace {

TEST(CheckUrlToken, NoConfiguredTokenAcceptsAnything) {
  InboundRequest request;
  EXPECT_TRUE(CheckUrlToken(request, ""));
  request.query["token"] = "anything";
  EXPECT_TRUE(CheckUrlToken(request, ""));
}

TEST(CheckUrlToken, ConfiguredTokenMustMatchExactly) {
  const std::string token = "s3cr3t-url-token_0123456789";
  InboundRequest request;
  auto missing = CheckUrlToken(request, token);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kBadSignature);
  EXPECT_NE(missing.error().message.find("'token'"), std::string::npos) << missing.error().message;

  // Empty, a prefix, an extension, one changed character, a guess: all refused, and the message
  // repeats neither the expected token nor what was sent.
  for (const std::string& wrong :
       {std::string(""), token.substr(0, token.size() - 1), token + "x",
        std::string("S") + token.substr(1), std::string("guess-PRIVATE-ATTEMPT")}) {
    request.query["token"] = wrong;
    auto verified = CheckUrlToken(request, token);
    ASSERT_FALSE(verified) << wrong;
    EXPECT_EQ(verified.error().code, Errc::kBadSignature);
    EXPECT_EQ(verified.error().message.find(token), std::string::npos) << verified.error().message;
    if (!wrong.empty()) {
      EXPECT_EQ(verified.error().message.find(wrong), std::string::npos)
          << verified.error().message;
    }
  }
  request.query["token"] = token;
  EXPECT_TRUE(CheckUrlToken(request, token));
  request.query["source"] = "other parameters do not matter";
  EXPECT_TRUE(CheckUrlToken(request, token));
}

TEST(StableId, PartsAreSeparatedSoShiftsDoNotCollide) {
  EXPECT_NE(StableId({"ab", "c"}), StableId({"a", "bc"}));
  EXPECT_NE(StableId({"", "a"}), StableId({"a", ""}));
  EXPECT_EQ(StableId({"x", "y"}), StableId({"x", "y"}));
}

TEST(CheckFreshness, WindowEdges) {
  const TimePoint now = FromUnixMillis(1'700'000'000'000);
  const auto age = std::chrono::seconds(60);
  EXPECT_TRUE(CheckFreshness(now - age, now, age));
  EXPECT_EQ(CheckFreshness(now - age - std::chrono::seconds(1), now, age).error().code,
            Errc::kStaleRequest);
  EXPECT_TRUE(CheckFreshness(now + std::chrono::minutes(15), now, age));
  EXPECT_EQ(CheckFreshness(now + std::chrono::minutes(16), now, age).error().code,
            Errc::kStaleRequest);
}

TEST(NewEvent, ContentTypeHeaderMustBeUsable) {
  InboundRequest request;
  request.body = "{}";
  request.headers["content-type"] = "application/json; charset=\xff\xfe";
  const TimePoint t = FromUnixMillis(1'700'000'000'000);
  EXPECT_EQ(NewEvent("ozon", "s", "e", t, t, request).raw().content_type(), "application/json");
  request.headers["content-type"] = "text/plain";
  EXPECT_EQ(NewEvent("ozon", "s", "e", t, t, request).raw().content_type(), "text/plain");
}

}  // namespace
}  // namespace csgw::gateway
