#include "odr/counters.h"

#include <cstdio>

#include "i18n/time_zone.h"

namespace csgw::odr {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

constexpr std::string_view kKeyMagic = "odr1";
constexpr std::string_view kValueMagic = "c1";

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

Error BadValue(std::string_view why) {
  return MakeError(Errc::kInvalidField, "odr counter value: " + std::string(why));
}

}  // namespace

Result<Day> LocalDay(std::string_view zone, TimePoint instant) {
  auto local = i18n::ToLocal(zone, instant);
  if (!local) return local.error();
  const auto& l = local.value();
  return Day(year_month_day(year(l.year), month(l.month), day(l.day)));
}

std::string FormatDay(Day d) {
  const year_month_day ymd(d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::optional<Day> ParseDay(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const size_t starts[3] = {0, 5, 8};
  const size_t lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (size_t i = 0; i < lengths[p]; ++i) {
      const char c = text[starts[p] + i];
      if (c < '0' || c > '9') return std::nullopt;
      parts[p] = parts[p] * 10 + (c - '0');
    }
  }
  const year_month_day ymd(year(parts[0]), month(static_cast<unsigned>(parts[1])),
                           day(static_cast<unsigned>(parts[2])));
  if (!ymd.ok()) return std::nullopt;
  return Day(ymd);
}

Day AddMonths(Day d, int months) {
  const year_month_day ymd(d);
  const std::chrono::year_month ym =
      std::chrono::year_month(ymd.year(), ymd.month()) + std::chrono::months(months);
  const auto last =
      std::chrono::year_month_day_last(ym.year(), std::chrono::month_day_last(ym.month()));
  const day dd = std::min(ymd.day(), last.day());
  return Day(year_month_day(ym.year(), ym.month(), dd));
}

Counters MergeCounters(const Counters& existing, const Counters& delta) {
  Counters out = existing;
  for (const auto& [name, value] : delta) {
    const int64_t sum = (out[name] += value);
    if (sum == 0) out.erase(name);
  }
  return out;
}

Counters SubtractCounters(const Counters& a, const Counters& b) {
  Counters negated;
  for (const auto& [name, value] : b) negated[name] = -value;
  return MergeCounters(a, negated);
}

std::string EncodeDay(Day d) {
  std::string s = FormatDay(d);
  return s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2);
}

std::string CounterKeyPrefix(std::string_view store_id, std::string_view rule_set) {
  std::string out(kKeyMagic);
  out.push_back('\0');
  out.append(store_id);
  out.push_back('\0');
  out.append(rule_set);
  out.push_back('\0');
  return out;
}

Result<std::string> EncodeCounterKey(const CounterKey& key) {
  if (key.store_id.empty() || key.store_id.find('\0') != std::string::npos ||
      key.rule_set.empty() || key.rule_set.find('\0') != std::string::npos) {
    return MakeError(Errc::kInvalidField,
                     "odr counter key: store id and rule set must be "
                     "non-empty and free of NUL bytes");
  }
  return CounterKeyPrefix(key.store_id, key.rule_set) + EncodeDay(key.day);
}

Result<CounterKey> DecodeCounterKey(std::string_view bytes) {
  auto bad = [] { return MakeError(Errc::kInvalidField, "odr counter key: malformed"); };
  if (bytes.substr(0, kKeyMagic.size()) != kKeyMagic || bytes.size() < kKeyMagic.size() + 1 ||
      bytes[kKeyMagic.size()] != '\0') {
    return bad();
  }
  bytes.remove_prefix(kKeyMagic.size() + 1);
  const size_t a = bytes.find('\0');
  if (a == std::string_view::npos) return bad();
  const size_t b = bytes.find('\0', a + 1);
  if (b == std::string_view::npos) return bad();
  const std::string_view digits = bytes.substr(b + 1);
  if (digits.size() != 8) return bad();
  const std::string text = std::string(digits.substr(0, 4)) + "-" +
                           std::string(digits.substr(4, 2)) + "-" +
                           std::string(digits.substr(6, 2));
  auto d = ParseDay(text);
  if (!d || a == 0 || b == a + 1) return bad();
  return CounterKey{std::string(bytes.substr(0, a)), std::string(bytes.substr(a + 1, b - a - 1)),
                    *d};
}

