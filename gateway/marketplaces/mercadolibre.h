// Mercado Libre thin notifications (unsigned; the resource is fetched later by a connector).
//
// A notification names a resource and carries nothing else: {"topic", "resource", "user_id",
// "actions", "received", "sent", "attempts", "application_id", "_id"}. Mercado Libre documents no
// signature; trust rests on its source IPs, on an optional shared secret in the registered
// notification URL (?token=, MercadoLibreConfig.url_token) and on fetching the resource with the
// seller's own token. Handled topics:
//   messages   -> BuyerMessage (kind NEW for "created" or no actions, READ for "read"), message_id
//                 = resource (a bare message id);
//   orders_v2  -> OrderUpdate with order.order_id from "/orders/<id>", status UNSPECIFIED;
//   claims     -> DisputeUpdate with dispute_id from "/v1/claims/<id>" or
//                 "/post-purchase/v1/claims/<id>".
// Other topics are acknowledged and not stored (Intake.ignored names the topic).
//
// The fetch seam: every event carries pending_fetch {topic, resource, actions}. The connector
// that GETs https://api.mercadolibre.com{resource} (or /messages/{resource}?tag=post_sale) with
// the seller's token and emits the full event is later work; until then downstream consumers see
// only the ids above. Mercado Libre wants the 200 within 500 ms, which is why nothing here does
// more than read the notification.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/json.h"
#include "gateway/marketplaces/adapter.h"
#include "proto/proto.h"

namespace csgw::gateway {

class MercadoLibreAdapter final : public MarketplaceAdapter {
 public:
  struct Options {
    std::string url_token;  // resolved secret; empty: notifications need no ?token=
  };
  MercadoLibreAdapter(Options options, const Clock& clock);

  // MarketplaceAdapter
  std::string_view Id() const override { return "mercadolibre"; }
  // Only POST is accepted (kMethodNotAllowed); with a url_token, ?token= must equal it
  // (kBadSignature). There is no signature to check.
  Result<void> Verify(const InboundRequest& request) const override;
  Result<Intake> Normalize(const InboundRequest& request) const override;

 private:
  // When the notification says it happened: received (or the misspelt "recieved"), else sent,
  // else now. `raw` receives the text the time came from ("" for now).
  Result<TimePoint> OccurredAt(const JsonValue& root, std::string& raw) const;

  Options options_;
  const Clock& clock_;
};

}  // namespace csgw::gateway
