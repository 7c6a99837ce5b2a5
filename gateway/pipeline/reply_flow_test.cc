#include "gateway/pipeline/reply_flow.h"

#include <gtest/gtest.h>

#include "gateway/marketplaces/event_util.h"

namespace csgw::gateway {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const TimePoint kT0 = TimePoint(std::chrono::seconds(1'750'000'000));

proto::Conversation Conv() {
  proto::Conversation c;
  c.set_id("ozon/s1/chat:c1");
  c.set_marketplace("ozon");
  c.set_store_id("s1");
  c.set_marketplace_conversation_id("c1");
  return c;
}

TEST(ReplyFlowTest, BuyerThenSellerGivesFirstResponseAndTurns) {
  proto::Conversation c = Conv();
  ASSERT_TRUE(MarkBuyerWrote(kT0, kT0 + hours(24), c));
  EXPECT_EQ(c.state(), proto::CONVERSATION_STATE_AWAITING_REPLY);
  EXPECT_EQ(FromTimestamp(c.reply_due()), kT0 + hours(24));
  // A second buyer message keeps the clock of the first unanswered one.
  MarkBuyerWrote(kT0 + hours(1), kT0 + hours(25), c);
  EXPECT_EQ(FromTimestamp(c.reply_due()), kT0 + hours(24));
  EXPECT_FALSE(ReplyOverdue(c, kT0 + hours(23)));
  EXPECT_TRUE(ReplyOverdue(c, kT0 + hours(24)));

  ASSERT_TRUE(MarkSellerWrote(kT0 + hours(2), c));
  EXPECT_EQ(c.state(), proto::CONVERSATION_STATE_AWAITING_BUYER);
  EXPECT_FALSE(c.has_reply_due());
  EXPECT_EQ(FromTimestamp(c.first_response_at()), kT0 + hours(2));
  EXPECT_FALSE(ReplyOverdue(c, kT0 + hours(30)));

  // The buyer again: a new clock; the first response stays the first.
  MarkBuyerWrote(kT0 + hours(3), kT0 + hours(27), c);
  EXPECT_EQ(c.state(), proto::CONVERSATION_STATE_AWAITING_REPLY);
  EXPECT_EQ(FromTimestamp(c.reply_due()), kT0 + hours(27));
  MarkSellerWrote(kT0 + hours(4), c);
  EXPECT_EQ(FromTimestamp(c.first_response_at()), kT0 + hours(2));
}

TEST(ReplyFlowTest, LateOlderMessagesDoNotTurnTheConversationBack) {
  proto::Conversation c = Conv();
  MarkBuyerWrote(kT0, kT0 + hours(24), c);
  MarkSellerWrote(kT0 + hours(1), c);
  // A buyer message from before our reply, delivered late: still the buyer's turn.
  MarkBuyerWrote(kT0 + minutes(30), kT0 + hours(25), c);
  EXPECT_EQ(c.state(), proto::CONVERSATION_STATE_AWAITING_BUYER);
  // An older seller message changes nothing.
  EXPECT_FALSE(MarkSellerWrote(kT0 + minutes(10), c));
}

TEST(ReplyFlowTest, ClosedStopsTheClockAndABuyerMessageReopens) {
  proto::Conversation c = Conv();
  MarkBuyerWrote(kT0, kT0 + hours(24), c);
  MarkClosed(kT0 + hours(1), c);
  EXPECT_EQ(c.state(), proto::CONVERSATION_STATE_CLOSED);
  EXPECT_FALSE(ReplyOverdue(c, kT0 + hours(48)));
  MarkBuyerWrote(kT0 + hours(2), kT0 + hours(26), c);
  EXPECT_EQ(c.state(), proto::CONVERSATION_STATE_AWAITING_REPLY);
}

TEST(ReplyFlowTest, DueTimeFollowsTheMarketplaceSla) {
  schedule::SchedulePolicy policy;  // defaults: RULES.md
  proto::Conversation c = Conv();
  c.set_marketplace("walmart");
  EXPECT_EQ(ReplyDueFor(policy, c, kT0).value(), kT0 + hours(48));
  c.set_marketplace("ozon");
  EXPECT_EQ(ReplyDueFor(policy, c, kT0).value(), kT0 + hours(24));
}

TEST(ReplyFlowTest, OutboundUpdatesMoveTheDraftAndRecordTheSentReply) {
  proto::Conversation c = Conv();
  MarkBuyerWrote(kT0, kT0 + hours(24), c);
  proto::Draft& d = *c.add_drafts();
  d.set_source_sequence(7);
  d.set_state(proto::DRAFT_STATE_PENDING_APPROVAL);
  d.set_text("Hello");
  proto::OutboxEntry entry = DraftReplyEntry(c, d, "", "agent:ana");
  EXPECT_EQ(entry.idempotency_key(), "draft/ozon/s1/chat:c1/7");
  EXPECT_EQ(entry.text(), "Hello");
  entry.set_id("ob_1");

  // "sent" may arrive before a late "queued": the draft never goes back.
  proto::Event sent = OutboundEvent(entry, "sent", kT0 + hours(1));
  EXPECT_EQ(sent.event_id(), "csgw:ob_1:sent");
  ASSERT_TRUE(ApplyOutboundUpdate(sent, 9, 100, c));
  EXPECT_EQ(c.drafts(0).state(), proto::DRAFT_STATE_SENT);
  EXPECT_EQ(c.drafts(0).outbox_id(), "ob_1");
  EXPECT_EQ(c.state(), proto::CONVERSATION_STATE_AWAITING_BUYER);
  ASSERT_EQ(c.messages_size(), 1);
  EXPECT_EQ(c.messages(0).message_id(), "csgw:ob_1");
  EXPECT_EQ(c.messages(0).sender(), proto::SENDER_ROLE_SELLER);
  EXPECT_EQ(FromTimestamp(c.first_response_at()), kT0 + hours(1));

  EXPECT_FALSE(ApplyOutboundUpdate(OutboundEvent(entry, "queued", kT0), 8, 100, c));
  EXPECT_EQ(c.drafts(0).state(), proto::DRAFT_STATE_SENT);
  EXPECT_FALSE(ApplyOutboundUpdate(sent, 9, 100, c));  // applied once
  EXPECT_EQ(c.messages_size(), 1);

  // A dead letter marks its draft failed for the agent; a re-drive's steps are new events.
  proto::Draft& d2 = *c.add_drafts();
  d2.set_source_sequence(11);
  d2.set_state(proto::DRAFT_STATE_QUEUED);
  proto::OutboxEntry e2 = DraftReplyEntry(c, d2, "Other", "auto");
  e2.set_id("ob_2");
  ASSERT_TRUE(ApplyOutboundUpdate(OutboundEvent(e2, "dead", kT0), 12, 100, c));
  EXPECT_EQ(c.drafts(1).state(), proto::DRAFT_STATE_FAILED);
  e2.set_redrives(1);
  EXPECT_EQ(OutboundEvent(e2, "dead", kT0).event_id(), "csgw:ob_2:dead:1");
}

TEST(ReplyFlowTest, AgentRepliesAreOneSendPerRequestKey) {
  const proto::Conversation c = Conv();
  EXPECT_EQ(AgentReplyEntry(c, "a", "agent:ana", "k1").idempotency_key(),
            AgentReplyEntry(c, "a", "agent:ana", "k1").idempotency_key());
  EXPECT_NE(AgentReplyEntry(c, "a", "agent:ana", "k1").idempotency_key(),
            AgentReplyEntry(c, "a", "agent:ana", "k2").idempotency_key());
  EXPECT_NE(AgentReplyEntry(c, "a", "agent:ana", "k1").idempotency_key(),
            AgentReplyEntry(c, "a", "agent:bob", "k1").idempotency_key());
}

}  // namespace
}  // namespace csgw::gateway
