#include "gateway/marketplaces/send.h"

#include <set>
#include <utility>

#include "gateway/config/config.h"
#include "gateway/marketplaces/accounts.h"
#include "gateway/marketplaces/aliexpress_send.h"
#include "gateway/marketplaces/ebay_send.h"
#include "gateway/marketplaces/lazada_send.h"
#include "gateway/marketplaces/mercadolibre_send.h"
#include "gateway/marketplaces/ozon_send.h"
#include "gateway/marketplaces/shopee_send.h"
#include "gateway/marketplaces/wildberries_send.h"

namespace csgw::gateway {

std::string_view MessageKindName(MessageKind kind) {
  switch (kind) {
    case MessageKind::kReply:
      return "reply";
    case MessageKind::kClaimMessage:
      return "claim_message";
    case MessageKind::kQuestionAnswer:
      return "question_answer";
  }
  return "reply";
}

std::string_view SendVerdictName(SendVerdict verdict) {
  switch (verdict) {
    case SendVerdict::kDelivered:
      return "delivered";
    case SendVerdict::kRetry:
      return "retry";
    case SendVerdict::kRejected:
      return "rejected";
  }
  return "rejected";
}

ReplySender::~ReplySender() = default;

Result<std::unique_ptr<SenderRegistry>> SenderRegistry::Build(const proto::Config& config,
                                                              const Clock& clock) {
  auto registry = std::make_unique<SenderRegistry>();
  const proto::MarketplacesConfig& m = config.marketplaces();
  for (std::string_view id :
       {"ozon", "mercadolibre", "lazada", "shopee", "ebay", "aliexpress", "wildberries"}) {
    auto accounts = ResolveAccounts(config, id);
    if (!accounts) return accounts.error();
    if (accounts.value().empty()) continue;
    AccountBook book(std::string(id), std::move(accounts).value());
    if (id == "ozon") {
      registry->Add(std::make_unique<OzonSender>(std::move(book), clock));
    } else if (id == "mercadolibre") {
      MercadoLibreSender::Options options{std::move(book), {}};
      for (const std::string& site : m.mercadolibre().messaging_agent_sites()) {
        if (site != "none") options.agent_sites.insert(site);
      }
      registry->Add(std::make_unique<MercadoLibreSender>(std::move(options), clock));
    } else if (id == "lazada") {
      auto secret = ResolveSecret(m.lazada().app_secret(), "marketplaces.lazada.app_secret");
      if (!secret) return secret.error();
      registry->Add(std::make_unique<LazadaSender>(
          LazadaSender::Options{std::move(book), m.lazada().app_key(), std::move(secret).value()},
          clock));
    } else if (id == "shopee") {
      auto key = ResolveSecret(m.shopee().partner_key(), "marketplaces.shopee.partner_key");
      if (!key) return key.error();
      registry->Add(std::make_unique<ShopeeSender>(
          ShopeeSender::Options{std::move(book), m.shopee().partner_id(), std::move(key).value()},
          clock));
    } else if (id == "ebay") {
      registry->Add(std::make_unique<EbaySender>(std::move(book), clock));
    } else if (id == "aliexpress") {
      auto app = AliExpressAppOf(m.aliexpress());
      if (!app) return app.error();
      registry->Add(
          std::make_unique<AliExpressSender>(std::move(book), std::move(app).value(), clock));
    } else {
      registry->Add(std::make_unique<WildberriesSender>(std::move(book), clock));
    }
  }
  return registry;
}

void SenderRegistry::Add(std::unique_ptr<ReplySender> sender) {
  senders_.push_back(std::move(sender));
}

const ReplySender* SenderRegistry::Find(std::string_view marketplace) const {
  for (const auto& sender : senders_) {
    if (sender->Marketplace() == marketplace) return sender.get();
  }
  return nullptr;
}

std::vector<std::string_view> SenderRegistry::Ids() const {
  std::vector<std::string_view> ids;
  for (const auto& sender : senders_) ids.push_back(sender->Marketplace());
  return ids;
}

}  // namespace csgw::gateway
