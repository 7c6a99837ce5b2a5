#include "gateway/pipeline/pipeline.h"

#include <functional>

#include <map>
#include <set>

#include "base/log.h"
#include "disputes/machine.h"
#include "disputes/mapping.h"
#include "disputes/own_timer.h"
#include "gateway/marketplaces/aliexpress_poll.h"
#include "gateway/marketplaces/mercadolibre_poll.h"
#include "gateway/pipeline/conversations.h"
#include "gateway/pipeline/disputes_records.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/outbound/outbox.h"
#include "gateway/pipeline/reply_flow.h"
#include "gateway/schedule/send_window.h"

namespace csgw::gateway {
namespace {

// One batch: enough to amortise the write, small enough to stop promptly.
constexpr size_t kBatch = 256;
// Idle poll: a safety net for a missed Notify; new work normally wakes the thread at once.
constexpr auto kIdlePoll = std::chrono::milliseconds(200);
constexpr auto kFailureBackoff = std::chrono::seconds(1);
// A batch failing this often in a row is retried one event at a time, and an event that still
// fails is set aside (acknowledged without its effect, logged): one unreadable record must not
// stop every store's pipeline. The event itself stays in the log.
constexpr int kFailuresBeforeQuarantine = 5;

// The due time of the conversation's reply-SLA timer: while a reply is awaited.
std::optional<TimePoint> SlaDue(const proto::Conversation& c) {
  if (c.state() != proto::CONVERSATION_STATE_AWAITING_REPLY || !c.has_reply_due()) {
    return std::nullopt;
  }
  return FromTimestamp(c.reply_due());
}

// Records read and changed within one batch, written back together.
template <class Message>
class RecordCache {
 public:
  RecordCache(EventStore& store, Table table) : store_(store), table_(table) {}

  // The record under `key` (empty if new); nullptr on a storage error or corrupt record.
  Message* Load(const std::string& key) {
    auto it = records_.find(key);
    if (it != records_.end()) return &it->second;
    auto stored = store_.GetRecord(table_, key);
    if (!stored) return nullptr;
    Message message;
    if (stored.value() && !message.ParseFromString(*stored.value())) {
      log::Error("pipeline.corrupt_record", {{"key", key}});
      return nullptr;
    }
    Message& loaded = records_.emplace(key, std::move(message)).first->second;
    if (on_load_) on_load_(key, loaded);
    return &loaded;
  }
  // Called with each record as the store had it, before the batch changes it.
  void OnLoad(std::function<void(const std::string&, const Message&)> fn) {
    on_load_ = std::move(fn);
  }
  void MarkDirty(const std::string& key) { dirty_.insert(key); }
  template <class Fn>
  void ForEachDirty(Fn&& fn) {
    for (const auto& key : dirty_) fn(key, records_.at(key));
  }
  void AppendWrites(std::vector<TableWrite>& writes) const {
    for (const auto& key : dirty_) {
      writes.push_back({table_, key, records_.at(key).SerializeAsString()});
    }
  }

 private:
  EventStore& store_;
  const Table table_;
  std::map<std::string, Message> records_;
  std::set<std::string> dirty_;
  std::function<void(const std::string&, const Message&)> on_load_;
};

// Disputes read and changed within one batch. Their timers are planned once per batch, after
// all its events, so that each timer id appears at most once in the batch.
class DisputeCache {
 public:
  struct Entry {
    proto::StoredDispute stored;
    disputes::Dispute dispute;  // rule_set_id empty: not stored yet
    bool dirty = false;
    // Deadline timers (id → due) whose own fire event this batch applied: the timer runner
    // removes them as fired, maybe after this batch; cancelling one would refuse its write.
    std::map<std::string, TimePoint> fired;
  };

  DisputeCache(EventStore& store, const DisputeSettings& settings)
      : store_(store), settings_(settings) {}
  const DisputeSettings& settings() const { return settings_; }

