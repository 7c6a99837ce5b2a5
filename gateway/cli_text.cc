#include "gateway/cli_text.h"

#include <cstdio>
#include <functional>
#include <iostream>
#include <string>

#include "base/log.h"
#include "base/timestamp.h"
#include "i18n/language.h"
#include "i18n/time_zone.h"
#include "templates/intent.h"

namespace csgw::gateway {
namespace {

// One stdin line is one message; a buyer message is far below this.
constexpr size_t kMaxInputLine = 64 * 1024;

int Fail(const std::string& message) {
  std::fprintf(stderr, "csgw: %s\n", message.c_str());
  return 2;
}

// Runs `handle` on the text given as arguments (joined by spaces), or on every stdin line when
// the text is "-". `handle` returns the JSON object to print for its input.
int ForEachInput(const Args& args, const char* command,
                 const std::function<std::string(const std::string&)>& handle) {
  const auto& positional = args.positional();
  if (positional.empty()) return Fail(std::string(command) + " needs a TEXT argument or -");
  if (positional.size() == 1 && positional[0] == "-") {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.size() > kMaxInputLine) {
        std::cout << R"({"error":"input_too_large","message":"line over 65536 bytes"})" << '\n';
        continue;
      }
      std::cout << handle(line) << '\n';
    }
    std::cout.flush();
    return 0;
  }
  std::string text;
  for (const auto& p : positional) text.append(text.empty() ? "" : " ").append(p);
  std::cout << handle(text) << std::endl;
  return 0;
}

void AppendString(std::string& out, const char* key, std::string_view value) {
  out.append(out.size() > 1 ? ",\"" : "\"").append(key).append("\":\"");
  log::AppendJsonEscaped(out, value);
  out.push_back('"');
}

void AppendNumber(std::string& out, const char* key, double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", value);
  out.append(out.size() > 1 ? ",\"" : "\"").append(key).append("\":").append(buffer);
}

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
  return ForEachInput(args, "detect", [&](const std::string& text) {
    const i18n::DetectedLanguage language = detector.Detect(text, priors);
    std::string json = "{";
    AppendString(json, "language", language.language);
    AppendNumber(json, "confidence", language.confidence);
    AppendString(json, "method", language.method);
    return json + "}";
  });
}

const FlagSpec kClassifyFlags{{"language", "marketplace", "country"}, {}};

int Classify(const Args& args) {
  const i18n::LanguageDetector detector;
  const auto classifier = templates::MakeRuleClassifier();
  const i18n::LanguagePriors priors = Priors(args);
  const auto language_flag = args.Flag("language");
  return ForEachInput(args, "classify", [&](const std::string& text) {
    const std::string language =
        language_flag ? *language_flag : detector.Detect(text, priors).language;
    const templates::IntentResult intent = classifier->Classify(text, language);
    std::string json = "{";
    AppendString(json, "intent", intent.intent);
    AppendNumber(json, "confidence", intent.confidence);
    AppendString(json, "language", language);
    return json + "}";
  });
}

const FlagSpec kTimeFlags{{"tz", "at"}, {}};

int Time(const Args& args) {
  const auto zone = args.Flag("tz");
  if (!zone) return Fail("time needs --tz ZONE");
  if (!i18n::IsKnownZone(*zone)) return Fail("unknown time zone " + *zone);
  auto describe = [&](const std::string& at) {
    std::string json = "{";
    const auto instant = ParseIsoDateTime(at);
    if (!instant) {
      AppendString(json, "error", "invalid_field");
      AppendString(json, "message", "--at must be an ISO 8601 instant with a zone designator");
      return json + "}";
    }
    const auto local = i18n::FormatLocalIso(*zone, *instant).value();
    const auto offset = i18n::OffsetAt(*zone, *instant).value();
    AppendString(json, "zone", *zone);
    AppendString(json, "utc", FormatIsoMillis(*instant));
    AppendString(json, "local", local);
    AppendString(json, "utc_offset", i18n::FormatUtcOffset(offset.offset));
    AppendString(json, "abbreviation", offset.abbreviation);
    json.append(",\"dst\":").append(offset.dst ? "true" : "false");
    return json + "}";
  };
  const auto at = args.Flag("at");
  if (!at) return Fail("time needs --at ISO-8601-INSTANT (or --at - to read instants from stdin)");
  if (*at != "-") {
    std::cout << describe(*at) << std::endl;
    return 0;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.size() > kMaxInputLine) line.resize(kMaxInputLine);
    std::cout << describe(line) << '\n';
  }
  return 0;
}

}  // namespace csgw::gateway
