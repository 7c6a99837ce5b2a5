#include "odr/facts_codec.h"

#include <gtest/gtest.h>

#include "odr/test_util.h"

namespace csgw::odr {
namespace {

using namespace testing;  // NOLINT: test builders

OrderFacts FullOrder() {
  OrderFacts o;
  o.store_id = "s1";
  o.order_id = "8001";
  o.marketplace = "aliexpress";
  o.buyer_id = "buyer-7";
  o.placed_at = At("2024-03-01T10:00:00.123456789Z");
  o.shipped_at = At("2024-03-02T10:00:00Z");
  o.completed_at = At("2024-03-20T10:00:00Z");
  o.cancelled_at = std::nullopt;
  o.tracking_at = At("2024-03-02T09:00:00Z");
  o.ship_by = At("2024-03-04T00:00:00Z");
  o.value_usd = "4.99";
  o.value_at = At("2024-03-01T10:00:00Z");
  o.tracking_valid = true;
  o.tracking_checked = true;
  o.cancelled_by = disputes::Party::kSeller;
  DisputeFacts d;
  d.id = "issue-1";
  d.opened_at = At("2024-03-10T00:00:00Z");
  d.types = {"not_received", "refund_only"};
  DisputeOutcome out = Outcome(At("2024-03-10T00:00:00Z"), disputes::ReasonGroup::kNotReceived,
                               disputes::State::kRuled);
  out.return_requested = true;
  out.escalated_at = At("2024-03-15T00:00:00Z");
  out.responsibility = disputes::Responsibility::kSeller;
  out.refund = disputes::Refund::kPartial;
  d.outcome = out;
  o.disputes["issue-1"] = d;
  DisputeFacts bare;
  bare.id = "issue-2";
  o.disputes["issue-2"] = bare;
  FeedbackFacts f;
  f.id = "f-1";
  f.at = At("2024-03-21T00:00:00Z");
  f.rating = 2;
  f.dsr_described = 3;
  f.dsr_shipping = 1;
  o.feedback["f-1"] = f;
  return o;
}

TEST(OdrFactsCodec, OrderBuyerAndConversationRoundTrip) {
  const OrderFacts order = FullOrder();
  const std::string bytes = EncodeOrderFacts(order);
  auto decoded = DecodeOrderFacts(bytes);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded.value(), order);
  EXPECT_EQ(EncodeOrderFacts(decoded.value()), bytes);  // deterministic
  auto empty = DecodeOrderFacts(EncodeOrderFacts(OrderFacts{}));
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty.value(), OrderFacts{});

  BuyerFacts buyer;
  buyer.orders["8001"] = order;
  OrderFacts other = order;
  other.order_id = "8002";
  other.disputes.clear();
  buyer.orders["8002"] = other;
  auto buyer_back = DecodeBuyerFacts(EncodeBuyerFacts(buyer));
  ASSERT_TRUE(buyer_back) << buyer_back.error().message;
  EXPECT_EQ(buyer_back.value(), buyer);

  ConversationFacts conversation;
  conversation.store_id = "s1";
  conversation.conversation_id = "chat-1";
  conversation.marketplace = "amazon";
  conversation.first_buyer_at = At("2024-03-01T10:00:00Z");
  conversation.seller_messages["m-1"] = {At("2024-03-01T09:00:00Z"), true, false, true, false};
  conversation.seller_messages["csgw:ob-2"] = {At("2024-03-01T12:00:00Z"), false, false, false,
                                               true};
  conversation.seller_messages["@1709294400000000000"] = {At("2024-03-01T12:00:00Z"), true, true,
                                                          false, false};
  auto conversation_back = DecodeConversationFacts(EncodeConversationFacts(conversation));
  ASSERT_TRUE(conversation_back) << conversation_back.error().message;
  EXPECT_EQ(conversation_back.value(), conversation);
}

