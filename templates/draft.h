#pragma once

// Drafting a reply to a buyer message: language, locale and time zone of the buyer, intent,
// template choice (store's own choice first, then intent × family × locale), rendering with the
// order data known, the quality check, and whether the store lets it go out without an agent.
// Pure: everything it needs is handed in; the gateway stores the result on the conversation.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "i18n/language.h"
#include "templates/catalog.h"
#include "templates/intent.h"
#include "templates/quality.h"
#include "templates/render.h"

namespace csgw::templates {

// What a store decides about its replies (config: templates.stores[]).
struct StorePolicy {
  std::string store_name;
  std::string agent_name;
  // Intents whose drafts may be sent without an agent, if the template is marked safe, every
  // variable it needs is known and the quality check finds nothing.
  std::set<std::string, std::less<>> auto_send_intents = {"greeting", "thanks",
                                                          "where_is_my_order"};
  // The store's own template for an intent, tried before the catalogue's choice.
  std::map<std::string, std::string, std::less<>> intent_templates;
  bool formal = true;
  // Below this intent confidence a draft always waits for an agent.
  double min_auto_confidence = 0.8;
};

// What is known about the order a message is about.
struct OrderContext {
  // "unpaid", "not_shipped", "shipped", "delivered", or "" when not known.
  std::string state;
  // A special case the order is in, naming a "special.<situation>" template: "customs_hold",
  // "returned_to_sender", "wrong_address", ... Special-case templates are chosen only so.
  std::string situation;
  std::string order_id;
  std::string item;
  std::optional<MoneyValue> total;
  std::string tracking_number;
  std::string carrier;
  std::optional<TimePoint> shipped_at;
  std::optional<TimePoint> ship_by;  // promised dispatch date, before shipping
  std::optional<TimePoint> delivery_window_start;
  std::optional<TimePoint> delivery_window_end;
};

struct DraftRequest {
  std::string marketplace;
  std::string store_id;
  std::string text;  // the buyer's message
  std::string buyer_name;
  std::string buyer_country;                   // ISO 3166-1 alpha-2
  std::string buyer_region;                    // region or city, when known
  std::string buyer_time_zone;                 // from the marketplace, when known
  std::vector<std::string> history_languages;  // earlier messages' languages, oldest first
  OrderContext order;
  TimePoint now;
};

struct Draft {
  i18n::DetectedLanguage language;
  std::string locale;            // "es-MX"
  std::string time_zone;         // "America/Mexico_City"
  std::string time_zone_source;  // marketplace, region, country, or "default"
  IntentResult intent;
  std::string template_key;     // "" when no template fits
  std::string template_locale;  // catalogue locale of the text ("es")
  std::string text;             // rendered reply; "" when no template fits
  bool auto_send = false;
  // Why this template, and why it goes out or waits ("intent where_is_my_order (0.92) →
  // aftersale.where_is_order_tracking; waits: store sends this intent only after approval").
  std::string reason;
  std::vector<QualityFinding> findings;
};

class Drafter {
 public:
  // All three must outlive the Drafter; the catalogue is read on every draft, so a reload
  // (CatalogHolder::Set) takes effect for the next one.
  Drafter(const i18n::LanguageDetector& detector, const IntentClassifier& classifier,
          const CatalogHolder& catalog)
      : detector_(detector), classifier_(classifier), catalog_(catalog) {}

  // Thread-safe.
  Draft Make(const DraftRequest& request, const StorePolicy& policy) const;

  // The variables a request makes known (buyer, store, agent, order data); exposed for tests.
  static Variables KnownVariables(const DraftRequest& request, const StorePolicy& policy);

 private:
  const i18n::LanguageDetector& detector_;
  const IntentClassifier& classifier_;
  const CatalogHolder& catalog_;
};

}  // namespace csgw::templates
