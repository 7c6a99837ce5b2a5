#include "gateway/pipeline/odr_counting.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "base/log.h"
#include "base/strings.h"
#include "gateway/config/config.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/pipeline/conversations.h"
#include "gateway/pipeline/disputes_records.h"
#include "gateway/pipeline/odr_alerts.h"
#include "odr/facts_codec.h"
#include "proto/csgw/v1/disputes.pb.h"

namespace csgw::gateway {
namespace {

// Rule-set files are small; a larger one is a mistake.
constexpr size_t kMaxRuleFileBytes = 1 << 20;

Result<std::string> ReadSmallFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(Errc::kInvalidField, "cannot read " + path.string());
  std::string text(kMaxRuleFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxRuleFileBytes) {
    return MakeError(Errc::kInvalidField, path.string() + " is over 1 MiB");
  }
  return text;
}

// The rule sets of rules_dir over the built-in ones, in file-name order.
Result<std::vector<odr::RuleSet>> LoadRuleSets(const std::string& dir) {
  std::vector<odr::RuleSet> sets = odr::DefaultRuleSets();
  if (dir.empty()) return sets;
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (ec) return MakeError(Errc::kInvalidField, "odr.rules_dir " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    auto text = ReadSmallFile(path);
    if (!text) return MakeError(Errc::kInvalidField, "odr.rules_dir: " + text.error().message);
    auto parsed = odr::ParseRuleSet(text.value());
    if (!parsed) {
      return MakeError(Errc::kInvalidField,
                       "odr.rules_dir: " + path.string() + ": " + parsed.error().message);
    }
    auto same = std::find_if(sets.begin(), sets.end(),
                             [&](const odr::RuleSet& s) { return s.id == parsed.value().id; });
    if (same != sets.end()) {
      *same = std::move(parsed).value();
    } else {
      sets.push_back(std::move(parsed).value());
    }
  }
  return sets;
}

__int128 Gcd(__int128 a, __int128 b) {
  while (b != 0) {
    const __int128 t = a % b;
    a = b;
    b = t;
  }
  return a < 0 ? -a : a;
}

// num/den (non-negative) as a decimal, exact when den divides 10^6, else rounded down to
// millionths.
std::string FormatDecimal(__int128 num, __int128 den) {
  const __int128 whole = num / den;
  __int128 rest = num % den;
  std::string out;
  {
    __int128 w = whole;
    do {
      out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(w % 10)));
      w /= 10;
    } while (w > 0);
  }
  if (rest == 0) return out;
  out.push_back('.');
  for (int i = 0; i < 6 && rest != 0; ++i) {
    rest *= 10;
    out.push_back(static_cast<char>('0' + static_cast<int>(rest / den)));
    rest %= den;
  }
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

// --- one batch's fact records -----------------------------------------------------------------

template <class Facts>
struct Cached {
  Facts facts;
  bool dirty = false;
};

// Reads fact records once per batch and keeps them changed in memory until they are written.
class FactCache {
 public:
  explicit FactCache(const EventStore& store) : store_(store) {}

  Result<odr::OrderFacts*> Order(const std::string& key) {
    return Load(orders_, key, odr::DecodeOrderFacts);
  }
  Result<odr::BuyerFacts*> Buyer(const std::string& key) {
    return Load(buyers_, key, odr::DecodeBuyerFacts);
  }
  Result<odr::ConversationFacts*> Conversation(const std::string& key) {
    return Load(conversations_, key, odr::DecodeConversationFacts);
  }
  void MarkOrder(const std::string& key) { orders_.at(key).dirty = true; }
  void MarkBuyer(const std::string& key) { buyers_.at(key).dirty = true; }
  void MarkConversation(const std::string& key) { conversations_.at(key).dirty = true; }
  // The record goes (after being taken over); its facts read as empty from now on.
  void EraseConversation(const std::string& key) {
    Cached<odr::ConversationFacts>& c = conversations_.at(key);
    c.facts = {};
    c.dirty = false;
    erased_.insert(key);
  }

