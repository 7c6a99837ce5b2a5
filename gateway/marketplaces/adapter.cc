#include "gateway/marketplaces/adapter.h"

namespace csgw::gateway {

const std::string* InboundRequest::Header(std::string_view lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? nullptr : &it->second;
}

const std::string* InboundRequest::Query(std::string_view name) const {
  const auto it = query.find(name);
  return it == query.end() ? nullptr : &it->second;
}

}  // namespace csgw::gateway
