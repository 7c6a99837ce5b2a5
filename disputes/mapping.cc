#include "disputes/mapping.h"

#include <algorithm>
#include <array>
#include <utility>

#include "base/strings.h"
#include "disputes/own_proposal.h"
#include "disputes/own_timer.h"

namespace csgw::disputes {
namespace mapping_internal {

Result<Expansion> Expansion::Start(const proto::Event& event) {
  if (!event.has_dispute_update()) {
    return MakeError(Errc::kMissingField,
                     "event " + event.event_id() + ": field 'dispute_update' is required");
  }
  if (event.event_id().empty()) {
    return MakeError(Errc::kMissingField, "field 'event_id' is required");
  }
  if (event.dispute_update().dispute_id().empty()) {
    return MakeError(Errc::kMissingField, "event " + event.event_id() +
                                              ": field 'dispute_update.dispute_id' is required");
  }
  if (!event.has_occurred_at()) {
    return MakeError(Errc::kMissingField,
                     "event " + event.event_id() + ": field 'occurred_at' is required");
  }
  Expansion e;
  e.update_ = event.dispute_update();
  e.event_id_ = event.event_id();
  e.at_ = TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::seconds(event.occurred_at().seconds()) +
      std::chrono::nanoseconds(event.occurred_at().nanos())));
  e.sequence_ = event.sequence();
  return e;
}

DisputeEvent& Expansion::Push(EventKind kind, std::string id, bool implied) {
  DisputeEvent& e = events_.emplace_back();
  e.event_id = std::move(id);
  e.kind = kind;
  e.occurred_at = at_;
  e.sequence = sequence_;
  e.step = static_cast<int>(events_.size()) - 1;
  e.implied = implied;
  e.marketplace_status = update_.marketplace_status();
  // Buyers may change the reason while the dispute runs: every event carries the current one.
  if (const Reason r = ReasonFromCode(update_.reason()); r != Reason::kUnknown) e.reason = r;
  return e;
}

DisputeEvent& Expansion::Add(EventKind kind, bool implied) {
  return Push(kind,
              event_id_ + "#" + std::to_string(events_.size()) + ":" + std::string(Name(kind)),
              implied);
}

DisputeEvent& Expansion::ImplyOpened(Solution solution) {
  DisputeEvent& e = Push(EventKind::kOpened, update_.dispute_id() + "#opened", true);
  e.actor = Party::kBuyer;
  e.solution = solution;
  e.amount = amount();
  return e;
}

void Expansion::ImplyRuling(Responsibility responsibility) {
  Add(EventKind::kEscalated, true);
  Add(EventKind::kRuled, true).responsibility = responsibility;
}

DisputeEvent& Expansion::Close(bool refunded, const std::optional<Money>& order_total) {
  DisputeEvent& close = Add(EventKind::kClosed);
  close.amount = refunded ? amount() : std::nullopt;
  close.refund =
      refunded ? ClassifyRefund(close.amount, order_total, Refund::kFull) : Refund::kNoRefund;
  return close;
}

void Expansion::SetAfterSalesProtection(bool value) {
  for (DisputeEvent& e : events_) e.after_sales_protection = value;
}

std::optional<Money> Expansion::amount() const {
  if (!update_.has_refund_amount() || update_.refund_amount().amount().empty()) {
    return std::nullopt;
  }
  return FromProto(update_.refund_amount());
}

Refund ClassifyRefund(const std::optional<Money>& amount, const std::optional<Money>& total,
                      Refund fallback) {
  if (amount) {
    auto value = ParseMoney(*amount);
    if (value && value.value().IsZero()) return Refund::kNoRefund;
    if (total) {
      auto cmp = Compare(*amount, *total);
      if (cmp) return cmp.value() >= 0 ? Refund::kFull : Refund::kPartial;
    }
  }
  return fallback;
}

}  // namespace mapping_internal

Reason ReasonFromCode(std::string_view code) {
  if (auto exact = ParseReason(code)) return *exact;
  const std::string s = AsciiLower(code);
  auto has = [&](std::string_view word) { return s.find(word) != std::string::npos; };
  // Sub-reasons first: "quantity shortage" is also "not as described".
  struct Keyword {
    std::string_view word;
    Reason reason;
  };
  static constexpr std::array<Keyword, 14> kKeywords = {{
      {"counterfeit", Reason::kCounterfeit},
      {"fake", Reason::kCounterfeit},
      {"quantity", Reason::kQuantityShort},
      {"missing_part", Reason::kQuantityShort},
      {"damage", Reason::kDamaged},
      {"wrong_item", Reason::kWrongItem},
      {"quality", Reason::kQuality},
      {"defective", Reason::kQuality},
      {"customs", Reason::kCustoms},
      {"tracking", Reason::kInvalidTracking},
      {"returned_to_sender", Reason::kReturnedToSender},
      {"address", Reason::kWrongAddress},
      {"in_transit", Reason::kInTransit},
      {"no_longer_need", Reason::kBuyerReason},
  }};
  for (const Keyword& k : kKeywords) {
    if (has(k.word)) return k.reason;
  }
  // AliExpress legacy arbitration codes (xiajian/aliexpress_php_sdk ApiSellerSubmitArbiParam)
  // and the generic phrases.
  if (has("notreceived") || has("not_received") || has("not received")) {
    return Reason::kNotReceivedOther;
  }
  if (has("nomatchdesc") || has("not_as_described") || has("not as described")) {
    return Reason::kNotAsDescribedOther;
  }
  return Reason::kUnknown;
}

std::span<const std::string_view> MappedMarketplaces() {
  static constexpr std::array<std::string_view, 4> kMarketplaces = {"aliexpress", "ebay", "lazada",
                                                                    "mercadolibre"};
  return kMarketplaces;
}

Result<std::vector<DisputeEvent>> MapEvent(const proto::Event& event,
                                           const MappingContext& context) {
  // csgw's own proposals come under the dispute's marketplace: the same key, the same order.
  if (IsOwnProposal(event)) return MapOwnProposal(event);
  if (IsOwnTimer(event)) return MapOwnTimer(event);
  const std::string& m = event.marketplace();
  if (m == "aliexpress") return MapAliExpress(event, context);
  if (m == "mercadolibre") return MapMercadoLibre(event, context);
  if (m == "ebay") return MapEbay(event, context);
  if (m == "lazada") return MapLazada(event, context);
  return MakeError(
      Errc::kUnknownMarketplace,
      "event " + event.event_id() + ": no dispute mapping for marketplace '" + m + "'");
}

}  // namespace csgw::disputes
