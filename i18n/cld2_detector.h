#pragma once

// The only door to CLD2 (libcld2): everything CLD2-specific, including its language codes and its
// habit of answering ENGLISH when it knows nothing, stays in cld2_detector.cc.

#include <array>
#include <string>
#include <string_view>

namespace csgw::i18n {

struct Cld2Guess {
  std::string language;  // ISO 639-1 where one exists ("ru", "he"); empty when CLD2 had none
  int percent = 0;       // share of the scored text bytes CLD2 gave this language, 0..100
};

struct Cld2Result {
  std::array<Cld2Guess, 3> top;  // best first; unused slots have an empty language
  bool reliable = false;         // CLD2's own reliability flag
  int text_bytes = 0;            // letter bytes CLD2 actually scored
};

// Runs CLD2 in best-effort mode on UTF-8 text (invalid UTF-8 yields an empty result, never a
// guess). Thread-safe: CLD2's tables are static and read-only.
Cld2Result DetectWithCld2(std::string_view utf8);

}  // namespace csgw::i18n