std::string EncodeCounters(const Counters& counters) {
  std::string out(kValueMagic);
  for (const auto& [name, value] : counters) {
    if (value == 0) continue;
    PutVarint(out, name.size());
    out.append(name);
    // Zig-zag: small negatives (deltas that undo a count) stay small.
    PutVarint(out, (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63));
  }
  return out;
}

Result<Counters> DecodeCounters(std::string_view bytes) {
  if (bytes.substr(0, kValueMagic.size()) != kValueMagic) return BadValue("unknown format");
  bytes.remove_prefix(kValueMagic.size());
  Counters out;
  std::string previous;
  while (!bytes.empty()) {
    uint64_t length = 0;
    if (!GetVarint(bytes, length) || length == 0 || length > bytes.size()) {
      return BadValue("bad name length");
    }
    std::string name(bytes.substr(0, length));
    bytes.remove_prefix(length);
    uint64_t zz = 0;
    if (!GetVarint(bytes, zz)) return BadValue("bad number");
    if (!out.empty() && name <= previous) return BadValue("names out of order");
    const int64_t value = static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1);
    previous = name;
    out.emplace(std::move(name), value);
  }
  return out;
}

Result<std::string> MergeEncoded(std::string_view existing, std::string_view delta) {
  Counters base;
  if (!existing.empty()) {
    auto decoded = DecodeCounters(existing);
    if (!decoded) return decoded.error();
    base = std::move(decoded).value();
  }
  auto d = DecodeCounters(delta);
  if (!d) return d.error();
  return EncodeCounters(MergeCounters(base, d.value()));
}

Result<void> EncodedCounterSum::Add(std::string_view bytes) {
  if (bytes.substr(0, kValueMagic.size()) != kValueMagic) return BadValue("unknown format");
  bytes.remove_prefix(kValueMagic.size());
  // Both lists are sorted by name: one linear merge into scratch_, then swapped in.
  scratch_.clear();
  size_t i = 0;
  std::string_view previous;
  while (!bytes.empty()) {
    uint64_t length = 0;
    if (!GetVarint(bytes, length) || length == 0 || length > bytes.size()) {
      return BadValue("bad name length");
    }
    const std::string_view name = bytes.substr(0, length);
    bytes.remove_prefix(length);
    uint64_t zz = 0;
    if (!GetVarint(bytes, zz)) return BadValue("bad number");
    if (!previous.empty() && name <= previous) return BadValue("names out of order");
    previous = name;
    const int64_t value = static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1);
    while (i < entries_.size() && entries_[i].first < name) scratch_.push_back(entries_[i++]);
    if (i < entries_.size() && entries_[i].first == name) {
      scratch_.emplace_back(name, entries_[i++].second + value);
    } else {
      scratch_.emplace_back(name, value);
    }
  }
  while (i < entries_.size()) scratch_.push_back(entries_[i++]);
  entries_.swap(scratch_);
  return Ok();
}

std::string EncodedCounterSum::Encode() const {
  std::string out(kValueMagic);
  for (const auto& [name, value] : entries_) {
    if (value == 0) continue;
    PutVarint(out, name.size());
    out.append(name);
    PutVarint(out, (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63));
  }
  return out;
}

void InMemoryCounters::Apply(const CounterDelta& delta) {
  Counters merged = MergeCounters(counters_[delta.key], delta.values);
  if (merged.empty()) {
    counters_.erase(delta.key);
  } else {
    counters_[delta.key] = std::move(merged);
  }
}

Result<std::vector<std::pair<Day, Counters>>> InMemoryCounters::Range(std::string_view store_id,
                                                                      std::string_view rule_set,
                                                                      Day from, Day to) const {
  std::vector<std::pair<Day, Counters>> out;
  const CounterKey lo{std::string(store_id), std::string(rule_set), from};
  for (auto it = counters_.lower_bound(lo); it != counters_.end(); ++it) {
    if (it->first.store_id != store_id || it->first.rule_set != rule_set || it->first.day > to) {
      break;
    }
    out.emplace_back(it->first.day, it->second);
  }
  return out;
}

}  // namespace csgw::odr
