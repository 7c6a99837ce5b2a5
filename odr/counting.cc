#include "odr/counting.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

namespace csgw::odr {
namespace {

using disputes::Party;
using disputes::State;

TimePoint FromProto(const google::protobuf::Timestamp& t) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::seconds(t.seconds()) + std::chrono::nanoseconds(t.nanos())));
}

void MinInto(std::optional<TimePoint>& slot, TimePoint t) {
  if (!slot || t < *slot) slot = t;
}

// Precedence for conflicting reports of who cancelled: the seller's fault wins, so that the
// fold does not depend on the order in which the reports arrive.
int CancelRank(Party p) {
  switch (p) {
    case Party::kSeller:
      return 3;
    case Party::kBuyer:
      return 2;
    case Party::kPlatform:
      return 1;
    case Party::kNone:
      return 0;
  }
  return 0;
}

// --- flags ---------------------------------------------------------------------------------

bool OrderFlag(const OrderFacts& o, std::string_view name) {
  const bool shipped = o.shipped_at.has_value() || o.completed_at.has_value();
  if (name == "placed") return o.placed_at.has_value();
  if (name == "shipped") return shipped;
  if (name == "completed") return o.completed_at.has_value();
  if (name == "cancelled") return o.cancelled_at.has_value();
  if (name == "cancelled_by_seller") {
    return o.cancelled_at.has_value() && o.cancelled_by == Party::kSeller;
  }
  if (name == "cancelled_by_buyer") {
    return o.cancelled_at.has_value() && o.cancelled_by == Party::kBuyer;
  }
  if (name == "cancelled_before_shipment") {
    return o.cancelled_at && !o.completed_at && (!o.shipped_at || *o.cancelled_at < *o.shipped_at);
  }
  if (name == "shipped_late") return o.ship_by && o.shipped_at && *o.shipped_at > *o.ship_by;
  if (name == "has_tracking") return o.tracking_at.has_value();
  if (name == "valid_tracking") {
    // Without a carrier check, an uploaded number is taken as valid.
    return o.tracking_valid || (o.tracking_at.has_value() && !o.tracking_checked);
  }
  return false;  // the parser admits only the names above
}

std::optional<TimePoint> DisputeOpened(const DisputeFacts& d) {
  if (d.outcome && d.outcome->opened_at != TimePoint{}) return d.outcome->opened_at;
  return d.opened_at;
}

bool DisputeFlag(const OrderFacts& o, const DisputeFacts& d, std::string_view name) {
  const DisputeOutcome none;
  const DisputeOutcome& out = d.outcome ? *d.outcome : none;
  const bool arbitrated = out.escalated_at.has_value();
  const bool cancelled = out.state == State::kCancelled;
  const bool ruled_seller = out.responsibility == disputes::Responsibility::kSeller;
  const bool ruled_not_seller = out.responsibility == disputes::Responsibility::kBuyer ||
                                out.responsibility == disputes::Responsibility::kNeither;
  const bool closed = out.state == State::kClosed;
  if (name == "cancelled") return cancelled;
  if (name == "cancelled_before_arbitration") return cancelled && !arbitrated;
  if (name == "arbitrated") return arbitrated;
  if (name == "ruled_seller") return ruled_seller;
  if (name == "ruled_not_seller") return ruled_not_seller;
  if (name == "closed") return closed;
  if (name == "resolved_without_arbitration") {
    return !arbitrated &&
           (out.state == State::kAgreed || closed || out.state == State::kAwaitingReturnShipment ||
            out.state == State::kAwaitingSellerReceipt);
  }
  if (name == "closed_without_seller_resolution") {
    const bool refunded =
        out.refund == disputes::Refund::kFull || out.refund == disputes::Refund::kPartial;
    return arbitrated && (ruled_seller || (closed && refunded && !ruled_not_seller));
  }
  if (name == "after_tracking") {
    const auto opened = DisputeOpened(d);
    return o.tracking_at && opened && *o.tracking_at <= *opened;
  }
  return false;
}

