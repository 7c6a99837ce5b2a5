#include "gateway/app.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <cmath>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "base/log.h"
#include "base/strings.h"
#include "gateway/api/ingest.h"
#include "gateway/api/metrics.h"
#include "gateway/api/conversations_api.h"
#include "gateway/api/disputes_api.h"
#include "gateway/api/odr_api.h"
#include "gateway/api/router.h"
#include "gateway/catalog_files.h"
#include "gateway/config/config.h"
#include "gateway/connectors/runner.h"
#include "gateway/http/server.h"
#include "gateway/marketplaces/canonical.h"
#include "gateway/marketplaces/registry.h"
#include "gateway/pipeline/dispute_settings.h"
#include "gateway/pipeline/dispute_timers.h"
#include "gateway/pipeline/odr_alerts.h"
#include "gateway/pipeline/odr_counting.h"
#include "gateway/outbound/http_client.h"
#include "gateway/outbound/outbox.h"
#include "gateway/pipeline/pipeline.h"
#include "gateway/pipeline/pipeline_runner.h"
#include "gateway/pipeline/proactive.h"
#include "gateway/pipeline/reply_flow.h"
#include "gateway/schedule/policy.h"
#include "gateway/schedule/timer_runner.h"
#include "gateway/store/event_store.h"
#include "i18n/language.h"
#include "templates/catalog.h"
#include "templates/draft.h"
#include "templates/intent.h"

namespace csgw::gateway {
namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "csgw: %s\n", what.c_str());
  return 2;
}

Result<void> ApplyListen(const std::string& listen, proto::Config& config) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return MakeError(Errc::kInvalidField, "--listen must be HOST:PORT, got " + listen);
  }
  uint32_t port = 0;
  const std::string port_text = listen.substr(colon + 1);
  const auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size() || port > 65535) {
    return MakeError(Errc::kInvalidField, "--listen port must be 0..65535, got " + port_text);
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  config.mutable_server()->set_listen_host(host);
  config.mutable_server()->set_listen_port(port);  // 0 stays 0: any free port
  return Ok();
}

http::ServerOptions ServerOptionsFrom(const proto::ServerConfig& s) {
  http::ServerOptions o;
  o.host = s.listen_host();
  o.port = static_cast<uint16_t>(s.listen_port());
  o.max_body_bytes = s.max_body_bytes();
  o.max_header_bytes = s.max_header_bytes();
  o.header_timeout = std::chrono::milliseconds(s.header_timeout_ms());
  o.body_timeout = std::chrono::milliseconds(s.body_timeout_ms());
  o.idle_timeout = std::chrono::milliseconds(s.idle_timeout_ms());
  o.write_timeout = std::chrono::milliseconds(s.write_timeout_ms());
  o.handler_timeout = std::chrono::milliseconds(s.ingest_timeout_ms());
  o.max_requests_per_connection = s.max_requests_per_connection();
  o.max_connections = s.max_connections();
  o.io_threads = s.io_threads();
  return o;
}

StoreOptions StoreOptionsFrom(const proto::StoreConfig& s) {
  StoreOptions o;
  o.dir = s.data_dir();
  o.max_batch_events = s.max_batch_events();
  o.max_batch_bytes = s.max_batch_bytes();
  o.max_pending_appends = s.max_pending_appends();
  o.max_pending_bytes = s.max_pending_bytes();
  o.sync = !s.disable_sync();
  return o;
}

Result<std::unique_ptr<CanonicalEvents>> BuildCanonical(const proto::EventsApiConfig& config,
                                                        const Clock& clock) {
  if (config.clients().empty()) return std::unique_ptr<CanonicalEvents>();
  std::vector<CanonicalEvents::Client> clients;
  for (const auto& c : config.clients()) {
    auto token = ResolveSecret(c.token(), "events_api.clients[" + c.name() + "].token");
    if (!token) return token.error();
    clients.push_back({c.name(), std::move(token).value()});
  }
  return std::make_unique<CanonicalEvents>(std::move(clients), clock);
}

