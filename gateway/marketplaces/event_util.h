// Small helpers every adapter uses to build normalised events and replies.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/marketplaces/adapter.h"
#include "proto/proto.h"

namespace csgw::gateway {

void SetTimestamp(google::protobuf::Timestamp* out, TimePoint t);
TimePoint FromTimestamp(const google::protobuf::Timestamp& t);

// An Event with the envelope filled in: ids, received_at from the clock, the raw body kept.
proto::Event NewEvent(std::string_view marketplace, std::string store_id, std::string event_id,
                      TimePoint occurred_at, TimePoint received_at, const InboundRequest& request);

// {"result":true}-style JSON replies and empty 2xx replies.
AdapterReply JsonReply(int status, std::string body);
AdapterReply EmptyReply(int status);

// Parses an ISO 8601 field value, or kInvalidField naming `field`.
Result<TimePoint> ParseTimeField(std::string_view field, std::string_view value);

// kStaleRequest when `sent` lies more than `max_age` before `now`, or more than `max_skew` after
// it (clocks drift; a push from the future is a forgery or a broken clock).
Result<void> CheckFreshness(TimePoint sent, TimePoint now, std::chrono::seconds max_age,
                            std::chrono::seconds max_skew = std::chrono::minutes(15));

// For marketplaces that sign nothing (Ozon, Mercado Libre): a secret carried in the registered
// callback URL as ?token= is the only proof a push came through it. Success when `expected` is
// empty (no token configured); otherwise kBadSignature unless the token matches. Both sides are
// hashed before the constant-time comparison, so timing reveals neither their contents nor the
// expected length; the message never repeats what was sent.
Result<void> CheckUrlToken(const InboundRequest& request, const std::string& expected);

// A stable event id for payloads that carry none: hex SHA-256 of the given parts joined with
// '\x1f' (unit separator, which marketplace ids never contain).
std::string StableId(std::initializer_list<std::string_view> parts);

}  // namespace csgw::gateway
