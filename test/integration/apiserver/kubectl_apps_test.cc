// The real kubectl against a real `berth server` (no nodes) for apps/v1: create deployment (a
// protobuf body), get and Table columns, scale (the scale subresource, with and without
// preconditions), set image and rollout restart (strategic merge patches of the template),
// apply twice, 422s naming the field, rollout pause/resume, and foreground deletion.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/random.h"
#include "support/berth_process.h"
#include "support/server_fixture.h"

namespace berth {
namespace {

using nlohmann::json;
using testing::BerthProcess;
using testing::eventually;

class KubectlAppsTest : public testing::ServerFixture {};

constexpr const char* kApi = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api}
spec:
  replicas: 2
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: main
        image: busybox:1
        ports: [{containerPort: 80}]
        env: [{name: A, value: "1"}]
)";

std::string badDeployment(const std::string& name, const std::string& replicas,
                          const std::string& templateApp, const std::string& strategy) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name +
         "}\nspec:\n  replicas: " + replicas + "\n  selector: {matchLabels: {app: web}}\n" +
         strategy + "  template:\n    metadata: {labels: {app: " + templateApp +
         "}}\n    spec:\n      containers: [{name: c, image: busybox}]\n";
}

TEST_F(KubectlAppsTest, CreateGetScaleSetImage) {
  auto created = kubectl({"create", "deployment", "web", "--image=busybox"});
  ASSERT_TRUE(created.succeeded()) << created.err;
  EXPECT_NE(created.out.find("deployment.apps/web created"), std::string::npos) << created.out;

  json d = getJson({"get", "deploy", "web"});
  EXPECT_EQ(d["apiVersion"], "apps/v1");
  EXPECT_EQ(d["spec"]["replicas"], 1);
  EXPECT_EQ(d["spec"]["selector"]["matchLabels"]["app"], "web");
  EXPECT_EQ(d["spec"]["strategy"]["type"], "RollingUpdate");
  EXPECT_EQ(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%");
  EXPECT_EQ(d["spec"]["revisionHistoryLimit"], 10);
  EXPECT_EQ(d["spec"]["progressDeadlineSeconds"], 600);
  EXPECT_EQ(d["spec"]["template"]["spec"]["restartPolicy"], "Always");
  EXPECT_EQ(d["spec"]["template"]["spec"]["containers"][0]["name"], "busybox");
  EXPECT_GE(d["metadata"]["generation"].get<int64_t>(), 1);

  auto table = kubectl({"get", "deployments"});
  ASSERT_TRUE(table.succeeded()) << table.err;
  EXPECT_NE(table.out.find("NAME   READY   UP-TO-DATE   AVAILABLE   AGE"), std::string::npos)
      << table.out;
  auto wide = kubectl({"get", "deploy", "-o", "wide"});
  ASSERT_TRUE(wide.succeeded()) << wide.err;
  EXPECT_NE(wide.out.find("CONTAINERS   IMAGES    SELECTOR"), std::string::npos) << wide.out;
  EXPECT_NE(wide.out.find("app=web"), std::string::npos) << wide.out;

  int64_t generation = getJson({"get", "deploy", "web"})["metadata"]["generation"];
  auto scaled = kubectl({"scale", "deployment", "web", "--replicas=5"});
  ASSERT_TRUE(scaled.succeeded()) << scaled.err;
  EXPECT_NE(scaled.out.find("deployment.apps/web scaled"), std::string::npos) << scaled.out;
  d = getJson({"get", "deploy", "web"});
  EXPECT_EQ(d["spec"]["replicas"], 5);
  EXPECT_EQ(d["metadata"]["generation"], generation + 1);

  // A precondition kubectl checks against the Scale it reads.
  auto wrongCurrent =
      kubectl({"scale", "deployment", "web", "--current-replicas=4", "--replicas=6"});
  EXPECT_FALSE(wrongCurrent.succeeded());
  EXPECT_NE(wrongCurrent.err.find("Expected replicas to be 4, was 5"), std::string::npos)
      << wrongCurrent.err;
  // A stale resourceVersion (kubectl compares it with the Scale's; the server's own 409 for a
  // stale PUT is covered by the unit tests).
  auto stale = kubectl({"scale", "deployment", "web", "--resource-version=1", "--replicas=6"});
  EXPECT_FALSE(stale.succeeded());
  EXPECT_NE(stale.err.find("Expected resource version to be 1"), std::string::npos) << stale.err;
  // The right current count: a PUT of the Scale without Content-Type.
  auto current = kubectl({"scale", "deployment", "web", "--current-replicas=5", "--replicas=3"});
  ASSERT_TRUE(current.succeeded()) << current.err;
  EXPECT_EQ(getJson({"get", "deploy", "web"})["spec"]["replicas"], 3);

  auto image = kubectl({"set", "image", "deployment/web", "busybox=busybox:2"});
  ASSERT_TRUE(image.succeeded()) << image.err;
  d = getJson({"get", "deploy", "web"});
  EXPECT_EQ(d["spec"]["template"]["spec"]["containers"][0]["image"], "busybox:2");
  EXPECT_EQ(d["spec"]["template"]["spec"]["containers"].size(), 1u);

  auto restart = kubectl({"rollout", "restart", "deployment/web"});
  ASSERT_TRUE(restart.succeeded()) << restart.err;
  d = getJson({"get", "deploy", "web"});
  EXPECT_TRUE(d["spec"]["template"]["metadata"]["annotations"].contains(
      "kubectl.kubernetes.io/restartedAt"))
      << d.dump();

  // ReplicaSets answer to their short name and list in `get all`.
  auto all = kubectl({"get", "all"});
  ASSERT_TRUE(all.succeeded()) << all.err;
  EXPECT_NE(all.out.find("deployment.apps/web"), std::string::npos) << all.out;
  EXPECT_TRUE(kubectl({"get", "rs"}).succeeded());
}

TEST_F(KubectlAppsTest, ApplyTwiceAndInvalidDeployments) {
  auto first = kubectl({"apply", "-f", "-"}, kApi);
  ASSERT_TRUE(first.succeeded()) << first.err;
  EXPECT_NE(first.out.find("deployment.apps/api created"), std::string::npos) << first.out;
  auto second = kubectl({"apply", "-f", "-"}, kApi);
  ASSERT_TRUE(second.succeeded()) << second.err;
  EXPECT_NE(second.out.find("deployment.apps/api unchanged"), std::string::npos) << second.out;
  // A changed image is patched in, keeping the container's ports and env.
  std::string changed = kApi;
  changed.replace(changed.find("busybox:1"), 9, "busybox:3");
  auto third = kubectl({"apply", "-f", "-"}, changed);
  ASSERT_TRUE(third.succeeded()) << third.err;
  EXPECT_NE(third.out.find("deployment.apps/api configured"), std::string::npos) << third.out;
  json d = getJson({"get", "deploy", "api"});
  const json& c = d["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["image"], "busybox:3");
  EXPECT_EQ(c["ports"][0]["containerPort"], 80);
  EXPECT_EQ(c["env"][0]["name"], "A");

  auto negative = kubectl({"create", "-f", "-"}, badDeployment("neg", "-1", "web", ""));
  EXPECT_FALSE(negative.succeeded());
  EXPECT_NE(negative.err.find("spec.replicas: Invalid value: -1: must be greater than or equal "
                              "to 0"),
            std::string::npos)
      << negative.err;

  auto mismatch = kubectl({"create", "-f", "-"}, badDeployment("mis", "1", "x", ""));
  EXPECT_FALSE(mismatch.succeeded());
  EXPECT_NE(mismatch.err.find("spec.template.metadata.labels: Invalid value: "
                              "map[string]string{\"app\":\"x\"}: `selector` does not match "
                              "template `labels`"),
            std::string::npos)
      << mismatch.err;

  auto zero =
      kubectl({"create", "-f", "-"},
              badDeployment("zero", "1", "web",
                            "  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 0, "
                            "maxUnavailable: 0}}\n"));
  EXPECT_FALSE(zero.succeeded());
  EXPECT_NE(zero.err.find("spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
                          "intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 when "
                          "`maxSurge` is 0"),
            std::string::npos)
      << zero.err;
  for (const auto* out : {&negative, &mismatch, &zero}) {
    EXPECT_NE(out->err.find("is invalid"), std::string::npos) << out->err;
  }
  auto names = kubectl({"get", "deploy", "-o", "name"});
  EXPECT_EQ(names.out, "deployment.apps/api\n");

  // Unknown fields are refused (kubectl's default --validate=strict).
  std::string typo = kApi;
  typo.replace(typo.find("replicas: 2"), 11, "replica: 2");
  auto unknown = kubectl({"create", "-f", "-"}, typo);
  EXPECT_FALSE(unknown.succeeded());
  EXPECT_NE(unknown.err.find("replica"), std::string::npos) << unknown.err;
}

TEST_F(KubectlAppsTest, PausedRolloutMakesNoNewReplicaSetUntilResumed) {
  ASSERT_TRUE(kubectl({"create", "deployment", "web", "--image=busybox:1"}).succeeded());
  auto replicaSets = [&] { return getJson({"get", "rs", "-l", "app=web"})["items"].size(); };
  ASSERT_TRUE(eventually([&] { return replicaSets() == 1u; }, std::chrono::seconds(10)));

  auto paused = kubectl({"rollout", "pause", "deployment/web"});
  ASSERT_TRUE(paused.succeeded()) << paused.err;
  EXPECT_NE(paused.out.find("deployment.apps/web paused"), std::string::npos) << paused.out;
  ASSERT_TRUE(kubectl({"set", "image", "deployment/web", "busybox=busybox:2"}).succeeded());
  // The controller observes the change but rolls nothing out.
  EXPECT_TRUE(eventually(
      [&] {
        json d = getJson({"get", "deploy", "web"});
        return d["status"].value("observedGeneration", int64_t{0}) ==
               d["metadata"]["generation"].get<int64_t>();
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(replicaSets(), 1u);
  auto status = getJson({"get", "deploy", "web"})["status"];
  bool pausedCondition = false;
  for (const auto& c : status.value("conditions", json::array())) {
    pausedCondition |= c.value("reason", "") == "DeploymentPaused";
  }
  EXPECT_TRUE(pausedCondition) << status.dump();

  auto resumed = kubectl({"rollout", "resume", "deployment/web"});
  ASSERT_TRUE(resumed.succeeded()) << resumed.err;
  EXPECT_TRUE(eventually([&] { return replicaSets() == 2u; }, std::chrono::seconds(10)));
}

TEST_F(KubectlAppsTest, ForegroundDeletion) {
  ASSERT_TRUE(kubectl({"create", "deployment", "web", "--image=busybox"}).succeeded());
  // -v=10 logs the DELETE's reply: the object kept with a deletionTimestamp and the
  // foregroundDeletion finalizer for the garbage collector (quotes escaped in the log).
  auto deleted =
      kubectl({"delete", "deployment", "web", "--cascade=foreground", "--wait=false", "-v=10"});
  ASSERT_TRUE(deleted.succeeded()) << deleted.err;
  EXPECT_NE(deleted.err.find("Foreground"), std::string::npos) << deleted.err;
  auto reply = deleted.err.find("\"Response Body\"", deleted.err.find("DELETE https://"));
  ASSERT_NE(reply, std::string::npos) << deleted.err;
  std::string body = deleted.err.substr(reply, deleted.err.find('\n', reply) - reply);
  EXPECT_NE(body.find(R"(\"finalizers\":[\"foregroundDeletion\"])"), std::string::npos) << body;
  EXPECT_NE(body.find(R"(\"deletionTimestamp\")"), std::string::npos) << body;
  // The garbage collector of `berth server` deletes the ReplicaSet, then removes the finalizer,
  // and the Deployment goes.
  EXPECT_TRUE(eventually(
      [&] {
        auto rest = kubectl({"get", "deploy,rs", "-o", "name"});
        return rest.succeeded() && rest.out.empty();
      },
      std::chrono::seconds(30)));
}

}  // namespace
}  // namespace berth
