// Seller-service-level (ODR) counting in the gateway: which rule sets count for which store
// (config `odr`), what the odr library needs to know beyond an event (derived from the event
// alone, so that `csgw odr rebuild` derives exactly what the pipeline did), and the counting of
// each pipeline batch: the fact records of the orders, buyers and conversations its events touch
// are read once, folded in memory, and written back with the counter deltas in the batch's
// StateBatch, so that a crash never counts an event twice or loses it (odr/README.md).
//
// Fact records: table kOdrFacts, key "<store>\0<kind>\0<marketplace>\0<id>" (OdrFactKey), kind
// 'o' order (odr::OrderFacts), 'b' buyer (odr::BuyerFacts, by odr::BuyerKey), 'v' conversation
// (odr::ConversationFacts, by csgw's conversation id: ConversationId of a buyer message, the
// conversation_id of csgw's send), encoded by odr/facts_codec.h. Kind 'c' (by the marketplace's
// thread id, before csgw's sends were counted) is only read: the thread's next message moves it
// into its 'v' record.
//
// Counting and alert evaluation of one store are serialised by one lock (OdrCounting::Begin
// holds it until the pipeline's batch is written), so that the pipeline, the periodic alert
// evaluation and dispute timers never interleave their read-modify-writes of the same records.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "disputes/dispute.h"
#include "gateway/store/event_store.h"
#include "odr/counting.h"
#include "odr/rules.h"
#include "proto/proto.h"

namespace csgw::gateway {

// The rule sets the gateway counts with and which of them apply to which store. Immutable;
// thread-safe.
class OdrRules {
 public:
  struct Webhook {
    std::string url;
    std::string secret;  // resolved from the config's SecretRef; never logged
  };

  // The built-in rule sets (odr::DefaultRuleSets) for every store; no webhooks, no FX rates.
  OdrRules();
  // The built-in rule sets, replaced or extended by the *.json files of config.rules_dir, the
  // stores' rule-set lists (each id must exist), their webhooks (secrets resolved now) and the
  // dollar rates. Startup errors name the file or the config field.
  static Result<std::shared_ptr<const OdrRules>> FromConfig(const proto::OdrConfig& config);

  const std::vector<odr::RuleSet>& all() const { return all_; }
  // The rule sets `store_id` is counted and reported under: its configured list, else all.
  std::span<const odr::RuleSet> For(std::string_view store_id) const;
  // The rule set `id` among For(store_id), or nullptr.
  const odr::RuleSet* Find(std::string_view store_id, std::string_view id) const;
  // The store's alert webhook, or nullptr when it has none.
  const Webhook* WebhookFor(std::string_view store_id) const;
  // `money` in US dollars as an exact decimal (rounded down to millionths when the product is
  // not exact): USD as is, other currencies through config usd_rates; nullopt for an unknown
  // currency or an amount that is not a non-negative decimal.
  std::optional<std::string> UsdValue(const proto::Money& money) const;

 private:
  std::vector<odr::RuleSet> all_;
  std::map<std::string, std::vector<odr::RuleSet>, std::less<>> per_store_;
  std::map<std::string, Webhook, std::less<>> webhooks_;
  std::map<std::string, odr::Ratio, std::less<>> usd_rates_;
};

// Whether ODR counts `event`: order, dispute and feedback events with an order id, buyer
// messages with a conversation id, and csgw's sends SendAuthorOf knows. Others are skipped by
// the pipeline and by the rebuild alike.
bool CountsForOdr(const proto::Event& event);

// Who wrote a message csgw sent into a conversation (an OutboundUpdate "sent"): requested_by
// "auto" (a draft sent on its own) and "scheduler" (proactive messages) → automatic;
// "agent:<user>" with kind "reply" (an agent's reply or approved draft) → agent. nullopt for
// other steps, no conversation, or other senders (alert webhooks, dispute proposals).
std::optional<odr::SendAuthor> SendAuthorOf(const proto::OutboundUpdate& update);

// Who cancelled, from a cancellation's reason as adapters and relays pass it (OrderUpdate.reason,
// case-insensitive): "seller…", "out_of_stock", "no_stock", "not_shipped…", "ship_timeout",
// "undeliverable_address" → seller; "buyer…", "customer…" → buyer; "platform…", "system…",
// "risk…", "fraud…", "payment…" → platform; anything else nullopt (not a seller fault).
std::optional<disputes::Party> CancelledByOf(std::string_view reason);

// What the odr library needs beyond the event, from the event alone: the order total in dollars,
// the ship-by promise, who cancelled; for buyer messages and csgw's sends the conversation they
// count under (csgw's conversation id) and who wrote a send (SendAuthorOf). The dispute outcome
// is added by the caller (it comes from the dispute machine). Tracking checks, DSR ratings and
// marketplaces' own bot flags are not carried by events yet and stay unknown.
odr::EventContext OdrContextOf(const proto::Event& event, const OdrRules& rules);

// "<store>\0<kind>\0<marketplace>\0<id>".
std::string OdrFactKey(char kind, std::string_view store_id, std::string_view marketplace,
                       std::string_view id);

// The current state of the dispute stored under `record_key` (DisputeRecordKey), nullopt when
// there is none.
using DisputeLookup =
    std::function<Result<std::optional<disputes::Dispute>>(const std::string& record_key)>;

class OdrAlertSink;

// Counting (and alert evaluation) against one store. Thread-safe: Begin, EvaluateAll and
// CountDisputeChange serialise on one lock.
class OdrCounting {
 public:
  // `store` and `clock` must outlive it.
  OdrCounting(EventStore& store, std::shared_ptr<const OdrRules> rules, const Clock& clock);
  ~OdrCounting();

