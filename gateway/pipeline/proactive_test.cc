// Proactive messages through the pipeline and the timer runner, with a real store, the real
// catalogue and a manual clock: follow-ups after a sent reply inside the buyer's daytime window
// (DST included), cancelled when the buyer writes; order-driven reminders, notices and feedback
// requests scheduled and cancelled as the order moves; a fired timer becomes one outbox entry
// with the rendered text.
#include "gateway/pipeline/proactive.h"

#include <gtest/gtest.h>

#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/outbound/outbox.h"
#include "gateway/pipeline/pipeline.h"
#include "gateway/pipeline/reply_flow.h"
#include "i18n/time_zone.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

using schedule::MessageKind;

TimePoint At(const char* iso) { return *ParseIsoDateTime(iso); }

struct Buyer {
  std::string marketplace;
  std::string id;
  std::string country;
  std::string zone;
  std::string chat;
  std::string order;
};

proto::Event Base(const std::string& event_id, const Buyer& b, const char* at) {
  proto::Event e;
  e.set_event_id(event_id);
  e.set_marketplace(b.marketplace);
  e.set_store_id("shop-1");
  e.mutable_buyer()->set_id(b.id);
  e.mutable_buyer()->set_country(b.country);
  e.mutable_buyer()->set_time_zone(b.zone);
  if (!b.order.empty()) e.mutable_order()->set_order_id(b.order);
  SetTimestamp(e.mutable_occurred_at(), At(at));
  SetTimestamp(e.mutable_received_at(), At(at));
  return e;
}

proto::Event Says(const std::string& id, const Buyer& b, const std::string& text, const char* at) {
  proto::Event e = Base("msg-" + id, b, at);
  auto& m = *e.mutable_buyer_message();
  m.set_kind(proto::BuyerMessage::KIND_NEW);
  m.set_message_id(id);
  m.set_conversation_id(b.chat);
  m.set_sender(proto::SENDER_ROLE_BUYER);
  m.set_text(text);
  return e;
}

proto::Event Order(const std::string& id, const Buyer& b, proto::OrderStatus status,
                   const char* at) {
  proto::Event e = Base(id, b, at);
  auto& u = *e.mutable_order_update();
  u.set_status(status);
  return e;
}

std::string ConversationOf(const Buyer& b) {
  return b.marketplace + "/shop-1/" + b.id + (b.order.empty() ? "" : "/" + b.order);
}

// What the outbox reports when our reply went out in `conversation` at `at`.
proto::Event ReplySent(const std::string& conversation, const std::string& outbox_id,
                       const char* at) {
  proto::OutboxEntry entry;
  entry.set_id(outbox_id);
  entry.set_kind("reply");
  entry.set_conversation_id(conversation);
  entry.set_marketplace(conversation.substr(0, conversation.find('/')));
  entry.set_store_id("shop-1");
  return OutboundEvent(entry, "sent", At(at));
}

class ProactiveTest : public ::testing::Test {
 protected:
  ProactiveTest()
      : clock_(At("2024-03-20T09:00:00Z")),
        classifier_(templates::MakeRuleClassifier()),
        catalog_(templates::Catalog::Default()),
        drafter_(detector_, *classifier_, catalog_) {
    config_.mutable_default_policy()->set_store_name("Sunny Home");
    config_.set_max_conversation_messages(200);
    config_.set_max_conversation_drafts(50);
    StoreOptions options;
    options.dir = dir_.Sub("db");
    options.sync = false;
    auto store = EventStore::Open(options);
    EXPECT_TRUE(store) << store.error().message;
    if (store) store_ = std::move(store).value();
    auto client = outbound::HttpClient::Create(outbound::HttpClientOptions{});
    EXPECT_TRUE(client) << client.error().message;
    if (client) client_ = std::move(client).value();
    outbox_ = std::make_unique<Outbox>(*store_, clock_, *client_, nullptr, OutboxOptions{}, nullptr,
                                       outbound::MakeUniformRandom(7));
    kinds_ = ProactiveKinds::Of(std::vector<std::string>{"follow_up", "unpaid_reminder",
                                                         "shipping_notice", "feedback_request"});
    pipeline_ = std::make_unique<Pipeline>(*store_, drafter_, config_, clock_);
    pipeline_->SetReplyFlow({&policy_, outbox_.get(), {}, kinds_});
    timers_ = std::make_unique<ProactiveTimers>(*store_, catalog_, config_, *outbox_, kinds_);
  }

