#include "templates/draft.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "i18n/locale.h"
#include "i18n/time_zone.h"

namespace csgw::templates {
namespace {

std::string Percent(double confidence) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.2f", confidence);
  return buffer;
}

bool Usable(std::string_view key, const TemplateMeta& meta, const Variables& known,
            const DraftRequest& request) {
  if (std::find(meta.not_for.begin(), meta.not_for.end(), request.marketplace) !=
      meta.not_for.end()) {
    return false;
  }
  if (!meta.order_states.empty() && std::find(meta.order_states.begin(), meta.order_states.end(),
                                              request.order.state) == meta.order_states.end()) {
    return false;
  }
  // Special cases (customs hold, returned parcel, ...) fit only the order that is in one.
  if (meta.family == "special" && key != "special." + request.order.situation) return false;
  return std::all_of(meta.requires_variables.begin(), meta.requires_variables.end(),
                     [&](const std::string& v) { return known.count(v) > 0; });
}

// The store's choice when usable, else the catalogue's most specific usable template for the
// intent (the one needing the most known data), ties broken by catalogue order.
std::string ChooseTemplate(const Catalog& catalog, const StorePolicy& policy,
                           std::string_view intent, const Variables& known,
                           const DraftRequest& request, std::string& why) {
  if (auto it = policy.intent_templates.find(intent); it != policy.intent_templates.end()) {
    const TemplateMeta* meta = catalog.Meta(it->second);
    if (meta != nullptr && Usable(it->second, *meta, known, request)) {
      why = "store's template";
      return it->second;
    }
  }
  std::string best;
  size_t best_specificity = 0;
  for (const auto& key : catalog.keys()) {
    const TemplateMeta* meta = catalog.Meta(key);
    if (std::find(meta->intents.begin(), meta->intents.end(), intent) == meta->intents.end()) {
      continue;
    }
    if (!Usable(key, *meta, known, request)) continue;
    if (best.empty() || meta->requires_variables.size() > best_specificity) {
      best = key;
      best_specificity = meta->requires_variables.size();
    }
  }
  why = "catalogue";
  return best;
}

}  // namespace

Variables Drafter::KnownVariables(const DraftRequest& request, const StorePolicy& policy) {
  Variables vars;
  auto put = [&](const char* name, const std::string& value) {
    if (!value.empty()) vars[name] = value;
  };
  put("buyer_name", request.buyer_name);
  put("store_name", policy.store_name);
  put("agent_name", policy.agent_name);
  put("order_id", request.order.order_id);
  put("item", request.order.item);
  put("tracking_number", request.order.tracking_number);
  put("carrier", request.order.carrier);
  if (request.order.total) vars["amount"] = *request.order.total;
  if (request.order.shipped_at) {
    const auto days =
        std::chrono::duration_cast<std::chrono::hours>(request.now - *request.order.shipped_at)
            .count() /
        24;
    vars["days_in_transit"] = static_cast<int64_t>(std::max<int64_t>(days, 0));
    vars["ship_date"] = *request.order.shipped_at;
  } else if (request.order.ship_by) {
    vars["ship_date"] = *request.order.ship_by;
  }
  if (request.order.delivery_window_start) {
    vars["delivery_window_start"] = *request.order.delivery_window_start;
  }
  if (request.order.delivery_window_end) {
    vars["delivery_window_end"] = *request.order.delivery_window_end;
    vars["delivery_date"] = *request.order.delivery_window_end;
  }
  return vars;
}

Draft Drafter::Make(const DraftRequest& request, const StorePolicy& policy) const {
  Draft draft;
  i18n::LanguagePriors priors;
  priors.marketplace = request.marketplace;
  priors.buyer_country = request.buyer_country;
  priors.history = request.history_languages;
  draft.language = detector_.Detect(request.text, priors);

  // Without the buyer's country, a single-country marketplace tells it (Ozon buyers are in
  // Russia); the international ones leave it unknown.
  const std::string country = request.buyer_country.empty()
                                  ? std::string(i18n::MarketplaceCountry(request.marketplace))
                                  : request.buyer_country;
  draft.locale = i18n::NegotiateLocale(draft.language.language, country);
  if (auto zone = i18n::GuessBuyerZone(request.buyer_time_zone, country, request.buyer_region)) {
    draft.time_zone = zone->zone;
    draft.time_zone_source = zone->source;
  } else {
    draft.time_zone = "UTC";
    draft.time_zone_source = "default";
  }

  const std::string_view language = i18n::LanguageOf(draft.locale);
  draft.intent = classifier_.Classify(request.text, language);
  const std::string intent_part =
      "intent " + draft.intent.intent + " (" + Percent(draft.intent.confidence) + ")";
  if (draft.intent.intent == "other") {
    draft.reason = intent_part + ": no specific intent, an agent answers";
    return draft;
  }

  const std::shared_ptr<const Catalog> catalog = catalog_.Get();
  const Variables known = KnownVariables(request, policy);
  std::string why;
  draft.template_key = ChooseTemplate(*catalog, policy, draft.intent.intent, known, request, why);
  if (draft.template_key.empty()) {
    draft.reason = intent_part + ": no template fits the data known, an agent answers";
    return draft;
  }
  const std::vector<std::string> chain = i18n::FallbackChain(draft.locale);
  const TemplateText text = catalog->Find(draft.template_key, chain, request.store_id);
  if (text.pattern == nullptr) {  // lint keeps every key in "en", the end of every chain
    draft.reason = intent_part + " → " + draft.template_key + ": no text in " + draft.locale +
                   " or its fallbacks, an agent answers";
    draft.template_key.clear();
    return draft;
  }
  draft.template_locale = text.locale;
  // Plural rules and formats follow the text's language; the region stays the buyer's when the
  // text is in the buyer's language ("es" text rendered es-MX formats MXN the Mexican way).
  const std::string render_locale =
      i18n::LanguageOf(text.locale) == language ? draft.locale : text.locale;
  auto rendered = Render(*text.pattern, known, RenderOptions{render_locale, draft.time_zone});
  if (!rendered) {
    draft.reason = intent_part + " → " + draft.template_key + ": " + rendered.error().message;
    draft.template_key.clear();
    return draft;
  }
  draft.text = std::move(rendered).value();
  QualityOptions quality;
  quality.locale = render_locale;
  quality.formal = policy.formal;
  quality.max_length = catalog->LengthLimit(request.marketplace);
  draft.findings = CheckReply(draft.text, quality);

  draft.reason = intent_part + " → " + draft.template_key + " [" + text.locale + ", " + why + "]";
  const TemplateMeta* meta = catalog->Meta(draft.template_key);
  if (!policy.auto_send_intents.count(draft.intent.intent)) {
    draft.reason += "; waits: the store sends this intent only after approval";
  } else if (meta == nullptr || !meta->auto_send_safe) {
    draft.reason += "; waits: the template needs an agent's judgement";
  } else if (draft.intent.confidence < policy.min_auto_confidence) {
    draft.reason += "; waits: intent confidence below " + Percent(policy.min_auto_confidence);
  } else if (!draft.findings.empty()) {
    draft.reason += "; waits: quality check found " + draft.findings.front().code;
  } else if (language != draft.language.language) {
    draft.reason += "; waits: the catalogue has no text in the buyer's language";
  } else {
    draft.auto_send = true;
    draft.reason += "; sends automatically";
  }
  return draft;
}

}  // namespace csgw::templates