  // The dispute under `key` with its state re-derived (empty if new); an error when the store
  // fails or the record is corrupt.
  Result<Entry*> Load(const std::string& key) {
    auto it = entries_.find(key);
    if (it != entries_.end()) return &it->second;
    auto record = store_.GetRecord(Table::kDisputes, key);
    if (!record) return record.error();
    Entry entry;
    if (record.value()) {
      if (!entry.stored.ParseFromString(*record.value())) {
        log::Error("pipeline.corrupt_record", {{"key", key}});
        return MakeError(Errc::kStorageFailure, "corrupt dispute record " + key);
      }
      auto dispute = FromStored(entry.stored);
      if (!dispute) {
        log::Error("pipeline.corrupt_record", {{"key", key}, {"error", dispute.error().message}});
        return dispute.error();
      }
      entry.dispute = std::move(dispute).value();
    }
    return &entries_.emplace(key, std::move(entry)).first->second;
  }

  // The records of the changed disputes, and the timers to schedule and cancel for them.
  void AppendChanges(TimePoint now, StateBatch& batch) {
    for (auto& [key, entry] : entries_) {
      if (!entry.dirty) continue;
      const disputes::RuleSet* rules = FindDisputeRuleSet(entry.dispute.rule_set_id);
      if (rules != nullptr) {  // always: Load and ApplyDisputeUpdate checked it
        std::set<std::string> firing;
        for (const auto& t : entry.stored.timers()) {
          auto it = entry.fired.find(t.id());
          if (it != entry.fired.end() && FromTimestamp(t.due()) == it->second) firing.insert(t.id());
        }
        TimerChanges changes =
            PlanDisputeTimers(DisputeTimers(key, entry.dispute, *rules, settings_, now),
                              entry.stored);
        for (auto& timer : changes.schedule) batch.schedule.push_back(std::move(timer));
        for (auto& id : changes.cancel) {
          if (firing.count(id) == 0) batch.cancel.push_back(std::move(id));
        }
      }
      ToStored(entry.dispute, entry.stored);
      batch.writes.push_back({Table::kDisputes, key, entry.stored.SerializeAsString()});
    }
  }

