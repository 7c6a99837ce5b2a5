#include "gateway/marketplaces/shopee_send.h"

#include <utility>

#include "base/crypto.h"
#include "base/json.h"
#include "gateway/marketplaces/api_util.h"

namespace csgw::gateway {
namespace {

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

std::string ShopeeShopSign(std::string_view partner_key, uint64_t partner_id, std::string_view path,
                           int64_t timestamp, std::string_view access_token,
                           std::string_view shop_id) {
  const std::string base = std::to_string(partner_id) + std::string(path) +
                           std::to_string(timestamp) + std::string(access_token) +
                           std::string(shop_id);
  return crypto::HmacSha256Hex(partner_key, base);
}

ShopeeSender::ShopeeSender(Options options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

Result<outbound::HttpRequest> ShopeeSender::BuildSend(const OutboundMessage& message,
                                                      TimePoint now) const {
  if (message.kind != MessageKind::kReply) {
    return MakeError(Errc::kInvalidField, "field 'kind' " +
                                              std::string(MessageKindName(message.kind)) +
                                              " is not supported by shopee");
  }
  auto account = options_.accounts.Find(message.store_id);
  if (!account) return account.error();
  // to_id is a JSON number on the wire: only digits may be spliced in unquoted.
  auto to_id = DigitsId("buyer_id", message.buyer_id);
  if (!to_id) return to_id.error();
  auto text = CheckText(Marketplace(), message.text, kMaxTextChars);
  if (!text) return text.error();
  const Account& a = *account.value();
  const int64_t timestamp =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::string sign = ShopeeShopSign(options_.partner_key, options_.partner_id, kSendPath,
                                          timestamp, a.access_token, a.shop_id);
  const Params query = {{"partner_id", std::to_string(options_.partner_id)},
                        {"timestamp", std::to_string(timestamp)},
                        {"access_token", a.access_token},
                        {"shop_id", a.shop_id},
                        {"sign", sign}};

  outbound::HttpRequest request;
  request.method = "POST";
  request.url = BaseUrl(a, kProductionUrl) + std::string(kSendPath) + "?" + FormEncode(query);
  request.headers = {{"Content-Type", "application/json"}};
  request.body = "{\"to_id\":" + to_id.value() +
                 ",\"message_type\":\"text\",\"content\":{\"text\":" + JsonString(message.text) +
                 "}}";
  return request;
}

SendOutcome ShopeeSender::ParseSendResult(const outbound::HttpResponse& response) const {
  auto doc = JsonDocument::ParseObject(response.body);
  std::string error;
  std::string message;
  if (doc) {
    if (auto v = doc.value().root().OptionalString("error"); v && v.value()) error = *v.value();
    if (auto v = doc.value().root().OptionalString("message"); v && v.value()) message = *v.value();
  }
  if (auto by_status = OutcomeOfStatus(Marketplace(), response, clock_.Now(), error)) {
    return *by_status;
  }
  if (!doc) return Rejected("shopee: unrecognised 2xx body");
  if (!error.empty()) {
    std::string reason = "shopee error " + Clip(error, 80);
    if (!message.empty()) reason += ": " + Clip(message);
    // Shopee's error words: error_auth / error_param / error_permission / error_sign are about
    // the request or token; rate limits, busy and server-side errors pass.
    if (Contains(error, "rate_limit") || Contains(error, "busy") || Contains(error, "server") ||
        Contains(error, "inner") || Contains(error, "network") || Contains(error, "timeout")) {
      return Retry(std::move(reason));
    }
    return Rejected(std::move(reason));
  }
  std::string id;
  if (auto r = doc.value().root().OptionalObject("response"); r && r.value()) {
    if (auto v = r.value()->OptionalId("message_id"); v && v.value()) id = *v.value();
  }
  return Delivered(std::move(id));
}

}  // namespace csgw::gateway
