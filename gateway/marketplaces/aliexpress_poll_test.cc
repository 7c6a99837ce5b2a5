// AliExpress publishes no sample answers (marketplaces/README.md §1): the answers below are
// shaped after the TOP SDK response classes (relation_list.relation_result,
// data_list.issue_api_issue_dto, result.is_success) with made-up ids and times, and the detail
// lists after the field names the disputes library reads (domain/RULES.md §3.3).
#include "gateway/marketplaces/aliexpress_poll.h"

#include <gtest/gtest.h>

#include "base/timestamp.h"
#include "gateway/marketplaces/alibaba_sign.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/marketplaces/send_test_support.h"

namespace csgw::gateway {
namespace {

using send_test::Response;

std::unique_ptr<PollFeed> Feed(std::string_view name) {
  auto feeds = PollFeedsFromConfig(send_test::Config());
  EXPECT_TRUE(feeds) << feeds.error().message;
  for (auto& feed : feeds.value()) {
    if (feed->Marketplace() == "aliexpress" && feed->Feed() == name) return std::move(feed);
  }
  ADD_FAILURE() << "no feed " << name;
  std::abort();
}

// The form parameters of a request body, decoded.
Params Decode(const std::string& body) {
  Params out;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    const std::string pair = body.substr(start, end - start);
    const size_t eq = pair.find('=');
    out.emplace_back(*PercentDecode(pair.substr(0, eq)), *PercentDecode(pair.substr(eq + 1)));
    start = end + 1;
  }
  return out;
}

std::string Param(const Params& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return "<absent>";
}

// The request is a signed call of `method` whose signature covers every other parameter.
void ExpectSignedCall(const outbound::HttpRequest& request, std::string_view method) {
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "https://api-sg.aliexpress.com/sync");
  const Params params = Decode(request.body);
  EXPECT_EQ(Param(params, "method"), method);
  EXPECT_EQ(Param(params, "session"), "ae-session-token");
  EXPECT_EQ(Param(params, "timestamp"), "1710504000000");
  EXPECT_EQ(Param(params, "sign"), IopSign("ae-test-app-secret", method, params));
}

constexpr char kSince[] = "1710244800000";  // 72 h before Now(), in ms

std::string Relations(const std::string& items) {
  return R"({"aliexpress_message_redefining_versiontwo_querymsgrelationlist_response":)"
         R"({"result":{"is_success":true,"relation_list":{"relation_result":[)" +
         items + R"(]}},"request_id":"0ba2887315178178017221014"}})";
}

TEST(AliExpressPoll, MessagesScanRelationsThenFetchChangedConversations) {
  auto feed = Feed("messages");
  EXPECT_EQ(feed->CursorName(), "aliexpress/cn1510000000abcd/messages");
  auto first = feed->BuildPoll("", send_test::Now());
  ASSERT_TRUE(first);
  ExpectSignedCall(first.value(), "aliexpress.message.redefining.versiontwo.querymsgrelationlist");
  // start_time reaches 10 minutes before the scan's start.
  EXPECT_EQ(Param(Decode(first.value().body), "query"),
            R"({"current_page":1,"page_size":50,"start_time":1710244200000})");

  // One conversation changed in the window, one did not.
  auto relations = feed->ParsePoll(
      "",
      Response(200,
               Relations(R"({"channel_id":"2004009123456","other_login_id":"ru1234567890abcd",)"
                         R"("message_time":1710500000000,"order_id":8123456789012345,)"
                         R"("unread_count":1,"last_message_is_own":false},)"
                         R"({"channel_id":"2004009000001","other_login_id":"es99",)"
                         R"("message_time":1710000000000,"order_id":0})")),
      send_test::Now());
  ASSERT_TRUE(relations) << relations.error().message;
  EXPECT_TRUE(relations.value().events.empty());
  EXPECT_TRUE(relations.value().more);
  const std::string cursor = relations.value().next_cursor;
  EXPECT_EQ(cursor, std::string("since=") + kSince +
                        ";newest=1710500000000;page=0;pending=2004009123456%3Aru1234567890abcd"
                        "%3A8123456789012345");

  auto detail = feed->BuildPoll(cursor, send_test::Now());
  ASSERT_TRUE(detail);
  ExpectSignedCall(detail.value(), "aliexpress.message.redefining.versiontwo.querymsgdetaillist");
  EXPECT_EQ(Param(Decode(detail.value().body), "channel_id"), "2004009123456");

  auto messages = feed->ParsePoll(
      cursor,
      Response(
          200,
          R"({"aliexpress_message_redefining_versiontwo_querymsgdetaillist_response":{"result":)"
          R"({"is_success":true,"message_detail_list":{"message_detail":[)"
          R"({"id":3000000001,"gmt_create":1710500000000,"content":"Where is my parcel?",)"
          R"("sender_login_id":"ru1234567890abcd","message_type":"order"},)"
          R"({"id":3000000002,"gmt_create":1710500060000,"content":"It ships today.",)"
          R"("sender_login_id":"cn1510000000abcd","message_type":"order"},)"
          R"({"id":2000000009,"gmt_create":1700000000000,"content":"old",)"
          R"("sender_login_id":"ru1234567890abcd"}]}}}})"),
      send_test::Now());
  ASSERT_TRUE(messages) << messages.error().message;
  ASSERT_EQ(messages.value().events.size(), 2u);  // the old message is before the window
  const proto::Event& e = messages.value().events[0];
  EXPECT_EQ(e.event_id(), "msg:3000000001");
  EXPECT_EQ(e.store_id(), "cn1510000000abcd");
  EXPECT_EQ(FormatIsoMillis(FromTimestamp(e.occurred_at())), "2024-03-15T10:53:20.000Z");
  EXPECT_EQ(e.buyer().id(), "ru1234567890abcd");
  EXPECT_EQ(e.order().order_id(), "8123456789012345");
  EXPECT_EQ(e.buyer_message().conversation_id(), "2004009123456");
  EXPECT_EQ(e.buyer_message().text(), "Where is my parcel?");
  EXPECT_EQ(e.buyer_message().sender(), proto::SENDER_ROLE_BUYER);
  EXPECT_EQ(messages.value().events[1].buyer_message().sender(), proto::SENDER_ROLE_SELLER);
  // Caught up: the next scan starts at the newest conversation time.
  EXPECT_FALSE(messages.value().more);
  EXPECT_EQ(messages.value().next_cursor,
            "since=1710500000000;newest=1710500000000;page=1;pending=");
  auto next = feed->BuildPoll(messages.value().next_cursor, send_test::Now());
  ASSERT_TRUE(next);
  EXPECT_EQ(Param(Decode(next.value().body), "query"),
            R"({"current_page":1,"page_size":50,"start_time":1710499400000})");
}

