// Seller accounts (Config.accounts) with their secrets resolved: what the reply senders and the
// polling connectors authenticate and sign as. Built at startup; read-only afterwards.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "proto/proto.h"

namespace csgw::gateway {

// One seller account. Holds secrets: never log it, only its marketplace and store_id.
struct Account {
  std::string marketplace;
  std::string store_id;
  std::string api_base_url;  // empty: the marketplace's production API
  std::string access_token;  // resolved; empty for Ozon
  std::string api_key;       // resolved; Ozon only
  std::string client_id;     // Ozon Client-Id, defaulted to store_id
  std::string shop_id;       // Shopee shop_id, defaulted to store_id
  std::string seller_id;     // Mercado Libre seller user id, defaulted to store_id
  std::string site;
  bool poll = true;
};

// The accounts of `marketplace` in Config.accounts, secrets resolved through ResolveSecret.
// Startup-time: an unreadable secret is an error naming the field.
Result<std::vector<Account>> ResolveAccounts(const proto::Config& config,
                                             std::string_view marketplace);

// One marketplace's accounts by store id.
class AccountBook {
 public:
  AccountBook(std::string marketplace, std::vector<Account> accounts);

  // kNotFound naming the marketplace and store when no account is configured for it.
  Result<const Account*> Find(std::string_view store_id) const;
  const std::vector<Account>& all() const { return accounts_; }
  bool empty() const { return accounts_.empty(); }

 private:
  std::string marketplace_;
  std::vector<Account> accounts_;
};

}  // namespace csgw::gateway
