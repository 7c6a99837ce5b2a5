// Command-line flags of the csgw subcommands: "--name value", "--name=value", repeatable flags
// (--var a=1 --var b=2), switches without a value (--force), and positional arguments ("-" is a
// positional meaning stdin).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace csgw::gateway {

struct FlagSpec {
  std::vector<std::string> with_value;  // --name VALUE, may repeat
  std::vector<std::string> switches;    // --name
};

class Args {
 public:
  // Parses argv[first..]. On error returns nullopt and sets `error` ("unknown flag --x").
  static std::optional<Args> Parse(int argc, char** argv, int first, const FlagSpec& spec,
                                   std::string& error);

  // The last value given for a flag.
  std::optional<std::string> Flag(const std::string& name) const;
  // Every value given for a repeatable flag, in order.
  std::vector<std::string> All(const std::string& name) const;
  bool Switch(const std::string& name) const { return switches_.count(name) > 0; }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::multimap<std::string, std::string> flags_;
  std::map<std::string, bool> switches_;
  std::vector<std::string> positional_;
};

// A flag's decimal number, all of it (no sign, no trailing characters).
bool ParseUint(const std::string& text, uint64_t& out);

}  // namespace csgw::gateway
