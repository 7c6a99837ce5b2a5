// Shopee Open Platform v2 push (code 10 webchat, code 3 order status).
// Authorization = hex HMAC-SHA256(partner_key, callback URL + "|" + raw body); the body's
// `timestamp` (Unix seconds) must be within max_age. Every accepted push, used or not, is answered
// 200 with an empty body, which Shopee requires. Other push codes are acknowledged as ignored
// ("code_<n>").
#pragma once

#include <chrono>
#include <string>

#include "base/clock.h"
#include "gateway/marketplaces/adapter.h"

namespace csgw {
class JsonValue;
}

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
  Result<Intake> NormalizeWebchat(const InboundRequest& request, const JsonValue& root,
                                  const std::string& shop_id) const;
  Result<Intake> NormalizeOrderStatus(const InboundRequest& request, const JsonValue& root,
                                      const std::string& shop_id) const;

  Options options_;
  const Clock& clock_;
};

}  // namespace csgw::gateway
