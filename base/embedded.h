#pragma once

// A text file compiled into the binary by cmake/embed.cmake (csgw_embed_files).

#include <optional>
#include <span>
#include <string_view>

namespace csgw {

struct EmbeddedFile {
  std::string_view name;     // path relative to the folder that embedded it, e.g. "data/ru.txt"
  std::string_view content;  // the file's bytes
};

// The content of the file called `name` in `files`, if there is one.
inline std::optional<std::string_view> FindEmbedded(std::span<const EmbeddedFile> files,
                                                    std::string_view name) {
  for (const auto& f : files) {
    if (f.name == name) return f.content;
  }
  return std::nullopt;
}

}  // namespace csgw
