// csgw_lang_eval: the language detector (or CLD2 alone, for the baseline) over stdin, one text a
// line, one JSON object a line out, in the format of `csgw detect -`. For tools/eval_language.py.
//
//   csgw_lang_eval [--cld2-only] [--marketplace M] [--country CC] < texts.txt

#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "i18n/language.h"

int main(int argc, char** argv) {
  bool cld2_only = false;
  csgw::i18n::LanguagePriors priors;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--cld2-only") {
      cld2_only = true;
    } else if (arg == "--marketplace" && i + 1 < argc) {
      priors.marketplace = argv[++i];
    } else if (arg == "--country" && i + 1 < argc) {
      priors.buyer_country = argv[++i];
    } else {
      std::cerr << "usage: csgw_lang_eval [--cld2-only] [--marketplace M] [--country CC]\n";
      return 2;
    }
  }
  const csgw::i18n::LanguageDetector detector;
  std::string line;
  while (std::getline(std::cin, line)) {
    const csgw::i18n::DetectedLanguage d =
        cld2_only ? csgw::i18n::DetectWithCld2Only(line) : detector.Detect(line, priors);
    std::printf("{\"language\":\"%s\",\"confidence\":%.3f,\"method\":\"%s\"}\n", d.language.c_str(),
                d.confidence, d.method.c_str());
  }
  return 0;
}