  void AppendWrites(std::vector<TableWrite>& writes) const {
    for (const auto& [key, c] : orders_) {
      if (c.dirty) writes.push_back({Table::kOdrFacts, key, odr::EncodeOrderFacts(c.facts)});
    }
    for (const auto& [key, c] : buyers_) {
      if (c.dirty) writes.push_back({Table::kOdrFacts, key, odr::EncodeBuyerFacts(c.facts)});
    }
    for (const auto& [key, c] : conversations_) {
      if (c.dirty) {
        writes.push_back({Table::kOdrFacts, key, odr::EncodeConversationFacts(c.facts)});
      }
    }
  }
  void AppendErases(std::vector<TableKey>& erase) const {
    for (const std::string& key : erased_) erase.push_back({Table::kOdrFacts, key});
  }

 private:
  template <class Facts, class Decode>
  Result<Facts*> Load(std::map<std::string, Cached<Facts>>& cache, const std::string& key,
                      Decode decode) {
    auto it = cache.find(key);
    if (it != cache.end()) return &it->second.facts;
    auto stored = store_.GetRecord(Table::kOdrFacts, key);
    if (!stored) return stored.error();
    Cached<Facts> entry;
    if (stored.value()) {
      auto decoded = decode(*stored.value());
      if (!decoded) {
        // Ids only: the key names store, marketplace and entity.
        log::Error("odr.corrupt_facts", {{"error", decoded.error().message}});
        return MakeError(Errc::kStorageFailure, "unreadable odr fact record");
      }
      entry.facts = std::move(decoded).value();
    }
    return &cache.emplace(key, std::move(entry)).first->second.facts;
  }

  const EventStore& store_;
  std::map<std::string, Cached<odr::OrderFacts>> orders_;
  std::map<std::string, Cached<odr::BuyerFacts>> buyers_;
  std::map<std::string, Cached<odr::ConversationFacts>> conversations_;
  std::set<std::string> erased_;
};

// The counter deltas of a batch, summed per key.
class Deltas {
 public:
  void Add(std::vector<odr::CounterDelta>& deltas) {
    for (odr::CounterDelta& d : deltas) {
      odr::Counters& into = sums_[d.key];
      into = odr::MergeCounters(into, d.values);
    }
  }
  void AppendMerges(std::vector<odr::CounterDelta>& merges) const {
    for (const auto& [key, values] : sums_) {
      if (!values.empty()) merges.push_back(odr::CounterDelta{key, values});
    }
  }
  // (store, rule set key) pairs with a non-zero delta.
  std::set<std::pair<std::string, std::string>> Touched() const {
    std::set<std::pair<std::string, std::string>> out;
    for (const auto& [key, values] : sums_) {
      if (!values.empty()) out.emplace(key.store_id, key.rule_set);
    }
    return out;
  }
  const std::map<odr::CounterKey, odr::Counters>& sums() const { return sums_; }

 private:
  std::map<odr::CounterKey, odr::Counters> sums_;
};

// The stored counters with the batch's deltas on top: alerts evaluated in the batch that counted
// see its counts, before they are written.
class OverlaySource final : public odr::CounterSource {
 public:
  OverlaySource(const odr::CounterSource& base, const Deltas& deltas)
      : base_(base), deltas_(deltas) {}
  Result<std::vector<std::pair<odr::Day, odr::Counters>>> Range(std::string_view store_id,
                                                                std::string_view rule_set,
                                                                odr::Day from,
                                                                odr::Day to) const override {
    auto rows = base_.Range(store_id, rule_set, from, to);
    if (!rows) return rows.error();
    std::map<odr::Day, odr::Counters> merged(rows.value().begin(), rows.value().end());
    const odr::CounterKey lo{std::string(store_id), std::string(rule_set), from};
    for (auto it = deltas_.sums().lower_bound(lo); it != deltas_.sums().end(); ++it) {
      if (it->first.store_id != store_id || it->first.rule_set != rule_set ||
          it->first.day > to) {
        break;
      }
      merged[it->first.day] = odr::MergeCounters(merged[it->first.day], it->second);
    }
    std::vector<std::pair<odr::Day, odr::Counters>> out;
    for (auto& [day, counters] : merged) {
      if (!counters.empty()) out.emplace_back(day, std::move(counters));
    }
    return out;
  }

