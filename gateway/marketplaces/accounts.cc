#include "gateway/marketplaces/accounts.h"

#include <utility>

#include "gateway/config/config.h"

namespace csgw::gateway {

Result<std::vector<Account>> ResolveAccounts(const proto::Config& config,
                                             std::string_view marketplace) {
  std::vector<Account> out;
  for (int i = 0; i < config.accounts_size(); ++i) {
    const proto::MarketplaceAccount& a = config.accounts(i);
    if (a.marketplace() != marketplace) continue;
    const std::string where = "accounts[" + std::to_string(i) + "]";
    Account account;
    account.marketplace = a.marketplace();
    account.store_id = a.store_id();
    account.api_base_url = a.api_base_url();
    if (a.has_access_token()) {
      auto token = ResolveSecret(a.access_token(), where + ".access_token");
      if (!token) return token.error();
      account.access_token = std::move(token).value();
    }
    if (a.has_api_key()) {
      auto key = ResolveSecret(a.api_key(), where + ".api_key");
      if (!key) return key.error();
      account.api_key = std::move(key).value();
    }
    account.client_id = a.client_id().empty() ? a.store_id() : a.client_id();
    account.shop_id = a.shop_id().empty() ? a.store_id() : a.shop_id();
    account.seller_id = a.seller_id().empty() ? a.store_id() : a.seller_id();
    account.site = a.site();
    account.poll = !a.disable_polling();
    out.push_back(std::move(account));
  }
  return out;
}

AccountBook::AccountBook(std::string marketplace, std::vector<Account> accounts)
    : marketplace_(std::move(marketplace)), accounts_(std::move(accounts)) {}

Result<const Account*> AccountBook::Find(std::string_view store_id) const {
  for (const Account& a : accounts_) {
    if (a.store_id == store_id) return &a;
  }
  return MakeError(Errc::kNotFound, "no " + marketplace_ + " account is configured for store " +
                                        std::string(store_id) + " (Config.accounts)");
}

}  // namespace csgw::gateway
