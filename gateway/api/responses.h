// The JSON shapes every API answer shares; errors from the one Errc table.
#pragma once

#include <string>
#include <string_view>

#include "base/errc.h"
#include "gateway/http/types.h"

namespace csgw::gateway {

// {"error":"<stable code>","message":"..."} with the table's HTTP status.
http::Response ErrorResponse(const Error& error);
http::Response JsonResponse(int status, std::string body);
// 404 "no <what> <id>": also the answer for what exists but belongs to a store the caller may
// not see, so that another seller's ids cannot be probed.
http::Response NotFound(std::string_view what, std::string_view id);

}  // namespace csgw::gateway
