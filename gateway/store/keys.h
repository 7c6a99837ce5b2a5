// Key and value encodings of the store's column families. Pure byte layout, no RocksDB: every
// reader and writer of a column family goes through these functions so the layout lives in one
// place.
//
// Sequences are 8-byte big-endian so that RocksDB's bytewise order is numeric order. Strings
// that are joined by '\0' (marketplace, store id) never contain '\0' themselves: EventStore
// rejects such ids before they reach an encoder.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace csgw::gateway::store_keys {

inline constexpr size_t kSequenceSize = 8;

// "events" and "queue" key; "dedupe" value.
std::string EncodeSequence(uint64_t sequence);
// nullopt unless `bytes` is exactly kSequenceSize long.
std::optional<uint64_t> DecodeSequence(std::string_view bytes);

// "dedupe" key: marketplace \0 store_id \0 event_id. The event id comes last, so it may hold
// any byte.
std::string DedupeKey(std::string_view marketplace, std::string_view store_id,
                      std::string_view event_id);

// "store_events" key: store_id \0 sequence. Every key of one store starts with
// StoreEventsPrefix(store_id), and no key of another store does.
std::string StoreEventsPrefix(std::string_view store_id);
std::string StoreEventsKey(std::string_view store_id, uint64_t sequence);
// The sequence at the end of a "store_events" key; nullopt for a malformed key.
std::optional<uint64_t> StoreEventsSequence(std::string_view key);

// "queue" value: marketplace \0 store_id.
struct QueueEntry {
  std::string marketplace;
  std::string store_id;
};
std::string EncodeQueueValue(std::string_view marketplace, std::string_view store_id);
// nullopt when there is no '\0' separator.
std::optional<QueueEntry> DecodeQueueValue(std::string_view value);

// "timers" key: due time (milliseconds since the epoch, 8-byte big-endian, so that bytewise
// order is due order) then the timer id. "timer_ids" maps the id back to EncodeSequence(due).
std::string TimerKey(uint64_t due_ms, std::string_view id);
struct TimerKeyParts {
  uint64_t due_ms = 0;
  std::string id;
};
// nullopt for a key shorter than the due time or with an empty id.
std::optional<TimerKeyParts> DecodeTimerKey(std::string_view key);

}  // namespace csgw::gateway::store_keys
