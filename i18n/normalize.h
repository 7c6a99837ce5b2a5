#pragma once

// Text folding for matching buyer messages against word lists and rules. Folding is for
// comparison only: what is stored and shown stays the buyer's original text.

#include <string>
#include <string_view>
#include <vector>

namespace csgw::i18n {

// NFKC, full Unicode case folding, Cyrillic ё→е, and diacritics removed from Latin letters
// (á→a, ñ→n, ü→u, ç→c, ł→l), because buyers type with and without them. Cyrillic letters keep
// their identity (й stays й). Invalid UTF-8 is replaced by U+FFFD, never rejected.
std::string FoldForMatching(std::string_view utf8);

// The words of a folded text: maximal runs of letters, digits and in-word apostrophes, in order.
std::vector<std::string_view> SplitWords(std::string_view folded);

}  // namespace csgw::i18n
