// Input and output of the text commands: one input from the arguments or one per stdin line,
// one JSON object per line out.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/cli_args.h"

namespace csgw::gateway {

// Prints "csgw: <message>" to stderr; returns the usage-error exit code 2.
int Fail(const std::string& message);

// Runs `handle` on the text given as `inputs` (arguments, joined by spaces), or on every stdin
// line when the only input is "-", printing what it returns as one line. Returns 0, or 2 when
// there is no input; in single-text mode, 1 when `handle` set `failed`.
int ForEachInput(const std::vector<std::string>& inputs, const char* command,
                 const std::function<std::string(const std::string&, bool& failed)>& handle);

// A JSON object built member by member, strings escaped.
class JsonLine {
 public:
  JsonLine& Add(std::string_view key, std::string_view value);
  JsonLine& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  JsonLine& Add(std::string_view key, double value);
  JsonLine& Add(std::string_view key, bool value);
  // `json` must already be valid JSON (an array or object built by the caller).
  JsonLine& AddRaw(std::string_view key, std::string_view json);
  std::string str() const { return text_ + "}"; }

 private:
  void Key(std::string_view key);
  std::string text_ = "{";
};

}  // namespace csgw::gateway
