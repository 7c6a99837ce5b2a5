#include "gateway/api/auth.h"

#include <algorithm>

#include "base/crypto.h"
#include "base/strings.h"
#include "gateway/config/config.h"

namespace csgw::gateway {
namespace {

constexpr std::string_view kBearer = "bearer ";
constexpr size_t kMinTokenLength = 16;

Result<Role> ParseRole(std::string_view name) {
  if (name == "agent") return Role::kAgent;
  if (name == "account_manager") return Role::kAccountManager;
  if (name == "admin") return Role::kAdmin;
  return MakeError(Errc::kInvalidField, "unknown role " + std::string(name));
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAgent:
      return "agent";
    case Role::kAccountManager:
      return "account_manager";
    case Role::kAdmin:
      return "admin";
  }
  return "agent";
}

bool Principal::MaySee(std::string_view store_id) const {
  return all_stores || std::binary_search(stores.begin(), stores.end(), store_id);
}

Result<std::unique_ptr<ApiUsers>> ApiUsers::Build(const proto::ApiConfig& config) {
  std::vector<std::pair<std::string, Principal>> users;
  for (const auto& user : config.users()) {
    const std::string field = "api.users[" + user.name() + "].token";
    auto token = ResolveSecret(user.token(), field);
    if (!token) return token.error();
    if (token.value().size() < kMinTokenLength) {
      return MakeError(Errc::kInvalidField,
                       field + " must be at least 16 characters (a random string)");
    }
    auto role = ParseRole(user.role());
    if (!role) return role.error();
    Principal p;
    p.user = user.name();
    p.role = role.value();
    for (const auto& store : user.stores()) {
      if (store == "*") {
        p.all_stores = true;
      } else {
        p.stores.push_back(store);
      }
    }
    users.emplace_back(std::move(token).value(), std::move(p));
  }
  auto built = std::make_unique<ApiUsers>(std::move(users));
  if (built->by_digest_.size() != static_cast<size_t>(config.users_size())) {
    return MakeError(Errc::kInvalidField, "api.users: two users share one token");
  }
  return built;
}

ApiUsers::ApiUsers(std::vector<std::pair<std::string, Principal>> token_users) {
  for (auto& [token, principal] : token_users) {
    std::sort(principal.stores.begin(), principal.stores.end());
    by_digest_.emplace(crypto::Sha256(token), std::move(principal));
  }
}

Result<const Principal*> ApiUsers::Authenticate(std::string_view authorization) const {
  // The scheme name is case-insensitive (RFC 7235 §2.1).
  if (authorization.size() <= kBearer.size() ||
      !EqualsIgnoreAsciiCase(authorization.substr(0, kBearer.size()), kBearer)) {
    return MakeError(Errc::kUnauthenticated, "Authorization: Bearer <token> is required");
  }
  const auto it = by_digest_.find(crypto::Sha256(authorization.substr(kBearer.size())));
  if (it == by_digest_.end()) return MakeError(Errc::kUnauthenticated, "unknown bearer token");
  return &it->second;
}

}  // namespace csgw::gateway
