// Config.disputes as the gateway uses it: which rule set a new dispute follows, when agents are
// alerted before its deadlines, and where those alerts are delivered.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "disputes/rules.h"
#include "proto/proto.h"

namespace csgw::gateway {

// Immutable once built; thread-safe.
class DisputeSettings {
 public:
  // Where a store's alerts go (DisputesStore); either URL may be empty.
  struct Webhooks {
    std::string agents_url;
    std::string escalation_url;
    std::string secret;  // the resolved signing secret: never logged
  };

  // The defaults: aliexpress-2024 for AliExpress, "<marketplace>-none" for the others, each
  // rule set's own alert offsets, no webhooks.
  DisputeSettings() = default;

  // Startup: resolves the stores' signing secrets (an unreadable one is an error naming its
  // field). `config` has passed ValidateConfig.
  static Result<std::shared_ptr<const DisputeSettings>> Build(const proto::DisputesConfig& config);

  // The rule set id a new dispute of `marketplace` in `store_id` follows: the store's choice, the
  // marketplace default, else the built-in default (see above).
  std::string RuleSetFor(std::string_view marketplace, std::string_view store_id) const;

  // The alert offsets before each deadline of `store_id`, largest first: the store's, the
  // config's, else `rules.alerts_before`.
  std::vector<std::chrono::seconds> AlertsBefore(std::string_view store_id,
                                                 const disputes::RuleSet& rules) const;

  // The store's webhooks, nullptr when it has none.
  const Webhooks* WebhooksOf(std::string_view store_id) const;

 private:
  struct Store {
    std::map<std::string, std::string, std::less<>> rule_sets;
    std::vector<std::chrono::seconds> alerts_before;
    Webhooks webhooks;
  };

  std::map<std::string, std::string, std::less<>> rule_sets_;
  std::vector<std::chrono::seconds> alerts_before_;
  std::map<std::string, Store, std::less<>> stores_;
};

}  // namespace csgw::gateway
