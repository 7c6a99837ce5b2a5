// Lazada Open Platform push (msg_type 0 trade order, 10 reverse order, 19 IM session update).
// Authorization = hex HMAC-SHA256(app_secret, app_key + raw body).
//
// Envelope: {"seller_id", "message_type", "data", "timestamp", "site"}; seller_id and timestamp
// arrive as strings or numbers, timestamp in seconds or milliseconds, site in any case and with
// '_' or '-' ("lazada_sg", "LAZADA_SG", "lazada-sg"). Other message types are acknowledged and
// not stored (Intake.ignored = "message_type_<n>"). The reply is an empty 200.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "gateway/marketplaces/adapter.h"
#include "proto/proto.h"

namespace csgw::gateway {

// The buyer's country (ISO 3166-1 alpha-2) of a Lazada site: "lazada_sg", "LAZADA-VN" or a bare
// "SG" give "SG", "VN". Empty for anything that is not one of the six Lazada countries.
std::string LazadaCountryOfSite(std::string_view site);

// The normalised status of a trade order line's order_status ("unpaid", "ready_to_ship", ...),
// case-insensitive. UNSPECIFIED for unknown words.
proto::OrderStatus LazadaOrderStatus(std::string_view order_status);

// The kind of after-sales case a reverse_status belongs to: CANCEL_* "cancel", RTM_* (return to
// merchant) "return", REFUND_* / ONLY_REFUND "refund_only"; "" when the prefix is unknown.
std::string LazadaDisputeType(std::string_view reverse_status);

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
  // The signature over the raw bytes first (kBadSignature), then the signed top-level timestamp
  // against max_age and the allowed clock skew (kStaleRequest). Reading the timestamp parses
  // the body, so an authentic but malformed body fails here with kMalformedJson.
  Result<void> Verify(const InboundRequest& request) const override;
  Result<Intake> Normalize(const InboundRequest& request) const override;

 private:
  Result<void> CheckTimestamp(std::string_view body) const;

  Options options_;
  const Clock& clock_;
};

}  // namespace csgw::gateway
