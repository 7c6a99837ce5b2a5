#include "disputes/advisor.h"

#include <gtest/gtest.h>

#include "disputes/test_util.h"

namespace csgw::disputes {
namespace {

using namespace testing;  // NOLINT: test builders

Dispute WithReason(Reason reason, std::vector<Evidence> evidence = {}) {
  Dispute d = Fresh();
  DisputeEvent open = Opened(T0());
  open.reason = reason;
  EXPECT_TRUE(Apply(d, open, Rules("aliexpress-2024")));
  int i = 0;
  for (Evidence e : evidence) {
    EXPECT_TRUE(Apply(d, EvidenceEvent("ev" + std::to_string(i++), T0() + hours(1), e),
                      Rules("aliexpress-2024")));
  }
  return d;
}

AdvisorInput Input(std::string value = "80.00") {
  AdvisorInput in;
  in.order_value = Money{std::move(value), "USD"};
  in.carrier = "Cainiao";
  in.tracking_number = "LP00123456789012";
  return in;
}

std::vector<Remedy> Remedies(const Advice& a) {
  std::vector<Remedy> out;
  for (const SellerOption& o : a.options) out.push_back(o.remedy);
  return out;
}

TEST(DisputeAdvisor, NotReceivedInTransitOrdersByCost) {
  AdvisorInput in = Input();
  in.tracking = Tracking::kInTransit;
  auto advice = Advise(WithReason(Reason::kInTransit), in);
  ASSERT_TRUE(advice) << advice.error().message;
  const Advice& a = advice.value();
  EXPECT_EQ(Remedies(a), (std::vector<Remedy>{Remedy::kExplanation, Remedy::kCoupon,
                                              Remedy::kResend, Remedy::kFullRefund}));
  EXPECT_EQ(a.options[0].cost, (Money{"0.00", "USD"}));
  EXPECT_EQ(a.options[1].amount, (Money{"12.00", "USD"}));  // 15% coupon
  EXPECT_EQ(a.options[2].cost, (Money{"58.00", "USD"}));    // 72.5% without own costs
  EXPECT_EQ(a.options[2].amount, (Money{"0.00", "USD"}));
  EXPECT_EQ(a.options[3].amount, (Money{"80.00", "USD"}));
  EXPECT_EQ(a.third_party, "carrier");
  EXPECT_EQ(a.reply.template_key, "special.dispute_not_received");
  EXPECT_TRUE(a.reply.missing.empty());
  EXPECT_EQ(std::get<std::string>(a.reply.variables.at("carrier")), "Cainiao");
  EXPECT_EQ(std::get<std::string>(a.reply.variables.at("order_id")), "order1");
  EXPECT_EQ(std::get<Money>(a.reply.variables.at("coupon_value")), (Money{"12.00", "USD"}));
}

TEST(DisputeAdvisor, ResendCostFromTheSellersOwnCosts) {
  AdvisorInput in = Input("80.00");
  in.item_cost = Money{"70.00", "USD"};
  in.shipping_cost = Money{"15.50", "USD"};
  auto advice = Advise(WithReason(Reason::kInvalidTracking), in);
  ASSERT_TRUE(advice);
  // Resend costs more than the refund here: the refund comes first.
  EXPECT_EQ(Remedies(advice.value()), (std::vector<Remedy>{Remedy::kFullRefund, Remedy::kResend}));
  EXPECT_EQ(advice.value().options[1].cost, (Money{"85.50", "USD"}));
  EXPECT_FALSE(advice.value().options[1].share_basis_points);
  EXPECT_EQ(advice.value().third_party, "");
}

TEST(DisputeAdvisor, CustomsIsAThirdParty) {
  AdvisorInput in = Input();
  in.tracking = Tracking::kCustomsHold;
  auto advice = Advise(WithReason(Reason::kCustoms), in);
  ASSERT_TRUE(advice);
  EXPECT_EQ(advice.value().third_party, "customs");
  EXPECT_EQ(advice.value().ask_buyer, std::vector<Ask>{Ask::kCustomsDocuments});
  EXPECT_EQ(advice.value().options.front().remedy, Remedy::kExplanation);
}

TEST(DisputeAdvisor, DeliveredTrackingFromEvidenceAsksNeighbours) {
  auto advice =
      Advise(WithReason(Reason::kNotReceivedOther, {Evidence::kTrackingDelivered}), Input());
  ASSERT_TRUE(advice);
  EXPECT_EQ(advice.value().ask_buyer, std::vector<Ask>{Ask::kCheckNeighboursAndPostOffice});
  EXPECT_GE(advice.value().options.size(), 2u);
}

TEST(DisputeAdvisor, WrongAddressAndReturnedToSender) {
  auto wrong = Advise(WithReason(Reason::kWrongAddress), Input());
  ASSERT_TRUE(wrong);
  EXPECT_EQ(Remedies(wrong.value()),
            (std::vector<Remedy>{Remedy::kExplanation, Remedy::kResend, Remedy::kFullRefund}));
  EXPECT_EQ(wrong.value().ask_buyer, std::vector<Ask>{Ask::kConfirmAddress});
  auto returned = Advise(WithReason(Reason::kReturnedToSender), Input());
  ASSERT_TRUE(returned);
  EXPECT_EQ(Remedies(returned.value()),
            (std::vector<Remedy>{Remedy::kResend, Remedy::kFullRefund}));
}

TEST(DisputeAdvisor, NotAsDescribedAsksForPhotosAndVideo) {
  auto advice = Advise(WithReason(Reason::kDamaged), Input("99.99"));
  ASSERT_TRUE(advice);
  const Advice& a = advice.value();
  EXPECT_EQ(Remedies(a),
            (std::vector<Remedy>{Remedy::kPartialRefund, Remedy::kResend, Remedy::kFullRefund}));
  EXPECT_EQ(a.options[0].amount, (Money{"40.00", "USD"}));  // 40% of 99.99 = 39.996
  EXPECT_EQ(a.options[0].share_basis_points, 4000);
  EXPECT_EQ(a.ask_buyer, (std::vector<Ask>{Ask::kPhotos, Ask::kVideo}));
  EXPECT_EQ(a.third_party, "carrier");
  EXPECT_EQ(a.reply.template_key, "special.dispute_not_as_described");
  EXPECT_EQ(std::get<Money>(a.reply.variables.at("refund_amount")), (Money{"40.00", "USD"}));

  // Photos already received: only the video is still asked for.
  auto with_photos = Advise(WithReason(Reason::kDamaged, {Evidence::kPhotos}), Input());
  ASSERT_TRUE(with_photos);
  EXPECT_EQ(with_photos.value().ask_buyer, std::vector<Ask>{Ask::kVideo});
}

TEST(DisputeAdvisor, QualityIssueStartsWithHelp) {
  auto advice = Advise(WithReason(Reason::kQuality), Input("1000"));
  ASSERT_TRUE(advice);
  EXPECT_EQ(Remedies(advice.value()),
            (std::vector<Remedy>{Remedy::kExplanation, Remedy::kCoupon, Remedy::kPartialRefund,
                                 Remedy::kResend, Remedy::kFullRefund}));
  EXPECT_EQ(advice.value().options[2].amount, (Money{"300.00", "USD"}));
  EXPECT_EQ(advice.value().ask_buyer, std::vector<Ask>{Ask::kPhotos});
}

TEST(DisputeAdvisor, BuyerHistoryMovesAmountsWithinTheRanges) {
  AdvisorInput serial = Input("100.00");
  serial.buyer = BuyerHistory{10, 4, 70};
  auto cautious = Advise(WithReason(Reason::kQuality), serial);
  ASSERT_TRUE(cautious);
  EXPECT_TRUE(cautious.value().cautious);
  EXPECT_EQ(cautious.value().options[1].amount, (Money{"10.00", "USD"}));  // coupon 10%
  EXPECT_EQ(cautious.value().options[2].amount, (Money{"20.00", "USD"}));  // partial 20%

  AdvisorInput loyal = Input("100.00");
  loyal.buyer = BuyerHistory{6, 0, 99};
  auto valued = Advise(WithReason(Reason::kQuality), loyal);
  ASSERT_TRUE(valued);
  EXPECT_FALSE(valued.value().cautious);
  EXPECT_EQ(valued.value().options[1].amount, (Money{"20.00", "USD"}));  // coupon 20%
  EXPECT_EQ(valued.value().options[2].amount, (Money{"40.00", "USD"}));  // partial 40%
}

TEST(DisputeAdvisor, CounterfeitAndQuantityShort) {
  auto fake = Advise(WithReason(Reason::kCounterfeit), Input("10.00"));
  ASSERT_TRUE(fake);
  EXPECT_EQ(Remedies(fake.value()),
            (std::vector<Remedy>{Remedy::kPartialRefund, Remedy::kFullRefund}));
  auto short_qty = Advise(WithReason(Reason::kQuantityShort), Input("10.00"));
  ASSERT_TRUE(short_qty);
  EXPECT_EQ(short_qty.value().options[0].amount, (Money{"5.00", "USD"}));
}

TEST(DisputeAdvisor, BuyerReasonAndProtectionFlag) {
  Dispute d = WithReason(Reason::kBuyerReason);
  d.after_sales_protection = true;
  auto advice = Advise(d, Input("7"));
  ASSERT_TRUE(advice);
  EXPECT_TRUE(advice.value().platform_handles);
  EXPECT_EQ(advice.value().reply.template_key, "aftersale.partial_refund_offer");
  EXPECT_EQ(advice.value().options[1].amount, (Money{"1.05", "USD"}));  // 15% of 7
  EXPECT_TRUE(advice.value().reply.missing.empty());
}

TEST(DisputeAdvisor, MissingReplyVariablesAreListed) {
  AdvisorInput in = Input();
  in.carrier.clear();
  in.tracking_number.clear();
  auto advice = Advise(WithReason(Reason::kInTransit), in);
  ASSERT_TRUE(advice);
  EXPECT_EQ(advice.value().reply.missing, (std::vector<std::string>{"carrier", "tracking_number"}));
}

TEST(DisputeAdvisor, RejectsBadMoney) {
  EXPECT_FALSE(Advise(WithReason(Reason::kDamaged), Input("0")));
  EXPECT_FALSE(Advise(WithReason(Reason::kDamaged), Input("-5")));
  EXPECT_FALSE(Advise(WithReason(Reason::kDamaged), Input("12,50")));
  AdvisorInput in = Input();
  in.item_cost = Money{"5", "EUR"};
  EXPECT_FALSE(Advise(WithReason(Reason::kDamaged), in));
}

TEST(DisputeAdvisor, AlwaysAtLeastTwoOptionsInCostOrder) {
  for (int r = 0; r <= static_cast<int>(Reason::kBuyerReason); ++r) {
    for (Tracking t : {Tracking::kUnknown, Tracking::kInTransit, Tracking::kDelivered,
                       Tracking::kInvalid, Tracking::kCustomsHold, Tracking::kReturnedToSender}) {
      AdvisorInput in = Input("33.33");
      in.tracking = t;
      auto advice = Advise(WithReason(static_cast<Reason>(r)), in);
      ASSERT_TRUE(advice);
      const auto& options = advice.value().options;
      ASSERT_GE(options.size(), 2u) << Name(static_cast<Reason>(r));
      for (size_t i = 1; i < options.size(); ++i) {
        EXPECT_TRUE(Compare(options[i - 1].cost, options[i].cost).value() <= 0);
      }
      EXPECT_FALSE(advice.value().reply.template_key.empty());
    }
  }
}

}  // namespace
}  // namespace csgw::disputes
