#include "base/json.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace csgw {
namespace {

JsonDocument Parse(std::string_view text) {
  auto doc = JsonDocument::ParseObject(text);
  EXPECT_TRUE(doc) << (doc ? "" : doc.error().message);
  return std::move(doc).value();
}

TEST(JsonDocument, RejectsInvalidJsonWithoutEchoingIt) {
  auto doc = JsonDocument::ParseObject("{\"text\": \"secret buyer words\",");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code, Errc::kMalformedJson);
  EXPECT_EQ(doc.error().message.find("secret"), std::string::npos) << doc.error().message;
}

TEST(JsonDocument, RejectsNonObjectRoots) {
  for (const char* text : {"[1,2]", "\"x\"", "42", "null"}) {
    auto doc = JsonDocument::ParseObject(text);
    ASSERT_FALSE(doc) << text;
    EXPECT_EQ(doc.error().code, Errc::kInvalidField) << text;
  }
}

TEST(JsonDocument, RejectsEmptyAndTrailingGarbage) {
  for (const char* text : {"", "   ", "{} {}", "{\"a\":1} x"}) {
    auto doc = JsonDocument::ParseObject(text);
    ASSERT_FALSE(doc) << text;
    EXPECT_EQ(doc.error().code, Errc::kMalformedJson) << text;
  }
}

TEST(JsonDocument, StaysValidAfterMove) {
  JsonDocument doc = Parse(R"({"a":{"b":"c"}})");
  JsonDocument moved = std::move(doc);
  auto b = moved.root().Object("a").value().String("b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b.value(), "c");
}

TEST(JsonValue, IdsStayExactBeyondDoublePrecision) {
  // 2^53 + 1 is not representable as a double; Shopee message ids are larger still.
  JsonDocument doc = Parse(
      R"({"a": 9007199254740993, "b": "2302748948493123953", "c": 18446744073709551615,
          "d": -42, "e": 1.5, "f": 1e3, "g": true, "h": ""})");
  const JsonValue& root = doc.root();
  EXPECT_EQ(root.Id("a").value(), "9007199254740993");
  EXPECT_EQ(root.Id("b").value(), "2302748948493123953");
  EXPECT_EQ(root.Id("c").value(), "18446744073709551615");
  EXPECT_EQ(root.Id("d").value(), "-42");
  for (const char* key : {"e", "f", "g"}) {
    auto id = root.Id(key);
    ASSERT_FALSE(id) << key;
    EXPECT_EQ(id.error().code, Errc::kInvalidField) << key;
  }
  // Id() is required and non-empty.
  EXPECT_EQ(root.Id("h").error().code, Errc::kMissingField);
  EXPECT_EQ(root.Id("zz").error().code, Errc::kMissingField);
}

TEST(JsonValue, IntegersBeyondUint64MakeTheDocumentInvalid) {
  // simdjson 3.0 refuses such numbers outright rather than rounding them through a double.
  auto doc = JsonDocument::ParseObject(R"({"id": 99999999999999999999})");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code, Errc::kMalformedJson);
}

TEST(JsonValue, IntAcceptsQuotedIntegersOnly) {
  JsonDocument doc = Parse(R"({"a": 17, "b": "1726044722", "c": "12x", "d": "", "e": 2.0,
                               "f": 18446744073709551615, "g": "-5"})");
  const JsonValue& root = doc.root();
  EXPECT_EQ(root.Int("a").value(), 17);
  EXPECT_EQ(root.Int("b").value(), 1726044722);
  EXPECT_EQ(root.Int("g").value(), -5);
  for (const char* key : {"c", "d", "e", "f"}) {
    auto v = root.Int(key);
    ASSERT_FALSE(v) << key;
    EXPECT_EQ(v.error().code, Errc::kInvalidField) << key;
  }
}

TEST(JsonValue, ErrorsNameTheFieldPath) {
  JsonDocument doc =
      Parse(R"({"data": {"items": [{"sku": "A"}, {"sku": "B"}, {"sku": 3}, {"qty": 1}]}})");
  auto items = doc.root().Object("data").value().Get("items").value().AsArray();
  ASSERT_TRUE(items);
  ASSERT_EQ(items.value().size(), 4u);
  EXPECT_EQ(items.value()[1].String("sku").value(), "B");

  auto wrong = items.value()[2].String("sku");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::kInvalidField);
  EXPECT_EQ(wrong.error().message, "field 'data.items[2].sku' must be a string, not number");

  auto missing = items.value()[3].String("sku");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kMissingField);
  EXPECT_EQ(missing.error().message, "field 'data.items[3].sku' is required");
}

TEST(JsonValue, NullCountsAsAbsent) {
  JsonDocument doc = Parse(R"({"a": null, "b": "x"})");
  const JsonValue& root = doc.root();
  EXPECT_FALSE(root.Has("a"));
  EXPECT_TRUE(root.Has("b"));
  EXPECT_FALSE(root.Has("c"));
  EXPECT_EQ(root.String("a").error().code, Errc::kMissingField);
  EXPECT_FALSE(root.OptionalString("a").value().has_value());
  EXPECT_FALSE(root.OptionalObject("a").value().has_value());
}

TEST(JsonValue, NonEmptyStringTreatsEmptyAsMissing) {
  JsonDocument doc = Parse(R"({"a": "", "b": "x"})");
  EXPECT_EQ(doc.root().NonEmptyString("a").error().code, Errc::kMissingField);
  EXPECT_EQ(doc.root().NonEmptyString("b").value(), "x");
  EXPECT_EQ(doc.root().String("a").value(), "");
}

