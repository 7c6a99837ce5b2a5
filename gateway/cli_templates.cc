#include "gateway/cli_templates.h"

#include <cstdio>
#include <iostream>

#include "gateway/catalog_files.h"
#include "gateway/cli_io.h"
#include "i18n/locale.h"
#include "i18n/time_zone.h"
#include "templates/catalog.h"
#include "templates/quality.h"
#include "templates/render.h"

namespace csgw::gateway {
namespace {

std::string FindingsJson(const std::vector<templates::QualityFinding>& findings) {
  std::string json = "[";
  for (const auto& f : findings) {
    if (json.size() > 1) json.push_back(',');
    json += JsonLine().Add("code", f.code).Add("message", f.message).str();
  }
  return json + "]";
}

// --var name=value pairs, typed by the catalogue's declaration of each name; undeclared names
// (free --message patterns) are numbers when they read as numbers, else strings.
Result<templates::Variables> TypedVariables(const Args& args, const templates::Catalog& catalog,
                                            const std::string& currency) {
  templates::Variables vars;
  for (const auto& pair : args.All("var")) {
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error{Errc::kInvalidField, "--var takes name=value, got '" + pair + "'"};
    }
    const std::string name = pair.substr(0, eq);
    const std::string value = pair.substr(eq + 1);
    auto declared = catalog.variables().find(name);
    Result<templates::VariableValue> typed = templates::VariableValue(value);
    if (declared != catalog.variables().end()) {
      typed = templates::ParseVariable(declared->second.type, value, currency);
    } else if (auto number =
                   templates::ParseVariable(templates::VariableType::kNumber, value, "")) {
      typed = number.value();
    }
    if (!typed) return Error{Errc::kInvalidField, "--var " + name + ": " + typed.error().message};
    vars[name] = std::move(typed).value();
  }
  return vars;
}

}  // namespace

const FlagSpec kRenderFlags{{"locale", "var", "tz", "currency", "store", "catalog", "message"}, {}};

int RenderCommand(const Args& args) {
  const auto locale = args.Flag("locale");
  if (!locale) return Fail("render needs --locale (es-MX, ru, en-GB, ...)");
  const std::string zone = args.Flag("tz").value_or("UTC");
  if (!i18n::IsKnownZone(zone)) return Fail("unknown time zone " + zone);
  auto files = LayeredCatalogFiles(args.Flag("catalog").value_or(""));
  if (!files) return Fail(files.error().message);
  auto catalog = templates::Catalog::Load(files.value());
  if (!catalog) return Fail("catalogue: " + catalog.error().message);
  const std::string currency =
      args.Flag("currency").value_or(std::string(i18n::DefaultCurrency(i18n::RegionOf(*locale))));
  auto vars = TypedVariables(args, *catalog.value(), currency);
  if (!vars) return Fail(vars.error().message);
  const templates::RenderOptions options{*locale, zone};

  if (const auto message = args.Flag("message")) {
    auto text = templates::Render(*message, vars.value(), options);
    if (!text) return Fail(text.error().message);
    std::cout << JsonLine().Add("locale", *locale).Add("text", text.value()).str() << std::endl;
    return 0;
  }
  const std::vector<std::string> chain = i18n::FallbackChain(*locale);
  const std::string store = args.Flag("store").value_or("");
  return ForEachInput(args.positional(), "render", [&](const std::string& key, bool& failed) {
    const templates::TemplateText found = catalog.value()->Find(key, chain, store);
    if (found.pattern == nullptr) {
      failed = true;
      return JsonLine()
          .Add("key", key)
          .Add("error", "not_found")
          .Add("message", "no template " + key + " for " + *locale + " or its fallbacks")
          .str();
    }
    auto text = templates::Render(*found.pattern, vars.value(), options);
    if (!text) {
      failed = true;
      return JsonLine()
          .Add("key", key)
          .Add("error", PublicCode(text.error().code))
          .Add("message", text.error().message)
          .str();
    }
    return JsonLine()
        .Add("key", key)
        .Add("locale", *locale)
        .Add("template_locale", found.locale)
        .Add("text", text.value())
        .str();
  });
}

const FlagSpec kTemplatesFlags{{"catalog"}, {}};

int TemplatesCommand(const Args& args) {
  if (args.positional().size() != 1 || args.positional()[0] != "lint") {
    return Fail("usage: csgw templates lint [--catalog DIR]");
  }
  const std::string dir = args.Flag("catalog").value_or("");
  auto files = LayeredCatalogFiles(dir);
  if (!files) return Fail(files.error().message);
  const auto findings = templates::Lint(files.value());
  for (const auto& f : findings) {
    std::printf("%s%s%s: %s\n", f.file.c_str(), f.key.empty() ? "" : ": ", f.key.c_str(),
                f.message.c_str());
  }
  if (!findings.empty()) {
    std::fprintf(stderr, "csgw: %zu finding(s)\n", findings.size());
    return 1;
  }
  std::printf("catalogue%s%s: ok\n", dir.empty() ? " (built-in)" : " ", dir.c_str());
  return 0;
}

const FlagSpec kCheckReplyFlags{{"locale", "max-length", "marketplace", "catalog"}, {"informal"}};

int CheckReplyCommand(const Args& args) {
  templates::QualityOptions options;
  const auto locale = args.Flag("locale");
  if (!locale) return Fail("check-reply needs --locale (ru, es-MX, en, ...)");
  options.locale = *locale;
  options.formal = !args.Switch("informal");
  if (auto max = args.Flag("max-length")) {
    auto n = templates::ParseVariable(templates::VariableType::kNumber, *max, "");
    if (!n || !std::holds_alternative<int64_t>(n.value()) || std::get<int64_t>(n.value()) <= 0) {
      return Fail("--max-length must be a positive integer");
    }
    options.max_length = static_cast<size_t>(std::get<int64_t>(n.value()));
  } else if (auto marketplace = args.Flag("marketplace")) {
    // The limits of the catalogue the gateway would use (limits.json, --catalog on top).
    auto files = LayeredCatalogFiles(args.Flag("catalog").value_or(""));
    if (!files) return Fail(files.error().message);
    auto catalog = templates::Catalog::Load(files.value());
    if (!catalog) return Fail("catalogue: " + catalog.error().message);
    options.max_length = catalog.value()->LengthLimit(*marketplace);
  }
  return ForEachInput(args.positional(), "check-reply", [&](const std::string& text, bool& failed) {
    const auto findings = templates::CheckReply(text, options);
    failed = !findings.empty();
    return JsonLine().Add("ok", findings.empty()).AddRaw("findings", FindingsJson(findings)).str();
  });
}

}  // namespace csgw::gateway
