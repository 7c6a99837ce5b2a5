#include "disputes/advisor.h"

#include <algorithm>
#include <array>

namespace csgw::disputes {
namespace {

// Where in each ladder range the advisor lands (PRACTICE.md gives ranges, not points): the
// low end for cautious cases, the middle otherwise, the high end for valued buyers, whom a
// store wants back for a second order.
enum class Profile { kCautious, kNormal, kValued };

Profile ProfileOf(const BuyerHistory& b) {
  const bool poor_feedback = b.good_review_percent && *b.good_review_percent < 80;
  const bool serial =
      b.previous_disputes >= 3 || (b.orders > 0 && b.previous_disputes * 5 > b.orders);  // > 20%
  if (poor_feedback || serial) return Profile::kCautious;
  const bool good_feedback = !b.good_review_percent || *b.good_review_percent >= 95;
  if (b.orders >= 3 && b.previous_disputes == 0 && good_feedback) return Profile::kValued;
  return Profile::kNormal;
}

int64_t CouponPoints(Profile p) {
  return p == Profile::kCautious ? 1000 : (p == Profile::kValued ? 2000 : 1500);
}

// The partial refund that matches how much of the value the problem takes away.
int64_t PartialPoints(Reason reason, Profile p) {
  int64_t base = 3000;
  switch (reason) {
    case Reason::kDamaged:
      base = 4000;
      break;
    case Reason::kWrongItem:
    case Reason::kQuantityShort:
    case Reason::kCounterfeit:
      base = 5000;
      break;
    default:
      break;
  }
  if (p == Profile::kCautious) base -= 1000;
  if (p == Profile::kValued) base += 1000;
  return std::clamp<int64_t>(base, 2000, 5000);
}

constexpr int64_t kResendMidpoint = 7250;  // 65–80%, when the seller's costs are unknown

struct Builder {
  const AdvisorInput& in;
  Advice& advice;

  Result<void> Ladder(Remedy remedy, int64_t points, std::string rationale) {
    auto cost = PercentOf(in.order_value, points);
    if (!cost) return cost.error();
    const bool pays = remedy == Remedy::kCoupon || remedy == Remedy::kPartialRefund ||
                      remedy == Remedy::kFullRefund;
    advice.options.push_back(SellerOption{remedy, cost.value(),
                                          pays ? cost.value() : ZeroMoney(in.order_value.currency),
                                          points, std::move(rationale)});
    return Ok();
  }

  Result<void> Resend(std::string rationale) {
    if (!in.item_cost) return Ladder(Remedy::kResend, kResendMidpoint, std::move(rationale));
    auto cost = Add(*in.item_cost, in.shipping_cost.value_or(ZeroMoney(in.item_cost->currency)));
    if (!cost) return cost.error();
    advice.options.push_back(SellerOption{Remedy::kResend, cost.value(),
                                          ZeroMoney(in.order_value.currency), std::nullopt,
                                          std::move(rationale)});
    return Ok();
  }

