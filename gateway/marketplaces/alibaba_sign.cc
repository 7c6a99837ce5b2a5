#include "gateway/marketplaces/alibaba_sign.h"

#include <algorithm>
#include <cstdio>

#include "base/crypto.h"
#include "base/strings.h"

namespace csgw::gateway {

std::string AlibabaSignBase(const Params& params) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  for (const auto& p : params) {
    if (p.first != "sign") sorted.push_back(&p);
  }
  // Stable: a repeated name (never sent by us) keeps its order rather than an arbitrary one.
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->first < b->first; });
  std::string base;
  for (const auto* p : sorted) {
    base += p->first;
    base += p->second;
  }
  return base;
}

std::string IopSign(std::string_view app_secret, std::string_view api_path, const Params& params) {
  const std::string prefix =
      api_path.find('/') == std::string_view::npos ? std::string() : std::string(api_path);
  return AsciiUpper(crypto::HmacSha256Hex(app_secret, prefix + AlibabaSignBase(params)));
}

bool ParseTopSignMethod(std::string_view name, TopSignMethod* out) {
  if (name == "md5") {
    *out = TopSignMethod::kMd5;
  } else if (name == "hmac") {
    *out = TopSignMethod::kHmacMd5;
  } else if (name == "hmac-sha256") {
    *out = TopSignMethod::kHmacSha256;
  } else {
    return false;
  }
  return true;
}

std::string_view TopSignMethodName(TopSignMethod method) {
  switch (method) {
    case TopSignMethod::kMd5:
      return "md5";
    case TopSignMethod::kHmacMd5:
      return "hmac";
    case TopSignMethod::kHmacSha256:
      return "hmac-sha256";
  }
  return "hmac-sha256";
}

std::string TopSign(std::string_view app_secret, TopSignMethod method, const Params& params) {
  const std::string base = AlibabaSignBase(params);
  std::string digest;
  switch (method) {
    case TopSignMethod::kMd5:
      digest = crypto::Md5(std::string(app_secret) + base + std::string(app_secret));
      break;
    case TopSignMethod::kHmacMd5:
      digest = crypto::HmacMd5(app_secret, base);
      break;
    case TopSignMethod::kHmacSha256:
      digest = crypto::HmacSha256(app_secret, base);
      break;
  }
  return AsciiUpper(crypto::HexEncode(digest));
}

std::string TopTimestamp(TimePoint now) {
  const auto beijing = std::chrono::floor<std::chrono::seconds>(now) + std::chrono::hours(8);
  const auto day = std::chrono::floor<std::chrono::days>(beijing);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{beijing - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace csgw::gateway
