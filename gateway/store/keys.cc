#include "gateway/store/keys.h"

namespace csgw::gateway::store_keys {

std::string EncodeSequence(uint64_t sequence) {
  std::string out(kSequenceSize, '\0');
  for (size_t i = 0; i < kSequenceSize; ++i) {
    out[kSequenceSize - 1 - i] = static_cast<char>(sequence & 0xff);
    sequence >>= 8;
  }
  return out;
}

std::optional<uint64_t> DecodeSequence(std::string_view bytes) {
  if (bytes.size() != kSequenceSize) return std::nullopt;
  uint64_t sequence = 0;
  for (const char c : bytes) sequence = (sequence << 8) | static_cast<unsigned char>(c);
  return sequence;
}

std::string DedupeKey(std::string_view marketplace, std::string_view store_id,
                      std::string_view event_id) {
  std::string key;
  key.reserve(marketplace.size() + store_id.size() + event_id.size() + 2);
  key.append(marketplace).push_back('\0');
  key.append(store_id).push_back('\0');
  key.append(event_id);
  return key;
}

std::string StoreEventsPrefix(std::string_view store_id) {
  std::string prefix;
  prefix.reserve(store_id.size() + 1 + kSequenceSize);
  prefix.append(store_id).push_back('\0');
  return prefix;
}

std::string StoreEventsKey(std::string_view store_id, uint64_t sequence) {
  return StoreEventsPrefix(store_id) + EncodeSequence(sequence);
}

std::optional<uint64_t> StoreEventsSequence(std::string_view key) {
  // The store id holds no '\0', so the separator sits right before the last 8 bytes.
  if (key.size() < kSequenceSize + 1 || key[key.size() - kSequenceSize - 1] != '\0') {
    return std::nullopt;
  }
  return DecodeSequence(key.substr(key.size() - kSequenceSize));
}

std::string EncodeQueueValue(std::string_view marketplace, std::string_view store_id) {
  std::string value;
  value.reserve(marketplace.size() + 1 + store_id.size());
  value.append(marketplace).push_back('\0');
  value.append(store_id);
  return value;
}

std::optional<QueueEntry> DecodeQueueValue(std::string_view value) {
  const size_t separator = value.find('\0');
  if (separator == std::string_view::npos) return std::nullopt;
  return QueueEntry{std::string(value.substr(0, separator)),
                    std::string(value.substr(separator + 1))};
}

std::string TimerKey(uint64_t due_ms, std::string_view id) {
  std::string key = EncodeSequence(due_ms);
  key.append(id);
  return key;
}

std::optional<TimerKeyParts> DecodeTimerKey(std::string_view key) {
  if (key.size() <= kSequenceSize) return std::nullopt;
  const auto due = DecodeSequence(key.substr(0, kSequenceSize));
  if (!due) return std::nullopt;
  return TimerKeyParts{*due, std::string(key.substr(kSequenceSize))};
}

}  // namespace csgw::gateway::store_keys
