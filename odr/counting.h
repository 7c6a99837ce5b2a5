// From events to daily counter deltas.
//
// Counting is a fold over per-entity facts: an order (its status times, value, disputes and
// feedback), a buyer (the feedback of their orders, for the once-per-N-days rule) and a
// conversation (first buyer message, seller messages: reported by the marketplace, sent by csgw
// automatically or for an agent). Each fact record is a function of the
// *set* of events seen (minimums, maximums, unions, "latest wins" with a total tie-break), and
// the counters an entity contributes are a function of its facts. The delta for one event is
//     Contribution(facts after) − Contribution(facts before),
// so the deltas telescope: whatever the order of the events, and however often one is
// replayed, the counters equal Σ Contribution(final facts). `csgw odr rebuild` replays stored
// events from empty facts and gets the same figures as the live path (README.md).
//
// Pure: no I/O, no clock; the caller loads and stores the fact records next to the counters.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "disputes/dispute.h"
#include "odr/counters.h"
#include "odr/rules.h"
#include "proto/proto.h"

namespace csgw::odr {

// A dispute as the dispute machine derived it (disputes/): built by OutcomeOf.
struct DisputeOutcome {
  TimePoint opened_at;
  disputes::ReasonGroup reason = disputes::ReasonGroup::kUnknown;
  bool return_requested = false;  // the agreed or asked solution needs the goods back
  std::optional<TimePoint> escalated_at;
  disputes::State state = disputes::State::kNone;
  disputes::Responsibility responsibility = disputes::Responsibility::kNone;
  disputes::Refund refund = disputes::Refund::kNone;
  friend bool operator==(const DisputeOutcome&, const DisputeOutcome&) = default;
};
DisputeOutcome OutcomeOf(const disputes::Dispute& dispute);

// Who wrote a message csgw sent: csgw itself (an automatically sent draft, a scheduled
// follow-up) or an agent (through the API).
enum class SendAuthor { kAutomatic, kAgent };

// What the caller knows beyond the event itself. Everything is optional.
struct EventContext {
  // The order's value in US dollars, exact decimal ("4.99"): the < US$5 exclusion.
  std::optional<std::string> order_value_usd;
  std::string buyer_id;  // when the event carries none
  // When the order was placed (the order record's creation time), if no creation event is seen.
  std::optional<TimePoint> order_placed_at;
  // The latest ship-by date promised (handling time): late shipment.
  std::optional<TimePoint> ship_by;
  std::optional<bool> tracking_valid;  // carrier recognised the tracking number
  // Who caused a cancellation (seller reason: out of stock, not shipped in time, ...).
  std::optional<disputes::Party> cancelled_by;
  // The dispute after this event was applied by the dispute machine.
  std::optional<DisputeOutcome> dispute;
  // Detailed seller ratings given with a feedback, 1..5.
  std::optional<int> dsr_described;
  std::optional<int> dsr_communication;
  std::optional<int> dsr_shipping;
  // A seller message the marketplace marks as written by a bot or auto-responder: never a reply
  // for SLA purposes.
  bool bot_reply = false;
  // The conversation a message or a send counts under, when the caller groups messages
  // otherwise than by the marketplace's thread (the gateway: its own conversation id, the one
  // csgw's sends carry). Empty: BuyerMessage.conversation_id, OutboundUpdate.conversation_id.
  std::string conversation_key;
  // Who wrote a message csgw sent (an OutboundUpdate "sent" event). Unset: the send is not a
  // message to the buyer (a webhook, a dispute proposal) and is not counted.
  std::optional<SendAuthor> csgw_send;
};

struct DisputeFacts {
  std::string id;
  std::optional<TimePoint> opened_at;
  std::vector<std::string> types;  // DisputeUpdate.dispute_type values seen, sorted
  std::optional<DisputeOutcome> outcome;
  friend bool operator==(const DisputeFacts&, const DisputeFacts&) = default;
};

struct FeedbackFacts {
  std::string id;
  TimePoint at;
  int rating = 0;  // 1..5
  std::optional<int> dsr_described;
  std::optional<int> dsr_communication;
  std::optional<int> dsr_shipping;
  friend bool operator==(const FeedbackFacts&, const FeedbackFacts&) = default;
};

struct OrderFacts {
  std::string store_id;
  std::string order_id;
  std::string marketplace;
  std::string buyer_id;  // the smallest non-empty id seen (they agree in practice)
  std::optional<TimePoint> placed_at, shipped_at, completed_at, cancelled_at, tracking_at;
  std::optional<TimePoint> ship_by;  // the latest promise
  std::optional<std::string> value_usd;
  TimePoint value_at;             // the value comes from the latest event giving one
  bool tracking_valid = false;    // some check said valid
  bool tracking_checked = false;  // some check said anything
  disputes::Party cancelled_by = disputes::Party::kNone;
  std::map<std::string, DisputeFacts> disputes;
  std::map<std::string, FeedbackFacts> feedback;
  friend bool operator==(const OrderFacts&, const OrderFacts&) = default;
};

// One buyer's orders that have feedback (copies of their facts): the "one buyer counts once
// per N days" rule needs all of them at once.
struct BuyerFacts {
  std::map<std::string, OrderFacts> orders;  // by order id
  friend bool operator==(const BuyerFacts&, const BuyerFacts&) = default;
};

// One seller message as reported by the marketplace, by csgw's send, or both. Every field is
// a minimum or a union, so the facts do not depend on which report came first.
struct SellerMessageFacts {
  TimePoint at;              // the earliest time any report gives
  bool reported = false;     // the marketplace reported it (a seller-side message event)
  bool flagged_bot = false;  // the marketplace marked it as a bot's (EventContext::bot_reply)
  bool csgw_auto = false;    // csgw sent it automatically
  bool csgw_agent = false;   // csgw sent it for an agent
  friend bool operator==(const SellerMessageFacts&, const SellerMessageFacts&) = default;
};

// The key of a seller message in ConversationFacts::seller_messages.
inline constexpr std::string_view kCsgwSendPrefix = "csgw:";  // + outbox id: a send without id
inline constexpr std::string_view kNoIdPrefix = "@";          // + ns: a report without id

// A seller message without a marketplace id that csgw sent is taken to be the same message as
// the marketplace's report nearest in time within this distance (marketplaces whose send API
// returns no id: AliExpress, Ozon, Wildberries).
inline constexpr std::chrono::minutes kEchoTolerance{2};
// Seller messages kept per conversation: beyond it, the latest are dropped.
inline constexpr size_t kMaxSellerMessages = 256;

struct ConversationFacts {
  std::string store_id;
  std::string conversation_id;  // the entity's key (ConversationKeyOf)
  std::string marketplace;
  std::optional<TimePoint> first_buyer_at;
  // Seller messages by the marketplace's message id; csgw's sends without one by
  // kCsgwSendPrefix + outbox id, the marketplace's reports without one by kNoIdPrefix + time.
  // Which of them are human replies is derived (HumanReplies), never stored.
  std::map<std::string, SellerMessageFacts> seller_messages;
  friend bool operator==(const ConversationFacts&, const ConversationFacts&) = default;
};

// The buyer entity an order's feedback belongs to: its buyer id, or "order:<id>" when unknown
// (such feedback cannot be de-duplicated across orders).
std::string BuyerKey(const OrderFacts& order);

// The conversation entity a buyer message or csgw's send counts under: context.conversation_key,
// else the event's own conversation id.
std::string ConversationKeyOf(const proto::Event& event, const EventContext& context);

// The times of the conversation's human replies, ascending: a message csgw sent for an agent
// always; one csgw sent automatically, or the marketplace flagged as a bot's, never; any other
// seller message the marketplace reported (the seller center, another tool). A report and a send
// of the same message id are one message; a send without id is paired with the nearest
// unclaimed report within kEchoTolerance (earlier sends first; ties: the earlier, then the
// smaller key) and is one message with it. A message's time is its earliest report.
std::vector<TimePoint> HumanReplies(const ConversationFacts& conversation);

// The order facts after `event` (order_update, dispute_update or feedback_posted).
OrderFacts FoldOrder(OrderFacts facts, const proto::Event& event, const EventContext& context);
ConversationFacts FoldConversation(ConversationFacts facts, const proto::Event& event,
                                   const EventContext& context);

// The buyer entities CountOrderEvent needs (at most two: the order's buyer before and after,
// when the event reveals its buyer id). Empty when the order has no feedback.
std::vector<std::string> BuyerKeysFor(const OrderFacts& before, const proto::Event& event,
                                      const EventContext& context);

// What one rule set's counters an entity contributes, by local day.
Result<std::map<Day, Counters>> OrderContribution(const RuleSet& rules, const OrderFacts& order);
Result<std::map<Day, Counters>> BuyerContribution(const RuleSet& rules, const BuyerFacts& buyer);
Result<std::map<Day, Counters>> ConversationContribution(const RuleSet& rules,
                                                         const ConversationFacts& conversation);

struct OrderCount {
  OrderFacts order;
  std::map<std::string, BuyerFacts> buyers;  // by BuyerKey; store all of them back
  std::vector<CounterDelta> deltas;          // non-zero only
};
// `buyers` holds the facts of each key of BuyerKeysFor (missing = empty). Rule sets whose
// marketplace does not match the event are skipped.
Result<OrderCount> CountOrderEvent(std::span<const RuleSet> rule_sets, const OrderFacts& before,
                                   const std::map<std::string, BuyerFacts>& buyers,
                                   const proto::Event& event, const EventContext& context);

struct ConversationCount {
  ConversationFacts conversation;
  std::vector<CounterDelta> deltas;
};
Result<ConversationCount> CountMessageEvent(std::span<const RuleSet> rule_sets,
                                            const ConversationFacts& before,
                                            const proto::Event& event, const EventContext& context);

// Takes over the facts of a conversation counted under another key (a record of the
// marketplace's thread, from before csgw's own conversation was the entity): `into` with
// `absorbed`'s first buyer message and seller messages merged in (conversation_id stays
// `into`'s), and the deltas that move `absorbed`'s contribution onto the merged facts.
Result<ConversationCount> AbsorbConversation(std::span<const RuleSet> rule_sets,
                                             const ConversationFacts& into,
                                             const ConversationFacts& absorbed);

// All facts and counters in memory: `csgw odr rebuild` (replay every stored event from zero)
// and the tests. Events other than orders, disputes, feedback and buyer messages are ignored.
class Recount {
 public:
  // Entities are kept apart per (store, marketplace, id): the same order or buyer id on two
  // marketplaces is two entities, as in the live pipeline's records.
  using EntityKey = std::tuple<std::string, std::string, std::string>;

  explicit Recount(std::vector<RuleSet> rule_sets) : rule_sets_(std::move(rule_sets)) {}
  // kMissingField for an order event without an order id or a message or send without a
  // conversation.
  Result<void> Add(const proto::Event& event, const EventContext& context);
  const InMemoryCounters& counters() const { return counters_; }
  // The facts after every event added (what the live pipeline would have stored): by
  // (store, marketplace, order id), (store, marketplace, BuyerKey) and (store, marketplace,
  // ConversationKeyOf). Buyers whose facts became empty are left out.
  const std::map<EntityKey, OrderFacts>& orders() const { return orders_; }
  const std::map<EntityKey, BuyerFacts>& buyers() const { return buyers_; }
  const std::map<EntityKey, ConversationFacts>& conversations() const { return conversations_; }

 private:
  std::vector<RuleSet> rule_sets_;
  std::map<EntityKey, OrderFacts> orders_;
  std::map<EntityKey, BuyerFacts> buyers_;
  std::map<EntityKey, ConversationFacts> conversations_;
  InMemoryCounters counters_;
};

}  // namespace csgw::odr
