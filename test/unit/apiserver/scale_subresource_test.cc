// The scale subresource (pure conversion and, against an in-process ApiServer, GET/PUT/PATCH)
// and deletion propagation (finalizersForDeletion and the delete handler).

#include "apiserver/scale_subresource.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "apiserver/api_server.h"
#include "apiserver/builtin_types.h"
#include "apiserver/deletion_propagation.h"
#include "base/random.h"
#include "http/client.h"

namespace berth::apiserver {
namespace {

using nlohmann::json;

json storedDeployment() {
  return json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "uid": "u-1", "resourceVersion": "42",
                 "creationTimestamp": "2024-05-03T11:00:00Z", "generation": 2,
                 "labels": {"app": "web"}},
    "spec": {"replicas": 3,
             "selector": {"matchLabels": {"app": "web"},
                          "matchExpressions": [{"key": "tier", "operator": "In",
                                                "values": ["b", "a"]}]}},
    "status": {"replicas": 2}
  })");
}

TEST(ScaleTest, ScaleOfADeployment) {
  json scale = scaleOf(ScaleSpec{}, storedDeployment());
  const char* expected = R"json({
    "kind": "Scale", "apiVersion": "autoscaling/v1",
    "metadata": {"name": "web", "namespace": "default", "uid": "u-1", "resourceVersion": "42",
                 "creationTimestamp": "2024-05-03T11:00:00Z"},
    "spec": {"replicas": 3},
    "status": {"replicas": 2, "selector": "app=web,tier in (a,b)"}
  })json";
  EXPECT_EQ(scale, json::parse(expected));
  // No status yet, no selector: zeros and no selector key.
  json bare = {{"metadata", {{"name", "x"}}}, {"spec", json::object()}};
  json s = scaleOf(ScaleSpec{}, bare);
  EXPECT_EQ(s["spec"]["replicas"], 0);
  EXPECT_EQ(s["status"], (json{{"replicas", 0}}));
  // A string selector (a CRD's status.selector) is copied.
  ScaleSpec crd{"/spec/size", "/status/size", "/status/selector"};
  json custom = {{"spec", {{"size", 5}}}, {"status", {{"size", 4}, {"selector", "app=db"}}}};
  s = scaleOf(crd, custom);
  EXPECT_EQ(s["spec"]["replicas"], 5);
  EXPECT_EQ(s["status"]["selector"], "app=db");
}

TEST(ScaleTest, ValidateAndApply) {
  EXPECT_TRUE(validateScale(json{{"spec", {{"replicas", 0}}}}).empty());
  auto causes = validateScale(json{{"spec", {{"replicas", -1}}}});
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "spec.replicas");
  EXPECT_EQ(causes[0].message, "Invalid value: -1: must be greater than or equal to 0");
  EXPECT_EQ(validateScale(json{{"spec", {{"replicas", "2"}}}}).size(), 1u);

  json applied = applyScale(ScaleSpec{}, storedDeployment(), json{{"spec", {{"replicas", 7}}}});
  EXPECT_EQ(applied["spec"]["replicas"], 7);
  EXPECT_EQ(applied["metadata"]["resourceVersion"], "42");
  applied = applyScale(ScaleSpec{}, storedDeployment(),
                       json{{"metadata", {{"resourceVersion", "40"}}}, {"spec", json::object()}});
  EXPECT_EQ(applied["spec"]["replicas"], 0);  // Go's zero value
  EXPECT_EQ(applied["metadata"]["resourceVersion"], "40");
}

TEST(DeletionPropagationTest, Finalizers) {
  using V = std::vector<std::string>;
  EXPECT_EQ(finalizersForDeletion({}, ""), V{});
  EXPECT_EQ(finalizersForDeletion({}, "Background"), V{});
  EXPECT_EQ(finalizersForDeletion({}, "Foreground"), V{"foregroundDeletion"});
  EXPECT_EQ(finalizersForDeletion({}, "Orphan"), V{"orphan"});
  EXPECT_EQ(finalizersForDeletion({"a", "orphan"}, "Foreground"), (V{"a", "foregroundDeletion"}));
  EXPECT_EQ(finalizersForDeletion({"foregroundDeletion", "a"}, "Background"), V{"a"});
  // Without a policy the object's own GC finalizer stays.
  EXPECT_EQ(finalizersForDeletion({"foregroundDeletion"}, ""), V{"foregroundDeletion"});
  EXPECT_EQ(finalizersForDeletion({"orphan", "x"}, ""), (V{"orphan", "x"}));
}

