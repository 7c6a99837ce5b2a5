// Disputes as JSON for the agents' API and `csgw disputes`: one shape for both, so that what a
// script reads from the CLI is what the dashboard reads from the API.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "gateway/api/disputes_view.h"

namespace csgw::gateway {

// {"id","marketplace","store_id","dispute_id","order_id","state","reason","marketplace_status",
//  "rule_set","platform_handles","opened_at","updated_at","agreement","responsibility","refund",
//  "amounts":{"requested","offered","agreed","refunded"},
//  "nearest_deadline":{"name","actor","on_expiry","due","overdue"}|null,
//  "alerts":{"raised","last_raised":{...}|null,"next_at"}}
// Amounts are {"amount","currency"} or null; "requested" is the buyer's live proposal, "offered"
// the seller's pending one.
std::string DisputeSummaryJson(const DisputeView& view, TimePoint now);

// The summary with "advice" (and "advice_unavailable" when null): a line of `csgw disputes`.
std::string DisputeQueueLineJson(const DisputeView& view, TimePoint now,
                                 const std::optional<DisputeAdvice>& advice,
                                 std::string_view no_advice_why);

// How one of csgw's own proposals is being sent (by proposal id).
struct ProposalSend {
  std::string outbox_id;
  std::string state;  // the outbox entry's state: pending, sending, sent, dead, cancelled
};

// The summary's members plus "buyer", "history", "proposals" (each with its status, and "send"
// for csgw's own), "deadlines", "alerts_raised", "alerts_scheduled", and "advice" (null with
// "advice_unavailable" saying why when there is none).
std::string DisputeDetailJson(const DisputeView& view, TimePoint now,
                              const std::map<std::string, ProposalSend, std::less<>>& sends,
                              const std::optional<DisputeAdvice>& advice,
                              std::string_view no_advice_why);

// {"options":[{"remedy","cost","amount","share_basis_points","rationale"}],"ask_buyer",
//  "third_party","platform_handles","cautious",
//  "reply":{"template","locale","text","missing","error"}}
std::string AdviceJson(const DisputeAdvice& advice);

}  // namespace csgw::gateway
