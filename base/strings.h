// Small string helpers the standard library lacks (C++20 has starts_with; these it has not).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace csgw {

// ASCII-only case mapping: protocol words (header names, status codes, site ids), never text.
std::string AsciiLower(std::string_view s);
std::string AsciiUpper(std::string_view s);
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);

std::string Join(const std::vector<std::string>& parts, std::string_view separator);

}  // namespace csgw
