#include "gateway/pipeline/dispute_settings.h"

#include <algorithm>

#include "gateway/config/config.h"
#include "gateway/pipeline/disputes_records.h"

namespace csgw::gateway {
namespace {

// Largest first, as rule sets keep them. The config is validated: every text parses.
std::vector<std::chrono::seconds> Offsets(const google::protobuf::RepeatedPtrField<std::string>& in) {
  std::vector<std::chrono::seconds> out;
  for (const std::string& text : in) {
    if (auto offset = disputes::ParseDuration(text)) out.push_back(*offset);
  }
  std::sort(out.begin(), out.end(), std::greater<>());
  return out;
}

std::map<std::string, std::string, std::less<>> RuleSets(
    const google::protobuf::Map<std::string, std::string>& in) {
  return {in.begin(), in.end()};
}

}  // namespace

Result<std::shared_ptr<const DisputeSettings>> DisputeSettings::Build(
    const proto::DisputesConfig& config) {
  auto settings = std::make_shared<DisputeSettings>();
  settings->rule_sets_ = RuleSets(config.rule_sets());
  settings->alerts_before_ = Offsets(config.alerts_before());
  for (int i = 0; i < config.stores_size(); ++i) {
    const proto::DisputesStore& s = config.stores(i);
    Store store;
    store.rule_sets = RuleSets(s.rule_sets());
    store.alerts_before = Offsets(s.alerts_before());
    store.webhooks.agents_url = s.agents_webhook_url();
    store.webhooks.escalation_url = s.escalation_webhook_url();
    if (s.signing_secret().source_case() != proto::SecretRef::SOURCE_NOT_SET) {
      auto secret = ResolveSecret(s.signing_secret(),
                                  "disputes.stores[" + std::to_string(i) + "].signing_secret");
      if (!secret) return secret.error();
      store.webhooks.secret = std::move(secret).value();
    }
    settings->stores_.emplace(s.store_id(), std::move(store));
  }
  return std::shared_ptr<const DisputeSettings>(std::move(settings));
}

std::string DisputeSettings::RuleSetFor(std::string_view marketplace,
                                        std::string_view store_id) const {
  if (auto store = stores_.find(store_id); store != stores_.end()) {
    if (auto it = store->second.rule_sets.find(marketplace); it != store->second.rule_sets.end()) {
      return it->second;
    }
  }
  if (auto it = rule_sets_.find(marketplace); it != rule_sets_.end()) return it->second;
  return DefaultRuleSetId(marketplace);
}

std::vector<std::chrono::seconds> DisputeSettings::AlertsBefore(
    std::string_view store_id, const disputes::RuleSet& rules) const {
  if (auto store = stores_.find(store_id);
      store != stores_.end() && !store->second.alerts_before.empty()) {
    return store->second.alerts_before;
  }
  if (!alerts_before_.empty()) return alerts_before_;
  return rules.alerts_before;
}

const DisputeSettings::Webhooks* DisputeSettings::WebhooksOf(std::string_view store_id) const {
  auto store = stores_.find(store_id);
  if (store == stores_.end()) return nullptr;
  const Webhooks& w = store->second.webhooks;
  return w.agents_url.empty() && w.escalation_url.empty() ? nullptr : &w;
}

}  // namespace csgw::gateway
