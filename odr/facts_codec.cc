#include "odr/facts_codec.h"

#include <array>
#include <cstdlib>
#include <optional>

namespace csgw::odr {
namespace {

constexpr std::string_view kOrderTag = "o1";
constexpr std::string_view kBuyerTag = "b1";
constexpr std::string_view kConversationTag = "v2";
// Before csgw's sends were counted: human reply times only (every seller message a human's).
constexpr std::string_view kConversationTagV1 = "v1";

// SellerMessageFacts flags, as bits of one varint.
constexpr uint64_t kReported = 1;
constexpr uint64_t kFlaggedBot = 2;
constexpr uint64_t kCsgwAuto = 4;
constexpr uint64_t kCsgwAgent = 8;
constexpr uint64_t kAllFlags = kReported | kFlaggedBot | kCsgwAuto | kCsgwAgent;

// Stored codes: the index in these lists. Append new enumerators at the end, never reorder.
constexpr std::array kStates = {
    disputes::State::kNone,          disputes::State::kAwaitingSellerResponse,
    disputes::State::kNegotiating,   disputes::State::kArbitrating,
    disputes::State::kAgreed,        disputes::State::kRuled,
    disputes::State::kAwaitingReturnShipment, disputes::State::kAwaitingSellerReceipt,
    disputes::State::kClosed,        disputes::State::kCancelled};
constexpr std::array kReasonGroups = {
    disputes::ReasonGroup::kUnknown, disputes::ReasonGroup::kNotReceived,
    disputes::ReasonGroup::kNotAsDescribed, disputes::ReasonGroup::kBuyerReason};
constexpr std::array kResponsibilities = {
    disputes::Responsibility::kNone, disputes::Responsibility::kSeller,
    disputes::Responsibility::kBuyer, disputes::Responsibility::kNeither,
    disputes::Responsibility::kUnknown};
constexpr std::array kRefunds = {disputes::Refund::kNone, disputes::Refund::kFull,
                                 disputes::Refund::kPartial, disputes::Refund::kNoRefund};
constexpr std::array kParties = {disputes::Party::kNone, disputes::Party::kBuyer,
                                 disputes::Party::kSeller, disputes::Party::kPlatform};

template <class E, size_t N>
uint64_t CodeOf(const std::array<E, N>& list, E value) {
  for (size_t i = 0; i < N; ++i) {
    if (list[i] == value) return i;
  }
  std::abort();  // an enumerator missing from its list: a defect of this file
}

class Writer {
 public:
  explicit Writer(std::string_view tag) : out_(tag) {}
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void Signed(int64_t v) {
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void Bool(bool b) { out_.push_back(b ? '\1' : '\0'); }
  void String(std::string_view s) {
    Varint(s.size());
    out_.append(s);
  }
  void Time(TimePoint t) { Signed(t.time_since_epoch().count()); }
  template <class T, class F>
  void Optional(const std::optional<T>& v, F&& write) {
    Bool(v.has_value());
    if (v) write(*v);
  }
  void OptionalTime(const std::optional<TimePoint>& t) {
    Optional(t, [this](TimePoint x) { Time(x); });
  }
  void OptionalInt(const std::optional<int>& v) {
    Optional(v, [this](int x) { Signed(x); });
  }
  template <class E, size_t N>
  void Enum(const std::array<E, N>& list, E value) {
    Varint(CodeOf(list, value));
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads what Writer wrote; the first failure sticks (ok() false) and later reads give zeros.
class Reader {
 public:
  Reader(std::string_view bytes, std::string_view tag) : in_(bytes) {
    if (in_.substr(0, tag.size()) != tag) {
      ok_ = false;
      return;
    }
    in_.remove_prefix(tag.size());
  }
  bool ok() const { return ok_; }
  bool done() const { return ok_ && in_.empty(); }

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && ok_; shift += 7) {
      if (in_.empty()) break;
      const auto byte = static_cast<unsigned char>(in_.front());
      in_.remove_prefix(1);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    ok_ = false;
    return 0;
  }
  int64_t Signed() {
    const uint64_t zz = Varint();
    return static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1);
  }
  bool Bool() {
    if (in_.empty() || static_cast<unsigned char>(in_.front()) > 1) {
      ok_ = false;
      return false;
    }
    const bool b = in_.front() == '\1';
    in_.remove_prefix(1);
    return b;
  }
  std::string String() {
    const uint64_t n = Varint();
    if (!ok_ || n > in_.size()) {
      ok_ = false;
      return {};
    }
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  TimePoint Time() { return TimePoint(TimePoint::duration(Signed())); }
  std::optional<TimePoint> OptionalTime() {
    if (!Bool()) return std::nullopt;
    return Time();
  }
  std::optional<int> OptionalInt() {
    if (!Bool()) return std::nullopt;
    return static_cast<int>(Signed());
  }
  template <class E, size_t N>
  E Enum(const std::array<E, N>& list) {
    const uint64_t code = Varint();
    if (code >= N) {
      ok_ = false;
      return list[0];
    }
    return list[code];
  }
  // A count of items that each take at least one byte: bounds allocations by the input size.
  size_t Count() {
    const uint64_t n = Varint();
    if (n > in_.size()) {
      ok_ = false;
      return 0;
    }
    return static_cast<size_t>(n);
  }

 private:
  std::string_view in_;
  bool ok_ = true;
};

Error Bad(std::string_view what) {
  return MakeError(Errc::kInvalidField, "odr facts: malformed " + std::string(what) + " record");
}

void WriteOrder(Writer& w, const OrderFacts& o) {
  w.String(o.store_id);
  w.String(o.order_id);
  w.String(o.marketplace);
  w.String(o.buyer_id);
  for (const auto* t : {&o.placed_at, &o.shipped_at, &o.completed_at, &o.cancelled_at,
                        &o.tracking_at, &o.ship_by}) {
    w.OptionalTime(*t);
  }
  w.Optional(o.value_usd, [&](const std::string& v) { w.String(v); });
  w.Time(o.value_at);
  w.Bool(o.tracking_valid);
  w.Bool(o.tracking_checked);
  w.Enum(kParties, o.cancelled_by);
  w.Varint(o.disputes.size());
  for (const auto& [key, d] : o.disputes) {
    w.String(key);
    w.String(d.id);
    w.OptionalTime(d.opened_at);
    w.Varint(d.types.size());
    for (const std::string& t : d.types) w.String(t);
    w.Optional(d.outcome, [&](const DisputeOutcome& out) {
      w.Time(out.opened_at);
      w.Enum(kReasonGroups, out.reason);
      w.Bool(out.return_requested);
      w.OptionalTime(out.escalated_at);
      w.Enum(kStates, out.state);
      w.Enum(kResponsibilities, out.responsibility);
      w.Enum(kRefunds, out.refund);
    });
  }
  w.Varint(o.feedback.size());
  for (const auto& [key, f] : o.feedback) {
    w.String(key);
    w.String(f.id);
    w.Time(f.at);
    w.Signed(f.rating);
    w.OptionalInt(f.dsr_described);
    w.OptionalInt(f.dsr_communication);
    w.OptionalInt(f.dsr_shipping);
  }
}

OrderFacts ReadOrder(Reader& r) {
  OrderFacts o;
  o.store_id = r.String();
  o.order_id = r.String();
  o.marketplace = r.String();
  o.buyer_id = r.String();
  for (auto* t : {&o.placed_at, &o.shipped_at, &o.completed_at, &o.cancelled_at, &o.tracking_at,
                  &o.ship_by}) {
    *t = r.OptionalTime();
  }
  if (r.Bool()) o.value_usd = r.String();
  o.value_at = r.Time();
  o.tracking_valid = r.Bool();
  o.tracking_checked = r.Bool();
  o.cancelled_by = r.Enum(kParties);
  for (size_t n = r.Count(); n > 0 && r.ok(); --n) {
    std::string key = r.String();
    DisputeFacts d;
    d.id = r.String();
    d.opened_at = r.OptionalTime();
    for (size_t t = r.Count(); t > 0 && r.ok(); --t) d.types.push_back(r.String());
    if (r.Bool()) {
      DisputeOutcome out;
      out.opened_at = r.Time();
      out.reason = r.Enum(kReasonGroups);
      out.return_requested = r.Bool();
      out.escalated_at = r.OptionalTime();
      out.state = r.Enum(kStates);
      out.responsibility = r.Enum(kResponsibilities);
      out.refund = r.Enum(kRefunds);
      d.outcome = out;
    }
    o.disputes.emplace(std::move(key), std::move(d));
  }
  for (size_t n = r.Count(); n > 0 && r.ok(); --n) {
    std::string key = r.String();
    FeedbackFacts f;
    f.id = r.String();
    f.at = r.Time();
    f.rating = static_cast<int>(r.Signed());
    f.dsr_described = r.OptionalInt();
    f.dsr_communication = r.OptionalInt();
    f.dsr_shipping = r.OptionalInt();
    o.feedback.emplace(std::move(key), std::move(f));
  }
  return o;
}

}  // namespace

std::string EncodeOrderFacts(const OrderFacts& facts) {
  Writer w(kOrderTag);
  WriteOrder(w, facts);
  return w.Take();
}

std::string EncodeBuyerFacts(const BuyerFacts& facts) {
  Writer w(kBuyerTag);
  w.Varint(facts.orders.size());
  for (const auto& [key, order] : facts.orders) {
    w.String(key);
    WriteOrder(w, order);
  }
  return w.Take();
}

std::string EncodeConversationFacts(const ConversationFacts& facts) {
  Writer w(kConversationTag);
  w.String(facts.store_id);
  w.String(facts.conversation_id);
  w.String(facts.marketplace);
  w.OptionalTime(facts.first_buyer_at);
  w.Varint(facts.seller_messages.size());
  for (const auto& [key, m] : facts.seller_messages) {
    w.String(key);
    w.Time(m.at);
    w.Varint((m.reported ? kReported : 0) | (m.flagged_bot ? kFlaggedBot : 0) |
             (m.csgw_auto ? kCsgwAuto : 0) | (m.csgw_agent ? kCsgwAgent : 0));
  }
  return w.Take();
}

Result<OrderFacts> DecodeOrderFacts(std::string_view bytes) {
  Reader r(bytes, kOrderTag);
  OrderFacts facts = ReadOrder(r);
  if (!r.done()) return Bad("order");
  return facts;
}

Result<BuyerFacts> DecodeBuyerFacts(std::string_view bytes) {
  Reader r(bytes, kBuyerTag);
  BuyerFacts facts;
  for (size_t n = r.Count(); n > 0 && r.ok(); --n) {
    std::string key = r.String();
    facts.orders.emplace(std::move(key), ReadOrder(r));
  }
  if (!r.done()) return Bad("buyer");
  return facts;
}

Result<ConversationFacts> DecodeConversationFacts(std::string_view bytes) {
  const bool v1 = bytes.starts_with(kConversationTagV1);
  Reader r(bytes, v1 ? kConversationTagV1 : kConversationTag);
  ConversationFacts facts;
  facts.store_id = r.String();
  facts.conversation_id = r.String();
  facts.marketplace = r.String();
  facts.first_buyer_at = r.OptionalTime();
  for (size_t n = r.Count(); n > 0 && r.ok(); --n) {
    if (v1) {
      // A reported seller message without id, as the fold keys those.
      const TimePoint at = r.Time();
      SellerMessageFacts& m = facts.seller_messages[std::string(kNoIdPrefix) +
                                                    std::to_string(at.time_since_epoch().count())];
      m.at = at;
      m.reported = true;
      continue;
    }
    std::string key = r.String();
    SellerMessageFacts m;
    m.at = r.Time();
    const uint64_t flags = r.Varint();
    if ((flags & ~kAllFlags) != 0) return Bad("conversation");
    m.reported = (flags & kReported) != 0;
    m.flagged_bot = (flags & kFlaggedBot) != 0;
    m.csgw_auto = (flags & kCsgwAuto) != 0;
    m.csgw_agent = (flags & kCsgwAgent) != 0;
    if (!facts.seller_messages.emplace(std::move(key), m).second) return Bad("conversation");
  }
  if (!r.done()) return Bad("conversation");
  return facts;
}

}  // namespace csgw::odr