TEST(AliExpressPoll, MessagesPageThroughFullRelationPages) {
  auto feed = Feed("messages");
  std::string items;
  for (int i = 0; i < 50; ++i) {
    if (i > 0) items += ",";
    items += R"({"channel_id":")" + std::to_string(1000 + i) + R"(","message_time":1000})";
  }
  auto page = feed->ParsePoll("", Response(200, Relations(items)), send_test::Now());
  ASSERT_TRUE(page);
  EXPECT_TRUE(page.value().more);
  EXPECT_EQ(page.value().next_cursor,
            std::string("since=") + kSince + ";newest=" + kSince + ";page=2;pending=");
}

TEST(AliExpressPoll, PlatformErrorsAreRetriedOrRefused) {
  auto feed = Feed("messages");
  auto limited =
      feed->ParsePoll("",
                      Response(200, R"({"error_response":{"code":7,"msg":"App Call Limited",)"
                                    R"("sub_msg":"This ban will last for 3 more seconds"}})"),
                      send_test::Now());
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().code, Errc::kUpstreamUnavailable);
  auto session = feed->ParsePoll(
      "", Response(200, R"({"type":"ISV","code":"IllegalAccessToken","message":"expired"})"),
      send_test::Now());
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().code, Errc::kForbidden);
  auto failed = feed->ParsePoll(
      "",
      Response(200, R"({"aliexpress_message_redefining_versiontwo_querymsgrelationlist_response":)"
                    R"({"result":{"is_success":false,"error_code":500,"error_msg":"busy"}}})"),
      send_test::Now());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::kUpstreamUnavailable);
  EXPECT_EQ(feed->BuildPoll("since=1;newest=1;page=1;pending=a", send_test::Now()).error().code,
            Errc::kInvalidField);
}

std::string IssueList(const std::string& items) {
  return R"({"aliexpress_issue_issuelist_get_response":{"current_page":1,"data_list":)"
         R"({"issue_api_issue_dto":[)" +
         items + R"(]},"page_size":50,"total_item":2,"request_id":"1"}})";
}

