#include "templates/intent_rules.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "i18n/normalize.h"

namespace csgw::templates {
namespace {

// Rules look at the first words only: a pasted e-mail states its point early, and the cap bounds
// the work per message.
constexpr size_t kMaxWords = 300;
// Folding is the costly step, so the text is cut before it: 8 KiB is far beyond any chat message.
constexpr size_t kMaxBytes = 8192;
// `a~b`: b may follow a with up to this many words between ("where is my order" and "where is
// the damn order" both match where~order).
constexpr uint8_t kLooseGap = 2;

bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

size_t CodePoints(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return !IsUtf8Continuation(c); }));
}

std::vector<std::string_view> Tokens(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<std::string_view> SplitOn(std::string_view s, char separator) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == separator) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::optional<double> ParseNumber(std::string_view s) {
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

int IntentIndex(std::string_view name) {
  for (size_t i = 0; i < kIntentCount; ++i) {
    if (kIntents[i] == name) return static_cast<int>(i);
  }
  return -1;
}

int OtherIntentIndex() {
  static const int index = IntentIndex("other");
  return index;
}

std::vector<std::string> MatchWords(std::string_view text) {
  if (text.size() > kMaxBytes) {
    size_t cut = kMaxBytes;
    while (cut > 0 && IsUtf8Continuation(text[cut])) --cut;  // keep whole characters
    text = text.substr(0, cut);
  }
  const std::string folded = i18n::FoldForMatching(text);
  std::vector<std::string> words;
  for (std::string_view w : i18n::SplitWords(folded)) {
    if (words.size() == kMaxWords) break;
    std::string word;
    word.reserve(w.size());
    for (size_t i = 0; i < w.size(); ++i) {
      if (w[i] == '\'') continue;
      // U+2019 RIGHT SINGLE QUOTATION MARK, the apostrophe phones type: E2 80 99.
      if (w.compare(i, 3, "\xE2\x80\x99") == 0) {
        i += 2;
        continue;
      }
      word.push_back(w[i]);
    }
    if (!word.empty()) words.push_back(std::move(word));
  }
  return words;
}

// Builds an IntentRules line by line. Kept out of the header: only Parse uses it.
class IntentRules::Parser {
 public:
  Parser(std::string_view file_name, IntentRules& rules) : file_name_(file_name), rules_(rules) {}

  Result<void> Line(size_t number, std::string_view line) {
    line_ = number;
    // A comment starts at a '#' that begins a token.
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
        line = line.substr(0, i);
        break;
      }
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::vector<std::string_view> tokens = Tokens(line);
    if (tokens.empty()) return Ok();
    const std::string_view head = tokens[0];
    if (head == "threshold" || head == "other_bias" || head == "foreign_weight") {
      return Setting(tokens);
    }
    if (head.starts_with('@')) return Macro(tokens);
    return RuleLine(tokens);
  }

  Result<void> Finish() {
    rules_.rules_by_term_set_.assign(term_set_ids_.size(), {});
    for (uint32_t r = 0; r < rules_.rules_.size(); ++r) {
      for (const Group& group : rules_.rules_[r].groups) {
        // A rule can only fire when its positive groups occur, so they alone make it a
        // candidate; negated groups are checked once it is one.
        if (group.negated) continue;
        for (uint32_t p : group.phrases) {
          for (uint32_t t : rules_.phrases_[p].term_sets) {
            auto& list = rules_.rules_by_term_set_[t];
            if (list.empty() || list.back() != r) list.push_back(r);
          }
        }
      }
    }
    return Ok();
  }

 private:
  // One element of a phrase before compilation: an exact word, a prefix, or a macro name.
  struct Element {
    std::string text;
    bool prefix = false;
    bool macro = false;
    uint8_t gap = 0;  // words allowed before this element (0 for the first)
  };
  using Alternative = std::vector<Element>;

  Error Fail(std::string message) const {
    return MakeError(Errc::kInvalidField,
                     std::string(file_name_) + ":" + std::to_string(line_) + ": " + message);
  }

  Result<void> Setting(const std::vector<std::string_view>& tokens) {
    if (tokens.size() != 2) return Fail(std::string(tokens[0]) + " takes one number");
    const auto value = ParseNumber(tokens[1]);
    if (!value) return Fail("not a number: '" + std::string(tokens[1]) + "'");
    if (tokens[0] == "threshold") {
      if (*value <= 0 || *value >= 1) return Fail("threshold must be in (0, 1)");
      rules_.threshold_ = *value;
    } else if (tokens[0] == "other_bias") {
      rules_.other_bias_ = *value;
    } else {
      if (*value < 0 || *value > 1) return Fail("foreign_weight must be in [0, 1]");
      rules_.foreign_weight_ = *value;
    }
    return Ok();
  }

  // "@name = alt|alt ..." defines a set of alternatives; "@name += ..." extends it.
  Result<void> Macro(const std::vector<std::string_view>& tokens) {
    const std::string name(tokens[0].substr(1));
    if (name.empty() || tokens.size() < 3 || (tokens[1] != "=" && tokens[1] != "+=")) {
      return Fail("a macro line is '@name = alternatives' or '@name += alternatives'");
    }
    const bool extend = tokens[1] == "+=";
    auto it = macros_.find(name);
    if (extend && it == macros_.end()) return Fail("'+=' to undefined macro @" + name);
    if (!extend && it != macros_.end()) return Fail("macro @" + name + " is already defined");
    std::vector<Alternative>& alternatives = macros_[name];
    for (size_t i = 2; i < tokens.size(); ++i) {
      auto parsed = ParseAlternatives(tokens[i]);
      if (!parsed) return parsed.error();
      for (auto& a : parsed.value()) alternatives.push_back(std::move(a));
    }
    return Ok();
  }

  Result<void> RuleLine(const std::vector<std::string_view>& tokens) {
    Rule rule;
    rule.intent = IntentIndex(tokens[0]);
    if (rule.intent < 0) return Fail("unknown intent '" + std::string(tokens[0]) + "'");
    if (tokens.size() < 3) return Fail("a rule is 'intent weight pattern...'");
    const auto weight = ParseNumber(tokens[1]);
    if (!weight || *weight == 0 || std::abs(*weight) > 20) {
      return Fail("weight must be a non-zero number in [-20, 20], got '" + std::string(tokens[1]) +
                  "'");
    }
    rule.weight = *weight;
    bool positive = false;
    for (size_t i = 2; i < tokens.size(); ++i) {
      std::string_view token = tokens[i];
      if (token.starts_with("words<=")) {
        const auto n = ParseNumber(token.substr(7));
        if (!n || *n < 1 || *n > 1000 || *n != std::floor(*n)) {
          return Fail("words<= takes a whole number from 1 to 1000");
        }
        rule.max_words = static_cast<uint32_t>(*n);
        continue;
      }
      Group group;
      if (token.starts_with('!')) {
        group.negated = true;
        token.remove_prefix(1);
      }
      auto alternatives = ParseAlternatives(token);
      if (!alternatives) return alternatives.error();
      for (const Alternative& alternative : alternatives.value()) {
        auto phrases = Compile(alternative);
        if (!phrases) return phrases.error();
        for (uint32_t p : phrases.value()) group.phrases.push_back(p);
      }
      positive = positive || !group.negated;
      rule.groups.push_back(std::move(group));
    }
    if (!positive) return Fail("a rule needs at least one group that is not negated");
    rules_.rules_.push_back(std::move(rule));
    return Ok();
  }

  // "a|b_c|d~e*|@m" → alternatives, each a sequence of elements.
  // Negation ('!') is a group prefix, handled by the caller.
  Result<std::vector<Alternative>> ParseAlternatives(std::string_view token) {
    std::vector<Alternative> out;
    for (std::string_view alt : SplitOn(token, '|')) {
      if (alt.empty()) return Fail("empty alternative in '" + std::string(token) + "'");
      Alternative alternative;
      uint8_t gap = 0;
      size_t start = 0;
      for (size_t i = 0; i <= alt.size(); ++i) {
        if (i < alt.size() && alt[i] != '_' && alt[i] != '~') continue;
        std::string_view text = alt.substr(start, i - start);
        if (text.empty()) return Fail("empty word in '" + std::string(alt) + "'");
        auto element = ParseElement(text);
        if (!element) return element.error();
        element.value().gap = alternative.empty() ? 0 : gap;
        alternative.push_back(std::move(element.value()));
        if (i < alt.size()) gap = alt[i] == '~' ? kLooseGap : 0;
        start = i + 1;
      }
      out.push_back(std::move(alternative));
    }
    return out;
  }

  Result<Element> ParseElement(std::string_view text) {
    Element element;
    if (text.starts_with('@')) {
      element.macro = true;
      element.text = std::string(text.substr(1));
      if (!macros_.contains(element.text)) return Fail("unknown macro @" + element.text);
      return element;
    }
    if (text.ends_with('*')) {
      element.prefix = true;
      text.remove_suffix(1);
      if (CodePoints(text) < 2) {
        return Fail("prefix '" + std::string(text) + "*' is shorter than 2 letters");
      }
    }
    // A rule word must be what MatchWords makes of a message word, or it could never match.
    const std::vector<std::string> as_matched = MatchWords(text);
    if (as_matched.size() != 1 || as_matched[0] != text) {
      return Fail("'" + std::string(text) +
                  "' is not one folded word (lower case, no accents, ё as е, no punctuation)");
    }
    element.text = std::string(text);
    return element;
  }

  // Term-set ids for one phrase element. A macro element yields the union of its one-word
  // alternatives; word elements yield a single-matcher set.
  Result<uint32_t> TermSet(const Element& element) {
    std::vector<std::string> matchers;
    if (element.macro) {
      for (const Alternative& a : macros_.at(element.text)) {
        if (a.size() != 1 || a[0].macro) {
          return Fail("macro @" + element.text +
                      " has phrases, so it cannot be a word inside a phrase");
        }
        matchers.push_back((a[0].prefix ? "p:" : "w:") + a[0].text);
      }
    } else {
      matchers.push_back((element.prefix ? "p:" : "w:") + element.text);
    }
    std::sort(matchers.begin(), matchers.end());
    matchers.erase(std::unique(matchers.begin(), matchers.end()), matchers.end());
    std::string key;
    for (const auto& m : matchers) key += m + '\n';
    auto [it, inserted] = term_set_ids_.emplace(key, static_cast<uint32_t>(term_set_ids_.size()));
    if (inserted) {
      for (const auto& m : matchers) {
        const std::string word = m.substr(2);
        if (m[0] == 'p') {
          rules_.prefix_[word].push_back(it->second);
          if (rules_.prefix_bytes_.size() <= word.size()) {
            rules_.prefix_bytes_.resize(word.size() + 1);
          }
          rules_.prefix_bytes_[word.size()] = true;
        } else {
          rules_.exact_[word].push_back(it->second);
        }
      }
    }
    return it->second;
  }

  // Phrase ids for one alternative; an alternative that is just a macro expands to the macro's
  // alternatives (which may be phrases).
  Result<std::vector<uint32_t>> Compile(const Alternative& alternative) {
    if (alternative.size() == 1 && alternative[0].macro) {
      std::vector<uint32_t> out;
      for (const Alternative& a : macros_.at(alternative[0].text)) {
        auto compiled = Compile(a);
        if (!compiled) return compiled.error();
        out.insert(out.end(), compiled.value().begin(), compiled.value().end());
      }
      return out;
    }
    Phrase phrase;
    for (const Element& element : alternative) {
      auto t = TermSet(element);
      if (!t) return t.error();
      phrase.term_sets.push_back(t.value());
      phrase.max_gap.push_back(element.gap);
    }
    rules_.phrases_.push_back(std::move(phrase));
    return std::vector<uint32_t>{static_cast<uint32_t>(rules_.phrases_.size() - 1)};
  }

  std::string_view file_name_;
  IntentRules& rules_;
  size_t line_ = 0;
  std::map<std::string, std::vector<Alternative>> macros_;
  std::unordered_map<std::string, uint32_t> term_set_ids_;
};