 private:
  const odr::CounterSource& base_;
  const Deltas& deltas_;
};

// Counts one order, dispute or feedback event against the cached facts.
Result<void> CountOrder(const OdrRules& rules, FactCache& cache, Deltas& deltas,
                        const proto::Event& event, const odr::EventContext& context) {
  const std::string order_key = OdrFactKey('o', event.store_id(), event.marketplace(),
                                           event.order().order_id());
  auto order = cache.Order(order_key);
  if (!order) return order.error();
  std::map<std::string, odr::BuyerFacts> buyers;
  for (const std::string& key : odr::BuyerKeysFor(*order.value(), event, context)) {
    auto buyer = cache.Buyer(OdrFactKey('b', event.store_id(), event.marketplace(), key));
    if (!buyer) return buyer.error();
    buyers[key] = *buyer.value();
  }
  auto counted =
      odr::CountOrderEvent(rules.For(event.store_id()), *order.value(), buyers, event, context);
  if (!counted) return counted.error();
  if (counted.value().order != *order.value()) {
    *order.value() = std::move(counted.value().order);
    cache.MarkOrder(order_key);
  }
  for (auto& [key, facts] : counted.value().buyers) {
    const std::string buyer_key = OdrFactKey('b', event.store_id(), event.marketplace(), key);
    auto buyer = cache.Buyer(buyer_key);
    if (!buyer) return buyer.error();
    if (facts != *buyer.value()) {
      *buyer.value() = std::move(facts);
      cache.MarkBuyer(buyer_key);
    }
  }
  deltas.Add(counted.value().deltas);
  return Ok();
}

// Counts one buyer message or csgw send against the conversation's cached facts.
Result<void> CountConversation(const OdrRules& rules, FactCache& cache, Deltas& deltas,
                               const proto::Event& event, const odr::EventContext& context) {
  const std::string key = OdrFactKey('v', event.store_id(), event.marketplace(),
                                     odr::ConversationKeyOf(event, context));
  auto conversation = cache.Conversation(key);
  if (!conversation) return conversation.error();
  if (event.has_buyer_message()) {
    // Counted before the gateway's conversation was the entity: under the marketplace's thread
    // (kind 'c'). Its next message moves it over, so that it is not counted twice; `csgw odr
    // rebuild` leaves none behind.
    const std::string legacy_key = OdrFactKey('c', event.store_id(), event.marketplace(),
                                              event.buyer_message().conversation_id());
    auto legacy = cache.Conversation(legacy_key);
    if (!legacy) return legacy.error();
    if (!legacy.value()->conversation_id.empty()) {
      auto absorbed = odr::AbsorbConversation(rules.For(event.store_id()), *conversation.value(),
                                              *legacy.value());
      if (!absorbed) return absorbed.error();
      *conversation.value() = std::move(absorbed.value().conversation);
      cache.MarkConversation(key);
      cache.EraseConversation(legacy_key);
      deltas.Add(absorbed.value().deltas);
    }
  }
  auto counted =
      odr::CountMessageEvent(rules.For(event.store_id()), *conversation.value(), event, context);
  if (!counted) return counted.error();
  if (counted.value().conversation != *conversation.value()) {
    *conversation.value() = std::move(counted.value().conversation);
    cache.MarkConversation(key);
  }
  deltas.Add(counted.value().deltas);
  return Ok();
}

// A dispute update as the dispute machine's state changed it: the event with the outcome.
Result<void> CountDispute(const OdrRules& rules, FactCache& cache, Deltas& deltas,
                          const proto::Event& event, const DisputeLookup& disputes) {
  odr::EventContext context = OdrContextOf(event, rules);
  if (const std::string key = DisputeRecordKey(event); !key.empty() && disputes) {
    auto dispute = disputes(key);
    if (!dispute) return dispute.error();
    if (dispute.value()) context.dispute = odr::OutcomeOf(*dispute.value());
  }
  return CountOrder(rules, cache, deltas, event, context);
}

}  // namespace

// --- OdrRules ----------------------------------------------------------------------------------