TEST(AliExpressPoll, IssuesWalkTheStatusListsAndFetchChangedDetails) {
  auto feed = Feed("issues");
  auto first = feed->BuildPoll("", send_test::Now());
  ASSERT_TRUE(first);
  ExpectSignedCall(first.value(), "aliexpress.issue.issuelist.get");
  EXPECT_EQ(Param(Decode(first.value().body), "query_dto"),
            R"({"current_page":1,"page_size":50,"issue_status":"processing"})");

  // gmt_modified in Beijing time: 2024-03-15 18:00:00 = 10:00Z (in the window); the other
  // issue has not changed since 2024-01-01.
  auto list = feed->ParsePoll(
      "",
      Response(
          200,
          IssueList(R"({"issue_id":1500000000001,"buyer_login_id":"ru1234567890abcd",)"
                    R"("issue_status":"processing","gmt_create":"2024-03-14 09:00:00",)"
                    R"("gmt_modified":"2024-03-15 18:00:00","order_id":8123456789012345,)"
                    R"("parent_order_id":8123456789012346,"reason_english":"Item not received"},)"
                    R"({"issue_id":1500000000002,"issue_status":"processing",)"
                    R"("gmt_modified":"2024-01-01 08:00:00"})")),
      send_test::Now());
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_TRUE(list.value().events.empty());
  EXPECT_TRUE(list.value().more);

  auto detail_request = feed->BuildPoll(list.value().next_cursor, send_test::Now());
  ASSERT_TRUE(detail_request);
  ExpectSignedCall(detail_request.value(), "aliexpress.issue.detail.get");
  EXPECT_EQ(Param(Decode(detail_request.value().body), "issue_id"), "1500000000001");
  EXPECT_EQ(Param(Decode(detail_request.value().body), "buyer_login_id"), "ru1234567890abcd");

  auto detail = feed->ParsePoll(
      list.value().next_cursor,
      Response(200,
               R"({"aliexpress_issue_detail_get_response":{"result_object":{"id":1500000000001,)"
               R"("issue_status":"processing","issue_reason":"Item not received",)"
               R"("after_sale_warranty":false,"buyer_solution_list":{"solution_api_dto":[)"
               R"({"id":77,"status":"wait_seller_accept","solution_type":"refund",)"
               R"("refund_money":{"amount":"12.50","currency_code":"usd"}}]},)"
               R"("seller_solution_list":{"solution_api_dto":[]}},"request_id":"1"}})"),
      send_test::Now());
  ASSERT_TRUE(detail) << detail.error().message;
  ASSERT_EQ(detail.value().events.size(), 1u);
  const proto::Event& e = detail.value().events[0];
  EXPECT_EQ(e.event_id(), "issue:1500000000001:processing:2024-03-15 18:00:00");
  EXPECT_EQ(FormatIsoMillis(FromTimestamp(e.occurred_at())), "2024-03-15T10:00:00.000Z");
  EXPECT_EQ(e.dispute_update().dispute_id(), "1500000000001");
  EXPECT_EQ(e.dispute_update().marketplace_status(), "processing");
  EXPECT_EQ(e.dispute_update().reason(), "Item not received");
  EXPECT_EQ(e.order().order_id(), "8123456789012345");
  EXPECT_EQ(e.buyer().id(), "ru1234567890abcd");
  auto issue = AliExpressIssueOf(e);
  ASSERT_TRUE(issue) << issue.error().message;
  EXPECT_EQ(issue.value().after_sale_warranty, false);
  ASSERT_EQ(issue.value().solutions.size(), 1u);
  EXPECT_EQ(issue.value().solutions[0].owner, "buyer");
  EXPECT_EQ(issue.value().solutions[0].status, "wait_seller_accept");
  ASSERT_TRUE(issue.value().solutions[0].refund_amount);
  EXPECT_EQ(issue.value().solutions[0].refund_amount->amount, "12.50");
  EXPECT_EQ(issue.value().solutions[0].refund_amount->currency, "USD");
  EXPECT_TRUE(detail.value().more);

  // Then the newest page of finished and of cancelled issues; both empty here.
  std::string cursor = detail.value().next_cursor;
  for (const char* status : {"finish", "canceled_issue"}) {
    auto request = feed->BuildPoll(cursor, send_test::Now());
    ASSERT_TRUE(request);
    EXPECT_EQ(Param(Decode(request.value().body), "query_dto"),
              std::string(R"({"current_page":1,"page_size":50,"issue_status":")") + status + "\"}");
    auto page = feed->ParsePoll(cursor, Response(200, IssueList("")), send_test::Now());
    ASSERT_TRUE(page) << page.error().message;
    cursor = page.value().next_cursor;
    EXPECT_EQ(page.value().more, std::string(status) == "finish");
  }
  // The cycle is over: the next starts from the newest modification seen.
  EXPECT_EQ(cursor, "status=processing;page=1;since=1710496800000;newest=1710496800000;pending=");
}

TEST(AliExpressPoll, ARefusedIssueDetailStillYieldsTheListState) {
  auto feed = Feed("issues");
  auto list = feed->ParsePoll(
      "",
      Response(200, IssueList(R"({"issue_id":15,"buyer_login_id":"b","issue_status":"finish",)"
                              R"("gmt_modified":"2024-03-15 18:00:00"})")),
      send_test::Now());
  ASSERT_TRUE(list);
  auto refused =
      feed->ParsePoll(list.value().next_cursor,
                      Response(200, R"({"error_response":{"code":15,"msg":"Remote service error",)"
                                    R"("sub_code":"isv.issue-not-found","request_id":"1"}})"),
                      send_test::Now());
  ASSERT_TRUE(refused) << refused.error().message;
  ASSERT_EQ(refused.value().events.size(), 1u);
  EXPECT_EQ(refused.value().events[0].dispute_update().marketplace_status(), "finish");
  EXPECT_EQ(AliExpressIssueOf(refused.value().events[0]).error().code, Errc::kNotFound);

  // A busy platform is waited for instead.
  auto busy =
      feed->ParsePoll(list.value().next_cursor,
                      Response(200, R"({"error_response":{"code":15,"msg":"Remote service error",)"
                                    R"("sub_code":"isp.remote-service-timeout"}})"),
                      send_test::Now());
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code, Errc::kUpstreamUnavailable);
}

}  // namespace
}  // namespace csgw::gateway
