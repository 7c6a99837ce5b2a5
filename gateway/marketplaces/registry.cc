#include "gateway/marketplaces/registry.h"

#include <string>
#include <utility>

#include "gateway/config/config.h"
#include "gateway/marketplaces/lazada.h"
#include "gateway/marketplaces/mercadolibre.h"
#include "gateway/marketplaces/ozon.h"
#include "gateway/marketplaces/shopee.h"

namespace csgw::gateway {
namespace {

std::chrono::seconds MaxAge(uint32_t configured) {
  return std::chrono::seconds(configured == 0 ? 86400 : configured);
}

// The resolved secret of an optional SecretRef field; "" when the field is absent. A present
// but empty reference is an error (ResolveSecret's), not "no secret": ValidateConfig refuses it
// too, and failing closed is the safe reading of a half-written secret.
Result<std::string> OptionalSecret(bool present, const proto::SecretRef& ref,
                                   std::string_view field) {
  if (!present) return std::string();
  return ResolveSecret(ref, field);
}

}  // namespace

Result<std::unique_ptr<AdapterRegistry>> AdapterRegistry::Build(
    const proto::MarketplacesConfig& config, const Clock& clock) {
  auto registry = std::make_unique<AdapterRegistry>();
  if (config.has_ozon()) {
    auto token = OptionalSecret(config.ozon().has_url_token(), config.ozon().url_token(),
                                "marketplaces.ozon.url_token");
    if (!token) return token.error();
    registry->Add(std::make_unique<OzonAdapter>(
        OzonAdapter::Options{config.ozon().app_name(), std::move(token).value()}, clock));
  }
  if (config.has_mercadolibre()) {
    auto token =
        OptionalSecret(config.mercadolibre().has_url_token(), config.mercadolibre().url_token(),
                       "marketplaces.mercadolibre.url_token");
    if (!token) return token.error();
    registry->Add(std::make_unique<MercadoLibreAdapter>(
        MercadoLibreAdapter::Options{std::move(token).value()}, clock));
  }
  if (config.has_lazada()) {
    auto secret = ResolveSecret(config.lazada().app_secret(), "marketplaces.lazada.app_secret");
    if (!secret) return secret.error();
    registry->Add(std::make_unique<LazadaAdapter>(
        LazadaAdapter::Options{config.lazada().app_key(), std::move(secret).value(),
                               MaxAge(config.lazada().max_age_seconds())},
        clock));
  }
  if (config.has_shopee()) {
    auto secret = ResolveSecret(config.shopee().partner_key(), "marketplaces.shopee.partner_key");
    if (!secret) return secret.error();
    registry->Add(std::make_unique<ShopeeAdapter>(
        ShopeeAdapter::Options{config.shopee().callback_url(), std::move(secret).value(),
                               MaxAge(config.shopee().max_age_seconds())},
        clock));
  }
  if (config.has_ebay()) {
    auto token =
        ResolveSecret(config.ebay().verification_token(), "marketplaces.ebay.verification_token");
    if (!token) return token.error();
    for (const auto& key : config.ebay().public_keys()) {
      auto put = registry->ebay_keys_->Put(key.kid(), key.pem(), key.digest());
      if (!put) {
        return MakeError(put.error().code, "marketplaces.ebay.public_keys kid " + key.kid() + ": " +
                                               put.error().message);
      }
    }
    EbayAdapter::Options options;
    options.verification_token = std::move(token).value();
    options.endpoint_url = config.ebay().endpoint_url();
    options.default_store_id = config.ebay().default_store_id();
    options.store_ids.assign(config.ebay().store_ids().begin(), config.ebay().store_ids().end());
    options.max_age = MaxAge(config.ebay().max_age_seconds());
    registry->Add(std::make_unique<EbayAdapter>(std::move(options), registry->ebay_keys_, clock));
  }
  return registry;
}

void AdapterRegistry::Add(std::unique_ptr<MarketplaceAdapter> adapter) {
  adapters_.push_back(std::move(adapter));
}

const MarketplaceAdapter* AdapterRegistry::Find(std::string_view id) const {
  for (const auto& adapter : adapters_) {
    if (adapter->Id() == id) return adapter.get();
  }
  return nullptr;
}

std::vector<std::string_view> AdapterRegistry::Ids() const {
  std::vector<std::string_view> ids;
  for (const auto& adapter : adapters_) ids.push_back(adapter->Id());
  return ids;
}

}  // namespace csgw::gateway