OdrRules::OdrRules() : all_(odr::DefaultRuleSets()) {}

Result<std::shared_ptr<const OdrRules>> OdrRules::FromConfig(const proto::OdrConfig& config) {
  auto rules = std::make_shared<OdrRules>();
  auto sets = LoadRuleSets(config.rules_dir());
  if (!sets) return sets.error();
  rules->all_ = std::move(sets).value();
  for (int i = 0; i < config.stores_size(); ++i) {
    const proto::OdrStore& store = config.stores(i);
    const std::string field = "odr.stores[" + std::to_string(i) + "]";
    if (!store.rule_sets().empty()) {
      std::vector<odr::RuleSet> chosen;
      for (const std::string& id : store.rule_sets()) {
        const odr::RuleSet* set = odr::FindRuleSet(rules->all_, id);
        if (set == nullptr) {
          return MakeError(Errc::kInvalidField, field + ".rule_sets: no rule set " + id);
        }
        chosen.push_back(*set);
      }
      rules->per_store_[store.store_id()] = std::move(chosen);
    }
    if (!store.alert_webhook_url().empty()) {
      auto secret = ResolveSecret(store.alert_signing_secret(), field + ".alert_signing_secret");
      if (!secret) return secret.error();
      rules->webhooks_[store.store_id()] =
          Webhook{store.alert_webhook_url(), std::move(secret).value()};
    }
  }
  for (const auto& [currency, rate] : config.usd_rates()) {
    auto ratio = odr::ParseDecimalRatio(rate);
    if (!ratio || ratio->num == 0) {
      return MakeError(Errc::kInvalidField, "odr.usd_rates." + currency + " is not a positive decimal");
    }
    rules->usd_rates_[currency] = *ratio;
  }
  return std::shared_ptr<const OdrRules>(std::move(rules));
}

std::span<const odr::RuleSet> OdrRules::For(std::string_view store_id) const {
  auto it = per_store_.find(store_id);
  return it == per_store_.end() ? std::span<const odr::RuleSet>(all_)
                                : std::span<const odr::RuleSet>(it->second);
}

const odr::RuleSet* OdrRules::Find(std::string_view store_id, std::string_view id) const {
  return odr::FindRuleSet(For(store_id), id);
}

const OdrRules::Webhook* OdrRules::WebhookFor(std::string_view store_id) const {
  auto it = webhooks_.find(store_id);
  return it == webhooks_.end() ? nullptr : &it->second;
}

std::optional<std::string> OdrRules::UsdValue(const proto::Money& money) const {
  const auto amount = odr::ParseDecimalRatio(money.amount());
  if (!amount) return std::nullopt;
  const std::string currency = AsciiUpper(money.currency());
  odr::Ratio rate{1, 1};
  if (currency != "USD") {
    auto it = usd_rates_.find(currency);
    if (it == usd_rates_.end()) return std::nullopt;
    rate = it->second;
  }
  __int128 num = static_cast<__int128>(amount->num) * rate.num;
  __int128 den = static_cast<__int128>(amount->den) * rate.den;
  const __int128 g = Gcd(num, den);
  if (g > 1) {
    num /= g;
    den /= g;
  }
  return FormatDecimal(num, den);
}

// --- event → context ---------------------------------------------------------------------------

std::optional<odr::SendAuthor> SendAuthorOf(const proto::OutboundUpdate& update) {
  if (update.step() != "sent" || update.conversation_id().empty()) return std::nullopt;
  // A draft sent on its own ("auto") or a proactive message ("scheduler"): csgw wrote it.
  if (update.requested_by() == "auto" || update.requested_by() == "scheduler") {
    return odr::SendAuthor::kAutomatic;
  }
  // Another kind from an agent (a dispute proposal) is not addressed to a conversation.
  if (std::string_view(update.requested_by()).starts_with("agent:") && update.kind() == "reply") {
    return odr::SendAuthor::kAgent;
  }
  return std::nullopt;
}

