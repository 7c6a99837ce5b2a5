#include "gateway/marketplaces/canonical.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "base/json.h"
#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"
#include "tests/support/fixtures.h"

namespace csgw::gateway {
namespace {

using csgw::testing::FixturesDir;
using csgw::testing::ReadFileOrDie;

TimePoint Iso(std::string_view text) { return ParseIsoDateTime(text).value(); }

// A minimal valid event with `extra` members appended (JSON text, leading comma included).
std::string EventJson(const std::string& extra = "") {
  return R"({"event_id":"e-1","marketplace":"aliexpress","store_id":"s-1",)"
         R"("occurred_at":"2026-03-02T10:00:00Z","feedback_posted":{"rating":5})" +
         extra + "}";
}

std::string OrderEventJson(const std::string& total) {
  return R"({"event_id":"e-1","marketplace":"aliexpress","store_id":"s-1",)"
         R"("occurred_at":"2026-03-02T10:00:00Z","order_update":{"total":)" +
         total + "}}";
}

class CanonicalTest : public ::testing::Test {
 protected:
  CanonicalEvents Make() {
    return CanonicalEvents({{"erp", "token-erp-0123456789"}, {"relay", "token-relay-9876543210"}},
                           clock_);
  }

  static InboundRequest Post(std::string body, std::string authorization = "") {
    InboundRequest request;
    request.method = "POST";
    request.path = "/v1/events";
    request.headers["content-type"] = "application/json";
    if (!authorization.empty()) request.headers["authorization"] = std::move(authorization);
    request.body = std::move(body);
    return request;
  }

  Error ParseError(const std::string& body) {
    auto events = Make().Parse(Post(body));
    EXPECT_FALSE(events) << body;
    return events ? Error{} : events.error();
  }