bool FeedbackFlag(const FeedbackFacts& f, std::string_view name) {
  if (name == "has_dsr_described") return f.dsr_described.has_value();
  if (name == "has_dsr_communication") return f.dsr_communication.has_value();
  if (name == "has_dsr_shipping") return f.dsr_shipping.has_value();
  return false;
}

template <class F>
bool AllFlags(const std::vector<Flag>& flags, F&& holds) {
  for (const Flag& flag : flags) {
    if (holds(flag.name) == flag.negated) return false;
  }
  return true;
}

// A dispute's kind tags: its reason group, "return" when the goods go back, and every
// dispute_type the marketplace sent ("chargeback", "a_to_z", "not_received", ...).
std::vector<std::string> KindTags(const DisputeFacts& d) {
  std::vector<std::string> tags = d.types;
  if (d.outcome) {
    switch (d.outcome->reason) {
      case disputes::ReasonGroup::kNotReceived:
        tags.push_back("not_received");
        break;
      case disputes::ReasonGroup::kNotAsDescribed:
        tags.push_back("not_as_described");
        break;
      case disputes::ReasonGroup::kBuyerReason:
        tags.push_back("buyer_reason");
        break;
      case disputes::ReasonGroup::kUnknown:
        break;
    }
    if (d.outcome->return_requested) tags.push_back("return");
  }
  return tags;
}

bool DisputeMatches(const OrderFacts& o, const DisputeFacts& d, const Match& m) {
  if (!m.kinds.empty()) {
    const auto tags = KindTags(d);
    const bool any = std::any_of(m.kinds.begin(), m.kinds.end(), [&](const std::string& k) {
      return std::find(tags.begin(), tags.end(), k) != tags.end();
    });
    if (!any) return false;
  }
  return AllFlags(m.when, [&](std::string_view n) { return DisputeFlag(o, d, n); });
}

bool FeedbackMatches(const FeedbackFacts& f, const Match& m) {
  return f.rating >= m.rating_min && f.rating <= m.rating_max &&
         AllFlags(m.when, [&](std::string_view n) { return FeedbackFlag(f, n); });
}

// Whether any fact of the order matches `m` (the order itself, one dispute, one feedback).
bool OrderHas(const OrderFacts& o, const Match& m) {
  switch (m.fact) {
    case FactKind::kOrder:
      return AllFlags(m.when, [&](std::string_view n) { return OrderFlag(o, n); });
    case FactKind::kDispute:
      return std::any_of(o.disputes.begin(), o.disputes.end(),
                         [&](const auto& d) { return DisputeMatches(o, d.second, m); });
    case FactKind::kFeedback:
      return std::any_of(o.feedback.begin(), o.feedback.end(),
                         [&](const auto& f) { return FeedbackMatches(f.second, m); });
    case FactKind::kConversation:
      return false;
  }
  return false;
}

bool Excluded(const RuleSet& rules, const CounterRule& counter, const OrderFacts& o) {
  for (const std::string& name : counter.exclude) {
    const Exclusion* e = rules.FindExclusion(name);
    if (e == nullptr) continue;  // the parser rejects unknown names
    if (e->order_value_usd_below) {
      if (!o.value_usd) continue;  // unknown value: counted (the caller should always give it)
      const auto value = ParseDecimalRatio(*o.value_usd);
      if (value && CompareRatio(*value, *e->order_value_usd_below) < 0) return true;
    } else if (e->order_has && OrderHas(o, *e->order_has)) {
      return true;
    }
  }
  return false;
}

Result<void> AddOn(const RuleSet& rules, std::map<Day, Counters>& out, std::optional<TimePoint> at,
                   const std::string& counter, int64_t value) {
  if (!at) return Ok();  // the attribution instant is not known yet: counted once it is
  auto day = LocalDay(rules.time_zone, *at);
  if (!day) return day.error();
  Counters& c = out[day.value()];
  if ((c[counter] += value) == 0) c.erase(counter);
  return Ok();
}