// Writes atomically (temp file + rename) so a reader never sees a half-written port.
Result<void> WritePortFile(const std::string& path, uint16_t port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out) return MakeError(Errc::kInternal, "cannot write port file " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return MakeError(Errc::kInternal, "cannot write port file " + path + ": " + ec.message());
  return Ok();
}

// Forwards store commits to the metrics and wakes the pipeline: new work is there.
class CommitFanout final : public StoreObserver {
 public:
  explicit CommitFanout(GatewayMetrics& metrics) : metrics_(metrics) {}
  void SetPipeline(Pipeline* pipeline) { pipeline_.store(pipeline); }
  void OnCommit(size_t appends, size_t events, std::chrono::nanoseconds latency) override {
    metrics_.OnCommit(appends, events, latency);
    if (Pipeline* p = pipeline_.load()) p->Notify();
  }
  void OnDuplicate(std::string_view marketplace) override { metrics_.OnDuplicate(marketplace); }
  void OnCommitFailure() override { metrics_.OnCommitFailure(); }

 private:
  GatewayMetrics& metrics_;
  std::atomic<Pipeline*> pipeline_{nullptr};
};

Result<std::shared_ptr<const templates::Catalog>> LoadCatalog(const std::string& dir) {
  auto files = LayeredCatalogFiles(dir);
  if (!files) return files.error();
  auto catalog = templates::Catalog::Load(files.value());
  if (!catalog) {
    return Error{Errc::kInvalidField, "template catalogue " + (dir.empty() ? "(built-in)" : dir) +
                                          ": " + catalog.error().message};
  }
  return catalog.value();
}


// Reads a config-named file whole, refusing one over `cap` (a wrong path to a large file).
Result<std::string> ReadSmallFile(const std::string& path, size_t cap) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(Errc::kInvalidField, "cannot read " + path);
  std::string text(cap + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > cap) return MakeError(Errc::kInvalidField, path + " is over the size cap");
  return text;
}

Result<schedule::SchedulePolicy> LoadSchedulePolicy(const proto::ScheduleConfig& config) {
  if (config.policy_file().empty()) return schedule::SchedulePolicy{};
  auto json = ReadSmallFile(config.policy_file(), schedule::kMaxPolicyJsonBytes);
  if (!json) return json.error();
  const std::filesystem::path base = std::filesystem::path(config.policy_file()).parent_path();
  auto policy = schedule::ParseSchedulePolicy(json.value(), [&](std::string_view ics) {
    return ReadSmallFile((base / std::string(ics)).string(), 1 << 20);
  });
  if (!policy) {
    return MakeError(Errc::kInvalidField,
                     "schedule.policy_file " + config.policy_file() + ": " + policy.error().message);
  }
  return policy;
}

// What the outbox settled goes into the event log as an OutboundUpdate, for the pipeline to
// record on the conversation.
class OutboxToLog final : public OutboxListener {
 public:
  OutboxToLog(EventStore& store, const Clock& clock, GatewayMetrics& metrics)
      : store_(store), clock_(clock), metrics_(metrics) {}
  void OnSettled(const proto::OutboxEntry& entry) override {
    const std::string step(OutboxStateName(entry.state()));
    metrics_.CountOutboxSettled(step);
    if (entry.conversation_id().empty()) return;  // webhooks have no conversation
    std::vector<proto::Event> events{OutboundEvent(entry, step, clock_.Now())};
    if (auto ok = store_.Append(std::move(events)); !ok) {
      log::Error("outbox.record_failed", {{"outbox_id", entry.id()}, {"error", ok.error().message}});
    }
  }

 private:
  EventStore& store_;
  const Clock& clock_;
  GatewayMetrics& metrics_;
};