  void AskFor(Ask ask) {
    if (std::find(advice.ask_buyer.begin(), advice.ask_buyer.end(), ask) ==
        advice.ask_buyer.end()) {
      advice.ask_buyer.push_back(ask);
    }
  }
};

bool Has(const Dispute& d, Evidence e) {
  return std::find(d.evidence.begin(), d.evidence.end(), e) != d.evidence.end();
}

// The effective tracking picture: what the gateway knows, else the dispute's own evidence.
Tracking TrackingOf(const Dispute& d, Tracking given) {
  if (given != Tracking::kUnknown) return given;
  if (Has(d, Evidence::kTrackingDelivered)) return Tracking::kDelivered;
  if (Has(d, Evidence::kTrackingInvalid)) return Tracking::kInvalid;
  if (Has(d, Evidence::kTrackingInTransit)) return Tracking::kInTransit;
  return Tracking::kUnknown;
}

Result<void> NotReceived(const Dispute& d, Builder& b, Tracking tracking) {
  Advice& a = b.advice;
  const Reason r = d.reason;
  if (tracking == Tracking::kInvalid || r == Reason::kInvalidTracking) {
    // No proof of shipping: an explanation is not credible and the seller is responsible.
    if (auto ok = b.Resend("tracking is invalid: resend with working tracking"); !ok) return ok;
    return b.Ladder(Remedy::kFullRefund, 10000, "refund in full if the buyer prefers");
  }
  if (tracking == Tracking::kReturnedToSender || r == Reason::kReturnedToSender ||
      r == Reason::kWrongAddress) {
    b.AskFor(Ask::kConfirmAddress);
    if (r != Reason::kReturnedToSender && tracking != Tracking::kReturnedToSender) {
      if (auto ok = b.Ladder(Remedy::kExplanation, 0,
                             "confirm the address; the carrier may still redirect the parcel");
          !ok) {
        return ok;
      }
    } else {
      a.third_party = "carrier";
    }
    if (auto ok = b.Resend("resend to the confirmed address"); !ok) return ok;
    return b.Ladder(Remedy::kFullRefund, 10000, "refund in full if the buyer prefers");
  }
  if (tracking == Tracking::kCustomsHold || r == Reason::kCustoms) {
    a.third_party = "customs";
    b.AskFor(Ask::kCustomsDocuments);
    if (auto ok = b.Ladder(Remedy::kExplanation, 0,
                           "held by customs, a third party: help the buyer clear it");
        !ok) {
      return ok;
    }
  } else if (tracking == Tracking::kDelivered) {
    a.third_party = "carrier";
    b.AskFor(Ask::kCheckNeighboursAndPostOffice);
    if (auto ok = b.Ladder(Remedy::kExplanation, 0,
                           "tracking shows delivered: share the proof, ask the buyer to check "
                           "with neighbours and the post office");
        !ok) {
      return ok;
    }
  } else if (tracking == Tracking::kInTransit || r == Reason::kInTransit) {
    a.third_party = "carrier";
    if (auto ok = b.Ladder(Remedy::kExplanation, 0,
                           "still moving with the carrier: share tracking, offer to extend "
                           "the buyer's protection");
        !ok) {
      return ok;
    }
  }
  if (a.options.empty()) {
    // Nothing to show the buyer: go straight to the remedies.
    if (auto ok = b.Resend("no tracking evidence: resend"); !ok) return ok;
    return b.Ladder(Remedy::kFullRefund, 10000, "refund in full if the buyer prefers");
  }
  if (auto ok = b.Ladder(Remedy::kCoupon, CouponPoints(ProfileOf(b.in.buyer)),
                         "a coupon for the wait, with the explanation");
      !ok) {
    return ok;
  }
  if (auto ok = b.Resend("resend if the parcel is lost"); !ok) return ok;
  return b.Ladder(Remedy::kFullRefund, 10000, "refund in full if the parcel is lost");
}

Result<void> NotAsDescribed(const Dispute& d, Builder& b, Profile profile) {
  const Reason r = d.reason;
  if (!Has(d, Evidence::kPhotos)) b.AskFor(Ask::kPhotos);
  if (!Has(d, Evidence::kVideo) && (r == Reason::kDamaged || r == Reason::kQuantityShort ||
                                    r == Reason::kCounterfeit || r == Reason::kWrongItem)) {
    b.AskFor(Ask::kVideo);
  }
  if (r == Reason::kDamaged) b.advice.third_party = "carrier";
  const int64_t partial = PartialPoints(r, profile);
  if (r == Reason::kQuality) {
    if (auto ok =
            b.Ladder(Remedy::kExplanation, 0, "usage or sizing help may solve it without a refund");
        !ok) {
      return ok;
    }
  }
  if (r == Reason::kQuality || r == Reason::kNotAsDescribedOther || r == Reason::kUnknown) {
    if (auto ok = b.Ladder(Remedy::kCoupon, CouponPoints(profile),
                           "a coupon, the buyer keeps "
                           "the item");
        !ok) {
      return ok;
    }
  }
  if (auto ok = b.Ladder(Remedy::kPartialRefund, partial,
                         r == Reason::kCounterfeit
                             ? "counterfeit claims are judged strictly: settle rather than argue"
                             : "partial refund, the buyer keeps the item");
      !ok) {
    return ok;
  }
  if (r != Reason::kCounterfeit) {
    if (auto ok =
            b.Resend(r == Reason::kQuantityShort ? "send the missing items" : "free replacement");
        !ok) {
      return ok;
    }
  }
  return b.Ladder(Remedy::kFullRefund, 10000, "refund in full as the last resort");
}

int RemedyRank(Remedy r) { return static_cast<int>(r); }

void Require(ReplyDraft& reply, std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    if (reply.variables.find(name) == reply.variables.end()) {
      reply.missing.emplace_back(name);
    }
  }
}

const SellerOption* FindOption(const Advice& a, Remedy remedy) {
  for (const SellerOption& o : a.options) {
    if (o.remedy == remedy) return &o;
  }
  return nullptr;
}

// The template and its variables. `requires` mirrors templates/catalog/meta.json; the
// templates library checks again when it renders.
void Draft(const Dispute& d, const AdvisorInput& in, Advice& a) {
  ReplyDraft& reply = a.reply;
  if (!d.order_id.empty()) reply.variables["order_id"] = d.order_id;
  if (!in.carrier.empty()) reply.variables["carrier"] = in.carrier;
  if (!in.tracking_number.empty()) reply.variables["tracking_number"] = in.tracking_number;
  if (const SellerOption* o = FindOption(a, Remedy::kPartialRefund)) {
    reply.variables["refund_amount"] = o->amount;
  } else if (const SellerOption* full = FindOption(a, Remedy::kFullRefund)) {
    reply.variables["refund_amount"] = full->amount;
  }
  if (const SellerOption* o = FindOption(a, Remedy::kCoupon)) {
    reply.variables["coupon_value"] = o->amount;
  }
  switch (GroupOf(d.reason)) {
    case ReasonGroup::kNotReceived:
      reply.template_key = "special.dispute_not_received";
      Require(reply, {"carrier", "order_id", "tracking_number"});
      break;
    case ReasonGroup::kNotAsDescribed:
      reply.template_key = "special.dispute_not_as_described";
      Require(reply, {"order_id", "refund_amount"});
      break;
    default:
      // No dispute-specific template for a buyer's own reason or an unknown one: the partial
      // refund / coupon offer is the catalogue's two-option reply.
      reply.template_key = "aftersale.partial_refund_offer";
      Require(reply, {"coupon_value", "order_id", "refund_amount"});
      break;
  }
}

}  // namespace

