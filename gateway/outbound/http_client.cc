#include "gateway/outbound/http_client.h"

#include <curl/curl.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <future>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/strings.h"

namespace csgw::gateway::outbound {
namespace {

// libcurl's process-wide setup, once, before the first handle. Never undone: the client may live
// until exit, and curl_global_cleanup is not safe while any other thread uses curl.
bool GlobalInit() {
  static const bool ok = [] {
    // With CURLOPT_NOSIGNAL (required with threads) curl leaves SIGPIPE alone, and a TLS write to
    // a connection the peer closed would kill the process. Ignore it unless the program already
    // chose a handler.
    struct sigaction current = {};
    if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      signal(SIGPIPE, SIG_IGN);
    }
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  }();
  return ok;
}

constexpr std::string_view kWhitespace = " \t\r\n";

std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(kWhitespace);
  return s.substr(begin, end - begin + 1);
}

// "https://host:port" of a URL, without user info, path or query: safe to put in errors and logs
// (Shopee, for one, carries the access token in the query).
std::string Origin(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "(malformed url)";
  const size_t authority_begin = scheme_end + 3;
  size_t authority_end = url.find_first_of("/?#", authority_begin);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  std::string_view authority = url.substr(authority_begin, authority_end - authority_begin);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  return std::string(url.substr(0, authority_begin)) + std::string(authority);
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

bool KnownMethod(std::string_view m) {
  return m == "GET" || m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE";
}

bool HasHeader(const HttpRequest& request, std::string_view name) {
  for (const auto& [k, v] : request.headers) {
    if (EqualsIgnoreAsciiCase(k, name)) return true;
  }
  return false;
}

// One request from Send to its callback. Owned by the queue, then by the running map; libcurl
// holds raw pointers into it (the body, the error buffer, itself as callback data), so it never
// moves once configured.
struct Transfer {
  HttpRequest request;
  HttpClient::Callback done;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  HttpResponse response;
  size_t max_body = 0;
  size_t max_head = 0;
  size_t head_bytes = 0;
  bool body_too_large = false;
  bool head_too_large = false;
  char error[CURL_ERROR_SIZE] = {};
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->response.body.size() + n > t->max_body) {
    t->body_too_large = true;
    return 0;  // anything but n aborts the transfer with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

// Called once per header line, status lines of interim (1xx) answers included.
size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  t->head_bytes += n;
  if (t->head_bytes > t->max_head) {
    t->head_too_large = true;
    return 0;
  }
  const std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {  // a new head: only the final one's headers count
    t->response.headers.clear();
    return n;
  }
  if ((line.starts_with(" ") || line.starts_with("\t")) && !t->response.headers.empty()) {
    // Obsolete line folding: a continuation of the previous value.
    auto& value = t->response.headers.back().second;
    value += ' ';
    value += Trim(line);
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;  // the blank line ending the head
  t->response.headers.emplace_back(AsciiLower(Trim(line.substr(0, colon))),
                                   std::string(Trim(line.substr(colon + 1))));
  return n;
}

Error TransportError(const Transfer& t, CURLcode code) {
  const std::string where = t.request.method + " " + Origin(t.request.url) + ": ";
  const std::string detail = t.error[0] != '\0' ? std::string(t.error) : curl_easy_strerror(code);
  if (t.body_too_large) {
    return MakeError(Errc::kPayloadTooLarge,
                     where + "response body is over " + std::to_string(t.max_body) + " bytes");
  }
  if (t.head_too_large) {
    return MakeError(Errc::kPayloadTooLarge,
                     where + "response head is over " + std::to_string(t.max_head) + " bytes");
  }
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return MakeError(Errc::kUpstreamTimeout, where + detail);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return MakeError(Errc::kInvalidField, where + detail);
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return MakeError(Errc::kInternal, where + detail);
    default:
      // Resolution, connect, TLS, send/receive and protocol failures: the peer could not be
      // reached or broke the exchange; another attempt may fare better.
      return MakeError(Errc::kUpstreamUnavailable, where + detail);
  }
}

Error StoppedError(const Transfer& t) {
  return MakeError(Errc::kNotReady, t.request.method + " " + Origin(t.request.url) +
                                        ": the outbound client stopped");
}

}  // namespace

