#include "gateway/api/disputes_view.h"

#include <algorithm>
#include <charconv>

#include "base/log.h"
#include "disputes/mapping.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/pipeline/disputes_records.h"
#include "gateway/pipeline/reply_flow.h"
#include "i18n/locale.h"
#include "templates/render.h"

namespace csgw::gateway {
namespace {

namespace d = csgw::disputes;

// Cursors: "t:<due unix ms>:<timer id>" while the deadline timers are read, "k:<dispute key>"
// once the disputes without a deadline are.
constexpr std::string_view kTimersPhase = "t:";
constexpr std::string_view kKeysPhase = "k:";

struct Cursor {
  bool keys_phase = false;
  std::optional<TimerPosition> position;  // timers phase
  std::string key;                        // keys phase
};

std::string EncodeTimers(const TimerPosition& p) {
  return std::string(kTimersPhase) + std::to_string(ToUnixMillis(p.due)) + ":" + p.id;
}

Result<Cursor> DecodeCursor(std::string_view text) {
  Cursor c;
  if (text.empty()) return c;
  auto bad = [] {
    return MakeError(Errc::kInvalidField, "field 'after' is not a cursor this list returned");
  };
  if (text.starts_with(kKeysPhase)) {
    c.keys_phase = true;
    c.key = std::string(text.substr(kKeysPhase.size()));
    return c;
  }
  if (!text.starts_with(kTimersPhase)) return bad();
  text.remove_prefix(kTimersPhase.size());
  const size_t colon = text.find(':');
  int64_t ms = 0;
  if (colon == std::string_view::npos || colon == 0) return bad();
  const auto [p, ec] = std::from_chars(text.data(), text.data() + colon, ms);
  if (ec != std::errc() || p != text.data() + colon || ms < 0 || colon + 1 == text.size()) {
    return bad();
  }
  c.position = TimerPosition{FromUnixMillis(ms), std::string(text.substr(colon + 1))};
  return c;
}

// Keys are "<marketplace>/<store>/<id>"; a store id may itself hold '/', so this only rules
// keys out: the record's store id decides.
bool KeyMayBeOfStore(std::string_view key, std::string_view store_id) {
  const size_t slash = key.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view rest = key.substr(slash + 1);
  return rest.size() > store_id.size() && rest.starts_with(store_id) &&
         rest[store_id.size()] == '/';
}

bool Accepts(const DisputeQuery& q, const DisputeView& v) {
  const std::string& store = v.stored.store_id();
  if (!q.store_id.empty() && store != q.store_id) return false;
  if (q.visible && !q.visible(store)) return false;
  if (q.state && v.dispute.state != *q.state) return false;
  if (q.open_only && !d::IsOpen(v.dispute.state)) return false;
  return true;
}

bool ListsDeadlineTimer(const proto::StoredDispute& stored) {
  return std::any_of(stored.timers().begin(), stored.timers().end(),
                     [](const auto& t) { return t.kind() == kDisputeDeadlineTimer; });
}

// The record under `key` for a list: nullopt when gone or unreadable (logged, skipped).
std::optional<DisputeView> LoadForList(const EventStore& store, const std::string& key) {
  auto view = LoadDispute(store, key);
  if (!view) {
    log::Warn("disputes.unreadable", {{"dispute", key}, {"error", view.error().message}});
    return std::nullopt;
  }
  return std::move(view).value();
}

// Disputes by their nearest deadline: the pending "dispute_deadline" timers in due order, each
// dispute listed at the timer of its nearest deadline only. Returns true when the timers are
// exhausted (the keys phase may follow), false when the page is complete or the budget spent
// (`page.next` set).
Result<bool> ListByDeadline(const EventStore& store, const DisputeQuery& q,
                            std::optional<TimerPosition> position, size_t& budget,
                            DisputePage& page) {
  while (true) {
    if (page.disputes.size() >= q.limit || budget == 0) {
      // Something was read before either can happen: the position is set.
      page.next = position ? EncodeTimers(*position) : std::string(kTimersPhase);
      return false;
    }
    TimerScan scan;
    scan.kind = std::string(kDisputeDeadlineTimer);
    // The agents' reply queue keeps its index in the same timers family, above every timer
    // meant to fire (reply_flow.h): a deadline never lies there, so the scan stops below it.
    scan.due_before = std::min(q.due_before.value_or(TimePoint::max()), ReplyQueueStart().due);
    scan.after = position;
    scan.limit = q.limit - page.disputes.size();
    scan.max_examined = budget;
    auto timers = store.ScanTimers(scan);
    if (!timers) return timers.error();
    budget -= std::min(budget, timers.value().examined);
    for (const proto::Timer& timer : timers.value().timers) {
      position = TimerPosition{FromTimestamp(timer.due()), timer.id()};
      proto::DisputeTimerPayload payload;
      if (!payload.ParseFromString(timer.payload())) {
        log::Warn("disputes.unreadable_timer", {{"timer", timer.id()}});
        continue;
      }
      const std::string& key = payload.dispute_key();
      if (!q.store_id.empty() && !KeyMayBeOfStore(key, q.store_id)) continue;
      auto view = LoadForList(store, key);
      if (budget > 0) --budget;
      if (!view || view->deadlines.empty()) continue;
      const d::Deadline& nearest = view->deadlines.front();
      // A dispute with several deadlines is listed once, at its nearest.
      if (nearest.name != payload.deadline() || nearest.due_at != FromTimestamp(payload.due_at())) {
        continue;
      }
      if (Accepts(q, *view)) page.disputes.push_back(std::move(*view));
    }
    if (!timers.value().next) return true;
    position = timers.value().next;
  }
}

// Disputes with no deadline running, by key, after `after_key`.
Result<void> ListWithoutDeadline(const EventStore& store, const DisputeQuery& q,
                                 std::string after_key, size_t& budget, DisputePage& page) {
  std::vector<std::string> prefixes;
  if (q.store_id.empty()) {
    prefixes.emplace_back();
  } else {
    // Keys start with the marketplace: one range per marketplace, in key order.
    for (std::string_view m : d::MappedMarketplaces()) {
      prefixes.push_back(std::string(m) + "/" + q.store_id + "/");
    }
  }
  constexpr size_t kChunk = 256;
  for (const std::string& prefix : prefixes) {
    while (true) {
      if (page.disputes.size() >= q.limit || budget == 0) {
        page.next = std::string(kKeysPhase) + after_key;
        return Ok();
      }
      const size_t want = std::min(budget, kChunk);
      auto records = store.ScanRecords(Table::kDisputes, prefix, after_key, want);
      if (!records) return records.error();
      for (const auto& [key, bytes] : records.value()) {
        after_key = key;
        --budget;
        proto::StoredDispute stored;
        if (!stored.ParseFromString(bytes)) {
          log::Warn("disputes.unreadable", {{"dispute", key}});
          continue;
        }
        // Listed by its deadline timer; and another store's, or one the caller may not see.
        if (ListsDeadlineTimer(stored)) continue;
        if (!q.store_id.empty() && stored.store_id() != q.store_id) continue;
        if (q.visible && !q.visible(stored.store_id())) continue;
        auto view = LoadForList(store, key);
        if (!view || !view->deadlines.empty() || !Accepts(q, *view)) continue;
        page.disputes.push_back(std::move(*view));
        if (page.disputes.size() >= q.limit) {
          page.next = std::string(kKeysPhase) + after_key;
          return Ok();
        }
        if (budget == 0) break;
      }
      if (records.value().size() < want) break;  // this range is done
    }
  }
  page.next.clear();
  return Ok();
}

templates::VariableValue ToTemplateValue(const d::VariableValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* n = std::get_if<int64_t>(&value)) return *n;
  if (const auto* m = std::get_if<d::Money>(&value)) {
    return templates::MoneyValue{m->amount, m->currency};
  }
  return std::get<TimePoint>(value);
}

}  // namespace

