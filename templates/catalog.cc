#include "templates/catalog.h"

#include <unicode/unistr.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <regex>
#include <set>

#include "base/embedded.h"
#include "base/json.h"
#include "templates/embedded_catalog.h"
#include "templates/message_pattern.h"

namespace csgw::templates {
namespace {

using Flat = std::map<std::string, std::string, std::less<>>;

// Which catalogue file a name is.
struct FileRole {
  enum Kind { kLocale, kOverride, kVariables, kMeta, kLimits, kOther } kind = kOther;
  std::string locale;  // kLocale, kOverride
  std::string store;   // kOverride
};

bool IsLocaleTag(std::string_view s) {
  static const std::regex re("^[a-z]{2,3}(-[A-Z]{2}|-[0-9]{3})?$");
  return std::regex_match(s.begin(), s.end(), re);
}

FileRole RoleOf(std::string_view name) {
  FileRole role;
  if (name == "variables.json") return {FileRole::kVariables, "", ""};
  if (name == "meta.json") return {FileRole::kMeta, "", ""};
  if (name == "limits.json") return {FileRole::kLimits, "", ""};
  if (name.size() < 6 || name.substr(name.size() - 5) != ".json") return role;
  std::string_view stem = name.substr(0, name.size() - 5);
  if (stem.substr(0, 10) == "overrides/") {
    stem.remove_prefix(10);
    const size_t slash = stem.find('/');
    if (slash == std::string_view::npos || slash == 0) return role;
    const std::string_view locale = stem.substr(slash + 1);
    if (!IsLocaleTag(locale)) return role;
    return {FileRole::kOverride, std::string(locale), std::string(stem.substr(0, slash))};
  }
  if (IsLocaleTag(stem)) return {FileRole::kLocale, std::string(stem), ""};
  return role;
}

const std::set<std::string, std::less<>> kOrderStates = {"unpaid", "not_shipped", "shipped",
                                                         "delivered"};

bool IsBaseLocale(std::string_view locale) { return locale.find('-') == std::string_view::npos; }

std::string_view LanguageOf(std::string_view locale) { return locale.substr(0, locale.find('-')); }

size_t CodePoints(std::string_view utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out.append(out.empty() ? "" : ", ").append(s);
  return out;
}

Result<VariableType> ParseType(std::string_view type) {
  if (type == "string") return VariableType::kString;
  if (type == "number") return VariableType::kNumber;
  if (type == "money") return VariableType::kMoney;
  if (type == "date") return VariableType::kDate;
  return Error{Errc::kInvalidField,
               "unknown variable type '" + std::string(type) + "' (string, number, money or date)"};
}

// Parses all files, collecting findings; the caller decides whether any finding is fatal.
class CatalogBuilderImpl {
 public:
  std::vector<LintFinding> findings;
  std::map<std::string, Flat, std::less<>> texts;  // locale → key → pattern
  std::map<std::string, std::map<std::string, Flat, std::less<>>, std::less<>> overrides;
  std::map<std::string, TemplateMeta, std::less<>> meta;
  std::vector<std::string> meta_order;
  std::map<std::string, VariableSpec, std::less<>> variables;
  std::map<std::string, size_t, std::less<>> limits;
  bool has_variables = false;
  bool has_meta = false;

  void Add(const std::string& file, const std::string& key, const std::string& message) {
    findings.push_back({file, key, message});
  }

  void Parse(std::span<const CatalogFile> files) {
    for (const auto& f : files) {
      const FileRole role = RoleOf(f.name);
      if (role.kind == FileRole::kOther) continue;  // README.md and the like
      auto doc = JsonDocument::ParseObject(f.content);
      if (!doc) {
        Add(f.name, "", doc.error().message);
        continue;
      }
      switch (role.kind) {
        case FileRole::kLocale:
          ParseFlat(f.name, doc.value().root(), texts[role.locale]);
          break;
        case FileRole::kOverride:
          ParseFlat(f.name, doc.value().root(), overrides[role.store][role.locale]);
          break;
        case FileRole::kVariables:
          ParseVariables(f.name, doc.value().root());
          break;
        case FileRole::kMeta:
          ParseMeta(f.name, doc.value().root());
          break;
        case FileRole::kLimits:
          ParseLimits(f.name, doc.value().root());
          break;
        case FileRole::kOther:
          break;
      }
    }
    if (!has_variables) Add("variables.json", "", "missing: every variable must be declared");
    if (!has_meta) Add("meta.json", "", "missing: every template needs its metadata");
  }

