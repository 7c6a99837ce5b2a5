#pragma once

// Intent classification of buyer messages in ru, es and en. Rules are data (one file per
// language under templates/intents/, over text folded by i18n::FoldForMatching); the classifier
// interface lets a statistical model replace or join the rules later.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace csgw::templates {

// The intents agents act on. "other" means: no specific intent is clear, an agent decides.
inline constexpr std::string_view kIntents[] = {
    "greeting",         "thanks",         "where_is_my_order",
    "not_received",     "damaged_or_not_as_described",
    "return_request",   "refund_request", "cancel_order",
    "change_address",   "discount_request", "stock_question",
    "size_question",    "shipping_time_cost", "customs_duties",
    "payment_problem",  "payment_methods",  "feedback",
    "bulk_order",       "other",
};

struct IntentResult {
  std::string intent = "other";
  double confidence = 0;  // 0..1
  // Runner-up intents a message also matched (e.g. greeting + where_is_my_order), best first.
  std::vector<std::string> also;
};

class IntentClassifier {
 public:
  virtual ~IntentClassifier() = default;
  // `language` is "ru", "es" or "en" (others fall back to trying all three). Thread-safe.
  virtual IntentResult Classify(std::string_view text, std::string_view language) const = 0;
};

// The rule-based classifier over the embedded rule files.
std::unique_ptr<IntentClassifier> MakeRuleClassifier();

// The same over rule files given as (language, content) pairs, for tests and lint.
Result<std::unique_ptr<IntentClassifier>> MakeRuleClassifier(
    std::span<const std::pair<std::string, std::string>> rule_files);

}  // namespace csgw::templates
