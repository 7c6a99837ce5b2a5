// Protobuf messages as API JSON: the protobuf JSON mapping with the proto's snake_case field
// names (like every other field name the API uses) and enum values by name.
#pragma once

#include <google/protobuf/message.h>

#include <string>

namespace csgw::gateway {

std::string ProtoJson(const google::protobuf::Message& message);

}  // namespace csgw::gateway
