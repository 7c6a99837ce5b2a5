// The csgw command line: serve, events, check-config, version.
#pragma once

namespace csgw::gateway {

// Parses argv and runs the command. Returns the exit code: 0 success, 1 a command's failure
// (bad config in check-config), 2 usage or startup errors.
int Main(int argc, char** argv);

}  // namespace csgw::gateway
