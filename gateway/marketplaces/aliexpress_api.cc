#include "gateway/marketplaces/aliexpress_api.h"

#include <utility>

#include "gateway/config/config.h"
#include "gateway/marketplaces/lazada_send.h"

namespace csgw::gateway {
namespace {

std::string StringOf(const JsonValue& object, std::string_view key) {
  auto v = object.OptionalId(key);
  if (v && v.value()) return *v.value();
  return {};
}

// TOP's App Call Limited message: "... This ban will last for 12 more seconds".
std::optional<std::chrono::seconds> BanTime(std::string_view text) {
  constexpr std::string_view kPrefix = "ban will last for ";
  const size_t at = text.find(kPrefix);
  if (at == std::string_view::npos) return std::nullopt;
  size_t i = at + kPrefix.size();
  int64_t seconds = 0;
  size_t digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 6) {
    seconds = seconds * 10 + (text[i] - '0');
    ++i;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

}  // namespace

Result<AliExpressApp> AliExpressAppOf(const proto::AliExpressConfig& config) {
  AliExpressApp app;
  app.app_key = config.app_key();
  auto secret = ResolveSecret(config.app_secret(), "marketplaces.aliexpress.app_secret");
  if (!secret) return secret.error();
  app.app_secret = std::move(secret).value();
  app.top = config.protocol() == "top";
  if (app.top && !ParseTopSignMethod(config.sign_method(), &app.top_sign)) {
    return MakeError(Errc::kInvalidField,
                     "marketplaces.aliexpress.sign_method must be md5, hmac or hmac-sha256");
  }
  return app;
}

outbound::HttpRequest AliExpressCall(const AliExpressApp& app, const Account& account,
                                     std::string_view method, const Params& api_params,
                                     TimePoint now) {
  Params params;
  params.emplace_back("app_key", app.app_key);
  params.emplace_back("method", std::string(method));
  params.emplace_back("session", account.access_token);
  if (app.top) {
    params.emplace_back("format", "json");
    params.emplace_back("sign_method", std::string(TopSignMethodName(app.top_sign)));
    params.emplace_back("timestamp", TopTimestamp(now));
    params.emplace_back("v", "2.0");
  } else {
    params.emplace_back("sign_method", "sha256");
    params.emplace_back("timestamp", std::to_string(ToUnixMillis(now)));
  }
  for (const auto& p : api_params) {
    // Empty values are neither signed nor sent, as the official SDKs do.
    if (!p.second.empty()) params.push_back(p);
  }
  params.emplace_back("sign", app.top ? TopSign(app.app_secret, app.top_sign, params)
                                      : IopSign(app.app_secret, method, params));
  outbound::HttpRequest request;
  request.method = "POST";
  request.url = BaseUrl(account, app.top ? AliExpressApp::kTopUrl : AliExpressApp::kIopUrl) +
                (app.top ? "/router/rest" : "/sync");
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded;charset=utf-8"}};
  request.body = FormEncode(params);
  return request;
}

std::string AliExpressResponseKey(std::string_view method) {
  std::string key(method);
  for (char& c : key) {
    if (c == '.') c = '_';
  }
  return key + "_response";
}

std::optional<AliExpressError> AliExpressPlatformError(const JsonValue& root) {
  auto error = root.OptionalObject("error_response");
  const bool wrapped = error && error.value();
  const JsonValue& e = wrapped ? *error.value() : root;
  const std::string code = StringOf(e, "code");
  if (!wrapped && (code.empty() || code == "0")) return std::nullopt;
  if (wrapped && code.empty()) {
    return AliExpressError{Rejected("aliexpress error_response without a code")};
  }
  const std::string type = StringOf(e, "type");
  std::string message = StringOf(e, "msg");
  if (message.empty()) message = StringOf(e, "message");
  const std::string sub_code = StringOf(e, "sub_code");
  const std::string sub_msg = StringOf(e, "sub_msg");
  if (!type.empty() || !wrapped) {
    // IOP shape: type ISV / ISP / SYSTEM with a word code.
    return AliExpressError{IopErrorOutcome("aliexpress", type, code, message)};
  }
  std::string reason = "aliexpress error " + Clip(code, 16);
  if (!sub_code.empty()) reason += " " + Clip(sub_code, 80);
  if (!message.empty()) reason += ": " + Clip(message);
  // TOP: 1 service currently unavailable, 7 app call limited; isp.* sub-codes are failures on
  // the platform's side. isv.* (invalid parameter, session, permission) would fail again.
  if (code == "1" || code == "7" || sub_code.rfind("isp.", 0) == 0) {
    auto wait = BanTime(sub_msg);
    if (!wait) wait = BanTime(message);
    return AliExpressError{Retry(std::move(reason), wait)};
  }
  return AliExpressError{Rejected(std::move(reason))};
}

}  // namespace csgw::gateway
