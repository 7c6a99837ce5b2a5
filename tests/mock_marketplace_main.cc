// csgw-mock-marketplace: the mock marketplace as a process, for a local demo of outbound delivery.
// Serves canned success answers on every marketplace's send endpoint and logs each request it
// receives (method and path only: bodies hold buyer text) as a JSON line on stderr.
//
//   csgw-mock-marketplace [--host 127.0.0.1] [--port 8081] [--max-recorded N]
//
// Runs until SIGINT or SIGTERM.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/log.h"
#include "tests/support/mock_marketplace.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: csgw-mock-marketplace [--host ADDR] [--port N] [--max-recorded N]\n");
  return 2;
}

bool ParseNumber(std::string_view text, unsigned long max, unsigned long* out) {
  if (text.empty() || text.size() > 10) return false;
  unsigned long v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned long>(c - '0');
  }
  if (v > max) return false;
  *out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  csgw::testing::MockMarketplace::Options options;
  options.port = 8081;
  // A demo runs for hours: keep only the recent requests.
  options.max_recorded = 1000;
  options.log_requests = true;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return Usage();
    const std::string_view value = argv[++i];
    unsigned long number = 0;
    if (arg == "--host") {
      options.host = std::string(value);
    } else if (arg == "--port" && ParseNumber(value, 65535, &number)) {
      options.port = static_cast<uint16_t>(number);
    } else if (arg == "--max-recorded" && ParseNumber(value, 10'000'000, &number)) {
      options.max_recorded = number;
    } else {
      return Usage();
    }
  }

  // Block the stop signals before any thread starts, so that every thread inherits the mask and
  // sigwait below is the one place they arrive.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto mock = csgw::testing::MockMarketplace::Start(options);
  if (!mock) {
    std::fprintf(stderr, "csgw-mock-marketplace: %s\n", mock.error().message.c_str());
    return 1;
  }
  csgw::testing::RespondLikeMarketplaces(*mock.value());
  csgw::log::Info("mock_marketplace.listening",
                  {{"host", options.host}, {"port", static_cast<int>(mock.value()->port())}});
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  csgw::log::Info("mock_marketplace.stopping",
                  {{"signal", signal_number},
                   {"requests", static_cast<uint64_t>(mock.value()->RequestCount())}});
  return 0;
}
