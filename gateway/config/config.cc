#include "gateway/config/config.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "base/log.h"
#include "disputes/mapping.h"
#include "disputes/rules.h"

namespace csgw::gateway {
namespace {

// Config files are small; a larger one is a mistake (a log file passed by accident).
constexpr size_t kMaxConfigBytes = 1 << 20;

Error ConfigError(std::string message) {
  return MakeError(Errc::kInvalidField, std::move(message));
}

void CheckSecret(const proto::SecretRef& ref, std::string_view field, bool required,
                 std::vector<std::string>& problems) {
  if (ref.source_case() == proto::SecretRef::SOURCE_NOT_SET) {
    if (required)
      problems.push_back(std::string(field) + ": a secret reference {env|file} is required");
    return;
  }
  if (ref.has_env() && ref.env().empty()) problems.push_back(std::string(field) + ".env is empty");
  if (ref.has_file() && ref.file().empty())
    problems.push_back(std::string(field) + ".file is empty");
}

// eBay store ids end up in URLs, event keys and error messages: keeping them to a short, plain
// alphabet means none of those needs escaping, and a ?store= outside it can never match.
bool IsValidStoreId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

constexpr char kStoreIdShape[] = "must be 1..128 characters of [A-Za-z0-9._:-]";

bool IsDigits(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// scheme://host[:port][/prefix] without a trailing '/', query or fragment: the senders append
// "/path?query" to it, so anything after the prefix would corrupt every URL.
bool IsValidBaseUrl(std::string_view url) {
  size_t host = 0;
  if (url.substr(0, 8) == "https://") {
    host = 8;
  } else if (url.substr(0, 7) == "http://") {
    host = 7;
  } else {
    return false;
  }
  if (url.size() == host || url[host] == '/' || url.back() == '/') return false;
  for (const char c : url) {
    if (c <= ' ' || c == '?' || c == '#' || c == '\\' || static_cast<unsigned char>(c) >= 0x7f) {
      return false;
    }
  }
  return true;
}

// scheme://host... with no whitespace or control characters: the outbox posts to it as is.
bool IsValidWebhookUrl(std::string_view url) {
  const size_t host = url.starts_with("https://") ? 8 : url.starts_with("http://") ? 7 : 0;
  if (host == 0 || url.size() == host || url[host] == '/' || url.size() > 2048) return false;
  return std::none_of(url.begin(), url.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7f;
  });
}

// Marketplace accounts (Config.accounts) and the app-level keys their senders and pollers
// need: a send or poll must never be the first to find a missing key.
void ValidateAccounts(const proto::Config& config, std::vector<std::string>& problems) {
  const auto& m = config.marketplaces();
  std::set<std::pair<std::string, std::string>> seen;
  for (int i = 0; i < config.accounts_size(); ++i) {
    const auto& a = config.accounts(i);
    const std::string where = "accounts[" + std::to_string(i) + "]";
    const std::string& mp = a.marketplace();
    if (mp != "ozon" && mp != "mercadolibre" && mp != "lazada" && mp != "shopee" && mp != "ebay" &&
        mp != "aliexpress" && mp != "wildberries") {
      problems.push_back(where +
                         ".marketplace must be one of ozon, mercadolibre, lazada, shopee, ebay, "
                         "aliexpress, wildberries");
      continue;
    }
    if (!IsValidStoreId(a.store_id())) {
      problems.push_back(where + ".store_id " + kStoreIdShape);
    } else if (!seen.insert({mp, a.store_id()}).second) {
      problems.push_back(where + ": " + mp + " store " + a.store_id() + " is listed twice");
    }
    if (!a.api_base_url().empty() && !IsValidBaseUrl(a.api_base_url())) {
      problems.push_back(where +
                         ".api_base_url must be http(s)://host[:port][/prefix] without a "
                         "trailing '/', query or fragment");
    }
    if (mp == "ozon") {
      CheckSecret(a.api_key(), where + ".api_key", true, problems);
      if (!a.client_id().empty() && !IsDigits(a.client_id())) {
        problems.push_back(where + ".client_id must be digits");
      }
    } else {
      CheckSecret(a.access_token(), where + ".access_token", true, problems);
    }
    if (mp == "shopee") {
      if (!IsDigits(a.shop_id().empty() ? a.store_id() : a.shop_id())) {
        problems.push_back(where + ".shop_id (default store_id) must be digits");
      }
      if (!m.has_shopee() || m.shopee().partner_id() == 0) {
        problems.push_back(where + ": marketplaces.shopee.partner_id is required to sign calls");
      }
    }
    if (mp == "lazada") {
      if (!m.has_lazada()) {
        problems.push_back(where + ": marketplaces.lazada (app_key, app_secret) is required");
      }
      const std::string& site = a.site();
      if (a.api_base_url().empty() && site != "SG" && site != "MY" && site != "VN" &&
          site != "TH" && site != "PH" && site != "ID") {
        problems.push_back(where +
                           ".site must be SG, MY, VN, TH, PH or ID (it picks the API host) "
                           "unless api_base_url is set");
      }
    }
    if (mp == "aliexpress" && !m.has_aliexpress()) {
      problems.push_back(where + ": marketplaces.aliexpress (app_key, app_secret) is required");
    }
    if (mp == "mercadolibre" && !a.seller_id().empty() && !IsDigits(a.seller_id())) {
      problems.push_back(where + ".seller_id must be digits");
    }
  }
  if (m.has_aliexpress()) {
    const auto& ae = m.aliexpress();
    if (ae.app_key().empty()) problems.push_back("marketplaces.aliexpress.app_key is required");
    CheckSecret(ae.app_secret(), "marketplaces.aliexpress.app_secret", true, problems);
    if (ae.protocol() != "iop" && ae.protocol() != "top") {
      problems.push_back("marketplaces.aliexpress.protocol must be iop or top");
    }
    if (ae.sign_method() != "md5" && ae.sign_method() != "hmac" &&
        ae.sign_method() != "hmac-sha256") {
      problems.push_back("marketplaces.aliexpress.sign_method must be md5, hmac or hmac-sha256");
    }
    if (ae.poll_interval_seconds() > 86400 || ae.initial_lookback_hours() > 24 * 90) {
      problems.push_back(
          "marketplaces.aliexpress.poll_interval_seconds must be <= 86400 and "
          "initial_lookback_hours <= 2160");
    }
  }
  if (m.has_wildberries()) {
    const auto& wb = m.wildberries();
    if (wb.poll_interval_seconds() > 86400 || wb.initial_lookback_hours() > 24 * 90) {
      problems.push_back(
          "marketplaces.wildberries.poll_interval_seconds must be <= 86400 and "
          "initial_lookback_hours <= 2160");
    }
  }
  for (const auto& site : m.mercadolibre().messaging_agent_sites()) {
    const bool code = site.size() == 3 && site[0] == 'M' &&
                      std::isupper(static_cast<unsigned char>(site[1])) &&
                      std::isupper(static_cast<unsigned char>(site[2]));
    if (!code && site != "none") {
      problems.push_back("marketplaces.mercadolibre.messaging_agent_sites: " + site +
                         " is not a site id like MLB (or \"none\")");
    }
  }
}

}  // namespace

namespace {

void ValidateApiUsers(const proto::ApiConfig& api, std::vector<std::string>& problems) {
  std::set<std::string> names;
  for (const auto& user : api.users()) {
    const std::string field = "api.users[" + user.name() + "]";
    if (user.name().empty()) problems.push_back("api.users[].name is required");
    if (!names.insert(user.name()).second) problems.push_back("api.users: duplicate name " + user.name());
    if (user.role() != "agent" && user.role() != "account_manager" && user.role() != "admin") {
      problems.push_back(field + ".role must be agent, account_manager or admin");
    }
    if (user.stores().empty()) problems.push_back(field + ".stores is required (\"*\" for all)");
    for (const auto& store : user.stores()) {
      if (store.empty() || store.size() > 128) {
        problems.push_back(field + ".stores: ids are 1..128 characters");
      }
    }
    CheckSecret(user.token(), field + ".token", true, problems);
  }
  if (api.max_page_size() > 10'000) problems.push_back("api.max_page_size must be <= 10000");
}

void ValidateOutbound(const proto::OutboundConfig& o, std::vector<std::string>& problems) {
  if (o.timeout_ms() > 600'000) problems.push_back("outbound.timeout_ms must be <= 600000");
  if (o.initial_delay_ms() > o.max_delay_ms()) {
    problems.push_back("outbound.initial_delay_ms must be <= outbound.max_delay_ms");
  }
  if (o.max_attempts() > 1000) problems.push_back("outbound.max_attempts must be <= 1000");
  if (!(o.rate_per_second() > 0) || o.rate_per_second() > 10'000) {
    problems.push_back("outbound.rate_per_second must be within (0, 10000]");
  }
  if (o.max_in_flight() > 10'000) problems.push_back("outbound.max_in_flight must be <= 10000");
}

// A positive exact decimal such as "0.011" (no sign, exponent or separators).
bool IsPositiveDecimal(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 12 || fraction.size() > 12) return false;
  if (dot != std::string_view::npos && fraction.empty()) return false;
  bool nonzero = false;
  for (std::string_view part : {whole, fraction}) {
    for (const char c : part) {
      if (c < '0' || c > '9') return false;
      nonzero = nonzero || c != '0';
    }
  }
  return nonzero;
}

// The ODR section's shape; that each rule-set id exists is checked when the rule sets are
// loaded (gateway/pipeline/odr_counting.h), since rules_dir may add ids.
void ValidateOdr(const proto::OdrConfig& odr, std::vector<std::string>& problems) {
  std::set<std::string> stores;
  for (int i = 0; i < odr.stores_size(); ++i) {
    const proto::OdrStore& store = odr.stores(i);
    const std::string field = "odr.stores[" + std::to_string(i) + "]";
    if (store.store_id().empty() || store.store_id().size() > 128 ||
        store.store_id().find('\0') != std::string::npos) {
      problems.push_back(field + ".store_id must be 1..128 characters");
    } else if (!stores.insert(store.store_id()).second) {
      problems.push_back(field + ".store_id " + store.store_id() + " is listed twice");
    }
    for (const auto& id : store.rule_sets()) {
      if (id.empty()) problems.push_back(field + ".rule_sets has an empty id");
    }
    const std::string& url = store.alert_webhook_url();
    if (!url.empty() && !url.starts_with("https://") && !url.starts_with("http://")) {
      problems.push_back(field + ".alert_webhook_url must be an http:// or https:// URL");
    }
    const bool has_secret =
        store.alert_signing_secret().source_case() != proto::SecretRef::SOURCE_NOT_SET;
    if (!url.empty() || has_secret) {
      CheckSecret(store.alert_signing_secret(), field + ".alert_signing_secret", true, problems);
    }
    if (url.empty() && has_secret) {
      problems.push_back(field + ".alert_signing_secret is set without alert_webhook_url");
    }
  }
  for (const auto& [currency, rate] : odr.usd_rates()) {
    const bool code = currency.size() == 3 && std::all_of(currency.begin(), currency.end(),
                                                          [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!code) problems.push_back("odr.usd_rates: " + currency + " is not an ISO 4217 code");
    if (!IsPositiveDecimal(rate)) {
      problems.push_back("odr.usd_rates." + currency + " must be a positive decimal such as 0.011");
    }
  }
}

// Alert offsets: durations within (0, 30d], distinct, at most 8 (each one is a timer per
// deadline of every open dispute).
void CheckAlertOffsets(const google::protobuf::RepeatedPtrField<std::string>& offsets,
                       const std::string& field, std::vector<std::string>& problems) {
  if (offsets.size() > 8) problems.push_back(field + " has more than 8 offsets");
  std::set<int64_t> seen;
  for (const std::string& text : offsets) {
    const auto offset = disputes::ParseDuration(text);
    if (!offset || *offset > std::chrono::hours(24 * 30)) {
      problems.push_back(field + ": " + text + " is not a duration within (0, 30d] such as 24h");
    } else if (!seen.insert(offset->count()).second) {
      problems.push_back(field + ": " + text + " is listed twice");
    }
  }
}

// marketplace → rule set: a marketplace with a dispute mapping, and a rule set of it.
void CheckDisputeRuleSets(const google::protobuf::Map<std::string, std::string>& rule_sets,
                          const std::string& field, std::vector<std::string>& problems) {
  const auto mapped = disputes::MappedMarketplaces();
  for (const auto& [marketplace, id] : rule_sets) {
    if (std::find(mapped.begin(), mapped.end(), marketplace) == mapped.end()) {
      problems.push_back(field + ": marketplace " + marketplace +
                         " has no dispute mapping (aliexpress, ebay, lazada, mercadolibre)");
      continue;
    }
    const disputes::RuleSet* rules = disputes::FindBuiltinRuleSet(id);
    if (rules == nullptr || rules->marketplace != marketplace) {
      problems.push_back(field + "." + marketplace + ": " + id + " is not a rule set of " +
                         marketplace + " (" + marketplace + "-none for state only)");
    }
  }
}

void ValidateDisputes(const proto::DisputesConfig& config, std::vector<std::string>& problems) {
  CheckDisputeRuleSets(config.rule_sets(), "disputes.rule_sets", problems);
  CheckAlertOffsets(config.alerts_before(), "disputes.alerts_before", problems);
  std::set<std::string> stores;
  for (int i = 0; i < config.stores_size(); ++i) {
    const proto::DisputesStore& store = config.stores(i);
    const std::string field = "disputes.stores[" + std::to_string(i) + "]";
    if (store.store_id().empty() || store.store_id().size() > 128 ||
        store.store_id().find('\0') != std::string::npos) {
      problems.push_back(field + ".store_id must be 1..128 characters");
    } else if (!stores.insert(store.store_id()).second) {
      problems.push_back(field + ".store_id " + store.store_id() + " is listed twice");
    }
    CheckDisputeRuleSets(store.rule_sets(), field + ".rule_sets", problems);
    CheckAlertOffsets(store.alerts_before(), field + ".alerts_before", problems);
    auto check_url = [&](std::string_view name, const std::string& url) {
      if (url.empty()) return false;
      if (!IsValidWebhookUrl(url)) {
        problems.push_back(field + "." + std::string(name) + " must be an http:// or https:// URL");
      }
      return true;
    };
    const bool agents = check_url("agents_webhook_url", store.agents_webhook_url());
    const bool escalation = check_url("escalation_webhook_url", store.escalation_webhook_url());
    const bool any_url = agents || escalation;
    const bool has_secret =
        store.signing_secret().source_case() != proto::SecretRef::SOURCE_NOT_SET;
    if (any_url || has_secret) {
      CheckSecret(store.signing_secret(), field + ".signing_secret", true, problems);
    }
    if (!any_url && has_secret) {
      problems.push_back(field + ".signing_secret is set without a webhook URL");
    }
  }
}

}  // namespace

void ApplyDefaults(proto::Config& config) {
  auto& server = *config.mutable_server();
  if (server.listen_host().empty()) server.set_listen_host("127.0.0.1");
  // Port 0 (pick a free one) is reachable only through the --listen flag, which applies after
  // defaults; in a file, 0 means "default".
  if (server.listen_port() == 0) server.set_listen_port(8080);
  if (server.max_body_bytes() == 0) server.set_max_body_bytes(1 << 20);
  if (server.max_header_bytes() == 0) server.set_max_header_bytes(16 << 10);
  if (server.header_timeout_ms() == 0) server.set_header_timeout_ms(10'000);
  if (server.body_timeout_ms() == 0) server.set_body_timeout_ms(30'000);
  if (server.idle_timeout_ms() == 0) server.set_idle_timeout_ms(60'000);
  if (server.write_timeout_ms() == 0) server.set_write_timeout_ms(10'000);
  if (server.max_requests_per_connection() == 0) server.set_max_requests_per_connection(10'000);
  if (server.max_connections() == 0) server.set_max_connections(10'000);
  if (server.io_threads() == 0) server.set_io_threads(1);
  if (server.ingest_timeout_ms() == 0) server.set_ingest_timeout_ms(5'000);

  auto& store = *config.mutable_store();
  if (store.data_dir().empty()) store.set_data_dir("./var/csgw");
  if (store.max_batch_events() == 0) store.set_max_batch_events(1024);
  if (store.max_batch_bytes() == 0) store.set_max_batch_bytes(16u << 20);
  if (store.max_pending_appends() == 0) store.set_max_pending_appends(65536);
  if (store.max_pending_bytes() == 0) store.set_max_pending_bytes(256u << 20);

  if (config.log().level().empty()) config.mutable_log()->set_level("info");

  auto& templates = *config.mutable_templates();
  if (templates.max_conversation_messages() == 0) templates.set_max_conversation_messages(200);
  if (templates.max_conversation_drafts() == 0) templates.set_max_conversation_drafts(50);

  if (config.api().max_page_size() == 0) config.mutable_api()->set_max_page_size(200);
  auto& outbound = *config.mutable_outbound();
  if (outbound.timeout_ms() == 0) outbound.set_timeout_ms(15'000);
  if (outbound.initial_delay_ms() == 0) outbound.set_initial_delay_ms(2'000);
  if (outbound.max_delay_ms() == 0) outbound.set_max_delay_ms(300'000);
  if (outbound.max_attempts() == 0) outbound.set_max_attempts(12);
  if (outbound.max_age_seconds() == 0) outbound.set_max_age_seconds(86'400);
  if (outbound.rate_per_second() == 0) outbound.set_rate_per_second(5);
  if (outbound.max_in_flight() == 0) outbound.set_max_in_flight(64);

  auto& m = *config.mutable_marketplaces();
  // Only fill in marketplaces that are present: mutable_*() would enable them.
  if (m.has_aliexpress()) {
    auto& ae = *m.mutable_aliexpress();
    if (ae.protocol().empty()) ae.set_protocol("iop");
    if (ae.sign_method().empty()) ae.set_sign_method("hmac-sha256");
    if (ae.poll_interval_seconds() == 0) ae.set_poll_interval_seconds(60);
    if (ae.initial_lookback_hours() == 0) ae.set_initial_lookback_hours(72);
  }
  if (m.has_wildberries()) {
    auto& wb = *m.mutable_wildberries();
    if (wb.poll_interval_seconds() == 0) wb.set_poll_interval_seconds(30);
    if (wb.initial_lookback_hours() == 0) wb.set_initial_lookback_hours(72);
  }
  if (m.has_mercadolibre() && m.mercadolibre().messaging_agent_sites().empty()) {
    m.mutable_mercadolibre()->add_messaging_agent_sites("MLB");
    m.mutable_mercadolibre()->add_messaging_agent_sites("MLC");
  }
}

Result<void> ValidateConfig(const proto::Config& config) {
  std::vector<std::string> problems;
  const auto& server = config.server();
  if (server.listen_port() > 65535) problems.push_back("server.listen_port must be <= 65535");
  if (server.max_body_bytes() > (64u << 20)) {
    problems.push_back("server.max_body_bytes must be <= 67108864 (64 MiB)");
  }
  if (server.max_header_bytes() < 1024 || server.max_header_bytes() > (1u << 20)) {
    problems.push_back("server.max_header_bytes must be within [1024, 1048576]");
  }
  if (server.io_threads() > 64) problems.push_back("server.io_threads must be <= 64");
  if (config.store().data_dir().empty()) problems.push_back("store.data_dir is required");
  if (config.store().max_batch_events() > 100000) {
    problems.push_back("store.max_batch_events must be <= 100000");
  }
  log::Level level;
  if (!log::ParseLevel(config.log().level(), &level)) {
    problems.push_back("log.level must be one of debug, info, warn, error");
  }

  const auto& t = config.templates();
  auto check_policy = [&](const proto::StorePolicy& p, const std::string& where) {
    if (p.min_auto_confidence() < 0 || p.min_auto_confidence() > 1) {
      problems.push_back(where + ".min_auto_confidence must be within [0, 1]");
    }
    for (const auto& intent : p.auto_send_intents()) {
      if (intent.empty()) problems.push_back(where + ".auto_send_intents has an empty intent");
    }
  };
  check_policy(t.default_policy(), "templates.default_policy");
  std::set<std::string> policy_stores;
  for (int i = 0; i < t.stores_size(); ++i) {
    const std::string where = "templates.stores[" + std::to_string(i) + "]";
    if (t.stores(i).store_id().empty()) problems.push_back(where + ".store_id is required");
    if (!policy_stores.insert(t.stores(i).store_id()).second) {
      problems.push_back(where + ".store_id " + t.stores(i).store_id() + " is listed twice");
    }
    check_policy(t.stores(i), where);
  }
  if (t.max_conversation_messages() > 10000 || t.max_conversation_drafts() > 1000) {
    problems.push_back(
        "templates.max_conversation_messages must be <= 10000 and max_conversation_drafts "
        "<= 1000");
  }

  const auto& m = config.marketplaces();
  // The URL tokens are optional, but one that is written down must name a source: an empty
  // {} silently accepting every push would be the opposite of what its author meant.
  if (m.ozon().has_url_token()) {
    CheckSecret(m.ozon().url_token(), "marketplaces.ozon.url_token", true, problems);
  }
  if (m.mercadolibre().has_url_token()) {
    CheckSecret(m.mercadolibre().url_token(), "marketplaces.mercadolibre.url_token", true,
                problems);
  }
  if (m.has_lazada()) {
    if (m.lazada().app_key().empty()) problems.push_back("marketplaces.lazada.app_key is required");
    CheckSecret(m.lazada().app_secret(), "marketplaces.lazada.app_secret", true, problems);
  }
  if (m.has_shopee()) {
    if (m.shopee().callback_url().empty()) {
      problems.push_back(
          "marketplaces.shopee.callback_url is required (it is part of the signed text)");
    }
    CheckSecret(m.shopee().partner_key(), "marketplaces.shopee.partner_key", true, problems);
  }
  if (m.has_ebay()) {
    if (m.ebay().endpoint_url().empty()) {
      problems.push_back(
          "marketplaces.ebay.endpoint_url is required (it is part of the challenge hash)");
    }
    // The challenge appends "?store=<id>" itself; a query already there would be hashed twice.
    if (m.ebay().endpoint_url().find('?') != std::string::npos) {
      problems.push_back(
          "marketplaces.ebay.endpoint_url must not have a query string (?store= is "
          "appended per store)");
    }
    if (!m.ebay().default_store_id().empty() && !IsValidStoreId(m.ebay().default_store_id())) {
      problems.push_back(std::string("marketplaces.ebay.default_store_id ") + kStoreIdShape);
    }
    for (int i = 0; i < m.ebay().store_ids_size(); ++i) {
      if (!IsValidStoreId(m.ebay().store_ids(i))) {
        problems.push_back("marketplaces.ebay.store_ids[" + std::to_string(i) + "] " +
                           kStoreIdShape);
      }
    }
    CheckSecret(m.ebay().verification_token(), "marketplaces.ebay.verification_token", true,
                problems);
    std::set<std::string> kids;
    for (const auto& key : m.ebay().public_keys()) {
      if (key.kid().empty()) problems.push_back("marketplaces.ebay.public_keys[].kid is required");
      if (!kids.insert(key.kid()).second) {
        problems.push_back("marketplaces.ebay.public_keys: duplicate kid " + key.kid());
      }
      if (key.pem().find("PRIVATE") != std::string::npos) {
        problems.push_back("marketplaces.ebay.public_keys kid " + key.kid() +
                           ": pem must be a public key");
      }
    }
  }
  std::set<std::string> names;
  for (const auto& client : config.events_api().clients()) {
    if (client.name().empty()) problems.push_back("events_api.clients[].name is required");
    if (!names.insert(client.name()).second) {
      problems.push_back("events_api.clients: duplicate name " + client.name());
    }
    CheckSecret(client.token(), "events_api.clients[" + client.name() + "].token", true, problems);
  }
  ValidateAccounts(config, problems);
  ValidateApiUsers(config.api(), problems);
  ValidateOutbound(config.outbound(), problems);
  ValidateOdr(config.odr(), problems);
  ValidateDisputes(config.disputes(), problems);
  for (const auto& kind : config.schedule().proactive()) {
    if (kind != "follow_up" && kind != "unpaid_reminder" && kind != "feedback_request" &&
        kind != "shipping_notice") {
      problems.push_back("schedule.proactive: unknown kind " + kind +
                         " (follow_up, unpaid_reminder, feedback_request, shipping_notice)");
    }
  }

  if (problems.empty()) return Ok();
  std::string joined;
  for (const auto& p : problems) {
    if (!joined.empty()) joined += "; ";
    joined += p;
  }
  return ConfigError(joined);
}

Result<proto::Config> ParseConfigJson(std::string_view json) {
  proto::Config config;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &config, options);
  if (!status.ok()) {
    return ConfigError("config is not valid: " + std::string(status.message()));
  }
  ApplyDefaults(config);
  auto valid = ValidateConfig(config);
  if (!valid) return valid.error();
  return config;
}

Result<proto::Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ConfigError("cannot read config file " + path);
  std::string text;
  text.resize(kMaxConfigBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxConfigBytes) return ConfigError("config file " + path + " is over 1 MiB");
  auto config = ParseConfigJson(text);
  if (!config) return ConfigError(path + ": " + config.error().message);
  return config;
}

proto::Config DefaultConfig() {
  proto::Config config;
  config.mutable_marketplaces()->mutable_ozon();
  config.mutable_marketplaces()->mutable_mercadolibre();
  ApplyDefaults(config);
  return config;
}

Result<std::string> ResolveSecret(const proto::SecretRef& ref, std::string_view field) {
  const std::string name(field);
  if (ref.has_env()) {
    const char* value = std::getenv(ref.env().c_str());
    if (value == nullptr || *value == '\0') {
      return ConfigError(name + ": environment variable " + ref.env() + " is not set");
    }
    return std::string(value);
  }
  if (ref.has_file()) {
    std::ifstream in(ref.file(), std::ios::binary);
    if (!in) return ConfigError(name + ": cannot read secret file " + ref.file());
    std::ostringstream content;
    content << in.rdbuf();
    std::string value = content.str();
    if (!value.empty() && value.back() == '\n') value.pop_back();
    if (!value.empty() && value.back() == '\r') value.pop_back();
    if (value.empty()) return ConfigError(name + ": secret file " + ref.file() + " is empty");
    return value;
  }
  return ConfigError(name + ": no secret reference");
}

}  // namespace csgw::gateway