  // Where new alerts go to be sent (the outbound layer's outbox). Default: none (alerts are only
  // stored and listed). Call before the pipeline starts; `sink` must outlive this.
  void SetAlertSink(OdrAlertSink* sink) { sink_ = sink; }
  // A store and rule set whose counters changed is re-evaluated for alerts after counting at most
  // once per this interval (EvaluateAll catches the rest). Default: 60 s; zero: every batch.
  void SetAlertInterval(std::chrono::seconds interval) { alert_interval_ = interval; }

  const OdrRules& rules() const { return *rules_; }

  // One pipeline batch. Holds the counting lock from Begin until it is destroyed: destroy it
  // after the batch's StateBatch is written (or abandoned).
  class Batch {
   public:
    Batch(Batch&&) noexcept;
    ~Batch();
    // Counts one event of the batch (those CountsForOdr refuses are ignored). Dispute updates
    // are counted in Finish, with the dispute's state after the whole batch. A storage error or
    // an unreadable record is kept and returned by Finish.
    void Add(const proto::Event& event);
    // Counts the deferred dispute updates, then adds every changed fact record to
    // `batch.writes`, the counter deltas to `batch.merges` and, for the stores and rule sets
    // due, new alerts and their evaluation state (and their sends, through the sink).
    Result<void> Finish(const DisputeLookup& disputes, StateBatch& batch);

   private:
    friend class OdrCounting;
    struct State;
    explicit Batch(OdrCounting& owner);
    std::unique_ptr<State> state_;
  };
  Batch Begin();

  // Evaluates the alerts of every store with counters, under every rule set it is reported
  // under, at `now`, and writes what they raise (its own synced batch). Returns how many new
  // alerts it stored. For a periodic timer: figures change with no event as days leave windows.
  Result<size_t> EvaluateAll(TimePoint now);

  // A dispute changed outside the pipeline (a deadline expired and the machine applied the
  // timeout): folds its new outcome into the order's facts and writes the facts and deltas
  // (its own batch). For the dispute timer handler; idempotent.
  Result<void> CountDisputeChange(const disputes::Dispute& dispute);

 private:
  EventStore& store_;
  const std::shared_ptr<const OdrRules> rules_;
  const Clock& clock_;
  OdrAlertSink* sink_ = nullptr;
  std::chrono::seconds alert_interval_{60};
  std::mutex mutex_;
  // When each (store, rule set key) was last evaluated after counting; guarded by mutex_.
  std::map<std::pair<std::string, std::string>, TimePoint> evaluated_;
};

struct OdrRebuildSummary {
  size_t stores = 0;
  size_t events = 0;   // read from the log
  size_t counted = 0;  // of which ODR counted (CountsForOdr)
  size_t failed = 0;   // refused by the counting (logged by sequence), as the pipeline would
  size_t counter_days = 0;
  size_t fact_records = 0;
};

// `csgw odr rebuild`: recounts each store (all, or only `only_store`) from its stored events with
// odr::Recount — the rule sets it counts under, contexts from OdrContextOf, dispute outcomes from
// the stored dispute records — and replaces its counters and fact records with the result
// (EventStore::ReplaceOdr). The figures equal those of live counting over the same events (the
// counters are a function of the set of events, odr/README.md). Nothing else may count into
// the store meanwhile: open it exclusively (a running gateway holds its lock).
Result<OdrRebuildSummary> RebuildOdr(EventStore& store, const OdrRules& rules,
                                     std::string_view only_store = "");

}  // namespace csgw::gateway
