#include "gateway/api/routes.h"

#include <gtest/gtest.h>

#include "gateway/http/url.h"

namespace csgw::gateway {
namespace {

constexpr char kAgentToken[] = "agent-token-0123456789";
constexpr char kManagerToken[] = "manager-token-0123456789";
constexpr char kAdminToken[] = "admin-token-0123456789";

ApiUsers Users() {
  Principal agent{"ana", Role::kAgent, false, {"shop-b", "shop-a"}};
  Principal manager{"max", Role::kAccountManager, false, {"shop-a"}};
  Principal admin{"root", Role::kAdmin, true, {}};
  return ApiUsers({{kAgentToken, agent}, {kManagerToken, manager}, {kAdminToken, admin}});
}

http::Request Get(std::string method, std::string target, std::string token) {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  auto parsed = http::ParseTarget(r.target);
  if (parsed) {  // the server refuses malformed targets; Dispatch must cope all the same
    r.path = parsed->path;
    r.query = parsed->query;
  }
  if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
  return r;
}

struct Answer {
  bool dispatched = false;
  http::Response response;
  ApiCall call;
};

class RoutesTest : public ::testing::Test {
 protected:
  RoutesTest() : users_(Users()), routes_(&users_) {
    for (const char* pattern : {"/v1/conversations", "/v1/conversations/{id}"}) {
      routes_.Add("GET", pattern, Access::kRead, [this](ApiCall call, http::Responder respond) {
        last_ = std::move(call);
        respond(http::Response{200, "application/json", "{}", {}});
      });
    }
    routes_.Add("POST", "/v1/conversations/{id}/replies", Access::kAct,
                [this](ApiCall call, http::Responder respond) {
                  last_ = std::move(call);
                  respond(http::Response{202, "application/json", "{}", {}});
                });
    routes_.Add("GET", "/v1/admin/{a}/{b}", Access::kAdmin,
                [this](ApiCall call, http::Responder respond) {
                  last_ = std::move(call);
                  respond(http::Response{200, "application/json", "{}", {}});
                });
  }

  Answer Send(http::Request request) {
    Answer a;
    http::Responder respond = [&a](http::Response r) { a.response = std::move(r); };
    last_ = ApiCall{};
    a.dispatched = routes_.Dispatch(request, respond);
    a.call = std::move(last_);
    return a;
  }

