// Proactive messages: what csgw sends without being asked — follow-ups on the memory cycle
// after a sent reply, the unpaid-order reminder, the shipping notice with tracking, the feedback
// request after delivery (PRACTICE.md; Config.schedule.proactive enables each kind, none by
// default). Two halves:
//
// - ProactiveBatch: the decisions, taken inside the pipeline's batch (the pipeline stays the only
//   writer of conversations). It watches the batch's events and, from the final state of each
//   conversation and order they touched, schedules or cancels timers — once per timer id per
//   batch, so a batch never holds a schedule and a cancel of the same timer:
//     a csgw reply was sent        → "follow_up/<conversation>/<n>" at FollowUpTimes (n from 1);
//     the buyer wrote, or it closed → that conversation's follow-ups cancelled;
//     the order became unpaid      → "unpaid_reminder/<order key>" after unpaid_reminder_after;
//     shipped, with tracking       → "shipping_notice/<order key>" at once (inside the window);
//     delivered                    → "feedback_request/<order key>" after feedback_request_after;
//     it left that state (paid, cancelled, returned, ...), or a dispute or feedback arrived for
//     the order → the timer cancelled.
//   Only kinds enabled in config, and only where the store's conversation with the buyer is known
//   with the marketplace's own conversation id (the send must name it). Send instants come from
//   schedule/send_window.h: inside the buyer's daytime window, DST-correct.
// - ProactiveTimers: the TimerHandler that fires them. It re-reads the conversation and order,
//   re-checks schedule::CancelReasonFor, renders the catalogue template in the conversation's
//   locale with the store's policy and the order's data, runs the quality check, and enqueues one
//   outbox entry in the timer's own write (a timer fires once, so the message goes once). A
//   missing variable or a quality finding means no send, logged with ids (never text).
//
// Timers: kind = the message kind name; subject = the conversation id (the runner never fires
// two timers of one subject in one write); payload = "<anchor unix seconds>\n<order key>" — the
// anchor is what "the buyer wrote after it was scheduled" is measured from (our reply for a
// follow-up, the order event for the others).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/schedule/send_window.h"
#include "gateway/schedule/timer_runner.h"
#include "gateway/store/event_store.h"
#include "proto/proto.h"
#include "templates/catalog.h"
#include "templates/draft.h"

namespace csgw::gateway {

class Outbox;

// The proactive kinds a deployment enabled (Config.schedule.proactive). Default: none.
class ProactiveKinds {
 public:
  ProactiveKinds() = default;
  // Names as config.cc validated them ("follow_up", ...); others are ignored.
  template <class Names>
  static ProactiveKinds Of(const Names& names) {
    ProactiveKinds kinds;
    for (const auto& name : names) kinds.Enable(name);
    return kinds;
  }
  void Enable(std::string_view name);
  bool enabled(schedule::MessageKind kind) const;
  bool any() const { return mask_ != 0; }

 private:
  uint8_t mask_ = 0;
};

// The kind a timer or outbox entry names ("follow_up", ...); nullopt for anything else.
std::optional<schedule::MessageKind> ProactiveKindNamed(std::string_view name);

// "follow_up/<conversation id>/<n>", n counting from 1.
std::string FollowUpTimerId(std::string_view conversation_id, size_t n);
// "<kind>/<order key>" for the order-driven kinds.
std::string OrderMessageTimerId(schedule::MessageKind kind, std::string_view order_key);

// The follow-up timers after our message at `anchor` in `conversation`, at FollowUpTimes in the
// conversation's buyer zone. kInvalidField when the conversation has no buyer zone (no window
// could be honoured) or the policy is invalid.
Result<std::vector<proto::Timer>> FollowUpTimers(const proto::Conversation& conversation,
                                                 TimePoint anchor,
                                                 const schedule::SendPolicy& policy, TimePoint now);

// A timer's payload and what it decodes to.
struct ProactivePayload {
  TimePoint anchor;
  std::string order_key;  // "" for a follow-up in a conversation without an order
};
std::string EncodeProactivePayload(const ProactivePayload& payload);
Result<ProactivePayload> DecodeProactivePayload(std::string_view bytes);

// What the conversation and order say when a send is (re)checked. `order` may be null.
schedule::ConversationFacts FactsOf(const proto::Conversation& conversation,
                                    const proto::OrderContext* order);

// The decisions of one pipeline batch. Call Observe for every event of the batch, in order,
// before the pipeline applies it; then Finish once, after all of them.
class ProactiveBatch {
 public:
  // Returns the record under a key as the batch holds it (empty when there is none); nullptr on
  // a storage error or a corrupt record. The pipeline's record caches.
  using ConversationLoader = std::function<const proto::Conversation*(const std::string&)>;
  using OrderLoader = std::function<const proto::OrderContext*(const std::string&)>;

  // `policy` must outlive the batch.
  ProactiveBatch(const schedule::SendPolicy& policy, ProactiveKinds kinds,
                 ConversationLoader conversations, OrderLoader orders);

  // Notes what the event may change: an order update (the order as it was before the batch is
  // remembered), a sent csgw reply, a buyer message or close, a dispute or feedback on an order.
  Result<void> Observe(const proto::Event& event);

  // Adds the timers to schedule and cancel to `batch`, from the final state of each conversation
  // and order the batch touched.
  Result<void> Finish(TimePoint now, StateBatch& batch);

 private:
  struct OrderNote {
    proto::OrderContext before;
    // Conversations that may be the store's thread with this order's buyer, best first.
    std::vector<std::string> conversations;
    bool feedback_or_dispute = false;
  };

  Result<void> FinishConversation(const std::string& key, TimePoint now, StateBatch& batch);
  Result<void> FinishOrder(const std::string& key, const OrderNote& note, TimePoint now,
                           StateBatch& batch);

  const schedule::SendPolicy& policy_;
  const ProactiveKinds kinds_;
  ConversationLoader conversations_;
  OrderLoader orders_;
  // Conversations touched, with the latest csgw reply sent in them in this batch.
  std::map<std::string, std::optional<TimePoint>> touched_;
  std::map<std::string, OrderNote> orders_touched_;
};

// Fires the proactive timers ("follow_up", "unpaid_reminder", "feedback_request",
// "shipping_notice") into outbox entries. Register one instance for each kind.
class ProactiveTimers final : public TimerHandler {
 public:
  // All references must outlive the handler; `config` is copied. The catalogue is read at each
  // fire, so a reload takes effect for the next message.
  ProactiveTimers(EventStore& store, const templates::CatalogHolder& catalog,
                  const proto::TemplatesConfig& config, Outbox& outbox, ProactiveKinds kinds);

  Result<void> Fire(const proto::Timer& timer, TimePoint now, StateBatch& batch) override;

  // The locale a proactive message is written in: the newest draft's, else the buyer's latest
  // known language (negotiated with the buyer's country), else the marketplace's locale hint for
  // the buyer, else "en".
  static std::string LocaleOf(const proto::Conversation& conversation);

 private:
  // The text, or nullopt after logging why none may go out.
  std::optional<std::string> Compose(schedule::MessageKind kind, const proto::Timer& timer,
                                     const proto::Conversation& conversation,
                                     const proto::OrderContext* order, TimePoint now) const;

  EventStore& store_;
  const templates::CatalogHolder& catalog_;
  const proto::TemplatesConfig config_;
  Outbox& outbox_;
  const ProactiveKinds kinds_;
};

}  // namespace csgw::gateway
