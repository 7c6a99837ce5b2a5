#pragma once

// Reply quality check (质检): the checks a quality inspector makes on an agent's reply, run by
// `csgw check-reply` and before every send. Language-specific phrases live in data files
// (templates/quality/<lang>.rules, format at the top of each file), embedded at build time and
// matched over text folded by i18n::FoldForMatching, so "НЕТ В НАЛИЧИИ", "нет в наличии" and
// "Нет в наличии" are one phrase. Placeholder and length checks are language-neutral.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"

namespace csgw::templates {

// Finding codes: stable, used by the CLI and the sending path.
inline constexpr std::string_view kFindingEmpty = "empty";
inline constexpr std::string_view kFindingTooLong = "too_long";
inline constexpr std::string_view kFindingLeftoverPlaceholder = "leftover_placeholder";
inline constexpr std::string_view kFindingRefusalWithoutApology = "refusal_without_apology";
inline constexpr std::string_view kFindingInformalAddress = "informal_address";
inline constexpr std::string_view kFindingForbiddenPhrase = "forbidden_phrase";

struct QualityFinding {
  std::string code;     // one of the kFinding* codes
  std::string message;  // English, for agents and logs; names the phrase found (folded form)
};

struct QualityOptions {
  // "ru", "ru-RU", "es_MX", "en-US", ...: the language is the first subtag. Languages without a
  // rule file (anything but en, ru, es) get only the language-neutral checks.
  std::string locale;
  // The store's register. Default: formal (Вы / usted); informal address is then a finding.
  bool formal = true;
  // Characters (Unicode code points) the marketplace allows. Default: 0, no limit.
  size_t max_length = 0;
};

// One language's phrase rules, compiled from a rule file. Immutable once built, so one instance
// may be shared by any number of threads.
class QualityRules {
 public:
  // The kinds of phrase a rule file lists, one per section ([apology], [refusal], ...).
  enum class Kind : uint8_t {
    kApology,
    kRefusal,
    kGreeting,
    kInformal,
    kBlame,
    kRude,
    kArgue,
    kNoStock,
    kAlternative,
    kIgnore,
    kCount,
  };

  // A match of one phrase: words [begin, end) of the reply.
  struct Match {
    Kind kind;
    size_t begin;
    size_t end;
  };

  // Compiles a rule file. `file_name` prefixes errors ("quality/ru.rules:12: ..."); the first
  // problem is reported. Startup and test work, not request-path work.
  static Result<QualityRules> Parse(std::string_view file_name, std::string_view content);

  // Every match of every phrase in `words` (words as MatchWords gives them; a phrase never
  // spans two sentences), except where an [ignore] phrase covers any of the words.
  std::vector<Match> FindAll(const std::vector<std::string>& words,
                             const std::vector<uint32_t>& sentence_of_word) const;

  // Number of phrases of `kind`, for tests and lint.
  size_t Count(Kind kind) const;

 private:
  struct Token {
    std::string text;
    bool prefix = false;  // "word*": any word starting with text
    bool any = false;     // "*": any one word
  };
  struct Phrase {
    Kind kind;
    std::vector<Token> tokens;
  };

  QualityRules() = default;
  void MatchAt(const std::vector<std::string>& words, const std::vector<uint32_t>& sentence_of_word,
               size_t at, bool ignore_pass, const std::vector<bool>& masked,
               std::vector<Match>& out) const;
  void MatchPhrase(uint32_t index, const std::vector<std::string>& words,
                   const std::vector<uint32_t>& sentence_of_word, size_t at,
                   const std::vector<bool>& masked, std::vector<Match>& out) const;

  std::vector<Phrase> phrases_;
  // Phrases by their first word when it is a plain word; the rest are tried at every position.
  std::unordered_map<std::string, std::vector<uint32_t>> by_first_word_;
  std::vector<uint32_t> open_first_;
};

// The words of a reply as the rules see them: folded, split by i18n::SplitWords, apostrophes
// removed ("can't", "can’t" and "cant" are one word); `sentence_of_word` receives each word's
// sentence number (0-based, counting only sentences that have words). A sentence ends at '!',
// '?', a newline, or a '.' followed by a space or the end ("11.11" and "3.5" do not end one).
std::vector<std::string> QualityWords(std::string_view text,
                                      std::vector<uint32_t>& sentence_of_word);

// Checks `text` with the embedded rules of options.locale's language. Returns the findings, empty
// when the reply is fine; for empty text, only the `empty` finding. Thread-safe: the embedded
// rules are compiled once, on first use.
std::vector<QualityFinding> CheckReply(std::string_view text, const QualityOptions& options);

// The same with explicit rules (nullptr: language-neutral checks only), for tests and lint.
std::vector<QualityFinding> CheckReply(std::string_view text, const QualityOptions& options,
                                       const QualityRules* rules);

}  // namespace csgw::templates
