#include "gateway/api/conversations_api.h"

#include <algorithm>
#include <charconv>

#include "base/json.h"
#include "base/log.h"
#include "base/timestamp.h"
#include "gateway/api/proto_json.h"
#include "gateway/api/responses.h"
#include "gateway/marketplaces/api_util.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/pipeline/conversations.h"
#include "gateway/pipeline/reply_flow.h"
#include "i18n/locale.h"
#include "templates/quality.h"
#include "templates/render.h"

namespace csgw::gateway {
namespace {

using Deps = ConversationsApiDeps;

std::string Iso(const google::protobuf::Timestamp& t) { return FormatIsoMillis(FromTimestamp(t)); }

// An outbox entry as agents see it: without the credentials and signed requests it carries for
// sending (a reply token, a webhook's signature headers and body).
std::string EntryJson(proto::OutboxEntry entry) { return ProtoJson(Redacted(std::move(entry))); }

// The stored record as agents see it: without the reply credential it carries for sending.
std::string ConversationJson(proto::Conversation c) {
  c.clear_reply_token();
  return ProtoJson(c);
}

// The conversation under `id`, or nullopt when there is none or the caller may not see it (the
// same answer, so that other sellers' ids cannot be probed).
Result<std::optional<proto::Conversation>> VisibleConversation(const Deps& deps,
                                                               const Principal& who,
                                                               std::string_view id) {
  auto bytes = deps.store->GetRecord(Table::kConversations, id);
  if (!bytes) return bytes.error();
  if (!bytes.value()) return std::optional<proto::Conversation>();
  proto::Conversation c;
  if (!c.ParseFromString(*bytes.value())) {
    return MakeError(Errc::kStorageFailure, "conversation record " + std::string(id) + " is unreadable");
  }
  if (!who.MaySee(c.store_id())) return std::optional<proto::Conversation>();
  return std::optional<proto::Conversation>(std::move(c));
}

std::string_view StateName(proto::ConversationState s) {
  switch (s) {
    case proto::CONVERSATION_STATE_AWAITING_REPLY:
      return "awaiting_reply";
    case proto::CONVERSATION_STATE_AWAITING_BUYER:
      return "awaiting_buyer";
    case proto::CONVERSATION_STATE_CLOSED:
      return "closed";
    default:
      return "new";
  }
}

// The record under `key` for a list: nullopt when gone or unreadable (logged, skipped: one
// damaged record must not hide the queue).
Result<std::optional<proto::Conversation>> LoadForList(const Deps& deps, const std::string& key) {
  auto bytes = deps.store->GetRecord(Table::kConversations, key);
  if (!bytes) return bytes.error();
  if (!bytes.value()) return std::optional<proto::Conversation>();
  proto::Conversation c;
  if (!c.ParseFromString(*bytes.value())) {
    log::Warn("api.conversation_unreadable", {{"conversation", key}});
    return std::optional<proto::Conversation>();
  }
  return std::optional<proto::Conversation>(std::move(c));
}

// The scan order of the bounded scan: replies due soonest first, then everything else by latest
// activity.
std::string SortKey(const proto::Conversation& c) {
  char due[24];
  const bool waiting = c.state() == proto::CONVERSATION_STATE_AWAITING_REPLY && c.has_reply_due();
  const int64_t seconds = waiting ? c.reply_due().seconds() : 9'999'999'999 - c.updated_at().seconds();
  std::snprintf(due, sizeof due, "%d%011lld", waiting ? 0 : 1, static_cast<long long>(seconds));
  return std::string(due) + "/" + c.id();
}

// Cursors of the queue of replies: "t:<reply due, Unix ms>:<queue timer id>", a place in the
// "reply_queue" timers (reply_flow.h). The bounded scan's cursors are its SortKey.
constexpr std::string_view kQueueCursor = "t:";

std::string QueueCursor(const TimerPosition& p) {
  return std::string(kQueueCursor) + std::to_string(ToUnixMillis(p.due - kReplyQueueOffset)) +
         ":" + p.id;
}

Error BadCursor() {
  return MakeError(Errc::kInvalidField, "field 'after' is not a cursor this list returned");
}

Result<TimerPosition> DecodeQueueCursor(std::string_view text) {
  if (!text.starts_with(kQueueCursor)) return BadCursor();
  text.remove_prefix(kQueueCursor.size());
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon + 1 == text.size()) return BadCursor();
  int64_t ms = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + colon, ms);
  if (ec != std::errc() || p != text.data() + colon) return BadCursor();
  TimerPosition position{FromUnixMillis(ms) + kReplyQueueOffset, std::string(text.substr(colon + 1))};
  // Below the queue's range only timers that are not the queue's would be read.
  if (position.due < ReplyQueueStart().due) return ReplyQueueStart();
  return position;
}

