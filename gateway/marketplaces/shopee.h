// Shopee Open Platform v2 push (code 10 webchat, code 3 order status).
// Authorization = hex HMAC-SHA256(partner_key, callback URL + "|" + raw body).
#pragma once

#include <chrono>
#include <string>

#include "base/clock.h"
#include "gateway/marketplaces/adapter.h"

namespace csgw::gateway {

class ShopeeAdapter final : public MarketplaceAdapter {
 public:
  struct Options {
    std::string callback_url;  // exactly as registered with Shopee
    std::string partner_key;   // resolved secret
    std::chrono::seconds max_age{86400};
  };
  ShopeeAdapter(Options options, const Clock& clock);

  // MarketplaceAdapter
  std::string_view Id() const override { return "shopee"; }
  Result<void> Verify(const InboundRequest& request) const override;
  Result<Intake> Normalize(const InboundRequest& request) const override;

 private:
  Options options_;
  const Clock& clock_;
};

}  // namespace csgw::gateway
