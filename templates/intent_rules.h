#pragma once

// One language's intent rules, compiled from its rule file (templates/intents/<lang>.rules; the
// format is documented at the top of each file). Scoring is kept apart from the decision: a rule
// set only adds evidence, in log-odds units, to per-intent logits, so a statistical model can
// produce the same logits and replace or join the rules without touching the decision in
// intent.cc.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "templates/intent.h"

namespace csgw::templates {

inline constexpr size_t kIntentCount = std::size(kIntents);

// The index of `name` in kIntents, or -1.
int IntentIndex(std::string_view name);

// The index of "other" in kIntents.
int OtherIntentIndex();

// Evidence per intent (index as in kIntents), in log-odds units; 0 means no evidence.
struct IntentLogits {
  std::array<double, kIntentCount> value{};
  std::array<bool, kIntentCount> matched{};  // whether any rule of the intent fired
};

// The words of a message as the rules see them: folded by i18n::FoldForMatching, split by
// i18n::SplitWords, apostrophes removed ("don't", "don’t" and "dont" are one word), and capped in
// number so that a pasted e-mail costs bounded time.
std::vector<std::string> MatchWords(std::string_view text);

// The decision over evidence: a softmax over the intents that have evidence plus "other" (whose
// logit is `other_bias` plus any evidence for "other"); the best specific intent is reported when
// its probability reaches `threshold`, else "other" with confidence 1 - that probability.
// Intents with no evidence take no part, so an unrelated intent never dilutes a clear match.
IntentResult DecideIntent(const IntentLogits& logits, double other_bias, double threshold);

class IntentRules {
 public:
  // Compiles a rule file. `file_name` is used in errors ("intents/ru.rules:12: ..."). Errors name
  // the file and line of the first problem. Parsing is startup work: not on the request path.
  static Result<IntentRules> Parse(std::string_view file_name, std::string_view content);

  IntentRules(IntentRules&&) = default;
  IntentRules& operator=(IntentRules&&) = default;

  // Adds this rule set's evidence for `words` (from MatchWords), each rule's weight times `scale`.
  // Thread-safe (const, no shared scratch).
  void Score(const std::vector<std::string>& words, double scale, IntentLogits& logits) const;

  // Log-odds of "other" before any evidence: a specific intent needs more than this to win.
  double other_bias() const { return other_bias_; }
  // Probability a specific intent needs to be reported; below it the answer is "other".
  double threshold() const { return threshold_; }
  // How much this file's rules count when the message is said to be in another language (mixed
  // messages such as "Hola, where is my order").
  double foreign_weight() const { return foreign_weight_; }
  size_t rule_count() const { return rules_.size(); }

 private:
  IntentRules() = default;

  // A phrase: consecutive words (or words at most `max_gap[i]` words apart), each word one of
  // a set of matchers (a term set).
  struct Phrase {
    std::vector<uint32_t> term_sets;
    std::vector<uint8_t> max_gap;  // max_gap[i]: words allowed between element i-1 and i
  };
  // A group holds when any of its phrases occurs; a negated group holds when none does.
  struct Group {
    std::vector<uint32_t> phrases;
    bool negated = false;
  };
  struct Rule {
    int intent = 0;
    double weight = 0;
    uint32_t max_words = 0;  // 0: any length
    std::vector<Group> groups;
  };
  struct Hit {
    uint32_t term_set;
    uint32_t position;
    auto operator<=>(const Hit&) const = default;
  };

  class Parser;

  bool PhraseOccurs(const Phrase& phrase, const std::vector<Hit>& hits) const;

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using WordIndex =
      std::unordered_map<std::string, std::vector<uint32_t>, StringHash, std::equal_to<>>;

  WordIndex exact_;   // word → term sets containing it as an exact word
  WordIndex prefix_;  // prefix → term sets containing it as a prefix
  // prefix_bytes_[n]: some prefix is n bytes long, so a word's n-byte prefix is worth a lookup.
  std::vector<bool> prefix_bytes_;
  std::vector<Phrase> phrases_;
  std::vector<Rule> rules_;
  // term set → rules that mention it (in a positive or negated group): the candidates to check.
  std::vector<std::vector<uint32_t>> rules_by_term_set_;
  double other_bias_ = 2.0;
  double threshold_ = 0.5;
  double foreign_weight_ = 0.6;
};

}  // namespace csgw::templates