 private:
  EventStore& store_;
  const DisputeSettings& settings_;
  std::map<std::string, Entry> entries_;
};

// The dispute data a connector fetched, which the poller (AliExpress issue detail) and the
// fetch behind a thin notification (Mercado Libre claim) keep in the event's raw payload. None
// for other events (kNotFound); an unreadable one is logged and the update mapped without it.
void AddFetched(const proto::Event& event, uint64_t sequence, const std::string& key,
                disputes::MappingContext& context) {
  Result<void> read = Ok();
  if (event.marketplace() == "aliexpress") {
    auto issue = AliExpressIssueOf(event);
    if (issue) context.aliexpress = std::move(issue).value();
    if (!issue) read = issue.error();
  } else if (event.marketplace() == "mercadolibre") {
    auto claim = MercadoLibreClaimOf(event);
    if (claim) context.mercadolibre = std::move(claim).value();
    if (!claim) read = claim.error();
  }
  // No eBay return detail: nothing in the gateway fetches getReturnDetail yet.
  if (!read && read.error().code != Errc::kNotFound && !event.raw().body().empty()) {
    log::Warn("pipeline.dispute_fetched_unreadable", {{"sequence", sequence},
                                                      {"marketplace", event.marketplace()},
                                                      {"dispute", key},
                                                      {"error", read.error().message}});
  }
}

// Maps a dispute update to the library's events and applies them. An event the machine refuses
// stays in the dispute's history (the library keeps it until an earlier event makes it legal)
// and is logged; an update that cannot be mapped is logged and skipped. csgw's own timer events
// (disputes/own_timer.h) apply to a stored dispute only: a deadline's as the machine's timeout,
// an alert's onto the record. Ids only in the logs.
Result<void> ApplyDisputeUpdate(const proto::Event& event, uint64_t sequence,
                                RecordCache<proto::OrderContext>& orders, DisputeCache& cache) {
  const std::string key = DisputeRecordKey(event);
  if (key.empty()) {
    log::Warn("pipeline.dispute_without_id", {{"sequence", sequence},
                                              {"marketplace", event.marketplace()},
                                              {"store", event.store_id()}});
    return Ok();
  }
  if (event.has_pending_fetch()) return Ok();  // thin: its fetched event carries the dispute
  disputes::MappingContext context;
  AddFetched(event, sequence, key, context);
  if (const std::string order_key = OrderRecordKey(event); !order_key.empty()) {
    const proto::OrderContext* order = orders.Load(order_key);
    if (order == nullptr) {
      return MakeError(Errc::kStorageFailure, "cannot read order " + order_key);
    }
    if (order->has_total()) context.order_total = disputes::FromProto(order->total());
  }
  auto mapped = disputes::MapEvent(event, context);
  if (!mapped) {
    log::Warn("pipeline.dispute_unmapped", {{"sequence", sequence},
                                            {"marketplace", event.marketplace()},
                                            {"store", event.store_id()},
                                            {"dispute", key},
                                            {"error", mapped.error().message}});
    return Ok();
  }
  const bool own_timer = disputes::IsOwnTimer(event);
  if (mapped.value().empty() && !own_timer) return Ok();
  auto entry = cache.Load(key);
  if (!entry) return entry.error();
  disputes::Dispute& dispute = entry.value()->dispute;
  if (own_timer) {
    if (dispute.rule_set_id.empty()) {
      log::Warn("pipeline.dispute_timer_without_dispute",
                {{"sequence", sequence}, {"dispute", key}, {"event", event.event_id()}});
      return Ok();
    }
    const proto::DisputeTimerFired& fired = event.dispute_update().csgw_timer();
    if (disputes::IsOwnAlert(event)) {
      if (RecordDisputeAlert(event, entry.value()->stored)) entry.value()->dirty = true;
      return Ok();
    }
    entry.value()->fired[DisputeDeadlineTimerId(key, fired.deadline())] =
        FromTimestamp(fired.due_at());
  }
  if (dispute.rule_set_id.empty()) {
    dispute = disputes::NewDispute(event.dispute_update().dispute_id(), event.marketplace(),
                                   event.store_id(), event.order().order_id(),
                                   cache.settings().RuleSetFor(event.marketplace(),
                                                               event.store_id()));
  }
  NoteBuyer(event, entry.value()->stored);
  const disputes::RuleSet* rules = FindDisputeRuleSet(dispute.rule_set_id);
  if (rules == nullptr) {
    return MakeError(Errc::kInternal, "dispute " + key + ": no rule set " + dispute.rule_set_id);
  }
  const disputes::State from = dispute.state;
  // A replay changes nothing; a refused event is kept, an earlier copy of an implied one replaces.
  bool changed = false;
  for (const disputes::DisputeEvent& e : mapped.value()) {
    auto applied = disputes::Apply(dispute, e, *rules);
    changed = changed || !applied || applied.value().outcome != disputes::ApplyOutcome::kDuplicate;
    if (!applied) {
      log::Warn("pipeline.dispute_event_refused", {{"sequence", sequence},
                                                   {"marketplace", event.marketplace()},
                                                   {"store", event.store_id()},
                                                   {"dispute", key},
                                                   {"event", e.event_id},
                                                   {"kind", disputes::Name(e.kind)},
                                                   {"error", applied.error().message}});
    }
  }
  if (!changed) return Ok();  // a replay: nothing new
  entry.value()->dirty = true;
  log::Debug("pipeline.dispute", {{"sequence", sequence},
                                  {"marketplace", event.marketplace()},
                                  {"store", event.store_id()},
                                  {"dispute", key},
                                  {"from", disputes::Name(from)},
                                  {"to", disputes::Name(dispute.state)}});
  return Ok();
}

}  // namespace

Pipeline::Pipeline(EventStore& store, const templates::Drafter& drafter,
                   const proto::TemplatesConfig& config, const Clock& clock,
                   PipelineObserver* observer)
    : store_(store),
      drafter_(drafter),
      config_(config),
      clock_(clock),
      observer_(observer),
      default_policy_(PolicyFor(config, "")),
      odr_(std::make_shared<OdrCounting>(store, std::make_shared<const OdrRules>(), clock)) {
  for (const auto& p : config.stores()) {
    store_policies_.emplace(p.store_id(), PolicyFor(config, p.store_id()));
  }
}

Pipeline::~Pipeline() { Stop(); }

const templates::StorePolicy& Pipeline::PolicyOf(std::string_view store_id) const {
  auto it = store_policies_.find(store_id);
  return it == store_policies_.end() ? default_policy_ : it->second;
}

void Pipeline::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Pipeline::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Pipeline::Notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_one();
}

