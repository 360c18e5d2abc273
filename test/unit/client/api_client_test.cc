#include "client/api_client.h"

#include <gtest/gtest.h>

#include "fake_api.h"

namespace berth::client {
namespace {

using testing::RecordingServer;

TEST(ResourceTest, BuildsCoreAndGroupPaths) {
  EXPECT_EQ(Resource::pods("default").path(), "/api/v1/namespaces/default/pods");
  EXPECT_EQ(Resource::pods().path(), "/api/v1/pods");
  EXPECT_EQ(Resource::nodes().path("n1"), "/api/v1/nodes/n1");
  EXPECT_EQ(Resource::nodes().path("n1", "status"), "/api/v1/nodes/n1/status");
  EXPECT_EQ(Resource::namespaces().path("kube-system"), "/api/v1/namespaces/kube-system");
  EXPECT_EQ(Resource::pods("ns1").path("web-1", "binding"),
            "/api/v1/namespaces/ns1/pods/web-1/binding");
  EXPECT_EQ(Resource::leases("kube-node-lease").path("n1"),
            "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1");
  Resource deployments{"apps", "v1", "deployments", ""};
  EXPECT_EQ(deployments.path(), "/apis/apps/v1/deployments");
  deployments.namespace_ = "prod";
  EXPECT_EQ(deployments.path("web", "scale"),
            "/apis/apps/v1/namespaces/prod/deployments/web/scale");
  Resource clusterRoles{"rbac.authorization.k8s.io", "v1", "clusterroles", ""};
  EXPECT_EQ(clusterRoles.path("admin"), "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin");
}

TEST(ApiClientTest, GetSendsHeadersAndParsesTheReply) {
  RecordingServer server;
  ClientConfig config = server.config();
  config.userAgent = "berth-test/1.0";
  ApiClient client(config);
  auto pod = client.get(Resource::pods("default"), "p");
  ASSERT_TRUE(pod) << pod.error().message();
  EXPECT_EQ((*pod)["metadata"]["name"], "p");
  auto request = server.last();
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target, "/api/v1/namespaces/default/pods/p");
  EXPECT_EQ(request.header("Accept").value_or(""), "application/json");
  EXPECT_EQ(request.header("Authorization").value_or(""), "Bearer secret-token");
  EXPECT_EQ(request.header("User-Agent").value_or(""), "berth-test/1.0");
  EXPECT_FALSE(request.header("Content-Type").has_value());
}

TEST(ApiClientTest, ListEncodesSelectorsAndPaging) {
  RecordingServer server;
  ApiClient client(server.config());
  ListOptions options;
  options.labelSelector = "app=web,tier in (front,back)";
  options.fieldSelector = "spec.nodeName=n1";
  options.resourceVersion = "0";
  options.limit = 50;
  options.continueToken = "abc/=";
  ASSERT_TRUE(client.list(Resource::pods(), options));
  auto request = server.last();
  EXPECT_EQ(request.path, "/api/v1/pods");
  EXPECT_EQ(request.target,
            "/api/v1/pods?labelSelector=app%3Dweb%2Ctier%20in%20%28front%2Cback%29"
            "&fieldSelector=spec.nodeName%3Dn1&resourceVersion=0&limit=50&continue=abc%2F%3D");
  // The server decodes it back to what was asked.
  EXPECT_EQ(request.query.get("labelSelector").value_or(""), "app=web,tier in (front,back)");
  EXPECT_EQ(request.query.get("fieldSelector").value_or(""), "spec.nodeName=n1");
  EXPECT_EQ(request.query.get("continue").value_or(""), "abc/=");

  ASSERT_TRUE(client.list(Resource::nodes()));
  EXPECT_EQ(server.last().target, "/api/v1/nodes");
}

TEST(ApiClientTest, WritesSendBodiesWithTheirContentTypes) {
  RecordingServer server;
  ApiClient client(server.config());

  // create: the namespace comes from the object when the resource has none.
  ASSERT_TRUE(client.create(Resource::pods(), testing::pod("ns1", "a")));
  auto request = server.last();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/api/v1/namespaces/ns1/pods");
  EXPECT_EQ(request.header("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(json::parse(request.body)["metadata"]["name"], "a");

  json binding = {{"apiVersion", "v1"},
                  {"kind", "Binding"},
                  {"metadata", {{"name", "a"}, {"namespace", "ns1"}}},
                  {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "n1"}}}};
  ASSERT_TRUE(client.createSubresource(Resource::pods("ns1"), "a", "binding", binding));
  EXPECT_EQ(server.last().target, "/api/v1/namespaces/ns1/pods/a/binding");
  EXPECT_EQ(json::parse(server.last().body)["target"]["name"], "n1");

  json node = {{"metadata", {{"name", "n1"}, {"resourceVersion", "7"}}}};
  ASSERT_TRUE(client.update(Resource::nodes(), node, "status"));
  request = server.last();
  EXPECT_EQ(request.method, "PUT");
  EXPECT_EQ(request.target, "/api/v1/nodes/n1/status");
  EXPECT_EQ(json::parse(request.body)["metadata"]["resourceVersion"], "7");

  auto missingName = client.update(Resource::nodes(), json{{"metadata", json::object()}});
  ASSERT_FALSE(missingName);
  EXPECT_EQ(missingName.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(missingName.error().message().find("'metadata.name'"), std::string::npos);

  const std::pair<PatchType, std::string> patches[] = {
      {PatchType::kMerge, "application/merge-patch+json"},
      {PatchType::kStrategicMerge, "application/strategic-merge-patch+json"},
      {PatchType::kJson, "application/json-patch+json"},
  };
  for (const auto& [type, contentType] : patches) {
    ASSERT_TRUE(client.patch(Resource::pods("ns1"), "a", type, json{{"x", 1}}, "status"));
    request = server.last();
    EXPECT_EQ(request.method, "PATCH");
    EXPECT_EQ(request.target, "/api/v1/namespaces/ns1/pods/a/status");
    EXPECT_EQ(request.header("Content-Type").value_or(""), contentType);
    EXPECT_EQ(request.body, R"({"x":1})");
  }

  DeleteOptions del;
  del.gracePeriodSeconds = 0;
  del.propagationPolicy = "Background";
  del.preconditionUid = "uid-1";
  ASSERT_TRUE(client.remove(Resource::pods("ns1"), "a", del));
  request = server.last();
  EXPECT_EQ(request.method, "DELETE");
  EXPECT_EQ(request.target, "/api/v1/namespaces/ns1/pods/a");
  EXPECT_EQ(request.header("Content-Type").value_or(""), "application/json");
  json body = json::parse(request.body);
  EXPECT_EQ(body["kind"], "DeleteOptions");
  EXPECT_EQ(body["gracePeriodSeconds"], 0);
  EXPECT_EQ(body["propagationPolicy"], "Background");
  EXPECT_EQ(body["preconditions"]["uid"], "uid-1");
}

TEST(ApiClientTest, RawReturnsTheBody) {
  RecordingServer server;
  ApiClient client(server.config());
  server.reply(200, "plain text");
  auto body = client.raw("GET", "/version?x=1");
  ASSERT_TRUE(body) << body.error().message();
  EXPECT_EQ(*body, "plain text");
  EXPECT_EQ(server.last().target, "/version?x=1");

  server.reply(201, "{}");
  ASSERT_TRUE(client.raw("POST", "/apis/x/v1/things", "a: b", "application/yaml"));
  EXPECT_EQ(server.last().header("Content-Type").value_or(""), "application/yaml");
  EXPECT_EQ(server.last().body, "a: b");
}

std::string statusBody(int code, const std::string& reason, const std::string& message) {
  return json{{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", json::object()},
              {"status", "Failure"}, {"reason", reason},   {"message", message},
              {"code", code}}
      .dump();
}

TEST(ApiClientTest, MapsStatusRepliesToErrors) {
  struct Case {
    int status;
    std::string reason;
    ErrorCode code;
  };
  const Case cases[] = {
      {400, "BadRequest", ErrorCode::kInvalidArgument},
      {401, "Unauthorized", ErrorCode::kUnauthenticated},
      {403, "Forbidden", ErrorCode::kPermissionDenied},
      {404, "NotFound", ErrorCode::kNotFound},
      {409, "AlreadyExists", ErrorCode::kAlreadyExists},
      {409, "Conflict", ErrorCode::kConflict},
      {410, "Expired", ErrorCode::kGone},
      {422, "Invalid", ErrorCode::kInvalidArgument},
      {429, "TooManyRequests", ErrorCode::kResourceExhausted},
      {500, "InternalError", ErrorCode::kInternal},
      {503, "ServiceUnavailable", ErrorCode::kUnavailable},
  };
  RecordingServer server;
  ApiClient client(server.config());
  for (const auto& c : cases) {
    std::string message = "pods \"p\" says " + c.reason;
    server.reply(c.status, statusBody(c.status, c.reason, message));
    auto result = client.get(Resource::pods("default"), "p");
    ASSERT_FALSE(result) << c.status;
    EXPECT_EQ(result.error().code(), c.code) << c.status << " " << c.reason;
    EXPECT_EQ(result.error().message(), message);
  }
  // Not a Status: the code still follows the HTTP status; the message shows the body.
  server.reply(502, "bad gateway\n");
  auto result = client.create(Resource::pods("default"), testing::pod("default", "x"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(result.error().message(), "server replied 502: bad gateway");
  // A 2xx reply that is no JSON.
  server.reply(200, "<html>");
  result = client.get(Resource::pods("default"), "p");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), ErrorCode::kInternal);
}

TEST(ApiClientTest, NoReplyIsUnavailable) {
  ClientConfig config;
  {
    RecordingServer server;
    config = server.config();
  }  // the port is closed now
  ApiClient client(config);
  auto result = client.get(Resource::nodes(), "n1");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), ErrorCode::kUnavailable);

  ApiClient noServer(ClientConfig{});
  result = noServer.get(Resource::nodes(), "n1");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace berth::client