  void Feed(std::vector<proto::Event> events) {
    ASSERT_TRUE(store_->Append(std::move(events)));
    auto processed = pipeline_->ProcessPending(1000);
    ASSERT_TRUE(processed) << processed.error().message;
  }
  std::optional<proto::Timer> Timer(const std::string& id) {
    auto timer = store_->GetTimer(id);
    EXPECT_TRUE(timer);
    return timer ? timer.value() : std::nullopt;
  }
  std::optional<TimePoint> Due(const std::string& id) {
    auto timer = Timer(id);
    if (!timer) return std::nullopt;
    return FromTimestamp(timer->due());
  }
  // Fires the proactive timers due at `now` through a runner (no sender: the outbox entries stay
  // pending for the test to read). Returns how many fired.
  size_t FireAt(TimePoint now) {
    clock_.Set(now);
    TimerRunner runner(*store_, clock_);
    for (const char* kind :
         {"follow_up", "unpaid_reminder", "shipping_notice", "feedback_request"}) {
      runner.Handle(kind, *timers_);
    }
    runner.Handle(kSendTimerKind, idle_sends_);
    auto fired = runner.FireDue(100);
    EXPECT_TRUE(fired) << fired.error().message;
    return fired ? fired.value() : 0;
  }
  std::optional<proto::OutboxEntry> Entry(const std::string& key) {
    auto entry = outbox_->Get(OutboxId(key));
    EXPECT_TRUE(entry);
    return entry ? entry.value() : std::nullopt;
  }

  // Leaves outbox send timers where they are (fails them), so tests read pending entries.
  class IdleSends final : public TimerHandler {
   public:
    Result<void> Fire(const proto::Timer&, TimePoint, StateBatch&) override {
      return MakeError(Errc::kUpstreamUnavailable, "sending is not part of this test");
    }
  };

  csgw::testing::TempDir dir_;
  ManualClock clock_;
  i18n::LanguageDetector detector_;
  std::unique_ptr<templates::IntentClassifier> classifier_;
  templates::CatalogHolder catalog_;
  templates::Drafter drafter_;
  proto::TemplatesConfig config_;
  schedule::SchedulePolicy policy_;  // defaults: 09:00-21:00, follow-ups 1/2/4/7/15 days
  ProactiveKinds kinds_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<outbound::HttpClient> client_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<ProactiveTimers> timers_;
  IdleSends idle_sends_;
};

const Buyer kMadrid{"aliexpress", "b-es", "ES", "Europe/Madrid", "chat-es", "o-es"};
const Buyer kMexico{"mercadolibre", "b-mx", "MX", "America/Mexico_City", "chat-mx", ""};
const Buyer kMoscow{"ozon", "b-ru", "RU", "Europe/Moscow", "chat-ru", "o-ru"};

TEST(ProactiveKindsTest, OnlyNamedKindsAreEnabled) {
  const ProactiveKinds none;
  EXPECT_FALSE(none.any());
  const auto some = ProactiveKinds::Of(std::vector<std::string>{"follow_up", "bogus"});
  EXPECT_TRUE(some.enabled(MessageKind::kFollowUp));
  EXPECT_FALSE(some.enabled(MessageKind::kUnpaidReminder));
  EXPECT_FALSE(some.enabled(MessageKind::kReply));
}

TEST(ProactivePayloadTest, RoundTripsAndRejectsGarbage) {
  const ProactivePayload p{At("2024-03-30T09:15:00Z"), "ozon/shop-1/o-1"};
  auto back = DecodeProactivePayload(EncodeProactivePayload(p));
  ASSERT_TRUE(back);
  EXPECT_EQ(back.value().anchor, p.anchor);
  EXPECT_EQ(back.value().order_key, p.order_key);
  EXPECT_FALSE(DecodeProactivePayload("12x\nk"));
  EXPECT_FALSE(DecodeProactivePayload("no newline"));
}