  void ParseFlat(const std::string& file, const JsonValue& root, Flat& out) {
    auto members = root.AsMembers();
    if (!members) return Add(file, "", members.error().message);
    for (const auto& [key, value] : members.value()) {
      auto text = value.AsString();
      if (!text) {
        Add(file, key, "value must be a string (an ICU MessageFormat pattern)");
        continue;
      }
      if (!out.emplace(key, text.value()).second) Add(file, key, "duplicate key");
    }
  }

  void ParseVariables(const std::string& file, const JsonValue& root) {
    has_variables = true;
    auto members = root.AsMembers();
    if (!members) return Add(file, "", members.error().message);
    for (const auto& [name, spec] : members.value()) {
      auto type_text = spec.String("type");
      if (!type_text) {
        Add(file, name, type_text.error().message);
        continue;
      }
      auto type = ParseType(type_text.value());
      if (!type) {
        Add(file, name, type.error().message);
        continue;
      }
      auto example = spec.OptionalString("example");
      variables[name] =
          VariableSpec{type.value(), example && example.value() ? *example.value() : std::string()};
    }
  }

  void ParseMeta(const std::string& file, const JsonValue& root) {
    has_meta = true;
    auto members = root.AsMembers();
    if (!members) return Add(file, "", members.error().message);
    for (const auto& [key, value] : members.value()) {
      TemplateMeta m;
      auto family = value.String("family");
      auto intents = value.StringArray("intents");
      auto requires_vars = value.StringArray("requires");
      auto not_for = value.StringArray("not_for");
      auto safe = value.OptionalBool("auto_send_safe");
      auto states = value.StringArray("order_states");
      if (!states) Add(file, key, states.error().message);
      for (const Error* e :
           {family ? nullptr : &family.error(), intents ? nullptr : &intents.error(),
            requires_vars ? nullptr : &requires_vars.error(), not_for ? nullptr : &not_for.error(),
            safe ? nullptr : &safe.error()}) {
        if (e) Add(file, key, e->message);
      }
      if (!family || !intents || !requires_vars || !not_for || !safe) continue;
      m.family = family.value();
      m.intents = intents.value();
      m.requires_variables = requires_vars.value();
      m.not_for = not_for.value();
      m.auto_send_safe = safe.value().value_or(false);
      if (states) m.order_states = states.value();
      for (const auto& state : m.order_states) {
        if (!kOrderStates.count(state)) {
          Add(file, key,
              "order state '" + state + "' is not unpaid, not_shipped, shipped or delivered");
        }
      }
      static const std::set<std::string, std::less<>> kFamilies = {"presale", "insale", "aftersale",
                                                                   "special"};
      if (!kFamilies.count(m.family)) {
        Add(file, key, "family must be presale, insale, aftersale or special");
      }
      meta_order.push_back(key);
      meta.emplace(key, std::move(m));
    }
  }

  void ParseLimits(const std::string& file, const JsonValue& root) {
    auto members = root.AsMembers();
    if (!members) return Add(file, "", members.error().message);
    for (const auto& [marketplace, value] : members.value()) {
      auto n = value.AsInt();
      if (!n || n.value() <= 0) {
        Add(file, marketplace, "limit must be a positive integer (characters)");
        continue;
      }
      limits[marketplace] = static_cast<size_t>(n.value());
    }
  }

