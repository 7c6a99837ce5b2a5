#include "gateway/marketplaces/wildberries_send.h"

#include <algorithm>
#include <utility>

#include "base/crypto.h"
#include "base/json.h"
#include "gateway/marketplaces/api_util.h"

namespace csgw::gateway {
namespace {

outbound::HttpRequest Authorized(std::string method, std::string url, const Account& account) {
  outbound::HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.headers = {{"Authorization", account.access_token}};
  return request;
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

MultipartBody BuildMultipartForm(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string seed;
  for (const auto& [name, value] : fields) seed += name + '\x1f' + value + '\x1e';
  MultipartBody out;
  for (int attempt = 0;; ++attempt) {
    out.boundary = "csgw-" + crypto::Sha256Hex(seed + std::to_string(attempt)).substr(0, 32);
    const bool clash = std::any_of(fields.begin(), fields.end(), [&](const auto& f) {
      return f.second.find(out.boundary) != std::string::npos;
    });
    if (!clash) break;
  }
  for (const auto& [name, value] : fields) {
    out.body += "--" + out.boundary + "\r\nContent-Disposition: form-data; name=\"" + name +
                "\"\r\n\r\n" + value + "\r\n";
  }
  out.body += "--" + out.boundary + "--\r\n";
  return out;
}

WildberriesSender::WildberriesSender(AccountBook accounts, const Clock& clock)
    : accounts_(std::move(accounts)), clock_(clock) {}

Result<outbound::HttpRequest> WildberriesSender::BuildSend(const OutboundMessage& message,
                                                           TimePoint /*now*/) const {
  auto account = accounts_.Find(message.store_id);
  if (!account) return account.error();
  const Account& a = *account.value();
  switch (message.kind) {
    case MessageKind::kReply: {
      if (message.reply_token.empty()) {
        return MakeError(Errc::kMissingField,
                         "field 'reply_token' (the chat's Wildberries replySign) is required");
      }
      if (CodePointCount(message.reply_token) > kMaxReplySignChars ||
          !IsValidUtf8(message.reply_token) || HasControl(message.reply_token)) {
        return MakeError(Errc::kInvalidField,
                         "field 'reply_token' must be at most 255 printable characters");
      }
      auto text = CheckText(Marketplace(), message.text, kMaxMessageChars);
      if (!text) return text.error();
      const MultipartBody form =
          BuildMultipartForm({{"replySign", message.reply_token}, {"message", message.text}});
      auto request =
          Authorized("POST", BaseUrl(a, WildberriesHosts::kChat) + "/api/v1/seller/message", a);
      request.headers.emplace_back("Content-Type",
                                   "multipart/form-data; boundary=" + form.boundary);
      request.body = form.body;
      return request;
    }
    case MessageKind::kQuestionAnswer: {
      if (message.conversation_id.empty()) {
        return MakeError(Errc::kMissingField,
                         "field 'conversation_id' (the Wildberries question id) is required");
      }
      auto text = CheckText(Marketplace(), message.text, kMaxAnswerChars);
      if (!text) return text.error();
      auto request =
          Authorized("PATCH", BaseUrl(a, WildberriesHosts::kFeedbacks) + "/api/v1/questions", a);
      request.headers.emplace_back("Content-Type", "application/json");
      // state "wbRu": the answer is published on the site ("none" would reject the question).
      request.body = "{\"id\":" + JsonString(message.conversation_id) +
                     ",\"answer\":{\"text\":" + JsonString(message.text) + "},\"state\":\"wbRu\"}";
      return request;
    }
    case MessageKind::kClaimMessage:
      break;
  }
  return MakeError(Errc::kInvalidField,
                   "field 'kind' claim_message is not supported by wildberries");
}

SendOutcome WildberriesSender::ParseSendResult(const outbound::HttpResponse& response) const {
  auto doc = JsonDocument::ParseObject(response.body);
  std::string detail;  // problem+json "title" / "detail" of a 4xx
  if (doc) {
    for (std::string_view key : {"title", "errorText"}) {
      if (auto v = doc.value().root().OptionalString(key); v && v.value() && !v.value()->empty()) {
        detail = *v.value();
        break;
      }
    }
  }
  if (auto by_status = OutcomeOfStatus(Marketplace(), response, clock_.Now(), detail)) {
    if (by_status->verdict == SendVerdict::kRetry && !by_status->retry_after) {
      // WB rate limiting names the wait in X-Ratelimit-Retry (seconds).
      outbound::HttpResponse alias;
      alias.headers = {{"retry-after", std::string(response.Header("x-ratelimit-retry"))}};
      by_status->retry_after = RetryAfterOf(alias, clock_.Now());
    }
    return *by_status;
  }
  if (!doc) return Rejected("wildberries: unrecognised 2xx body");
  const JsonValue& root = doc.value().root();
  if (auto errors = root.Find("errors"); errors && errors.value()) {
    auto list = errors.value()->AsArray();
    if (!list) return Rejected("wildberries: 2xx with malformed errors");
    if (!list.value().empty()) {
      const JsonValue& first = list.value().front();
      std::string what =
          first.type() == JsonValue::Type::kString ? first.AsString().value() : first.Minified();
      return Rejected("wildberries error: " + Clip(what));
    }
  }
  if (auto error = root.OptionalBool("error"); error && error.value().value_or(false)) {
    return Rejected("wildberries error: " + Clip(detail));
  }
  if (!root.Has("result") && !root.Has("error") && !root.Has("data")) {
    return Rejected("wildberries: unrecognised 2xx body");
  }
  return Delivered("");
}

}  // namespace csgw::gateway