std::optional<TimePoint> OrderTime(const OrderFacts& o, DayOf day_of) {
  switch (day_of) {
    case DayOf::kOrderPlaced:
      return o.placed_at;
    case DayOf::kOrderShipped:
      return o.shipped_at;
    case DayOf::kOrderCompleted:
      return o.completed_at;
    case DayOf::kOrderCancelled:
      return o.cancelled_at;
    default:
      return std::nullopt;
  }
}

std::optional<TimePoint> FirstReply(const ConversationFacts& c) {
  if (!c.first_buyer_at) return std::nullopt;
  const std::vector<TimePoint> replies = HumanReplies(c);
  auto it = std::lower_bound(replies.begin(), replies.end(), *c.first_buyer_at);
  if (it == replies.end()) return std::nullopt;
  return *it;
}

// The latest seller messages beyond kMaxSellerMessages can only matter once more than that many
// earlier ones turned out to be bots' or came before the buyer's first message.
void TrimSellerMessages(ConversationFacts& facts) {
  auto& all = facts.seller_messages;
  while (all.size() > kMaxSellerMessages) {
    auto latest = std::max_element(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return std::tie(a.second.at, a.first) < std::tie(b.second.at, b.first);
    });
    all.erase(latest);
  }
}

Result<std::vector<CounterDelta>> Diff(const std::string& store_id, const RuleSet& rules,
                                       const std::map<Day, Counters>& before,
                                       const std::map<Day, Counters>& after) {
  std::map<Day, Counters> diff;
  for (const auto& [day, counters] : after) diff[day] = counters;
  for (const auto& [day, counters] : before) diff[day] = SubtractCounters(diff[day], counters);
  std::vector<CounterDelta> out;
  for (auto& [day, counters] : diff) {
    if (counters.empty()) continue;
    out.push_back(CounterDelta{CounterKey{store_id, rules.Key(), day}, std::move(counters)});
  }
  return out;
}

void AddAll(std::map<Day, Counters>& into, const std::map<Day, Counters>& more) {
  for (const auto& [day, counters] : more) into[day] = MergeCounters(into[day], counters);
}

}  // namespace

DisputeOutcome OutcomeOf(const disputes::Dispute& dispute) {
  DisputeOutcome out;
  out.opened_at = dispute.opened_at;
  out.reason = disputes::GroupOf(dispute.reason);
  out.state = dispute.state;
  out.responsibility = dispute.responsibility;
  out.refund = dispute.refund;
  for (const disputes::Proposal& p : dispute.proposals) {
    if (p.party == Party::kBuyer && p.solution == disputes::Solution::kReturnAndRefund) {
      out.return_requested = true;
    }
  }
  std::optional<TimePoint> ruled_at;
  for (const disputes::HistoryEntry& h : dispute.history) {
    if (!h.applied) continue;
    if (h.event.kind == disputes::EventKind::kReturnRequested) out.return_requested = true;
    if (h.event.kind == disputes::EventKind::kEscalated)
      MinInto(out.escalated_at, h.event.occurred_at);
    if (h.event.kind == disputes::EventKind::kRuled) MinInto(ruled_at, h.event.occurred_at);
  }
  // A ruling implies arbitration even when the escalation itself was never reported.
  if (!out.escalated_at && ruled_at) out.escalated_at = ruled_at;
  return out;
}

std::string BuyerKey(const OrderFacts& order) {
  return order.buyer_id.empty() ? "order:" + order.order_id : order.buyer_id;
}

