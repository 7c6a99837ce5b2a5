#include "gateway/cli_text.h"

#include <iostream>
#include <string>

#include "base/timestamp.h"
#include "gateway/cli_io.h"
#include "i18n/language.h"
#include "i18n/time_zone.h"
#include "templates/intent.h"

namespace csgw::gateway {
namespace {

i18n::LanguagePriors Priors(const Args& args) {
  i18n::LanguagePriors priors;
  priors.marketplace = args.Flag("marketplace").value_or("");
  priors.buyer_country = args.Flag("country").value_or("");
  return priors;
}

}  // namespace

const FlagSpec kDetectFlags{{"marketplace", "country"}, {}};

int Detect(const Args& args) {
  const i18n::LanguageDetector detector;
  const i18n::LanguagePriors priors = Priors(args);
  return ForEachInput(args.positional(), "detect", [&](const std::string& text, bool&) {
    const i18n::DetectedLanguage language = detector.Detect(text, priors);
    return JsonLine()
        .Add("language", language.language)
        .Add("confidence", language.confidence)
        .Add("method", language.method)
        .str();
  });
}

const FlagSpec kClassifyFlags{{"language", "marketplace", "country"}, {}};

int Classify(const Args& args) {
  const i18n::LanguageDetector detector;
  const auto classifier = templates::MakeRuleClassifier();
  const i18n::LanguagePriors priors = Priors(args);
  const auto language_flag = args.Flag("language");
  return ForEachInput(args.positional(), "classify", [&](const std::string& text, bool&) {
    const std::string language =
        language_flag ? *language_flag : detector.Detect(text, priors).language;
    const templates::IntentResult intent = classifier->Classify(text, language);
    return JsonLine()
        .Add("intent", intent.intent)
        .Add("confidence", intent.confidence)
        .Add("language", language)
        .str();
  });
}

const FlagSpec kTimeFlags{{"tz", "at"}, {}};

int Time(const Args& args) {
  const auto zone = args.Flag("tz");
  if (!zone) return Fail("time needs --tz ZONE");
  if (!i18n::IsKnownZone(*zone)) return Fail("unknown time zone " + *zone);
  const auto at = args.Flag("at");
  if (!at) return Fail("time needs --at ISO-8601-INSTANT (or --at - to read instants from stdin)");
  auto describe = [&](const std::string& text, bool& failed) {
    const auto instant = ParseIsoDateTime(text);
    if (!instant) {
      failed = true;
      return JsonLine()
          .Add("error", "invalid_field")
          .Add("message", "--at must be an ISO 8601 instant with a zone designator")
          .str();
    }
    const auto offset = i18n::OffsetAt(*zone, *instant).value();
    return JsonLine()
        .Add("zone", *zone)
        .Add("utc", FormatIsoMillis(*instant))
        .Add("local", i18n::FormatLocalIso(*zone, *instant).value())
        .Add("utc_offset", i18n::FormatUtcOffset(offset.offset))
        .Add("abbreviation", offset.abbreviation)
        .Add("dst", offset.dst)
        .str();
  };
  return ForEachInput({*at}, "time", describe);
}

}  // namespace csgw::gateway