std::string Summary(const proto::Conversation& c, TimePoint now, std::string_view cursor) {
  std::string out = "{\"id\":" + JsonString(c.id()) + ",\"marketplace\":" + JsonString(c.marketplace()) +
                    ",\"store_id\":" + JsonString(c.store_id()) + ",\"order_id\":" +
                    JsonString(c.order_id()) + ",\"state\":\"" + std::string(StateName(c.state())) +
                    "\",\"reply_overdue\":" + (ReplyOverdue(c, now) ? "true" : "false");
  if (c.has_reply_due()) out += ",\"reply_due\":" + JsonString(Iso(c.reply_due()));
  if (c.has_last_buyer_message_at()) {
    out += ",\"last_buyer_message_at\":" + JsonString(Iso(c.last_buyer_message_at()));
  }
  size_t pending = 0;
  for (const auto& d : c.drafts()) {
    pending += d.state() == proto::DRAFT_STATE_PENDING_APPROVAL ||
               d.state() == proto::DRAFT_STATE_NEEDS_AGENT || d.state() == proto::DRAFT_STATE_FAILED;
  }
  out += ",\"drafts_waiting\":" + std::to_string(pending) + ",\"cursor\":" + JsonString(cursor) + "}";
  return out;
}

struct ListQuery {
  std::string store;  // empty: every store the caller may see
  std::optional<proto::ConversationState> state;
  bool overdue_only = false;
  std::string after;
  size_t limit = 50;
};

struct ListItem {
  std::string cursor;
  proto::Conversation conversation;
};

struct ListPage {
  std::vector<ListItem> items;
  std::string next;  // empty: nothing more
  bool truncated = false;
};

// Conversation ids are "<marketplace>/<store>/<party>[/<order>]" and a store id may itself hold
// '/': the id rules a conversation out when no store it could be of is wanted and visible, and
// saves reading its record; the record's store id decides the rest.
bool IdMayBeWanted(std::string_view id, const Principal& who, std::string_view store) {
  const size_t slash = id.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view rest = id.substr(slash + 1);
  for (size_t end = rest.find('/'); end != std::string_view::npos; end = rest.find('/', end + 1)) {
    const std::string_view candidate = rest.substr(0, end);
    if ((store.empty() || candidate == store) && who.MaySee(candidate)) return true;
  }
  return false;
}

bool Wanted(const proto::Conversation& c, const Principal& who, const ListQuery& q) {
  return who.MaySee(c.store_id()) && (q.store.empty() || c.store_id() == q.store);
}

// The queue of replies, due soonest first, from the "reply_queue" timers: a page costs the
// timers and records it reads (at most deps.max_scan), never a scan of every conversation. A
// page cut short by that budget (a store with few conversations among many) still says `next`.
Result<ListPage> ListReplyQueue(const Deps& deps, const Principal& who, const ListQuery& q,
                                TimePoint now) {
  TimerPosition position = ReplyQueueStart();
  if (!q.after.empty()) {
    auto decoded = DecodeQueueCursor(q.after);
    if (!decoded) return decoded.error();
    position = std::move(decoded).value();
  }
  TimerScan scan;
  scan.kind = kReplyQueueTimerKind;
  // Overdue: due at or before now.
  if (q.overdue_only) scan.due_before = now + kReplyQueueOffset + std::chrono::milliseconds(1);
  size_t budget = std::max<size_t>(deps.max_scan, 1);
  ListPage page;
  bool exhausted = false;
  while (page.items.size() < q.limit && budget > 0) {
    scan.after = position;
    scan.limit = q.limit - page.items.size();
    scan.max_examined = budget;
    auto timers = deps.store->ScanTimers(scan);
    if (!timers) return timers.error();
    budget -= std::min(budget, timers.value().examined);
    for (const proto::Timer& timer : timers.value().timers) {
      position = TimerPosition{FromTimestamp(timer.due()), timer.id()};
      if (!IdMayBeWanted(timer.subject(), who, q.store)) continue;
      if (budget > 0) --budget;
      auto c = LoadForList(deps, timer.subject());
      if (!c) return c.error();
      if (!c.value() || !Wanted(*c.value(), who, q)) continue;
      // Written in the same batch as its timer: anything else is a record being replaced.
      if (c.value()->state() != proto::CONVERSATION_STATE_AWAITING_REPLY) continue;
      page.items.push_back(ListItem{QueueCursor(position), *std::move(c.value())});
    }
    if (!timers.value().next) {
      exhausted = true;
      break;
    }
    position = *timers.value().next;
  }
  if (!exhausted) page.next = QueueCursor(position);
  return page;
}