Result<Advice> Advise(const Dispute& dispute, const AdvisorInput& input) {
  auto value = ParseMoney(input.order_value, "order_value");
  if (!value) return value.error();
  if (value.value().IsNegative() || value.value().IsZero()) {
    return MakeError(Errc::kInvalidField, "field 'order_value.amount' must be positive");
  }
  for (const auto* cost : {&input.item_cost, &input.shipping_cost}) {
    if (!*cost) continue;
    auto parsed = ParseMoney(**cost, "cost");
    if (!parsed) return parsed.error();
    if ((*cost)->currency != input.order_value.currency) {
      return MakeError(Errc::kInvalidField,
                       "costs must be in the order's currency " + input.order_value.currency);
    }
  }
  Advice advice;
  advice.platform_handles = dispute.after_sales_protection;
  const Profile profile = ProfileOf(input.buyer);
  advice.cautious = profile == Profile::kCautious;
  Builder b{input, advice};
  Result<void> built = Ok();
  switch (GroupOf(dispute.reason)) {
    case ReasonGroup::kNotReceived:
      built = NotReceived(dispute, b, TrackingOf(dispute, input.tracking));
      break;
    case ReasonGroup::kNotAsDescribed:
      built = NotAsDescribed(dispute, b, profile);
      break;
    case ReasonGroup::kBuyerReason:
      // Change of mind: explain the return policy; a coupon keeps the buyer without a refund.
      built = b.Ladder(Remedy::kExplanation, 0, "explain the return policy");
      if (built)
        built = b.Ladder(Remedy::kCoupon, CouponPoints(profile),
                         "a coupon to keep "
                         "the buyer");
      if (built)
        built = b.Ladder(Remedy::kPartialRefund, PartialPoints(dispute.reason, profile),
                         "partial refund if the buyer insists");
      break;
    case ReasonGroup::kUnknown:
      built = NotAsDescribed(dispute, b, profile);
      break;
  }
  if (!built) return built.error();

  std::vector<std::pair<Decimal, size_t>> keyed;
  for (size_t i = 0; i < advice.options.size(); ++i) {
    auto cost = ParseMoney(advice.options[i].cost);
    if (!cost) return cost.error();
    keyed.emplace_back(cost.value(), i);
  }
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
    if (x.first != y.first) return x.first < y.first;
    return RemedyRank(advice.options[x.second].remedy) <
           RemedyRank(advice.options[y.second].remedy);
  });
  std::vector<SellerOption> sorted;
  for (const auto& [cost, i] : keyed) sorted.push_back(std::move(advice.options[i]));
  advice.options = std::move(sorted);
  Draft(dispute, input, advice);
  return advice;
}

std::string_view Name(Remedy value) {
  static constexpr std::array<std::string_view, 5> kNames = {
      "explanation", "coupon", "partial_refund", "resend", "full_refund"};
  return kNames[static_cast<size_t>(value)];
}

std::string_view Name(Ask value) {
  static constexpr std::array<std::string_view, 5> kNames = {"photos", "video", "confirm_address",
                                                             "check_neighbours_and_post_office",
                                                             "customs_documents"};
  return kNames[static_cast<size_t>(value)];
}

}  // namespace csgw::disputes