bool CountsForOdr(const proto::Event& event) {
  if (event.has_order_update() || event.has_dispute_update() || event.has_feedback_posted()) {
    return !event.order().order_id().empty();
  }
  if (event.has_buyer_message()) return !event.buyer_message().conversation_id().empty();
  if (event.has_outbound_update()) return SendAuthorOf(event.outbound_update()).has_value();
  return false;
}

std::optional<disputes::Party> CancelledByOf(std::string_view reason) {
  const std::string r = AsciiLower(reason);
  auto starts = [&](std::initializer_list<std::string_view> words) {
    return std::any_of(words.begin(), words.end(),
                       [&](std::string_view w) { return std::string_view(r).starts_with(w); });
  };
  if (starts({"seller", "out_of_stock", "no_stock", "not_shipped", "ship_timeout",
              "undeliverable_address"})) {
    return disputes::Party::kSeller;
  }
  if (starts({"buyer", "customer"})) return disputes::Party::kBuyer;
  if (starts({"platform", "system", "risk", "fraud", "payment"})) return disputes::Party::kPlatform;
  return std::nullopt;
}

odr::EventContext OdrContextOf(const proto::Event& event, const OdrRules& rules) {
  odr::EventContext context;
  if (event.has_buyer_message()) {
    // The conversation csgw files the message under, which its sends name.
    context.conversation_key = ConversationId(event);
    return context;
  }
  if (event.has_outbound_update()) {
    context.conversation_key = event.outbound_update().conversation_id();
    context.csgw_send = SendAuthorOf(event.outbound_update());
    return context;
  }
  if (!event.has_order_update()) return context;
  const proto::OrderUpdate& u = event.order_update();
  if (u.has_total() && !u.total().amount().empty()) {
    context.order_value_usd = rules.UsdValue(u.total());
  }
  if (u.has_ship_by()) context.ship_by = FromTimestamp(u.ship_by());
  if (u.status() == proto::ORDER_STATUS_CANCELLED) context.cancelled_by = CancelledByOf(u.reason());
  return context;
}

std::string OdrFactKey(char kind, std::string_view store_id, std::string_view marketplace,
                       std::string_view id) {
  std::string key(store_id);
  key.push_back('\0');
  key.push_back(kind);
  key.push_back('\0');
  key.append(marketplace);
  key.push_back('\0');
  key.append(id);
  return key;
}

// --- OdrCounting -------------------------------------------------------------------------------

struct OdrCounting::Batch::State {
  State(OdrCounting& o) : owner(o), lock(o.mutex_), cache(o.store_) {}
  OdrCounting& owner;
  std::unique_lock<std::mutex> lock;
  FactCache cache;
  Deltas deltas;
  std::vector<proto::Event> disputes;  // counted in Finish, with the dispute's final state
  std::optional<Error> error;          // the first failure of Add
};

OdrCounting::OdrCounting(EventStore& store, std::shared_ptr<const OdrRules> rules,
                         const Clock& clock)
    : store_(store), rules_(std::move(rules)), clock_(clock) {}

OdrCounting::~OdrCounting() = default;

OdrCounting::Batch::Batch(OdrCounting& owner) : state_(std::make_unique<State>(owner)) {}
OdrCounting::Batch::Batch(Batch&&) noexcept = default;
OdrCounting::Batch::~Batch() = default;

OdrCounting::Batch OdrCounting::Begin() { return Batch(*this); }

void OdrCounting::Batch::Add(const proto::Event& event) {
  State& s = *state_;
  if (s.error || !CountsForOdr(event)) return;
  if (event.has_dispute_update()) {
    proto::Event copy = event;
    copy.clear_raw();  // the payload bytes are not needed to count
    s.disputes.push_back(std::move(copy));
    return;
  }
  const OdrRules& rules = *s.owner.rules_;
  const odr::EventContext context = OdrContextOf(event, rules);
  auto counted = event.has_buyer_message() || event.has_outbound_update()
                     ? CountConversation(rules, s.cache, s.deltas, event, context)
                     : CountOrder(rules, s.cache, s.deltas, event, context);
  if (!counted) s.error = counted.error();
}

