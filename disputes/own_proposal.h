// The seller's own proposals made through csgw (POST /v1/disputes/{id}/proposals). The API does
// not write the dispute: it appends a DisputeUpdate event to the event log, and the pipeline,
// the only writer of dispute records, maps it here and applies it in order with the
// marketplace's events. The event is recognised by its status word and id prefix, both csgw's
// own (no marketplace sends them).
//
// It maps to EventKind::kSellerOffered: a pending seller proposal that does not move the state
// (dispute.h says why); the marketplace's own report of the seller's answer does.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "disputes/dispute.h"
#include "proto/proto.h"

namespace csgw::disputes {

// DisputeUpdate.marketplace_status of an own proposal.
inline constexpr std::string_view kOwnProposalStatus = "csgw:seller_offer";
// Event.event_id prefix of an own proposal ("csgw:proposal:<hash>"); the id is also the
// proposal's id.
inline constexpr std::string_view kOwnProposalIdPrefix = "csgw:proposal:";

// The seller's solution words of the API (DisputeUpdate.dispute_type of an own proposal).
struct SellerSolution {
  std::string_view word;  // "partial_refund"
  Solution solution;
  bool needs_amount;  // the refund or coupon value must be given
  bool takes_amount;  // an amount may be given at all
};

// explanation, coupon, partial_refund, resend, full_refund (the advisor's remedies, whose
// names are these words), return_and_refund, no_refund. Recorded in the library's Solution:
// explanation and no_refund as kNoRefund (the seller pays nothing), partial_refund and
// full_refund as kRefundOnly (the amount against the order's value tells them apart).
std::span<const SellerSolution> SellerSolutions();
const SellerSolution* FindSellerSolution(std::string_view word);

// Whether `event` is an own proposal (status and id prefix).
bool IsOwnProposal(const proto::Event& event);

// The DisputeUpdate event of an own proposal; `amount` as given (validated by the caller).
proto::Event OwnProposalEvent(std::string event_id, std::string marketplace, std::string store_id,
                              std::string dispute_id, std::string order_id,
                              const SellerSolution& solution, const std::optional<Money>& amount,
                              TimePoint at);

// One kSellerOffered event, id "<event_id>#0:seller_offered", proposal id the event id.
// kMissingField as MapEvent; kInvalidField for an unknown solution word.
Result<std::vector<DisputeEvent>> MapOwnProposal(const proto::Event& event);

}  // namespace csgw::disputes