// A record written before csgw's sends were counted ("v1": human reply times only) still reads,
// each time as a seller message the marketplace reported without id, as the fold keys those.
TEST(OdrFactsCodec, ReadsVersionOneConversations) {
  std::string v1 = "v1";
  for (std::string_view s : {"s1", "chat-1", "amazon"}) {
    v1.push_back(static_cast<char>(s.size()));
    v1.append(s);
  }
  v1.push_back('\1');  // first_buyer_at present
  auto put_time = [&](TimePoint t) {
    uint64_t zz = static_cast<uint64_t>(t.time_since_epoch().count()) << 1;  // positive
    while (zz >= 0x80) {
      v1.push_back(static_cast<char>((zz & 0x7f) | 0x80));
      zz >>= 7;
    }
    v1.push_back(static_cast<char>(zz));
  };
  put_time(At("2024-03-01T10:00:00Z"));
  v1.push_back('\2');
  put_time(At("2024-03-01T09:00:00Z"));
  put_time(At("2024-03-01T12:00:00Z"));
  auto old = DecodeConversationFacts(v1);
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old.value().conversation_id, "chat-1");
  EXPECT_EQ(old.value().first_buyer_at, At("2024-03-01T10:00:00Z"));
  ASSERT_EQ(old.value().seller_messages.size(), 2u);
  const SellerMessageFacts& first = old.value().seller_messages.begin()->second;
  EXPECT_EQ(first.at, At("2024-03-01T09:00:00Z"));
  EXPECT_TRUE(first.reported);
  EXPECT_FALSE(first.flagged_bot || first.csgw_auto || first.csgw_agent);
  EXPECT_EQ(HumanReplies(old.value()),
            (std::vector<TimePoint>{At("2024-03-01T09:00:00Z"), At("2024-03-01T12:00:00Z")}));
  // Written back in the current format, it reads the same.
  const std::string v2 = EncodeConversationFacts(old.value());
  EXPECT_EQ(v2.substr(0, 2), "v2");
  EXPECT_EQ(DecodeConversationFacts(v2).value(), old.value());
  for (size_t n = 0; n < v1.size(); ++n) EXPECT_FALSE(DecodeConversationFacts(v1.substr(0, n)));
}

TEST(OdrFactsCodec, RefusesUnknownSellerMessageFlags) {
  ConversationFacts c;
  c.seller_messages["m"] = {At("2024-03-01T09:00:00Z"), true, false, false, false};
  std::string bytes = EncodeConversationFacts(c);
  ASSERT_EQ(bytes.back(), '\1');  // the flags end the record
  bytes.back() = '\x10';
  EXPECT_FALSE(DecodeConversationFacts(bytes));
}

TEST(OdrFactsCodec, RefusesTruncatedForeignAndPaddedBytes) {
  const std::string bytes = EncodeOrderFacts(FullOrder());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto cut = DecodeOrderFacts(bytes.substr(0, n));
    ASSERT_FALSE(cut) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(cut.error().code, Errc::kInvalidField);
  }
  EXPECT_FALSE(DecodeOrderFacts(bytes + "x"));
  // Another record's bytes are not an order.
  EXPECT_FALSE(DecodeOrderFacts(EncodeConversationFacts(ConversationFacts{})));
  EXPECT_FALSE(DecodeBuyerFacts(bytes));
  // An enumeration code this build does not know.
  OrderFacts o;
  std::string unknown = EncodeOrderFacts(o);
  // cancelled_by is the byte before the two zero counts at the end.
  ASSERT_EQ(unknown[unknown.size() - 3], '\0');
  unknown[unknown.size() - 3] = '\x09';
  EXPECT_FALSE(DecodeOrderFacts(unknown));
}

TEST(OdrFactsCodec, RecountKeepsMarketplacesApart) {
  Recount recount({Rules("aliexpress-2015"), Rules("replies")});
  ASSERT_TRUE(recount.Add(Order("e1", "o1", At("2024-03-01T00:00:00Z"),
                                proto::ORDER_STATUS_COMPLETED),
                          {}));
  ASSERT_TRUE(recount.Add(Order("e2", "o1", At("2024-03-02T00:00:00Z"),
                                proto::ORDER_STATUS_COMPLETED, "ozon"),
                          {}));
  ASSERT_EQ(recount.orders().size(), 2u);
  EXPECT_EQ(recount.orders().at({"s1", "aliexpress", "o1"}).completed_at,
            At("2024-03-01T00:00:00Z"));
  EXPECT_EQ(recount.orders().at({"s1", "ozon", "o1"}).completed_at, At("2024-03-02T00:00:00Z"));
}

}  // namespace
}  // namespace csgw::odr