TEST(JsonValue, OptionalMembersStillCheckTheirType) {
  JsonDocument doc = Parse(R"({"s": 1, "i": "x", "b": "true", "o": [], "id": 2.5})");
  const JsonValue& root = doc.root();
  EXPECT_EQ(root.OptionalString("s").error().code, Errc::kInvalidField);
  EXPECT_EQ(root.OptionalInt("i").error().code, Errc::kInvalidField);
  EXPECT_EQ(root.OptionalBool("b").error().code, Errc::kInvalidField);
  EXPECT_EQ(root.OptionalObject("o").error().code, Errc::kInvalidField);
  EXPECT_EQ(root.OptionalId("id").error().code, Errc::kInvalidField);
  EXPECT_FALSE(root.OptionalInt("missing").value().has_value());
  EXPECT_FALSE(root.OptionalBool("missing").value().has_value());
}

TEST(JsonValue, ObjectRequiresAnObject) {
  JsonDocument doc = Parse(R"({"a": "x", "b": {}})");
  EXPECT_EQ(doc.root().Object("a").error().code, Errc::kInvalidField);
  EXPECT_EQ(doc.root().Object("c").error().code, Errc::kMissingField);
  EXPECT_TRUE(doc.root().Object("b"));
}

TEST(JsonValue, StringArray) {
  JsonDocument doc = Parse(R"({"a": ["created", "read"], "b": ["x", 1], "c": "x"})");
  EXPECT_EQ(doc.root().StringArray("a").value(), (std::vector<std::string>{"created", "read"}));
  EXPECT_TRUE(doc.root().StringArray("missing").value().empty());
  auto b = doc.root().StringArray("b");
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message, "field 'b[1]' must be a string, not number");
  EXPECT_EQ(doc.root().StringArray("c").error().code, Errc::kInvalidField);
}

TEST(JsonValue, MembersKeepDocumentOrder) {
  JsonDocument doc = Parse(R"({"z": 1, "a": {"k": true}, "m": "x"})");
  auto members = doc.root().AsMembers();
  ASSERT_TRUE(members);
  ASSERT_EQ(members.value().size(), 3u);
  EXPECT_EQ(members.value()[0].first, "z");
  EXPECT_EQ(members.value()[1].first, "a");
  EXPECT_EQ(members.value()[2].first, "m");
  EXPECT_EQ(members.value()[1].second.path(), "a");
  EXPECT_TRUE(members.value()[1].second.OptionalBool("k").value().value());
}

TEST(JsonValue, TypeAndUnicode) {
  JsonDocument doc = Parse(R"({"t": "Baik kak .. \ud83e\udd17", "n": 1, "a": [], "o": {}})");
  EXPECT_EQ(doc.root().String("t").value(), "Baik kak .. \xF0\x9F\xA4\x97");
  EXPECT_EQ(doc.root().Get("n").value().type(), JsonValue::Type::kNumber);
  EXPECT_EQ(doc.root().Get("a").value().type(), JsonValue::Type::kArray);
  EXPECT_EQ(doc.root().Get("o").value().type(), JsonValue::Type::kObject);
}

TEST(JsonValue, MinifiedReserialisesCompactly) {
  JsonDocument doc = Parse("{ \"a\" : { \"b\" : [ 1 , \"x y\" ] } }");
  EXPECT_EQ(doc.root().Object("a").value().Minified(), R"({"b":[1,"x y"]})");
}

TEST(JsonMinify, RemovesWhitespaceOutsideStringsOnly) {
  EXPECT_EQ(MinifyJson("{\n  \"a\" : \"x  y\",\n  \"b\" : [ 1 , 2 ]\n}\n"),
            R"({"a":"x  y","b":[1,2]})");
}

TEST(JsonMinify, KeepsKeyOrderEscapesAndNumberSpellings) {
  // eBay's signature covers these bytes exactly as sent: nothing may be re-encoded.
  EXPECT_EQ(MinifyJson(R"({ "z": "\u00e9\/", "a": 1.50, "m": 1E2 })"),
            R"({"z":"\u00e9\/","a":1.50,"m":1E2})");
}

TEST(JsonMinify, EmptyOnInvalidInput) {
  for (const char* text : {"{ not json", "[1, 2", "{\"a\":\"open}", "", "{\"a\":1} trailing"}) {
    EXPECT_EQ(MinifyJson(text), "") << text;
  }
}

TEST(JsonMinify, CompactInputIsUnchanged) {
  const std::string compact = R"({"metadata":{"topic":"X"},"n":[1,{"k":null}]})";
  EXPECT_EQ(MinifyJson(compact), compact);
}

TEST(JsonKnownMembers, RefusesTheFirstUnknownMemberByPath) {
  auto doc = JsonDocument::ParseObject(R"({"rules": {"id": "a", "versoin": 2}})");
  ASSERT_TRUE(doc);
  auto rules = doc.value().root().Object("rules");
  ASSERT_TRUE(rules);
  auto members = rules.value().KnownMembers({"id", "version"}, "rule-set field");
  ASSERT_FALSE(members);
  EXPECT_EQ(members.error().code, Errc::kInvalidField);
  EXPECT_EQ(members.error().message, "field 'rules.versoin' is not a rule-set field");
  auto ok = rules.value().KnownMembers({"id", "version", "versoin"}, "rule-set field");
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok.value().size(), 2u);
  EXPECT_EQ(ok.value()[1].first, "versoin");
  EXPECT_EQ(FieldError("a.b", "must be positive").message, "field 'a.b' must be positive");
}

}  // namespace
}  // namespace csgw