// The key ranges that hold `store`'s conversations: "<marketplace>/<store>/" for each
// marketplace with conversations, found by skipping from one marketplace's keys to the next
// (no key holds the byte 0xff: ids are UTF-8).
constexpr size_t kMaxMarketplaces = 64;

Result<std::vector<std::string>> StorePrefixes(const Deps& deps, const std::string& store) {
  std::vector<std::string> prefixes;
  std::string after;
  while (prefixes.size() < kMaxMarketplaces) {
    auto first = deps.store->ScanRecords(Table::kConversations, "", after, 1);
    if (!first) return first.error();
    if (first.value().empty()) break;
    const std::string& key = first.value().front().first;
    const std::string marketplace = key.substr(0, key.find('/'));
    prefixes.push_back(marketplace + "/" + store + "/");
    after = marketplace + "/\xff";
  }
  return prefixes;
}

// Any state, or none: the conversations under the store's key ranges (every conversation
// without a store), at most deps.max_scan records read, filtered and sorted in memory by
// SortKey. Beyond that bound the page says `truncated`.
Result<ListPage> ListByScan(const Deps& deps, const Principal& who, const ListQuery& q,
                            TimePoint now) {
  if (q.after.starts_with(kQueueCursor)) return BadCursor();
  std::vector<std::string> prefixes{""};
  if (!q.store.empty()) {
    auto found = StorePrefixes(deps, q.store);
    if (!found) return found.error();
    prefixes = std::move(found).value();
  }
  ListPage page;
  std::vector<ListItem> found;
  size_t scanned = 0;
  for (const std::string& prefix : prefixes) {
    std::string scan_after;
    while (!page.truncated) {
      auto records = deps.store->ScanRecords(Table::kConversations, prefix, scan_after, 1024);
      if (!records) return records.error();
      if (records.value().empty()) break;
      for (auto& [key, bytes] : records.value()) {
        scan_after = key;
        if (++scanned > deps.max_scan) {
          page.truncated = true;
          break;
        }
        proto::Conversation c;
        if (!c.ParseFromString(bytes)) continue;  // logged by the pipeline when it wrote it
        if (!Wanted(c, who, q)) continue;
        if (q.state && c.state() != *q.state) continue;
        if (q.overdue_only && !ReplyOverdue(c, now)) continue;
        std::string sort = SortKey(c);
        if (!q.after.empty() && sort <= q.after) continue;
        found.push_back(ListItem{std::move(sort), std::move(c)});
      }
    }
    if (page.truncated) break;
  }
  std::sort(found.begin(), found.end(),
            [](const ListItem& a, const ListItem& b) { return a.cursor < b.cursor; });
  const size_t n = std::min(found.size(), q.limit);
  if (found.size() > n) page.next = found[n - 1].cursor;
  found.resize(n);
  page.items = std::move(found);
  return page;
}

