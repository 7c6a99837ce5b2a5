// Polled marketplaces, the pure part: a PollFeed builds the next request of one account's feed
// from an opaque cursor and turns the answer into normalised events (the same model as the
// push path, with stable event ids so that re-polling dedupes) and the next cursor. The
// connector runner (gateway/connectors) does the I/O, stores the events, then the cursor.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/outbound/request.h"
#include "proto/proto.h"

namespace csgw::gateway {

struct PollPage {
  std::vector<proto::Event> events;
  // Store once `events` are durable; the next BuildPoll continues from it.
  std::string next_cursor;
  // Another page is ready now; false: caught up, poll again after the feed's interval.
  bool more = false;
};

// One feed of one account (AliExpress messages, Wildberries chat events, ...). Immutable and
// thread-safe once built.
class PollFeed {
 public:
  virtual ~PollFeed();

  virtual std::string_view Marketplace() const = 0;
  virtual std::string_view Feed() const = 0;  // "chat", "questions", "claims", "messages", ...
  virtual const std::string& StoreId() const = 0;
  // Seconds between polls once caught up.
  virtual std::chrono::seconds Interval() const = 0;
  // "<marketplace>/<store>/<feed>": the cursor's key in the store.
  std::string CursorName() const;

  // The request continuing from `cursor` ("" for the first poll). kInvalidField for a cursor
  // this feed did not write.
  virtual Result<outbound::HttpRequest> BuildPoll(std::string_view cursor, TimePoint now) const = 0;
  // The answer to BuildPoll(cursor). Errors: kUpstreamUnavailable for a retryable failure
  // (5xx, 429, a busy or rate-limited platform; Retry-After is the runner's to read),
  // kForbidden when the marketplace refused the request (token, permission), kMalformedJson /
  // kMissingField / kInvalidField naming what the body lacked.
  virtual Result<PollPage> ParsePoll(std::string_view cursor,
                                     const outbound::HttpResponse& response,
                                     TimePoint now) const = 0;
};

// The feeds of every account of a polled marketplace (AliExpress, Wildberries) that does not
// set disable_polling. Startup-time: resolves secrets.
Result<std::vector<std::unique_ptr<PollFeed>>> PollFeedsFromConfig(const proto::Config& config);

// Helpers for feed implementations.

// Success for 2xx; otherwise kUpstreamUnavailable (0, 408, 425, 429, 5xx) or kForbidden.
Result<void> PollStatus(std::string_view marketplace, const outbound::HttpResponse& response);

// An event read by polling: envelope set, `raw_json` kept as the raw payload.
proto::Event PolledEvent(std::string_view marketplace, std::string store_id, std::string event_id,
                         TimePoint occurred_at, TimePoint received_at, std::string raw_json);

// Cursor fields "k1=v1;k2=v2" with percent-encoded values, for feeds whose cursor has parts.
struct CursorFields {
  std::vector<std::pair<std::string, std::string>> fields;

  std::string Get(std::string_view key) const;  // "" when absent
  void Set(std::string key, std::string value);
  std::string Encode() const;
  // kInvalidField when `text` is not a cursor of this form.
  static Result<CursorFields> Decode(std::string_view text);
};

// Parses a non-negative decimal, or nullopt.
std::optional<int64_t> ParseCount(std::string_view text);

}  // namespace csgw::gateway
