// Mercado Libre post-sale messages and claim messages (marketplaces/README.md §5.4):
// - reply: POST /messages/packs/{pack_id}/sellers/{seller_id}?tag=post_sale
//   {"from":{"user_id":seller},"to":{"user_id":buyer},"text"}; the pack id is the
//   conversation id, or the order id when the order has no pack.
// - claim_message: POST /post-purchase/v1/claims/{claim_id}/actions/send-message
//   {"receiver_role":"complainant","message"} (the buyer).
// Bearer token of the account. Since 2026-02-02 the sites in messaging_agent_sites route post-
// sale messages through Mercado Libre's messaging agent: `to` is then the site's agent user id.
#pragma once

#include <set>
#include <string>

#include "base/clock.h"
#include "gateway/marketplaces/accounts.h"
#include "gateway/marketplaces/send.h"

namespace csgw::gateway {

// The messaging agent's user id of a site ("MLB" → "3037675074"), or "" for a site without one.
std::string MercadoLibreAgentUserId(std::string_view site);

class MercadoLibreSender final : public ReplySender {
 public:
  static constexpr std::string_view kProductionUrl = "https://api.mercadolibre.com";
  // seller_max_message_length of post-sale messages (official).
  static constexpr size_t kMaxReplyChars = 350;
  // No limit is documented for claim messages; this bounds what we send.
  static constexpr size_t kMaxClaimChars = 2000;

  struct Options {
    AccountBook accounts;
    // Sites whose replies go to the messaging agent (MercadoLibreConfig.messaging_agent_sites).
    std::set<std::string, std::less<>> agent_sites;
  };
  MercadoLibreSender(Options options, const Clock& clock);

  std::string_view Marketplace() const override { return "mercadolibre"; }
  Result<outbound::HttpRequest> BuildSend(const OutboundMessage& message,
                                          TimePoint now) const override;
  SendOutcome ParseSendResult(const outbound::HttpResponse& response) const override;

 private:
  Result<outbound::HttpRequest> BuildReply(const OutboundMessage& message,
                                           const Account& account) const;
  Result<outbound::HttpRequest> BuildClaimMessage(const OutboundMessage& message,
                                                  const Account& account) const;

  Options options_;
  const Clock& clock_;
};

}  // namespace csgw::gateway