// "reply_sla" timers: the reply to a buyer is overdue. The conversation shows it (computed from
// its due time); this makes it visible to operators as a log line and a metric.
class ReplySlaTimers final : public TimerHandler {
 public:
  explicit ReplySlaTimers(GatewayMetrics& metrics) : metrics_(metrics) {}
  Result<void> Fire(const proto::Timer& timer, TimePoint, StateBatch&) override {
    log::Warn("conversation.reply_overdue", {{"conversation", timer.subject()}});
    metrics_.CountReplyOverdue();
    return Ok();
  }

 private:
  GatewayMetrics& metrics_;
};

outbound::HttpClientOptions ClientOptionsFrom(const proto::OutboundConfig& o) {
  outbound::HttpClientOptions c;
  c.default_timeout = std::chrono::milliseconds(o.timeout_ms());
  c.max_concurrent = o.max_in_flight();
  return c;
}

OutboxOptions OutboxOptionsFrom(const proto::OutboundConfig& o) {
  OutboxOptions options;
  options.retry.initial = std::chrono::milliseconds(o.initial_delay_ms());
  options.retry.max_delay = std::chrono::milliseconds(o.max_delay_ms());
  options.retry.max_attempts = static_cast<int>(o.max_attempts());
  options.retry.max_age = std::chrono::seconds(o.max_age_seconds());
  options.rate.per_second = o.rate_per_second();
  options.rate.burst = static_cast<uint32_t>(std::max(1.0, std::ceil(o.rate_per_second())));
  options.max_in_flight = o.max_in_flight();
  options.attempt_timeout = std::chrono::milliseconds(o.timeout_ms());
  return options;
}

}  // namespace

Result<proto::Config> EffectiveConfig(const ServeFlags& flags) {
  proto::Config config;
  if (flags.config_path) {
    auto loaded = LoadConfigFile(*flags.config_path);
    if (!loaded) return loaded.error();
    config = std::move(loaded).value();
  } else {
    config = DefaultConfig();
  }
  if (flags.listen) {
    if (auto ok = ApplyListen(*flags.listen, config); !ok) return ok.error();
  }
  if (flags.data_dir) config.mutable_store()->set_data_dir(*flags.data_dir);
  if (auto valid = ValidateConfig(config); !valid) return valid.error();
  return config;
}

class Gateway::Parts {
 public:
  std::unique_ptr<AdapterRegistry> adapters;
  std::unique_ptr<CanonicalEvents> canonical;
  // Declared before the store: the store reports commits to them until it closes.
  GatewayMetrics metrics;
  CommitFanout commits{metrics};
  // Drafting: built before the store opens, used by the pipeline.
  std::string catalog_dir;
  std::unique_ptr<i18n::LanguageDetector> detector;
  std::unique_ptr<templates::IntentClassifier> classifier;
  std::unique_ptr<templates::CatalogHolder> catalog;
  std::unique_ptr<templates::Drafter> drafter;
  std::unique_ptr<EventStore> store;
  // After the store: destroyed (stopped) before it.
  schedule::SchedulePolicy schedule;
  std::unique_ptr<ApiUsers> api_users;
  std::unique_ptr<ApiRoutes> api_routes;
  std::unique_ptr<outbound::HttpClient> http_client;
  std::unique_ptr<SenderRegistry> senders;
  std::unique_ptr<OutboxToLog> outbox_log;
  std::unique_ptr<Outbox> outbox;
  std::unique_ptr<ReplySlaTimers> reply_sla;
  std::unique_ptr<ProactiveTimers> proactive;
  std::shared_ptr<OdrCounting> odr;
  std::unique_ptr<OutboxAlertSink> odr_alerts;
  std::unique_ptr<OdrEvaluationTimer> odr_evaluation;
  std::unique_ptr<connectors::ConnectorRunner> connectors;
  std::unique_ptr<Pipeline> pipeline;
  std::unique_ptr<DisputeTimerHandler> dispute_timers;
  std::unique_ptr<TimerRunner> timers;
  std::unique_ptr<Ingest> ingest;
  std::unique_ptr<Router> router;
  std::unique_ptr<http::Server> server;
};

