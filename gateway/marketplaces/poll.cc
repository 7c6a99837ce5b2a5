#include "gateway/marketplaces/poll.h"

#include <utility>

#include "gateway/marketplaces/aliexpress_poll.h"
#include "gateway/marketplaces/api_util.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/marketplaces/wildberries_poll.h"

namespace csgw::gateway {
namespace {

Error BadCursor() {
  return MakeError(Errc::kInvalidField, "field 'cursor' is not a cursor of this feed");
}

}  // namespace

PollFeed::~PollFeed() = default;

std::string PollFeed::CursorName() const {
  return std::string(Marketplace()) + "/" + StoreId() + "/" + std::string(Feed());
}

Result<std::vector<std::unique_ptr<PollFeed>>> PollFeedsFromConfig(const proto::Config& config) {
  std::vector<std::unique_ptr<PollFeed>> feeds;
  const auto& m = config.marketplaces();
  auto wb = ResolveAccounts(config, "wildberries");
  if (!wb) return wb.error();
  for (Account& account : wb.value()) {
    if (!account.poll) continue;
    WildberriesPollOptions options;
    options.interval = std::chrono::seconds(m.wildberries().poll_interval_seconds() == 0
                                                ? 30
                                                : m.wildberries().poll_interval_seconds());
    options.initial_lookback = std::chrono::hours(m.wildberries().initial_lookback_hours() == 0
                                                      ? 72
                                                      : m.wildberries().initial_lookback_hours());
    for (auto& feed : WildberriesFeeds(account, options)) feeds.push_back(std::move(feed));
  }
  auto ae = ResolveAccounts(config, "aliexpress");
  if (!ae) return ae.error();
  bool any = false;
  for (const Account& account : ae.value()) any = any || account.poll;
  if (any) {
    auto app = AliExpressAppOf(m.aliexpress());
    if (!app) return app.error();
    AliExpressPollOptions options;
    options.interval = std::chrono::seconds(
        m.aliexpress().poll_interval_seconds() == 0 ? 60 : m.aliexpress().poll_interval_seconds());
    options.initial_lookback = std::chrono::hours(m.aliexpress().initial_lookback_hours() == 0
                                                      ? 72
                                                      : m.aliexpress().initial_lookback_hours());
    for (const Account& account : ae.value()) {
      if (!account.poll) continue;
      for (auto& feed : AliExpressFeeds(account, app.value(), options)) {
        feeds.push_back(std::move(feed));
      }
    }
  }
  return feeds;
}

Result<void> PollStatus(std::string_view marketplace, const outbound::HttpResponse& response) {
  const int status = response.status;
  if (status >= 200 && status < 300) return Ok();
  const std::string what = std::string(marketplace) + " poll: HTTP " + std::to_string(status);
  if (status == 0 || status == 408 || status == 425 || status == 429 || status >= 500) {
    return MakeError(Errc::kUpstreamUnavailable, what);
  }
  return MakeError(Errc::kForbidden, what);
}

proto::Event PolledEvent(std::string_view marketplace, std::string store_id, std::string event_id,
                         TimePoint occurred_at, TimePoint received_at, std::string raw_json) {
  proto::Event event;
  event.set_marketplace(std::string(marketplace));
  event.set_store_id(std::move(store_id));
  event.set_event_id(std::move(event_id));
  SetTimestamp(event.mutable_occurred_at(), occurred_at);
  SetTimestamp(event.mutable_received_at(), received_at);
  event.mutable_raw()->set_content_type("application/json");
  event.mutable_raw()->set_body(std::move(raw_json));
  return event;
}

std::string CursorFields::Get(std::string_view key) const {
  for (const auto& [k, v] : fields) {
    if (k == key) return v;
  }
  return {};
}

void CursorFields::Set(std::string key, std::string value) {
  for (auto& [k, v] : fields) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  fields.emplace_back(std::move(key), std::move(value));
}

std::string CursorFields::Encode() const {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += ';';
    out += k + "=" + PercentEncode(v);
  }
  return out;
}

Result<CursorFields> CursorFields::Decode(std::string_view text) {
  CursorFields out;
  while (!text.empty()) {
    const size_t end = text.find(';');
    const std::string_view part = text.substr(0, end);
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0) return BadCursor();
    auto value = PercentDecode(part.substr(eq + 1));
    if (!value) return BadCursor();
    out.fields.emplace_back(std::string(part.substr(0, eq)), std::move(*value));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

std::optional<int64_t> ParseCount(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace csgw::gateway
