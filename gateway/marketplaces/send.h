// Replies back through each marketplace's API: the pure part. A ReplySender turns one outbound
// message into the exact HTTP request its marketplace expects (URL, headers, body, signature)
// and judges the marketplace's answer; the outbox (gateway/outbound) performs the exchange,
// retries and dead-letters. Senders do no I/O: credentials come from Config.accounts at
// startup, time from the caller (requests) or the injected clock (Retry-After dates).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/outbound/request.h"
#include "proto/proto.h"

namespace csgw::gateway {

enum class MessageKind {
  // A message in a buyer conversation (chat, pack, session).
  kReply,
  // A message on an after-sales case: Mercado Libre claim (to the complainant), eBay return.
  kClaimMessage,
  // The public answer to a product question (Wildberries questions).
  kQuestionAnswer,
};

// "reply", "claim_message", "question_answer".
std::string_view MessageKindName(MessageKind kind);

// One logical send. Ids are the marketplace's own, as the events carried them.
struct OutboundMessage {
  std::string marketplace;
  // The seller account to send as (Event.store_id); its credentials come from Config.accounts.
  std::string store_id;
  // The marketplace's conversation: Ozon chat_id, Mercado Libre pack id (or claim id for a
  // claim message), Lazada session_id, eBay conversationId (or returnId), Wildberries chatID
  // (or question id), AliExpress channel_id (relation id).
  std::string conversation_id;
  std::string order_id;
  // The buyer's id: Shopee to_id, Mercado Libre to.user_id, AliExpress buyer login id, eBay
  // username when starting a conversation.
  std::string buyer_id;
  // What the buyer reads. Personal data: never logged.
  std::string text;
  // Stable per logical send: the outbox keys its intent record on it. No marketplace here
  // documents an idempotency header, so no request carries it.
  std::string idempotency_key;
  // A marketplace-issued reply credential: the Wildberries chat's replySign (see
  // WildberriesReplySign in wildberries_poll.h).
  std::string reply_token;
  MessageKind kind = MessageKind::kReply;
};

enum class SendVerdict {
  kDelivered,  // the marketplace accepted the message
  kRetry,      // transient: rate limit, system busy, 5xx; the same request may be sent again
  kRejected,   // permanent: bad token, closed chat, invalid input; a retry cannot help
};

std::string_view SendVerdictName(SendVerdict verdict);

struct SendOutcome {
  SendVerdict verdict = SendVerdict::kRejected;
  // The marketplace's id of the sent message, when its answer carries one.
  std::string marketplace_message_id;
  // Why it was not delivered: status and the marketplace's error code, safe to log.
  std::string reason;
  // How long the marketplace asked us to wait (Retry-After, or the ban time it states).
  std::optional<std::chrono::seconds> retry_after;
};

// One marketplace's send dialect. Implementations are immutable after construction and safe to
// share between threads.
class ReplySender {
 public:
  virtual ~ReplySender();

  virtual std::string_view Marketplace() const = 0;

  // The request that sends `message` at `now` (signatures carry the time). Errors:
  // kNotFound (no account for the store), kMissingField / kInvalidField naming the field
  // (empty or over-long text, an id that cannot go into a URL, a kind the marketplace lacks).
  virtual Result<outbound::HttpRequest> BuildSend(const OutboundMessage& message,
                                                  TimePoint now) const = 0;

  // The marketplace's verdict on a completed HTTP exchange. A 2xx carrying an error body is not
  // delivered; a 2xx whose body cannot be recognised is kRejected (never retried: the message
  // may have gone out, and a dead letter is re-drivable by hand).
  virtual SendOutcome ParseSendResult(const outbound::HttpResponse& response) const = 0;
};

// The senders of every marketplace with at least one account in Config.accounts.
class SenderRegistry {
 public:
  // Startup-time: resolves every account's secrets; an unreadable one is an error naming it.
  static Result<std::unique_ptr<SenderRegistry>> Build(const proto::Config& config,
                                                       const Clock& clock);

  void Add(std::unique_ptr<ReplySender> sender);
  // nullptr when no account of `marketplace` is configured.
  const ReplySender* Find(std::string_view marketplace) const;
  std::vector<std::string_view> Ids() const;

 private:
  std::vector<std::unique_ptr<ReplySender>> senders_;
};

}  // namespace csgw::gateway