Gateway::Gateway(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Gateway::~Gateway() {
  // The server goes first so that no handler runs against a closed store; the pipeline
  // finishes its batch before the store closes.
  parts_->server.reset();
  parts_->commits.SetPipeline(nullptr);
  parts_->connectors->Stop();
  parts_->timers->Stop();
  parts_->pipeline->Stop();
  // In-flight sends settle (or are left "sending" for the next start to judge) before the client
  // and the store go.
  parts_->outbox->Stop();
  parts_->http_client->Stop();
  parts_->store->Close();
}

Result<std::unique_ptr<Gateway>> Gateway::Create(const proto::Config& config, const Clock& clock) {
  auto parts = std::make_unique<Parts>();
  auto adapters = AdapterRegistry::Build(config.marketplaces(), clock);
  if (!adapters) return adapters.error();
  parts->adapters = std::move(adapters).value();
  auto canonical = BuildCanonical(config.events_api(), clock);
  if (!canonical) return canonical.error();
  parts->canonical = std::move(canonical).value();
  parts->catalog_dir = config.templates().catalog_dir();
  auto catalog = LoadCatalog(parts->catalog_dir);
  if (!catalog) return catalog.error();
  parts->catalog = std::make_unique<templates::CatalogHolder>(catalog.value());
  parts->detector = std::make_unique<i18n::LanguageDetector>();
  parts->classifier = templates::MakeRuleClassifier();
  parts->drafter =
      std::make_unique<templates::Drafter>(*parts->detector, *parts->classifier, *parts->catalog);
  auto store = EventStore::Open(StoreOptionsFrom(config.store()), &parts->commits);
  if (!store) return store.error();
  parts->store = std::move(store).value();
  parts->pipeline = std::make_unique<Pipeline>(*parts->store, *parts->drafter, config.templates(),
                                               clock, &parts->metrics);
  auto policy = LoadSchedulePolicy(config.schedule());
  if (!policy) return policy.error();
  parts->schedule = std::move(policy).value();
  auto client = outbound::HttpClient::Create(ClientOptionsFrom(config.outbound()));
  if (!client) return client.error();
  parts->http_client = std::move(client).value();
  auto senders = SenderRegistry::Build(config, clock);
  if (!senders) return senders.error();
  parts->senders = std::move(senders).value();
  parts->outbox_log = std::make_unique<OutboxToLog>(*parts->store, clock, parts->metrics);
  parts->outbox = std::make_unique<Outbox>(
      *parts->store, clock, *parts->http_client, parts->senders.get(),
      OutboxOptionsFrom(config.outbound()), parts->outbox_log.get(),
      outbound::MakeUniformRandom(static_cast<uint64_t>(clock.Now().time_since_epoch().count())));
  parts->reply_sla = std::make_unique<ReplySlaTimers>(parts->metrics);
  auto pollers = connectors::ConnectorRunner::Build(config, *parts->store, *parts->http_client, clock);
  if (!pollers) return pollers.error();
  parts->connectors = std::move(pollers).value();
  auto dispute_settings = DisputeSettings::Build(config.disputes());
  if (!dispute_settings) return dispute_settings.error();
  parts->pipeline->SetDisputes(dispute_settings.value());
  parts->dispute_timers = std::make_unique<DisputeTimerHandler>(
      *parts->store, dispute_settings.value(), parts->outbox.get());
  {
    // The handler hands its effect to the pipeline as an event in the log: wake it up.
    Pipeline* pipeline = parts->pipeline.get();
    parts->dispute_timers->SetOnEvent([pipeline] { pipeline->Notify(); });
  }
  auto odr_rules = OdrRules::FromConfig(config.odr());
  if (!odr_rules) return odr_rules.error();
  parts->odr = std::make_shared<OdrCounting>(*parts->store, odr_rules.value(), clock);
  parts->odr_alerts = std::make_unique<OutboxAlertSink>(*parts->outbox);
  parts->odr->SetAlertSink(parts->odr_alerts.get());
  parts->pipeline->SetOdr(parts->odr);
  parts->odr_evaluation = std::make_unique<OdrEvaluationTimer>(*parts->odr);
  parts->timers = std::make_unique<TimerRunner>(*parts->store, clock);
  parts->timers->Handle(kSendTimerKind, *parts->outbox);
  parts->timers->Handle(kReplySlaTimerKind, *parts->reply_sla);
  const ProactiveKinds proactive_kinds = ProactiveKinds::Of(config.schedule().proactive());
  parts->proactive = std::make_unique<ProactiveTimers>(*parts->store, *parts->catalog,
                                                       config.templates(), *parts->outbox,
                                                       proactive_kinds);
  // Registered even when disabled: timers left from an earlier config are dropped with a log,
  // not removed as an unhandled kind.
  for (const char* kind : {"follow_up", "unpaid_reminder", "feedback_request", "shipping_notice"}) {
    parts->timers->Handle(kind, *parts->proactive);
  }
  parts->timers->Handle(kOdrEvaluateTimerKind, *parts->odr_evaluation);
  TimerRunner* runner = parts->timers.get();
  parts->outbox->SetWake([runner] { runner->Notify(); });
  Pipeline::ReplyFlow flow;
  flow.policy = &parts->schedule;
  flow.outbox = parts->outbox.get();
  flow.on_sends = [runner] { runner->Notify(); };
  flow.proactive = proactive_kinds;
  parts->pipeline->SetReplyFlow(std::move(flow));
  parts->timers->Handle("dispute_deadline", *parts->dispute_timers);
  parts->timers->Handle("dispute_alert", *parts->dispute_timers);
  parts->ingest = std::make_unique<Ingest>(*parts->adapters, parts->canonical.get(), *parts->store,
                                           parts->metrics);
  auto users = ApiUsers::Build(config.api());
  if (!users) return users.error();
  parts->api_users = std::move(users).value();
  parts->api_routes = std::make_unique<ApiRoutes>(parts->api_users.get());
  {
    ConversationsApiDeps deps;
    deps.store = parts->store.get();
    deps.outbox = parts->outbox.get();
    deps.clock = &clock;
    deps.catalog = parts->catalog.get();
    std::set<std::string> informal;
    for (const auto& p : config.templates().stores()) {
      if (p.informal()) informal.insert(p.store_id());
    }
    const bool default_informal = config.templates().default_policy().informal();
    deps.informal = [informal, default_informal](std::string_view store) {
      return informal.count(std::string(store)) > 0 || default_informal;
    };
    deps.max_page = config.api().max_page_size();
    deps.on_send = [runner] { runner->Notify(); };
    AddConversationRoutes(*parts->api_routes, std::move(deps));
  }
  {
    DisputesApiDeps deps;
    deps.store = parts->store.get();
    deps.clock = &clock;
    deps.outbox = parts->outbox.get();
    deps.catalog = parts->catalog.get();
    deps.max_page = config.api().max_page_size();
    Pipeline* pipeline = parts->pipeline.get();
    deps.on_event = [pipeline] { pipeline->Notify(); };
    deps.on_send = [runner] { runner->Notify(); };
    AddDisputeRoutes(*parts->api_routes, deps);
  }
  {
    OdrApiDeps deps;
    deps.store = parts->store.get();
    deps.rules = odr_rules.value();
    deps.clock = &clock;
    deps.max_page = config.api().max_page_size();
    AddOdrRoutes(*parts->api_routes, std::move(deps));
  }
  parts->router = std::make_unique<Router>(*parts->ingest, *parts->store, parts->metrics,
                                           parts->api_routes.get());
  parts->server =
      std::make_unique<http::Server>(ServerOptionsFrom(config.server()), *parts->router);
  if (auto listening = parts->server->Listen(); !listening) return listening.error();
  auto interrupted = parts->outbox->Start();
  if (!interrupted) return interrupted.error();
  if (interrupted.value() > 0) {
    log::Warn("outbox.interrupted_sends",
              {{"count", static_cast<int64_t>(interrupted.value())},
               {"what", "sends in flight at the last stop are dead letters: check and retry"}});
  }
  if (auto scheduled = parts->odr_evaluation->Schedule(*parts->store, clock.Now()); !scheduled) {
    return scheduled.error();
  }
  StartPipelineInBackground(*parts->pipeline);
  parts->timers->Start();
  parts->connectors->Start();
  parts->commits.SetPipeline(parts->pipeline.get());
  parts->router->SetReady(true);
  return std::unique_ptr<Gateway>(new Gateway(std::move(parts)));
}

uint16_t Gateway::port() const { return parts_->server->port(); }
EventStore& Gateway::store() { return *parts_->store; }
std::vector<std::string_view> Gateway::marketplaces() const { return parts_->adapters->Ids(); }
bool Gateway::events_api_enabled() const { return parts_->canonical != nullptr; }
void Gateway::Run() { parts_->server->Run(); }

Result<void> Gateway::ReloadCatalog() {
  auto catalog = LoadCatalog(parts_->catalog_dir);
  parts_->metrics.CountCatalogReload(static_cast<bool>(catalog));
  if (!catalog) {
    log::Error("catalog.reload_refused",
               {{"dir", parts_->catalog_dir}, {"error", catalog.error().message}});
    return catalog.error();
  }
  parts_->catalog->Set(catalog.value());
  log::Info("catalog.reloaded",
            {{"dir", parts_->catalog_dir},
             {"templates", static_cast<int64_t>(catalog.value()->keys().size())}});
  return Ok();
}

void Gateway::Stop() {
  parts_->router->SetReady(false);
  parts_->server->Stop();
}

int Serve(const ServeFlags& flags) {
  // Block the stop signals before any thread starts, so only the waiter below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);  // reload the template catalogue
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto config = EffectiveConfig(flags);
  if (!config) return Fail(config.error().message);
  log::Level level = log::Level::kInfo;
  log::ParseLevel(config.value().log().level(), &level);
  log::SetLevel(level);

  SystemClock clock;
  auto gateway = Gateway::Create(config.value(), clock);
  if (!gateway) return Fail(gateway.error().message);
  if (flags.port_file) {
    if (auto written = WritePortFile(*flags.port_file, gateway.value()->port()); !written) {
      return Fail(written.error().message);
    }
  }
  std::vector<std::string> ids;
  for (auto id : gateway.value()->marketplaces()) ids.emplace_back(id);
  const std::string marketplaces = Join(ids, ",");
  log::Info("gateway.started", {{"host", config.value().server().listen_host()},
                                {"port", static_cast<int64_t>(gateway.value()->port())},
                                {"data_dir", config.value().store().data_dir()},
                                {"marketplaces", marketplaces},
                                {"events_api", gateway.value()->events_api_enabled()}});

  std::atomic<bool> stopping{false};
  std::thread waiter([&] {
    int signal_number = 0;
    while (sigwait(&stop_signals, &signal_number) == 0 && signal_number == SIGHUP) {
      // A catalogue that fails lint is refused and logged; the running one stays.
      (void)gateway.value()->ReloadCatalog();
    }
    stopping.store(true);
    log::Info("gateway.stopping", {{"signal", signal_number}});
    gateway.value()->Stop();
  });
  gateway.value()->Run();
  // Run returning without a signal would leave the waiter blocked: wake it.
  if (!stopping.load()) kill(getpid(), SIGTERM);
  waiter.join();
  gateway.value().reset();
  log::Info("gateway.stopped");
  return 0;
}

}  // namespace csgw::gateway
