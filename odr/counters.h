// Per-store daily counters: name → integer, per (store, rule set version, local day), kept by
// the store with an additive RocksDB merge operator. Everything here is pure: keys and values
// encode to bytes, and MergeCounters adds a delta into an existing value.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace csgw::odr {

// A civil date in a rule set's time zone.
using Day = std::chrono::sys_days;

// The local day of `instant` in `zone` (system tz database via csgw::i18n).
Result<Day> LocalDay(std::string_view zone, TimePoint instant);
// "2024-04-01".
std::string FormatDay(Day day);
// "2024-04-01" → Day; nullopt if not a valid date.
std::optional<Day> ParseDay(std::string_view text);
// `day` moved by whole calendar months, the day-of-month clamped to the month's end.
Day AddMonths(Day day, int months);

// Counter name → value. Zero entries are never stored (MergeCounters drops them), so two maps
// with the same figures compare equal.
using Counters = std::map<std::string, int64_t>;

struct CounterKey {
  std::string store_id;
  std::string rule_set;  // RuleSet::Key(): "aliexpress-2015@1"
  Day day;
  friend auto operator<=>(const CounterKey&, const CounterKey&) = default;
};

struct CounterDelta {
  CounterKey key;
  Counters values;
  friend bool operator==(const CounterDelta&, const CounterDelta&) = default;
};

// existing + delta, entry by entry; entries that become zero are removed. Associative and
// commutative: a merge operator may apply deltas in any grouping and order.
Counters MergeCounters(const Counters& existing, const Counters& delta);
// a − b (for before/after contributions).
Counters SubtractCounters(const Counters& a, const Counters& b);

// Key bytes: "odr1" 0x00 store 0x00 rule_set 0x00 YYYYMMDD. Store ids and rule-set keys may not
// contain 0x00 (marketplace ids never do; EncodeCounterKey rejects it). The day is last and
// fixed-width so that one store's days of one rule set are one contiguous, ordered range:
// CounterKeyPrefix(store, rule_set) + EncodeDay(from) .. EncodeDay(to) is a range scan.
Result<std::string> EncodeCounterKey(const CounterKey& key);
Result<CounterKey> DecodeCounterKey(std::string_view bytes);
std::string CounterKeyPrefix(std::string_view store_id, std::string_view rule_set);
std::string EncodeDay(Day day);  // "20240401"

// Value bytes: "c1" then, per entry in name order, varint(name length), name, zig-zag varint
// (value). Deterministic: equal maps encode to equal bytes.
std::string EncodeCounters(const Counters& counters);
// kInvalidField for bytes that are not such an encoding.
Result<Counters> DecodeCounters(std::string_view bytes);
// The merge operator's body over encoded values (empty `existing` = no value yet).
Result<std::string> MergeEncoded(std::string_view existing, std::string_view delta);

// The sum of many encoded values without decoding them into maps: the merge operator's path when
// a read or a compaction meets a run of deltas. Equal to folding MergeEncoded over them.
// Names are views into the added bytes, which must outlive the sum.
class EncodedCounterSum {
 public:
  // kInvalidField for bytes that are not an encoding (the sum is then unspecified).
  Result<void> Add(std::string_view encoded);
  // The encoded sum; entries that sum to zero are left out.
  std::string Encode() const;

 private:
  std::vector<std::pair<std::string_view, int64_t>> entries_;  // by name
  std::vector<std::pair<std::string_view, int64_t>> scratch_;
};

// Where reports read counters from. The store implements it over RocksDB; InMemoryCounters
// (below) serves tests and `csgw odr rebuild`.
class CounterSource {
 public:
  virtual ~CounterSource() = default;
  // Each day in [from, to] that has counters, ascending.
  virtual Result<std::vector<std::pair<Day, Counters>>> Range(std::string_view store_id,
                                                              std::string_view rule_set, Day from,
                                                              Day to) const = 0;
};

class InMemoryCounters final : public CounterSource {
 public:
  void Apply(const CounterDelta& delta);
  void Apply(const std::vector<CounterDelta>& deltas) {
    for (const CounterDelta& d : deltas) Apply(d);
  }
  const std::map<CounterKey, Counters>& all() const { return counters_; }
  Result<std::vector<std::pair<Day, Counters>>> Range(std::string_view store_id,
                                                      std::string_view rule_set, Day from,
                                                      Day to) const override;
  friend bool operator==(const InMemoryCounters& a, const InMemoryCounters& b) {
    return a.counters_ == b.counters_;
  }

 private:
  std::map<CounterKey, Counters> counters_;
};

}  // namespace csgw::odr