void Pipeline::Loop() {
  int failures_in_row = 0;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    auto processed = ProcessPending(failures_in_row >= kFailuresBeforeQuarantine ? 1 : kBatch);
    if (!processed) {
      ++failures_in_row;
      log::Error("pipeline.failed", {{"error", processed.error().message},
                                     {"attempt", static_cast<int64_t>(failures_in_row)}});
      if (observer_) observer_->OnFailure();
      if (failures_in_row > kFailuresBeforeQuarantine) {
        QuarantineFirst(processed.error());
        failures_in_row = 0;
      }
    } else if (processed.value() > 0) {
      failures_in_row = 0;
    }
    std::unique_lock lock(mutex_);
    if (!processed) {
      wake_.wait_for(lock, kFailureBackoff, [&] { return stopping_; });
    } else if (processed.value() < kBatch) {
      wake_.wait_for(lock, kIdlePoll, [&] { return stopping_ || notified_; });
    }
    notified_ = false;
  }
}

void Pipeline::QuarantineFirst(const Error& error) {
  auto work = store_.PendingWork(0, 1);
  if (!work || work.value().empty()) return;
  const WorkItem& item = work.value().front();
  const std::vector<uint64_t> done = {item.sequence};
  if (auto acked = store_.CompleteWork(done, {}); !acked) return;  // storage itself is failing
  log::Error("pipeline.quarantined", {{"sequence", static_cast<int64_t>(item.sequence)},
                                      {"marketplace", item.marketplace},
                                      {"store", item.store_id},
                                      {"error", error.message}});
}

Result<void> Pipeline::AutoSend(proto::Conversation& conversation, const proto::Draft& draft,
                                TimePoint now, StateBatch& batch) {
  proto::OutboxEntry entry = DraftReplyEntry(conversation, draft, "", "auto");
  // A reply goes out at once unless the policy holds replies for the buyer's daytime; the SLA
  // deadline still wins over quiet hours (send_window.h).
  TimePoint send_at = now;
  if (flow_.policy != nullptr && conversation.has_reply_due()) {
    auto at = schedule::ReplySendTime(now, FromTimestamp(conversation.reply_due()),
                                      conversation.buyer_time_zone(), flow_.policy->send);
    if (at) send_at = at.value();
  }
  auto added = flow_.outbox->Enqueue(entry, send_at, batch);
  if (!added) return added.error();
  for (auto& d : *conversation.mutable_drafts()) {
    if (d.source_sequence() != draft.source_sequence()) continue;
    d.set_state(proto::DRAFT_STATE_QUEUED);
    d.set_outbox_id(OutboxId(entry.idempotency_key()));
    d.set_requested_by("auto");
  }
  bool listed = false;
  for (const auto& id : conversation.outbox_ids()) listed |= id == OutboxId(entry.idempotency_key());
  if (!listed) conversation.add_outbox_ids(OutboxId(entry.idempotency_key()));
  return Ok();
}

