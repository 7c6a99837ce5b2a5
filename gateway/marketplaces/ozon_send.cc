#include "gateway/marketplaces/ozon_send.h"

#include <utility>

#include "base/json.h"
#include "gateway/marketplaces/api_util.h"

namespace csgw::gateway {

OzonSender::OzonSender(AccountBook accounts, const Clock& clock)
    : accounts_(std::move(accounts)), clock_(clock) {}

Result<outbound::HttpRequest> OzonSender::BuildSend(const OutboundMessage& message,
                                                    TimePoint /*now*/) const {
  if (message.kind != MessageKind::kReply) {
    return MakeError(
        Errc::kInvalidField,
        "field 'kind' " + std::string(MessageKindName(message.kind)) + " is not supported by ozon");
  }
  auto account = accounts_.Find(message.store_id);
  if (!account) return account.error();
  if (message.conversation_id.empty()) {
    return MakeError(Errc::kMissingField, "field 'conversation_id' (Ozon chat_id) is required");
  }
  auto text = CheckText(Marketplace(), message.text, kMaxTextChars);
  if (!text) return text.error();

  outbound::HttpRequest request;
  request.method = "POST";
  request.url = BaseUrl(*account.value(), kProductionUrl) + "/v1/chat/send/message";
  request.headers = {{"Client-Id", account.value()->client_id},
                     {"Api-Key", account.value()->api_key},
                     {"Content-Type", "application/json"}};
  request.body = "{\"chat_id\":" + JsonString(message.conversation_id) +
                 ",\"text\":" + JsonString(message.text) + "}";
  return request;
}

SendOutcome OzonSender::ParseSendResult(const outbound::HttpResponse& response) const {
  // Errors come as {"code": <int>, "message": "...", "details": [...]}.
  std::string code;
  auto doc = JsonDocument::ParseObject(response.body);
  if (doc) {
    if (auto c = doc.value().root().OptionalId("code"); c && c.value()) code = "code " + *c.value();
  }
  if (auto by_status = OutcomeOfStatus(Marketplace(), response, clock_.Now(), code)) {
    return *by_status;
  }
  if (!doc) return Rejected("ozon: unrecognised 2xx body");
  auto result = doc.value().root().OptionalString("result");
  if (result && result.value() && *result.value() == "success") return Delivered("");
  return Rejected("ozon: 2xx without result \"success\"");
}

}  // namespace csgw::gateway
