// Ozon Seller API push notifications (unsigned; TYPE_PING handshake).
//
// Ozon documents no signature: authenticity rests on its source IP ranges, which the HTTP layer
// may filter, and on an optional shared secret the seller puts in the registered callback URL
// (?token=, OzonConfig.url_token). Chat pushes (TYPE_NEW_MESSAGE, TYPE_UPDATE_MESSAGE,
// TYPE_MESSAGE_READ, TYPE_CHAT_CLOSED) become BuyerMessage events; FBS/rFBS posting pushes
// (TYPE_NEW_POSTING, TYPE_POSTING_CANCELLED, TYPE_STATE_CHANGED, TYPE_CUTOFF_DATE_CHANGED,
// TYPE_DELIVERY_DATE_CHANGED) become OrderUpdate events about the posting. Every other type is
// acknowledged with {"result":true} and not stored, because Ozon pauses all pushes to an endpoint
// that answers errors for a day.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/json.h"
#include "gateway/marketplaces/adapter.h"
#include "proto/proto.h"

namespace csgw::gateway {

// The sender of a chat push from user.type: "Customer" (also spelled with a Cyrillic С, as in
// Ozon's own examples) is the buyer, "Seller" the seller, "Support" and "NotificationUser" Ozon
// itself. Unknown types give SENDER_ROLE_UNSPECIFIED rather than an error, so that a new user type
// does not make Ozon retry and pause a store's pushes.
proto::SenderRole OzonSenderRole(std::string_view user_type);

// The order number of a posting: the posting number without its last "-<n>" segment.
std::string OzonOrderIdOfPosting(std::string_view posting_number);

// The normalised status of a posting state, push model ("posting_delivered") or Seller API
// ("delivered") wording. UNSPECIFIED for states with no equivalent (arbitration) or unknown ones.
proto::OrderStatus OzonOrderStatus(std::string_view state);

class OzonAdapter final : public MarketplaceAdapter {
 public:
  struct Options {
    std::string app_name;   // reported by TYPE_PING; empty: "csgw"
    std::string url_token;  // resolved secret; empty: pushes need no ?token=
  };
  OzonAdapter(Options options, const Clock& clock);

  // MarketplaceAdapter
  std::string_view Id() const override { return "ozon"; }
  // Only POST is accepted (kMethodNotAllowed); with a url_token, ?token= must equal it
  // (kBadSignature). There is no signature to check.
  Result<void> Verify(const InboundRequest& request) const override;
  Result<Intake> Normalize(const InboundRequest& request) const override;

 private:
  // The handshake answer: {"version", "name", "time" = now}.
  AdapterReply PingReply() const;
  Result<proto::Event> ChatEvent(const JsonValue& root, proto::BuyerMessage::Kind kind,
                                 const InboundRequest& request) const;
  Result<proto::Event> PostingEvent(const JsonValue& root, std::string_view type,
                                    const InboundRequest& request) const;

  Options options_;
  const Clock& clock_;
};

}  // namespace csgw::gateway