Result<IntentRules> IntentRules::Parse(std::string_view file_name, std::string_view content) {
  IntentRules rules;
  Parser parser(file_name, rules);
  size_t number = 0;
  for (std::string_view line : SplitOn(content, '\n')) {
    ++number;
    if (auto ok = parser.Line(number, line); !ok) return ok.error();
  }
  if (auto ok = parser.Finish(); !ok) return ok.error();
  if (rules.rules_.empty()) {
    return MakeError(Errc::kInvalidField, std::string(file_name) + ":1: no rules");
  }
  return rules;
}

bool IntentRules::PhraseOccurs(const Phrase& phrase, const std::vector<Hit>& hits) const {
  // Positions of term set t, from the sorted hits.
  const auto range = [&hits](uint32_t t) {
    const auto lo = std::lower_bound(hits.begin(), hits.end(), Hit{t, 0});
    const auto hi = std::lower_bound(lo, hits.end(), Hit{t, std::numeric_limits<uint32_t>::max()});
    return std::pair(lo, hi);
  };
  // Depth-first over the elements; phrases are a few words long and gaps small.
  const auto match = [&](auto& self, size_t element, uint32_t after) -> bool {
    if (element == phrase.term_sets.size()) return true;
    auto [lo, hi] = range(phrase.term_sets[element]);
    for (auto it = lo; it != hi; ++it) {
      if (element > 0) {
        if (it->position <= after) continue;
        if (it->position > after + 1 + phrase.max_gap[element]) break;
      }
      if (self(self, element + 1, it->position)) return true;
    }
    return false;
  };
  return match(match, 0, 0);
}

