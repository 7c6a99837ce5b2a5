// Lazada IM replies: POST <api host>/rest/im/message/send, signed IOP-style
// (alibaba_sign.h): app_key, timestamp (ms), sign_method=sha256, access_token and the API
// parameters session_id, template_id=1 (text) and txt, all in a form body with the sign.
//
// [UNCERTAIN] marketplaces/README.md §7.4: the send parameters were not confirmed by an official
// page; session_id / template_id / txt follow the names Lazada's IM API uses elsewhere
// (msg_type 19 pushes carry session_id) and the SDKs' form-body POST convention. Capture a live
// exchange before relying on it.
#pragma once

#include <string>

#include "base/clock.h"
#include "gateway/marketplaces/accounts.h"
#include "gateway/marketplaces/send.h"

namespace csgw::gateway {

// https://api.lazada.<tld>/rest of a country ("SG" → https://api.lazada.sg/rest), "" for others.
std::string LazadaApiUrl(std::string_view country);

class LazadaSender final : public ReplySender {
 public:
  static constexpr std::string_view kSendPath = "/im/message/send";
  // No limit was found for IM text; this bounds what we send.
  static constexpr size_t kMaxTextChars = 2000;

  struct Options {
    AccountBook accounts;
    std::string app_key;
    std::string app_secret;  // resolved secret
  };
  LazadaSender(Options options, const Clock& clock);

  std::string_view Marketplace() const override { return "lazada"; }
  // kReply only; conversation_id is the IM session_id.
  Result<outbound::HttpRequest> BuildSend(const OutboundMessage& message,
                                          TimePoint now) const override;
  // {"code":"0", "data":{...}} is delivered; {"type":"ISV|ISP|SYSTEM", "code":"...",
  // "message"} is an error: call limits and ISP (platform-side) errors are retried.
  SendOutcome ParseSendResult(const outbound::HttpResponse& response) const override;

 private:
  Options options_;
  const Clock& clock_;
};

// The verdict on an IOP error body (Lazada, AliExpress Open Platform): code != "0".
SendOutcome IopErrorOutcome(std::string_view marketplace, std::string_view type,
                            std::string_view code, std::string_view message);

}  // namespace csgw::gateway
