// Open deadlines and their alert times, as pure data: the scheduler turns them into timers, the
// agents' queue sorts by the nearest one. A timer that fires comes back as TimeoutEvent(), an
// ordinary input of the machine.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "disputes/dispute.h"
#include "disputes/rules.h"

namespace csgw::disputes {

struct Deadline {
  std::string name;            // the rule's name: "seller_response"
  Party actor = Party::kNone;  // whose action stops it
  Expiry on_expiry = Expiry::kPlatformStepsIn;
  TimePoint started_at;  // the anchor instant
  // The earliest instant the actor may act, when the rule says (legacy buyer escalation).
  std::optional<TimePoint> opens_at;
  // The first instant at which the deadline has passed: an action at exactly due_at is late.
  TimePoint due_at;

  friend bool operator==(const Deadline&, const Deadline&) = default;
};

struct Alert {
  std::string deadline;
  Party actor = Party::kNone;
  TimePoint at;
  std::chrono::seconds before{0};  // due_at - at
  TimePoint due_at;

  friend bool operator==(const Alert&, const Alert&) = default;
};

// The deadlines running for `dispute` under `rules`, ordered by due time then name. Empty for a
// dispute that is not open. Seller deadlines are left out of after-sales-protection disputes:
// the platform handles them and the seller need not respond.
std::vector<Deadline> OpenDeadlines(const Dispute& dispute, const RuleSet& rules);

// One alert per offset in rules.alerts_before (T-48h, T-24h, T-4h by default), ordered by time.
// Offsets that would fall before the deadline started are dropped: a 10-day deadline gets all
// three, a deadline opened 30 hours before it is due gets T-24h and T-4h only.
std::vector<Alert> AlertTimes(const Deadline& deadline, const RuleSet& rules);
// The same with offsets chosen by the integrator (per store) instead of the rule set's.
std::vector<Alert> AlertTimes(const Deadline& deadline,
                              std::span<const std::chrono::seconds> alerts_before);
std::vector<Alert> AlertTimes(const std::vector<Deadline>& deadlines, const RuleSet& rules);

// The earliest due time, for the agents' queue; nullopt when nothing is running.
std::optional<TimePoint> NearestDue(const std::vector<Deadline>& deadlines);

// The machine input for `deadline` passing: occurred_at = due_at, id
// "<dispute id>/deadline/<name>/<due unix ms>" so a timer that fires twice applies once.
DisputeEvent TimeoutEvent(const Dispute& dispute, const Deadline& deadline);
// The same from the dispute's id and the deadline's name and due time (an own timer event).
DisputeEvent TimeoutEvent(std::string_view dispute_id, std::string_view deadline,
                          TimePoint due_at);

}  // namespace csgw::disputes
