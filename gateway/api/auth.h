// Who is calling the agent / account-manager API: bearer tokens per user, with a role and the
// stores the user may see.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "proto/proto.h"

namespace csgw::gateway {

enum class Role { kAgent, kAccountManager, kAdmin };

std::string_view RoleName(Role role);

struct Principal {
  std::string user;
  Role role = Role::kAgent;
  bool all_stores = false;
  std::vector<std::string> stores;  // sorted

  // Whether anything of `store_id` is visible to this user. Anything else answers 404 (as if it
  // did not exist), so that ids of other sellers' stores cannot be probed.
  bool MaySee(std::string_view store_id) const;
  // Agents and admins act on conversations and disputes; account managers only read.
  bool MayAct() const { return role != Role::kAccountManager; }
};

// Immutable after construction; thread-safe.
class ApiUsers {
 public:
  // Resolves every user's token (SecretRef) now: a missing secret is a startup error naming
  // the user. Tokens shorter than 16 characters are refused (guessable).
  static Result<std::unique_ptr<ApiUsers>> Build(const proto::ApiConfig& config);
  // Users given directly (tests, the CLI).
  ApiUsers(std::vector<std::pair<std::string, Principal>> token_users);

  // The user an "Authorization: Bearer <token>" header names; kUnauthenticated otherwise.
  // Tokens are looked up by their SHA-256, so the time taken does not depend on how much of a
  // guess matches a real token.
  Result<const Principal*> Authenticate(std::string_view authorization) const;

  bool empty() const { return by_digest_.empty(); }

 private:
  std::map<std::string, Principal, std::less<>> by_digest_;
};

}  // namespace csgw::gateway