Result<std::optional<DisputeView>> LoadDispute(const EventStore& store, std::string_view key) {
  auto record = store.GetRecord(Table::kDisputes, key);
  if (!record) return record.error();
  if (!record.value()) return std::optional<DisputeView>();
  DisputeView view;
  view.key = std::string(key);
  if (!view.stored.ParseFromString(*record.value())) {
    return MakeError(Errc::kStorageFailure, "dispute record " + view.key + " is unreadable");
  }
  auto dispute = FromStored(view.stored);
  if (!dispute) return dispute.error();
  view.dispute = std::move(dispute).value();
  const d::RuleSet* rules = FindDisputeRuleSet(view.stored.rule_set_id());  // FromStored found it
  view.deadlines = d::OpenDeadlines(view.dispute, *rules);
  return std::optional<DisputeView>(std::move(view));
}

Result<DisputePage> ListDisputes(const EventStore& store, const DisputeQuery& query) {
  if (query.limit == 0 || query.max_examined == 0) {
    return MakeError(Errc::kInvalidField, "limit and max_examined must be positive");
  }
  auto cursor = DecodeCursor(query.after);
  if (!cursor) return cursor.error();
  DisputePage page;
  size_t budget = query.max_examined;
  if (!cursor.value().keys_phase) {
    auto exhausted = ListByDeadline(store, query, cursor.value().position, budget, page);
    if (!exhausted) return exhausted.error();
    // Within a due window only deadlines count; otherwise the disputes without one follow.
    if (!exhausted.value() || query.due_before) return page;
  } else if (query.due_before) {
    return page;  // a keys cursor under a due window: nothing more
  }
  if (auto ok = ListWithoutDeadline(store, query, cursor.value().key, budget, page); !ok) {
    return ok.error();
  }
  return page;
}

