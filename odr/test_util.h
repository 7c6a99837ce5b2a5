// Builders shared by the odr tests.
#pragma once

#include <chrono>
#include <cstdlib>
#include <string>

#include "base/timestamp.h"
#include "odr/counting.h"
#include "odr/rules.h"

namespace csgw::odr::testing {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

inline TimePoint At(std::string_view iso) {
  auto t = ParseIsoDateTime(iso);
  if (!t) std::abort();
  return *t;
}

inline Day D(std::string_view text) {
  auto d = ParseDay(text);
  if (!d) std::abort();
  return *d;
}

inline const RuleSet& Rules(std::string_view id) {
  const RuleSet* rules = FindRuleSet(DefaultRuleSets(), id);
  if (rules == nullptr) std::abort();
  return *rules;
}

inline proto::Event Base(std::string id, std::string marketplace, std::string order, TimePoint at) {
  proto::Event e;
  e.set_event_id(std::move(id));
  e.set_marketplace(std::move(marketplace));
  e.set_store_id("s1");
  e.mutable_order()->set_order_id(std::move(order));
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch());
  e.mutable_occurred_at()->set_seconds(ns.count() / 1000000000);
  e.mutable_occurred_at()->set_nanos(static_cast<int32_t>(ns.count() % 1000000000));
  return e;
}

inline proto::Event Order(std::string id, std::string order, TimePoint at, proto::OrderStatus s,
                          std::string marketplace = "aliexpress") {
  proto::Event e = Base(std::move(id), std::move(marketplace), std::move(order), at);
  e.mutable_order_update()->set_status(s);
  return e;
}

inline proto::Event Dispute(std::string id, std::string order, TimePoint at, std::string type,
                            std::string marketplace = "aliexpress") {
  proto::Event e = Base(std::move(id), std::move(marketplace), std::move(order), at);
  e.mutable_dispute_update()->set_dispute_id("d-" + e.order().order_id());
  e.mutable_dispute_update()->set_dispute_type(std::move(type));
  return e;
}

inline proto::Event Feedback(std::string id, std::string order, TimePoint at, int rating,
                             std::string buyer, std::string marketplace = "aliexpress") {
  proto::Event e = Base(id, std::move(marketplace), std::move(order), at);
  e.mutable_feedback_posted()->set_feedback_id("f-" + id);
  e.mutable_feedback_posted()->set_rating(rating);
  e.mutable_buyer()->set_id(std::move(buyer));
  return e;
}

inline proto::Event Message(std::string id, std::string conversation, TimePoint at,
                            proto::SenderRole sender, std::string marketplace = "amazon") {
  proto::Event e = Base(std::move(id), std::move(marketplace), "", at);
  e.clear_order();
  auto* m = e.mutable_buyer_message();
  m->set_kind(proto::BuyerMessage::KIND_NEW);
  m->set_conversation_id(std::move(conversation));
  m->set_sender(sender);
  return e;
}

inline DisputeOutcome Outcome(TimePoint opened, disputes::ReasonGroup reason,
                              disputes::State state) {
  DisputeOutcome o;
  o.opened_at = opened;
  o.reason = reason;
  o.state = state;
  return o;
}

inline EventContext Usd(std::string value) {
  EventContext c;
  c.order_value_usd = std::move(value);
  return c;
}

}  // namespace csgw::odr::testing
