// Ozon Seller API push notifications (unsigned; TYPE_PING handshake).
#pragma once

#include "base/clock.h"
#include "gateway/marketplaces/adapter.h"
#include "proto/proto.h"

namespace csgw::gateway {

class OzonAdapter final : public MarketplaceAdapter {
 public:
  OzonAdapter(const proto::OzonConfig& config, const Clock& clock);

  // MarketplaceAdapter
  std::string_view Id() const override { return "ozon"; }
  Result<void> Verify(const InboundRequest& request) const override;
  Result<Intake> Normalize(const InboundRequest& request) const override;

 private:
  proto::OzonConfig config_;
  const Clock& clock_;
};

}  // namespace csgw::gateway