OrderFacts FoldOrder(OrderFacts facts, const proto::Event& event, const EventContext& context) {
  const TimePoint at = FromProto(event.occurred_at());
  if (facts.store_id.empty()) facts.store_id = event.store_id();
  if (facts.order_id.empty()) facts.order_id = event.order().order_id();
  if (facts.marketplace.empty()) facts.marketplace = event.marketplace();
  const std::string& buyer = event.buyer().id().empty() ? context.buyer_id : event.buyer().id();
  if (!buyer.empty() && (facts.buyer_id.empty() || buyer < facts.buyer_id)) {
    facts.buyer_id = buyer;
  }
  if (context.order_value_usd) {
    // The latest statement of the value wins; equal times take the larger text, so the result
    // does not depend on arrival order.
    if (!facts.value_usd || at > facts.value_at ||
        (at == facts.value_at && *context.order_value_usd > *facts.value_usd)) {
      facts.value_usd = context.order_value_usd;
      facts.value_at = at;
    }
  }
  if (context.order_placed_at) MinInto(facts.placed_at, *context.order_placed_at);
  if (context.ship_by && (!facts.ship_by || *context.ship_by > *facts.ship_by)) {
    facts.ship_by = context.ship_by;  // an extended handling time only ever helps the seller
  }
  if (context.tracking_valid) {
    facts.tracking_checked = true;
    facts.tracking_valid = facts.tracking_valid || *context.tracking_valid;
  }

  if (event.has_order_update()) {
    const proto::OrderUpdate& u = event.order_update();
    switch (u.status()) {
      case proto::ORDER_STATUS_CREATED:
      case proto::ORDER_STATUS_UNPAID:
      case proto::ORDER_STATUS_PAID:
      case proto::ORDER_STATUS_AWAITING_SHIPMENT:
        MinInto(facts.placed_at, at);
        break;
      case proto::ORDER_STATUS_SHIPPED:
        MinInto(facts.shipped_at, at);
        break;
      case proto::ORDER_STATUS_DELIVERED:
      case proto::ORDER_STATUS_COMPLETED:
        MinInto(facts.completed_at, at);
        break;
      case proto::ORDER_STATUS_CANCELLED:
        MinInto(facts.cancelled_at, at);
        break;
      default:
        break;
    }
    if (u.status() == proto::ORDER_STATUS_CANCELLED && context.cancelled_by &&
        CancelRank(*context.cancelled_by) > CancelRank(facts.cancelled_by)) {
      facts.cancelled_by = *context.cancelled_by;
    }
    if (!u.tracking_number().empty()) MinInto(facts.tracking_at, at);
  } else if (event.has_dispute_update()) {
    const proto::DisputeUpdate& u = event.dispute_update();
    const std::string id = u.dispute_id().empty() ? facts.order_id : u.dispute_id();
    DisputeFacts& d = facts.disputes[id];
    d.id = id;
    MinInto(d.opened_at, at);
    if (!u.dispute_type().empty() &&
        !std::binary_search(d.types.begin(), d.types.end(), u.dispute_type())) {
      d.types.insert(std::upper_bound(d.types.begin(), d.types.end(), u.dispute_type()),
                     u.dispute_type());
    }
    // The machine's state is a function of the set of dispute events it has seen, so the
    // outcome given with the last event processed is the outcome of all of them.
    if (context.dispute) d.outcome = context.dispute;
  } else if (event.has_feedback_posted()) {
    const proto::FeedbackPosted& p = event.feedback_posted();
    if (p.rating() >= 1 && p.rating() <= 5) {
      FeedbackFacts f;
      f.id = p.feedback_id().empty() ? event.event_id() : p.feedback_id();
      f.at = at;
      f.rating = p.rating();
      f.dsr_described = context.dsr_described;
      f.dsr_communication = context.dsr_communication;
      f.dsr_shipping = context.dsr_shipping;
      auto it = facts.feedback.find(f.id);
      auto rank = [](const FeedbackFacts& x) {
        return std::tie(x.at, x.rating, x.dsr_described, x.dsr_communication, x.dsr_shipping);
      };
      // An edited feedback: the latest version wins (ties: the larger, for a total order).
      if (it == facts.feedback.end() || rank(f) > rank(it->second)) facts.feedback[f.id] = f;
    }
  }
  return facts;
}

std::string ConversationKeyOf(const proto::Event& event, const EventContext& context) {
  if (!context.conversation_key.empty()) return context.conversation_key;
  if (event.has_outbound_update()) return event.outbound_update().conversation_id();
  if (event.has_buyer_message()) return event.buyer_message().conversation_id();
  return "";
}