void ListConversations(const Deps& deps, ApiCall call, http::Responder respond) {
  const auto& q = call.request.query;
  auto limit = PageLimit(call.request, deps.max_page);
  if (!limit) return respond(ErrorResponse(limit.error()));
  ListQuery query;
  query.limit = limit.value();
  query.store = q.contains("store") ? q.find("store")->second : "";
  if (auto it = q.find("state"); it != q.end()) {
    for (auto s : {proto::CONVERSATION_STATE_AWAITING_REPLY, proto::CONVERSATION_STATE_AWAITING_BUYER,
                   proto::CONVERSATION_STATE_CLOSED}) {
      if (StateName(s) == it->second) query.state = s;
    }
    if (!query.state) {
      return respond(ErrorResponse(MakeError(
          Errc::kInvalidField, "state must be awaiting_reply, awaiting_buyer or closed")));
    }
  }
  query.overdue_only = q.contains("overdue") && q.find("overdue")->second == "true";
  query.after = q.contains("after") ? q.find("after")->second : "";
  const Principal& who = *call.principal;
  // Another seller's store is not there, as anything else of it.
  if (!query.store.empty() && !who.MaySee(query.store)) {
    return respond(NotFound("store", query.store));
  }
  const TimePoint now = deps.clock->Now();
  Result<ListPage> page = ListPage{};
  const bool awaiting = query.state == proto::CONVERSATION_STATE_AWAITING_REPLY;
  if (query.overdue_only && query.state && !awaiting) {
    // Only a conversation awaiting a reply can be overdue.
  } else if (awaiting || query.overdue_only) {
    page = ListReplyQueue(deps, who, query, now);
  } else {
    page = ListByScan(deps, who, query, now);
  }
  if (!page) return respond(ErrorResponse(page.error()));
  std::string out = "{\"conversations\":[";
  for (size_t i = 0; i < page.value().items.size(); ++i) {
    if (i > 0) out += ",";
    const ListItem& item = page.value().items[i];
    out += Summary(item.conversation, now, item.cursor);
  }
  out += "],\"next\":";
  out += page.value().next.empty() ? "null" : JsonString(page.value().next);
  if (page.value().truncated) out += ",\"truncated\":true";
  out += "}";
  respond(JsonResponse(200, std::move(out)));
}

// The text of a message: buyer and seller messages from the event log, csgw's sent replies from
// their outbox entry.
std::string MessageText(const Deps& deps, const proto::ConversationMessage& m) {
  if (m.source_sequence() == 0) return {};
  auto event = deps.store->Get(m.source_sequence());
  if (!event || !event.value()) return {};
  if (event.value()->has_buyer_message()) return event.value()->buyer_message().text();
  if (event.value()->has_outbound_update() && deps.outbox != nullptr) {
    auto entry = deps.outbox->Get(event.value()->outbound_update().outbox_id());
    if (entry && entry.value()) return entry.value()->text();
  }
  return {};
}

void GetConversation(const Deps& deps, ApiCall call, http::Responder respond) {
  auto c = VisibleConversation(deps, *call.principal, call.params[0]);
  if (!c) return respond(ErrorResponse(c.error()));
  if (!c.value()) return respond(NotFound("conversation", call.params[0]));
  const proto::Conversation& conversation = *c.value();
  std::string out = "{\"conversation\":" + ConversationJson(conversation) + ",\"state\":\"" +
                    std::string(StateName(conversation.state())) + "\",\"reply_overdue\":" +
                    (ReplyOverdue(conversation, deps.clock->Now()) ? "true" : "false") +
                    ",\"messages\":[";
  bool first = true;
  for (const auto& m : conversation.messages()) {
    if (!first) out += ",";
    first = false;
    out += "{\"message_id\":" + JsonString(m.message_id()) + ",\"sender\":\"" +
           (m.sender() == proto::SENDER_ROLE_BUYER    ? "buyer"
            : m.sender() == proto::SENDER_ROLE_SELLER ? "seller"
                                                      : "platform") +
           "\",\"at\":" + JsonString(Iso(m.at())) +
           ",\"text\":" + JsonString(MessageText(deps, m)) + "}";
  }
  out += "]}";
  respond(JsonResponse(200, std::move(out)));
}

struct ReplyBody {
  std::string text;
  bool force = false;
};

http::Response QualityRefusal(const std::vector<templates::QualityFinding>& findings) {
  std::string out =
      "{\"error\":\"quality_check_failed\",\"message\":\"the reply has findings; fix them or send "
      "with \\\"force\\\": true\",\"findings\":[";
  for (size_t i = 0; i < findings.size(); ++i) {
    if (i > 0) out += ",";
    out += "{\"code\":" + JsonString(findings[i].code) + ",\"message\":" +
           JsonString(findings[i].message) + "}";
  }
  out += "]}";
  return http::Response{422, "application/json", std::move(out), {}};
}

// The locale replies in this conversation are written in: its latest draft's, else English.
std::string ConversationLocale(const proto::Conversation& c) {
  for (int i = c.drafts_size() - 1; i >= 0; --i) {
    if (!c.drafts(i).locale().empty()) return c.drafts(i).locale();
  }
  return "en";
}