void IntentRules::Score(const std::vector<std::string>& words, double scale,
                        IntentLogits& logits) const {
  std::vector<Hit> hits;
  for (uint32_t pos = 0; pos < words.size(); ++pos) {
    const std::string& word = words[pos];
    if (auto it = exact_.find(word); it != exact_.end()) {
      for (uint32_t t : it->second) hits.push_back({t, pos});
    }
    // Every prefix ending on a character boundary whose length some rule prefix has; a prefix
    // matches the whole word too ("заказ*" matches "заказ").
    const size_t longest = std::min(word.size(), prefix_bytes_.size() - 1);
    for (size_t n = 1; n <= longest && !prefix_bytes_.empty(); ++n) {
      if (!prefix_bytes_[n]) continue;
      if (n < word.size() && IsUtf8Continuation(word[n])) continue;
      if (auto it = prefix_.find(std::string_view(word).substr(0, n)); it != prefix_.end()) {
        for (uint32_t t : it->second) hits.push_back({t, pos});
      }
    }
  }
  if (hits.empty()) return;
  std::sort(hits.begin(), hits.end());
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());

  std::vector<uint32_t> candidates;
  for (size_t i = 0; i < hits.size(); ++i) {
    if (i > 0 && hits[i].term_set == hits[i - 1].term_set) continue;
    const auto& rules = rules_by_term_set_[hits[i].term_set];
    candidates.insert(candidates.end(), rules.begin(), rules.end());
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

  for (uint32_t r : candidates) {
    const Rule& rule = rules_[r];
    if (rule.max_words != 0 && words.size() > rule.max_words) continue;
    bool fires = true;
    for (const Group& group : rule.groups) {
      bool occurs = false;
      for (uint32_t p : group.phrases) {
        if (PhraseOccurs(phrases_[p], hits)) {
          occurs = true;
          break;
        }
      }
      if (occurs == group.negated) {
        fires = false;
        break;
      }
    }
    if (!fires) continue;
    logits.value[rule.intent] += rule.weight * scale;
    logits.matched[rule.intent] = true;
  }
}

}  // namespace csgw::templates
