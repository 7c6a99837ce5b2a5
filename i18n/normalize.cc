#include "i18n/normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

namespace csgw::i18n {
namespace {

const icu::Normalizer2& Nfkc() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status) || n == nullptr) std::abort();  // ICU data missing: a broken install
  return *n;
}

const icu::Normalizer2& Nfd() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status) || n == nullptr) std::abort();
  return *n;
}

// Latin letters whose "accent" is not a combining mark in NFD.
UChar32 FoldLatinSpecial(UChar32 c) {
  switch (c) {
    case 0x0142:
      return 'l';  // ł
    case 0x00F8:
      return 'o';  // ø
    case 0x0111:
      return 'd';  // đ
    case 0x0131:
      return 'i';  // dotless ı
    default:
      return c;
  }
}

}  // namespace

std::string FoldForMatching(std::string_view utf8) {
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString normal = Nfkc().normalize(text, status);
  if (U_FAILURE(status)) normal = text;
  normal.foldCase();

  const icu::Normalizer2& nfd = Nfd();
  icu::UnicodeString out;
  out.getBuffer(normal.length());  // reserve
  out.releaseBuffer(0);
  for (int32_t i = 0; i < normal.length();) {
    const UChar32 c = normal.char32At(i);
    i += U16_LENGTH(c);
    if (c == 0x0451) {  // ё
      out.append(static_cast<UChar32>(0x0435));
      continue;
    }
    UErrorCode sc = U_ZERO_ERROR;
    if (c >= 0x80 && uscript_getScript(c, &sc) == USCRIPT_LATIN) {
      icu::UnicodeString decomposed;
      if (nfd.getDecomposition(c, decomposed)) {
        for (int32_t j = 0; j < decomposed.length();) {
          const UChar32 d = decomposed.char32At(j);
          j += U16_LENGTH(d);
          if (u_getCombiningClass(d) == 0 && u_charType(d) != U_NON_SPACING_MARK) out.append(d);
        }
        continue;
      }
      out.append(FoldLatinSpecial(c));
      continue;
    }
    out.append(c);
  }
  std::string result;
  out.toUTF8String(result);
  return result;
}

std::vector<std::string_view> SplitWords(std::string_view folded) {
  std::vector<std::string_view> words;
  const auto* s = reinterpret_cast<const uint8_t*>(folded.data());
  const int32_t length = static_cast<int32_t>(folded.size());
  int32_t start = -1;
  int32_t i = 0;
  while (i < length) {
    const int32_t at = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    const bool in_word = c >= 0 && (u_isalnum(c) || u_charType(c) == U_NON_SPACING_MARK ||
                                    ((c == '\'' || c == 0x2019) && start >= 0));
    if (in_word) {
      if (start < 0) start = at;
    } else if (start >= 0) {
      words.push_back(folded.substr(start, at - start));
      start = -1;
    }
  }
  if (start >= 0) words.push_back(folded.substr(start));
  // A trailing apostrophe ("rock'") is not part of the word.
  for (auto& w : words) {
    while (!w.empty() && (w.back() == '\'')) w.remove_suffix(1);
  }
  return words;
}

}  // namespace csgw::i18n