  // Pattern-level checks; returns the argument names when the pattern parses.
  std::optional<std::vector<std::string>> CheckPattern(const std::string& file,
                                                       const std::string& key,
                                                       const std::string& locale,
                                                       const std::string& pattern) {
    auto info = AnalyzePattern(pattern);
    if (!info) {
      Add(file, key, info.error().message);
      return std::nullopt;
    }
    for (const auto& arg : info.value().arguments) {
      const auto& s = arg.selectors;
      auto has = [&](const char* sel) { return std::find(s.begin(), s.end(), sel) != s.end(); };
      const bool selecting =
          arg.kind == "plural" || arg.kind == "select" || arg.kind == "selectordinal";
      if (selecting && !has("other")) {
        Add(file, key, arg.kind + " '" + arg.name + "' has no 'other' case");
      }
      if (arg.kind == "plural" && LanguageOf(locale) == "ru") {
        std::vector<std::string> missing;
        for (const char* c : {"one", "few", "many"}) {
          if (!has(c)) missing.emplace_back(c);
        }
        if (!missing.empty()) {
          Add(file, key, "Russian plural '" + arg.name + "' lacks " + Join(missing));
        }
      }
      if (has_variables && !variables.count(arg.name)) {
        Add(file, key, "variable '" + arg.name + "' is not declared in variables.json");
      }
      // Money and dates reach the pattern already formatted (in the buyer's currency, locale and
      // zone); an ICU "{x, date}" or "{x, number, currency}" would fail, or take ICU's own zone
      // data, which is wrong for Mexico and Kazakhstan.
      if (arg.kind == "simple") {
        auto v = variables.find(arg.name);
        if (v != variables.end() && v->second.type != VariableType::kNumber) {
          Add(file, key,
              "'" + arg.name + "' is formatted by csgw: write {" + arg.name +
                  "} without an ICU type");
        }
      }
      if (arg.kind == "plural" || arg.kind == "selectordinal") {
        auto v = variables.find(arg.name);
        if (v != variables.end() && v->second.type != VariableType::kNumber) {
          Add(file, key, "plural over '" + arg.name + "', which is not a number variable");
        }
      }
    }
    return info.value().Names();
  }

  Variables Examples() const {
    Variables out;
    for (const auto& [name, spec] : variables) {
      if (spec.type == VariableType::kNumber) {
        auto n = ParseVariable(VariableType::kNumber, spec.example, "");
        out[name] = n ? n.value() : VariableValue(int64_t{5});
      } else {
        // Money and dates are examples of formatted text: use them as they read.
        out[name] = spec.example.empty() ? std::string("x") : spec.example;
      }
    }
    return out;
  }

  void CheckLength(const std::string& file, const std::string& key, const std::string& locale,
                   const std::string& pattern, const Variables& examples) {
    auto text = Render(pattern, examples, RenderOptions{locale, "UTC"});
    if (!text) {
      // Syntax errors and undeclared variables have their own findings; anything else that
      // stops the example from rendering would stop every real draft too.
      if (!findings.empty() && findings.back().file == file && findings.back().key == key) return;
      Add(file, key, "does not render with the example values: " + text.error().message);
      return;
    }
    const size_t length = CodePoints(text.value());
    const auto m = meta.find(key);
    for (const auto& [marketplace, limit] : limits) {
      if (m != meta.end() && std::find(m->second.not_for.begin(), m->second.not_for.end(),
                                       marketplace) != m->second.not_for.end()) {
        continue;
      }
      if (length > limit) {
        Add(file, key,
            "renders to " + std::to_string(length) + " characters with the example values; " +
                marketplace + " allows " + std::to_string(limit) +
                " (shorten it, or add the marketplace to not_for in meta.json)");
      }
    }
  }