  ManualClock clock_{Iso("2026-03-02T10:00:05Z")};
};

TEST_F(CanonicalTest, AuthenticatesEachClientByItsToken) {
  const CanonicalEvents canonical = Make();
  EXPECT_EQ(canonical.Authenticate(Post("{}", "Bearer token-erp-0123456789")).value(), "erp");
  EXPECT_EQ(canonical.Authenticate(Post("{}", "Bearer token-relay-9876543210")).value(), "relay");
  // The scheme is case-insensitive, the token is not.
  EXPECT_EQ(canonical.Authenticate(Post("{}", "bearer token-erp-0123456789")).value(), "erp");
}

TEST_F(CanonicalTest, RejectsMissingMalformedAndUnknownTokens) {
  const CanonicalEvents canonical = Make();
  for (const char* header : {"", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "token-erp-0123456789",
                             "Bearer TOKEN-ERP-0123456789", "Bearer token-erp-012345678",
                             "Bearer token-erp-01234567890", "Bearer  token-erp-0123456789"}) {
    auto who = canonical.Authenticate(Post("{}", header));
    ASSERT_FALSE(who) << header;
    EXPECT_EQ(who.error().code, Errc::kUnauthenticated) << header;
  }
}

TEST_F(CanonicalTest, NoClientsMeansNoAccess) {
  const CanonicalEvents canonical({}, clock_);
  EXPECT_EQ(canonical.Authenticate(Post("{}", "Bearer anything")).error().code,
            Errc::kUnauthenticated);
}

TEST_F(CanonicalTest, SingleEventGetsGatewayFieldsAndKeepsTheExactBody) {
  const std::string body = ReadFileOrDie(FixturesDir() + "/canonical/event.order_update.json");
  auto events = Make().Parse(Post(body));
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events.value().size(), 1u);
  const proto::Event& event = events.value()[0];
  EXPECT_EQ(event.event_id(), "erp-7f3a-000118");
  EXPECT_EQ(event.marketplace(), "aliexpress");
  EXPECT_EQ(event.store_id(), "ali-store-7");
  EXPECT_EQ(FromTimestamp(event.occurred_at()), Iso("2026-03-02T10:00:00Z"));
  // The sender's received_at and sequence are not ours to take.
  EXPECT_EQ(FromTimestamp(event.received_at()), clock_.Now());
  EXPECT_EQ(event.sequence(), 0u);
  EXPECT_EQ(event.raw().content_type(), "application/json");
  EXPECT_EQ(event.raw().body(), body);
  EXPECT_EQ(event.order_update().total().amount(), "23.40");
  EXPECT_EQ(event.order_update().items(0).quantity(), 2);
  EXPECT_EQ(event.order().order_id(), "8171234567890123456");
}

TEST_F(CanonicalTest, BatchStoresEachEventsOwnCompactJson) {
  const std::string body = ReadFileOrDie(FixturesDir() + "/canonical/events.batch.json");
  auto events = Make().Parse(Post(body));
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events.value().size(), 3u);
  const char* ids[] = {"wb-evt-5501", "wb-evt-5502", "amz-fb-12"};
  for (size_t i = 0; i < 3; ++i) {
    const proto::Event& event = events.value()[i];
    EXPECT_EQ(event.event_id(), ids[i]);
    EXPECT_EQ(FromTimestamp(event.received_at()), clock_.Now());
    EXPECT_EQ(event.raw().content_type(), "application/json");
    auto raw = JsonDocument::ParseObject(event.raw().body());
    ASSERT_TRUE(raw) << event.raw().body();
    EXPECT_EQ(raw.value().root().String("event_id").value(), ids[i]);
    EXPECT_FALSE(raw.value().root().Has("events"));
    EXPECT_EQ(event.raw().body().find('\n'), std::string::npos);
  }
  EXPECT_EQ(events.value()[0].buyer_message().text(), "Здравствуйте! Когда будет отправка?");
  EXPECT_EQ(events.value()[0].buyer().time_zone(), "Europe/Moscow");
  EXPECT_EQ(events.value()[1].dispute_update().refund_amount().amount(), "1490");
  EXPECT_EQ(events.value()[2].feedback_posted().rating(), 4);
  // An offset in occurred_at is read as the instant it names.
  EXPECT_EQ(FromTimestamp(events.value()[2].occurred_at()), Iso("2026-03-02T03:00:00Z"));
}

TEST_F(CanonicalTest, BatchErrorsNameTheEvent) {
  const std::string body =
      ReadFileOrDie(FixturesDir() + "/canonical/events.batch.missing_store.json");
  const Error error = ParseError(body);
  EXPECT_EQ(error.code, Errc::kMissingField);
  EXPECT_EQ(error.message, "field 'events[2].store_id' is required");
}

TEST_F(CanonicalTest, BatchSizeIsCapped) {
  std::string body = R"({"events":[)";
  for (size_t i = 0; i <= CanonicalEvents::kMaxEventsPerPost; ++i) {
    if (i > 0) body += ',';
    body += EventJson();
  }
  body += "]}";
  EXPECT_EQ(ParseError(body).code, Errc::kInvalidField);
  EXPECT_EQ(ParseError(R"({"events":[]})").code, Errc::kInvalidField);
}

TEST_F(CanonicalTest, BatchAtTheCapIsAccepted) {
  std::string body = R"({"events":[)";
  for (size_t i = 0; i < CanonicalEvents::kMaxEventsPerPost; ++i) {
    if (i > 0) body += ',';
    body += EventJson();
  }
  body += "]}";
  auto events = Make().Parse(Post(body));
  ASSERT_TRUE(events) << events.error().message;
  EXPECT_EQ(events.value().size(), CanonicalEvents::kMaxEventsPerPost);
}

TEST_F(CanonicalTest, BatchShapeIsStrict) {
  EXPECT_EQ(ParseError(R"({"events":)" + EventJson() + "}").code, Errc::kInvalidField);
  EXPECT_EQ(ParseError(R"({"events":["e-1"]})").code, Errc::kInvalidField);
  EXPECT_EQ(ParseError(R"({"events":[)" + EventJson() + R"(],"client":"x"})").code,
            Errc::kInvalidField);
}

