#include "base/json.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <new>
#include <type_traits>

namespace csgw {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

static_assert(sizeof(element) <= 16 && alignof(element) <= 8,
              "JsonValue::element_ is too small for simdjson::dom::element");
static_assert(std::is_trivially_copyable_v<element>);

const char* TypeName(element_type t) {
  switch (t) {
    case element_type::ARRAY:
      return "array";
    case element_type::OBJECT:
      return "object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "number";
    case element_type::STRING:
      return "string";
    case element_type::BOOL:
      return "boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "value";
}

Error WrongType(const std::string& path, std::string_view wanted, element_type got) {
  return MakeError(Errc::kInvalidField, "field '" + path + "' must be " + std::string(wanted) +
                                            ", not " + TypeName(got));
}

}  // namespace

Error FieldError(std::string_view path, std::string_view why) {
  return MakeError(Errc::kInvalidField, "field '" + std::string(path) + "' " + std::string(why));
}

namespace {

Error Missing(const std::string& path) {
  return MakeError(Errc::kMissingField, "field '" + path + "' is required");
}

}  // namespace

JsonValue::JsonValue(const void* el, std::string path) : path_(std::move(path)) {
  std::memcpy(element_, el, sizeof(element));
}

static element El(const unsigned char* storage) {
  element e;
  std::memcpy(static_cast<void*>(&e), storage, sizeof(element));
  return e;
}

JsonValue JsonValue::Child(const void* el, std::string_view key) const {
  std::string path = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  return JsonValue(el, std::move(path));
}

JsonValue::Type JsonValue::type() const {
  switch (El(element_).type()) {
    case element_type::ARRAY:
      return Type::kArray;
    case element_type::OBJECT:
      return Type::kObject;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return Type::kNumber;
    case element_type::STRING:
      return Type::kString;
    case element_type::BOOL:
      return Type::kBool;
    case element_type::NULL_VALUE:
      return Type::kNull;
  }
  return Type::kNull;
}

Result<std::string> JsonValue::AsString() const {
  const element e = El(element_);
  std::string_view sv;
  if (e.get_string().get(sv) != simdjson::SUCCESS) return WrongType(path_, "a string", e.type());
  return std::string(sv);
}

Result<std::string> JsonValue::AsId() const {
  const element e = El(element_);
  switch (e.type()) {
    case element_type::STRING:
      return std::string(e.get_string().value_unsafe());
    case element_type::INT64:
      return std::to_string(e.get_int64().value_unsafe());
    case element_type::UINT64:
      return std::to_string(e.get_uint64().value_unsafe());
    default:
      return WrongType(path_, "a string or an integer", e.type());
  }
}

Result<int64_t> JsonValue::AsInt() const {
  const element e = El(element_);
  if (e.type() == element_type::INT64) return e.get_int64().value_unsafe();
  if (e.type() == element_type::STRING) {
    const std::string_view sv = e.get_string().value_unsafe();
    int64_t v = 0;
    const auto [p, ec] = std::from_chars(sv.data(), sv.data() + sv.size(), v);
    if (ec == std::errc() && p == sv.data() + sv.size() && !sv.empty()) return v;
  }
  return WrongType(path_, "an integer", e.type());
}

Result<bool> JsonValue::AsBool() const {
  const element e = El(element_);
  bool b = false;
  if (e.get_bool().get(b) != simdjson::SUCCESS) return WrongType(path_, "a boolean", e.type());
  return b;
}

Result<std::vector<JsonValue>> JsonValue::AsArray() const {
  const element e = El(element_);
  simdjson::dom::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) return WrongType(path_, "an array", e.type());
  std::vector<JsonValue> out;
  size_t i = 0;
  for (element child : arr) {
    out.push_back(JsonValue(&child, path_ + "[" + std::to_string(i++) + "]"));
  }
  return out;
}

Result<std::vector<std::pair<std::string, JsonValue>>> JsonValue::AsMembers() const {
  const element e = El(element_);
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return WrongType(path_, "an object", e.type());
  std::vector<std::pair<std::string, JsonValue>> out;
  for (const auto field : obj) {
    element value = field.value;
    out.emplace_back(std::string(field.key), Child(&value, field.key));
  }
  return out;
}

Result<std::optional<JsonValue>> JsonValue::Find(std::string_view key) const {
  const element e = El(element_);
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return WrongType(path_, "an object", e.type());
  element child;
  if (obj.at_key(key).get(child) != simdjson::SUCCESS || child.is_null()) {
    return std::optional<JsonValue>();
  }
  return std::optional<JsonValue>(Child(&child, key));
}

bool JsonValue::Has(std::string_view key) const {
  auto found = Find(key);
  return found && found.value().has_value();
}

Result<JsonValue> JsonValue::Get(std::string_view key) const {
  auto found = Find(key);
  if (!found) return found.error();
  if (!found.value()) {
    return Missing(path_.empty() ? std::string(key) : path_ + "." + std::string(key));
  }
  return *found.value();
}

Result<std::string> JsonValue::String(std::string_view key) const {
  auto v = Get(key);
  if (!v) return v.error();
  return v.value().AsString();
}

Result<std::string> JsonValue::NonEmptyString(std::string_view key) const {
  auto v = Get(key);
  if (!v) return v.error();
  auto s = v.value().AsString();
  if (s && s.value().empty()) return Missing(v.value().path());
  return s;
}