  void CheckAll() {
    const Variables examples = Examples();
    // Base locales ("en", "ru", "es") must each hold every key, with the same placeholders.
    std::set<std::string> all_keys;
    for (const auto& [locale, keys] : texts) {
      if (!IsBaseLocale(locale)) continue;
      for (const auto& [key, _] : keys) all_keys.insert(key);
    }
    std::map<std::string, std::pair<std::string, std::vector<std::string>>> reference;
    for (const auto& [locale, keys] : texts) {
      const std::string file = locale + ".json";
      for (const auto& key : all_keys) {
        if (IsBaseLocale(locale) && !keys.count(key)) Add(file, key, "key missing in " + locale);
      }
      for (const auto& [key, pattern] : keys) {
        if (!IsBaseLocale(locale) && !all_keys.count(key)) {
          Add(file, key, "key not in the base catalogue");
        }
        if (has_meta && !meta.count(key)) Add(file, key, "key has no entry in meta.json");
        auto names = CheckPattern(file, key, locale, pattern);
        if (!names) continue;
        auto [it, first] = reference.emplace(key, std::make_pair(file, *names));
        if (!first && it->second.second != *names) {
          Add(file, key,
              "placeholders {" + Join(*names) + "} differ from " + it->second.first + " {" +
                  Join(it->second.second) + "}");
        }
        CheckLength(file, key, locale, pattern, examples);
      }
    }
    for (const auto& [store, locales] : overrides) {
      for (const auto& [locale, keys] : locales) {
        const std::string file = "overrides/" + store + "/" + locale + ".json";
        for (const auto& [key, pattern] : keys) {
          auto names = CheckPattern(file, key, locale, pattern);
          auto ref = reference.find(key);
          if (ref == reference.end()) {
            Add(file, key, "overrides a key that is not in the catalogue");
            continue;
          }
          if (names && *names != ref->second.second) {
            Add(file, key,
                "placeholders {" + Join(*names) + "} differ from " + ref->second.first + " {" +
                    Join(ref->second.second) + "}");
          }
          if (names) CheckLength(file, key, locale, pattern, examples);
        }
      }
    }
    for (const auto& [key, m] : meta) {
      if (!all_keys.count(key)) Add("meta.json", key, "metadata for a key no locale has");
      for (const auto& v : m.requires_variables) {
        if (has_variables && !variables.count(v)) {
          Add("meta.json", key, "requires undeclared variable '" + v + "'");
        }
      }
    }
  }
};

}  // namespace

class CatalogBuilder {
 public:
  static std::shared_ptr<Catalog> Build(CatalogBuilderImpl& b) {
    std::shared_ptr<Catalog> c(new Catalog());
    c->texts_ = std::move(b.texts);
    c->overrides_ = std::move(b.overrides);
    c->meta_ = std::move(b.meta);
    c->keys_ = std::move(b.meta_order);
    c->variables_ = std::move(b.variables);
    c->limits_ = std::move(b.limits);
    return c;
  }
};

std::vector<LintFinding> Lint(std::span<const CatalogFile> files) {
  CatalogBuilderImpl builder;
  builder.Parse(files);
  builder.CheckAll();
  return std::move(builder.findings);
}

Result<std::shared_ptr<const Catalog>> Catalog::Load(std::span<const CatalogFile> files) {
  CatalogBuilderImpl builder;
  builder.Parse(files);
  builder.CheckAll();
  if (!builder.findings.empty()) {
    std::string message = std::to_string(builder.findings.size()) + " lint finding(s): ";
    for (size_t i = 0; i < builder.findings.size() && i < 5; ++i) {
      const auto& f = builder.findings[i];
      message.append(i ? "; " : "").append(f.file);
      if (!f.key.empty()) message.append(" ").append(f.key);
      message.append(": ").append(f.message);
    }
    return Error{Errc::kInvalidField, message};
  }
  return std::shared_ptr<const Catalog>(CatalogBuilder::Build(builder));
}

std::vector<CatalogFile> Catalog::DefaultFiles() {
  std::vector<CatalogFile> files;
  for (const auto& f : EmbeddedCatalog()) {
    std::string name(f.name);
    if (name.rfind("catalog/", 0) == 0) name.erase(0, 8);
    files.push_back({std::move(name), std::string(f.content)});
  }
  return files;
}

std::shared_ptr<const Catalog> Catalog::Default() {
  static const std::shared_ptr<const Catalog> catalog = [] {
    auto loaded = Load(DefaultFiles());
    if (!loaded) {
      std::cerr << "csgw: the built-in template catalogue fails lint: " << loaded.error().message
                << "\n";
      std::abort();
    }
    return loaded.value();
  }();
  return catalog;
}

TemplateText Catalog::Find(std::string_view key, std::span<const std::string> chain,
                           std::string_view store_id) const {
  const auto store = store_id.empty() ? overrides_.end() : overrides_.find(store_id);
  for (const auto& locale : chain) {
    if (store != overrides_.end()) {
      if (auto l = store->second.find(locale); l != store->second.end()) {
        if (auto k = l->second.find(key); k != l->second.end()) return {&k->second, locale};
      }
    }
    if (auto l = texts_.find(locale); l != texts_.end()) {
      if (auto k = l->second.find(key); k != l->second.end()) return {&k->second, locale};
    }
  }
  return {};
}

const TemplateMeta* Catalog::Meta(std::string_view key) const {
  auto it = meta_.find(key);
  return it == meta_.end() ? nullptr : &it->second;
}

size_t Catalog::LengthLimit(std::string_view marketplace) const {
  auto it = limits_.find(marketplace);
  return it == limits_.end() ? 0 : it->second;
}

std::vector<std::string> Catalog::Locales() const {
  std::vector<std::string> out;
  for (const auto& [locale, _] : texts_) {
    if (IsBaseLocale(locale)) out.push_back(locale);
  }
  return out;
}

}  // namespace csgw::templates