// Madrid moves to summer time on 31 March 2024: the follow-up a day after a 10:15 reply is at
// 10:15 local again, an hour earlier in UTC.
TEST_F(ProactiveTest, FollowUpsAfterASentReplyKeepTheLocalTimeAcrossDst) {
  Feed({Order("o-es-placed", kMadrid, proto::ORDER_STATUS_PAID, "2024-03-29T08:00:00Z"),
        Says("m1", kMadrid, "Hola, ¿cuándo llega mi pedido?", "2024-03-30T09:00:00Z")});
  const std::string conversation = ConversationOf(kMadrid);
  EXPECT_FALSE(Timer(FollowUpTimerId(conversation, 1)));  // nothing before our reply went out
  Feed({ReplySent(conversation, "ob_r1", "2024-03-30T09:15:00Z")});  // 10:15 CET

  EXPECT_EQ(Due(FollowUpTimerId(conversation, 1)), At("2024-03-31T08:15:00Z"));  // 10:15 CEST
  EXPECT_EQ(Due(FollowUpTimerId(conversation, 2)), At("2024-04-01T08:15:00Z"));
  EXPECT_EQ(Due(FollowUpTimerId(conversation, 3)), At("2024-04-03T08:15:00Z"));
  EXPECT_EQ(Due(FollowUpTimerId(conversation, 4)), At("2024-04-06T08:15:00Z"));
  EXPECT_EQ(Due(FollowUpTimerId(conversation, 5)), At("2024-04-14T08:15:00Z"));
  EXPECT_FALSE(Timer(FollowUpTimerId(conversation, 6)));
  const auto timer = Timer(FollowUpTimerId(conversation, 1));
  ASSERT_TRUE(timer);
  EXPECT_EQ(timer->kind(), "follow_up");
  EXPECT_EQ(timer->subject(), conversation);
}

// A reply at 23:30 in Mexico City (no DST since 2022): each follow-up waits for 09:00 the
// morning after its day; none is ever due in the buyer's night.
TEST_F(ProactiveTest, NightAnchorsWaitForTheMorningAndNothingIsDueAtNight) {
  Feed({Says("m1", kMexico, "Hola, ¿tienen este artículo en azul?", "2024-06-11T05:00:00Z")});
  const std::string conversation = ConversationOf(kMexico);
  Feed({ReplySent(conversation, "ob_r1", "2024-06-11T05:30:00Z")});  // 23:30 local, 10 June
  EXPECT_EQ(Due(FollowUpTimerId(conversation, 1)), At("2024-06-12T15:00:00Z"));  // 09:00 -06
  EXPECT_EQ(Due(FollowUpTimerId(conversation, 2)), At("2024-06-13T15:00:00Z"));
  for (size_t n = 1; n <= 5; ++n) {
    auto due = Due(FollowUpTimerId(conversation, n));
    ASSERT_TRUE(due) << n;
    auto local = i18n::ToLocal("America/Mexico_City", *due);
    ASSERT_TRUE(local);
    EXPECT_GE(local.value().time_of_day, std::chrono::hours(9)) << n;
    EXPECT_LT(local.value().time_of_day, std::chrono::hours(21)) << n;
  }
  // A minute before the window opens nothing fires.
  FireAt(At("2024-06-12T14:59:00Z"));
  EXPECT_TRUE(Timer(FollowUpTimerId(conversation, 1)));
}

TEST_F(ProactiveTest, TheBuyerWritingFirstCancelsTheFollowUps) {
  Feed({Says("m1", kMexico, "Hola, ¿tienen este artículo en azul?", "2024-06-11T05:00:00Z")});
  const std::string conversation = ConversationOf(kMexico);
  Feed({ReplySent(conversation, "ob_r1", "2024-06-11T05:30:00Z")});
  ASSERT_TRUE(Timer(FollowUpTimerId(conversation, 1)));
  Feed({Says("m2", kMexico, "Gracias, ¿y en rojo?", "2024-06-11T16:00:00Z")});
  for (size_t n = 1; n <= 5; ++n) EXPECT_FALSE(Timer(FollowUpTimerId(conversation, n))) << n;
}

