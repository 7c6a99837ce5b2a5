#include "gateway/marketplaces/wildberries_poll.h"

#include <gtest/gtest.h>

#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/marketplaces/send_test_support.h"
#include "tests/support/fixtures.h"

namespace csgw::gateway {
namespace {

using send_test::Response;

std::string Fixture(const std::string& name) {
  return testing::ReadFileOrDie(testing::FixturesDir() + "/wildberries/" + name);
}

Account WbAccount() {
  Account a;
  a.marketplace = "wildberries";
  a.store_id = "wb-main";
  a.access_token = "wb-api-token";
  return a;
}

std::unique_ptr<PollFeed> Feed(std::string_view name, WildberriesPollOptions options = {}) {
  for (auto& feed : WildberriesFeeds(WbAccount(), options)) {
    if (feed->Feed() == name) return std::move(feed);
  }
  ADD_FAILURE() << "no feed " << name;
  return nullptr;
}

std::string Iso(const google::protobuf::Timestamp& t) { return FormatIsoMillis(FromTimestamp(t)); }

TEST(WildberriesPoll, FeedsComeFromTheConfiguredAccounts) {
  auto feeds = PollFeedsFromConfig(send_test::Config());
  ASSERT_TRUE(feeds) << feeds.error().message;
  std::vector<std::string> names;
  for (const auto& f : feeds.value()) names.push_back(f->CursorName());
  EXPECT_NE(std::find(names.begin(), names.end(), "wildberries/wb-main/chat"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "wildberries/wb-main/questions"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "wildberries/wb-main/claims"), names.end());
  EXPECT_EQ(feeds.value().front()->Interval(), std::chrono::seconds(30));

  auto config = send_test::Config();
  config.mutable_accounts(6)->set_disable_polling(true);
  auto without = PollFeedsFromConfig(config);
  ASSERT_TRUE(without);
  for (const auto& f : without.value()) EXPECT_NE(f->Marketplace(), "wildberries");
}

TEST(WildberriesPoll, ChatEventsFromTheOfficialExample) {
  auto feed = Feed("chat");
  auto first = feed->BuildPoll("", send_test::Now());
  ASSERT_TRUE(first);
  EXPECT_EQ(first.value().method, "GET");
  EXPECT_EQ(first.value().url, "https://buyer-chat-api.wildberries.ru/api/v1/seller/events");
  const send_test::Headers want = {{"Authorization", "wb-api-token"}};
  EXPECT_EQ(first.value().headers, want);

  auto page = feed->ParsePoll("", Response(200, Fixture("buyer_chat.events.response.json")),
                              send_test::Now());
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page.value().next_cursor, "1698045576000");
  EXPECT_TRUE(page.value().more);
  ASSERT_EQ(page.value().events.size(), 4u);

  const proto::Event& e = page.value().events[0];
  EXPECT_EQ(e.marketplace(), "wildberries");
  EXPECT_EQ(e.store_id(), "wb-main");
  EXPECT_EQ(e.event_id(), "chat:55adee45-11f0-33b6-a847-6ccc7c78b2ec");
  EXPECT_EQ(Iso(e.occurred_at()), "2023-10-23T05:02:20.000Z");
  EXPECT_EQ(Iso(e.received_at()), "2024-03-15T12:00:00.000Z");
  EXPECT_EQ(e.buyer().id(), "186132");
  EXPECT_EQ(e.buyer().display_name(), "Алёна");
  EXPECT_EQ(e.order().order_line_id(), "2fb52cd9e25e52538a5f05994e688ae5");
  const proto::BuyerMessage& m = e.buyer_message();
  EXPECT_EQ(m.kind(), proto::BuyerMessage::KIND_NEW);
  EXPECT_EQ(m.conversation_id(), "1:1e265a58-a120-b178-008c-60af2460207c");
  EXPECT_EQ(m.sender(), proto::SENDER_ROLE_BUYER);
  EXPECT_EQ(m.channel(), "buyer_chat");
  EXPECT_EQ(m.text(),
            "Здравствуйте! У меня вопрос по товару \"Альбом, бренд Эконом, артикул 13480414, "
            "товар получен 18.10.2023\"");
  ASSERT_EQ(m.attachments_size(), 2);
  EXPECT_EQ(m.attachments(0).media_type(), "image");
  EXPECT_EQ(m.attachments(1).name(), "Чек.pdf");
  EXPECT_EQ(m.attachments(1).media_type(), "application/pdf");
  EXPECT_EQ(e.raw().content_type(), "application/json");

