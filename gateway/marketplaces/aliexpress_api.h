// AliExpress Open Platform calls, shared by the reply sender and the poll connectors: one
// signed request per API method, over either gateway (AliExpressConfig.protocol):
// - iop: POST <base>/sync, method + app_key + session + timestamp (ms) + sign_method=sha256,
//   signed with IopSign (no path prefix: the API is named by "method").
// - top: POST <base>/router/rest, method + app_key + session + timestamp (GMT+8) + format=json +
//   v=2.0 + sign_method, signed with TopSign.
// Both answer {"<method with '.'→'_'>_response": {...}} or an error: TOP's
// {"error_response": {"code", "msg", "sub_code", "sub_msg"}}, IOP's {"type", "code",
// "message"} (code "0" on success) or the same inside "error_response".
#pragma once

#include <string>

#include "base/clock.h"
#include "base/json.h"
#include "gateway/marketplaces/accounts.h"
#include "gateway/marketplaces/alibaba_sign.h"
#include "gateway/marketplaces/api_util.h"
#include "gateway/outbound/request.h"
#include "proto/proto.h"

namespace csgw::gateway {

struct AliExpressApp {
  static constexpr std::string_view kIopUrl = "https://api-sg.aliexpress.com";
  static constexpr std::string_view kTopUrl = "https://api.taobao.com";

  std::string app_key;
  std::string app_secret;  // resolved secret
  bool top = false;        // protocol "top"; false: "iop"
  TopSignMethod top_sign = TopSignMethod::kHmacSha256;
};

// The app of AliExpressConfig, its secret resolved. Startup-time.
Result<AliExpressApp> AliExpressAppOf(const proto::AliExpressConfig& config);

// The signed POST calling `method` with `api_params` as `account` at `now`.
outbound::HttpRequest AliExpressCall(const AliExpressApp& app, const Account& account,
                                     std::string_view method, const Params& api_params,
                                     TimePoint now);

// "aliexpress.message.redefining.addmsg" → "aliexpress_message_redefining_addmsg_response".
std::string AliExpressResponseKey(std::string_view method);

// A platform error found in an answer body, with its verdict.
struct AliExpressError {
  SendOutcome outcome;  // kRetry or kRejected, reason "aliexpress error <code>..."
};

// The platform error of `root`, if it is one: TOP error_response (codes 1 and 7 and isp.*
// sub-codes are retried; "ban will last for N more seconds" becomes retry_after), IOP
// {"code" != "0"} (see IopErrorOutcome).
std::optional<AliExpressError> AliExpressPlatformError(const JsonValue& root);

}  // namespace csgw::gateway