std::vector<TimePoint> HumanReplies(const ConversationFacts& c) {
  using Entry = std::pair<const std::string, SellerMessageFacts>;
  auto earlier = [](const Entry* a, const Entry* b) {
    return std::tie(a->second.at, a->first) < std::tie(b->second.at, b->first);
  };
  // Sends the marketplace gave no id for, and reports no send claims by id: the only ones
  // whose identity is a matter of time.
  std::vector<const Entry*> sends;
  std::vector<const Entry*> reports;
  for (const Entry& e : c.seller_messages) {
    const bool sent = e.second.csgw_auto || e.second.csgw_agent;
    if (sent && !e.second.reported && e.first.starts_with(kCsgwSendPrefix)) {
      sends.push_back(&e);
    } else if (e.second.reported && !sent) {
      reports.push_back(&e);
    }
  }
  std::sort(sends.begin(), sends.end(), earlier);
  std::sort(reports.begin(), reports.end(), earlier);
  std::map<const Entry*, const Entry*> echo_of;  // report → the send it is the echo of
  std::set<const Entry*> echoed;
  for (const Entry* send : sends) {
    const Entry* best = nullptr;
    TimePoint::duration best_gap{};
    for (const Entry* report : reports) {
      if (report->second.at < send->second.at - kEchoTolerance) continue;
      if (report->second.at > send->second.at + kEchoTolerance) break;
      if (echo_of.contains(report)) continue;
      const auto gap = report->second.at < send->second.at ? send->second.at - report->second.at
                                                           : report->second.at - send->second.at;
      if (best == nullptr || gap < best_gap) {
        best = report;
        best_gap = gap;
      }
    }
    if (best != nullptr) {
      echo_of.emplace(best, send);
      echoed.insert(send);
    }
  }
  std::vector<TimePoint> out;
  for (const Entry& e : c.seller_messages) {
    if (echoed.contains(&e)) continue;  // counted as one message with its report
    SellerMessageFacts m = e.second;
    if (auto it = echo_of.find(&e); it != echo_of.end()) {
      const SellerMessageFacts& send = it->second->second;
      m.at = std::min(m.at, send.at);
      m.csgw_auto = m.csgw_auto || send.csgw_auto;
      m.csgw_agent = m.csgw_agent || send.csgw_agent;
    }
    // An agent's send through csgw is a human reply whatever else claims the message.
    if (m.csgw_agent || (m.reported && !m.csgw_auto && !m.flagged_bot)) out.push_back(m.at);
  }
  std::sort(out.begin(), out.end());
  return out;
}

ConversationFacts FoldConversation(ConversationFacts facts, const proto::Event& event,
                                   const EventContext& context) {
  const bool sent = event.has_outbound_update() && context.csgw_send.has_value() &&
                    event.outbound_update().step() == "sent";
  if (!event.has_buyer_message() && !sent) return facts;
  if (facts.store_id.empty()) facts.store_id = event.store_id();
  if (facts.conversation_id.empty()) facts.conversation_id = ConversationKeyOf(event, context);
  if (facts.marketplace.empty()) facts.marketplace = event.marketplace();
  const TimePoint at = FromProto(event.occurred_at());
  // Every report of a message lowers its time to the earliest and adds what it says about the
  // author: a function of the set of reports, whichever arrives first.
  auto report = [&](const std::string& key) -> SellerMessageFacts& {
    auto [it, added] = facts.seller_messages.try_emplace(key);
    if (added || at < it->second.at) it->second.at = at;
    return it->second;
  };
  if (sent) {
    const proto::OutboundUpdate& u = event.outbound_update();
    SellerMessageFacts& m =
        report(u.marketplace_message_id().empty() ? std::string(kCsgwSendPrefix) + u.outbox_id()
                                                  : u.marketplace_message_id());
    if (*context.csgw_send == SendAuthor::kAgent) {
      m.csgw_agent = true;
    } else {
      m.csgw_auto = true;
    }
  } else {
    const proto::BuyerMessage& m = event.buyer_message();
    if (m.kind() != proto::BuyerMessage::KIND_NEW) return facts;
    if (m.sender() == proto::SENDER_ROLE_BUYER) {
      MinInto(facts.first_buyer_at, at);
    } else if (m.sender() == proto::SENDER_ROLE_SELLER) {
      SellerMessageFacts& seller =
          report(m.message_id().empty()
                     ? std::string(kNoIdPrefix) + std::to_string(at.time_since_epoch().count())
                     : m.message_id());
      seller.reported = true;
      seller.flagged_bot = seller.flagged_bot || context.bot_reply;
    }
  }
  TrimSellerMessages(facts);
  return facts;
}

