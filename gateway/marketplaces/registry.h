// The one list of push adapters: every marketplace enabled in config gets its adapter here.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/marketplaces/adapter.h"
#include "gateway/marketplaces/ebay.h"
#include "proto/proto.h"

namespace csgw::gateway {

class AdapterRegistry {
 public:
  // Builds the adapters of the marketplaces present in `config`, resolving their secrets.
  // Startup-time: an unreadable secret or a bad key is an error for main to report.
  static Result<std::unique_ptr<AdapterRegistry>> Build(const proto::MarketplacesConfig& config,
                                                        const Clock& clock);

  void Add(std::unique_ptr<MarketplaceAdapter> adapter);
  // nullptr for an id that is not enabled.
  const MarketplaceAdapter* Find(std::string_view id) const;
  std::vector<std::string_view> Ids() const;
  // eBay's key cache, for the component that fetches keys of unknown kids.
  const std::shared_ptr<EbayKeyCache>& ebay_keys() const { return ebay_keys_; }

 private:
  std::vector<std::unique_ptr<MarketplaceAdapter>> adapters_;
  std::shared_ptr<EbayKeyCache> ebay_keys_ = std::make_shared<EbayKeyCache>();
};

}  // namespace csgw::gateway
