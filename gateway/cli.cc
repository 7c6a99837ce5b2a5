#include "gateway/cli.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/strings.h"
#include "base/timestamp.h"
#include "disputes/rules.h"
#include "gateway/api/disputes_json.h"
#include "gateway/api/disputes_view.h"
#include "gateway/app.h"
#include "gateway/catalog_files.h"
#include "gateway/cli_args.h"
#include "gateway/cli_odr.h"
#include "gateway/cli_outbox.h"
#include "gateway/cli_store.h"
#include "gateway/cli_templates.h"
#include "gateway/cli_text.h"
#include "gateway/config/config.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/marketplaces/registry.h"
#include "gateway/store/event_store.h"
#include "templates/catalog.h"

namespace csgw::gateway {
namespace {

constexpr char kUsage[] =
    "usage: csgw <command> [flags]\n"
    "\n"
    "Text commands read one input per line from stdin when TEXT (or --at) is -, and print one\n"
    "JSON object per line.\n"
    "\n"
    "commands:\n"
    "  serve [--config F] [--listen HOST:PORT] [--data DIR] [--port-file F]\n"
    "        run the gateway (flags override the config; with no config, built-in defaults:\n"
    "        127.0.0.1:8080, store under ./var/csgw, ozon and mercadolibre enabled)\n"
    "  events [--config F] [--data DIR] [--store S] [--after SEQ] [--limit N]\n"
    "        print stored events as JSON lines, oldest first; all of them unless --limit\n"
    "        (opens the store read-only, so it works beside a running gateway)\n"
    "  conversations [--config F] [--data DIR] [--marketplace M] [--store S] [--limit N]\n"
    "        print conversations with their reply drafts (language, intent, template, why)\n"
    "        as JSON lines (read-only, beside a running gateway)\n"
    "  disputes [--config F] [--data DIR] [--store S] [--due-within 24h]\n"
    "        print open and closed disputes as JSON lines, nearest deadline first: state,\n"
    "        reason, amounts, the nearest deadline (what, due, whose action), alerts, and the\n"
    "        advisor's options by cost with the reply drafted in the buyer's language;\n"
    "        --due-within (24h, 90m, 2d) keeps those due that soon (read-only)\n"
    "  odr report --store S [--rules R] [--at YYYY-MM-DD] [--config F] [--data DIR]\n"
    "        seller service level: figures, grade, forecast and what it takes (read-only)\n"
    "  odr alerts --store S | odr rebuild [--store S]   [--config F] [--data DIR]\n"
    "        the store's ODR alerts as JSON lines; recount from the stored events (gateway\n"
    "        stopped)\n"
    "  outbox [list] [--store S] [--limit N] | outbox show ID | outbox retry ID\n"
    "         [--config F] [--data DIR]\n"
    "        dead letters as JSON lines (read-only); one entry; a dead letter back to pending,\n"
    "        sent when the gateway next runs (gateway stopped; else POST /v1/outbox/{id}/retry)\n"
    "  check-config F\n"
    "        validate a config file, resolve its secrets, lint its template catalogue;\n"
    "        exit 1 if invalid\n"
    "  detect TEXT|- [--marketplace M] [--country CC]\n"
    "        the language of a buyer message: {\"language\",\"confidence\",\"method\"}\n"
    "  classify TEXT|- [--language L] [--marketplace M] [--country CC]\n"
    "        the intent of a buyer message: {\"intent\",\"confidence\",\"language\"}\n"
    "  time --tz ZONE --at INSTANT|-\n"
    "        local time and UTC offset of an instant, from the system tz database\n"
    "  render KEY|- --locale L [--var NAME=VALUE]... [--tz ZONE] [--currency C] [--store S]\n"
    "         [--catalog DIR]\n"
    "  render --message PATTERN --locale L [--var NAME=VALUE]...\n"
    "        render a catalogue template (locale fallback es-MX > es > en, store overrides) or\n"
    "        an ICU MessageFormat pattern; money as 1234.50 [RUB], dates as ISO 8601 instants\n"
    "  templates lint [--catalog DIR]\n"
    "        check the catalogue (built-in, with DIR layered on top); exit 1 on any finding\n"
    "  check-reply TEXT|- --locale L [--informal] [--max-length N | --marketplace M [--catalog "
    "D]]\n"
    "        the reply quality check run before every send; exit 1 when it finds something\n"
    "  version\n";

int Usage(const std::string& error) {
  if (!error.empty()) std::fprintf(stderr, "csgw: %s\n\n", error.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

int CheckConfig(const Args& args) {
  if (args.positional().size() != 1) return Usage("check-config takes one file");
  const std::string& path = args.positional()[0];
  auto config = LoadConfigFile(path);
  if (!config) {
    std::fprintf(stderr, "csgw: %s\n", config.error().message.c_str());
    return 1;
  }
  // Resolving secrets and parsing keys is part of a valid config.
  SystemClock clock;
  auto adapters = AdapterRegistry::Build(config.value().marketplaces(), clock);
  if (!adapters) {
    std::fprintf(stderr, "csgw: %s: %s\n", path.c_str(), adapters.error().message.c_str());
    return 1;
  }
  for (const auto& c : config.value().events_api().clients()) {
    auto token = ResolveSecret(c.token(), "events_api.clients[" + c.name() + "].token");
    if (!token) {
      std::fprintf(stderr, "csgw: %s: %s\n", path.c_str(), token.error().message.c_str());
      return 1;
    }
  }
  // The catalogue the gateway would serve must pass lint too.
  const std::string& catalog_dir = config.value().templates().catalog_dir();
  auto files = LayeredCatalogFiles(catalog_dir);
  auto catalog = files ? templates::Catalog::Load(files.value())
                       : Result<std::shared_ptr<const templates::Catalog>>(files.error());
  if (!catalog) {
    std::fprintf(stderr, "csgw: %s: templates.catalog_dir: %s\n", path.c_str(),
                 catalog.error().message.c_str());
    return 1;
  }
  std::vector<std::string> ids;
  for (auto id : adapters.value()->Ids()) ids.emplace_back(id);
  std::printf("%s: ok (marketplaces: %s)\n", path.c_str(),
              ids.empty() ? "none" : Join(ids, ", ").c_str());
  return 0;
}

// The store of --config/--data opened read-only (it works beside a running gateway); prints the
// reason and returns nullptr when it cannot.
std::unique_ptr<EventStore> OpenStoreReadOnly(const Args& args) {
  auto opened = OpenCommandStore(args, /*read_only=*/true, std::cerr);
  return opened ? std::move(opened->store) : nullptr;
}

int Events(const Args& args) {
  ListQuery query;
  query.store_id = args.Flag("store").value_or("");
  query.limit = std::numeric_limits<size_t>::max();  // all, unless --limit says otherwise
  uint64_t number = 0;
  if (auto limit = args.Flag("limit")) {
    if (!ParseUint(*limit, number) || number == 0)
      return Usage("--limit must be a positive integer");
    query.limit = number;
  }
  if (auto after = args.Flag("after")) {
    if (!ParseUint(*after, number)) return Usage("--after must be a sequence number");
    query.after_sequence = number;
  }
  const std::unique_ptr<EventStore> store = OpenStoreReadOnly(args);
  if (!store) return 2;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  // Page through the log so that a large --limit never holds everything in memory.
  size_t remaining = query.limit;
  while (remaining > 0) {
    ListQuery page = query;
    page.limit = std::min<size_t>(remaining, 1000);
    auto events = store->List(page);
    if (!events) {
      std::fprintf(stderr, "csgw: %s\n", events.error().message.c_str());
      return 1;
    }
    for (const auto& event : events.value()) {
      std::string line;
      (void)google::protobuf::util::MessageToJsonString(event, &line, print);
      std::cout << line << '\n';
      query.after_sequence = event.sequence();
    }
    if (events.value().size() < page.limit) break;
    remaining -= events.value().size();
  }
  std::cout.flush();
  return 0;
}

int ServeCommand(const Args& args) {
  if (!args.positional().empty()) return Usage("serve takes no positional arguments");
  ServeFlags flags{args.Flag("config"), args.Flag("listen"), args.Flag("data"),
                   args.Flag("port-file")};
  return Serve(flags);
}

// Calls `visit(key, record)` for every record of `table` whose key starts with `prefix`, in key
// order, a page at a time; `visit` returns false to stop. Returns the exit code: 0, or 1 after
// printing a storage error or naming a record that does not parse.
template <class Message, class Visit>
int ForEachRecord(const EventStore& store, Table table, const std::string& prefix, const char* what,
                  Visit visit) {
  constexpr size_t kPage = 500;
  std::string after;
  while (true) {
    auto page = store.ScanRecords(table, prefix, after, kPage);
    if (!page) {
      std::fprintf(stderr, "csgw: %s\n", page.error().message.c_str());
      return 1;
    }
    for (const auto& [key, value] : page.value()) {
      after = key;
      Message record;
      if (!record.ParseFromString(value)) {
        std::fprintf(stderr, "csgw: corrupt %s record %s\n", what, key.c_str());
        return 1;
      }
      if (!visit(key, record)) return 0;
    }
    if (page.value().size() < kPage) return 0;
  }
}

// Conversations with their drafts, as the pipeline stored them; read-only beside a running
// gateway.
int Conversations(const Args& args) {
  const std::string store_id = args.Flag("store").value_or("");
  const std::string marketplace = args.Flag("marketplace").value_or("");
  size_t limit = std::numeric_limits<size_t>::max();
  if (auto text = args.Flag("limit")) {
    uint64_t n = 0;
    if (!ParseUint(*text, n) || n == 0) return Usage("--limit must be a positive integer");
    limit = n;
  }
  const std::unique_ptr<EventStore> store = OpenStoreReadOnly(args);
  if (!store) return 2;
  // Keys start "<marketplace>/<store>/": a marketplace narrows the scan, a store filters it.
  const std::string prefix = marketplace.empty() ? "" : marketplace + "/";
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  size_t printed = 0;
  const int code = ForEachRecord<proto::Conversation>(
      *store, Table::kConversations, prefix, "conversation",
      [&](const std::string&, proto::Conversation& conversation) {
        if (!store_id.empty() && conversation.store_id() != store_id) return true;
        conversation.clear_reply_token();  // a marketplace credential, not for the terminal
        std::string line;
        (void)google::protobuf::util::MessageToJsonString(conversation, &line, print);
        std::cout << line << '\n';
        return ++printed < limit;
      });
  std::cout.flush();
  return code;
}

// Disputes as the pipeline stored them, nearest deadline first (those with none last, by key),
// with the advisor's options and reply: the API's queue (disputes_view.h), read-only beside a
// running gateway. --due-within reads the due-time index, not every dispute.
int Disputes(const Args& args) {
  if (!args.positional().empty()) return Usage("disputes takes no positional arguments");
  DisputeQuery query;
  query.store_id = args.Flag("store").value_or("");
  query.limit = 500;
  const TimePoint now = SystemClock().Now();
  if (auto text = args.Flag("due-within")) {
    const auto within = disputes::ParseDuration(*text);
    if (!within) return Usage("--due-within must be a duration such as 24h, 90m or 2d");
    query.due_before = now + *within;
  }
  ServeFlags flags;
  flags.config_path = args.Flag("config");
  flags.data_dir = args.Flag("data");
  auto config = EffectiveConfig(flags);
  if (!config) {
    std::fprintf(stderr, "csgw: %s\n", config.error().message.c_str());
    return 2;
  }
  auto files = LayeredCatalogFiles(config.value().templates().catalog_dir());
  auto catalog = files ? templates::Catalog::Load(files.value())
                       : Result<std::shared_ptr<const templates::Catalog>>(files.error());
  if (!catalog) {
    std::fprintf(stderr, "csgw: templates.catalog_dir: %s\n", catalog.error().message.c_str());
    return 1;
  }
  const std::unique_ptr<EventStore> store = OpenStoreReadOnly(args);
  if (!store) return 2;
  do {
    auto page = ListDisputes(*store, query);
    if (!page) {
      std::fprintf(stderr, "csgw: %s\n", page.error().message.c_str());
      return 1;
    }
    for (const DisputeView& view : page.value().disputes) {
      std::string why;
      const auto advice = AdviseDispute(*store, view, *catalog.value(), why);
      std::cout << DisputeQueueLineJson(view, now, advice, why) << '\n';
    }
    query.after = page.value().next;
  } while (!query.after.empty());
  std::cout.flush();
  return 0;
}

}  // namespace

int Main(int argc, char** argv) {
  if (argc < 2) return Usage("");
  const std::string command = argv[1];
  if (command == "version" || command == "--version") {
    std::printf("csgw %s\n", CSGW_VERSION);
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  struct Command {
    const char* name;
    const FlagSpec& flags;
    int (*run)(const Args&);
  };
  static const FlagSpec kServeFlags{{"config", "listen", "data", "port-file"}, {}};
  static const FlagSpec kEventsFlags{{"config", "data", "store", "limit", "after"}, {}};
  static const FlagSpec kConversationsFlags{{"config", "data", "store", "marketplace", "limit"},
                                            {}};
  static const FlagSpec kDisputesFlags{{"config", "data", "store", "due-within"}, {}};
  static const FlagSpec kNoFlags{};
  // clang-format off
  static const Command kCommands[] = {
      {"serve", kServeFlags, ServeCommand},
      {"events", kEventsFlags, Events},
      {"conversations", kConversationsFlags, Conversations},
      {"disputes", kDisputesFlags, Disputes},
      {"check-config", kNoFlags, CheckConfig},
      {"detect", kDetectFlags, Detect},
      {"classify", kClassifyFlags, Classify},
      {"time", kTimeFlags, Time},
      {"render", kRenderFlags, RenderCommand},
      {"templates", kTemplatesFlags, TemplatesCommand},
      {"odr", kOdrFlags, OdrCommand},
      {"outbox", kOutboxFlags, OutboxCommand},
      {"check-reply", kCheckReplyFlags, CheckReplyCommand},
  };
  // clang-format on
  for (const Command& c : kCommands) {
    if (command != c.name) continue;
    std::string error;
    auto args = Args::Parse(argc, argv, 2, c.flags, error);
    if (!args) return Usage(error);
    return c.run(*args);
  }
  return Usage("unknown command " + command);
}

}  // namespace csgw::gateway