Result<std::string> JsonValue::Id(std::string_view key) const {
  auto v = Get(key);
  if (!v) return v.error();
  auto s = v.value().AsId();
  if (s && s.value().empty()) return Missing(v.value().path());
  return s;
}

Result<int64_t> JsonValue::Int(std::string_view key) const {
  auto v = Get(key);
  if (!v) return v.error();
  return v.value().AsInt();
}

Result<JsonValue> JsonValue::Object(std::string_view key) const {
  auto v = Get(key);
  if (!v) return v.error();
  if (v.value().type() != Type::kObject) {
    return WrongType(v.value().path(), "an object", El(v.value().element_).type());
  }
  return v;
}

// Applies `read` to an optional member.
template <class T, class F>
static Result<std::optional<T>> ReadOptional(const Result<std::optional<JsonValue>>& found,
                                             F read) {
  if (!found) return found.error();
  if (!found.value()) return std::optional<T>();
  auto r = read(*found.value());
  if (!r) return r.error();
  return std::optional<T>(std::move(r).value());
}

Result<std::optional<std::string>> JsonValue::OptionalString(std::string_view key) const {
  return ReadOptional<std::string>(Find(key), [](const JsonValue& v) { return v.AsString(); });
}

Result<std::optional<std::string>> JsonValue::OptionalId(std::string_view key) const {
  return ReadOptional<std::string>(Find(key), [](const JsonValue& v) { return v.AsId(); });
}

Result<std::optional<int64_t>> JsonValue::OptionalInt(std::string_view key) const {
  return ReadOptional<int64_t>(Find(key), [](const JsonValue& v) { return v.AsInt(); });
}

Result<std::optional<bool>> JsonValue::OptionalBool(std::string_view key) const {
  return ReadOptional<bool>(Find(key), [](const JsonValue& v) { return v.AsBool(); });
}

Result<std::optional<JsonValue>> JsonValue::OptionalObject(std::string_view key) const {
  auto found = Find(key);
  if (!found) return found.error();
  if (found.value() && found.value()->type() != Type::kObject) {
    return WrongType(found.value()->path(), "an object", El(found.value()->element_).type());
  }
  return found;
}

Result<std::vector<std::string>> JsonValue::StringArray(std::string_view key) const {
  auto found = Find(key);
  if (!found) return found.error();
  std::vector<std::string> out;
  if (!found.value()) return out;
  auto items = found.value()->AsArray();
  if (!items) return items.error();
  for (const JsonValue& item : items.value()) {
    auto s = item.AsString();
    if (!s) return s.error();
    out.push_back(std::move(s).value());
  }
  return out;
}

Result<std::vector<std::pair<std::string, JsonValue>>> JsonValue::KnownMembers(
    std::initializer_list<std::string_view> known, std::string_view what) const {
  auto members = AsMembers();
  if (!members) return members.error();
  for (const auto& [key, value] : members.value()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return FieldError(value.path(), "is not a " + std::string(what));
    }
  }
  return members;
}

std::string JsonValue::Minified() const { return simdjson::minify(El(element_)); }

JsonDocument::JsonDocument(std::unique_ptr<simdjson::dom::parser> parser, JsonValue root)
    : parser_(std::move(parser)), root_(std::move(root)) {}
JsonDocument::JsonDocument(JsonDocument&&) noexcept = default;
JsonDocument& JsonDocument::operator=(JsonDocument&&) noexcept = default;
JsonDocument::~JsonDocument() = default;

Result<JsonDocument> JsonDocument::ParseObject(std::string_view text) {
  auto parser = std::make_unique<simdjson::dom::parser>();
  element root;
  // parse() copies into a padded buffer when needed (realloc_if_needed defaults to true).
  const auto error = parser->parse(text.data(), text.size()).get(root);
  if (error != simdjson::SUCCESS) {
    return MakeError(Errc::kMalformedJson,
                     std::string("body is not valid JSON: ") + simdjson::error_message(error));
  }
  if (root.type() != element_type::OBJECT) {
    return MakeError(Errc::kInvalidField,
                     std::string("body must be a JSON object, not ") + TypeName(root.type()));
  }
  // The document's tape lives in the parser, which the JsonDocument keeps: elements stay valid
  // across moves because the parser is heap-allocated.
  return JsonDocument(std::move(parser), JsonValue(&root, ""));
}

bool IsValidUtf8(std::string_view text) {
  return simdjson::validate_utf8(text.data(), text.size());
}

std::string MinifyJson(std::string_view text) {
  // simdjson's minify() only strips whitespace outside strings and accepts "{ not json" as
  // "{notjson": validate first so that invalid input gives the documented empty result.
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) return {};
  // Minify the text, not the parsed value: re-serialising would rewrite escapes ("\u00e9") and
  // number spellings, and eBay's signature covers them as sent.
  // minify() may write up to SIMDJSON_PADDING bytes past the input length.
  std::string out(text.size() + simdjson::SIMDJSON_PADDING, '\0');
  size_t len = 0;
  if (simdjson::minify(text.data(), text.size(), out.data(), len) != simdjson::SUCCESS) return {};
  out.resize(len);
  return out;
}

}  // namespace csgw
