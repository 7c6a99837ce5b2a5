#pragma once

// A text file compiled into the binary by cmake/embed.cmake (csgw_embed_files).

#include <cstdlib>
#include <iostream>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

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

// Parses every embedded file with `parse` (file content → Result<T>). A file that fails is a
// defect of the build, not a runtime condition (the data's own unit test catches it first):
// the message names `what` and the file, and the process aborts.
template <class T, class Parse>
std::vector<T> ParseEmbeddedOrDie(std::span<const EmbeddedFile> files, std::string_view what,
                                  Parse parse) {
  std::vector<T> out;
  for (const EmbeddedFile& file : files) {
    auto parsed = parse(file.content);
    if (!parsed) {
      std::cerr << what << ": embedded " << file.name << ": " << parsed.error().message << "\n";
      std::abort();
    }
    out.push_back(std::move(parsed).value());
  }
  return out;
}

// The element of `items` whose `id` member equals `id`, or nullptr.
template <class T>
const T* FindById(std::span<const T> items, std::string_view id) {
  for (const T& item : items) {
    if (item.id == id) return &item;
  }
  return nullptr;
}

}  // namespace csgw