Result<void> OdrCounting::Batch::Finish(const DisputeLookup& disputes, StateBatch& batch) {
  State& s = *state_;
  if (s.error) return *s.error;
  const OdrRules& rules = *s.owner.rules_;
  for (const proto::Event& event : s.disputes) {
    if (auto counted = CountDispute(rules, s.cache, s.deltas, event, disputes); !counted) {
      return counted.error();
    }
  }
  s.cache.AppendWrites(batch.writes);
  s.cache.AppendErases(batch.erase);
  s.deltas.AppendMerges(batch.merges);

  // Alerts of what this batch changed, each store and rule set at most once per interval.
  const TimePoint now = s.owner.clock_.Now();
  const StoreCounterSource stored(s.owner.store_);
  const OverlaySource counters(stored, s.deltas);
  for (const auto& [store_id, rule_set_key] : s.deltas.Touched()) {
    const odr::RuleSet* set = nullptr;
    for (const odr::RuleSet& r : rules.For(store_id)) {
      if (r.Key() == rule_set_key) set = &r;
    }
    if (set == nullptr) continue;
    TimePoint& last = s.owner.evaluated_[{store_id, rule_set_key}];
    if (last != TimePoint{} && now - last < s.owner.alert_interval_) continue;
    last = now;
    auto raised = EvaluateAlerts(s.owner.store_, counters, *set, store_id, now,
                                 rules.WebhookFor(store_id), s.owner.sink_, batch);
    if (!raised) return raised.error();
  }
  return Ok();
}

Result<size_t> OdrCounting::EvaluateAll(TimePoint now) {
  std::lock_guard lock(mutex_);
  auto stores = store_.StoreIds();
  if (!stores) return stores.error();
  const StoreCounterSource counters(store_);
  StateBatch batch;
  size_t raised_total = 0;
  for (const std::string& store_id : stores.value()) {
    auto keys = store_.CounterRuleSets(store_id);
    if (!keys) return keys.error();
    for (const odr::RuleSet& set : rules_->For(store_id)) {
      if (std::find(keys.value().begin(), keys.value().end(), set.Key()) == keys.value().end()) {
        continue;  // never counted anything: nothing to report
      }
      auto raised = EvaluateAlerts(store_, counters, set, store_id, now,
                                   rules_->WebhookFor(store_id), sink_, batch);
      if (!raised) return raised.error();
      raised_total += raised.value().size();
      evaluated_[{store_id, set.Key()}] = now;
    }
  }
  batch.sync = true;  // sends may be in it
  if (auto written = store_.Commit(batch); !written) return written.error();
  return raised_total;
}

Result<void> OdrCounting::CountDisputeChange(const disputes::Dispute& dispute) {
  if (dispute.order_id.empty() || dispute.store_id.empty()) return Ok();
  std::lock_guard lock(mutex_);
  FactCache cache(store_);
  Deltas deltas;
  auto order =
      cache.Order(OdrFactKey('o', dispute.store_id, dispute.marketplace, dispute.order_id));
  if (!order) return order.error();
  auto known = order.value()->disputes.find(dispute.id);
  // Not counted yet: its own events will be, with this state.
  if (known == order.value()->disputes.end() || !known->second.opened_at) return Ok();
  // The change as a dispute update of the order that carries nothing new but the outcome: at
  // the dispute's first time already folded, so no time moves.
  proto::Event event;
  event.set_event_id("dispute-change/" + dispute.id);
  event.set_marketplace(dispute.marketplace);
  event.set_store_id(dispute.store_id);
  event.mutable_order()->set_order_id(dispute.order_id);
  event.mutable_dispute_update()->set_dispute_id(dispute.id);
  SetTimestamp(event.mutable_occurred_at(), *known->second.opened_at);
  const DisputeLookup lookup = [&](const std::string&) -> Result<std::optional<disputes::Dispute>> {
    return std::optional<disputes::Dispute>(dispute);
  };
  if (auto counted = CountDispute(*rules_, cache, deltas, event, lookup); !counted) {
    return counted.error();
  }
  StateBatch batch;
  cache.AppendWrites(batch.writes);
  deltas.AppendMerges(batch.merges);
  if (batch.writes.empty() && batch.merges.empty()) return Ok();
  return store_.Commit(batch);
}