// The reply clock beside the proactive ones: a reply that became overdue is counted once, even
// when the buyer writes again before anyone answers (the due time stays the first message's).
TEST_F(ProactiveTest, AnOverdueReplyIsCountedOnceWhenTheBuyerWritesAgain) {
  class CountOverdue final : public TimerHandler {
   public:
    Result<void> Fire(const proto::Timer&, TimePoint, StateBatch&) override {
      ++fired;
      return Ok();
    }
    int fired = 0;
  } overdue;
  auto fire_at = [&](TimePoint now) {
    clock_.Set(now);
    TimerRunner runner(*store_, clock_);
    runner.Handle(kReplySlaTimerKind, overdue);
    ASSERT_TRUE(runner.FireDue(100));
  };
  const std::string conversation = ConversationOf(kMexico);
  Feed({Says("m1", kMexico, "Hola, ¿tienen este artículo en azul?", "2024-06-11T05:00:00Z")});
  const auto due = Due(ReplySlaTimerId(conversation));
  ASSERT_TRUE(due);
  fire_at(*due + std::chrono::hours(1));
  EXPECT_EQ(overdue.fired, 1);
  EXPECT_FALSE(Timer(ReplySlaTimerId(conversation)));

  Feed({Says("m2", kMexico, "¿Hola? ¿Alguien?", "2024-06-12T12:00:00Z")});
  EXPECT_FALSE(Timer(ReplySlaTimerId(conversation)));  // not scheduled again at the old due
  EXPECT_TRUE(Timer(ReplyQueueTimerId(conversation)));  // still first in the agents' queue
  fire_at(*due + std::chrono::hours(30));
  EXPECT_EQ(overdue.fired, 1);

  // Answered, then a new question: a new clock, a new timer.
  Feed({ReplySent(conversation, "ob_r1", "2024-06-12T13:00:00Z")});
  Feed({Says("m3", kMexico, "Gracias, ¿y en rojo?", "2024-06-12T14:00:00Z")});
  const auto next = Due(ReplySlaTimerId(conversation));
  ASSERT_TRUE(next);
  EXPECT_GT(*next, *due);
}

TEST_F(ProactiveTest, ClosingTheConversationCancelsTheFollowUps) {
  Feed({Says("m1", kMexico, "Hola, ¿tienen este artículo en azul?", "2024-06-11T05:00:00Z")});
  const std::string conversation = ConversationOf(kMexico);
  Feed({ReplySent(conversation, "ob_r1", "2024-06-11T05:30:00Z")});
  proto::Event closed = Base("close-1", kMexico, "2024-06-11T07:00:00Z");
  closed.mutable_buyer_message()->set_kind(proto::BuyerMessage::KIND_CONVERSATION_CLOSED);
  closed.mutable_buyer_message()->set_conversation_id(kMexico.chat);
  Feed({closed});
  for (size_t n = 1; n <= 5; ++n) EXPECT_FALSE(Timer(FollowUpTimerId(conversation, n))) << n;
}