TEST_F(CanonicalTest, RequiredFieldsAreNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"marketplace":"ozon","store_id":"s","occurred_at":"2026-03-02T10:00:00Z","feedback_posted":{}})",
       "event_id"},
      {R"({"event_id":"e","store_id":"s","occurred_at":"2026-03-02T10:00:00Z","feedback_posted":{}})",
       "marketplace"},
      {R"({"event_id":"e","marketplace":"ozon","occurred_at":"2026-03-02T10:00:00Z","feedback_posted":{}})",
       "store_id"},
      {R"({"event_id":"e","marketplace":"ozon","store_id":"s","feedback_posted":{}})",
       "occurred_at"},
      {R"({"event_id":"e","marketplace":"ozon","store_id":"s","occurred_at":"2026-03-02T10:00:00Z"})",
       "payload"},
  };
  for (const auto& [body, field] : cases) {
    const Error error = ParseError(body);
    EXPECT_EQ(error.code, Errc::kMissingField) << body;
    EXPECT_NE(error.message.find(std::string("'") + field + "'"), std::string::npos)
        << error.message;
  }
}

TEST_F(CanonicalTest, MarketplaceMustBeOneLowercaseWord) {
  for (const char* id : {"AliExpress", "ali express", "ali-express", "озон"}) {
    const std::string body = R"({"event_id":"e","marketplace":")" + std::string(id) +
                             R"(","store_id":"s","occurred_at":"2026-03-02T10:00:00Z",)"
                             R"("feedback_posted":{}})";
    EXPECT_EQ(ParseError(body).code, Errc::kInvalidField) << id;
  }
  auto ok = Make().Parse(Post(R"({"event_id":"e","marketplace":"mercado_libre2","store_id":"s",)"
                              R"("occurred_at":"2026-03-02T10:00:00Z","feedback_posted":{}})"));
  EXPECT_TRUE(ok) << ok.error().message;
}

TEST_F(CanonicalTest, MoneyMustBeExact) {
  for (const char* amount : {"0", "-3", "1234.50", "0.001", "007"}) {
    auto events = Make().Parse(
        Post(OrderEventJson(R"({"amount":")" + std::string(amount) + R"(","currency":"USD"})")));
    EXPECT_TRUE(events) << amount << ": " << events.error().message;
  }
  for (const char* amount : {"", "1.", ".5", "1e3", "+1", "1,50", "1.2.3", "- 1", "NaN", " 1"}) {
    const Error error = ParseError(
        OrderEventJson(R"({"amount":")" + std::string(amount) + R"(","currency":"USD"})"));
    EXPECT_EQ(error.code, Errc::kInvalidField) << amount;
    EXPECT_NE(error.message.find("order_update.total.amount"), std::string::npos) << error.message;
  }
  for (const char* currency : {"", "usd", "US", "USDT", "U$D"}) {
    const Error error = ParseError(
        OrderEventJson(R"({"amount":"1.00","currency":")" + std::string(currency) + R"("})"));
    EXPECT_EQ(error.code, Errc::kInvalidField) << currency;
    EXPECT_NE(error.message.find("order_update.total.currency"), std::string::npos)
        << error.message;
  }
}

TEST_F(CanonicalTest, EveryMoneyFieldIsChecked) {
  const Error item = ParseError(
      R"({"event_id":"e","marketplace":"ozon","store_id":"s","occurred_at":"2026-03-02T10:00:00Z",)"
      R"("order_update":{"items":[{"sku":"a","price":{"amount":"1","currency":"RUB"}},)"
      R"({"sku":"b","price":{"amount":"1.5e2","currency":"RUB"}}]}})");
  EXPECT_EQ(item.code, Errc::kInvalidField);
  EXPECT_NE(item.message.find("order_update.items[1].price.amount"), std::string::npos)
      << item.message;
  const Error refund = ParseError(
      R"({"events":[)" + EventJson() +
      R"(,{"event_id":"e","marketplace":"ozon","store_id":"s","occurred_at":"2026-03-02T10:00:00Z",)"
      R"("dispute_update":{"refund_amount":{"amount":"10","currency":"rub"}}}]})");
  EXPECT_EQ(refund.code, Errc::kInvalidField);
  EXPECT_NE(refund.message.find("events[1].dispute_update.refund_amount.currency"),
            std::string::npos)
      << refund.message;
}

