// Request signing of the Alibaba open platforms: IOP (Lazada, the AliExpress Open Platform) and
// the older TOP router (AliExpress). Both sign the request parameters sorted by name (ASCII) and
// concatenated as name1value1name2value2…; "sign" itself is never signed.
//
// IOP: sign = UPPER_HEX(HMAC-SHA256(app_secret, api_path + concatenation)), where api_path is the
// REST path ("/im/message/send") and is left out when the API is named by a "method" parameter
// instead (the /sync gateway, "aliexpress.message..."), as the official IOP SDKs do. Lazada's
// published example is checked in alibaba_sign_test.cc.
// TOP: md5 = UPPER_HEX(MD5(secret + concatenation + secret)); hmac = UPPER_HEX(HMAC-MD5(secret,
// concatenation)); hmac-sha256 = UPPER_HEX(HMAC-SHA256(secret, concatenation)).
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "gateway/marketplaces/api_util.h"

namespace csgw::gateway {

// name1value1name2value2… over `params` sorted by name; parameters named "sign" are skipped.
std::string AlibabaSignBase(const Params& params);

std::string IopSign(std::string_view app_secret, std::string_view api_path, const Params& params);

enum class TopSignMethod { kMd5, kHmacMd5, kHmacSha256 };

// "md5", "hmac", "hmac-sha256" (the sign_method parameter's values); false for others.
bool ParseTopSignMethod(std::string_view name, TopSignMethod* out);
std::string_view TopSignMethodName(TopSignMethod method);

std::string TopSign(std::string_view app_secret, TopSignMethod method, const Params& params);

// TOP's timestamp parameter: "yyyy-MM-dd HH:mm:ss" in GMT+8, whole seconds.
std::string TopTimestamp(TimePoint now);

}  // namespace csgw::gateway
