#include "gateway/cli_args.h"

#include <algorithm>
#include <charconv>

namespace csgw::gateway {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

std::optional<Args> Args::Parse(int argc, char** argv, int first, const FlagSpec& spec,
                                std::string& error) {
  Args out;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      out.positional_.push_back(arg);
      continue;
    }
    std::optional<std::string> value;
    const size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
    }
    const std::string name = arg.substr(2);
    if (Contains(spec.switches, name)) {
      if (value) {
        error = arg + " takes no value";
        return std::nullopt;
      }
      out.switches_[name] = true;
      continue;
    }
    if (!Contains(spec.with_value, name)) {
      error = "unknown flag " + arg;
      return std::nullopt;
    }
    if (!value) {
      if (i + 1 >= argc) {
        error = arg + " needs a value";
        return std::nullopt;
      }
      value = argv[++i];
    }
    out.flags_.emplace(name, *value);
  }
  return out;
}

std::optional<std::string> Args::Flag(const std::string& name) const {
  auto [begin, end] = flags_.equal_range(name);
  if (begin == end) return std::nullopt;
  return std::prev(end)->second;
}

std::vector<std::string> Args::All(const std::string& name) const {
  std::vector<std::string> values;
  auto [begin, end] = flags_.equal_range(name);
  for (auto it = begin; it != end; ++it) values.push_back(it->second);
  return values;
}

bool ParseUint(const std::string& text, uint64_t& out) {
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size();
}

}  // namespace csgw::gateway
