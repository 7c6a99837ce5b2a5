#include "disputes/own_proposal.h"

#include <array>

#include "disputes/mapping.h"

namespace csgw::disputes {

std::span<const SellerSolution> SellerSolutions() {
  // The advisor's remedies first, on its ladder (advisor.h Name(Remedy)): any option it gives
  // is a word here, so an option is posted back as it came.
  static constexpr std::array<SellerSolution, 7> kSolutions = {{
      {"explanation", Solution::kNoRefund, false, false},
      {"coupon", Solution::kCoupon, true, true},
      {"partial_refund", Solution::kRefundOnly, true, true},
      {"resend", Solution::kResend, false, false},
      {"full_refund", Solution::kRefundOnly, false, true},
      {"return_and_refund", Solution::kReturnAndRefund, false, true},
      {"no_refund", Solution::kNoRefund, false, false},
  }};
  return kSolutions;
}

const SellerSolution* FindSellerSolution(std::string_view word) {
  for (const SellerSolution& s : SellerSolutions()) {
    if (s.word == word) return &s;
  }
  return nullptr;
}

bool IsOwnProposal(const proto::Event& event) {
  return event.has_dispute_update() &&
         event.dispute_update().marketplace_status() == kOwnProposalStatus &&
         std::string_view(event.event_id()).starts_with(kOwnProposalIdPrefix);
}

proto::Event OwnProposalEvent(std::string event_id, std::string marketplace, std::string store_id,
                              std::string dispute_id, std::string order_id,
                              const SellerSolution& solution, const std::optional<Money>& amount,
                              TimePoint at) {
  proto::Event event;
  event.set_event_id(std::move(event_id));
  event.set_marketplace(std::move(marketplace));
  event.set_store_id(std::move(store_id));
  if (!order_id.empty()) event.mutable_order()->set_order_id(std::move(order_id));
  const auto since_epoch = at.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  event.mutable_occurred_at()->set_seconds(seconds.count());
  event.mutable_occurred_at()->set_nanos(static_cast<int32_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count()));
  proto::DisputeUpdate& update = *event.mutable_dispute_update();
  update.set_dispute_id(std::move(dispute_id));
  update.set_marketplace_status(std::string(kOwnProposalStatus));
  update.set_dispute_type(std::string(solution.word));
  if (amount) *update.mutable_refund_amount() = ToProto(*amount);
  return event;
}

Result<std::vector<DisputeEvent>> MapOwnProposal(const proto::Event& event) {
  auto started = mapping_internal::Expansion::Start(event);
  if (!started) return started.error();
  mapping_internal::Expansion& x = started.value();
  const SellerSolution* solution = FindSellerSolution(x.update().dispute_type());
  if (solution == nullptr) {
    return MakeError(Errc::kInvalidField, "event " + event.event_id() + ": seller solution '" +
                                              x.update().dispute_type() + "' is not known");
  }
  DisputeEvent& e = x.Add(EventKind::kSellerOffered);
  e.actor = Party::kSeller;
  e.solution = solution->solution;
  e.amount = x.amount();
  e.proposal_id = event.event_id();
  // Not a marketplace status: the dispute keeps showing the marketplace's last one.
  e.marketplace_status.clear();
  return x.Take();
}

}  // namespace csgw::disputes
