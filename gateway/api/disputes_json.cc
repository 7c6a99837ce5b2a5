#include "gateway/api/disputes_json.h"

#include <algorithm>

#include "base/timestamp.h"
#include "gateway/marketplaces/api_util.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/pipeline/disputes_records.h"

namespace csgw::gateway {
namespace {

namespace d = csgw::disputes;

std::string Str(std::string_view text) { return JsonString(text); }
std::string Time(TimePoint t) { return JsonString(FormatIsoMillis(t)); }
std::string Time(const google::protobuf::Timestamp& t) { return Time(FromTimestamp(t)); }
std::string Bool(bool b) { return b ? "true" : "false"; }

std::string Money(const std::optional<d::Money>& money) {
  if (!money) return "null";
  return "{\"amount\":" + Str(money->amount) + ",\"currency\":" + Str(money->currency) + "}";
}

// A name, or null for the enum's "none".
template <class E>
std::string NameOrNull(E value) {
  return value == E{} ? "null" : Str(d::Name(value));
}

template <class T, class Fn>
std::string Array(const T& items, Fn&& item) {
  std::string out = "[";
  bool first = true;
  for (const auto& i : items) {
    if (!first) out += ',';
    first = false;
    out += item(i);
  }
  return out + "]";
}

// The live proposal of `party`: its pending one, else its latest.
const d::Proposal* LiveProposal(const d::Dispute& dispute, d::Party party, bool pending_only) {
  const d::Proposal* live = nullptr;
  for (const d::Proposal& p : dispute.proposals) {
    if (p.party != party) continue;
    if (p.status == d::ProposalStatus::kPending) return &p;
    if (!pending_only) live = &p;
  }
  return live;
}

std::string AlertJson(const proto::DisputeAlert& a) {
  return "{\"deadline\":" + Str(a.deadline()) + ",\"due\":" + Time(a.due_at()) +
         ",\"before_seconds\":" + std::to_string(a.before_seconds()) + ",\"actor\":" +
         Str(a.actor()) + ",\"raised_at\":" + Time(a.raised_at()) + "}";
}

bool ForOpenDeadline(const DisputeView& view, const proto::DisputeAlert& a) {
  return std::any_of(view.deadlines.begin(), view.deadlines.end(), [&](const d::Deadline& dl) {
    return dl.name == a.deadline() && dl.due_at == FromTimestamp(a.due_at());
  });
}

// The members the summary and the detail share, without the closing brace.
std::string SummaryMembers(const DisputeView& view, TimePoint now) {
  const d::Dispute& x = view.dispute;
  std::string out = "{\"id\":" + Str(view.key) + ",\"marketplace\":" + Str(x.marketplace) +
                    ",\"store_id\":" + Str(x.store_id) + ",\"dispute_id\":" + Str(x.id) +
                    ",\"order_id\":" + Str(x.order_id) + ",\"state\":" + Str(d::Name(x.state)) +
                    ",\"reason\":" + Str(d::Name(x.reason)) +
                    ",\"marketplace_status\":" + Str(x.marketplace_status) +
                    ",\"rule_set\":" + Str(x.rule_set_id) +
                    ",\"platform_handles\":" + Bool(x.after_sales_protection);
  out += ",\"opened_at\":" + (x.state == d::State::kNone ? "null" : Time(x.opened_at));
  out += ",\"updated_at\":" + (x.state == d::State::kNone ? "null" : Time(x.updated_at));
  out += ",\"agreement\":" + NameOrNull(x.agreement);
  out += ",\"responsibility\":" + NameOrNull(x.responsibility);
  out += ",\"refund\":" + NameOrNull(x.refund);

  const d::Proposal* requested = LiveProposal(x, d::Party::kBuyer, false);
  const d::Proposal* offered = LiveProposal(x, d::Party::kSeller, true);
  const d::Proposal* agreed = x.accepted_proposal >= 0 ? &x.proposals[x.accepted_proposal] : nullptr;
  out += ",\"amounts\":{\"requested\":" + Money(requested ? requested->amount : std::nullopt) +
         ",\"offered\":" + Money(offered ? offered->amount : std::nullopt) +
         ",\"agreed\":" + Money(agreed ? agreed->amount : std::nullopt) +
         ",\"refunded\":" + Money(x.refund_amount) + "}";

  out += ",\"nearest_deadline\":";
  if (view.deadlines.empty()) {
    out += "null";
  } else {
    const d::Deadline& n = view.deadlines.front();
    out += "{\"name\":" + Str(n.name) + ",\"actor\":" + Str(d::Name(n.actor)) +
           ",\"on_expiry\":" + Str(d::Name(n.on_expiry)) + ",\"due\":" + Time(n.due_at) +
           ",\"overdue\":" + Bool(n.due_at <= now) + "}";
  }

  size_t raised = 0;
  for (const auto& a : view.stored.alerts()) raised += ForOpenDeadline(view, a) ? 1 : 0;
  std::optional<TimePoint> next;
  for (const auto& t : view.stored.timers()) {
    if (t.kind() != kDisputeAlertTimer) continue;
    const TimePoint at = FromTimestamp(t.due());
    if (at > now && (!next || at < *next)) next = at;
  }
  out += ",\"alerts\":{\"raised\":" + std::to_string(raised) + ",\"last_raised\":" +
         (view.stored.alerts().empty() ? "null" : AlertJson(*view.stored.alerts().rbegin())) +
         ",\"next_at\":" + (next ? Time(*next) : "null") + "}";
  return out;
}

std::string EventJson(const d::HistoryEntry& h) {
  const d::DisputeEvent& e = h.event;
  std::string out = "{\"event_id\":" + Str(e.event_id) + ",\"kind\":" + Str(d::Name(e.kind)) +
                    ",\"occurred_at\":" + Time(e.occurred_at) + ",\"actor\":" +
                    NameOrNull(e.actor) + ",\"solution\":" + NameOrNull(e.solution) +
                    ",\"amount\":" + Money(e.amount) + ",\"marketplace_status\":" +
                    Str(e.marketplace_status) + ",\"implied\":" + Bool(e.implied) +
                    ",\"applied\":" + Bool(h.applied);
  if (!e.deadline.empty()) out += ",\"deadline\":" + Str(e.deadline);
  if (!h.note.empty()) out += ",\"note\":" + Str(h.note);
  return out + "}";
}

std::string ProposalJson(const d::Proposal& p,
                         const std::map<std::string, ProposalSend, std::less<>>& sends) {
  std::string out = "{\"id\":" + Str(p.id) + ",\"party\":" + Str(d::Name(p.party)) +
                    ",\"solution\":" + Str(d::Name(p.solution)) + ",\"amount\":" +
                    Money(p.amount) + ",\"status\":" + Str(d::Name(p.status)) +
                    ",\"created_at\":" + Time(p.created_at) + ",\"updated_at\":" +
                    Time(p.updated_at);
  if (auto it = sends.find(p.id); it != sends.end()) {
    out += ",\"send\":{\"outbox_id\":" + Str(it->second.outbox_id) + ",\"state\":" +
           Str(it->second.state) + "}";
  }
  return out + "}";
}

std::string DeadlineJson(const d::Deadline& dl, TimePoint now) {
  return "{\"name\":" + Str(dl.name) + ",\"actor\":" + Str(d::Name(dl.actor)) +
         ",\"on_expiry\":" + Str(d::Name(dl.on_expiry)) + ",\"started_at\":" +
         Time(dl.started_at) + ",\"opens_at\":" + (dl.opens_at ? Time(*dl.opens_at) : "null") +
         ",\"due\":" + Time(dl.due_at) + ",\"overdue\":" + Bool(dl.due_at <= now) + "}";
}

// "dispute/<key>/<deadline>/alert/<seconds>" → {"deadline","before_seconds","at"}.
std::string ScheduledAlertJson(const DisputeView& view, const proto::ScheduledDisputeTimer& t) {
  std::string_view id = t.id();
  const std::string prefix = "dispute/" + view.key + "/";
  std::string deadline;
  std::string before = "null";
  if (id.starts_with(prefix)) {
    id.remove_prefix(prefix.size());
    if (const size_t at = id.rfind("/alert/"); at != std::string_view::npos) {
      deadline = std::string(id.substr(0, at));
      before = std::string(id.substr(at + 7));
    }
  }
  return "{\"deadline\":" + Str(deadline) + ",\"before_seconds\":" + before +
         ",\"at\":" + Time(t.due()) + "}";
}

std::string AdviceMember(const std::optional<DisputeAdvice>& advice, std::string_view why) {
  return advice ? ",\"advice\":" + AdviceJson(*advice)
                : ",\"advice\":null,\"advice_unavailable\":" + Str(why);
}

}  // namespace

std::string DisputeSummaryJson(const DisputeView& view, TimePoint now) {
  return SummaryMembers(view, now) + "}";
}

std::string DisputeQueueLineJson(const DisputeView& view, TimePoint now,
                                 const std::optional<DisputeAdvice>& advice,
                                 std::string_view no_advice_why) {
  return SummaryMembers(view, now) + AdviceMember(advice, no_advice_why) + "}";
}

std::string AdviceJson(const DisputeAdvice& a) {
  const d::Advice& advice = a.advice;
  std::string out = "{\"options\":" + Array(advice.options, [](const d::SellerOption& o) {
    return "{\"remedy\":" + Str(d::Name(o.remedy)) + ",\"cost\":" + Money(o.cost) +
           ",\"amount\":" + Money(o.amount) + ",\"share_basis_points\":" +
           (o.share_basis_points ? std::to_string(*o.share_basis_points) : "null") +
           ",\"rationale\":" + Str(o.rationale) + "}";
  });
  out += ",\"ask_buyer\":" + Array(advice.ask_buyer, [](d::Ask k) { return Str(d::Name(k)); });
  out += ",\"third_party\":" + (advice.third_party.empty() ? "null" : Str(advice.third_party));
  out += ",\"platform_handles\":" + Bool(advice.platform_handles);
  out += ",\"cautious\":" + Bool(advice.cautious);
  const RenderedReply& r = a.reply;
  out += ",\"reply\":{\"template\":" + Str(r.template_key) + ",\"locale\":" +
         (r.locale.empty() ? "null" : Str(r.locale)) + ",\"text\":" +
         (r.text.empty() ? "null" : Str(r.text)) + ",\"missing\":" +
         Array(r.missing, [](const std::string& m) { return Str(m); });
  if (!r.error.empty()) out += ",\"error\":" + Str(r.error);
  return out + "}}";
}

std::string DisputeDetailJson(const DisputeView& view, TimePoint now,
                              const std::map<std::string, ProposalSend, std::less<>>& sends,
                              const std::optional<DisputeAdvice>& advice,
                              std::string_view no_advice_why) {
  const proto::Buyer& buyer = view.stored.buyer();
  std::string out = SummaryMembers(view, now);
  out += ",\"buyer\":{\"id\":" + Str(buyer.id()) + ",\"country\":" + Str(buyer.country()) + "}";
  out += ",\"history\":" + Array(view.dispute.history, EventJson);
  out += ",\"proposals\":" +
         Array(view.dispute.proposals, [&](const d::Proposal& p) { return ProposalJson(p, sends); });
  out += ",\"deadlines\":" +
         Array(view.deadlines, [&](const d::Deadline& dl) { return DeadlineJson(dl, now); });
  out += ",\"alerts_raised\":" + Array(view.stored.alerts(), AlertJson);
  std::vector<const proto::ScheduledDisputeTimer*> scheduled;
  for (const auto& t : view.stored.timers()) {
    if (t.kind() == kDisputeAlertTimer && FromTimestamp(t.due()) > now) scheduled.push_back(&t);
  }
  std::sort(scheduled.begin(), scheduled.end(), [](const auto* a, const auto* b) {
    return FromTimestamp(a->due()) < FromTimestamp(b->due());
  });
  out += ",\"alerts_scheduled\":" +
         Array(scheduled, [&](const auto* t) { return ScheduledAlertJson(view, *t); });
  return out + AdviceMember(advice, no_advice_why) + "}";
}

}  // namespace csgw::gateway