  // The reply credential stays with the event that carried it.
  auto sign = WildberriesReplySign(e);
  ASSERT_TRUE(sign);
  EXPECT_EQ(sign.value().substr(0, 40), "1:1e265a58-a120-b178-008c-60af2460207c:6");
  EXPECT_EQ(WildberriesReplySign(page.value().events[1]).error().code, Errc::kNotFound);

  EXPECT_EQ(page.value().events[2].buyer_message().sender(), proto::SENDER_ROLE_SELLER);
  // An event without a message (the fourth) is still a message event, with no text.
  EXPECT_EQ(page.value().events[3].buyer_message().text(), "");

  // Re-polling the same page yields the same ids: the store dedupes them.
  auto again = feed->ParsePoll("", Response(200, Fixture("buyer_chat.events.response.json")),
                               send_test::Now() + std::chrono::minutes(5));
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value().events[0].event_id(), e.event_id());

  auto next = feed->BuildPoll(page.value().next_cursor, send_test::Now());
  ASSERT_TRUE(next);
  EXPECT_EQ(next.value().url,
            "https://buyer-chat-api.wildberries.ru/api/v1/seller/events?next=1698045576000");
}

TEST(WildberriesPoll, ChatIsCaughtUpWhenNoEventsRemain) {
  auto feed = Feed("chat");
  auto page = feed->ParsePoll(
      "1698045576000",
      Response(200,
               R"({"result":{"next":1698045576000,"totalEvents":0,"events":[]},"errors":null})"),
      send_test::Now());
  ASSERT_TRUE(page);
  EXPECT_FALSE(page.value().more);
  EXPECT_TRUE(page.value().events.empty());
  EXPECT_EQ(page.value().next_cursor, "1698045576000");
}

TEST(WildberriesPoll, ChatErrors) {
  auto feed = Feed("chat");
  EXPECT_EQ(feed->BuildPoll("next=1", send_test::Now()).error().code, Errc::kInvalidField);
  EXPECT_EQ(feed->ParsePoll("", Response(429, ""), send_test::Now()).error().code,
            Errc::kUpstreamUnavailable);
  EXPECT_EQ(feed->ParsePoll("", Response(401, ""), send_test::Now()).error().code,
            Errc::kForbidden);
  EXPECT_EQ(feed->ParsePoll("", Response(200, R"({"result":null,"errors":["internal"]})"),
                            send_test::Now())
                .error()
                .code,
            Errc::kUpstreamUnavailable);
  auto no_id = feed->ParsePoll(
      "", Response(200, R"({"result":{"next":1,"totalEvents":1,"events":[{"chatID":"1:x"}]}})"),
      send_test::Now());
  ASSERT_FALSE(no_id);
  EXPECT_EQ(no_id.error().code, Errc::kMissingField);
  EXPECT_NE(no_id.error().message.find("eventID"), std::string::npos);
  EXPECT_EQ(feed->ParsePoll("", Response(200, "not json"), send_test::Now()).error().code,
            Errc::kMalformedJson);
}

TEST(WildberriesPoll, QuestionsFromTheOfficialExample) {
  auto feed = Feed("questions");
  auto first = feed->BuildPoll("", send_test::Now());
  ASSERT_TRUE(first);
  // 72 h before 2024-03-15T12:00:00Z.
  EXPECT_EQ(first.value().url,
            "https://feedbacks-api.wildberries.ru/api/v1/questions?isAnswered=false&take=100"
            "&skip=0&order=dateAsc&dateFrom=1710244800");
  auto page =
      feed->ParsePoll("", Response(200, Fixture("questions.list.response.json")), send_test::Now());
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page.value().events.size(), 1u);
  const proto::Event& e = page.value().events[0];
  EXPECT_EQ(e.event_id(), "question:2ncBtX4B9I0UHoornoqG");
  EXPECT_EQ(Iso(e.occurred_at()), "2022-02-01T11:18:08.769Z");
  EXPECT_EQ(e.buyer_message().channel(), "question");
  EXPECT_EQ(e.buyer_message().conversation_id(), "2ncBtX4B9I0UHoornoqG");
  EXPECT_EQ(e.buyer_message().text(), "Question text");
  EXPECT_EQ(e.buyer_message().subject(), "Coffee");
  EXPECT_EQ(e.buyer_message().sender(), proto::SENDER_ROLE_BUYER);
  EXPECT_FALSE(page.value().more);
  EXPECT_EQ(page.value().next_cursor, "from=1710244800;skip=0;newest=1710244800");
}

