// AliExpress has no HTTP push (marketplaces/README.md §2): two feeds per account, over the
// Open Platform API of aliexpress_api.h.
// - messages: aliexpress.message.redefining.versiontwo.querymsgrelationlist pages through the
//   conversations (relations) active since the last scan; each relation whose message_time is
//   newer goes to a pending list in the cursor, and ...versiontwo.querymsgdetaillist (channel_id,
//   first page) turns it into BuyerMessage events, id "msg:<message id>", for the messages newer
//   than the scan's start. The scan's start moves to the newest message_time once the pending
//   list is drained.
// - issues: aliexpress.issue.issuelist.get walks the "processing" issues, then the first page of
//   "finish" and "canceled_issue"; issues modified since the last scan go to a pending list and
//   aliexpress.issue.detail.get (issue_id, buyer_login_id) adds their detail. One DisputeUpdate
//   per issue state, id "issue:<id>:<status>:<gmt_modified>", whose raw payload keeps the
//   detail for AliExpressIssueOf.
//
// [UNCERTAIN] Request names and parameters follow the TOP SDK classes; the list field names of
// the answers (relation_list.relation_result, data_list.issue_api_issue_dto) follow the SDK's
// response classes, those of the message detail and issue detail answers were not found and are
// read by shape (the member of the result whose name ends in "_list"). Time strings
// ("yyyy-MM-dd HH:mm:ss") carry no zone: read as GMT+8 like every TOP time (README §2.5).
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "disputes/mapping.h"
#include "gateway/marketplaces/accounts.h"
#include "gateway/marketplaces/aliexpress_api.h"
#include "gateway/marketplaces/poll.h"

namespace csgw::gateway {

struct AliExpressPollOptions {
  std::chrono::seconds interval{60};
  // How far back the first scan of an account reaches.
  std::chrono::hours initial_lookback{72};
  size_t page_size = 50;
};

std::vector<std::unique_ptr<PollFeed>> AliExpressFeeds(const Account& account,
                                                       const AliExpressApp& app,
                                                       const AliExpressPollOptions& options);

// The issue detail an issues-feed event carries, for disputes::MappingContext::aliexpress.
// kNotFound when the event has no detail (the detail call was refused).
Result<disputes::AliExpressIssue> AliExpressIssueOf(const proto::Event& event);

}  // namespace csgw::gateway
