// Helpers the send builders and poll connectors share: encodings, id and text checks, and the
// verdict on an HTTP status before any body is read.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "gateway/marketplaces/accounts.h"
#include "gateway/marketplaces/send.h"
#include "gateway/outbound/request.h"

namespace csgw::gateway {

using Params = std::vector<std::pair<std::string, std::string>>;

// RFC 3986 percent-encoding: unreserved characters kept, every other byte %XX (upper hex).
std::string PercentEncode(std::string_view text);
// The inverse of PercentEncode ('+' stays '+'); nullopt for a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text);
// "k1=v1&k2=v2" in the given order, names and values percent-encoded (query strings and
// application/x-www-form-urlencoded bodies).
std::string FormEncode(const Params& params);
// A JSON string literal, quotes included.
std::string JsonString(std::string_view text);

// `value` if it can go into a URL path as is: 1..128 characters of [A-Za-z0-9._~:-]. Otherwise
// kMissingField / kInvalidField naming `field` (never repeating the value).
Result<std::string> UrlSafeId(std::string_view field, std::string_view value);
// `value` if it is 1..20 decimal digits (ids sent as JSON numbers), else an error naming `field`.
Result<std::string> DigitsId(std::string_view field, std::string_view value);

// Unicode code points in valid UTF-8.
size_t CodePointCount(std::string_view utf8);
// The reply text: kMissingField when empty, kInvalidField when not UTF-8 or longer than
// `max_chars` code points (the message says by how much; the text is never truncated).
Result<void> CheckText(std::string_view marketplace, std::string_view text, size_t max_chars);

// The base URL of `account`: its override, or `production`.
std::string BaseUrl(const Account& account, std::string_view production);

// Retry-After (delta-seconds or IMF-fixdate relative to `now`), capped at one day. nullopt when
// absent or unreadable.
std::optional<std::chrono::seconds> RetryAfterOf(const outbound::HttpResponse& response,
                                                 TimePoint now);

// The verdict the status alone gives: nullopt for 2xx (the body decides). 408, 425, 429 and 5xx
// are kRetry (with Retry-After); status 0 (no answer) too. Every other status is kRejected with
// "HTTP <status>" and `code`, the marketplace's error code when the caller found one.
std::optional<SendOutcome> OutcomeOfStatus(std::string_view marketplace,
                                           const outbound::HttpResponse& response, TimePoint now,
                                           std::string_view code = {});

SendOutcome Delivered(std::string message_id);
SendOutcome Rejected(std::string reason);
SendOutcome Retry(std::string reason, std::optional<std::chrono::seconds> after = std::nullopt);

// At most `max` bytes of `text`, cut at a UTF-8 character boundary (marketplace error messages
// quoted in reasons).
std::string Clip(std::string_view text, size_t max = 160);

}  // namespace csgw::gateway