std::vector<templates::QualityFinding> Check(const Deps& deps, const proto::Conversation& c,
                                             std::string_view text, std::string_view locale) {
  templates::QualityOptions options;
  options.locale = std::string(locale);
  options.formal = !(deps.informal && deps.informal(c.store_id()));
  if (deps.catalog != nullptr) options.max_length = deps.catalog->Get()->LengthLimit(c.marketplace());
  return templates::CheckReply(text, options);
}

// Renders body.template with body.variables (typed by the catalogue's declarations).
Result<std::string> RenderTemplate(const Deps& deps, const proto::Conversation& c,
                                   const JsonValue& root, std::string_view key,
                                   const std::string& locale) {
  if (deps.catalog == nullptr) return MakeError(Errc::kNotReady, "no template catalogue loaded");
  const auto catalog = deps.catalog->Get();
  if (catalog->Meta(key) == nullptr) {
    return MakeError(Errc::kInvalidField, "template: unknown key " + std::string(key));
  }
  const std::vector<std::string> chain = i18n::FallbackChain(locale);
  const templates::TemplateText text = catalog->Find(key, chain, c.store_id());
  if (text.pattern == nullptr) {
    return MakeError(Errc::kInvalidField, "template " + std::string(key) + " has no text for " + locale);
  }
  templates::Variables vars;
  auto given = root.Find("variables");
  if (!given) return given.error();
  if (given.value()) {
    auto members = given.value()->AsMembers();
    if (!members) return members.error();
    for (const auto& [name, value] : members.value()) {
      auto raw = value.AsId();
      if (!raw) return FieldError("variables." + name, "must be a string or an integer");
      const auto declared = catalog->variables().find(name);
      if (declared == catalog->variables().end()) {
        return FieldError("variables." + name, "is not a catalogue variable");
      }
      auto typed = templates::ParseVariable(declared->second.type, raw.value(), "");
      if (!typed) return FieldError("variables." + name, typed.error().message);
      vars[name] = std::move(typed).value();
    }
  }
  templates::RenderOptions options;
  options.locale = text.locale;
  options.time_zone = c.buyer_time_zone().empty() ? "UTC" : c.buyer_time_zone();
  return templates::Render(*text.pattern, vars, options);
}

// Enqueues `entry`, records it on the conversation (through the log) and answers 202.
void Enqueue(const Deps& deps, proto::OutboxEntry entry, const http::Responder& respond) {
  const TimePoint now = deps.clock->Now();
  auto stored = deps.outbox->EnqueueNow(std::move(entry), now);
  if (!stored) return respond(ErrorResponse(stored.error()));
  std::vector<proto::Event> events{OutboundEvent(stored.value(), "queued", now)};
  if (auto appended = deps.store->Append(std::move(events)); !appended) {
    // The send is queued and will go out; only the conversation's note of it is late (the
    // "sent" step records it too).
    log::Warn("api.queued_event", {{"outbox_id", stored.value().id()},
                                   {"error", appended.error().message}});
  }
  if (deps.on_send) deps.on_send();
  log::Info("api.reply_queued", {{"outbox_id", stored.value().id()},
                                 {"conversation", stored.value().conversation_id()},
                                 {"by", stored.value().requested_by()}});
  respond(JsonResponse(202, "{\"outbox\":" + EntryJson(stored.value()) + "}"));
}

