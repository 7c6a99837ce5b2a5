// The conversations and outbox API through the route table, on a real store filled by the real
// pipeline: the queue of replies read from its timers index page by page (overdue conversations
// whose SLA timer has fired included), store filters and visibility, the bounded scan of the
// other states, the dead letters' paging, and what the answers never show.
#include "gateway/api/conversations_api.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/json.h"
#include "base/timestamp.h"
#include "gateway/http/url.h"
#include "gateway/marketplaces/api_util.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/pipeline/pipeline.h"
#include "gateway/pipeline/reply_flow.h"
#include "gateway/schedule/timer_runner.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

constexpr char kAgent[] = "agent-token-0123456789";   // ana: shop-a
constexpr char kAgentB[] = "agent-b-token-012345678";  // bo: shop-b
constexpr char kAdmin[] = "admin-token-0123456789";   // root: every store

TimePoint At(const char* iso) { return *ParseIsoDateTime(iso); }

proto::Event Says(const std::string& marketplace, const std::string& store,
                  const std::string& buyer, const std::string& message_id, TimePoint at,
                  proto::SenderRole sender = proto::SENDER_ROLE_BUYER) {
  proto::Event e;
  e.set_event_id("msg-" + marketplace + "-" + store + "-" + message_id);
  e.set_marketplace(marketplace);
  e.set_store_id(store);
  e.mutable_buyer()->set_id(buyer);
  SetTimestamp(e.mutable_occurred_at(), at);
  SetTimestamp(e.mutable_received_at(), at);
  auto& m = *e.mutable_buyer_message();
  m.set_kind(proto::BuyerMessage::KIND_NEW);
  m.set_message_id(message_id);
  m.set_conversation_id("chat-" + buyer);
  m.set_sender(sender);
  m.set_text(sender == proto::SENDER_ROLE_BUYER ? "Hello, where is my order?" : "");
  return e;
}

struct Answer {
  int status = 0;
  std::string body;
};

struct Page {
  std::vector<std::string> ids;
  std::vector<std::string> cursors;
  std::string next;  // "" for null
  bool truncated = false;
};

Page ParsePage(const Answer& a, std::string_view list = "conversations") {
  Page page;
  auto doc = JsonDocument::ParseObject(a.body);
  EXPECT_TRUE(doc) << a.body;
  if (!doc) return page;
  const JsonValue& root = doc.value().root();
  auto items = root.Get(list);
  EXPECT_TRUE(items) << a.body;
  if (!items) return page;
  auto array = items.value().AsArray();
  EXPECT_TRUE(array) << a.body;
  if (!array) return page;
  for (const JsonValue& item : array.value()) {
    page.ids.push_back(item.Get("id").value().AsString().value());
    if (auto cursor = item.Find("cursor"); cursor && cursor.value()) {
      page.cursors.push_back(cursor.value()->AsString().value());
    }
  }
  EXPECT_NE(a.body.find("\"next\":"), std::string::npos) << "every list says next: " << a.body;
  auto next = root.Find("next");
  if (next && next.value() && next.value()->type() == JsonValue::Type::kString) {
    page.next = next.value()->AsString().value();
  }
  auto truncated = root.Find("truncated");
  page.truncated = truncated && truncated.value();
  return page;
}

