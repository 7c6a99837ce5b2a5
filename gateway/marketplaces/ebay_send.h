// eBay replies with the seller's OAuth user token (marketplaces/README.md §4.6):
// - reply: Commerce Message API POST /commerce/message/v1/send_message
//   {"conversationId", "messageText"}, or {"otherPartyUsername", "messageText"} to open a
//   conversation with a buyer when no conversation id is known.
// - claim_message: Post-Order POST /post-order/v2/return/{returnId}/send_message
//   {"message": {"content"}}, with X-EBAY-C-MARKETPLACE-ID from the account's site when set.
#pragma once

#include "base/clock.h"
#include "gateway/marketplaces/accounts.h"
#include "gateway/marketplaces/send.h"

namespace csgw::gateway {

class EbaySender final : public ReplySender {
 public:
  static constexpr std::string_view kProductionUrl = "https://api.ebay.com";
  // messageText is limited to 2000 characters; the Post-Order text limit is not documented
  // and shares the bound.
  static constexpr size_t kMaxTextChars = 2000;

  EbaySender(AccountBook accounts, const Clock& clock);

  std::string_view Marketplace() const override { return "ebay"; }
  Result<outbound::HttpRequest> BuildSend(const OutboundMessage& message,
                                          TimePoint now) const override;
  SendOutcome ParseSendResult(const outbound::HttpResponse& response) const override;

 private:
  AccountBook accounts_;
  const Clock& clock_;
};

}  // namespace csgw::gateway
