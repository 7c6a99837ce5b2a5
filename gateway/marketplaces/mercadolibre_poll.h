// The Mercado Libre resource fetch behind its thin notifications (marketplaces/README.md §5):
// the push adapter (mercadolibre.cc) stores each notification as an event with a PendingFetch
// (topic + resource) and a store id that is the seller's user_id; this builds the GET that
// reads the resource with the seller's token and turns the answer into full events:
// - messages: GET /messages/{id}?tag=post_sale → a BuyerMessage per message, id
//   "message:<id>" (KIND_NEW) or "message:<id>:read" for a read notification; the pack id from
//   message_resources is the conversation.
// - claims: GET /post-purchase/v1/claims/{id} → a DisputeUpdate (marketplace_status = claim
//   status, dispute_type "claim"), id "claim:<id>:<last_updated>"; the raw payload is the claim,
//   which MercadoLibreClaimOf reads for disputes::MappingContext::mercadolibre.
// - orders_v2: GET /orders/{id} → an OrderUpdate (status, total, items, buyer), id
//   "order:<id>:<last_updated>".
#pragma once

#include <vector>

#include "base/clock.h"
#include "disputes/mapping.h"
#include "gateway/marketplaces/accounts.h"
#include "gateway/outbound/request.h"
#include "proto/proto.h"

namespace csgw::gateway {

class MercadoLibreFetcher {
 public:
  static constexpr std::string_view kProductionUrl = "https://api.mercadolibre.com";

  explicit MercadoLibreFetcher(AccountBook accounts);

  // Whether `event` is a stored Mercado Libre notification this fetcher reads.
  static bool Fetchable(const proto::Event& event);

  // The GET for the notification `pending`. kInvalidField when it is not fetchable or its
  // resource is not an id; kNotFound when no account is configured for its store.
  Result<outbound::HttpRequest> BuildFetch(const proto::Event& pending) const;

  // The events the answer stands for. Errors as PollFeed::ParsePoll, plus kNotFound for a
  // resource Mercado Libre no longer has (404): nothing to fetch, the notification is done.
  Result<std::vector<proto::Event>> ParseFetch(const proto::Event& pending,
                                               const outbound::HttpResponse& response,
                                               TimePoint now) const;

  const AccountBook& accounts() const { return accounts_; }

 private:
  AccountBook accounts_;
};

// The claim a fetched claims event carries (its raw payload), for
// disputes::MappingContext::mercadolibre.
Result<disputes::MercadoLibreClaim> MercadoLibreClaimOf(const proto::Event& event);

// The normalised status of a Mercado Libre order status word ("paid", "cancelled", ...).
proto::OrderStatus MercadoLibreOrderStatus(std::string_view status);

}  // namespace csgw::gateway