class ConversationsApiTest : public ::testing::Test {
 protected:
  ConversationsApiTest()
      : clock_(At("2024-03-20T12:00:00Z")),
        classifier_(templates::MakeRuleClassifier()),
        catalog_(templates::Catalog::Default()),
        drafter_(detector_, *classifier_, catalog_),
        users_({{kAgent, Principal{"ana", Role::kAgent, false, {"shop-a"}}},
                {kAgentB, Principal{"bo", Role::kAgent, false, {"shop-b"}}},
                {kAdmin, Principal{"root", Role::kAdmin, true, {}}}}) {
    StoreOptions options;
    options.dir = dir_.Sub("db");
    options.sync = false;
    auto store = EventStore::Open(options);
    EXPECT_TRUE(store) << store.error().message;
    store_ = std::move(store).value();
    auto client = outbound::HttpClient::Create(outbound::HttpClientOptions{});
    EXPECT_TRUE(client) << client.error().message;
    client_ = std::move(client).value();
    // No sender: every send dies at once ("no send account"), which makes dead letters.
    outbox_ = std::make_unique<Outbox>(*store_, clock_, *client_, nullptr, OutboxOptions(),
                                       nullptr, outbound::MakeUniformRandom(7));
    templates_.mutable_default_policy()->add_auto_send_intents("none");
    templates_.set_max_conversation_messages(200);
    templates_.set_max_conversation_drafts(50);
    pipeline_ = std::make_unique<Pipeline>(*store_, drafter_, templates_, clock_);
    pipeline_->SetReplyFlow({&policy_, outbox_.get(), {}, {}});
    Routes(50'000);
  }

  void Routes(size_t max_scan) {
    routes_ = std::make_unique<ApiRoutes>(&users_);
    ConversationsApiDeps deps;
    deps.store = store_.get();
    deps.outbox = outbox_.get();
    deps.clock = &clock_;
    deps.catalog = &catalog_;
    deps.max_scan = max_scan;
    AddConversationRoutes(*routes_, deps);
  }

  void Feed(std::vector<proto::Event> events) {
    ASSERT_TRUE(store_->Append(std::move(events)));
    auto processed = pipeline_->ProcessPending(1000);
    ASSERT_TRUE(processed) << processed.error().message;
  }

  // Fires every due timer as the gateway would: the reply-SLA timers of overdue conversations
  // are gone afterwards.
  void FireDueTimers() {
    TimerRunner runner(*store_, clock_);
    auto fired = runner.FireDue(10'000);
    ASSERT_TRUE(fired) << fired.error().message;
  }

  Answer Get(std::string target, const char* token = kAdmin) {
    http::Request r;
    r.method = "GET";
    r.target = std::move(target);
    auto parsed = http::ParseTarget(r.target);
    EXPECT_TRUE(parsed) << r.target;
    if (parsed) {
      r.path = parsed->path;
      r.query = parsed->query;
    }
    r.headers["authorization"] = std::string("Bearer ") + token;
    Answer a;
    http::Responder respond = [&a](http::Response response) {
      a.status = response.status;
      a.body = std::move(response.body);
    };
    EXPECT_TRUE(routes_->Dispatch(r, respond)) << r.target;
    return a;
  }

  // Every page of `query` (which ends in '?' or '&'), following `next`; each page must be full
  // unless it is the last, or `short_pages` allows it.
  std::vector<std::string> All(const std::string& query, size_t limit, const char* token,
                               size_t* pages = nullptr, bool short_pages = false) {
    std::vector<std::string> ids;
    std::string after;
    size_t n = 0;
    while (true) {
      const Answer a = Get(query + "limit=" + std::to_string(limit) +
                               (after.empty() ? "" : "&after=" + PercentEncode(after)),
                           token);
      EXPECT_EQ(a.status, 200) << a.body;
      if (a.status != 200) break;
      const Page page = ParsePage(a);
      ++n;
      ids.insert(ids.end(), page.ids.begin(), page.ids.end());
      if (page.next.empty()) break;
      if (!short_pages) {
        EXPECT_EQ(page.ids.size(), limit) << "a page with next is full";
        if (!page.cursors.empty()) {
          EXPECT_EQ(page.next, page.cursors.back());
        }
      }
      after = page.next;
      if (n > 100) {
        ADD_FAILURE() << "paging does not end";
        break;
      }
    }
    if (pages != nullptr) *pages = n;
    return ids;
  }

  // The conversations awaiting a reply as the records say, by reply due time then id; `store`
  // empty: every store.
  std::vector<std::string> AwaitingByDue(const std::string& store, bool overdue_only = false) {
    std::vector<std::pair<std::pair<int64_t, std::string>, std::string>> rows;
    auto records = store_->ScanRecords(Table::kConversations, "", "", 100'000);
    EXPECT_TRUE(records);
    for (const auto& [key, bytes] : records.value()) {
      proto::Conversation c;
      EXPECT_TRUE(c.ParseFromString(bytes));
      if (c.state() != proto::CONVERSATION_STATE_AWAITING_REPLY) continue;
      if (!store.empty() && c.store_id() != store) continue;
      if (overdue_only && !ReplyOverdue(c, clock_.Now())) continue;
      rows.push_back({{ToUnixMillis(FromTimestamp(c.reply_due())), ReplyQueueTimerId(c.id())}, c.id()});
    }
    std::sort(rows.begin(), rows.end());
    std::vector<std::string> ids;
    for (const auto& row : rows) ids.push_back(row.second);
    return ids;
  }

  // 12 conversations of shop-a (two marketplaces), 4 of shop-b, waiting since different times,
  // the older ones overdue; two of shop-a answered (awaiting the buyer).
  void FillQueue() {
    std::vector<proto::Event> events;
    for (int i = 0; i < 12; ++i) {
      const std::string marketplace = i % 3 == 0 ? "wildberries" : "ozon";
      // Hours apart, from 2024-03-18 on: the SLA (24 h) of the first ones has passed.
      const TimePoint at = At("2024-03-18T06:00:00Z") + std::chrono::hours(5 * i);
      events.push_back(Says(marketplace, "shop-a", "a" + std::to_string(i), "m" + std::to_string(i), at));
    }
    for (int i = 0; i < 4; ++i) {
      const TimePoint at = At("2024-03-18T08:30:00Z") + std::chrono::hours(13 * i);
      events.push_back(Says("ozon", "shop-b", "b" + std::to_string(i), "n" + std::to_string(i), at));
    }
    // Answered on the marketplace: the seller wrote last (a7 most recently).
    events.push_back(Says("ozon", "shop-a", "a4", "s-a4", At("2024-03-20T10:00:00Z"),
                          proto::SENDER_ROLE_SELLER));
    events.push_back(Says("ozon", "shop-a", "a7", "s-a7", At("2024-03-20T10:30:00Z"),
                          proto::SENDER_ROLE_SELLER));
    Feed(std::move(events));
  }

  testing::TempDir dir_;
  ManualClock clock_;
  i18n::LanguageDetector detector_;
  std::unique_ptr<templates::IntentClassifier> classifier_;
  templates::CatalogHolder catalog_;
  templates::Drafter drafter_;
  proto::TemplatesConfig templates_;
  schedule::SchedulePolicy policy_;
  ApiUsers users_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<outbound::HttpClient> client_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<ApiRoutes> routes_;
};

TEST_F(ConversationsApiTest, TheQueuePagesThroughTheTimersIndexInDueOrder) {
  FillQueue();
  FireDueTimers();  // the overdue ones' SLA timers fire and are gone
  const std::vector<std::string> want = AwaitingByDue("");
  ASSERT_EQ(want.size(), 14u);
  ASSERT_GE(AwaitingByDue("", true).size(), 3u) << "some are overdue";

  size_t pages = 0;
  EXPECT_EQ(All("/v1/conversations?state=awaiting_reply&", 4, kAdmin, &pages), want);
  EXPECT_EQ(pages, 4u);
  // A limit that divides the queue: the last full page may say next, the one after is empty.
  EXPECT_EQ(All("/v1/conversations?state=awaiting_reply&", 7, kAdmin), want);
  EXPECT_EQ(All("/v1/conversations?state=awaiting_reply&", 200, kAdmin, &pages), want);
  EXPECT_EQ(pages, 1u);

  // Items carry their place; a page starts after the cursor it was given.
  const Page first = ParsePage(Get("/v1/conversations?state=awaiting_reply&limit=2"));
  ASSERT_EQ(first.cursors.size(), 2u);
  EXPECT_EQ(first.cursors[0].substr(0, 2), "t:");
  const Page from_first =
      ParsePage(Get("/v1/conversations?state=awaiting_reply&limit=1&after=" + PercentEncode(first.cursors[0])));
  ASSERT_EQ(from_first.ids.size(), 1u);
  EXPECT_EQ(from_first.ids[0], want[1]);

  // Overdue only: the front of the queue, through the same index.
  EXPECT_EQ(All("/v1/conversations?overdue=true&", 2, kAdmin), AwaitingByDue("", true));
  EXPECT_EQ(All("/v1/conversations?state=awaiting_reply&overdue=true&", 50, kAdmin),
            AwaitingByDue("", true));
  EXPECT_TRUE(ParsePage(Get("/v1/conversations?state=closed&overdue=true")).ids.empty());
}

TEST_F(ConversationsApiTest, TheQueueFollowsAnswersAndNewMessages) {
  FillQueue();
  std::vector<std::string> before = AwaitingByDue("shop-b");
  ASSERT_EQ(before.size(), 4u);
  // The seller answers the first of shop-b: it leaves the queue; a new buyer joins it.
  Feed({Says("ozon", "shop-b", "b0", "s-b0", At("2024-03-20T11:00:00Z"), proto::SENDER_ROLE_SELLER),
        Says("ozon", "shop-b", "b9", "n9", At("2024-03-20T11:30:00Z"))});
  const std::vector<std::string> after = All("/v1/conversations?state=awaiting_reply&store=shop-b&", 2, kAdmin);
  EXPECT_EQ(after, AwaitingByDue("shop-b"));
  EXPECT_EQ(std::count(after.begin(), after.end(), "ozon/shop-b/b0"), 0);
  EXPECT_EQ(after.back(), "ozon/shop-b/b9");
}

TEST_F(ConversationsApiTest, StoreFiltersAndVisibility) {
  FillQueue();
  FireDueTimers();
  // A store filter, across both marketplaces of the store.
  EXPECT_EQ(All("/v1/conversations?state=awaiting_reply&store=shop-a&", 3, kAdmin),
            AwaitingByDue("shop-a"));
  EXPECT_EQ(All("/v1/conversations?state=awaiting_reply&store=shop-b&", 3, kAdmin),
            AwaitingByDue("shop-b"));
  // An agent sees its own stores only, filtered or not.
  EXPECT_EQ(All("/v1/conversations?state=awaiting_reply&", 5, kAgent), AwaitingByDue("shop-a"));
  EXPECT_EQ(All("/v1/conversations?state=awaiting_reply&", 5, kAgentB), AwaitingByDue("shop-b"));
  // Another seller's store is not there, as anything else of it; an unknown one for an admin is
  // simply empty.
  for (const char* state : {"state=awaiting_reply&", "state=closed&", ""}) {
    const Answer other = Get(std::string("/v1/conversations?") + state + "store=shop-b", kAgent);
    EXPECT_EQ(other.status, 404) << other.body;
    EXPECT_NE(other.body.find("not_found"), std::string::npos) << other.body;
  }
  const Answer unknown = Get("/v1/conversations?state=awaiting_reply&store=shop-z");
  EXPECT_EQ(unknown.status, 200);
  EXPECT_TRUE(ParsePage(unknown).ids.empty());
  EXPECT_EQ(ParsePage(unknown).next, "");
}

TEST_F(ConversationsApiTest, AQueuePageCutShortByItsBudgetSaysWhereToGoOn) {
  FillQueue();
  Routes(3);  // timers and records read per page
  size_t pages = 0;
  const std::vector<std::string> ids =
      All("/v1/conversations?state=awaiting_reply&store=shop-b&", 10, kAdmin, &pages, true);
  EXPECT_EQ(ids, AwaitingByDue("shop-b"));
  EXPECT_GT(pages, 1u);
  EXPECT_EQ(All("/v1/conversations?state=awaiting_reply&", 10, kAgentB, nullptr, true),
            AwaitingByDue("shop-b"));
}

TEST_F(ConversationsApiTest, OtherStatesAreABoundedScanOfTheStoresKeys) {
  FillQueue();
  // Every state: replies due first, then the rest; paged by the scan's own cursor.
  const std::vector<std::string> all_a = All("/v1/conversations?store=shop-a&", 5, kAdmin);
  ASSERT_EQ(all_a.size(), 12u);
  const std::vector<std::string> awaiting_a = AwaitingByDue("shop-a");
  EXPECT_EQ(std::vector<std::string>(all_a.begin(), all_a.begin() + 10), awaiting_a);
  EXPECT_EQ(All("/v1/conversations?state=awaiting_buyer&store=shop-a&", 5, kAdmin),
            (std::vector<std::string>{"ozon/shop-a/a7", "ozon/shop-a/a4"}));
  EXPECT_EQ(All("/v1/conversations?state=awaiting_buyer&", 5, kAgentB).size(), 0u);
  EXPECT_EQ(All("/v1/conversations?", 50, kAdmin).size(), 16u);

  // Beyond its bound the scan says so.
  Routes(5);
  const Page bounded = ParsePage(Get("/v1/conversations?limit=50"));
  EXPECT_TRUE(bounded.truncated);
  EXPECT_EQ(bounded.ids.size(), 5u);
  EXPECT_FALSE(ParsePage(Get("/v1/conversations?state=awaiting_reply&limit=50")).truncated);

  // A cursor of one list is refused by the other.
  const Page queue = ParsePage(Get("/v1/conversations?state=awaiting_reply&limit=1"));
  ASSERT_FALSE(queue.next.empty());
  EXPECT_EQ(Get("/v1/conversations?state=awaiting_buyer&after=" + PercentEncode(queue.next)).status, 400);
  const Page scan = ParsePage(Get("/v1/conversations?store=shop-a&limit=1"));
  ASSERT_FALSE(scan.next.empty());
  EXPECT_EQ(Get("/v1/conversations?state=awaiting_reply&after=" + PercentEncode(scan.next)).status, 400);
  EXPECT_EQ(Get("/v1/conversations?state=awaiting_reply&after=t:x").status, 400);
}

TEST_F(ConversationsApiTest, AConversationNeverShowsItsReplyCredential) {
  proto::Event e = Says("wildberries", "shop-a", "186132", "w-1", At("2024-03-20T11:00:00Z"));
  e.mutable_buyer_message()->set_channel("buyer_chat");
  e.mutable_raw()->set_content_type("application/json");
  e.mutable_raw()->set_body(R"({"eventID":"w-1","replySign":"1:abc:secret-reply-sign"})");
  Feed({e});
  auto record = store_->GetRecord(Table::kConversations, "wildberries/shop-a/186132");
  ASSERT_TRUE(record && record.value());
  proto::Conversation c;
  ASSERT_TRUE(c.ParseFromString(*record.value()));
  ASSERT_EQ(c.reply_token(), "1:abc:secret-reply-sign");  // kept for sending

  const Answer one = Get("/v1/conversations/" + PercentEncode("wildberries/shop-a/186132"), kAgent);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.body.find("secret-reply-sign"), std::string::npos) << one.body;
  EXPECT_EQ(one.body.find("reply_token"), std::string::npos) << one.body;
  EXPECT_NE(one.body.find("\"channel\""), std::string::npos) << one.body;
  const Answer list = Get("/v1/conversations?store=shop-a", kAgent);
  EXPECT_EQ(list.body.find("secret-reply-sign"), std::string::npos);

  // Nor does the outbox entry that carries it.
  proto::OutboxEntry entry = AgentReplyEntry(c, "Здравствуйте!", "agent:ana", "k1");
  ASSERT_EQ(entry.reply_token(), "1:abc:secret-reply-sign");
  auto stored = outbox_->EnqueueNow(entry, clock_.Now());
  ASSERT_TRUE(stored) << stored.error().message;
  const Answer shown = Get("/v1/outbox/" + stored.value().id(), kAgent);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(shown.body.find("secret-reply-sign"), std::string::npos) << shown.body;
}

TEST_F(ConversationsApiTest, DeadLettersSayNextExactlyWhenThePageIsFull) {
  FillQueue();
  // Five replies in shop-a, one in shop-b; with no sender each dies at its first attempt.
  std::vector<std::string> dead_a;
  for (int i = 0; i < 6; ++i) {
    static constexpr const char* kIds[] = {"ozon/shop-a/a1", "ozon/shop-a/a2", "ozon/shop-a/a4",
                                           "ozon/shop-a/a5", "ozon/shop-a/a7", "ozon/shop-b/b1"};
    const std::string id = kIds[i];
    auto record = store_->GetRecord(Table::kConversations, id);
    ASSERT_TRUE(record && record.value()) << id;
    proto::Conversation c;
    ASSERT_TRUE(c.ParseFromString(*record.value()));
    auto stored = outbox_->EnqueueNow(AgentReplyEntry(c, "Hello!", "agent:ana", "k"), clock_.Now());
    ASSERT_TRUE(stored) << stored.error().message;
    if (i < 5) dead_a.push_back(stored.value().id());
  }
  ASSERT_TRUE(outbox_->Start());
  TimerRunner runner(*store_, clock_);
  runner.Handle(kSendTimerKind, *outbox_);
  ASSERT_TRUE(runner.FireDue(10'000));
  outbox_->Stop();
  std::sort(dead_a.begin(), dead_a.end());

  auto page = [&](const std::string& query, const char* token) {
    const Answer a = Get("/v1/outbox?state=dead&" + query, token);
    EXPECT_EQ(a.status, 200) << a.body;
    return ParsePage(a, "outbox");
  };
  // Not full: no next.
  Page p = page("limit=6", kAgent);
  EXPECT_EQ(p.ids, dead_a);
  EXPECT_EQ(p.next, "");
  // Full: next, from which the rest follows, the last page without one.
  p = page("limit=2", kAgent);
  EXPECT_EQ(p.ids, std::vector<std::string>(dead_a.begin(), dead_a.begin() + 2));
  ASSERT_EQ(p.next, "shop-a/" + dead_a[1]);
  p = page("limit=2&after=" + PercentEncode(p.next), kAgent);
  EXPECT_EQ(p.ids, std::vector<std::string>(dead_a.begin() + 2, dead_a.begin() + 4));
  ASSERT_FALSE(p.next.empty());
  p = page("limit=2&after=" + PercentEncode(p.next), kAgent);
  EXPECT_EQ(p.ids, std::vector<std::string>(dead_a.begin() + 4, dead_a.end()));
  EXPECT_EQ(p.next, "");
  // Exactly full: next, then an empty page without one.
  p = page("limit=5&store=shop-a", kAgent);
  EXPECT_EQ(p.ids, dead_a);
  ASSERT_FALSE(p.next.empty());
  p = page("limit=5&store=shop-a&after=" + PercentEncode(p.next), kAgent);
  EXPECT_TRUE(p.ids.empty());
  EXPECT_EQ(p.next, "");
  // Every store for an admin; another seller's store is not there for an agent.
  EXPECT_EQ(page("limit=50", kAdmin).ids.size(), 6u);
  const Answer other = Get("/v1/outbox?state=dead&store=shop-b", kAgent);
  EXPECT_EQ(other.status, 404) << other.body;
  EXPECT_EQ(page("store=shop-b", kAgentB).ids.size(), 1u);
}

}  // namespace
}  // namespace csgw::gateway