std::vector<std::string> BuyerKeysFor(const OrderFacts& before, const proto::Event& event,
                                      const EventContext& context) {
  std::vector<std::string> keys;
  if (!before.feedback.empty()) keys.push_back(BuyerKey(before));
  const OrderFacts after = FoldOrder(before, event, context);
  if (!after.feedback.empty()) {
    const std::string key = BuyerKey(after);
    if (keys.empty() || keys[0] != key) keys.push_back(key);
  }
  return keys;
}

Result<std::map<Day, Counters>> OrderContribution(const RuleSet& rules, const OrderFacts& o) {
  std::map<Day, Counters> out;
  for (const CounterRule& c : rules.counters) {
    if (c.match.fact != FactKind::kOrder && c.match.fact != FactKind::kDispute) continue;
    if (Excluded(rules, c, o)) continue;
    if (c.match.fact == FactKind::kOrder) {
      if (!OrderHas(o, c.match)) continue;
      if (!c.any.empty() && std::none_of(c.any.begin(), c.any.end(),
                                         [&](const Match& m) { return OrderHas(o, m); })) {
        continue;
      }
      if (auto ok = AddOn(rules, out, OrderTime(o, c.day_of), c.name, 1); !ok) return ok.error();
      continue;
    }
    for (const auto& [id, d] : o.disputes) {
      if (!DisputeMatches(o, d, c.match)) continue;
      std::optional<TimePoint> at = c.day_of == DayOf::kDisputeOpened ? DisputeOpened(d)
                                    : c.day_of == DayOf::kDisputeEscalated
                                        ? (d.outcome ? d.outcome->escalated_at : std::nullopt)
                                        : o.placed_at;
      if (auto ok = AddOn(rules, out, at, c.name, 1); !ok) return ok.error();
    }
  }
  return out;
}

Result<std::map<Day, Counters>> BuyerContribution(const RuleSet& rules, const BuyerFacts& buyer) {
  std::map<Day, Counters> out;
  struct Item {
    TimePoint at;
    const OrderFacts* order;
    const FeedbackFacts* feedback;
  };
  for (const CounterRule& c : rules.counters) {
    if (c.match.fact != FactKind::kFeedback) continue;
    std::vector<Item> items;
    for (const auto& [order_id, o] : buyer.orders) {
      if (Excluded(rules, c, o)) continue;
      for (const auto& [id, f] : o.feedback) items.push_back(Item{f.at, &o, &f});
    }
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
      return std::tie(a.at, a.order->order_id, a.feedback->id) <
             std::tie(b.at, b.order->order_id, b.feedback->id);
    });
    // Once per N days: the buyer's earliest counted rating opens a period of N days in which
    // their further ratings (of any stars) are not counted; the next one after it opens the
    // next period. A function of the buyer's set of ratings, so replays agree.
    std::optional<TimePoint> period_start;
    for (const Item& item : items) {
      if (c.dedupe_buyer_days > 0) {
        if (period_start &&
            item.at - *period_start < std::chrono::hours(24) * c.dedupe_buyer_days) {
          continue;
        }
        period_start = item.at;
      }
      const FeedbackFacts& f = *item.feedback;
      if (!FeedbackMatches(f, c.match)) continue;
      int64_t value = 1;
      switch (c.value) {
        case Value::kRating:
          value = f.rating;
          break;
        case Value::kDsrDescribed:
        case Value::kDsrCommunication:
        case Value::kDsrShipping: {
          const auto& dsr = c.value == Value::kDsrDescribed       ? f.dsr_described
                            : c.value == Value::kDsrCommunication ? f.dsr_communication
                                                                  : f.dsr_shipping;
          if (!dsr) continue;
          value = *dsr;
          break;
        }
        default:
          break;
      }
      const std::optional<TimePoint> at =
          c.day_of == DayOf::kOrderPlaced ? item.order->placed_at : std::optional(f.at);
      if (auto ok = AddOn(rules, out, at, c.name, value); !ok) return ok.error();
    }
  }
  return out;
}

