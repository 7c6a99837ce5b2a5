#include "templates/catalog.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace csgw::templates {
namespace {

// A small valid catalogue to break one way at a time.
std::vector<CatalogFile> Minimal() {
  return {
      {"variables.json",
       R"({"n": {"type": "number", "example": "3"}, "name": {"type": "string", "example": "Ana"}})"},
      {"meta.json",
       R"({"a.hello": {"family": "presale", "intents": ["greeting"], "requires": ["name"],
           "auto_send_safe": true, "not_for": []}})"},
      {"limits.json", R"({"mercadolibre": 350})"},
      {"en.json", R"({"a.hello": "Hi {name}, {n, plural, one {# day} other {# days}}"})"},
      {"es.json", R"({"a.hello": "Hola {name}, {n, plural, one {# día} other {# días}}"})"},
      {"ru.json",
       R"({"a.hello": "Привет, {name}, {n, plural, one {# день} few {# дня} many {# дней} other {# дня}}"})"},
  };
}

void Replace(std::vector<CatalogFile>& files, const std::string& name, const std::string& content) {
  for (auto& f : files) {
    if (f.name == name) f.content = content;
  }
}

bool HasFinding(const std::vector<LintFinding>& findings, const std::string& file,
                const std::string& key, const std::string& fragment) {
  return std::any_of(findings.begin(), findings.end(), [&](const LintFinding& f) {
    return f.file == file && f.key == key && f.message.find(fragment) != std::string::npos;
  });
}

std::string Describe(const std::vector<LintFinding>& findings) {
  std::string out;
  for (const auto& f : findings) out += f.file + " " + f.key + ": " + f.message + "\n";
  return out;
}

TEST(Lint, MinimalCatalogueIsClean) {
  const auto findings = Lint(Minimal());
  EXPECT_TRUE(findings.empty()) << Describe(findings);
}

// The shipped catalogue must pass its own lint.
TEST(Lint, DefaultCatalogueIsClean) {
  const auto findings = Lint(Catalog::DefaultFiles());
  EXPECT_TRUE(findings.empty()) << Describe(findings);
  const auto catalog = Catalog::Default();
  EXPECT_GE(catalog->keys().size(), 30u);
  EXPECT_EQ(catalog->Locales(), (std::vector<std::string>{"en", "es", "ru"}));
}

TEST(Lint, IcuSyntaxError) {
  auto files = Minimal();
  Replace(files, "es.json", R"({"a.hello": "Hola {name, {n}"})");
  EXPECT_TRUE(HasFinding(Lint(files), "es.json", "a.hello", "syntax error"));
}

TEST(Lint, KeyMissingFromALocale) {
  auto files = Minimal();
  Replace(files, "ru.json", "{}");
  EXPECT_TRUE(HasFinding(Lint(files), "ru.json", "a.hello", "key missing in ru"));
}

TEST(Lint, PlaceholdersDiffer) {
  auto files = Minimal();
  Replace(files, "es.json", R"({"a.hello": "Hola, {n, plural, one {# día} other {# días}}"})");
  EXPECT_TRUE(HasFinding(Lint(files), "es.json", "a.hello", "placeholders"));
}

TEST(Lint, PluralWithoutOther) {
  auto files = Minimal();
  Replace(files, "en.json", R"({"a.hello": "Hi {name}, {n, plural, one {# day} =2 {two days}}"})");
  // ICU itself rejects a plural without other, or lint names it: either way en.json a.hello.
  const auto findings = Lint(files);
  EXPECT_TRUE(HasFinding(findings, "en.json", "a.hello", "other") ||
              HasFinding(findings, "en.json", "a.hello", "syntax error"))
      << Describe(findings);
}

TEST(Lint, RussianPluralNeedsOneFewMany) {
  auto files = Minimal();
  Replace(files, "ru.json",
          R"({"a.hello": "Привет, {name}, {n, plural, one {# день} other {# дня}}"})");
  EXPECT_TRUE(HasFinding(Lint(files), "ru.json", "a.hello", "lacks few, many"));
}

TEST(Lint, OverLengthForAMarketplace) {
  auto files = Minimal();
  const std::string long_text(400, 'x');
  Replace(
      files, "en.json",
      R"({"a.hello": "Hi {name}, {n, plural, one {# day} other {# days}} )" + long_text + "\"}");
  EXPECT_TRUE(HasFinding(Lint(files), "en.json", "a.hello", "mercadolibre allows 350"));
  // Excluded from that marketplace in meta.json: fine.
  Replace(files, "meta.json",
          R"({"a.hello": {"family": "presale", "intents": [], "requires": [],
              "auto_send_safe": false, "not_for": ["mercadolibre"]}})");
  EXPECT_TRUE(Lint(files).empty()) << Describe(Lint(files));
}

TEST(Lint, TypedArgumentsOverFormattedVariables) {
  auto files = Minimal();
  Replace(files, "variables.json",
          R"({"n": {"type": "number", "example": "3"}, "name": {"type": "string", "example": "Ana"},
              "d": {"type": "date", "example": "01.02.2025"}})");
  Replace(files, "en.json",
          R"({"a.hello": "Hi {name}, {n, plural, one {# day} other {# days}} {d, date, short}"})");
  Replace(files, "es.json",
          R"({"a.hello": "Hola {name}, {n, plural, one {# día} other {# días}} {d}"})");
  Replace(
      files, "ru.json",
      R"({"a.hello": "Привет, {name}, {n, plural, one {# день} few {# дня} many {# дней} other {# дня}} {d}"})");
  const auto findings = Lint(files);
  EXPECT_TRUE(HasFinding(findings, "en.json", "a.hello", "without an ICU type"))
      << Describe(findings);
  EXPECT_FALSE(HasFinding(findings, "es.json", "a.hello", "")) << Describe(findings);
}

TEST(Lint, UndeclaredVariablesAndMetadata) {
  auto files = Minimal();
  Replace(files, "variables.json", R"({"n": {"type": "number", "example": "3"}})");
  const auto findings = Lint(files);
  EXPECT_TRUE(HasFinding(findings, "en.json", "a.hello", "'name' is not declared"));
  EXPECT_TRUE(HasFinding(findings, "meta.json", "a.hello", "undeclared variable 'name'"));
}

TEST(Lint, InvalidJsonNamesTheFile) {
  auto files = Minimal();
  Replace(files, "es.json", R"({"a.hello": )");
  EXPECT_TRUE(HasFinding(Lint(files), "es.json", "", "JSON"));
}

TEST(Lint, OverrideChecks) {
  auto files = Minimal();
  files.push_back({"overrides/shop-1/es.json", R"({"a.hello": "¡Hola {name}!", "b.x": "x"})"});
  const auto findings = Lint(files);
  EXPECT_TRUE(HasFinding(findings, "overrides/shop-1/es.json", "a.hello", "placeholders"));
  EXPECT_TRUE(HasFinding(findings, "overrides/shop-1/es.json", "b.x", "not in the catalogue"));
}

TEST(Catalog, LoadRefusesFindingsAndFindFallsBack) {
  auto files = Minimal();
  files.push_back({"overrides/shop-1/es.json",
                   R"({"a.hello": "¡Buenas, {name}! {n, plural, one {# día} other {# días}}"})"});
  files.push_back({"es-MX.json",
                   R"({"a.hello": "¿Qué onda, {name}? {n, plural, one {# día} other {# días}}"})"});
  auto catalog = Catalog::Load(files);
  ASSERT_TRUE(catalog) << catalog.error().message;
  const std::vector<std::string> mx = {"es-MX", "es", "en"};
  const std::vector<std::string> ar = {"es-AR", "es", "en"};
  const std::vector<std::string> pt = {"pt-BR", "pt", "en"};
  EXPECT_EQ(catalog.value()->Find("a.hello", mx).locale, "es-MX");
  EXPECT_EQ(catalog.value()->Find("a.hello", ar).locale, "es");
  EXPECT_EQ(catalog.value()->Find("a.hello", pt).locale, "en");
  // The store's override wins over the default text of the same locale.
  auto text = catalog.value()->Find("a.hello", ar, "shop-1");
  ASSERT_NE(text.pattern, nullptr);
  EXPECT_EQ(text.pattern->rfind("¡Buenas", 0), 0u);
  EXPECT_EQ(catalog.value()->Find("missing", mx).pattern, nullptr);
  EXPECT_EQ(catalog.value()->LengthLimit("mercadolibre"), 350u);

  Replace(files, "ru.json", "{}");
  auto broken = Catalog::Load(files);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("ru.json a.hello"), std::string::npos);
}

}  // namespace
}  // namespace csgw::templates
