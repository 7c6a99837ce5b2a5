// The read side of disputes, shared by the agents' API (disputes_api.h) and `csgw disputes`:
// one stored dispute re-derived, the queue ordered by the nearest deadline, the advisor's input
// from what the gateway knows of the order, and its reply drafted in the buyer's language.
//
// The queue reads the store's timers by due time (EventStore::ScanTimers): every open deadline
// of a dispute is a pending "dispute_deadline" timer written in the same batch as the dispute,
// so "due within 24 h across every store" costs what is due in the window, not a scan of every
// dispute ever stored. Disputes with no deadline running come after, by key.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "disputes/advisor.h"
#include "disputes/deadlines.h"
#include "disputes/dispute.h"
#include "gateway/store/event_store.h"
#include "proto/csgw/v1/disputes.pb.h"
#include "templates/catalog.h"

namespace csgw::gateway {

// One stored dispute with its state re-derived under its rule set.
struct DisputeView {
  std::string key;  // "<marketplace>/<store>/<dispute id>"
  proto::StoredDispute stored;
  disputes::Dispute dispute;
  std::vector<disputes::Deadline> deadlines;  // open ones, nearest first
};

// nullopt when there is no record under `key`; kStorageFailure for an unreadable record,
// kInvalidField for one the library refuses (unknown rule set or event field).
Result<std::optional<DisputeView>> LoadDispute(const EventStore& store, std::string_view key);

struct DisputeQuery {
  // Only this store's disputes when non-empty.
  std::string store_id;
  // Stores the caller may see; null: all.
  std::function<bool(std::string_view store_id)> visible;
  // Only disputes in this state; `open_only`: in any open state.
  std::optional<disputes::State> state;
  bool open_only = false;
  // Only disputes whose nearest deadline is due before this (overdue ones included).
  std::optional<TimePoint> due_before;
  // A previous page's `next`.
  std::string after;
  size_t limit = 50;
  // Timers and records read at most for one page: a page may come back short, with `next`.
  size_t max_examined = 10'000;
};

struct DisputePage {
  std::vector<DisputeView> disputes;
  // Where the next page starts; empty when there is nothing more.
  std::string next;
};

// Disputes by nearest deadline (then deadline name), those with no deadline running last by
// key. kInvalidField naming 'after' for a cursor this function did not produce. A record that
// cannot be read is logged by key and skipped: one damaged dispute must not hide the queue.
Result<DisputePage> ListDisputes(const EventStore& store, const DisputeQuery& query);

// What the advisor needs, from the order record when the gateway saw the order: its total (else
// the largest amount the buyer asked for), the carrier and tracking. nullopt when nothing tells
// the order's value.
std::optional<disputes::AdvisorInput> AdvisorInputFor(const EventStore& store,
                                                      const disputes::Dispute& dispute);

// The buyer's reply locale and time zone: from the drafts of the buyer's conversation about the
// order when there is one, else from what the dispute's events said of the buyer (locale hint,
// country), else the marketplace's country, else "en" and UTC.
struct BuyerLocale {
  std::string locale = "en";
  std::string time_zone = "UTC";
};
BuyerLocale BuyerLocaleOf(const EventStore& store, const DisputeView& view);

// The advisor's reply rendered from the catalogue in `locale`: empty `text` when variables are
// missing (`missing`) or rendering failed (`error`).
struct RenderedReply {
  std::string template_key;
  std::string locale;  // the catalogue locale the text came from
  std::string text;
  std::vector<std::string> missing;
  std::string error;
};
RenderedReply RenderReply(const disputes::Advice& advice, const templates::Catalog& catalog,
                          const BuyerLocale& buyer, std::string_view store_id);

// The advice for an open dispute with a known order value, with its reply; nullopt otherwise,
// `why` saying why ("closed", "order value unknown", the advisor's error).
struct DisputeAdvice {
  disputes::Advice advice;
  RenderedReply reply;
};
std::optional<DisputeAdvice> AdviseDispute(const EventStore& store, const DisputeView& view,
                                           const templates::Catalog& catalog, std::string& why);

}  // namespace csgw::gateway