Result<std::map<Day, Counters>> ConversationContribution(const RuleSet& rules,
                                                         const ConversationFacts& conv) {
  std::map<Day, Counters> out;
  if (!conv.first_buyer_at) return out;
  const auto reply = FirstReply(conv);
  const auto sla = rules.ReplySla(conv.marketplace);
  for (const CounterRule& c : rules.counters) {
    if (c.match.fact != FactKind::kConversation) continue;
    const bool ok = AllFlags(c.match.when, [&](std::string_view n) {
      if (n == "answered") return reply.has_value();
      if (n == "answered_within_sla") {
        return reply.has_value() && sla.has_value() && *reply - *conv.first_buyer_at <= *sla;
      }
      return false;
    });
    if (!ok) continue;
    int64_t value = 1;
    if (c.value == Value::kFirstResponseSeconds) {
      if (!reply) continue;
      value =
          std::chrono::duration_cast<std::chrono::seconds>(*reply - *conv.first_buyer_at).count();
    }
    if (auto r = AddOn(rules, out, conv.first_buyer_at, c.name, value); !r) return r.error();
  }
  return out;
}

Result<OrderCount> CountOrderEvent(std::span<const RuleSet> rule_sets, const OrderFacts& before,
                                   const std::map<std::string, BuyerFacts>& buyers,
                                   const proto::Event& event, const EventContext& context) {
  OrderCount result;
  result.order = FoldOrder(before, event, context);
  const std::vector<std::string> keys = BuyerKeysFor(before, event, context);
  for (const std::string& key : keys) {
    auto it = buyers.find(key);
    result.buyers[key] = it == buyers.end() ? BuyerFacts{} : it->second;
  }
  std::map<std::string, BuyerFacts> buyers_before = result.buyers;
  if (!before.feedback.empty()) result.buyers[BuyerKey(before)].orders.erase(before.order_id);
  if (!result.order.feedback.empty()) {
    result.buyers[BuyerKey(result.order)].orders[result.order.order_id] = result.order;
  }
  for (const RuleSet& rules : rule_sets) {
    if (!rules.Applies(event.marketplace())) continue;
    auto after = OrderContribution(rules, result.order);
    if (!after) return after.error();
    auto prior = OrderContribution(rules, before);
    if (!prior) return prior.error();
    for (const std::string& key : keys) {
      auto a = BuyerContribution(rules, result.buyers[key]);
      if (!a) return a.error();
      AddAll(after.value(), a.value());
      auto b = BuyerContribution(rules, buyers_before[key]);
      if (!b) return b.error();
      AddAll(prior.value(), b.value());
    }
    auto deltas = Diff(event.store_id(), rules, prior.value(), after.value());
    if (!deltas) return deltas.error();
    for (CounterDelta& d : deltas.value()) result.deltas.push_back(std::move(d));
  }
  return result;
}

Result<ConversationCount> CountMessageEvent(std::span<const RuleSet> rule_sets,
                                            const ConversationFacts& before,
                                            const proto::Event& event,
                                            const EventContext& context) {
  ConversationCount result;
  result.conversation = FoldConversation(before, event, context);
  for (const RuleSet& rules : rule_sets) {
    if (!rules.Applies(event.marketplace())) continue;
    auto after = ConversationContribution(rules, result.conversation);
    if (!after) return after.error();
    auto prior = ConversationContribution(rules, before);
    if (!prior) return prior.error();
    auto deltas = Diff(event.store_id(), rules, prior.value(), after.value());
    if (!deltas) return deltas.error();
    for (CounterDelta& d : deltas.value()) result.deltas.push_back(std::move(d));
  }
  return result;
}