Result<size_t> Pipeline::ProcessPending(size_t limit) {
  auto work = store_.PendingWork(0, limit);
  if (!work) return work.error();
  if (work.value().empty()) return size_t{0};
  StateBatch batch;  // auto-sends join it as the events are processed

  const TimePoint now = clock_.Now();
  RecordCache<proto::Conversation> conversations(store_, Table::kConversations);
  std::map<std::string, std::optional<TimePoint>> sla_due_at_load;
  conversations.OnLoad([&](const std::string& key, const proto::Conversation& c) {
    sla_due_at_load[key] = SlaDue(c);
  });
  RecordCache<proto::OrderContext> orders(store_, Table::kOrders);
  std::optional<ProactiveBatch> proactive;
  if (flow_.policy != nullptr && flow_.proactive.any()) {
    proactive.emplace(flow_.policy->send, flow_.proactive,
                      [&](const std::string& k) -> const proto::Conversation* {
                        return conversations.Load(k);
                      },
                      [&](const std::string& k) -> const proto::OrderContext* {
                        return orders.Load(k);
                      });
  }
  DisputeCache dispute_records(store_, *disputes_);
  OdrCounting::Batch odr = odr_->Begin();  // held until the batch is written
  std::vector<uint64_t> done;
  std::vector<std::pair<proto::Draft, std::string>> drafted;  // with the marketplace
  for (const WorkItem& item : work.value()) {
    auto stored = store_.Get(item.sequence);
    if (!stored) return stored.error();
    done.push_back(item.sequence);
    if (!stored.value()) continue;  // nothing to apply; the item only needs acknowledging
    const proto::Event& event = *stored.value();
    if (proactive) {
      if (auto noted = proactive->Observe(event); !noted) return noted.error();
    }
    odr.Add(event);

    if (event.has_order_update()) {
      const std::string key = OrderRecordKey(event);
      if (key.empty()) continue;
      proto::OrderContext* order = orders.Load(key);
      if (order == nullptr) return Error{Errc::kStorageFailure, "cannot read order " + key};
      ApplyOrderUpdate(event, *order);
      orders.MarkDirty(key);
      continue;
    }
    if (event.has_dispute_update()) {
      if (auto applied = ApplyDisputeUpdate(event, item.sequence, orders, dispute_records);
          !applied) {
        return applied.error();
      }
      continue;
    }
    if (event.has_outbound_update()) {
      const std::string& key = event.outbound_update().conversation_id();
      if (key.empty()) continue;  // a webhook: no conversation
      proto::Conversation* conversation = conversations.Load(key);
      if (conversation == nullptr) {
        return Error{Errc::kStorageFailure, "cannot read conversation " + key};
      }
      if (ApplyOutboundUpdate(event, item.sequence, config_.max_conversation_messages(),
                              *conversation)) {
        conversations.MarkDirty(key);
      }
      continue;
    }
    if (!event.has_buyer_message()) continue;
    const proto::BuyerMessage& message = event.buyer_message();
    if (message.kind() == proto::BuyerMessage::KIND_CONVERSATION_CLOSED) {
      const std::string key = ConversationId(event);
      proto::Conversation* conversation = key.empty() ? nullptr : conversations.Load(key);
      if (conversation != nullptr && !conversation->id().empty()) {
        MarkClosed(FromTimestamp(event.occurred_at()), *conversation);
        conversations.MarkDirty(key);
      }
      continue;
    }
    if (message.kind() != proto::BuyerMessage::KIND_NEW || message.message_id().empty()) {
      // Not a message, but it may bring a known chat's reply credential.
      const std::string key = ConversationId(event);
      if (key.empty()) continue;
      proto::Conversation probe;
      if (!NoteReplyToken(event, probe)) continue;
      proto::Conversation* conversation = conversations.Load(key);
      if (conversation == nullptr) {
        return Error{Errc::kStorageFailure, "cannot read conversation " + key};
      }
      if (!conversation->id().empty() && NoteReplyToken(event, *conversation)) {
        conversations.MarkDirty(key);
      }
      continue;
    }
    const std::string key = ConversationId(event);
    if (key.empty()) continue;
    proto::Conversation* conversation = conversations.Load(key);
    if (conversation == nullptr) {
      return Error{Errc::kStorageFailure, "cannot read conversation " + key};
    }
    const proto::OrderContext* order = nullptr;
    if (const std::string order_key = OrderRecordKey(event); !order_key.empty()) {
      order = orders.Load(order_key);
      if (order == nullptr) return Error{Errc::kStorageFailure, "cannot read order " + order_key};
    }
    // The same message again (a push and a poll, a redelivery under a new event id): its draft
    // exists and may already be approved or sent; drafting again would reset it.
    // A credential it carries is kept all the same (a record from before they were kept).
    if (HasDraftFor(*conversation, message.message_id())) {
      if (NoteReplyToken(event, *conversation)) conversations.MarkDirty(key);
      continue;
    }
    const bool from_buyer = message.sender() == proto::SENDER_ROLE_BUYER && !message.text().empty();
    if (!from_buyer) {
      RecordMessage(event, item.sequence, "", config_.max_conversation_messages(), *conversation);
      NoteReplyToken(event, *conversation);
      if (message.sender() == proto::SENDER_ROLE_SELLER) {
        MarkSellerWrote(FromTimestamp(event.occurred_at()), *conversation);
      }
      conversations.MarkDirty(key);
      continue;
    }
    const templates::Draft draft = drafter_.Make(MakeDraftRequest(event, *conversation, order, now),
                                                 PolicyOf(event.store_id()));
    RecordMessage(event, item.sequence, draft.language.language,
                  config_.max_conversation_messages(), *conversation);
    NoteReplyToken(event, *conversation);
    proto::Draft stored_draft = StoreDraft(draft, event, item.sequence, now,
                                           config_.max_conversation_drafts(), *conversation);
    conversations.MarkDirty(key);
    if (!draft.time_zone.empty()) conversation->set_buyer_time_zone(draft.time_zone);
    if (flow_.policy != nullptr) {
      const TimePoint at = FromTimestamp(event.occurred_at());
      auto due = ReplyDueFor(*flow_.policy, *conversation, at);
      if (due) {
        MarkBuyerWrote(at, due.value(), *conversation);
      } else {
        log::Warn("pipeline.reply_due", {{"conversation", key}, {"error", due.error().message}});
      }
    }
    if (stored_draft.state() == proto::DRAFT_STATE_AUTO_SEND && flow_.outbox != nullptr) {
      if (auto queued = AutoSend(*conversation, stored_draft, now, batch); !queued) {
        return queued.error();
      }
    }
    // Ids only: never the buyer's text or the reply.
    log::Debug("pipeline.drafted", {{"sequence", static_cast<int64_t>(item.sequence)},
                                    {"marketplace", event.marketplace()},
                                    {"store", event.store_id()},
                                    {"conversation", key},
                                    {"language", draft.language.language},
                                    {"intent", draft.intent.intent},
                                    {"template", draft.template_key},
                                    {"state", DraftStateName(stored_draft.state())}});
    drafted.emplace_back(std::move(stored_draft), event.marketplace());
  }
  const size_t processed = done.size();
  batch.done = std::move(done);
  if (flow_.policy != nullptr) {
    // One reply-SLA timer and one queue place per conversation, as its final state in this
    // batch says: moved while a reply is due, gone once answered or closed. A due time the
    // conversation already had keeps its timer as it is: pending, or fired and counted overdue
    // (scheduling it again would count the same late reply twice).
    conversations.ForEachDirty([&](const std::string& key, const proto::Conversation& c) {
      if (const auto due = SlaDue(c)) {
        if (sla_due_at_load[key] != due) batch.schedule.push_back(ReplySlaTimer(c, now));
        batch.schedule.push_back(ReplyQueueTimer(c, now));
      } else {
        batch.cancel.push_back(ReplySlaTimerId(key));
        batch.cancel.push_back(ReplyQueueTimerId(key));
      }
    });
  }
  if (proactive) {
    if (auto planned = proactive->Finish(now, batch); !planned) return planned.error();
  }
  conversations.AppendWrites(batch.writes);
  orders.AppendWrites(batch.writes);
  dispute_records.AppendChanges(now, batch);
  auto counted = odr.Finish([&](const std::string& key) -> Result<std::optional<disputes::Dispute>> {
    auto entry = dispute_records.Load(key);
    if (!entry) return entry.error();
    if (entry.value()->dispute.rule_set_id.empty()) return std::optional<disputes::Dispute>();
    return std::optional<disputes::Dispute>(entry.value()->dispute);
  }, batch);
  if (!counted) return counted.error();
  const bool sends = !batch.schedule.empty() && flow_.outbox != nullptr;
  if (auto written = store_.Commit(batch); !written) return written.error();
  if (sends && flow_.on_sends) flow_.on_sends();
  if (observer_) {
    for (const auto& [d, marketplace] : drafted) observer_->OnDraft(d, marketplace);
    observer_->OnProcessed(processed);
  }
  return processed;
}

}  // namespace csgw::gateway
