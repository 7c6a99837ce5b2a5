// How stored events become conversation and order records, and drafting requests: the pure
// part of the pipeline (no store, no threads), so that it can be tested on events alone.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "proto/proto.h"
#include "templates/draft.h"

namespace csgw::gateway {

// "<marketplace>/<store>/<buyer id, or chat:<conversation id>>[/<order id>]": one thread per
// (marketplace, store, buyer[, order]). Empty when the event names neither buyer nor chat.
std::string ConversationId(const proto::Event& event);

// "<marketplace>/<store>/<order id>", or empty without an order id.
std::string OrderRecordKey(const proto::Event& event);

// Applies an order update to what is known of the order. An update older (by event time) than
// the last one applied changes nothing, so redelivered and out-of-order updates are harmless.
void ApplyOrderUpdate(const proto::Event& event, proto::OrderContext& order);

// Adds a message to the conversation once (by message id), keeping the newest `max_messages`.
// A message naming its thread (BuyerMessage.conversation_id) moves the conversation's
// marketplace_conversation_id and channel to it. Returns false when the message was already
// there.
bool RecordMessage(const proto::Event& event, uint64_t sequence, std::string_view language,
                   size_t max_messages, proto::Conversation& conversation);

// Keeps the reply credential the event carries (the Wildberries replySign of a new chat's first
// event) on the conversation; an event without one changes nothing. Returns whether it changed.
bool NoteReplyToken(const proto::Event& event, proto::Conversation& conversation);

// Whether the conversation holds a draft answering this message.
bool HasDraftFor(const proto::Conversation& conversation, std::string_view message_id);

// The languages of the buyer's earlier messages, oldest first (priors for detection).
std::vector<std::string> HistoryLanguages(const proto::Conversation& conversation);

templates::DraftRequest MakeDraftRequest(const proto::Event& event,
                                         const proto::Conversation& conversation,
                                         const proto::OrderContext* order, TimePoint now);

// What the order record tells the templates (state, item, tracking, dates); the order id is
// kept when `out` has one. Shared by drafting and proactive messages, so both fill the same
// variables from the same record.
void FillTemplateOrder(const proto::OrderContext& order, templates::OrderContext& out);

// Stores the draft for the event's message, replacing an earlier draft for the same message
// (reprocessing never adds a second one), keeping the newest `max_drafts`. Returns the stored
// draft.
proto::Draft StoreDraft(const templates::Draft& draft, const proto::Event& event, uint64_t sequence,
                        TimePoint now, size_t max_drafts, proto::Conversation& conversation);

// "auto_send", "pending_approval", "needs_agent": for logs and metric labels.
const char* DraftStateName(proto::DraftState state);

// The store's policy from the config: its own entry, else the default policy.
templates::StorePolicy PolicyFor(const proto::TemplatesConfig& config, std::string_view store_id);

}  // namespace csgw::gateway