class HttpClient::Impl {
 public:
  explicit Impl(HttpClientOptions options) : options_(std::move(options)) {}

  ~Impl() {
    Stop();
    for (CURL* easy : idle_) curl_easy_cleanup(easy);
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
  }

  Result<void> Start() {
    if (!GlobalInit()) return MakeError(Errc::kInternal, "curl_global_init failed");
    multi_ = curl_multi_init();
    if (multi_ == nullptr) return MakeError(Errc::kInternal, "curl_multi_init failed");
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS,
                      static_cast<long>(options_.max_connections_per_host));
    // Idle connections kept for reuse: as many as can be busy at once.
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(options_.max_concurrent));
    thread_ = std::thread([this] { Loop(); });
    client_thread_ = thread_.get_id();
    return Ok();
  }

  Result<void> Send(HttpRequest request, Callback done) {
    auto transfer = std::make_unique<Transfer>();
    transfer->request = std::move(request);
    transfer->done = std::move(done);
    {
      std::lock_guard lock(mu_);
      if (stopping_) {
        refused_.fetch_add(1, std::memory_order_relaxed);
        return MakeError(Errc::kNotReady, "the outbound client is stopped");
      }
      if (outstanding_ >= size_t{options_.max_concurrent} + options_.max_queued) {
        refused_.fetch_add(1, std::memory_order_relaxed);
        return MakeError(Errc::kOverloaded, "the outbound queue is full (" +
                                                std::to_string(outstanding_) + " requests)");
      }
      ++outstanding_;
      queue_.push_back(std::move(transfer));
    }
    accepted_.fetch_add(1, std::memory_order_relaxed);
    curl_multi_wakeup(multi_);
    return Ok();
  }

  Result<HttpResponse> SendSync(HttpRequest request) {
    if (std::this_thread::get_id() == client_thread_) std::abort();  // would wait for itself
    std::promise<Result<HttpResponse>> promise;
    auto future = promise.get_future();
    auto sent = Send(std::move(request), [&promise](Result<HttpResponse> result) {
      promise.set_value(std::move(result));
    });
    if (!sent) return sent.error();
    return future.get();
  }

  void Stop() {
    if (std::this_thread::get_id() == client_thread_) std::abort();  // would join itself
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    std::lock_guard join_lock(join_mu_);
    if (!thread_.joinable()) return;
    curl_multi_wakeup(multi_);
    thread_.join();
  }

  HttpClientStats Stats() const {
    HttpClientStats s;
    s.accepted = accepted_.load(std::memory_order_relaxed);
    s.refused = refused_.load(std::memory_order_relaxed);
    s.responses = responses_.load(std::memory_order_relaxed);
    s.errors = errors_.load(std::memory_order_relaxed);
    s.connections_opened = connections_.load(std::memory_order_relaxed);
    return s;
  }

 private:
  // The client thread: start queued transfers while there is room, let curl move bytes, finish
  // what completed, sleep until a socket is ready, curl's next timeout or a wakeup from Send/Stop.
  void Loop() {
    for (;;) {
      std::vector<std::unique_ptr<Transfer>> fresh;
      {
        std::lock_guard lock(mu_);
        if (stopping_) break;
        while (!queue_.empty() && running_.size() + fresh.size() < options_.max_concurrent) {
          fresh.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      for (auto& t : fresh) Begin(std::move(t));

      int still_running = 0;
      curl_multi_perform(multi_, &still_running);
      bool finished_any = false;
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        const CURLcode code = msg->data.result;
        auto it = running_.find(msg->easy_handle);
        if (it == running_.end()) std::abort();  // a handle we did not add: a bug
        std::unique_ptr<Transfer> t = std::move(it->second);
        running_.erase(it);
        curl_multi_remove_handle(multi_, t->easy);
        finished_any = true;
        Complete(std::move(t), code);
      }
      // A finished transfer freed a slot: start the next queued one before sleeping.
      if (finished_any) continue;
      curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }

    // Stopping: Send refuses from now on, so what is running and queued is all there will be.
    for (auto& [easy, t] : running_) {
      curl_multi_remove_handle(multi_, easy);
      Error stopped = StoppedError(*t);
      Finish(std::move(t), std::move(stopped));
    }
    running_.clear();
    std::deque<std::unique_ptr<Transfer>> queued;
    {
      std::lock_guard lock(mu_);
      queued.swap(queue_);
    }
    for (auto& t : queued) {
      Error stopped = StoppedError(*t);
      Finish(std::move(t), std::move(stopped));
    }
  }

  void Begin(std::unique_ptr<Transfer> t) {
    if (!idle_.empty()) {
      t->easy = idle_.back();
      idle_.pop_back();
      curl_easy_reset(t->easy);  // keeps the caches, forgets the previous request's options
    } else {
      t->easy = curl_easy_init();
      if (t->easy == nullptr) {
        Finish(std::move(t), MakeError(Errc::kInternal, "curl_easy_init failed"));
        return;
      }
    }
    if (auto configured = Configure(*t); !configured) {
      Finish(std::move(t), configured.error());
      return;
    }
    if (curl_multi_add_handle(multi_, t->easy) != CURLM_OK) {
      Finish(std::move(t), MakeError(Errc::kInternal, "curl_multi_add_handle failed"));
      return;
    }
    CURL* easy = t->easy;
    running_.emplace(easy, std::move(t));
  }

  Result<void> Configure(Transfer& t) {
    const HttpRequest& r = t.request;
    if (!KnownMethod(r.method)) {
      return MakeError(Errc::kInvalidField, "unsupported HTTP method \"" + r.method + "\"");
    }
    if (r.url.empty() || HasLineBreak(r.url)) {
      return MakeError(Errc::kInvalidField, "the request URL is empty or has a line break");
    }
    for (const auto& [name, value] : r.headers) {
      // A line break would let a value smuggle in headers or a second request.
      if (name.empty() || HasLineBreak(name) || HasLineBreak(value) ||
          name.find(':') != std::string::npos) {
        return MakeError(Errc::kInvalidField, "malformed request header \"" + name + "\"");
      }
      // "Name;" is libcurl's spelling of a header sent with an empty value ("Name:" removes it).
      const std::string line = value.empty() ? name + ";" : name + ": " + value;
      t.header_list = curl_slist_append(t.header_list, line.c_str());
    }
    // curl would add "Expect: 100-continue" to larger bodies and wait a round trip for it, and a
    // form Content-Type to any body: what goes out is what the builder wrote.
    if (!HasHeader(r, "expect")) t.header_list = curl_slist_append(t.header_list, "Expect:");
    if (!HasHeader(r, "content-type")) {
      t.header_list = curl_slist_append(t.header_list, "Content-Type:");
    }

    const auto timeout =
        r.timeout > std::chrono::milliseconds::zero() ? r.timeout : options_.default_timeout;
    const auto connect_timeout = std::min(timeout, options_.connect_timeout);
    t.max_body = options_.max_response_bytes;
    t.max_head = options_.max_response_header_bytes;

    CURL* h = t.easy;
    CURLcode rc = CURLE_OK;
    // Every option below is checked: one that fails to apply (say, a protocol list this libcurl
    // does not know) must fail the request, not loosen it.
    const auto set = [&rc](CURLcode c) {
      if (rc == CURLE_OK) rc = c;
    };
    set(curl_easy_setopt(h, CURLOPT_PRIVATE, &t));
    set(curl_easy_setopt(h, CURLOPT_URL, r.url.c_str()));
    set(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https"));
    set(curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L));
    set(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L));  // signals and threads do not mix
    set(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count())));
    set(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count())));
    set(curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L));
    set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L));
    set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L));
    if (!options_.ca_file.empty())
      set(curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str()));
    // An empty proxy string disables proxies, including those named in the environment.
    set(curl_easy_setopt(h, CURLOPT_PROXY, options_.proxy.c_str()));
    set(curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str()));
    set(curl_easy_setopt(h, CURLOPT_HTTPHEADER, t.header_list));
    set(curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t.error));
    set(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody));
    set(curl_easy_setopt(h, CURLOPT_WRITEDATA, &t));
    set(curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader));
    set(curl_easy_setopt(h, CURLOPT_HEADERDATA, &t));
    if (!options_.proxy.empty()) {
      set(curl_easy_setopt(h, CURLOPT_PROXY_SSL_VERIFYPEER, 1L));
      set(curl_easy_setopt(h, CURLOPT_PROXY_SSL_VERIFYHOST, 2L));
    }

    const bool sends_body =
        r.method == "POST" || r.method == "PUT" || r.method == "PATCH" || !r.body.empty();
    if (sends_body) {
      // Not copied: the Transfer owns the body and outlives the transfer.
      set(curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size())));
      set(curl_easy_setopt(h, CURLOPT_POSTFIELDS, r.body.data()));
    } else {
      set(curl_easy_setopt(h, CURLOPT_HTTPGET, 1L));
    }
    if (r.method != "GET" && r.method != "POST") {
      set(curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str()));
    }
    if (rc != CURLE_OK) {
      return MakeError(Errc::kInternal,
                       std::string("cannot configure the transfer: ") + curl_easy_strerror(rc));
    }
    return Ok();
  }

  void Complete(std::unique_ptr<Transfer> t, CURLcode code) {
    long connects = 0;
    if (curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects > 0) {
      connections_.fetch_add(static_cast<uint64_t>(connects), std::memory_order_relaxed);
    }
    if (code != CURLE_OK) {
      Error error = TransportError(*t, code);
      Finish(std::move(t), std::move(error));
      return;
    }
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    t->response.status = static_cast<int>(status);
    HttpResponse response = std::move(t->response);
    Finish(std::move(t), std::move(response));
  }

  // Releases the transfer's curl resources, then runs its callback: last, so that a callback
  // that sends again finds the slot free.
  void Finish(std::unique_ptr<Transfer> t, Result<HttpResponse> result) {
    if (t->easy != nullptr) {
      if (idle_.size() < options_.max_concurrent) {
        idle_.push_back(t->easy);
      } else {
        curl_easy_cleanup(t->easy);
      }
      t->easy = nullptr;
    }
    curl_slist_free_all(t->header_list);
    t->header_list = nullptr;
    {
      std::lock_guard lock(mu_);
      --outstanding_;
    }
    (result ? responses_ : errors_).fetch_add(1, std::memory_order_relaxed);
    Callback done = std::move(t->done);
    t.reset();
    done(std::move(result));
  }

  const HttpClientOptions options_;
  CURLM* multi_ = nullptr;
  std::thread thread_;             // joined under join_mu_
  std::mutex join_mu_;             // one Stop joins; the others wait for it
  std::thread::id client_thread_;  // set once by Start: thread_ itself changes when joined

  std::mutex mu_;
  bool stopping_ = false;                        // guarded by mu_
  size_t outstanding_ = 0;                       // accepted, not finished; guarded by mu_
  std::deque<std::unique_ptr<Transfer>> queue_;  // guarded by mu_

  // The client thread's own.
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> running_;
  std::vector<CURL*> idle_;  // easy handles kept for reuse

  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> responses_{0};
  std::atomic<uint64_t> errors_{0};
  std::atomic<uint64_t> connections_{0};
};

