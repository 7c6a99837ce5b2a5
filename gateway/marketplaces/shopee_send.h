// Shopee Open Platform v2 seller chat replies (marketplaces/README.md §6.4):
// POST /api/v2/sellerchat/send_message?partner_id&timestamp&access_token&shop_id&sign
// {"to_id": <buyer user id>, "message_type": "text", "content": {"text"}}, where the shop-level
// sign = hex(HMAC-SHA256(partner_key, partner_id + path + timestamp + access_token + shop_id)).
// Answers {"request_id", "error", "message", "response"}: a non-empty "error" is a failure
// even with HTTP 200.
#pragma once

#include <cstdint>
#include <string>

#include "base/clock.h"
#include "gateway/marketplaces/accounts.h"
#include "gateway/marketplaces/send.h"

namespace csgw::gateway {

// The v2 shop-level signature (lower-case hex).
std::string ShopeeShopSign(std::string_view partner_key, uint64_t partner_id, std::string_view path,
                           int64_t timestamp, std::string_view access_token,
                           std::string_view shop_id);

class ShopeeSender final : public ReplySender {
 public:
  static constexpr std::string_view kProductionUrl = "https://partner.shopeemobile.com";
  static constexpr std::string_view kSendPath = "/api/v2/sellerchat/send_message";
  // No limit was found for chat text; this bounds what we send.
  static constexpr size_t kMaxTextChars = 2000;

  struct Options {
    AccountBook accounts;
    uint64_t partner_id = 0;
    std::string partner_key;  // resolved secret
  };
  ShopeeSender(Options options, const Clock& clock);

  std::string_view Marketplace() const override { return "shopee"; }
  // kReply only; buyer_id is the to_id (the buyer's user id, digits).
  Result<outbound::HttpRequest> BuildSend(const OutboundMessage& message,
                                          TimePoint now) const override;
  SendOutcome ParseSendResult(const outbound::HttpResponse& response) const override;

 private:
  Options options_;
  const Clock& clock_;
};

}  // namespace csgw::gateway
