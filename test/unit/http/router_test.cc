#include "http/router.h"

#include <gtest/gtest.h>

#include "http/auth.h"
#include "http/k8s_status.h"
#include "http/request.h"

namespace berth::http {
namespace {

Handler noop() {
  return [](Context&) -> boost::asio::awaitable<void> { co_return; };
}

TEST(QueryTest, DecodesRepeatedKeysAndEscapes) {
  auto q = Query::parse("command=sh&command=-c&command=echo%20hi+there&stdin=1&flag&x=%2F");
  ASSERT_TRUE(q) << q.error().message();
  EXPECT_EQ(q->all("command"), (std::vector<std::string>{"sh", "-c", "echo hi there"}));
  EXPECT_EQ(q->get("x"), "/");
  EXPECT_EQ(q->get("missing"), std::nullopt);
  EXPECT_TRUE(*q->flag("stdin"));
  EXPECT_TRUE(*q->flag("flag"));
  EXPECT_FALSE(*q->flag("tty"));
  EXPECT_TRUE(*q->flag("tty", true));
}

TEST(QueryTest, RejectsBadValuesNamingTheParameter) {
  EXPECT_FALSE(Query::parse("a=%zz"));
  EXPECT_FALSE(Query::parse("a=%4"));
  auto q = Query::parse("tailLines=abc&follow=maybe&n=-5");
  ASSERT_TRUE(q);
  auto n = q->integer("tailLines");
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(n.error().message().find("'tailLines'"), std::string::npos);
  EXPECT_FALSE(q->flag("follow"));
  EXPECT_EQ(**q->integer("n"), -5);
  EXPECT_FALSE(*q->integer("absent"));
}

TEST(PercentTest, EncodeDecodeRoundTrip) {
  std::string s = "a b/c?d=e&f%g~";
  EXPECT_EQ(*percentDecode(percentEncode(s), false), s);
  EXPECT_EQ(*percentDecode("a+b", false), "a+b");
  EXPECT_EQ(*percentDecode("a+b", true), "a b");
}

TEST(RouterTest, MatchesPatternsAndDecodesParams) {
  Router router;
  router.add("GET", "/healthz", noop());
  router.add("GET", "/containerLogs/{namespace}/{pod}/{container}", noop());
  router.add("GET,POST", "/exec/{namespace}/{pod}/{container}", noop());

  auto m = router.match("GET", "/containerLogs/default/web%2D1/main");
  ASSERT_EQ(m.kind, Router::MatchKind::kFound);
  EXPECT_EQ(m.route->pattern, "/containerLogs/{namespace}/{pod}/{container}");
  EXPECT_EQ(m.params["namespace"], "default");
  EXPECT_EQ(m.params["pod"], "web-1");
  EXPECT_EQ(m.params["container"], "main");

  EXPECT_EQ(router.match("POST", "/exec/a/b/c").kind, Router::MatchKind::kFound);
  EXPECT_EQ(router.match("GET", "/exec/a/b/c").kind, Router::MatchKind::kFound);
  EXPECT_EQ(router.match("DELETE", "/exec/a/b/c").kind, Router::MatchKind::kMethodNotAllowed);
  EXPECT_EQ(router.match("GET", "/containerLogs/a/b").kind, Router::MatchKind::kNotFound);
  EXPECT_EQ(router.match("GET", "/containerLogs/a//c").kind, Router::MatchKind::kNotFound);
  EXPECT_EQ(router.match("GET", "/healthz").kind, Router::MatchKind::kFound);
  EXPECT_EQ(router.match("GET", "/healthz/x").kind, Router::MatchKind::kNotFound);
}

TEST(AuthTest, BearerTokens) {
  EXPECT_EQ(bearerToken("Bearer abc"), "abc");
  EXPECT_EQ(bearerToken("bearer  abc "), "abc");
  EXPECT_EQ(bearerToken("Basic abc"), std::nullopt);
  EXPECT_EQ(bearerToken("Bearer "), std::nullopt);

  StaticTokenAuthenticator auth;
  auth.addToken("secret-1", Identity{"alice", {"admins"}});
  auth.addToken("secret-2", Identity{"bob", {}});
  EXPECT_EQ(auth.authenticate("secret-2")->user, "bob");
  EXPECT_EQ(auth.authenticate("secret-1")->groups, std::vector<std::string>{"admins"});
  EXPECT_FALSE(auth.authenticate("secret-"));
  EXPECT_FALSE(auth.authenticate("secret-10"));
  EXPECT_FALSE(auth.authenticate(""));
  EXPECT_TRUE(constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abd"));
}

TEST(StatusTest, FailureJson) {
  EXPECT_EQ(failureStatusJson(401, "Unauthorized", "Unauthorized"),
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"Unauthorized","reason":"Unauthorized","code":401})");
  EXPECT_EQ(httpCodeFor(ErrorCode::kNotFound), 404);
  EXPECT_EQ(reasonFor(400), "BadRequest");
}

}  // namespace
}  // namespace berth::http
