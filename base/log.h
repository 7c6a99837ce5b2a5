// Structured logging: one JSON object per line on stderr.
//
// Events are stable dotted names ("webhook.rejected"); fields are identifiers and codes. Never
// pass buyer text, names, addresses or secrets as a field: logs cross borders and get shared.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace csgw::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, int64_t v) : key(k), value(v) {}
  Field(std::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}

  std::string_view key;
  std::variant<std::string, int64_t, double, bool> value;
};

// Lines below this level are dropped. Default: kInfo. Thread-safe.
void SetLevel(Level level);
// Parses "debug" / "info" / "warn" / "error"; false for anything else.
bool ParseLevel(std::string_view text, Level* level);

// Whether lines of `level` are written: lets hot paths skip building fields for dropped lines.
bool Enabled(Level level);

// Writes one line: {"ts":"...","level":"info","event":"...",<fields>}. Thread-safe: a line is
// written with one write() so lines of different threads never interleave.
void Write(Level level, std::string_view event, std::initializer_list<Field> fields = {});

inline void Debug(std::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kDebug, e, f);
}
inline void Info(std::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kInfo, e, f);
}
inline void Warn(std::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kWarn, e, f);
}
inline void Error(std::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kError, e, f);
}

// Appends `text` to `out` as the body of a JSON string (quotes not included).
void AppendJsonEscaped(std::string& out, std::string_view text);

}  // namespace csgw::log
