#include "gateway/catalog_files.h"

#include <filesystem>
#include <fstream>

namespace csgw::gateway {
namespace {

namespace fs = std::filesystem;

// A catalogue is a few hundred kilobytes; these caps only stop a wrong directory argument
// (a home directory, a disk) from being read whole.
constexpr size_t kMaxFileBytes = 1 << 20;
constexpr size_t kMaxFiles = 2000;

}  // namespace

Result<std::vector<templates::CatalogFile>> LayeredCatalogFiles(const std::string& dir) {
  std::vector<templates::CatalogFile> files = templates::Catalog::DefaultFiles();
  if (dir.empty()) return files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Error{Errc::kInvalidField, "catalogue directory " + dir + " does not exist"};
  }
  size_t count = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".json") continue;
    if (++count > kMaxFiles) {
      return Error{Errc::kInvalidField, dir + " holds more than 2000 JSON files"};
    }
    // Read at most one byte past the cap, whatever file_size() said a moment ago: the file
    // may grow, or be a device or FIFO behind a symlink.
    std::ifstream in(it->path(), std::ios::binary);
    if (!in) return Error{Errc::kInvalidField, "cannot read " + it->path().string()};
    std::string text(kMaxFileBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes) {
      return Error{Errc::kInvalidField, it->path().string() + " is larger than 1 MiB"};
    }
    const std::string name = fs::relative(it->path(), dir).generic_string();
    bool replaced = false;
    for (auto& f : files) {
      if (f.name == name) {
        f.content = text;
        replaced = true;
      }
    }
    if (!replaced) files.push_back({name, std::move(text)});
  }
  if (ec) return Error{Errc::kInvalidField, "cannot list " + dir + ": " + ec.message()};
  return files;
}

}  // namespace csgw::gateway
