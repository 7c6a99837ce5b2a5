#include "gateway/cli_io.h"

#include <cstdio>
#include <iostream>

#include "base/log.h"

namespace csgw::gateway {
namespace {

// One stdin line is one message or key; a buyer message is far below this.
constexpr size_t kMaxInputLine = 64 * 1024;

// Reads one line of at most `max` bytes into `line` (without '\n' or a trailing '\r'); a longer
// line is skipped to its end without being held in memory and reported as `too_long`.
bool ReadBoundedLine(std::istream& in, size_t max, std::string& line, bool& too_long) {
  line.clear();
  too_long = false;
  char c;
  bool any = false;
  while (in.get(c)) {
    any = true;
    if (c == '\n') break;
    if (line.size() < max) {
      line.push_back(c);
    } else {
      too_long = true;
    }
  }
  if (!any) return false;
  if (!too_long && !line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

}  // namespace

int Fail(const std::string& message) {
  std::fprintf(stderr, "csgw: %s\n", message.c_str());
  return 2;
}

int ForEachInput(const std::vector<std::string>& positional, const char* command,
                 const std::function<std::string(const std::string&, bool& failed)>& handle) {
  if (positional.empty()) return Fail(std::string(command) + " needs a TEXT argument or -");
  bool failed = false;
  if (positional.size() == 1 && positional[0] == "-") {
    std::string line;
    bool too_long = false;
    while (ReadBoundedLine(std::cin, kMaxInputLine, line, too_long)) {
      if (too_long) {
        std::cout << JsonLine()
                         .Add("error", "input_too_large")
                         .Add("message", "line over 65536 bytes")
                         .str()
                  << '\n';
        continue;
      }
      std::cout << handle(line, failed) << '\n';
    }
    std::cout.flush();
    return 0;
  }
  std::string text;
  for (const auto& p : positional) text.append(text.empty() ? "" : " ").append(p);
  std::cout << handle(text, failed) << std::endl;
  return failed ? 1 : 0;
}

void JsonLine::Key(std::string_view key) {
  if (text_.size() > 1) text_.push_back(',');
  text_.push_back('"');
  log::AppendJsonEscaped(text_, key);
  text_.append("\":");
}

JsonLine& JsonLine::Add(std::string_view key, std::string_view value) {
  Key(key);
  text_.push_back('"');
  log::AppendJsonEscaped(text_, value);
  text_.push_back('"');
  return *this;
}

JsonLine& JsonLine::Add(std::string_view key, double value) {
  Key(key);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", value);
  text_.append(buffer);
  return *this;
}

JsonLine& JsonLine::Add(std::string_view key, bool value) {
  Key(key);
  text_.append(value ? "true" : "false");
  return *this;
}

JsonLine& JsonLine::AddRaw(std::string_view key, std::string_view json) {
  Key(key);
  text_.append(json);
  return *this;
}

}  // namespace csgw::gateway