TEST(WildberriesPoll, QuestionsPageOnFromTheSameDateAndMoveOnAfter) {
  WildberriesPollOptions options;
  options.questions_page = 1;
  auto feed = Feed("questions", options);
  const std::string cursor = "from=1643700000;skip=0;newest=1643700000";
  auto page = feed->ParsePoll(cursor, Response(200, Fixture("questions.list.response.json")),
                              send_test::Now());
  ASSERT_TRUE(page);
  EXPECT_TRUE(page.value().more);
  // createdDate 2022-02-01T11:18:08Z = 1643714288.
  EXPECT_EQ(page.value().next_cursor, "from=1643700000;skip=1;newest=1643714288");
  auto next = feed->BuildPoll(page.value().next_cursor, send_test::Now());
  ASSERT_TRUE(next);
  EXPECT_NE(next.value().url.find("&skip=1&order=dateAsc&dateFrom=1643700000"), std::string::npos);

  auto empty = feed->ParsePoll(page.value().next_cursor,
                               Response(200, R"({"data":{"questions":[]},"error":false})"),
                               send_test::Now());
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty.value().more);
  // An hour before the newest question: late-visible questions are read again.
  EXPECT_EQ(empty.value().next_cursor, "from=1643710688;skip=0;newest=1643714288");

  EXPECT_EQ(
      feed->ParsePoll(cursor, Response(200, R"({"data":null,"error":true,"errorText":"busy"})"),
                      send_test::Now())
          .error()
          .code,
      Errc::kUpstreamUnavailable);
  EXPECT_EQ(feed->BuildPoll("from=x", send_test::Now()).error().code, Errc::kInvalidField);
}

TEST(WildberriesPoll, ClaimsFromTheOfficialExample) {
  auto feed = Feed("claims");
  auto first = feed->BuildPoll("", send_test::Now());
  ASSERT_TRUE(first);
  EXPECT_EQ(first.value().url,
            "https://returns-api.wildberries.ru/api/v1/claims?is_archive=false&limit=200&offset=0");
  auto page =
      feed->ParsePoll("", Response(200, Fixture("claims.list.response.json")), send_test::Now());
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page.value().events.size(), 1u);
  const proto::Event& e = page.value().events[0];
  EXPECT_EQ(e.event_id(),
            "claim:fe3e9337-e9f9-423c-8930-946a8ebef80:2025-05-10T18:01:06.999613:2/8");
  // dt_update is Moscow time without an offset.
  EXPECT_EQ(Iso(e.occurred_at()), "2025-05-10T15:01:06.999Z");
  EXPECT_EQ(e.order().order_line_id(), "v5o_7143225816503318733.0.0");
  const proto::DisputeUpdate& d = e.dispute_update();
  EXPECT_EQ(d.dispute_id(), "fe3e9337-e9f9-423c-8930-946a8ebef80");
  EXPECT_EQ(d.marketplace_status(), "2/8");
  EXPECT_EQ(d.dispute_type(), "return");
  EXPECT_EQ(d.refund_amount().amount(), "157");
  EXPECT_EQ(d.refund_amount().currency(), "RUB");
  // 1 of 31 read: the next page starts at offset 1.
  EXPECT_TRUE(page.value().more);
  EXPECT_EQ(page.value().next_cursor, "1");
  EXPECT_NE(feed->BuildPoll("1", send_test::Now()).value().url.find("offset=1"), std::string::npos);
  auto last =
      feed->ParsePoll("30", Response(200, Fixture("claims.list.response.json")), send_test::Now());
  ASSERT_TRUE(last);
  EXPECT_FALSE(last.value().more);
  EXPECT_EQ(last.value().next_cursor, "");
}

}  // namespace
}  // namespace csgw::gateway