// --- against an in-process API server ---

class ScaleApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("berth-scale-" + randomHex(4));
    ApiServerOptions options;
    options.dataDir = dir_;
    options.listen = "127.0.0.1:0";
    options.threads = 2;
    server_ = std::make_unique<ApiServer>(options, clock_);
    ASSERT_TRUE(server_->start());
    ASSERT_EQ(call("POST", "/apis/apps/v1/namespaces/default/deployments", kDeployment).status,
              201);
  }
  void TearDown() override {
    server_->stop();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  http::ClientResponse call(const std::string& method, const std::string& path,
                            const std::string& body = "", const std::string& contentType = "") {
    http::ClientOptions options;
    options.caFile = server_->caFile();
    options.bearerToken = server_->adminToken();
    if (!contentType.empty()) {
      options.headers["Content-Type"] = contentType;
    }
    auto response = http::httpRequest(method, server_->url() + path, body, options);
    EXPECT_TRUE(response.has_value());
    return response.value_or(http::ClientResponse{});
  }
  json deploymentNow() { return json::parse(call("GET", kPath).body); }

  static constexpr const char* kPath = "/apis/apps/v1/namespaces/default/deployments/web";
  static constexpr const char* kDeployment = R"({
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
    "spec": {"selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}})";

  RealClock clock_;
  std::filesystem::path dir_;
  std::unique_ptr<ApiServer> server_;
};

TEST_F(ScaleApiTest, GetPutPatch) {
  std::string scalePath = std::string(kPath) + "/scale";
  auto got = call("GET", scalePath);
  ASSERT_EQ(got.status, 200) << got.body;
  json scale = json::parse(got.body);
  EXPECT_EQ(scale["kind"], "Scale");
  EXPECT_EQ(scale["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(scale["spec"]["replicas"], 1);
  EXPECT_EQ(scale["status"]["replicas"], 0);
  EXPECT_EQ(scale["status"]["selector"], "app=web");
  EXPECT_EQ(scale["metadata"]["resourceVersion"], deploymentNow()["metadata"]["resourceVersion"]);

  // kubectl scale: a merge patch of the Scale.
  auto patched =
      call("PATCH", scalePath, R"({"spec":{"replicas":3}})", "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(json::parse(patched.body)["spec"]["replicas"], 3);
  json d = deploymentNow();
  EXPECT_EQ(d["spec"]["replicas"], 3);
  EXPECT_EQ(d["metadata"]["generation"], 2);

  // PUT with the current resourceVersion and no Content-Type.
  scale = json::parse(call("GET", scalePath).body);
  scale["spec"]["replicas"] = 5;
  auto put = call("PUT", scalePath, scale.dump());
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(deploymentNow()["spec"]["replicas"], 5);

  // A stale resourceVersion conflicts; nothing changes.
  scale["spec"]["replicas"] = 9;
  auto stale = call("PUT", scalePath, scale.dump(), "application/json");
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_NE(json::parse(stale.body)["message"].get<std::string>().find(
                "Operation cannot be fulfilled on deployments.apps \"web\""),
            std::string::npos);
  EXPECT_EQ(deploymentNow()["spec"]["replicas"], 5);

  // Negative replicas: the Scale's own 422.
  auto negative =
      call("PATCH", scalePath, R"({"spec":{"replicas":-1}})", "application/merge-patch+json");
  EXPECT_EQ(negative.status, 422) << negative.body;
  json status = json::parse(negative.body);
  EXPECT_EQ(status["message"],
            "Scale \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or "
            "equal to 0");
  EXPECT_EQ(status["details"]["kind"], "Scale");
  EXPECT_EQ(status["details"]["group"], "autoscaling");

  // JSON patch and strategic merge patch work on the Scale too.
  auto jsonPatch =
      call("PATCH", scalePath, R"([{"op":"replace","path":"/spec/replicas","value":2}])",
           "application/json-patch+json");
  ASSERT_EQ(jsonPatch.status, 200) << jsonPatch.body;
  auto smp = call("PATCH", scalePath, R"({"spec":{"replicas":4}})",
                  "application/strategic-merge-patch+json");
  ASSERT_EQ(smp.status, 200) << smp.body;
  EXPECT_EQ(deploymentNow()["spec"]["replicas"], 4);

  EXPECT_EQ(call("GET", "/apis/apps/v1/namespaces/default/deployments/nope/scale").status, 404);
  EXPECT_EQ(call("DELETE", scalePath).status, 405);
}

TEST_F(ScaleApiTest, StatusWritesMayChangeAnnotationsWithoutNewGeneration) {
  json d = deploymentNow();
  d["metadata"]["annotations"] = {{"deployment.kubernetes.io/revision", "1"}};
  d["status"] = {{"observedGeneration", 1}, {"replicas", 0}};
  d["spec"]["replicas"] = 7;  // ignored by a status write
  auto put = call("PUT", std::string(kPath) + "/status", d.dump(), "application/json");
  ASSERT_EQ(put.status, 200) << put.body;
  json now = deploymentNow();
  EXPECT_EQ(now["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1");
  EXPECT_EQ(now["metadata"]["generation"], 1);
  EXPECT_EQ(now["spec"]["replicas"], 1);
  EXPECT_EQ(now["status"]["observedGeneration"], 1);
  // A partial status write keeps the annotations.
  json partial = {{"metadata", {{"name", "web"}}}, {"status", {{"observedGeneration", 1}}}};
  ASSERT_EQ(call("PUT", std::string(kPath) + "/status", partial.dump(), "application/json").status,
            200);
  EXPECT_EQ(deploymentNow()["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1");
  // On the main resource an annotation change is a new generation (strategy PrepareForUpdate).
  auto patched = call("PATCH", kPath, R"({"metadata":{"annotations":{"a":"b"}}})",
                      "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(deploymentNow()["metadata"]["generation"], 2);
}

TEST_F(ScaleApiTest, DiscoveryListsScale) {
  auto list = call("GET", "/apis/apps/v1");
  ASSERT_EQ(list.status, 200) << list.body;
  bool found = false;
  json doc = json::parse(list.body);
  for (const auto& r : doc["resources"]) {
    if (r["name"] == "deployments/scale") {
      found = true;
      EXPECT_EQ(r["group"], "autoscaling");
      EXPECT_EQ(r["version"], "v1");
      EXPECT_EQ(r["kind"], "Scale");
    }
  }
  EXPECT_TRUE(found) << list.body;
}

TEST_F(ScaleApiTest, DeletionPropagation) {
  // Foreground: kept with a deletionTimestamp and the finalizer.
  auto foreground =
      call("DELETE", kPath, R"({"propagationPolicy":"Foreground"})", "application/json");
  ASSERT_EQ(foreground.status, 200) << foreground.body;
  json d = deploymentNow();
  EXPECT_TRUE(d["metadata"].contains("deletionTimestamp")) << d.dump();
  EXPECT_EQ(d["metadata"]["finalizers"], json::array({"foregroundDeletion"}));
  // The GC's removal of the finalizer deletes it.
  auto removed =
      call("PATCH", kPath, R"({"metadata":{"finalizers":null}})", "application/merge-patch+json");
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(call("GET", kPath).status, 404);

  // Orphan (also as orphanDependents=true).
  ASSERT_EQ(call("POST", "/apis/apps/v1/namespaces/default/deployments", kDeployment).status, 201);
  ASSERT_EQ(call("DELETE", std::string(kPath) + "?propagationPolicy=Orphan").status, 200);
  EXPECT_EQ(deploymentNow()["metadata"]["finalizers"], json::array({"orphan"}));
  // A later Background delete drops the GC finalizer: the object goes.
  ASSERT_EQ(call("DELETE", std::string(kPath) + "?propagationPolicy=Background").status, 200);
  EXPECT_EQ(call("GET", kPath).status, 404);

  ASSERT_EQ(call("POST", "/apis/apps/v1/namespaces/default/deployments", kDeployment).status, 201);
  ASSERT_EQ(call("DELETE", kPath, R"({"orphanDependents":true})", "application/json").status, 200);
  EXPECT_EQ(deploymentNow()["metadata"]["finalizers"], json::array({"orphan"}));
  ASSERT_EQ(
      call("PATCH", kPath, R"({"metadata":{"finalizers":[]}})", "application/merge-patch+json")
          .status,
      200);
  EXPECT_EQ(call("GET", kPath).status, 404);

  // Default (no policy): deleted at once.
  ASSERT_EQ(call("POST", "/apis/apps/v1/namespaces/default/deployments", kDeployment).status, 201);
  ASSERT_EQ(call("DELETE", kPath).status, 200);
  EXPECT_EQ(call("GET", kPath).status, 404);
}

}  // namespace
}  // namespace berth::apiserver
