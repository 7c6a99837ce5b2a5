// Marketplace dispute events → machine inputs.
//
// Input: the normalised proto::Event with dispute_update (marketplace_status verbatim,
// dispute_type, reason, refund_amount) plus, where the marketplace's notification is thin or a
// status is a snapshot, the fields the connector fetched, as one optional struct per
// marketplace in MappingContext. Output: the DisputeEvents the marketplace event stands for, in
// order (step 0, 1, ...). Snapshots expand to the events that lead to them; the ones inferred
// rather than seen are `implied` (skipped by the machine where the dispute is already past
// them), and an implied opening uses the id "<dispute id>#opened" so every snapshot dedupes to
// one. Other ids are "<event_id>#<step>:<kind>": stable across redeliveries, so the machine's
// dedupe makes replays harmless.
//
// One file per marketplace: aliexpress.cc, mercadolibre.cc, ebay.cc, lazada.cc. The wire names
// and their sources are in each file and in README.md.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "disputes/dispute.h"
#include "proto/proto.h"

namespace csgw::disputes {

// One solution (proposal) from aliexpress.issue.detail.get (current API). Field values are the
// API's words.
struct AliExpressSolution {
  std::string id;
  std::string owner;  // "buyer" | "seller" | "platform": which *_solution_list it came from
  // wait_buyer_and_seller_accept, wait_buyer_accept, wait_seller_accept, reached,
  // buyer_refused, seller_accept_and_buyer_refused, reach_cancle, perform
  std::string status;
  // negotiation_consensus | platform_arbitrate | seller_reponse_timeout (sic)
  std::string reached_type;
  std::string solution_type;  // refund | return_and_refund
  std::optional<Money> refund_amount;
};

struct AliExpressIssue {
  std::optional<bool> after_sale_warranty;
  std::vector<AliExpressSolution> solutions;
  // Return ("reverse") sub-status, as seen in third-party ERP code (⚠️):
  // wait_for_seller_set_return_address, wait_for_buyer_returnid, wait_for_seller_confirm,
  // wait_for_warehouse_confirmation, wait_for_warehouse_quality_check, return_success,
  // refund_success, refund_reject.
  std::string return_status;
  // The platform's ruling does not say who was responsible; a connector that learns it (seller
  // back office, later report) passes it here.
  std::optional<Responsibility> responsibility;
};

// GET /post-purchase/v1/claims/{id} (the claims notification carries only the resource).
struct MercadoLibreClaim {
  std::string type;    // mediations | cancel_purchase | return | ...
  std::string stage;   // claim | dispute | recontact | none | stale
  std::string status;  // opened | closed
  std::string reason_id;
  // resolution.benefited: "complainant" (the buyer) or "respondent" (the seller), when closed.
  std::string benefited;
};

// getReturnDetail / the ReturnStatus of the notification (Return Management API).
struct EbayReturn {
  // ReturnStatusCodeType: ReturnClosedWithRefund, ReturnClosedNoRefund, ReturnClosedEscalated,
  // ReturnEscalatedClosedWithRefund, ReturnEscalatedClosedNoRefund, ...
  std::string return_status;
};

struct MappingContext {
  // The order (or line) total: tells a full refund from a partial one.
  std::optional<Money> order_total;
  std::optional<AliExpressIssue> aliexpress;
  std::optional<MercadoLibreClaim> mercadolibre;
  std::optional<EbayReturn> ebay;
};

// The marketplaces MapEvent has a mapping for, sorted: the only ones whose disputes the gateway
// stores.
std::span<const std::string_view> MappedMarketplaces();

// Dispatches on event.marketplace (csgw's own proposals and timer events first: own_proposal.h,
// own_timer.h). kMissingField when the event has no dispute_update or no
// time, or the marketplace needs fetched fields it was not given; kInvalidField for a status
// word the mapping does not know (named in the message); kUnknownMarketplace otherwise.
Result<std::vector<DisputeEvent>> MapEvent(const proto::Event& event,
                                           const MappingContext& context = {});

Result<std::vector<DisputeEvent>> MapAliExpress(const proto::Event& event,
                                                const MappingContext& context);
Result<std::vector<DisputeEvent>> MapMercadoLibre(const proto::Event& event,
                                                  const MappingContext& context);
Result<std::vector<DisputeEvent>> MapEbay(const proto::Event& event, const MappingContext& context);
Result<std::vector<DisputeEvent>> MapLazada(const proto::Event& event,
                                            const MappingContext& context);

// Best-effort reason from a marketplace's reason code or text: our own names ("damaged"),
// AliExpress legacy codes (notReceived, noMatchDesc), and keywords of the sub-reasons
// ("quantity", "counterfeit", "customs", ...). kUnknown when nothing matches.
Reason ReasonFromCode(std::string_view code);

namespace mapping_internal {

// Accumulates the events of one marketplace event with consecutive steps.
class Expansion {
 public:
  // kMissingField without dispute_update or occurred_at.
  static Result<Expansion> Start(const proto::Event& event);

  // An event of this marketplace event: id "<event_id>#<step>:<kind>", stable across
  // redeliveries. `implied` marks one inferred from a snapshot rather than reported.
  DisputeEvent& Add(EventKind kind, bool implied = false);
  // The implied opening with the buyer's proposal, amount and reason from the update, id
  // "<dispute_id>#opened" so that every snapshot of one dispute implies the same opening.
  DisputeEvent& ImplyOpened(Solution solution);
  // The platform's implied escalation and ruling, holding `responsibility` responsible.
  void ImplyRuling(Responsibility responsibility);
  // The closing event: refunded with the update's amount (full or partial against
  // `order_total`, full when either is unknown), or closed without refund.
  DisputeEvent& Close(bool refunded, const std::optional<Money>& order_total);
  // Sets the after-sales-protection flag on every event so far.
  void SetAfterSalesProtection(bool value);

  const proto::DisputeUpdate& update() const { return update_; }
  std::optional<Money> amount() const;
  std::vector<DisputeEvent> Take() { return std::move(events_); }

 private:
  DisputeEvent& Push(EventKind kind, std::string id, bool implied);
  proto::DisputeUpdate update_;
  std::string event_id_;
  TimePoint at_;
  uint64_t sequence_ = 0;
  std::vector<DisputeEvent> events_;
};

// kNoRefund for a zero amount; full or partial against the order total when both are known;
// `fallback` otherwise.
Refund ClassifyRefund(const std::optional<Money>& amount, const std::optional<Money>& total,
                      Refund fallback);

}  // namespace mapping_internal
}  // namespace csgw::disputes
