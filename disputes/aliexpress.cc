// AliExpress issues (disputes). AliExpress has no dispute push: a polling connector reads
// api.queryIssueDetail (legacy) or aliexpress.issue.detail.get (current) and emits a
// DisputeUpdate whose marketplace_status is the issue status; the current API's solutions come
// in MappingContext::aliexpress. Both are snapshots, so each status expands to the events that
// lead to it (implied where inferred).
//
// Sources (domain/RULES.md §3.3):
// - legacy statuses: xiajian/aliexpress_php_sdk IssueAPIIssueDTO.class.php (✅ SDK);
// - current issue_status, solution status and reached_type (spelt "seller_reponse_timeout" by
//   the API): AliExpress Open Platform SDK doc-comments (✅ SDK, repository not identified);
// - return sub-statuses: third-party ERP code (⚠️);
// - after_sale_warranty = After-sales Protection (售后宝) dispute (✅ SDK).
#include <algorithm>

#include "disputes/mapping.h"

namespace csgw::disputes {
namespace {

using mapping_internal::ClassifyRefund;
using mapping_internal::Expansion;

Solution SolutionOf(std::string_view solution_type) {
  if (solution_type == "refund") return Solution::kRefundOnly;
  if (solution_type == "return_and_refund") return Solution::kReturnAndRefund;
  return Solution::kUnspecified;
}

void FillProposal(DisputeEvent& e, const AliExpressSolution& s) {
  e.proposal_id = s.id;
  e.solution = SolutionOf(s.solution_type);
  e.amount = s.refund_amount;
}

DisputeEvent& AddAgreed(Expansion& x, bool implied) {
  DisputeEvent& e = x.Add(EventKind::kAgreed, implied);
  e.agreement = Agreement::kConsensus;
  e.accepted_by = Party::kSeller;
  return e;
}

// The legacy status set: one status word per issue.
Result<std::vector<DisputeEvent>> MapLegacy(Expansion& x, std::string_view status) {
  x.ImplyOpened(Solution::kUnspecified);
  if (status == "WAIT_SELLER_CONFIRM_REFUND") {
    // The opening, or the buyer's new proposal after a refusal: the seller's turn either way.
    // Implied: seen on a dispute already past it (a re-poll), it changes nothing.
    DisputeEvent& e = x.Add(EventKind::kBuyerProposed, /*implied=*/true);
    e.actor = Party::kBuyer;
    e.amount = x.amount();
  } else if (status == "SELLER_REFUSE_REFUND") {
    x.Add(EventKind::kSellerProposed).actor = Party::kSeller;
  } else if (status == "ACCEPTISSUE") {
    AddAgreed(x, false);
  } else if (status == "WAIT_BUYER_SEND_GOODS") {
    AddAgreed(x, true).solution = Solution::kReturnAndRefund;
    x.Add(EventKind::kReturnRequested);
  } else if (status == "WAIT_SELLER_RECEIVE_GOODS") {
    AddAgreed(x, true).solution = Solution::kReturnAndRefund;
    x.Add(EventKind::kReturnRequested, true);
    x.Add(EventKind::kReturnShipped);
  } else if (status == "ARBITRATING") {
    x.Add(EventKind::kEscalated);
  } else if (status == "SELLER_RESPONSE_ISSUE_TIMEOUT") {
    DisputeEvent& e = x.Add(EventKind::kAgreed);
    e.agreement = Agreement::kSellerTimeout;
    e.amount = x.amount();
  } else {
    return MakeError(Errc::kInvalidField,
                     "AliExpress issue status '" + std::string(status) + "' is not known");
  }
  return x.Take();
}

const AliExpressSolution* Find(const std::vector<AliExpressSolution>& solutions,
                               std::initializer_list<std::string_view> statuses,
                               std::string_view owner = "") {
  // The lists are in creation order: the last match is the live one.
  for (auto it = solutions.rbegin(); it != solutions.rend(); ++it) {
    if (!owner.empty() && it->owner != owner) continue;
    if (std::find(statuses.begin(), statuses.end(), it->status) != statuses.end()) return &*it;
  }
  return nullptr;
}

// A reached solution: the agreement or ruling, then the return progress.
Result<void> MapReached(Expansion& x, const AliExpressSolution& reached,
                        const AliExpressIssue& issue, bool finished) {
  // Later snapshots (return progress, finish) repeat the reached solution: by then the
  // agreement is an inference, not news.
  const bool implied = finished || !issue.return_status.empty();
  if (reached.reached_type == "negotiation_consensus") {
    DisputeEvent& e = AddAgreed(x, implied);
    // Accepting the other party's plan: a buyer plan was accepted by the seller and v.v.
    e.accepted_by = reached.owner == "seller"  ? Party::kBuyer
                    : reached.owner == "buyer" ? Party::kSeller
                                               : Party::kNone;
    FillProposal(e, reached);
  } else if (reached.reached_type == "seller_reponse_timeout") {
    DisputeEvent& e = x.Add(EventKind::kAgreed, implied);
    e.agreement = Agreement::kSellerTimeout;
    FillProposal(e, reached);
  } else if (reached.reached_type == "platform_arbitrate") {
    x.Add(EventKind::kEscalated, true);
    DisputeEvent& e = x.Add(EventKind::kRuled, implied);
    e.responsibility = issue.responsibility.value_or(Responsibility::kUnknown);
    FillProposal(e, reached);
  } else {
    return MakeError(Errc::kInvalidField,
                     "AliExpress reached_type '" + reached.reached_type + "' is not known");
  }
  if (finished) return Ok();
  const std::string& r = issue.return_status;
  if (r == "wait_for_seller_set_return_address" || r == "wait_for_buyer_returnid") {
    x.Add(EventKind::kReturnRequested);
  } else if (r == "wait_for_seller_confirm" || r == "wait_for_warehouse_confirmation" ||
             r == "wait_for_warehouse_quality_check" || r == "return_success" ||
             r == "refund_success") {
    x.Add(EventKind::kReturnRequested, true);
    x.Add(EventKind::kReturnShipped, r != "wait_for_seller_confirm");
  } else if (r.empty() || r == "refund_reject") {
    // No return under way; refund_reject's consequence is not documented (⚠️), the next
    // issue status tells.
  } else {
    return MakeError(Errc::kInvalidField, "AliExpress return status '" + r + "' is not known");
  }
  return Ok();
}

Result<void> MapNegotiation(Expansion& x, const AliExpressIssue& issue) {
  const auto& s = issue.solutions;
  const AliExpressSolution* platform =
      Find(s, {"wait_buyer_and_seller_accept", "seller_accept_and_buyer_refused"}, "platform");
  if (platform != nullptr || Find(s, {"reach_cancle"}) != nullptr) {
    x.Add(EventKind::kEscalated);
    if (platform != nullptr) {
      DisputeEvent& e = x.Add(EventKind::kPlatformProposed);
      e.actor = Party::kPlatform;
      FillProposal(e, *platform);
    }
    return Ok();
  }
  const AliExpressSolution* seller = Find(s, {"wait_buyer_accept"}, "seller");
  const AliExpressSolution* buyer = Find(s, {"wait_seller_accept"}, "buyer");
  const AliExpressSolution* refused = Find(s, {"buyer_refused"}, "seller");
  if (seller != nullptr) {
    DisputeEvent& e = x.Add(EventKind::kSellerProposed);
    e.actor = Party::kSeller;
    FillProposal(e, *seller);
  } else if (refused != nullptr && buyer != nullptr) {
    DisputeEvent& counter = x.Add(EventKind::kSellerProposed, true);
    counter.actor = Party::kSeller;
    FillProposal(counter, *refused);
    x.Add(EventKind::kBuyerRejected).actor = Party::kBuyer;
  } else if (buyer != nullptr) {
    DisputeEvent& e = x.Add(EventKind::kBuyerProposed, true);
    e.actor = Party::kBuyer;
    FillProposal(e, *buyer);
  }
  return Ok();
}

}  // namespace

Result<std::vector<DisputeEvent>> MapAliExpress(const proto::Event& event,
                                                const MappingContext& context) {
  auto started = Expansion::Start(event);
  if (!started) return started.error();
  Expansion& x = started.value();
  const std::string status = x.update().marketplace_status();
  const bool current = status == "processing" || status == "finish" || status == "canceled_issue";
  if (!current) return MapLegacy(x, status);

  const AliExpressIssue* issue = context.aliexpress ? &*context.aliexpress : nullptr;
  const AliExpressSolution* opening =
      issue != nullptr
          ? Find(issue->solutions,
                 {"wait_seller_accept", "reached", "perform", "buyer_refused", "reach_cancle"},
                 "buyer")
          : nullptr;
  DisputeEvent& open = x.ImplyOpened(Solution::kUnspecified);
  if (opening != nullptr) FillProposal(open, *opening);
  if (status == "canceled_issue") {
    x.Add(EventKind::kCancelled).actor = Party::kBuyer;
  } else if (issue == nullptr) {
    if (status == "finish") {
      return MakeError(Errc::kMissingField,
                       "AliExpress issue " + x.update().dispute_id() +
                           " finished: the solutions of aliexpress.issue.detail.get are needed "
                           "to tell the refund");
    }
    // processing without detail: open, nothing more known.
  } else {
    const bool finished = status == "finish";
    const AliExpressSolution* reached = Find(issue->solutions, {"reached", "perform"});
    if (reached != nullptr) {
      if (auto ok = MapReached(x, *reached, *issue, finished); !ok) return ok.error();
      if (finished) {
        DisputeEvent& e = x.Add(EventKind::kClosed);
        e.amount = reached->refund_amount;
        const Refund fallback = SolutionOf(reached->solution_type) == Solution::kReturnAndRefund
                                    ? Refund::kFull
                                    : Refund::kPartial;
        e.refund = ClassifyRefund(reached->refund_amount, context.order_total, fallback);
      }
    } else if (finished) {
      return MakeError(Errc::kInvalidField, "AliExpress issue " + x.update().dispute_id() +
                                                " finished without a reached solution");
    } else if (auto ok = MapNegotiation(x, *issue); !ok) {
      return ok.error();
    }
    if (issue->after_sale_warranty) x.SetAfterSalesProtection(*issue->after_sale_warranty);
  }
  return x.Take();
}

}  // namespace csgw::disputes
