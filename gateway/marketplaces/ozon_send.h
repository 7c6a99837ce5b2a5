// Ozon Seller API chat replies: POST /v1/chat/send/message {"chat_id", "text"} with the
// account's Client-Id and Api-Key headers; the answer is {"result":"success"}
// (marketplaces/README.md §8.4).
#pragma once

#include "base/clock.h"
#include "gateway/marketplaces/accounts.h"
#include "gateway/marketplaces/send.h"

namespace csgw::gateway {

class OzonSender final : public ReplySender {
 public:
  static constexpr std::string_view kProductionUrl = "https://api-seller.ozon.ru";
  // 1..1000 characters: a third-party note, not Ozon's reference (README §8.4 [UNCERTAIN]).
  static constexpr size_t kMaxTextChars = 1000;

  OzonSender(AccountBook accounts, const Clock& clock);

  std::string_view Marketplace() const override { return "ozon"; }
  // kReply only: Ozon has no claim or question messages in this API.
  Result<outbound::HttpRequest> BuildSend(const OutboundMessage& message,
                                          TimePoint now) const override;
  SendOutcome ParseSendResult(const outbound::HttpResponse& response) const override;

 private:
  AccountBook accounts_;
  const Clock& clock_;
};

}  // namespace csgw::gateway
