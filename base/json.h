// Reading untrusted JSON with errors that name the offending field. json.cc is the only simdjson
// user; callers (adapters, config-like data files) see JsonValue, not simdjson's types.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace simdjson::dom {
class parser;
}

namespace csgw {

class JsonDocument;

// A JSON value inside a JsonDocument: an object, an array element, a scalar. Cheap to copy;
// valid only while its JsonDocument lives. `path` is used in error messages ("data.items[2].sku").
class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Type type() const;
  const std::string& path() const { return path_; }

  // Scalars: errors say "field '<path>' must be a <type>" (kInvalidField).
  Result<std::string> AsString() const;
  // A string, or an integer rendered in decimal (ids sent both ways). Never through a double.
  Result<std::string> AsId() const;
  // An integer, or a string holding one (some marketplaces quote numbers).
  Result<int64_t> AsInt() const;
  Result<bool> AsBool() const;
  // The elements of an array.
  Result<std::vector<JsonValue>> AsArray() const;
  // The members of an object, in document order.
  Result<std::vector<std::pair<std::string, JsonValue>>> AsMembers() const;

  // Object members. Missing or null required members give kMissingField
  // "field '<path>' is required"; wrong types kInvalidField.
  bool Has(std::string_view key) const;  // present and not null
  Result<JsonValue> Get(std::string_view key) const;
  Result<std::optional<JsonValue>> Find(std::string_view key) const;

  Result<std::string> String(std::string_view key) const;  // required, may be ""
  Result<std::string> NonEmptyString(std::string_view key) const;
  Result<std::string> Id(std::string_view key) const;  // required, non-empty
  Result<int64_t> Int(std::string_view key) const;
  Result<JsonValue> Object(std::string_view key) const;

  // Optional members: absent or null gives nullopt (or the fallback), wrong type an error.
  Result<std::optional<std::string>> OptionalString(std::string_view key) const;
  Result<std::optional<std::string>> OptionalId(std::string_view key) const;
  Result<std::optional<int64_t>> OptionalInt(std::string_view key) const;
  Result<std::optional<bool>> OptionalBool(std::string_view key) const;
  Result<std::optional<JsonValue>> OptionalObject(std::string_view key) const;
  // Array of strings; absent gives an empty vector.
  Result<std::vector<std::string>> StringArray(std::string_view key) const;

  // The members of an object, refusing any not in `known` with "field '<path>' is not a
  // <what>": data files (rule sets, policies) fail on a misspelt key instead of ignoring it.
  Result<std::vector<std::pair<std::string, JsonValue>>> KnownMembers(
      std::initializer_list<std::string_view> known, std::string_view what) const;

  // The value re-serialised compactly (for nested payloads such as a JSON string of JSON).
  std::string Minified() const;

 private:
  friend class JsonDocument;
  JsonValue(const void* element, std::string path);
  JsonValue Child(const void* element, std::string_view key) const;

  // Holds a simdjson::dom::element by value (16 bytes), kept opaque to stay out of headers.
  alignas(8) unsigned char element_[16];
  std::string path_;
};

// A parsed document owning its parser memory. Move-only.
class JsonDocument {
 public:
  // kMalformedJson for invalid JSON (message gives simdjson's reason, never the content),
  // kInvalidField if the root is not an object.
  static Result<JsonDocument> ParseObject(std::string_view text);

  JsonDocument(JsonDocument&&) noexcept;
  JsonDocument& operator=(JsonDocument&&) noexcept;
  ~JsonDocument();

  const JsonValue& root() const { return root_; }

 private:
  JsonDocument(std::unique_ptr<simdjson::dom::parser> parser, JsonValue root);
  std::unique_ptr<simdjson::dom::parser> parser_;
  JsonValue root_;
};

// kInvalidField "field '<path>' <why>": the form of every field error above, for the checks
// callers add on top (ranges, formats).
Error FieldError(std::string_view path, std::string_view why);

// Whether `text` is valid UTF-8. Proto3 string fields must be: a header or query value copied
// into an event unchecked would make the stored event unreadable.
bool IsValidUtf8(std::string_view text);

// Removes insignificant whitespace from JSON text without reordering or re-encoding anything
// (eBay signs the compact form of the JSON it sends). Empty on invalid input.
std::string MinifyJson(std::string_view text);

}  // namespace csgw
