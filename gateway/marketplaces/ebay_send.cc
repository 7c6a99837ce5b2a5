#include "gateway/marketplaces/ebay_send.h"

#include <utility>

#include "base/json.h"
#include "gateway/marketplaces/api_util.h"

namespace csgw::gateway {

EbaySender::EbaySender(AccountBook accounts, const Clock& clock)
    : accounts_(std::move(accounts)), clock_(clock) {}

Result<outbound::HttpRequest> EbaySender::BuildSend(const OutboundMessage& message,
                                                    TimePoint /*now*/) const {
  if (message.kind == MessageKind::kQuestionAnswer) {
    return MakeError(Errc::kInvalidField, "field 'kind' question_answer is not supported by ebay");
  }
  auto account = accounts_.Find(message.store_id);
  if (!account) return account.error();
  const Account& a = *account.value();
  auto text = CheckText(Marketplace(), message.text, kMaxTextChars);
  if (!text) return text.error();

  outbound::HttpRequest request;
  request.method = "POST";
  request.headers = {{"Authorization", "Bearer " + a.access_token},
                     {"Content-Type", "application/json"}};
  if (message.kind == MessageKind::kClaimMessage) {
    auto return_id = UrlSafeId("conversation_id", message.conversation_id);
    if (!return_id) return return_id.error();
    request.url =
        BaseUrl(a, kProductionUrl) + "/post-order/v2/return/" + return_id.value() + "/send_message";
    if (!a.site.empty()) request.headers.emplace_back("X-EBAY-C-MARKETPLACE-ID", a.site);
    request.body = "{\"message\":{\"content\":" + JsonString(message.text) + "}}";
    return request;
  }
  request.url = BaseUrl(a, kProductionUrl) + "/commerce/message/v1/send_message";
  if (!message.conversation_id.empty()) {
    request.body = "{\"conversationId\":" + JsonString(message.conversation_id) +
                   ",\"messageText\":" + JsonString(message.text) + "}";
  } else if (!message.buyer_id.empty()) {
    request.body = "{\"otherPartyUsername\":" + JsonString(message.buyer_id) +
                   ",\"messageText\":" + JsonString(message.text) + "}";
  } else {
    return MakeError(Errc::kMissingField,
                     "field 'conversation_id' (or buyer_id to start one) is required");
  }
  return request;
}

SendOutcome EbaySender::ParseSendResult(const outbound::HttpResponse& response) const {
  // Errors: {"errors": [{"errorId": 1100, "domain": "...", "category": "REQUEST", ...}]}.
  std::string code;
  auto doc = JsonDocument::ParseObject(response.body);
  if (doc) {
    if (auto errors = doc.value().root().Find("errors"); errors && errors.value()) {
      if (auto list = errors.value()->AsArray(); list && !list.value().empty()) {
        if (auto id = list.value().front().OptionalId("errorId"); id && id.value()) {
          code = "errorId " + *id.value();
        }
      }
    }
  }
  if (auto by_status = OutcomeOfStatus(Marketplace(), response, clock_.Now(), code)) {
    return *by_status;
  }
  // eBay reports failures by status; a 2xx is a sent message.
  std::string id;
  if (doc) {
    if (auto v = doc.value().root().OptionalId("messageId"); v && v.value()) id = *v.value();
  }
  return Delivered(std::move(id));
}

}  // namespace csgw::gateway
