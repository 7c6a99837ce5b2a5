#include "gateway/config/config.h"

#include <google/protobuf/util/json_util.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "base/log.h"

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
