// Lazada reverse orders (push msg_type 10; gateway/marketplaces/lazada.cc puts reverse_status in
// marketplace_status and the reverse order id in dispute_id).
//
// Sources: marketplaces/README.md §7.3 and samples/lazada/webhook.msg_type_10.reverse_order.json
// (Lazada "Webhook API Reverse Order", https://open.alitrip.com/docs/doc.htm?articleId=120232):
// CANCEL_INIT, CANCEL_SUCCESS, CANCEL_REFUND_ISSUED, RTM_INIT, RTM_CANCELED, REFUND_SUCCESS ✅;
// RTM_SHIPPING_BACK and RTM_RECEIVE_ITEM only on the Miravia page (msg_type 18) ⚠️. RTM is read
// as "return to merchant" and CANCEL_* as the buyer's cancellation request before shipping ⚠️:
// neither is spelled out in the docs. Lazada pushes only some states per reverse type, so each
// status implies the ones before it.
#include "disputes/mapping.h"

namespace csgw::disputes {
namespace {

using mapping_internal::Expansion;

void ImplyAgreed(Expansion& x, Solution solution) {
  DisputeEvent& e = x.Add(EventKind::kAgreed, true);
  e.agreement = Agreement::kConsensus;
  e.accepted_by = Party::kSeller;
  e.solution = solution;
}

}  // namespace

Result<std::vector<DisputeEvent>> MapLazada(const proto::Event& event,
                                            const MappingContext& context) {
  auto started = Expansion::Start(event);
  if (!started) return started.error();
  Expansion& x = started.value();
  const std::string status = x.update().marketplace_status();
  const bool cancel = status.rfind("CANCEL_", 0) == 0;
  const Solution solution = cancel ? Solution::kRefundOnly : Solution::kReturnAndRefund;
  if (status == "RTM_INIT" || status == "CANCEL_INIT") {
    DisputeEvent& e = x.Add(EventKind::kOpened);
    e.actor = Party::kBuyer;
    e.solution = solution;
    e.amount = x.amount();
    return x.Take();
  }
  x.ImplyOpened(solution);
  if (status == "RTM_CANCELED") {
    x.Add(EventKind::kCancelled).actor = Party::kBuyer;
  } else if (status == "RTM_SHIPPING_BACK") {
    ImplyAgreed(x, solution);
    x.Add(EventKind::kReturnRequested, true);
    x.Add(EventKind::kReturnShipped);
  } else if (status == "RTM_RECEIVE_ITEM") {
    ImplyAgreed(x, solution);
    x.Add(EventKind::kReturnRequested, true);
    x.Add(EventKind::kReturnShipped, true);
    x.Add(EventKind::kEvidenceAdded).evidence = Evidence::kReturnDelivered;
  } else if (status == "REFUND_SUCCESS" || status == "CANCEL_SUCCESS" ||
             status == "CANCEL_REFUND_ISSUED") {
    ImplyAgreed(x, status == "REFUND_SUCCESS" ? Solution::kRefundOnly : solution);
    x.Close(/*refunded=*/true, context.order_total);
  } else {
    return MakeError(Errc::kInvalidField, "Lazada reverse status '" + status + "' is not known");
  }
  return x.Take();
}

}  // namespace csgw::disputes