  ApiUsers users_;
  ApiRoutes routes_;
  ApiCall last_;
};

TEST_F(RoutesTest, MatchesTemplatesAndDecodesParameters) {
  Answer a = Send(Get("GET", "/v1/conversations/ozon%2Fshop-a%2Fb%207?x=1", kAgentToken));
  ASSERT_TRUE(a.dispatched);
  EXPECT_EQ(a.response.status, 200);
  ASSERT_EQ(a.call.params.size(), 1u);
  EXPECT_EQ(a.call.params[0], "ozon/shop-a/b 7");
  EXPECT_EQ(a.call.principal->user, "ana");
  EXPECT_EQ(a.call.request.query.at("x"), "1");

  a = Send(Get("GET", "/v1/admin/one/two", kAdminToken));
  ASSERT_EQ(a.call.params.size(), 2u);
  EXPECT_EQ(a.call.params[1], "two");
  EXPECT_EQ(routes_.RouteOf(Get("GET", "/v1/conversations/x", "")), "/v1/conversations/{id}");
}

TEST_F(RoutesTest, UnknownPathsAreLeftToTheCaller) {
  for (const char* target : {"/v1/conversationsx", "/v1/conversations/a/b", "/v1/conversations/",
                             "/v1/conversations/%zz", "/healthz"}) {
    EXPECT_FALSE(Send(Get("GET", target, kAgentToken)).dispatched) << target;
  }
  EXPECT_EQ(routes_.RouteOf(Get("GET", "/nope", "")), std::nullopt);
}

TEST_F(RoutesTest, AuthenticatesBeforeAnythingElse) {
  for (const std::string& header : std::vector<std::string>{"", "Bearer", "Bearer ", "Basic abc", "Bearer wrong-token-0000000",
                                   std::string("Bearer  ") + kAgentToken,
                                   std::string("Bearer ") + kAgentToken + "x"}) {
    http::Request r = Get("DELETE", "/v1/conversations", "");
    if (!header.empty()) r.headers["authorization"] = header;
    Answer a = Send(std::move(r));
    ASSERT_TRUE(a.dispatched);
    EXPECT_EQ(a.response.status, 401) << header;
    EXPECT_NE(a.response.body.find("\"unauthenticated\""), std::string::npos) << a.response.body;
  }
  // The scheme is case-insensitive.
  http::Request r = Get("GET", "/v1/conversations", "");
  r.headers["authorization"] = std::string("bearer ") + kAgentToken;
  EXPECT_EQ(Send(std::move(r)).response.status, 200);
}

TEST_F(RoutesTest, ChecksMethodThenRole) {
  EXPECT_EQ(Send(Get("DELETE", "/v1/conversations", kAgentToken)).response.status, 405);
  EXPECT_EQ(Send(Get("POST", "/v1/conversations/c/replies", kAgentToken)).response.status, 202);
  EXPECT_EQ(Send(Get("POST", "/v1/conversations/c/replies", kAdminToken)).response.status, 202);
  const Answer refused = Send(Get("POST", "/v1/conversations/c/replies", kManagerToken));
  EXPECT_EQ(refused.response.status, 403);
  EXPECT_TRUE(refused.call.principal == nullptr);  // the handler never ran
  EXPECT_EQ(Send(Get("GET", "/v1/admin/a/b", kAgentToken)).response.status, 403);
}

TEST(PrincipalTest, SeesOnlyItsStores) {
  ApiUsers users = Users();
  const Principal* agent = users.Authenticate(std::string("Bearer ") + kAgentToken).value();
  EXPECT_TRUE(agent->MaySee("shop-a"));
  EXPECT_TRUE(agent->MaySee("shop-b"));
  EXPECT_FALSE(agent->MaySee("shop-c"));
  EXPECT_FALSE(agent->MaySee(""));
  EXPECT_TRUE(agent->MayAct());
  const Principal* manager = users.Authenticate(std::string("Bearer ") + kManagerToken).value();
  EXPECT_FALSE(manager->MayAct());
  const Principal* admin = users.Authenticate(std::string("Bearer ") + kAdminToken).value();
  EXPECT_TRUE(admin->MaySee("anything"));
}

TEST(ApiUsersTest, BuildResolvesSecretsAndRefusesWeakOrSharedTokens) {
  setenv("CSGW_TEST_API_TOKEN_A", "aaaaaaaaaaaaaaaaaaaa", 1);
  setenv("CSGW_TEST_API_TOKEN_SHORT", "short", 1);
  proto::ApiConfig config;
  auto* user = config.add_users();
  user->set_name("a");
  user->set_role("agent");
  user->add_stores("s1");
  user->mutable_token()->set_env("CSGW_TEST_API_TOKEN_A");
  auto built = ApiUsers::Build(config);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built.value()->Authenticate("Bearer aaaaaaaaaaaaaaaaaaaa").value()->user, "a");

  proto::ApiConfig shared = config;
  auto* twin = shared.add_users();
  *twin = config.users(0);
  twin->set_name("b");
  EXPECT_FALSE(ApiUsers::Build(shared));

  config.mutable_users(0)->mutable_token()->set_env("CSGW_TEST_API_TOKEN_SHORT");
  auto weak = ApiUsers::Build(config);
  ASSERT_FALSE(weak);
  EXPECT_NE(weak.error().message.find("api.users[a].token"), std::string::npos);
  EXPECT_EQ(weak.error().message.find("short"), std::string::npos);  // never the secret

  config.mutable_users(0)->mutable_token()->set_env("CSGW_TEST_API_TOKEN_MISSING");
  EXPECT_FALSE(ApiUsers::Build(config));
}

TEST(PageLimitTest, BoundsTheLimit) {
  EXPECT_EQ(PageLimit(Get("GET", "/x", ""), 200).value(), 50u);
  EXPECT_EQ(PageLimit(Get("GET", "/x", ""), 10).value(), 10u);
  EXPECT_EQ(PageLimit(Get("GET", "/x?limit=200", ""), 200).value(), 200u);
  for (const char* bad : {"/x?limit=0", "/x?limit=201", "/x?limit=-1", "/x?limit=1e3", "/x?limit="}) {
    EXPECT_FALSE(PageLimit(Get("GET", bad, ""), 200)) << bad;
  }
}

}  // namespace
}  // namespace csgw::gateway
