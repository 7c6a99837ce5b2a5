#include "disputes/dispute.h"

#include <array>
#include <utility>

namespace csgw::disputes {
namespace {

// One table per enum, indexed by the enumerator: a new enumerator without a name fails the
// static_asserts below.
constexpr std::array<std::string_view, 10> kStateNames = {"none",
                                                          "awaiting_seller_response",
                                                          "negotiating",
                                                          "arbitrating",
                                                          "agreed",
                                                          "ruled",
                                                          "awaiting_return_shipment",
                                                          "awaiting_seller_receipt",
                                                          "closed",
                                                          "cancelled"};
static_assert(kStateNames.size() == static_cast<size_t>(State::kCancelled) + 1);

constexpr std::array<std::string_view, 3> kAgreementNames = {"none", "consensus", "seller_timeout"};
constexpr std::array<std::string_view, 5> kResponsibilityNames = {"none", "seller", "buyer",
                                                                  "neither", "unknown"};
static_assert(kResponsibilityNames.size() == static_cast<size_t>(Responsibility::kUnknown) + 1);
constexpr std::array<std::string_view, 4> kRefundNames = {"none", "full", "partial", "no_refund"};
constexpr std::array<std::string_view, 4> kPartyNames = {"none", "buyer", "seller", "platform"};
constexpr std::array<std::string_view, 5> kProposalStatusNames = {"pending", "accepted", "rejected",
                                                                  "superseded", "executed"};
static_assert(kProposalStatusNames.size() == static_cast<size_t>(ProposalStatus::kExecuted) + 1);
constexpr std::array<std::string_view, 6> kSolutionNames = {
    "unspecified", "refund_only", "return_and_refund", "resend", "coupon", "no_refund"};
static_assert(kSolutionNames.size() == static_cast<size_t>(Solution::kNoRefund) + 1);
constexpr std::array<std::string_view, 14> kReasonNames = {"unknown",
                                                           "in_transit",
                                                           "invalid_tracking",
                                                           "customs",
                                                           "returned_to_sender",
                                                           "wrong_address",
                                                           "not_received_other",
                                                           "quality",
                                                           "damaged",
                                                           "wrong_item",
                                                           "quantity_short",
                                                           "counterfeit",
                                                           "not_as_described_other",
                                                           "buyer_reason"};
static_assert(kReasonNames.size() == static_cast<size_t>(Reason::kBuyerReason) + 1);
constexpr std::array<std::string_view, 6> kEvidenceNames = {
    "photos",           "video",           "tracking_delivered", "tracking_in_transit",
    "tracking_invalid", "return_delivered"};
static_assert(kEvidenceNames.size() == static_cast<size_t>(Evidence::kReturnDelivered) + 1);
constexpr std::array<std::string_view, 15> kEventKindNames = {"opened",
                                                              "buyer_proposed",
                                                              "seller_proposed",
                                                              "buyer_rejected",
                                                              "platform_proposed",
                                                              "agreed",
                                                              "escalated",
                                                              "ruled",
                                                              "return_requested",
                                                              "return_shipped",
                                                              "closed",
                                                              "cancelled",
                                                              "deadline_expired",
                                                              "evidence_added",
                                                              "seller_offered"};
static_assert(kEventKindNames.size() == static_cast<size_t>(EventKind::kSellerOffered) + 1);

template <class E, size_t N>
std::string_view NameIn(const std::array<std::string_view, N>& names, E value) {
  return names[static_cast<size_t>(value)];
}

template <class E, size_t N>
std::optional<E> ParseIn(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

ReasonGroup GroupOf(Reason reason) {
  switch (reason) {
    case Reason::kInTransit:
    case Reason::kInvalidTracking:
    case Reason::kCustoms:
    case Reason::kReturnedToSender:
    case Reason::kWrongAddress:
    case Reason::kNotReceivedOther:
      return ReasonGroup::kNotReceived;
    case Reason::kQuality:
    case Reason::kDamaged:
    case Reason::kWrongItem:
    case Reason::kQuantityShort:
    case Reason::kCounterfeit:
    case Reason::kNotAsDescribedOther:
      return ReasonGroup::kNotAsDescribed;
    case Reason::kBuyerReason:
      return ReasonGroup::kBuyerReason;
    case Reason::kUnknown:
      break;
  }
  return ReasonGroup::kUnknown;
}

bool IsTerminal(State state) { return state == State::kClosed || state == State::kCancelled; }

bool IsOpen(State state) { return state != State::kNone && !IsTerminal(state); }

std::string_view Name(State value) { return NameIn(kStateNames, value); }
std::string_view Name(Agreement value) { return NameIn(kAgreementNames, value); }
std::string_view Name(Responsibility value) { return NameIn(kResponsibilityNames, value); }
std::string_view Name(Refund value) { return NameIn(kRefundNames, value); }
std::string_view Name(Party value) { return NameIn(kPartyNames, value); }
std::string_view Name(ProposalStatus value) { return NameIn(kProposalStatusNames, value); }
std::string_view Name(Solution value) { return NameIn(kSolutionNames, value); }
std::string_view Name(Reason value) { return NameIn(kReasonNames, value); }
std::string_view Name(Evidence value) { return NameIn(kEvidenceNames, value); }
std::string_view Name(EventKind value) { return NameIn(kEventKindNames, value); }

std::optional<State> ParseState(std::string_view name) { return ParseIn<State>(kStateNames, name); }
std::optional<Party> ParseParty(std::string_view name) { return ParseIn<Party>(kPartyNames, name); }
std::optional<Reason> ParseReason(std::string_view name) {
  return ParseIn<Reason>(kReasonNames, name);
}

}  // namespace csgw::disputes
