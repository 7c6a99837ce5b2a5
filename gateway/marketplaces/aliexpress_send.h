// AliExpress replies: aliexpress.message.redefining.addmsg (marketplaces/README.md §2.4) with
// channel_id (the relation id), buyer_id (the buyer's login id), content and msg_sources
// ("message_center"; "order_msg" with the order id as channel when no relation is known),
// signed per aliexpress_api.h. The answer's result {"is_success", "error_code", "error_msg"}
// decides; platform errors are classified by AliExpressPlatformError.
//
// [UNCERTAIN] README §2.4: the method and its parameters come from the TOP SDK request class;
// whether the Open Platform (iop) gateway still serves it was not confirmed.
#pragma once

#include "base/clock.h"
#include "gateway/marketplaces/accounts.h"
#include "gateway/marketplaces/aliexpress_api.h"
#include "gateway/marketplaces/send.h"

namespace csgw::gateway {

class AliExpressSender final : public ReplySender {
 public:
  static constexpr std::string_view kMethod = "aliexpress.message.redefining.addmsg";
  // No limit was found for message content; this bounds what we send.
  static constexpr size_t kMaxTextChars = 2000;

  AliExpressSender(AccountBook accounts, AliExpressApp app, const Clock& clock);

  std::string_view Marketplace() const override { return "aliexpress"; }
  // kReply only.
  Result<outbound::HttpRequest> BuildSend(const OutboundMessage& message,
                                          TimePoint now) const override;
  SendOutcome ParseSendResult(const outbound::HttpResponse& response) const override;

 private:
  AccountBook accounts_;
  AliExpressApp app_;
  const Clock& clock_;
};

}  // namespace csgw::gateway
