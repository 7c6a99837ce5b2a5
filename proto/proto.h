// The normalised model and the config, under the short name the code uses: csgw::proto.
#pragma once

#include "proto/csgw/v1/config.pb.h"
#include "proto/csgw/v1/conversation.pb.h"
#include "proto/csgw/v1/events.pb.h"
#include "proto/csgw/v1/outbox.pb.h"
#include "proto/csgw/v1/schedule.pb.h"

namespace csgw {
namespace proto = ::csgw::v1;
}  // namespace csgw
