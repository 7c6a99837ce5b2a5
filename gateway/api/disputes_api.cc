#include "gateway/api/disputes_api.h"

#include <array>
#include <memory>

#include "base/crypto.h"
#include "base/json.h"
#include "base/log.h"
#include "base/timestamp.h"
#include "disputes/money.h"
#include "disputes/own_proposal.h"
#include "disputes/rules.h"
#include "gateway/api/disputes_json.h"
#include "gateway/api/disputes_view.h"
#include "gateway/api/responses.h"
#include "gateway/marketplaces/api_util.h"
#include "gateway/marketplaces/event_util.h"

namespace csgw::gateway {
namespace {

namespace d = csgw::disputes;
using Deps = DisputesApiDeps;

// A message to the buyer: generous for any marketplace (each sender checks its own limit when
// it builds the request), small enough for a request body.
constexpr size_t kMaxMessageBytes = 8'000;

// Marketplaces whose senders take a message on an after-sales case (MessageKind::kClaimMessage:
// Mercado Libre claims, eBay returns; the dispute id is the claim or return id). The others
// have no such send API here: the seller makes the proposal in the marketplace's own back office.
constexpr std::array<std::string_view, 2> kClaimMessageMarketplaces = {"ebay", "mercadolibre"};

// The dispute under `id`, or nullopt when there is none or the caller may not see its store.
Result<std::optional<DisputeView>> VisibleDispute(const Deps& deps, const Principal& who,
                                                  std::string_view id) {
  auto view = LoadDispute(*deps.store, id);
  if (!view) return view.error();
  if (!view.value() || !who.MaySee(view.value()->stored.store_id())) {
    return std::optional<DisputeView>();
  }
  return view;
}

std::shared_ptr<const templates::Catalog> CatalogOf(const Deps& deps) {
  return deps.catalog != nullptr ? deps.catalog->Get() : templates::Catalog::Default();
}

std::string Query(const ApiCall& call, std::string_view name) {
  auto it = call.request.query.find(name);
  return it == call.request.query.end() ? std::string() : it->second;
}

void ListDisputesRoute(const Deps& deps, ApiCall call, http::Responder respond) {
  auto limit = PageLimit(call.request, deps.max_page);
  if (!limit) return respond(ErrorResponse(limit.error()));
  DisputeQuery q;
  q.limit = limit.value();
  q.max_examined = deps.max_examined;
  q.store_id = Query(call, "store");
  q.after = Query(call, "after");
  const Principal* who = call.principal;
  // Like the conversations and outbox lists: another seller's store does not exist for you.
  if (!q.store_id.empty() && !who->MaySee(q.store_id)) {
    return respond(NotFound("store", q.store_id));
  }
  q.visible = [who](std::string_view store) { return who->MaySee(store); };
  if (const std::string state = Query(call, "state"); !state.empty()) {
    if (state == "open") {
      q.open_only = true;
    } else if (auto s = d::ParseState(state); s && *s != d::State::kNone) {
      q.state = *s;
    } else {
      return respond(ErrorResponse(FieldError(
          "state", "must be open or a dispute state (awaiting_seller_response, negotiating, "
                   "arbitrating, agreed, ruled, awaiting_return_shipment, "
                   "awaiting_seller_receipt, closed, cancelled)")));
    }
  }
  const std::string before = Query(call, "due_before");
  const std::string within = Query(call, "due_within");
  if (!before.empty() && !within.empty()) {
    return respond(ErrorResponse(FieldError("due_within", "cannot be given with due_before")));
  }
  if (!before.empty()) {
    auto at = ParseIsoDateTime(before);
    if (!at) {
      return respond(ErrorResponse(
          FieldError("due_before", "must be an ISO 8601 instant such as 2024-03-24T10:00:00Z")));
    }
    q.due_before = *at;
  }
  if (!within.empty()) {
    auto span = d::ParseDuration(within);
    if (!span) {
      return respond(
          ErrorResponse(FieldError("due_within", "must be a duration such as 24h, 90m or 2d")));
    }
    q.due_before = deps.clock->Now() + *span;
  }
  // Another seller's store: an empty list, as for a store with no disputes.
  if (!q.store_id.empty() && !who->MaySee(q.store_id)) {
    return respond(JsonResponse(200, "{\"disputes\":[],\"next\":null}"));
  }
  auto page = ListDisputes(*deps.store, q);
  if (!page) return respond(ErrorResponse(page.error()));
  const TimePoint now = deps.clock->Now();
  std::string out = "{\"disputes\":[";
  for (size_t i = 0; i < page.value().disputes.size(); ++i) {
    if (i > 0) out += ',';
    out += DisputeSummaryJson(page.value().disputes[i], now);
  }
  out += "],\"next\":";
  out += page.value().next.empty() ? "null" : JsonString(page.value().next);
  out += '}';
  respond(JsonResponse(200, std::move(out)));
}

// "dispute-proposal/<dispute key>/<proposal id>": one send per proposal.
std::string ProposalSendKey(std::string_view dispute_key, std::string_view proposal_id) {
  return "dispute-proposal/" + std::string(dispute_key) + "/" + std::string(proposal_id);
}

void GetDisputeRoute(const Deps& deps, ApiCall call, http::Responder respond) {
  const std::string& id = call.params[0];
  auto view = VisibleDispute(deps, *call.principal, id);
  if (!view) return respond(ErrorResponse(view.error()));
  if (!view.value()) return respond(NotFound("dispute", id));
  const DisputeView& v = *view.value();
  std::map<std::string, ProposalSend, std::less<>> sends;
  if (deps.outbox != nullptr) {
    for (const d::Proposal& p : v.dispute.proposals) {
      if (!std::string_view(p.id).starts_with(d::kOwnProposalIdPrefix)) continue;
      const std::string outbox_id = OutboxId(ProposalSendKey(v.key, p.id));
      auto entry = deps.outbox->Get(outbox_id);
      if (!entry) return respond(ErrorResponse(entry.error()));
      if (entry.value()) {
        sends[p.id] = ProposalSend{outbox_id, std::string(OutboxStateName(entry.value()->state()))};
      }
    }
  }
  std::string why;
  const auto advice = AdviseDispute(*deps.store, v, *CatalogOf(deps), why);
  respond(JsonResponse(200, DisputeDetailJson(v, deps.clock->Now(), sends, advice, why)));
}

struct ProposalBody {
  const d::SellerSolution* solution = nullptr;
  std::optional<d::Money> amount;
  std::string message;
};

// The body, checked against the dispute: the amount in the order's currency, a partial refund
// below the order's value. Errors name the field.
Result<ProposalBody> ParseProposal(const Deps& deps, const DisputeView& view,
                                   std::string_view body) {
  auto doc = JsonDocument::ParseObject(body);
  if (!doc) return doc.error();
  const JsonValue& root = doc.value().root();
  if (auto known = root.KnownMembers({"solution", "amount", "message"}, "proposal field"); !known) {
    return known.error();
  }
  ProposalBody out;
  auto word = root.NonEmptyString("solution");
  if (!word) return word.error();
  out.solution = d::FindSellerSolution(word.value());
  if (out.solution == nullptr) {
    std::string words;
    for (const d::SellerSolution& s : d::SellerSolutions()) {
      words += (words.empty() ? "" : ", ") + std::string(s.word);
    }
    return FieldError("solution", "must be one of " + words);
  }
  auto amount = root.OptionalObject("amount");
  if (!amount) return amount.error();
  if (amount.value()) {
    if (auto known = amount.value()->KnownMembers({"amount", "currency"}, "money field"); !known) {
      return known.error();
    }
    auto value = amount.value()->NonEmptyString("amount");
    if (!value) return value.error();
    auto currency = amount.value()->NonEmptyString("currency");
    if (!currency) return currency.error();
    out.amount = d::Money{value.value(), currency.value()};
    auto parsed = d::ParseMoney(*out.amount, "amount");
    if (!out.solution->takes_amount) {
      // The advisor's options carry a zero amount where the buyer receives no money (an
      // explanation, a resend): such an option is posted back as it came, meaning no amount.
      if (!parsed || !parsed.value().IsZero()) {
        return FieldError("amount", "is not taken by " + std::string(out.solution->word) +
                                        " (only a zero amount)");
      }
      out.amount.reset();
    }
  }
  if (amount.value() && out.amount) {
    auto parsed = d::ParseMoney(*out.amount, "amount");
    if (!parsed) return parsed.error();
    if (parsed.value().IsNegative() || parsed.value().IsZero()) {
      return FieldError("amount.amount", "must be positive");
    }
    if (parsed.value().scale() > d::MinorUnitDigits(out.amount->currency)) {
      return FieldError("amount.amount",
                        "has more decimals than " + out.amount->currency + " has");
    }
  } else if (out.solution->needs_amount) {
    return MakeError(Errc::kMissingField, "field 'amount' is required for " +
                                              std::string(out.solution->word));
  }
  auto message = root.NonEmptyString("message");
  if (!message) return message.error();
  if (message.value().size() > kMaxMessageBytes) {
    return FieldError("message", "must be at most " + std::to_string(kMaxMessageBytes) + " bytes");
  }
  if (!IsValidUtf8(message.value())) return FieldError("message", "must be UTF-8 text");
  out.message = std::move(message).value();

  if (out.amount) {
    // The order's value (or the buyer's ask) fixes the currency and bounds a partial refund.
    if (auto input = AdvisorInputFor(*deps.store, view.dispute)) {
      const d::Money& order = input->order_value;
      if (order.currency != out.amount->currency) {
        return FieldError("amount.currency", "must be " + order.currency + ", the order's currency");
      }
      auto cmp = d::Compare(*out.amount, order);
      if (cmp && out.solution->word == "partial_refund" && cmp.value() >= 0) {
        return FieldError("amount.amount", "must be below the order's value " + order.amount +
                                               " " + order.currency + " (or use full_refund)");
      }
      if (cmp && cmp.value() > 0 && out.solution->word != "coupon") {
        return FieldError("amount.amount", "must not exceed the order's value " + order.amount +
                                               " " + order.currency);
      }
    }
  }
  return out;
}

std::string ProposalId(std::string_view key, const ProposalBody& body,
                       std::string_view idempotency_key) {
  std::string material = std::string(key) + '\n' + std::string(body.solution->word) + '\n';
  if (body.amount) material += body.amount->amount + ' ' + body.amount->currency;
  material += '\n' + body.message + '\n' + std::string(idempotency_key);
  return std::string(d::kOwnProposalIdPrefix) + crypto::Sha256Hex(material).substr(0, 24);
}

std::string_view HeaderOf(const http::Request& request, std::string_view name) {
  auto it = request.headers.find(name);
  return it == request.headers.end() ? std::string_view() : std::string_view(it->second);
}

void PostProposalRoute(const Deps& deps, ApiCall call, http::Responder respond) {
  const std::string& id = call.params[0];
  auto view = VisibleDispute(deps, *call.principal, id);
  if (!view) return respond(ErrorResponse(view.error()));
  if (!view.value()) return respond(NotFound("dispute", id));
  const DisputeView& v = *view.value();
  auto body = ParseProposal(deps, v, call.request.body);
  if (!body) return respond(ErrorResponse(body.error()));
  const d::State state = v.dispute.state;
  if (state != d::State::kAwaitingSellerResponse && state != d::State::kNegotiating &&
      state != d::State::kArbitrating) {
    return respond(ErrorResponse(MakeError(
        Errc::kConflict, "dispute " + v.key + " is " + std::string(d::Name(state)) +
                             ": proposals end with the agreement or the ruling")));
  }
  const std::string idempotency = std::string(HeaderOf(call.request, "idempotency-key"));
  if (idempotency.size() > 200) {
    return respond(ErrorResponse(FieldError("Idempotency-Key", "must be at most 200 characters")));
  }
  const TimePoint now = deps.clock->Now();
  const std::string proposal_id = ProposalId(v.key, body.value(), idempotency);
  proto::Event event = d::OwnProposalEvent(proposal_id, v.dispute.marketplace, v.dispute.store_id,
                                           v.dispute.id, v.dispute.order_id,
                                           *body.value().solution, body.value().amount, now);
  SetTimestamp(event.mutable_received_at(), now);
  auto appended = deps.store->Append({std::move(event)});
  if (!appended) return respond(ErrorResponse(appended.error()));
  const Appended& stored = appended.value().front();
  if (deps.on_event) deps.on_event();

  std::string send;
  std::string outbox_id;
  const std::string& marketplace = v.dispute.marketplace;
  const bool sendable = std::find(kClaimMessageMarketplaces.begin(),
                                  kClaimMessageMarketplaces.end(),
                                  marketplace) != kClaimMessageMarketplaces.end();
  if (!sendable) {
    send = "{\"sent\":false,\"reason\":" +
           JsonString(marketplace + " has no send API for dispute proposals here: make it in " +
                      marketplace + "'s seller center") +
           "}";
  } else if (deps.outbox == nullptr) {
    send = "{\"sent\":false,\"reason\":\"sending is not configured\"}";
  } else {
    proto::OutboxEntry entry;
    entry.set_idempotency_key(ProposalSendKey(v.key, proposal_id));
    entry.set_kind("dispute_proposal");
    entry.set_marketplace(marketplace);
    entry.set_store_id(v.dispute.store_id);
    entry.set_conversation_id(v.key);
    entry.set_marketplace_conversation_id(v.dispute.id);  // the claim (return) id
    entry.set_order_id(v.dispute.order_id);
    entry.set_buyer_id(v.stored.buyer().id());
    entry.set_text(body.value().message);
    entry.set_requested_by("agent:" + call.principal->user);
    entry.set_message_kind("claim_message");
    auto queued = deps.outbox->EnqueueNow(std::move(entry), now);
    if (!queued) {
      // The proposal is recorded; a retry of this request enqueues the same send once.
      log::Error("api.dispute_proposal_not_queued",
                 {{"dispute", v.key}, {"proposal", proposal_id}, {"error", queued.error().message}});
      return respond(ErrorResponse(queued.error()));
    }
    outbox_id = queued.value().id();
    if (deps.on_send) deps.on_send();
    send = "{\"sent\":true,\"outbox_id\":" + JsonString(outbox_id) + ",\"state\":" +
           JsonString(OutboxStateName(queued.value().state())) + "}";
  }
  log::Info("api.dispute_proposal", {{"dispute", v.key},
                                     {"proposal", proposal_id},
                                     {"solution", body.value().solution->word},
                                     {"duplicate", stored.duplicate},
                                     {"outbox_id", outbox_id},
                                     {"by", call.principal->user}});
  std::string out = "{\"proposal\":{\"id\":" + JsonString(proposal_id) +
                    ",\"dispute\":" + JsonString(v.key) +
                    ",\"solution\":" + JsonString(body.value().solution->word) + ",\"amount\":";
  out += body.value().amount ? "{\"amount\":" + JsonString(body.value().amount->amount) +
                                   ",\"currency\":" + JsonString(body.value().amount->currency) + "}"
                             : "null";
  out += ",\"status\":\"recorded\",\"event_sequence\":" + std::to_string(stored.sequence) +
         ",\"duplicate\":" + (stored.duplicate ? "true" : "false") + "},\"send\":" + send + "}";
  respond(JsonResponse(202, std::move(out)));
}

}  // namespace

void AddDisputeRoutes(ApiRoutes& routes, const DisputesApiDeps& deps) {
  auto shared = std::make_shared<const Deps>(deps);
  auto bind = [shared](void (*fn)(const Deps&, ApiCall, http::Responder)) {
    return [shared, fn](ApiCall call, http::Responder respond) {
      fn(*shared, std::move(call), std::move(respond));
    };
  };
  routes.Add("GET", "/v1/disputes", Access::kRead, bind(&ListDisputesRoute));
  routes.Add("GET", "/v1/disputes/{id}", Access::kRead, bind(&GetDisputeRoute));
  routes.Add("POST", "/v1/disputes/{id}/proposals", Access::kAct, bind(&PostProposalRoute));
}

}  // namespace csgw::gateway
