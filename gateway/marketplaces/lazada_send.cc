#include "gateway/marketplaces/lazada_send.h"

#include <array>
#include <utility>

#include "base/json.h"
#include "gateway/marketplaces/alibaba_sign.h"
#include "gateway/marketplaces/api_util.h"

namespace csgw::gateway {
namespace {

struct HostRow {
  std::string_view country;
  std::string_view url;
};

constexpr std::array<HostRow, 6> kHosts{{
    {"SG", "https://api.lazada.sg/rest"},
    {"MY", "https://api.lazada.com.my/rest"},
    {"VN", "https://api.lazada.vn/rest"},
    {"TH", "https://api.lazada.co.th/rest"},
    {"PH", "https://api.lazada.com.ph/rest"},
    {"ID", "https://api.lazada.co.id/rest"},
}};

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

std::string LazadaApiUrl(std::string_view country) {
  for (const HostRow& row : kHosts) {
    if (row.country == country) return std::string(row.url);
  }
  return {};
}

SendOutcome IopErrorOutcome(std::string_view marketplace, std::string_view type,
                            std::string_view code, std::string_view message) {
  std::string reason = std::string(marketplace) + " error " + Clip(code, 80);
  if (!type.empty()) reason += " (" + Clip(type, 16) + ")";
  if (!message.empty()) reason += ": " + Clip(message);
  // Call limits (ApiCallLimit, AppCallLimit, ...) and failures on the platform's side (type
  // ISP, timeouts, unavailable services) pass; everything else is about the request or the
  // token (ISV: IllegalAccessToken, InvalidParameter, ...) and would fail again.
  if (type == "ISP" || Contains(code, "CallLimit") || Contains(code, "Timeout") ||
      Contains(code, "Unavailable") || Contains(code, "Busy")) {
    return Retry(std::move(reason));
  }
  return Rejected(std::move(reason));
}

LazadaSender::LazadaSender(Options options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

Result<outbound::HttpRequest> LazadaSender::BuildSend(const OutboundMessage& message,
                                                      TimePoint now) const {
  if (message.kind != MessageKind::kReply) {
    return MakeError(Errc::kInvalidField, "field 'kind' " +
                                              std::string(MessageKindName(message.kind)) +
                                              " is not supported by lazada");
  }
  auto account = options_.accounts.Find(message.store_id);
  if (!account) return account.error();
  if (message.conversation_id.empty()) {
    return MakeError(Errc::kMissingField,
                     "field 'conversation_id' (Lazada session_id) is required");
  }
  auto text = CheckText(Marketplace(), message.text, kMaxTextChars);
  if (!text) return text.error();
  const Account& a = *account.value();
  std::string base = a.api_base_url.empty() ? LazadaApiUrl(a.site) : a.api_base_url;
  if (base.empty()) {
    return MakeError(Errc::kInvalidField,
                     "lazada store " + a.store_id + ": accounts[].site must name a Lazada country");
  }

  Params params = {
      {"access_token", a.access_token},
      {"app_key", options_.app_key},
      {"session_id", message.conversation_id},
      {"sign_method", "sha256"},
      {"template_id", "1"},
      {"timestamp", std::to_string(ToUnixMillis(now))},
      {"txt", message.text},
  };
  params.emplace_back("sign", IopSign(options_.app_secret, kSendPath, params));

  outbound::HttpRequest request;
  request.method = "POST";
  request.url = base + std::string(kSendPath);
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded;charset=utf-8"}};
  request.body = FormEncode(params);
  return request;
}

SendOutcome LazadaSender::ParseSendResult(const outbound::HttpResponse& response) const {
  auto doc = JsonDocument::ParseObject(response.body);
  std::string code;
  std::string type;
  std::string message;
  if (doc) {
    const JsonValue& root = doc.value().root();
    if (auto v = root.OptionalId("code"); v && v.value()) code = *v.value();
    if (auto v = root.OptionalString("type"); v && v.value()) type = *v.value();
    if (auto v = root.OptionalString("message"); v && v.value()) message = *v.value();
  }
  if (auto by_status = OutcomeOfStatus(Marketplace(), response, clock_.Now(), code)) {
    return *by_status;
  }
  if (!doc) return Rejected("lazada: unrecognised 2xx body");
  if (code != "0") {
    if (code.empty()) return Rejected("lazada: 2xx without a code");
    return IopErrorOutcome(Marketplace(), type, code, message);
  }
  std::string id;
  if (auto data = doc.value().root().OptionalObject("data"); data && data.value()) {
    if (auto v = data.value()->OptionalId("message_id"); v && v.value()) id = *v.value();
  }
  return Delivered(std::move(id));
}

}  // namespace csgw::gateway