// The fired follow-up becomes one outbox entry with the Russian text rendered from the order;
// firing never happens twice, and the buyer writing in between stops the next one at fire time.
TEST_F(ProactiveTest, AFiredFollowUpEnqueuesOneRenderedRussianMessage) {
  proto::Event placed =
      Order("o-ru-paid", kMoscow, proto::ORDER_STATUS_PAID, "2024-03-19T08:00:00Z");
  placed.mutable_order_update()->add_items()->set_title("Чайник");
  Feed({placed,
        Says("m1", kMoscow, "Здравствуйте, какой объём у чайника?", "2024-03-20T07:00:00Z")});
  const std::string conversation = ConversationOf(kMoscow);
  Feed({ReplySent(conversation, "ob_r1", "2024-03-20T08:00:00Z")});  // 11:00 Moscow
  ASSERT_EQ(Due(FollowUpTimerId(conversation, 1)), At("2024-03-21T08:00:00Z"));

  FireAt(At("2024-03-21T08:00:00Z"));
  EXPECT_FALSE(Timer(FollowUpTimerId(conversation, 1)));
  const std::string key =
      FollowUpTimerId(conversation, 1) + "/" +
      std::to_string(At("2024-03-20T08:00:00Z").time_since_epoch() / std::chrono::seconds(1));
  auto entry = Entry(key);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->kind(), "follow_up");
  EXPECT_EQ(entry->requested_by(), "scheduler");
  EXPECT_EQ(entry->state(), proto::OUTBOX_STATE_PENDING);
  EXPECT_EQ(entry->marketplace_conversation_id(), "chat-ru");
  EXPECT_EQ(entry->conversation_id(), conversation);
  EXPECT_EQ(entry->order_id(), "o-ru");
  EXPECT_EQ(entry->text(),
            "Здравствуйте! Недавно Вы интересовались товаром «Чайник». Остались ли у Вас "
            "вопросы? Я с радостью на них отвечу и помогу оформить заказ.");
  EXPECT_TRUE(Timer(entry->timer_id()));  // the send itself is the outbox's timer

  // The buyer writes after our reply but the cancel is lost (a timer restored from a backup):
  // the fire-time check still keeps the second follow-up from going out.
  auto second = Timer(FollowUpTimerId(conversation, 2));
  ASSERT_TRUE(second);
  Feed({Says("m2", kMoscow, "Спасибо, подумаю", "2024-03-21T10:00:00Z")});
  StateBatch restore;
  restore.schedule.push_back(*second);
  ASSERT_TRUE(store_->Commit(restore));
  FireAt(FromTimestamp(second->due()));
  EXPECT_FALSE(Timer(second->id()));
  EXPECT_FALSE(Entry(FollowUpTimerId(conversation, 2) + key.substr(key.rfind('/'))));
}

// Without the item (a question with no order) the follow-up cannot be written: nothing is sent.
TEST_F(ProactiveTest, AMissingVariableSendsNothing) {
  Feed({Says("m1", kMexico, "Hola, ¿tienen este artículo en azul?", "2024-06-11T05:00:00Z")});
  const std::string conversation = ConversationOf(kMexico);
  Feed({ReplySent(conversation, "ob_r1", "2024-06-11T17:00:00Z")});
  auto due = Due(FollowUpTimerId(conversation, 1));
  ASSERT_TRUE(due);
  FireAt(*due);
  EXPECT_FALSE(Timer(FollowUpTimerId(conversation, 1)));  // fired (and gone), but no message
  auto listed = store_->ScanRecords(Table::kOutbox, "", "", 100);
  ASSERT_TRUE(listed);
  for (const auto& [key, bytes] : listed.value()) {
    proto::OutboxEntry entry;
    ASSERT_TRUE(entry.ParseFromString(bytes));
    EXPECT_NE(entry.kind(), "follow_up") << key;  // an auto-sent reply may be there
  }
}

TEST_F(ProactiveTest, UnpaidReminderIsScheduledInTheWindowAndCancelledWhenPaid) {
  Feed({Says("m1", kMadrid, "Hola, ¿puedo pagar con tarjeta?", "2024-03-29T08:00:00Z")});
  const std::string order_key = "aliexpress/shop-1/o-es";
  const std::string id = OrderMessageTimerId(MessageKind::kUnpaidReminder, order_key);
  // Placed at 22:30 Madrid: twelve hours later is 10:30 the next morning, inside the window.
  proto::Event placed =
      Order("o-es-1", kMadrid, proto::ORDER_STATUS_UNPAID, "2024-03-29T21:30:00Z");
  placed.mutable_order_update()->add_items()->set_title("Lámpara");
  Feed({placed});
  EXPECT_EQ(Due(id), At("2024-03-30T09:30:00Z"));
  Feed({Order("o-es-2", kMadrid, proto::ORDER_STATUS_PAID, "2024-03-30T07:00:00Z")});
  EXPECT_FALSE(Timer(id));
}