std::optional<d::AdvisorInput> AdvisorInputFor(const EventStore& store, const d::Dispute& dispute) {
  d::AdvisorInput input;
  bool valued = false;
  if (!dispute.order_id.empty()) {
    auto record = store.GetRecord(
        Table::kOrders, dispute.marketplace + "/" + dispute.store_id + "/" + dispute.order_id);
    proto::OrderContext order;
    if (record && record.value() && order.ParseFromString(*record.value())) {
      if (order.has_total() && !order.total().amount().empty()) {
        input.order_value = d::FromProto(order.total());
        valued = true;
      }
      input.carrier = order.carrier();
      input.tracking_number = order.tracking_number();
      if (order.has_delivered_at()) {
        input.tracking = d::Tracking::kDelivered;
      } else if (order.has_shipped_at()) {
        input.tracking = d::Tracking::kInTransit;
      }
    }
  }
  for (const d::Proposal& p : dispute.proposals) {
    if (valued || p.party != d::Party::kBuyer || !p.amount) continue;
    if (input.order_value.amount.empty()) {
      input.order_value = *p.amount;
      continue;
    }
    auto order = d::Compare(*p.amount, input.order_value);
    if (order && order.value() == std::strong_ordering::greater) input.order_value = *p.amount;
  }
  if (input.order_value.amount.empty()) return std::nullopt;
  return input;
}

BuyerLocale BuyerLocaleOf(const EventStore& store, const DisputeView& view) {
  BuyerLocale out;
  const proto::Buyer& buyer = view.stored.buyer();
  const d::Dispute& dispute = view.dispute;
  std::string locale;
  std::string time_zone;
  if (!buyer.id().empty()) {
    // The conversation about this order first, then the buyer's general one (ConversationId).
    const std::string base = dispute.marketplace + "/" + dispute.store_id + "/" + buyer.id();
    for (const std::string& key :
         {dispute.order_id.empty() ? base : base + "/" + dispute.order_id, base}) {
      auto record = store.GetRecord(Table::kConversations, key);
      proto::Conversation c;
      if (!record || !record.value() || !c.ParseFromString(*record.value())) continue;
      for (auto it = c.drafts().rbegin(); it != c.drafts().rend() && locale.empty(); ++it) {
        locale = it->locale();
        if (time_zone.empty()) time_zone = it->time_zone();
      }
      if (!c.buyer_time_zone().empty()) time_zone = c.buyer_time_zone();
      if (!locale.empty()) break;
    }
  }
  if (locale.empty()) {
    const std::string& hint = buyer.locale_hint();
    std::string country = buyer.country();
    if (country.empty()) country = std::string(i18n::RegionOf(hint));
    if (country.empty()) country = std::string(i18n::MarketplaceCountry(dispute.marketplace));
    if (!hint.empty() || !country.empty()) {
      locale = i18n::NegotiateLocale(i18n::LanguageOf(hint), country);
    }
  }
  if (time_zone.empty()) time_zone = buyer.time_zone();
  if (!locale.empty()) out.locale = std::move(locale);
  if (!time_zone.empty()) out.time_zone = std::move(time_zone);
  return out;
}

RenderedReply RenderReply(const d::Advice& advice, const templates::Catalog& catalog,
                          const BuyerLocale& buyer, std::string_view store_id) {
  RenderedReply out;
  out.template_key = advice.reply.template_key;
  out.missing = advice.reply.missing;
  if (!out.missing.empty()) return out;
  const std::vector<std::string> chain = i18n::FallbackChain(buyer.locale);
  const templates::TemplateText text = catalog.Find(out.template_key, chain, store_id);
  if (text.pattern == nullptr) {
    out.error = "the catalogue has no text for " + out.template_key;
    return out;
  }
  out.locale = text.locale;
  templates::Variables variables;
  for (const auto& [name, value] : advice.reply.variables) {
    variables[name] = ToTemplateValue(value);
  }
  // The buyer's own locale formats money and dates when the text is in the buyer's language.
  templates::RenderOptions options;
  options.locale = i18n::LanguageOf(text.locale) == i18n::LanguageOf(buyer.locale) ? buyer.locale
                                                                                  : text.locale;
  options.time_zone = buyer.time_zone;
  auto rendered = templates::Render(*text.pattern, variables, options);
  if (!rendered) {
    out.error = rendered.error().message;
  } else {
    out.text = std::move(rendered).value();
  }
  return out;
}

std::optional<DisputeAdvice> AdviseDispute(const EventStore& store, const DisputeView& view,
                                           const templates::Catalog& catalog, std::string& why) {
  if (!d::IsOpen(view.dispute.state)) {
    why = "the dispute is " + std::string(d::Name(view.dispute.state));
    return std::nullopt;
  }
  auto input = AdvisorInputFor(store, view.dispute);
  if (!input) {
    why = "the order's value is unknown";
    return std::nullopt;
  }
  auto advice = d::Advise(view.dispute, *input);
  if (!advice) {
    why = advice.error().message;
    return std::nullopt;
  }
  DisputeAdvice out;
  out.reply = RenderReply(advice.value(), catalog, BuyerLocaleOf(store, view), view.dispute.store_id);
  out.advice = std::move(advice).value();
  return out;
}

}  // namespace csgw::gateway