Result<ConversationCount> AbsorbConversation(std::span<const RuleSet> rule_sets,
                                             const ConversationFacts& into,
                                             const ConversationFacts& absorbed) {
  ConversationCount result;
  ConversationFacts& merged = result.conversation = into;
  if (merged.store_id.empty()) merged.store_id = absorbed.store_id;
  if (merged.marketplace.empty()) merged.marketplace = absorbed.marketplace;
  if (absorbed.first_buyer_at) MinInto(merged.first_buyer_at, *absorbed.first_buyer_at);
  for (const auto& [key, m] : absorbed.seller_messages) {
    auto [it, added] = merged.seller_messages.try_emplace(key, m);
    if (added) continue;
    SellerMessageFacts& known = it->second;
    known.at = std::min(known.at, m.at);
    known.reported = known.reported || m.reported;
    known.flagged_bot = known.flagged_bot || m.flagged_bot;
    known.csgw_auto = known.csgw_auto || m.csgw_auto;
    known.csgw_agent = known.csgw_agent || m.csgw_agent;
  }
  TrimSellerMessages(merged);
  for (const RuleSet& rules : rule_sets) {
    if (!rules.Applies(absorbed.marketplace)) continue;
    auto after = ConversationContribution(rules, merged);
    if (!after) return after.error();
    auto prior = ConversationContribution(rules, into);
    if (!prior) return prior.error();
    auto moved = ConversationContribution(rules, absorbed);
    if (!moved) return moved.error();
    AddAll(prior.value(), moved.value());
    auto deltas = Diff(absorbed.store_id, rules, prior.value(), after.value());
    if (!deltas) return deltas.error();
    for (CounterDelta& d : deltas.value()) result.deltas.push_back(std::move(d));
  }
  return result;
}

Result<void> Recount::Add(const proto::Event& event, const EventContext& context) {
  if (event.has_order_update() || event.has_dispute_update() || event.has_feedback_posted()) {
    if (event.order().order_id().empty()) {
      return MakeError(Errc::kMissingField, "event " + event.event_id() + ": order.order_id");
    }
    OrderFacts& before =
        orders_[{event.store_id(), event.marketplace(), event.order().order_id()}];
    std::map<std::string, BuyerFacts> buyers;
    for (const std::string& key : BuyerKeysFor(before, event, context)) {
      auto it = buyers_.find({event.store_id(), event.marketplace(), key});
      buyers[key] = it == buyers_.end() ? BuyerFacts{} : it->second;
    }
    auto counted = CountOrderEvent(rule_sets_, before, buyers, event, context);
    if (!counted) return counted.error();
    before = std::move(counted.value().order);
    for (auto& [key, facts] : counted.value().buyers) {
      if (facts.orders.empty()) {
        buyers_.erase({event.store_id(), event.marketplace(), key});
      } else {
        buyers_[{event.store_id(), event.marketplace(), key}] = std::move(facts);
      }
    }
    counters_.Apply(counted.value().deltas);
    return Ok();
  }
  if (event.has_buyer_message() || (event.has_outbound_update() && context.csgw_send)) {
    const std::string key = ConversationKeyOf(event, context);
    if (key.empty()) {
      return MakeError(Errc::kMissingField,
                       "event " + event.event_id() +
                           (event.has_buyer_message() ? ": buyer_message.conversation_id"
                                                      : ": outbound_update.conversation_id"));
    }
    ConversationFacts& before = conversations_[{event.store_id(), event.marketplace(), key}];
    auto counted = CountMessageEvent(rule_sets_, before, event, context);
    if (!counted) return counted.error();
    before = std::move(counted.value().conversation);
    counters_.Apply(counted.value().deltas);
  }
  return Ok();
}

}  // namespace csgw::odr
