#include "gateway/marketplaces/event_util.h"

#include "base/crypto.h"
#include "base/json.h"
#include "base/timestamp.h"

namespace csgw::gateway {

void SetTimestamp(google::protobuf::Timestamp* out, TimePoint t) {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  int64_t secs = ns / 1'000'000'000;
  int64_t nanos = ns % 1'000'000'000;
  if (nanos < 0) {  // protobuf wants 0 <= nanos < 1e9
    nanos += 1'000'000'000;
    --secs;
  }
  out->set_seconds(secs);
  out->set_nanos(static_cast<int32_t>(nanos));
}

TimePoint FromTimestamp(const google::protobuf::Timestamp& t) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::seconds(t.seconds()) + std::chrono::nanoseconds(t.nanos())));
}

proto::Event NewEvent(std::string_view marketplace, std::string store_id, std::string event_id,
                      TimePoint occurred_at, TimePoint received_at, const InboundRequest& request) {
  proto::Event event;
  event.set_marketplace(std::string(marketplace));
  event.set_store_id(std::move(store_id));
  event.set_event_id(std::move(event_id));
  SetTimestamp(event.mutable_occurred_at(), occurred_at);
  SetTimestamp(event.mutable_received_at(), received_at);
  // The header is the sender's and unvalidated; the body was parsed as JSON, so that is its type
  // when the header is absent or unusable.
  const std::string* content_type = request.Header("content-type");
  const bool usable = content_type != nullptr && !content_type->empty() &&
                      content_type->size() <= 256 && IsValidUtf8(*content_type);
  event.mutable_raw()->set_content_type(usable ? *content_type : "application/json");
  event.mutable_raw()->set_body(request.body);
  return event;
}

AdapterReply JsonReply(int status, std::string body) {
  return AdapterReply{status, "application/json", std::move(body)};
}

AdapterReply EmptyReply(int status) { return AdapterReply{status, "", ""}; }

Result<TimePoint> ParseTimeField(std::string_view field, std::string_view value) {
  if (auto t = ParseIsoDateTime(value)) return *t;
  return MakeError(Errc::kInvalidField,
                   "field '" + std::string(field) + "' must be an ISO 8601 date-time");
}

Result<void> CheckFreshness(TimePoint sent, TimePoint now, std::chrono::seconds max_age,
                            std::chrono::seconds max_skew) {
  if (sent < now - max_age) {
    return MakeError(Errc::kStaleRequest, "request timestamp is older than the accepted " +
                                              std::to_string(max_age.count()) + " s");
  }
  if (sent > now + max_skew) {
    return MakeError(Errc::kStaleRequest, "request timestamp lies in the future");
  }
  return Ok();
}

Result<void> CheckUrlToken(const InboundRequest& request, const std::string& expected) {
  if (expected.empty()) return Ok();
  const std::string* given = request.Query("token");
  if (given == nullptr || given->empty()) {
    return MakeError(Errc::kBadSignature, "query parameter 'token' is required");
  }
  if (!crypto::ConstantTimeEquals(crypto::Sha256(*given), crypto::Sha256(expected))) {
    return MakeError(Errc::kBadSignature, "query parameter 'token' does not match");
  }
  return Ok();
}

std::string StableId(std::initializer_list<std::string_view> parts) {
  std::string joined;
  bool first = true;
  for (std::string_view p : parts) {
    if (!first) joined += '\x1f';
    first = false;
    joined += p;
  }
  return crypto::Sha256Hex(joined);
}

}  // namespace csgw::gateway