TEST_F(ProactiveTest, NoConversationWithTheBuyerMeansNoReminder) {
  Feed({Order("o-es-1", kMadrid, proto::ORDER_STATUS_UNPAID, "2024-03-29T21:30:00Z")});
  EXPECT_FALSE(Timer(OrderMessageTimerId(MessageKind::kUnpaidReminder, "aliexpress/shop-1/o-es")));
}

// Shipped with tracking → notice; delivered → the notice is moot and the feedback request waits
// three days; fired, it is one Spanish message.
TEST_F(ProactiveTest, ShippingNoticeThenFeedbackRequestInSpanish) {
  Feed({Says("m1", kMadrid, "Hola, ¿cuándo envían mi pedido?", "2024-04-01T08:00:00Z")});
  const std::string order_key = "aliexpress/shop-1/o-es";
  const std::string notice = OrderMessageTimerId(MessageKind::kShippingNotice, order_key);
  const std::string feedback = OrderMessageTimerId(MessageKind::kFeedbackRequest, order_key);
  proto::Event shipped = Order("o-es-s", kMadrid, proto::ORDER_STATUS_SHIPPED,
                               "2024-04-01T22:00:00Z");  // midnight in Madrid
  Feed({shipped});
  EXPECT_FALSE(Timer(notice));  // no tracking number yet: nothing to tell
  shipped.set_event_id("o-es-s2");
  SetTimestamp(shipped.mutable_occurred_at(), At("2024-04-01T22:05:00Z"));
  shipped.mutable_order_update()->set_tracking_number("LP00123456789");
  shipped.mutable_order_update()->set_carrier("Cainiao");
  Feed({shipped});
  EXPECT_EQ(Due(notice), At("2024-04-02T07:00:00Z"));  // 09:00 CEST

  Feed({Order("o-es-d", kMadrid, proto::ORDER_STATUS_DELIVERED, "2024-04-08T15:00:00Z")});
  EXPECT_FALSE(Timer(notice));
  EXPECT_EQ(Due(feedback), At("2024-04-11T15:00:00Z"));

  FireAt(At("2024-04-11T15:00:00Z"));
  EXPECT_FALSE(Timer(feedback));
  auto entry = Entry(feedback);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->kind(), "feedback_request");
  EXPECT_EQ(entry->text(),
            "¡Esperamos que esté disfrutando de su compra! Si su pedido o-es cumplió sus "
            "expectativas, le agradeceríamos mucho su valoración: ayuda a otros compradores y es "
            "muy importante para nosotros. Y si algo no está bien, escríbanos primero: con gusto "
            "le ayudaremos.");
}

TEST_F(ProactiveTest, ADisputeCancelsTheFeedbackRequest) {
  Feed({Says("m1", kMadrid, "Hola, ¿cuándo envían mi pedido?", "2024-04-01T08:00:00Z")});
  Feed({Order("o-es-d", kMadrid, proto::ORDER_STATUS_DELIVERED, "2024-04-08T15:00:00Z")});
  const std::string feedback =
      OrderMessageTimerId(MessageKind::kFeedbackRequest, "aliexpress/shop-1/o-es");
  ASSERT_TRUE(Timer(feedback));
  proto::Event review = Base("fb-1", kMadrid, "2024-04-09T10:00:00Z");
  review.mutable_feedback_posted()->set_feedback_id("fb-1");
  review.mutable_feedback_posted()->set_rating(5);
  Feed({review});
  EXPECT_FALSE(Timer(feedback));
}

TEST_F(ProactiveTest, DisabledKindsScheduleNothing) {
  pipeline_->SetReplyFlow({&policy_,
                           outbox_.get(),
                           {},
                           ProactiveKinds::Of(std::vector<std::string>{"unpaid_reminder"})});
  Feed({Says("m1", kMexico, "Hola, ¿tienen este artículo en azul?", "2024-06-11T05:00:00Z")});
  const std::string conversation = ConversationOf(kMexico);
  Feed({ReplySent(conversation, "ob_r1", "2024-06-11T05:30:00Z")});
  EXPECT_FALSE(Timer(FollowUpTimerId(conversation, 1)));
}

}  // namespace
}  // namespace csgw::gateway
