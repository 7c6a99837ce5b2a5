// The pipeline: one thread that takes stored events from the store's work queue in sequence
// order (so each store's events apply in order) and turns them into derived state — order
// context from order updates, conversations and reply drafts from buyer messages, disputes
// (disputes/ library) and the timers of their deadlines and alerts from dispute updates. An
// event's effect, its timers and its acknowledgement are written in one StateBatch, and
// processing is idempotent, so a restart resumes where it stopped and a crash never applies an
// event twice.
//
// Disputes: table kDisputes, key "<marketplace>/<store>/<dispute id>", a StoredDispute (the
// event history; the state is re-derived). A new dispute gets the rule set Config.disputes
// chooses for its store and marketplace (SetDisputes; default "aliexpress-2024" for aliexpress,
// an empty "<marketplace>-none" for the others: state, no deadlines). After each batch every
// changed dispute's open deadlines become "dispute_deadline" timers and their alerts (T-48h,
// T-24h, T-4h, or the store's offsets) "dispute_alert" timers (disputes_records.h); timers no
// longer wanted are cancelled.
// Firing them is the timer runner's job.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/pipeline/dispute_settings.h"
#include "gateway/pipeline/odr_counting.h"
#include "gateway/pipeline/proactive.h"
#include "gateway/schedule/policy.h"
#include "gateway/store/event_store.h"
#include "proto/proto.h"
#include "templates/draft.h"

namespace csgw::gateway {

class Outbox;

// Counts for /metrics; called on the pipeline thread.
class PipelineObserver {
 public:
  virtual ~PipelineObserver() = default;
  virtual void OnDraft(const proto::Draft& draft, std::string_view marketplace) = 0;
  virtual void OnProcessed(size_t events) = 0;
  virtual void OnFailure() = 0;
};

class Pipeline {
 public:
  // All references must outlive the pipeline. `config` is copied.
  Pipeline(EventStore& store, const templates::Drafter& drafter,
           const proto::TemplatesConfig& config, const Clock& clock,
           PipelineObserver* observer = nullptr);
  ~Pipeline();

  // Starts the thread. It sleeps when the queue is empty until Notify or a short poll interval.
  void Start();
  // Finishes the batch in hand, then stops the thread. Idempotent.
  void Stop();
  // New work was stored: wake the thread now rather than at the next poll.
  void Notify();

  // Processes up to `limit` pending items on the calling thread (tests; the thread's loop body).
  // Returns how many were acknowledged.
  Result<size_t> ProcessPending(size_t limit);

  // ODR counting of every batch (odr_counting.h). Default: the built-in rule sets for every
  // store, no alert webhooks. Set before Start.
  void SetOdr(std::shared_ptr<OdrCounting> odr) { odr_ = std::move(odr); }

  // The rule set new disputes follow and their alert offsets (Config.disputes). Default: the
  // built-in choice (dispute_settings.h). Set before Start.
  void SetDisputes(std::shared_ptr<const DisputeSettings> settings) {
    disputes_ = std::move(settings);
  }

  // Reply clocks and sending (reply_flow.h): with a policy, each buyer message sets the
  // conversation's reply-due time and its "reply_sla" timer; with an outbox, drafts the store's
  // policy lets go out are enqueued in the same batch. Without (tests of drafting alone), neither.
  struct ReplyFlow {
    const schedule::SchedulePolicy* policy = nullptr;
    Outbox* outbox = nullptr;
    // Called after a batch that enqueued sends: wakes the timer runner.
    std::function<void()> on_sends;
    // Proactive messages (proactive.h; Config.schedule.proactive): with a policy, each batch
    // schedules and cancels their timers. Default: none.
    ProactiveKinds proactive;
  };
  // Before Start.
  void SetReplyFlow(ReplyFlow flow) { flow_ = std::move(flow); }

  // Acknowledges the first pending item without applying it, logging why: what the thread does
  // with an item that keeps failing (an unreadable record), so one event cannot stall every
  // store. The event stays in the log.
  void QuarantineFirst(const Error& error);

 private:
  void Loop();
  // Enqueues an auto-send draft in `batch` and marks it queued on the conversation.
  Result<void> AutoSend(proto::Conversation& conversation, const proto::Draft& draft,
                        TimePoint now, StateBatch& batch);
  const templates::StorePolicy& PolicyOf(std::string_view store_id) const;

  EventStore& store_;
  const templates::Drafter& drafter_;
  const proto::TemplatesConfig config_;
  const Clock& clock_;
  PipelineObserver* observer_;
  // The stores' policies, converted from config_ once rather than for every message.
  std::map<std::string, templates::StorePolicy, std::less<>> store_policies_;
  templates::StorePolicy default_policy_;
  std::shared_ptr<OdrCounting> odr_;
  std::shared_ptr<const DisputeSettings> disputes_ = std::make_shared<const DisputeSettings>();
  ReplyFlow flow_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool notified_ = false;
  std::thread thread_;
};

}  // namespace csgw::gateway