Result<OdrRebuildSummary> RebuildOdr(EventStore& store, const OdrRules& rules,
                                     std::string_view only_store) {
  OdrRebuildSummary summary;
  std::vector<std::string> stores;
  if (!only_store.empty()) {
    stores.emplace_back(only_store);
  } else {
    auto all = store.StoreIds();
    if (!all) return all.error();
    stores = std::move(all).value();
  }
  for (const std::string& store_id : stores) {
    const auto sets = rules.For(store_id);
    odr::Recount recount(std::vector<odr::RuleSet>(sets.begin(), sets.end()));
    // The disputes as stored: their state is what the pipeline last counted them with.
    std::map<std::string, std::optional<disputes::Dispute>> disputes;
    const DisputeLookup lookup =
        [&](const std::string& key) -> Result<std::optional<disputes::Dispute>> {
      auto it = disputes.find(key);
      if (it != disputes.end()) return it->second;
      auto record = store.GetRecord(Table::kDisputes, key);
      if (!record) return record.error();
      std::optional<disputes::Dispute> found;
      if (record.value()) {
        proto::StoredDispute stored;
        if (!stored.ParseFromString(*record.value())) {
          return MakeError(Errc::kStorageFailure, "unreadable dispute record " + key);
        }
        auto dispute = FromStored(stored);
        if (!dispute) return dispute.error();
        found = std::move(dispute).value();
      }
      return disputes.emplace(key, std::move(found)).first->second;
    };
    ListQuery query;
    query.store_id = store_id;
    query.limit = 10'000;
    while (true) {
      auto page = store.List(query);
      if (!page) return page.error();
      for (const proto::Event& event : page.value()) {
        query.after_sequence = event.sequence();
        ++summary.events;
        if (!CountsForOdr(event)) continue;
        ++summary.counted;
        odr::EventContext context = OdrContextOf(event, rules);
        if (event.has_dispute_update()) {
          if (const std::string key = DisputeRecordKey(event); !key.empty()) {
            auto dispute = lookup(key);
            if (!dispute) return dispute.error();
            if (dispute.value()) context.dispute = odr::OutcomeOf(*dispute.value());
          }
        }
        if (auto added = recount.Add(event, context); !added) {
          ++summary.failed;
          log::Warn("odr.rebuild_event_refused", {{"sequence", event.sequence()},
                                                  {"store", store_id},
                                                  {"error", added.error().message}});
        }
      }
      if (page.value().size() < query.limit) break;
    }

    std::vector<TableWrite> facts;
    for (const auto& [key, order] : recount.orders()) {
      if (order.order_id.empty()) continue;  // an entry of an event that was refused
      facts.push_back({Table::kOdrFacts,
                       OdrFactKey('o', std::get<0>(key), std::get<1>(key), std::get<2>(key)),
                       odr::EncodeOrderFacts(order)});
    }
    for (const auto& [key, buyer] : recount.buyers()) {
      facts.push_back({Table::kOdrFacts,
                       OdrFactKey('b', std::get<0>(key), std::get<1>(key), std::get<2>(key)),
                       odr::EncodeBuyerFacts(buyer)});
    }
    for (const auto& [key, conversation] : recount.conversations()) {
      if (conversation.conversation_id.empty()) continue;
      facts.push_back({Table::kOdrFacts,
                       OdrFactKey('v', std::get<0>(key), std::get<1>(key), std::get<2>(key)),
                       odr::EncodeConversationFacts(conversation)});
    }
    std::vector<odr::CounterDelta> counters;
    for (const auto& [key, values] : recount.counters().all()) {
      counters.push_back(odr::CounterDelta{key, values});
    }
    if (auto replaced = store.ReplaceOdr(store_id, facts, counters); !replaced) {
      return replaced.error();
    }
    ++summary.stores;
    summary.counter_days += counters.size();
    summary.fact_records += facts.size();
    log::Info("odr.rebuilt", {{"store", store_id},
                              {"counter_days", static_cast<uint64_t>(counters.size())},
                              {"fact_records", static_cast<uint64_t>(facts.size())}});
  }
  return summary;
}

}  // namespace csgw::gateway
