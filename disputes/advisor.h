// The resolution advisor: which solutions the seller should offer first, what each costs, what
// to ask the buyer for, and which catalogue template the reply uses.
//
// The practice (domain/PRACTICE.md): offer the seller's own solutions first and at least two,
// cheapest that satisfies, on the ladder explanation 0% < coupon 10–20% < partial refund 20–50%
// < free resend 65–80% < full refund 100% of the order value; give evidence; third parties
// (carrier, customs) are responsible, never the buyer. Amounts are exact decimals.
//
// The advisor renders no text: it names the template (templates/catalog) and its variables and
// the gateway renders them in the buyer's language with the templates library.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "disputes/dispute.h"

namespace csgw::disputes {

enum class Remedy { kExplanation, kCoupon, kPartialRefund, kResend, kFullRefund };

// What the carrier's tracking says, as the gateway knows it.
enum class Tracking { kUnknown, kInTransit, kDelivered, kInvalid, kCustomsHold, kReturnedToSender };

struct BuyerHistory {
  int orders = 0;             // earlier orders with this store
  int previous_disputes = 0;  // earlier disputes the buyer opened (any store, when known)
  // Share of the buyer's feedback that is positive, 0-100, when the marketplace tells.
  std::optional<int> good_review_percent;
};

struct AdvisorInput {
  Money order_value;                   // what the buyer paid for the disputed order (or line)
  std::optional<Money> item_cost;      // the seller's cost of the goods: prices a resend
  std::optional<Money> shipping_cost;  // the seller's cost of shipping it again
  BuyerHistory buyer;
  Tracking tracking = Tracking::kUnknown;
  std::string carrier;
  std::string tracking_number;
};

struct SellerOption {
  Remedy remedy = Remedy::kExplanation;
  // The seller's expected loss.
  Money cost;
  // What the buyer receives in money: the refund, or the coupon's face value; zero for an
  // explanation or a resend.
  Money amount;
  // Share of the order value on the ladder, in basis points; nullopt when the cost comes from
  // the seller's own item and shipping costs (resend).
  std::optional<int64_t> share_basis_points;
  std::string rationale;  // short, for the agent; never sent to the buyer

  friend bool operator==(const SellerOption&, const SellerOption&) = default;
};

enum class Ask {
  kPhotos,
  kVideo,
  kConfirmAddress,
  kCheckNeighboursAndPostOffice,  // tracking shows delivered
  kCustomsDocuments,
};

using VariableValue = std::variant<std::string, int64_t, Money, TimePoint>;

struct ReplyDraft {
  std::string template_key;  // "special.dispute_not_received", ...
  std::map<std::string, VariableValue, std::less<>> variables;
  // Variables the template requires (templates/catalog/meta.json) that the advisor could not
  // fill: the agent must supply them before rendering.
  std::vector<std::string> missing;
};

struct Advice {
  // At least two, ordered by cost (then by the ladder).
  std::vector<SellerOption> options;
  std::vector<Ask> ask_buyer;
  // "carrier" or "customs" when a third party is responsible; empty otherwise.
  std::string third_party;
  // After-sales protection: the platform handles the case, the seller need not respond; the
  // options stay useful if the platform asks for evidence or the seller wants to settle.
  bool platform_handles = false;
  // Many earlier disputes or poor feedback: amounts at the low end of the ranges.
  bool cautious = false;
  ReplyDraft reply;
};

// kInvalidField for an order value that is not positive exact money, or costs in another
// currency.
Result<Advice> Advise(const Dispute& dispute, const AdvisorInput& input);

std::string_view Name(Remedy value);
std::string_view Name(Ask value);

}  // namespace csgw::disputes
