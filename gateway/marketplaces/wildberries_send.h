// Wildberries replies with the account's API token in Authorization (marketplaces/README.md §9):
// - reply: POST buyer-chat-api /api/v1/seller/message, multipart/form-data with the chat's
//   replySign (OutboundMessage.reply_token, ≤ 255 characters) and the message (≤ 1000);
//   {"result":{"addTime","chatID"},"errors":[]}.
// - question_answer: PATCH feedbacks-api /api/v1/questions
//   {"id", "answer": {"text"}, "state": "wbRu"}; {"error": false, "errorText": ""}.
#pragma once

#include <string>

#include "base/clock.h"
#include "gateway/marketplaces/accounts.h"
#include "gateway/marketplaces/send.h"

namespace csgw::gateway {

struct WildberriesHosts {
  static constexpr std::string_view kChat = "https://buyer-chat-api.wildberries.ru";
  static constexpr std::string_view kFeedbacks = "https://feedbacks-api.wildberries.ru";
  static constexpr std::string_view kReturns = "https://returns-api.wildberries.ru";
};

// A multipart/form-data body of text fields, with a boundary derived from the content (the same
// message always gives the same bytes) that occurs in none of the values.
struct MultipartBody {
  std::string boundary;
  std::string body;
};
MultipartBody BuildMultipartForm(const std::vector<std::pair<std::string, std::string>>& fields);

class WildberriesSender final : public ReplySender {
 public:
  static constexpr size_t kMaxMessageChars = 1000;
  static constexpr size_t kMaxReplySignChars = 255;
  // No limit is documented for question answers; this bounds what we send.
  static constexpr size_t kMaxAnswerChars = 2000;

  WildberriesSender(AccountBook accounts, const Clock& clock);

  std::string_view Marketplace() const override { return "wildberries"; }
  Result<outbound::HttpRequest> BuildSend(const OutboundMessage& message,
                                          TimePoint now) const override;
  // Both answer shapes: a non-empty "errors" array or "error": true is a failure. 429 waits for
  // Retry-After or WB's X-Ratelimit-Retry.
  SendOutcome ParseSendResult(const outbound::HttpResponse& response) const override;

 private:
  AccountBook accounts_;
  const Clock& clock_;
};

}  // namespace csgw::gateway
