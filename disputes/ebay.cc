// eBay returns. The SOAP Platform Notifications of the Return Management API name the event in
// NotificationEventName (marketplace_status); polling getReturnDetail gives
// ReturnSummary.status (ReturnStatusType) instead. Both are mapped.
//
// Sources: marketplaces/README.md §4.1 and §4.5; developer.ebay.com pn_return-created,
// pn_return-escalated ("when the buyer escalates ... the eBay managed return is closed"),
// pn_return-closed, pn_return-shipped, pn_return-delivered, pn_return-wait-for-seller-info;
// ReturnStatusType (CLOSED, ESCALATED, ITEM_DELIVERED, ITEM_SHIPPED, READY_FOR_SHIPPING,
// WAITING_FOR_SELLER_INFO) and ReturnStatusCodeType (ReturnClosedWithRefund, ...) ✅.
// The refund outcome of ReturnClosed is not in the notification: pass EbayReturn.return_status
// from getReturnDetail. Who eBay held responsible when a case closed is inferred from the
// refund (with refund: seller; without: neither) ⚠️.
#include "disputes/mapping.h"

namespace csgw::disputes {
namespace {

using mapping_internal::Expansion;

void ImplyReturnAgreed(Expansion& x) {
  DisputeEvent& e = x.Add(EventKind::kAgreed, true);
  e.agreement = Agreement::kConsensus;
  e.accepted_by = Party::kSeller;
  e.solution = Solution::kReturnAndRefund;
}

// The ReturnStatusCodeType values of a closed return.
bool IsClosedReturnStatus(std::string_view s) {
  return s == "ReturnClosedEscalated" || s == "ReturnClosedWithRefund" ||
         s == "ReturnEscalatedClosedWithRefund" || s == "ReturnClosedNoRefund" ||
         s == "ReturnEscalatedClosedNoRefund";
}

// `s`: the return's closed ReturnStatus (getReturnDetail), which says whether it was refunded.
Result<void> MapClosed(Expansion& x, std::string_view s, const std::optional<Money>& order_total) {
  const bool escalated = s.rfind("ReturnEscalated", 0) == 0;
  if (s == "ReturnClosedEscalated") {
    // The return closes because it became a case: the dispute goes on, with eBay.
    x.Add(EventKind::kEscalated);
    return Ok();
  }
  bool refunded;
  if (s == "ReturnClosedWithRefund" || s == "ReturnEscalatedClosedWithRefund") {
    refunded = true;
  } else if (s == "ReturnClosedNoRefund" || s == "ReturnEscalatedClosedNoRefund") {
    refunded = false;
  } else {
    return MakeError(Errc::kInvalidField,
                     "eBay return status '" + std::string(s) + "' is not a closed one");
  }
  if (escalated) x.ImplyRuling(refunded ? Responsibility::kSeller : Responsibility::kNeither);
  x.Close(refunded, order_total);
  return Ok();
}

}  // namespace

Result<std::vector<DisputeEvent>> MapEbay(const proto::Event& event,
                                          const MappingContext& context) {
  auto started = Expansion::Start(event);
  if (!started) return started.error();
  Expansion& x = started.value();
  const std::string status = x.update().marketplace_status();
  if (status == "ReturnCreated") {
    // The opening itself, reported: not implied.
    DisputeEvent& e = x.Add(EventKind::kOpened);
    e.actor = Party::kBuyer;
    e.solution = Solution::kReturnAndRefund;
    e.amount = x.amount();
    return x.Take();
  }
  x.ImplyOpened(Solution::kReturnAndRefund);
  if (status == "ReturnWaitingForSellerInfo" || status == "WAITING_FOR_SELLER_INFO") {
    // The seller owes an RMA number or a return address: still the seller's turn.
  } else if (status == "READY_FOR_SHIPPING") {
    ImplyReturnAgreed(x);
    x.Add(EventKind::kReturnRequested);
  } else if (status == "ReturnShipped" || status == "ITEM_SHIPPED") {
    ImplyReturnAgreed(x);
    x.Add(EventKind::kReturnRequested, true);
    x.Add(EventKind::kReturnShipped);
  } else if (status == "ReturnDelivered" || status == "ITEM_DELIVERED") {
    ImplyReturnAgreed(x);
    x.Add(EventKind::kReturnRequested, true);
    x.Add(EventKind::kReturnShipped, true);
    x.Add(EventKind::kEvidenceAdded).evidence = Evidence::kReturnDelivered;
  } else if (status == "ReturnEscalated" || status == "ESCALATED") {
    x.Add(EventKind::kEscalated);
  } else if (status == "ReturnClosed" || status == "CLOSED") {
    // The notification does not say whether the buyer was refunded: the detail does.
    if (!context.ebay || context.ebay->return_status.empty()) {
      return MakeError(Errc::kMissingField,
                       "eBay return " + x.update().dispute_id() +
                           " closed: ReturnStatus from getReturnDetail is needed to tell the "
                           "refund");
    }
    if (auto ok = MapClosed(x, context.ebay->return_status, context.order_total); !ok)
      return ok.error();
  } else if (IsClosedReturnStatus(status)) {
    // A relay that read the return's detail sends its closed status as the status itself.
    if (auto ok = MapClosed(x, status, context.order_total); !ok) return ok.error();
  } else {
    return MakeError(Errc::kInvalidField, "eBay return event '" + status + "' is not known");
  }
  return x.Take();
}

}  // namespace csgw::disputes
