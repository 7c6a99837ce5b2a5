// Mercado Libre thin notifications (unsigned; the resource is fetched later by a connector).
#pragma once

#include "base/clock.h"
#include "gateway/marketplaces/adapter.h"
#include "proto/proto.h"

namespace csgw::gateway {

class MercadoLibreAdapter final : public MarketplaceAdapter {
 public:
  MercadoLibreAdapter(const proto::MercadoLibreConfig& config, const Clock& clock);

  // MarketplaceAdapter
  std::string_view Id() const override { return "mercadolibre"; }
  Result<void> Verify(const InboundRequest& request) const override;
  Result<Intake> Normalize(const InboundRequest& request) const override;

 private:
  proto::MercadoLibreConfig config_;
  const Clock& clock_;
};

}  // namespace csgw::gateway