void PostReply(const Deps& deps, ApiCall call, http::Responder respond) {
  if (deps.outbox == nullptr) {
    return respond(ErrorResponse(MakeError(Errc::kNotReady, "sending is not configured")));
  }
  auto c = VisibleConversation(deps, *call.principal, call.params[0]);
  if (!c) return respond(ErrorResponse(c.error()));
  if (!c.value()) return respond(NotFound("conversation", call.params[0]));
  auto doc = JsonDocument::ParseObject(call.request.body);
  if (!doc) return respond(ErrorResponse(doc.error()));
  const JsonValue& root = doc.value().root();
  if (auto known = root.KnownMembers({"text", "template", "variables", "locale", "force"}, "reply");
      !known) {
    return respond(ErrorResponse(known.error()));
  }
  auto text = root.OptionalString("text");
  auto key = root.OptionalString("template");
  auto locale = root.OptionalString("locale");
  auto force = root.OptionalBool("force");
  for (const Error* e : {text ? nullptr : &text.error(), key ? nullptr : &key.error(),
                         locale ? nullptr : &locale.error(), force ? nullptr : &force.error()}) {
    if (e != nullptr) return respond(ErrorResponse(*e));
  }
  if (text.value().has_value() == key.value().has_value()) {
    return respond(ErrorResponse(
        MakeError(Errc::kInvalidField, "give exactly one of \"text\" and \"template\"")));
  }
  const proto::Conversation& conversation = *c.value();
  const std::string reply_locale = locale.value().value_or(ConversationLocale(conversation));
  std::string body;
  if (text.value()) {
    body = *text.value();
  } else {
    auto rendered = RenderTemplate(deps, conversation, root, *key.value(), reply_locale);
    if (!rendered) return respond(ErrorResponse(rendered.error()));
    body = std::move(rendered).value();
  }
  if (body.empty()) return respond(ErrorResponse(MakeError(Errc::kMissingField, "text is empty")));
  const auto findings = Check(deps, conversation, body, reply_locale);
  if (!findings.empty() && !force.value().value_or(false)) return respond(QualityRefusal(findings));
  const auto idem = call.request.headers.find("idempotency-key");
  const std::string request_key =
      idem != call.request.headers.end() ? idem->second : call.request.request_id;
  if (request_key.empty() || request_key.size() > 200) {
    return respond(ErrorResponse(MakeError(Errc::kInvalidField, "Idempotency-Key must be 1..200 characters")));
  }
  Enqueue(deps,
          AgentReplyEntry(conversation, body, "agent:" + call.principal->user, request_key),
          respond);
}

void ApproveDraft(const Deps& deps, ApiCall call, http::Responder respond) {
  if (deps.outbox == nullptr) {
    return respond(ErrorResponse(MakeError(Errc::kNotReady, "sending is not configured")));
  }
  const std::string& id = call.params[0];
  uint64_t sequence = 0;
  const auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), sequence);
  if (ec != std::errc() || p != id.data() + id.size() || sequence == 0) {
    return respond(NotFound("draft", id));
  }
  auto event = deps.store->Get(sequence);
  if (!event) return respond(ErrorResponse(event.error()));
  if (!event.value()) return respond(NotFound("draft", id));
  auto c = VisibleConversation(deps, *call.principal, ConversationId(*event.value()));
  if (!c) return respond(ErrorResponse(c.error()));
  if (!c.value()) return respond(NotFound("draft", id));
  const proto::Conversation& conversation = *c.value();
  const proto::Draft* draft = nullptr;
  for (const auto& d : conversation.drafts()) {
    if (d.source_sequence() == sequence) draft = &d;
  }
  if (draft == nullptr) return respond(NotFound("draft", id));

  std::optional<std::string> edited;
  bool force = false;
  if (!call.request.body.empty()) {
    auto doc = JsonDocument::ParseObject(call.request.body);
    if (!doc) return respond(ErrorResponse(doc.error()));
    const JsonValue& root = doc.value().root();
    if (auto known = root.KnownMembers({"text", "force"}, "approval"); !known) {
      return respond(ErrorResponse(known.error()));
    }
    auto text = root.OptionalString("text");
    if (!text) return respond(ErrorResponse(text.error()));
    edited = text.value();
    auto f = root.OptionalBool("force");
    if (!f) return respond(ErrorResponse(f.error()));
    force = f.value().value_or(false);
  }
  if (draft->state() == proto::DRAFT_STATE_QUEUED || draft->state() == proto::DRAFT_STATE_SENT) {
    // Approved before (by someone else, or this request retried): the same send, not another.
    auto entry = deps.outbox->Get(draft->outbox_id());
    if (!entry) return respond(ErrorResponse(entry.error()));
    if (entry.value()) return respond(JsonResponse(200, "{\"outbox\":" + EntryJson(*entry.value()) + "}"));
  }
  if (draft->state() == proto::DRAFT_STATE_FAILED) {
    return respond(ErrorResponse(MakeError(
        Errc::kConflict, "the draft's send failed: retry it with POST /v1/outbox/" +
                             draft->outbox_id() + "/retry or write a new reply")));
  }
  const std::string text = edited.value_or(draft->text());
  if (text.empty()) {
    return respond(ErrorResponse(MakeError(
        Errc::kMissingField, "this draft has no text (no template fits): give \"text\"")));
  }
  const auto findings = Check(deps, conversation, text,
                              draft->locale().empty() ? ConversationLocale(conversation) : draft->locale());
  if (!findings.empty() && !force) return respond(QualityRefusal(findings));
  Enqueue(deps, DraftReplyEntry(conversation, *draft, text, "agent:" + call.principal->user),
          respond);
}

