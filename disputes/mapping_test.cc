#include "disputes/mapping.h"

#include <gtest/gtest.h>

#include "disputes/deadlines.h"
#include "disputes/test_util.h"

namespace csgw::disputes {
namespace {

using namespace testing;  // NOLINT: test builders

proto::Event Update(std::string marketplace, std::string status, int hour = 1,
                    std::string amount = "") {
  proto::Event e;
  e.set_event_id("ev-" + status + "-" + std::to_string(hour));
  e.set_marketplace(std::move(marketplace));
  e.set_store_id("store1");
  e.mutable_occurred_at()->set_seconds(ToUnixMillis(T0() + hours(hour)) / 1000);
  e.set_sequence(static_cast<uint64_t>(hour));
  e.mutable_order()->set_order_id("order1");
  auto* d = e.mutable_dispute_update();
  d->set_dispute_id("d1");
  d->set_marketplace_status(std::move(status));
  d->set_reason("Color_not_as_described@3rdIssueReason");
  if (!amount.empty()) {
    d->mutable_refund_amount()->set_amount(amount);
    d->mutable_refund_amount()->set_currency("USD");
  }
  return e;
}

// Maps then applies every event of a marketplace history; returns the dispute.
Dispute Replay(const std::vector<std::pair<proto::Event, MappingContext>>& events,
               std::string_view rule_set = "aliexpress-2024") {
  Dispute d = Fresh(rule_set);
  for (const auto& [event, context] : events) {
    auto mapped = MapEvent(event, context);
    EXPECT_TRUE(mapped) << mapped.error().message;
    if (!mapped) continue;
    for (const DisputeEvent& e : mapped.value()) {
      auto r = Apply(d, e, Rules(rule_set));
      EXPECT_TRUE(r) << r.error().message;
    }
  }
  EXPECT_TRUE(CheckInvariants(d));
  return d;
}

struct LegacyCase {
  const char* status;
  State state;
};

TEST(AliExpressMapping, EveryLegacyStatusFromAFirstSighting) {
  const LegacyCase cases[] = {
      {"WAIT_SELLER_CONFIRM_REFUND", State::kAwaitingSellerResponse},
      {"SELLER_REFUSE_REFUND", State::kNegotiating},
      {"ACCEPTISSUE", State::kAgreed},
      {"WAIT_BUYER_SEND_GOODS", State::kAwaitingReturnShipment},
      {"WAIT_SELLER_RECEIVE_GOODS", State::kAwaitingSellerReceipt},
      {"ARBITRATING", State::kArbitrating},
      {"SELLER_RESPONSE_ISSUE_TIMEOUT", State::kAgreed},
  };
  for (const LegacyCase& c : cases) {
    SCOPED_TRACE(c.status);
    Dispute d = Replay({{Update("aliexpress", c.status, 1, "12.00"), {}}}, "aliexpress-legacy");
    EXPECT_EQ(d.state, c.state);
    EXPECT_EQ(d.marketplace_status, c.status);
    EXPECT_EQ(d.reason, Reason::kNotAsDescribedOther);
  }
  Dispute timeout =
      Replay({{Update("aliexpress", "SELLER_RESPONSE_ISSUE_TIMEOUT"), {}}}, "aliexpress-legacy");
  EXPECT_EQ(timeout.agreement, Agreement::kSellerTimeout);
  auto unknown = MapEvent(Update("aliexpress", "WAIT_SOMETHING"));
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("WAIT_SOMETHING"), std::string::npos);
}

TEST(AliExpressMapping, LegacyLifecycleInOrder) {
  Dispute d = Replay({{Update("aliexpress", "WAIT_SELLER_CONFIRM_REFUND", 1, "12.00"), {}},
                      {Update("aliexpress", "SELLER_REFUSE_REFUND", 2), {}},
                      {Update("aliexpress", "WAIT_SELLER_CONFIRM_REFUND", 3, "9.00"), {}},
                      {Update("aliexpress", "ACCEPTISSUE", 4), {}},
                      {Update("aliexpress", "WAIT_BUYER_SEND_GOODS", 5), {}},
                      {Update("aliexpress", "WAIT_SELLER_RECEIVE_GOODS", 6), {}}},
                     "aliexpress-legacy");
  EXPECT_EQ(d.state, State::kAwaitingSellerReceipt);
  EXPECT_EQ(d.opened_at, T0() + hours(1));
  EXPECT_EQ(d.buyer_changed_at, T0() + hours(3));  // the second buyer proposal
  EXPECT_EQ(d.proposals[d.accepted_proposal].amount, (Money{"9.00", "USD"}));
}

AliExpressSolution Sol(std::string id, std::string owner, std::string status,
                       std::string reached_type = "", std::string type = "refund",
                       std::string amount = "5.00") {
  return AliExpressSolution{std::move(id),     std::move(owner),
                            std::move(status), std::move(reached_type),
                            std::move(type),   Money{std::move(amount), "USD"}};
}

MappingContext Ae(std::vector<AliExpressSolution> solutions, std::string return_status = "",
                  std::optional<bool> warranty = std::nullopt) {
  MappingContext c;
  c.order_total = Money{"20.00", "USD"};
  c.aliexpress = AliExpressIssue{warranty, std::move(solutions), std::move(return_status), {}};
  return c;
}

TEST(AliExpressMapping, CurrentApiNegotiation) {
  const auto buyer = Sol("b1", "buyer", "wait_seller_accept");
  Dispute d = Replay({{Update("aliexpress", "processing", 1), Ae({buyer})}});
  EXPECT_EQ(d.state, State::kAwaitingSellerResponse);
  ASSERT_EQ(d.proposals.size(), 1u);
  EXPECT_EQ(d.proposals[0].id, "b1");

  d = Replay(
      {{Update("aliexpress", "processing", 1), Ae({buyer})},
       {Update("aliexpress", "processing", 2),
        Ae({Sol("b1", "buyer", "wait_seller_accept"), Sol("s1", "seller", "wait_buyer_accept")})},
       {Update("aliexpress", "processing", 3),
        Ae({Sol("b1", "buyer", "wait_seller_accept"), Sol("s1", "seller", "buyer_refused")})},
       {Update("aliexpress", "processing", 4),
        Ae({Sol("b1", "buyer", "reached", "negotiation_consensus")})}});
  EXPECT_EQ(d.state, State::kAgreed);
  EXPECT_EQ(d.agreement, Agreement::kConsensus);
  EXPECT_EQ(d.proposals[d.accepted_proposal].id, "b1");
  EXPECT_EQ(d.buyer_changed_at, T0() + hours(3));
}

TEST(AliExpressMapping, CurrentApiReachedTypes) {
  Dispute timeout = Replay({{Update("aliexpress", "processing", 1),
                             Ae({Sol("b1", "buyer", "reached", "seller_reponse_timeout")})}});
  EXPECT_EQ(timeout.state, State::kAgreed);
  EXPECT_EQ(timeout.agreement, Agreement::kSellerTimeout);

  Dispute ruled = Replay({{Update("aliexpress", "processing", 1),
                           Ae({Sol("b1", "buyer", "buyer_refused"),
                               Sol("p1", "platform", "reached", "platform_arbitrate")})}});
  EXPECT_EQ(ruled.state, State::kRuled);
  EXPECT_EQ(ruled.responsibility, Responsibility::kUnknown);

  auto bad = MapEvent(Update("aliexpress", "processing", 1),
                      Ae({Sol("b1", "buyer", "reached", "by_magic")}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("by_magic"), std::string::npos);
}

TEST(AliExpressMapping, CurrentApiArbitrationReturnAndFinish) {
  Dispute d = Replay(
      {{Update("aliexpress", "processing", 1), Ae({Sol("b1", "buyer", "wait_seller_accept")})},
       {Update("aliexpress", "processing", 2),
        Ae({Sol("b1", "buyer", "wait_buyer_and_seller_accept"),
            Sol("p1", "platform", "wait_buyer_and_seller_accept", "", "return_and_refund")})},
       {Update("aliexpress", "processing", 3),
        Ae({Sol("p1", "platform", "reached", "negotiation_consensus", "return_and_refund")},
           "wait_for_buyer_returnid")},
       {Update("aliexpress", "processing", 4),
        Ae({Sol("p1", "platform", "reached", "negotiation_consensus", "return_and_refund")},
           "wait_for_seller_confirm")},
       {Update("aliexpress", "finish", 5),
        Ae({Sol("p1", "platform", "perform", "negotiation_consensus", "return_and_refund",
                "20.00")})}});
  EXPECT_EQ(d.state, State::kClosed);
  EXPECT_EQ(d.refund, Refund::kFull);
  EXPECT_EQ(d.refund_amount, (Money{"20.00", "USD"}));
  EXPECT_EQ(d.proposals[d.accepted_proposal].id, "p1");
  EXPECT_EQ(d.proposals[d.accepted_proposal].status, ProposalStatus::kExecuted);

  Dispute partial = Replay({{Update("aliexpress", "finish", 1),
                             Ae({Sol("b1", "buyer", "reached", "negotiation_consensus")})}});
  EXPECT_EQ(partial.refund, Refund::kPartial);  // 5.00 of 20.00

  EXPECT_FALSE(MapEvent(Update("aliexpress", "finish", 1)));  // needs the solutions
}

TEST(AliExpressMapping, CancelAndAfterSalesProtection) {
  Dispute d = Replay({{Update("aliexpress", "processing", 1),
                       Ae({Sol("b1", "buyer", "wait_seller_accept")}, "", true)}});
  EXPECT_TRUE(d.after_sales_protection);
  EXPECT_EQ(OpenDeadlines(d, Rules("aliexpress-2024")).size(), 1u);  // the platform's only
  d = Replay(
      {{Update("aliexpress", "processing", 1), Ae({Sol("b1", "buyer", "wait_seller_accept")})},
       {Update("aliexpress", "canceled_issue", 2), {}}});
  EXPECT_EQ(d.state, State::kCancelled);
}

MappingContext Ml(std::string stage, std::string status, std::string benefited = "") {
  MappingContext c;
  c.order_total = Money{"100.00", "USD"};
  c.mercadolibre = MercadoLibreClaim{"mediations", std::move(stage), std::move(status), "PDD9939",
                                     std::move(benefited)};
  return c;
}

TEST(MercadoLibreMapping, ClaimStagesAndResolutions) {
  struct Case {
    std::vector<std::pair<proto::Event, MappingContext>> events;
    State state;
    Refund refund;
    Responsibility responsibility;
  } cases[] = {
      {{{Update("mercadolibre", "", 1), Ml("claim", "opened")}},
       State::kAwaitingSellerResponse,
       Refund::kNone,
       Responsibility::kNone},
      {{{Update("mercadolibre", "", 1), Ml("claim", "opened")},
        {Update("mercadolibre", "", 2), Ml("dispute", "opened")}},
       State::kArbitrating,
       Refund::kNone,
       Responsibility::kNone},
      {{{Update("mercadolibre", "", 1), Ml("claim", "opened")},
        {Update("mercadolibre", "", 2, "100.00"), Ml("claim", "closed", "complainant")}},
       State::kClosed,
       Refund::kFull,
       Responsibility::kNone},
      {{{Update("mercadolibre", "", 1), Ml("dispute", "opened")},
        {Update("mercadolibre", "", 2, "40.00"), Ml("dispute", "closed", "complainant")}},
       State::kClosed,
       Refund::kPartial,
       Responsibility::kSeller},
      {{{Update("mercadolibre", "", 1), Ml("dispute", "opened")},
        {Update("mercadolibre", "", 2), Ml("dispute", "closed", "respondent")}},
       State::kClosed,
       Refund::kNoRefund,
       Responsibility::kBuyer},
  };
  for (const Case& c : cases) {
    Dispute d = Replay(c.events, "aliexpress-2024");
    EXPECT_EQ(d.state, c.state);
    EXPECT_EQ(d.refund, c.refund);
    EXPECT_EQ(d.responsibility, c.responsibility);
  }
  EXPECT_FALSE(MapEvent(Update("mercadolibre", "", 1)));  // thin notification, nothing fetched
  auto recontact = MapEvent(Update("mercadolibre", "", 3), Ml("recontact", "closed"));
  ASSERT_TRUE(recontact);
  EXPECT_TRUE(recontact.value().empty());
  EXPECT_FALSE(MapEvent(Update("mercadolibre", "", 3), Ml("dispute", "closed")));
  EXPECT_FALSE(MapEvent(Update("mercadolibre", "", 3), Ml("nowhere", "opened")));
}

MappingContext Eb(std::string status) {
  MappingContext c;
  c.order_total = Money{"30.00", "USD"};
  c.ebay = EbayReturn{std::move(status)};
  return c;
}

TEST(EbayMapping, ReturnNotifications) {
  Dispute d = Replay({{Update("ebay", "ReturnCreated", 1, "30.00"), {}},
                      {Update("ebay", "ReturnWaitingForSellerInfo", 2), {}},
                      {Update("ebay", "ReturnShipped", 3), {}},
                      {Update("ebay", "ReturnDelivered", 4), {}},
                      {Update("ebay", "ReturnClosed", 5, "30.00"), Eb("ReturnClosedWithRefund")}});
  EXPECT_EQ(d.state, State::kClosed);
  EXPECT_EQ(d.refund, Refund::kFull);
  EXPECT_NE(std::find(d.evidence.begin(), d.evidence.end(), Evidence::kReturnDelivered),
            d.evidence.end());

  Dispute escalated =
      Replay({{Update("ebay", "ReturnCreated", 1), {}},
              {Update("ebay", "ReturnEscalated", 2), {}},
              {Update("ebay", "ReturnClosed", 3), Eb("ReturnEscalatedClosedNoRefund")}});
  EXPECT_EQ(escalated.state, State::kClosed);
  EXPECT_EQ(escalated.refund, Refund::kNoRefund);
  EXPECT_EQ(escalated.responsibility, Responsibility::kNeither);

  Dispute into_case = Replay({{Update("ebay", "ReturnCreated", 1), {}},
                              {Update("ebay", "ReturnClosed", 2), Eb("ReturnClosedEscalated")}});
  EXPECT_EQ(into_case.state, State::kArbitrating);

  Dispute polled = Replay(
      {{Update("ebay", "READY_FOR_SHIPPING", 1), {}}, {Update("ebay", "ITEM_SHIPPED", 2), {}}});
  EXPECT_EQ(polled.state, State::kAwaitingSellerReceipt);

  EXPECT_FALSE(MapEvent(Update("ebay", "ReturnClosed", 5)));  // refund outcome unknown
  // A relay that read the return's detail sends the closed status itself: no context needed.
  Dispute relayed = Replay({{Update("ebay", "ReturnCreated", 1, "30.00"), {}},
                            {Update("ebay", "ReturnClosedNoRefund", 2), {}}});
  EXPECT_EQ(relayed.state, State::kClosed);
  EXPECT_EQ(relayed.refund, Refund::kNoRefund);
  EXPECT_FALSE(MapEvent(Update("ebay", "ReturnTeleported", 5)));
}

TEST(LazadaMapping, ReverseStatuses) {
  Dispute rtm = Replay({{Update("lazada", "RTM_INIT", 1), {}},
                        {Update("lazada", "RTM_SHIPPING_BACK", 2), {}},
                        {Update("lazada", "RTM_RECEIVE_ITEM", 3), {}},
                        {Update("lazada", "REFUND_SUCCESS", 4, "8.00"), {}}});
  EXPECT_EQ(rtm.state, State::kClosed);
  EXPECT_EQ(rtm.refund, Refund::kFull);
  EXPECT_EQ(rtm.refund_amount, (Money{"8.00", "USD"}));

  Dispute cancelled =
      Replay({{Update("lazada", "RTM_INIT", 1), {}}, {Update("lazada", "RTM_CANCELED", 2), {}}});
  EXPECT_EQ(cancelled.state, State::kCancelled);

  Dispute cancel_request = Replay({{Update("lazada", "CANCEL_INIT", 1), {}},
                                   {Update("lazada", "CANCEL_SUCCESS", 2), {}},
                                   {Update("lazada", "CANCEL_REFUND_ISSUED", 3), {}}});
  EXPECT_EQ(cancel_request.state, State::kClosed);
  EXPECT_EQ(cancel_request.proposals[0].solution, Solution::kRefundOnly);

  // Only the refund is pushed for a refund-only reverse order: it implies the rest.
  Dispute only_refund = Replay({{Update("lazada", "REFUND_SUCCESS", 1, "3.00"), {}}});
  EXPECT_EQ(only_refund.state, State::kClosed);
  EXPECT_FALSE(MapEvent(Update("lazada", "RTM_SOMETHING", 1)));
}

TEST(DisputeMapping, CommonChecks) {
  proto::Event e = Update("ozon", "x");
  auto unknown = MapEvent(e);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::kUnknownMarketplace);
  e = Update("lazada", "RTM_INIT");
  e.clear_occurred_at();
  EXPECT_EQ(MapEvent(e).error().code, Errc::kMissingField);
  e = Update("lazada", "RTM_INIT");
  e.clear_dispute_update();
  EXPECT_EQ(MapEvent(e).error().code, Errc::kMissingField);

  // Redelivery of one marketplace event maps to the same ids: the machine dedupes it.
  auto a = MapEvent(Update("lazada", "RTM_SHIPPING_BACK", 2));
  auto b = MapEvent(Update("lazada", "RTM_SHIPPING_BACK", 2));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a.value(), b.value());
  EXPECT_EQ(a.value()[0].event_id, "d1#opened");
  EXPECT_EQ(a.value()[3].event_id, "ev-RTM_SHIPPING_BACK-2#3:return_shipped");
  EXPECT_EQ(a.value()[3].step, 3);
}

TEST(DisputeMapping, ReasonCodes) {
  EXPECT_EQ(ReasonFromCode("damaged"), Reason::kDamaged);
  EXPECT_EQ(ReasonFromCode("notReceived"), Reason::kNotReceivedOther);
  EXPECT_EQ(ReasonFromCode("noMatchDesc"), Reason::kNotAsDescribedOther);
  EXPECT_EQ(ReasonFromCode("Quantity_shortage@3rdIssueReason"), Reason::kQuantityShort);
  EXPECT_EQ(ReasonFromCode("ARRIVED_DAMAGED"), Reason::kDamaged);
  EXPECT_EQ(ReasonFromCode("customs_detention"), Reason::kCustoms);
  EXPECT_EQ(ReasonFromCode("invalid_tracking_number"), Reason::kInvalidTracking);
  EXPECT_EQ(ReasonFromCode(""), Reason::kUnknown);
}

}  // namespace
}  // namespace csgw::disputes