TEST_F(CanonicalTest, ProtoJsonErrorsNameTheFieldButNotTheValue) {
  const Error unknown = ParseError(EventJson(R"(,"storeID":"typo")"));
  EXPECT_EQ(unknown.code, Errc::kInvalidField);
  EXPECT_NE(unknown.message.find("storeID"), std::string::npos) << unknown.message;

  const Error bad_enum = ParseError(
      R"({"event_id":"e","marketplace":"ozon","store_id":"s","occurred_at":"2026-03-02T10:00:00Z",)"
      R"("buyer_message":{"text":"ok","sender":"my secret address"}})");
  EXPECT_EQ(bad_enum.code, Errc::kInvalidField);
  EXPECT_NE(bad_enum.message.find("buyer_message.sender"), std::string::npos) << bad_enum.message;
  EXPECT_EQ(bad_enum.message.find("secret"), std::string::npos) << bad_enum.message;

  const Error bad_time =
      ParseError(R"({"events":[{"event_id":"e","marketplace":"ozon","store_id":"s",)"
                 R"("occurred_at":"my secret address","feedback_posted":{}}]})");
  EXPECT_EQ(bad_time.code, Errc::kInvalidField);
  EXPECT_NE(bad_time.message.find("events[0].occurred_at"), std::string::npos) << bad_time.message;
  EXPECT_EQ(bad_time.message.find("secret"), std::string::npos) << bad_time.message;
}

TEST_F(CanonicalTest, SyntaxErrorsAreMalformedJson) {
  EXPECT_EQ(ParseError(R"({"event_id":)").code, Errc::kMalformedJson);
  EXPECT_EQ(ParseError("").code, Errc::kMalformedJson);
  EXPECT_EQ(ParseError("[" + EventJson() + "]").code, Errc::kInvalidField);
}

TEST_F(CanonicalTest, TwoPayloadsAreRejected) {
  EXPECT_EQ(ParseError(EventJson(R"(,"order_update":{})")).code, Errc::kInvalidField);
}

TEST_F(CanonicalTest, AcceptsCamelAndSnakeCaseNames) {
  auto events = Make().Parse(Post(
      R"({"eventId":"e","marketplace":"ozon","store_id":"s","occurredAt":"2026-03-02T10:00:00Z",)"
      R"("buyerMessage":{"conversationId":"c","message_id":"m","kind":"KIND_NEW"}})"));
  ASSERT_TRUE(events) << events.error().message;
  EXPECT_EQ(events.value()[0].buyer_message().conversation_id(), "c");
  EXPECT_EQ(events.value()[0].buyer_message().message_id(), "m");
}

}  // namespace
}  // namespace csgw::gateway

namespace csgw::gateway {
namespace {

TEST_F(CanonicalTest, RefusesCsgwsOwnOutboundUpdates) {
  // Only the outbox records what csgw sent; a relay must not mark drafts sent.
  const Error error = ParseError(
      R"({"event_id":"e1","marketplace":"ozon","store_id":"7","occurred_at":"2026-03-02T10:00:00Z",)"
      R"("outbound_update":{"outbox_id":"ob_1","step":"sent","conversation_id":"ozon/7/b"}})");
  EXPECT_EQ(error.code, Errc::kInvalidField);
  EXPECT_NE(error.message.find("outbound_update"), std::string::npos) << error.message;
}

}  // namespace
}  // namespace csgw::gateway