void ListOutbox(const Deps& deps, ApiCall call, http::Responder respond) {
  const auto& q = call.request.query;
  auto state = q.find("state");
  if (state == q.end() || state->second != "dead") {
    return respond(ErrorResponse(MakeError(Errc::kInvalidField, "state=dead is required (only dead letters are listed)")));
  }
  auto limit = PageLimit(call.request, deps.max_page);
  if (!limit) return respond(ErrorResponse(limit.error()));
  const std::string store = q.contains("store") ? q.find("store")->second : "";
  const std::string after = q.contains("after") ? q.find("after")->second : "";
  const Principal& who = *call.principal;
  if (!store.empty() && !who.MaySee(store)) return respond(NotFound("store", store));
  if (deps.outbox == nullptr) return respond(JsonResponse(200, "{\"outbox\":[],\"next\":null}"));
  auto dead = deps.outbox->ListDead(store, [&](std::string_view s) { return who.MaySee(s); }, after,
                                    limit.value());
  if (!dead) return respond(ErrorResponse(dead.error()));
  std::string out = "{\"outbox\":[";
  for (size_t i = 0; i < dead.value().size(); ++i) {
    if (i > 0) out += ",";
    out += EntryJson(dead.value()[i]);
  }
  out += "],\"next\":";
  if (dead.value().size() == limit.value()) {
    const auto& last = dead.value().back();
    out += JsonString(last.store_id() + "/" + last.id());
  } else {
    out += "null";
  }
  out += "}";
  respond(JsonResponse(200, std::move(out)));
}

Result<std::optional<proto::OutboxEntry>> VisibleEntry(const Deps& deps, const Principal& who,
                                                       std::string_view id) {
  if (deps.outbox == nullptr) return std::optional<proto::OutboxEntry>();
  auto entry = deps.outbox->Get(id);
  if (!entry) return entry.error();
  if (entry.value() && !who.MaySee(entry.value()->store_id())) return std::optional<proto::OutboxEntry>();
  return entry;
}

void GetOutboxEntry(const Deps& deps, ApiCall call, http::Responder respond) {
  auto entry = VisibleEntry(deps, *call.principal, call.params[0]);
  if (!entry) return respond(ErrorResponse(entry.error()));
  if (!entry.value()) return respond(NotFound("outbox entry", call.params[0]));
  respond(JsonResponse(200, "{\"outbox\":" + EntryJson(*entry.value()) + "}"));
}

void RetryOutboxEntry(const Deps& deps, ApiCall call, http::Responder respond) {
  auto entry = VisibleEntry(deps, *call.principal, call.params[0]);
  if (!entry) return respond(ErrorResponse(entry.error()));
  if (!entry.value()) return respond(NotFound("outbox entry", call.params[0]));
  auto redriven = deps.outbox->Redrive(call.params[0], "agent:" + call.principal->user);
  if (!redriven) return respond(ErrorResponse(redriven.error()));
  if (deps.on_send) deps.on_send();
  respond(JsonResponse(202, "{\"outbox\":" + EntryJson(redriven.value()) + "}"));
}

}  // namespace

void AddConversationRoutes(ApiRoutes& routes, ConversationsApiDeps deps) {
  auto shared = std::make_shared<const Deps>(std::move(deps));
  auto bind = [shared](void (*fn)(const Deps&, ApiCall, http::Responder)) {
    return [shared, fn](ApiCall call, http::Responder respond) {
      fn(*shared, std::move(call), std::move(respond));
    };
  };
  routes.Add("GET", "/v1/conversations", Access::kRead, bind(&ListConversations));
  routes.Add("GET", "/v1/conversations/{id}", Access::kRead, bind(&GetConversation));
  routes.Add("POST", "/v1/conversations/{id}/replies", Access::kAct, bind(&PostReply));
  routes.Add("POST", "/v1/drafts/{id}/approve", Access::kAct, bind(&ApproveDraft));
  routes.Add("GET", "/v1/outbox", Access::kRead, bind(&ListOutbox));
  routes.Add("GET", "/v1/outbox/{id}", Access::kRead, bind(&GetOutboxEntry));
  routes.Add("POST", "/v1/outbox/{id}/retry", Access::kAct, bind(&RetryOutboxEntry));
}

}  // namespace csgw::gateway
