// Lazada Open Platform push (msg_type 0 trade order, 10 reverse order, 19 IM session update).
// Authorization = hex HMAC-SHA256(app_secret, app_key + raw body).
#pragma once

#include <chrono>
#include <string>

#include "base/clock.h"
#include "gateway/marketplaces/adapter.h"

namespace csgw::gateway {

class LazadaAdapter final : public MarketplaceAdapter {
 public:
  struct Options {
    std::string app_key;
    std::string app_secret;  // resolved secret
    std::chrono::seconds max_age{86400};
  };
  LazadaAdapter(Options options, const Clock& clock);

  // MarketplaceAdapter
  std::string_view Id() const override { return "lazada"; }
  Result<void> Verify(const InboundRequest& request) const override;
  Result<Intake> Normalize(const InboundRequest& request) const override;

 private:
  Options options_;
  const Clock& clock_;
};

}  // namespace csgw::gateway
