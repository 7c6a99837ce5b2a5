// Result<T>: a value or an Error, for everything on the request path.
//
// Use only `if (!r)`, `r.value()`, `r.error()`, `return value;`, `return error;` and
// `return Ok();` so that moving to C++23 std::expected stays a small change. Accessing the wrong
// alternative is a bug and terminates.
#pragma once

#include <boost/outcome/result.hpp>

#include "base/errc.h"

namespace csgw {

template <class T>
using Result = boost::outcome_v2::result<T, Error, boost::outcome_v2::policy::terminate>;

// Success of a Result<void>.
inline auto Ok() { return boost::outcome_v2::success(); }

}  // namespace csgw
