// The JSON shapes every API answer shares; errors from the one Errc table.
#pragma once

#include <string>

#include "base/errc.h"
#include "gateway/http/types.h"

namespace csgw::gateway {

// {"error":"<stable code>","message":"..."} with the table's HTTP status.
http::Response ErrorResponse(const Error& error);
http::Response JsonResponse(int status, std::string body);

}  // namespace csgw::gateway
