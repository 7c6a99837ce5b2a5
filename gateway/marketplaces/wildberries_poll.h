// Wildberries has no push (marketplaces/README.md §9): three feeds per account, polled with the
// account's API token.
// - chat: GET buyer-chat-api /api/v1/seller/events[?next=<ms>]; the cursor is result.next;
//   pages until totalEvents is 0. Each event becomes a BuyerMessage (channel "buyer_chat"),
//   id "chat:<eventID>".
// - questions: GET feedbacks-api /api/v1/questions?isAnswered=false&take&skip&order=dateAsc&
//   dateFrom=<unix s>: unanswered product questions, oldest first, from a little before the
//   newest one seen (questions may surface late; re-reads dedupe). A BuyerMessage (channel
//   "question", answered with MessageKind::kQuestionAnswer), id "question:<id>".
// - claims: GET returns-api /api/v1/claims?is_archive=false&limit&offset: the active return
//   claims, walked page by page each cycle. A DisputeUpdate per claim state, id
//   "claim:<id>:<dt_update>"; dt / dt_update are UTC+3 without an offset (README §9.5).
//   Claims that leave the active list for the archive are not followed there.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "gateway/marketplaces/accounts.h"
#include "gateway/marketplaces/poll.h"

namespace csgw::gateway {

struct WildberriesPollOptions {
  std::chrono::seconds interval{30};
  // How far back the first questions poll looks.
  std::chrono::hours initial_lookback{72};
  size_t questions_page = 100;
  size_t claims_page = 200;
};

std::vector<std::unique_ptr<PollFeed>> WildberriesFeeds(const Account& account,
                                                        const WildberriesPollOptions& options);

// The replySign a chat event carried (only the first event of a new chat has one), read from
// the event's raw payload: what OutboundMessage.reply_token needs. kNotFound when absent.
Result<std::string> WildberriesReplySign(const proto::Event& event);

}  // namespace csgw::gateway