Result<std::unique_ptr<HttpClient>> HttpClient::Create(const HttpClientOptions& options) {
  if (options.max_concurrent == 0 || options.max_connections_per_host == 0 ||
      options.max_response_bytes == 0 || options.max_response_header_bytes == 0) {
    return MakeError(Errc::kInvalidField,
                     "outbound client: max_concurrent, max_connections_per_host and the response "
                     "caps must be positive");
  }
  if (options.default_timeout <= std::chrono::milliseconds::zero() ||
      options.connect_timeout <= std::chrono::milliseconds::zero()) {
    return MakeError(Errc::kInvalidField, "outbound client: timeouts must be positive");
  }
  if (!options.ca_file.empty() && !std::ifstream(options.ca_file).good()) {
    return MakeError(Errc::kInvalidField,
                     "outbound client: cannot read the CA file " + options.ca_file);
  }
  auto impl = std::make_unique<Impl>(options);
  if (auto started = impl->Start(); !started) return started.error();
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;
Result<void> HttpClient::Send(HttpRequest request, Callback done) {
  return impl_->Send(std::move(request), std::move(done));
}
Result<HttpResponse> HttpClient::SendSync(HttpRequest request) {
  return impl_->SendSync(std::move(request));
}
void HttpClient::Stop() { impl_->Stop(); }
HttpClientStats HttpClient::Stats() const { return impl_->Stats(); }

}  // namespace csgw::gateway::outbound
