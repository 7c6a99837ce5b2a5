#include "gateway/marketplaces/aliexpress_send.h"

#include <utility>

#include "base/json.h"

namespace csgw::gateway {

AliExpressSender::AliExpressSender(AccountBook accounts, AliExpressApp app, const Clock& clock)
    : accounts_(std::move(accounts)), app_(std::move(app)), clock_(clock) {}

Result<outbound::HttpRequest> AliExpressSender::BuildSend(const OutboundMessage& message,
                                                          TimePoint now) const {
  if (message.kind != MessageKind::kReply) {
    return MakeError(Errc::kInvalidField, "field 'kind' " +
                                              std::string(MessageKindName(message.kind)) +
                                              " is not supported by aliexpress");
  }
  auto account = accounts_.Find(message.store_id);
  if (!account) return account.error();
  if (message.buyer_id.empty()) {
    return MakeError(Errc::kMissingField, "field 'buyer_id' (the buyer's login id) is required");
  }
  const bool relation = !message.conversation_id.empty();
  if (!relation && message.order_id.empty()) {
    return MakeError(Errc::kMissingField,
                     "field 'conversation_id' (channel id) or 'order_id' is required");
  }
  auto text = CheckText(Marketplace(), message.text, kMaxTextChars);
  if (!text) return text.error();
  const Params params = {
      {"buyer_id", message.buyer_id},
      {"channel_id", relation ? message.conversation_id : message.order_id},
      {"content", message.text},
      {"msg_sources", relation ? "message_center" : "order_msg"},
  };
  return AliExpressCall(app_, *account.value(), kMethod, params, now);
}

SendOutcome AliExpressSender::ParseSendResult(const outbound::HttpResponse& response) const {
  auto doc = JsonDocument::ParseObject(response.body);
  std::optional<AliExpressError> platform;
  if (doc) platform = AliExpressPlatformError(doc.value().root());
  if (auto by_status = OutcomeOfStatus(Marketplace(), response, clock_.Now())) {
    return *by_status;
  }
  if (!doc) return Rejected("aliexpress: unrecognised 2xx body");
  if (platform) return platform->outcome;
  auto wrapper = doc.value().root().OptionalObject(AliExpressResponseKey(kMethod));
  if (!wrapper || !wrapper.value()) return Rejected("aliexpress: 2xx without the addmsg response");
  auto result = wrapper.value()->OptionalObject("result");
  if (!result || !result.value()) return Rejected("aliexpress: addmsg response without result");
  const JsonValue& r = *result.value();
  auto ok = r.OptionalBool("is_success");
  if (ok && ok.value().value_or(false)) return Delivered("");
  std::string reason = "aliexpress addmsg failed";
  if (auto code = r.OptionalId("error_code"); code && code.value()) reason += " " + *code.value();
  if (auto msg = r.OptionalString("error_msg"); msg && msg.value()) {
    reason += ": " + Clip(*msg.value());
  }
  return Rejected(std::move(reason));
}

}  // namespace csgw::gateway
