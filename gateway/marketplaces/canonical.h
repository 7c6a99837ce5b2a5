// POST /v1/events: our canonical Event as JSON (protobuf JSON mapping), for ERPs and relays that
// already normalise. Bearer-token authenticated.
#pragma once

#include <string>
#include <vector>

#include "base/clock.h"
#include "gateway/marketplaces/adapter.h"

namespace csgw {
class JsonValue;
}

namespace csgw::gateway {

class CanonicalEvents {
 public:
  struct Client {
    std::string name;
    std::string token;  // resolved secret
  };
  // Most events one POST may carry (as {"events":[...]}).
  static constexpr size_t kMaxEventsPerPost = 1000;

  CanonicalEvents(std::vector<Client> clients, const Clock& clock);

  // The client's name for a valid "Authorization: Bearer <token>", else kUnauthenticated.
  // Tokens are compared in constant time.
  Result<std::string> Authenticate(const InboundRequest& request) const;

  // One Event object, or {"events": [Event, ...]}. Sets received_at and raw; keeps the sender's
  // event_id, marketplace and store_id, which are required, as are occurred_at and a payload.
  Result<std::vector<proto::Event>> Parse(const InboundRequest& request) const;

 private:
  Result<std::vector<proto::Event>> ParseBatch(const JsonValue& root, const JsonValue& list,
                                               TimePoint now) const;

  std::vector<Client> clients_;
  const Clock& clock_;
};

}  // namespace csgw::gateway
