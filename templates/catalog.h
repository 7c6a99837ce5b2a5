#pragma once

// The reply template catalogue: one flat JSON file per locale (key → ICU MessageFormat), the
// variables they use (variables.json), per-key metadata (meta.json), marketplace length limits
// (limits.json), and per-store overrides (overrides/<store>/<locale>.json) layered on top.
// A catalogue is immutable once loaded; reloading builds a new one and swaps it in only when it
// passes lint (see CatalogHolder).

#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "templates/render.h"

namespace csgw::templates {

// A catalogue file by its name relative to the catalogue root ("ru.json", "meta.json",
// "overrides/shop-1/es.json") and its content.
struct CatalogFile {
  std::string name;
  std::string content;
};

struct LintFinding {
  std::string file;  // "ru.json"
  std::string key;   // template key, or "" for a file-level problem
  std::string message;
};

struct VariableSpec {
  VariableType type = VariableType::kString;
  std::string example;
};

struct TemplateMeta {
  std::string family;                           // presale, insale, aftersale, special
  std::vector<std::string> intents;             // intents this template answers
  std::vector<std::string> requires_variables;  // must be known to use it
  bool auto_send_safe = false;                  // may go out without an agent (if the store allows)
  std::vector<std::string> not_for;  // marketplaces it must not be used on (too long, ...)
  // Order states it fits ("unpaid", "not_shipped", "shipped", "delivered"); empty: any.
  std::vector<std::string> order_states;
};

// A template's text and the locale it was found under.
struct TemplateText {
  const std::string* pattern = nullptr;
  std::string locale;  // the catalogue locale the text came from: "es", "ru", "es-MX"
};

class Catalog {
 public:
  // Builds a catalogue from its files; any lint finding makes it an error (kInvalidField whose
  // message lists the findings), so a broken catalogue is never served.
  static Result<std::shared_ptr<const Catalog>> Load(std::span<const CatalogFile> files);
  // The catalogue compiled into the binary (templates/catalog/). Aborts if it fails lint: a
  // unit test keeps that from shipping.
  static std::shared_ptr<const Catalog> Default();
  // The embedded catalogue's files, for tools that start from the defaults.
  static std::vector<CatalogFile> DefaultFiles();

  // The text of `key` for the first locale of `chain` that has it ("es-MX", "es", "en"), the
  // store's override first at each step.
  TemplateText Find(std::string_view key, std::span<const std::string> chain,
                    std::string_view store_id = {}) const;

  const TemplateMeta* Meta(std::string_view key) const;
  // Keys in catalogue order (the order of meta.json), which is the order of preference.
  const std::vector<std::string>& keys() const { return keys_; }
  const std::map<std::string, VariableSpec, std::less<>>& variables() const { return variables_; }
  // Characters a marketplace accepts in one seller message; 0 when it has no known limit.
  size_t LengthLimit(std::string_view marketplace) const;
  // Locales with a full set of texts ("en", "es", "ru").
  std::vector<std::string> Locales() const;

 private:
  Catalog() = default;
  friend class CatalogBuilder;

  // locale → key → pattern; store → locale → key → pattern.
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> texts_;
  std::map<std::string,
           std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>>,
           std::less<>>
      overrides_;
  std::map<std::string, TemplateMeta, std::less<>> meta_;
  std::vector<std::string> keys_;
  std::map<std::string, VariableSpec, std::less<>> variables_;
  std::map<std::string, size_t, std::less<>> limits_;
};

// Every problem of a catalogue: invalid JSON, ICU syntax errors, a key missing from a locale,
// placeholders that differ between locales, a plural without `other`, a Russian plural without
// one/few/many, undeclared variables, metadata for unknown keys, and a message that, rendered
// with the example values, exceeds the length limit of a marketplace it may be used on.
std::vector<LintFinding> Lint(std::span<const CatalogFile> files);

// The current catalogue, swapped atomically on reload (SIGHUP) and read by many threads.
class CatalogHolder {
 public:
  explicit CatalogHolder(std::shared_ptr<const Catalog> initial) : current_(std::move(initial)) {}
  std::shared_ptr<const Catalog> Get() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void Set(std::shared_ptr<const Catalog> next) {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Catalog> current_;
};

}  // namespace csgw::templates
