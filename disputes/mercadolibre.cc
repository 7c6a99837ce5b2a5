// Mercado Libre claims. The claims notification is thin (topic + resource, the adapter fills
// only dispute_id and dispute_type "claim"); the connector fetches
// GET /post-purchase/v1/claims/{id} and passes stage, status and resolution in
// MappingContext::mercadolibre.
//
// Sources: marketplaces/README.md §5 (notification shape); Mercado Libre / Mercado Pago claims
// reference (https://www.mercadopago.com.mx/developers/en/reference/claims/_claim_resource/get):
// type mediations | cancel_purchase | return; stage claim (buyer and seller) | dispute
// (Mercado Libre mediates) | recontact (contact after the close); status opened | closed ✅.
// resolution.benefited complainant | respondent: from the claims v1 docs, not in the stored
// corpus ⚠️. Partial refunds on close are told only by the refund amount against the order
// total (⚠️).
#include "disputes/mapping.h"

namespace csgw::disputes {

using mapping_internal::Expansion;

Result<std::vector<DisputeEvent>> MapMercadoLibre(const proto::Event& event,
                                                  const MappingContext& context) {
  auto started = Expansion::Start(event);
  if (!started) return started.error();
  Expansion& x = started.value();
  if (!context.mercadolibre) {
    return MakeError(Errc::kMissingField,
                     "Mercado Libre claim " + x.update().dispute_id() +
                         ": the notification carries no status; fetch "
                         "/post-purchase/v1/claims/{id} and pass its stage and status");
  }
  const MercadoLibreClaim& claim = *context.mercadolibre;
  if (claim.stage == "recontact") {
    // Contact after the claim was closed: nothing moves the dispute.
    return std::vector<DisputeEvent>();
  }
  if (claim.stage != "claim" && claim.stage != "dispute") {
    return MakeError(Errc::kInvalidField,
                     "Mercado Libre claim stage '" + claim.stage + "' is not known");
  }
  const bool mediated = claim.stage == "dispute";
  DisputeEvent& open =
      x.ImplyOpened(claim.type == "return" ? Solution::kReturnAndRefund : Solution::kRefundOnly);
  if (const Reason r = ReasonFromCode(claim.reason_id); r != Reason::kUnknown) open.reason = r;
  if (claim.status == "opened") {
    if (mediated) x.Add(EventKind::kEscalated);
  } else if (claim.status == "closed") {
    const bool buyer_won = claim.benefited == "complainant";
    if (!buyer_won && claim.benefited != "respondent") {
      return MakeError(Errc::kMissingField, "Mercado Libre claim " + x.update().dispute_id() +
                                                " closed: resolution.benefited is required");
    }
    if (mediated) {
      // Mercado Libre decided: the party it ruled against is the one held responsible.
      x.ImplyRuling(buyer_won ? Responsibility::kSeller : Responsibility::kBuyer);
    }
    x.Close(buyer_won, context.order_total);
  } else {
    return MakeError(Errc::kInvalidField,
                     "Mercado Libre claim status '" + claim.status + "' is not known");
  }
  return x.Take();
}

}  // namespace csgw::disputes
