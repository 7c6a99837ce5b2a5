#include "gateway/api/proto_json.h"

#include <google/protobuf/util/json_util.h>


namespace csgw::gateway {

std::string ProtoJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  // Printing a well-formed message cannot fail; an empty object is the safe answer if it did.
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) return "{}";
  return out;
}

}  // namespace csgw::gateway
