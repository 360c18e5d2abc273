// The real kubectl against a real `berth server` (no nodes): discovery, CRUD of the kinds of
// the control plane, protobuf bodies, validation errors, patches, watches, the scheduler's
// verdict on a pod that fits nowhere, tokens, and durability across a kill -9.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/files.h"
#include "base/random.h"
#include "http/client.h"
#include "support/berth_process.h"
#include "support/server_fixture.h"

namespace berth {
namespace {

using nlohmann::json;
using testing::BerthProcess;
using testing::eventually;

class KubectlServerTest : public testing::ServerFixture {};

constexpr const char* kPod = R"(apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: main
    image: 127.0.0.1:5000/berth/httpd:1
    ports: [{containerPort: 80}]
)";

TEST_F(KubectlServerTest, VersionAndDiscovery) {
  auto version = kubectl({"version", "-o", "json"});
  ASSERT_TRUE(version.succeeded()) << version.err;
  auto doc = json::parse(version.out);
  EXPECT_EQ(doc["serverVersion"]["minor"], "32");

  auto resources = kubectl({"api-resources"});
  ASSERT_TRUE(resources.succeeded()) << resources.err;
  EXPECT_NE(resources.out.find("pods"), std::string::npos);
  EXPECT_NE(resources.out.find("leases"), std::string::npos);

  auto namespaces = kubectl({"get", "namespaces"});
  ASSERT_TRUE(namespaces.succeeded()) << namespaces.err;
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    EXPECT_NE(namespaces.out.find(ns), std::string::npos) << namespaces.out;
  }
  EXPECT_NE(namespaces.out.find("Active"), std::string::npos);
}

TEST_F(KubectlServerTest, ProtobufCreatesOfNamespaceConfigMapSecret) {
  auto ns = kubectl({"create", "namespace", "team-a"});
  ASSERT_TRUE(ns.succeeded()) << ns.err;
  EXPECT_NE(ns.out.find("namespace/team-a created"), std::string::npos);
  auto cm = kubectl(
      {"-n", "team-a", "create", "configmap", "cfg", "--from-literal=a=1", "--from-literal=b=two"});
  ASSERT_TRUE(cm.succeeded()) << cm.err;
  auto secret =
      kubectl({"-n", "team-a", "create", "secret", "generic", "s", "--from-literal=pw=s3cret"});
  ASSERT_TRUE(secret.succeeded()) << secret.err;

  auto cmJson = getJson({"-n", "team-a", "get", "configmap", "cfg"});
  EXPECT_EQ(cmJson["data"]["b"], "two");
  auto secretJson = getJson({"-n", "team-a", "get", "secret", "s"});
  EXPECT_EQ(secretJson["data"]["pw"], "czNjcmV0");  // base64("s3cret")
  EXPECT_EQ(secretJson["type"], "Opaque");

  auto again = kubectl({"create", "namespace", "team-a"});
  EXPECT_FALSE(again.succeeded());
  EXPECT_NE(again.err.find("AlreadyExists"), std::string::npos) << again.err;
}

TEST_F(KubectlServerTest, PodLifecycleWithoutNodes) {
  auto created = kubectl({"apply", "-f", "-"}, kPod);
  ASSERT_TRUE(created.succeeded()) << created.err;
  EXPECT_NE(created.out.find("pod/web created"), std::string::npos);

  auto pod = getJson({"get", "pod", "web"});
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  EXPECT_FALSE(pod["metadata"]["uid"].get<std::string>().empty());
  EXPECT_EQ(pod["spec"]["containers"][0]["ports"][0]["protocol"], "TCP");  // defaulted

  // The scheduler says why it cannot place the pod.
  EXPECT_TRUE(eventually(
      [&] {
        auto p = getJson({"get", "pod", "web"});
        for (const auto& c : p["status"].value("conditions", json::array())) {
          if (c.value("type", "") == "PodScheduled" && c.value("status", "") == "False") {
            return c.value("reason", "") == "Unschedulable";
          }
        }
        return false;
      },
      std::chrono::seconds(20)));
  auto describe = kubectl({"describe", "pod", "web"});
  ASSERT_TRUE(describe.succeeded()) << describe.err;
  EXPECT_NE(describe.out.find("FailedScheduling"), std::string::npos) << describe.out;

  auto table = kubectl({"get", "pods"});
  ASSERT_TRUE(table.succeeded()) << table.err;
  EXPECT_NE(table.out.find("READY"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("Pending"), std::string::npos) << table.out;

  ASSERT_TRUE(kubectl({"label", "pod", "web", "tier=front"}).succeeded());
  ASSERT_TRUE(kubectl({"annotate", "pod", "web", "note=hello"}).succeeded());
  auto selected = kubectl({"get", "pods", "-l", "tier=front", "-o", "name"});
  EXPECT_EQ(selected.out, "pod/web\n");
  auto none = kubectl({"get", "pods", "-l", "tier=back", "-o", "name"});
  EXPECT_EQ(none.out, "");

  // Strategic merge patch keeps the container's ports while changing its image.
  auto patched = kubectl({"patch", "pod", "web", "-p",
                          R"({"spec":{"containers":[{"name":"main","image":"x/y:2"}]}})"});
  ASSERT_TRUE(patched.succeeded()) << patched.err;
  pod = getJson({"get", "pod", "web"});
  EXPECT_EQ(pod["spec"]["containers"][0]["image"], "x/y:2");
  EXPECT_EQ(pod["spec"]["containers"][0]["ports"][0]["containerPort"], 80);

  auto deleted = kubectl({"delete", "pod", "web", "--wait=true", "--timeout=30s"});
  ASSERT_TRUE(deleted.succeeded()) << deleted.err;
  auto gone = kubectl({"get", "pod", "web"});
  EXPECT_FALSE(gone.succeeded());
  EXPECT_NE(gone.err.find("pods \"web\" not found"), std::string::npos) << gone.err;
}

TEST_F(KubectlServerTest, InvalidObjectsAreRefusedNamingTheField) {
  auto bad = kubectl({"create", "-f", "-"}, R"(apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  containers:
  - name: main
)");
  EXPECT_FALSE(bad.succeeded());
  EXPECT_NE(bad.err.find("spec.containers[0].image: Required value"), std::string::npos) << bad.err;

  auto badName = kubectl({"create", "namespace", "Not_Valid"});
  EXPECT_FALSE(badName.succeeded());
  EXPECT_NE(badName.err.find("metadata.name"), std::string::npos) << badName.err;

  auto unknown = kubectl({"create", "-f", "-"}, R"(apiVersion: v1
kind: Pod
metadata: {name: typo}
spec:
  containers:
  - name: main
    image: busybox
    imagePullPolicyy: Always
)");
  EXPECT_FALSE(unknown.succeeded());
  EXPECT_NE(unknown.err.find("imagePullPolicyy"), std::string::npos) << unknown.err;

  auto noNamespace = kubectl({"-n", "nosuch", "create", "configmap", "c", "--from-literal=a=b"});
  EXPECT_FALSE(noNamespace.succeeded());
  EXPECT_NE(noNamespace.err.find("namespaces \"nosuch\" not found"), std::string::npos)
      << noNamespace.err;
  // Nothing was created by the failed requests.
  auto pods = kubectl({"get", "pods", "-o", "name"});
  EXPECT_EQ(pods.out, "");
}

TEST_F(KubectlServerTest, ApplyTwiceOutputsAndRefusedUpdates) {
  ASSERT_TRUE(kubectl({"apply", "-f", "-"}, kPod).succeeded());
  std::string changed = kPod;
  changed.replace(changed.find("app: web"), 8, "app: web, tier: front");
  changed.replace(changed.find("httpd:1"), 7, "httpd:2");
  auto second = kubectl({"apply", "-f", "-"}, changed);
  ASSERT_TRUE(second.succeeded()) << second.err;
  EXPECT_NE(second.out.find("pod/web configured"), std::string::npos) << second.out;
  auto pod = getJson({"get", "pod", "web"});
  EXPECT_EQ(pod["metadata"]["labels"]["tier"], "front");
  EXPECT_EQ(pod["spec"]["containers"][0]["image"], "127.0.0.1:5000/berth/httpd:2");
  EXPECT_EQ(pod["spec"]["containers"][0]["ports"][0]["containerPort"], 80);
  auto unchanged = kubectl({"apply", "-f", "-"}, changed);
  EXPECT_NE(unchanged.out.find("pod/web unchanged"), std::string::npos) << unchanged.out;

  auto wide = kubectl({"get", "pods", "-o", "wide"});
  EXPECT_NE(wide.out.find("NOMINATED NODE"), std::string::npos) << wide.out;
  auto yaml = kubectl({"get", "pod", "web", "-o", "yaml"});
  EXPECT_NE(yaml.out.find("kind: Pod"), std::string::npos) << yaml.out;
  EXPECT_NE(yaml.out.find("resourceVersion:"), std::string::npos);

  // The spec of a pod is immutable but for images and a few fields.
  auto immutable = kubectl({"patch", "pod", "web", "-p", R"({"spec":{"restartPolicy":"Never"}})"});
  EXPECT_FALSE(immutable.succeeded());
  EXPECT_NE(immutable.err.find("pod updates may not change fields"), std::string::npos)
      << immutable.err;

  // A write based on an old resourceVersion is a conflict.
  auto stale = pod;
  ASSERT_TRUE(kubectl({"label", "pod", "web", "again=yes"}).succeeded());
  stale["metadata"]["labels"]["stale"] = "yes";
  auto replaced = kubectl({"replace", "-f", "-"}, stale.dump());
  EXPECT_FALSE(replaced.succeeded());
  EXPECT_NE(replaced.err.find("the object has been modified"), std::string::npos) << replaced.err;
  EXPECT_EQ(getJson({"get", "pod", "web"})["metadata"]["labels"].count("stale"), 0u);
}

TEST_F(KubectlServerTest, GetWatchPrintsRowsAsObjectsChange) {
  ASSERT_TRUE(kubectl({"create", "configmap", "before", "--from-literal=a=1"}).succeeded());
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    kubectl({"create", "configmap", "during", "--from-literal=a=1"});
  });
  auto watch = kubectl({"get", "configmaps", "-w", "--request-timeout=4s"});
  writer.join();
  EXPECT_NE(watch.out.find("before"), std::string::npos) << watch.out << watch.err;
  EXPECT_NE(watch.out.find("during"), std::string::npos) << watch.out << watch.err;
  EXPECT_NE(watch.out.find("DATA"), std::string::npos) << watch.out;
}

TEST_F(KubectlServerTest, DeletingANamespaceDeletesWhatIsInIt) {
  ASSERT_TRUE(kubectl({"create", "namespace", "doomed"}).succeeded());
  ASSERT_TRUE(
      kubectl({"-n", "doomed", "create", "configmap", "c", "--from-literal=a=1"}).succeeded());
  auto deleted = kubectl({"delete", "namespace", "doomed", "--timeout=30s"});
  ASSERT_TRUE(deleted.succeeded()) << deleted.err;
  EXPECT_FALSE(kubectl({"get", "namespace", "doomed"}).succeeded());
  EXPECT_EQ(kubectl({"get", "--raw", "/api/v1/namespaces/doomed/configmaps"}).out.find("\"c\""),
            std::string::npos);
}

TEST_F(KubectlServerTest, WatchSeesChangesAsTheyHappen) {
  ASSERT_TRUE(kubectl({"create", "configmap", "w1", "--from-literal=a=1"}).succeeded());
  // kubectl's own List has no resourceVersion: read the server's list.
  auto list = json::parse(kubectl({"get", "--raw", "/api/v1/namespaces/default/configmaps"}).out);
  std::string rv = list["metadata"]["resourceVersion"];
  ASSERT_FALSE(rv.empty());
  ASSERT_TRUE(kubectl({"create", "configmap", "w2", "--from-literal=a=2"}).succeeded());
  ASSERT_TRUE(kubectl({"delete", "configmap", "w1"}).succeeded());

  // A watch from the list's resourceVersion replays what happened since.
  auto raw = kubectl({"get", "--raw",
                      "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=2&"
                      "resourceVersion=" +
                          rv});
  ASSERT_TRUE(raw.succeeded()) << raw.err;
  EXPECT_NE(raw.out.find(R"("type":"ADDED")"), std::string::npos) << raw.out;
  EXPECT_NE(raw.out.find(R"("name":"w2")"), std::string::npos) << raw.out;
  EXPECT_NE(raw.out.find(R"("type":"DELETED")"), std::string::npos) << raw.out;
  EXPECT_EQ(raw.out.find(R"("name":"w1","namespace":"default","resourceVersion":")" + rv),
            std::string::npos)
      << "the watch replayed an event from before its resourceVersion: " << raw.out;

  // A resourceVersion that is no number is refused.
  auto future = kubectl({"get", "--raw",
                         "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1&"
                         "resourceVersion=abc"});
  EXPECT_FALSE(future.succeeded());
}

TEST_F(KubectlServerTest, FinalizersHoldDeletionAndSelectorsBoundDeleteCollection) {
  ASSERT_TRUE(kubectl({"apply", "-f", "-"}, R"(apiVersion: v1
kind: Pod
metadata: {name: held, finalizers: [example.com/hold]}
spec:
  containers: [{name: main, image: busybox}]
)")
                  .succeeded());
  ASSERT_TRUE(kubectl({"delete", "pod", "held", "--wait=false"}).succeeded());
  auto held = getJson({"get", "pod", "held"});
  EXPECT_TRUE(held["metadata"].contains("deletionTimestamp"));
  ASSERT_TRUE(kubectl({"patch", "pod", "held", "--type=json", "-p",
                       R"([{"op":"remove","path":"/metadata/finalizers"}])"})
                  .succeeded());
  EXPECT_FALSE(kubectl({"get", "pod", "held"}).succeeded());

  auto notObject = kubectl({"patch", "configmap", "x", "--type=json", "-p", "[]"});
  EXPECT_FALSE(notObject.succeeded());  // no such configmap
  ASSERT_TRUE(kubectl({"create", "configmap", "x", "--from-literal=a=1"}).succeeded());
  auto replaced = kubectl({"patch", "configmap", "x", "--type=json", "-p",
                           R"([{"op":"replace","path":"","value":1}])"});
  EXPECT_FALSE(replaced.succeeded());
  EXPECT_NE(replaced.err.find("not a JSON object"), std::string::npos) << replaced.err;

  ASSERT_TRUE(kubectl({"create", "configmap", "y", "--from-literal=a=1"}).succeeded());
  auto some = kubectl({"delete", "configmaps", "--field-selector", "metadata.name=y"});
  ASSERT_TRUE(some.succeeded()) << some.err;
  EXPECT_TRUE(kubectl({"get", "configmap", "x"}).succeeded());
  EXPECT_FALSE(kubectl({"get", "configmap", "y"}).succeeded());
  auto raw = kubectl({"delete", "--raw",
                      "/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dnone"});
  EXPECT_TRUE(raw.succeeded()) << raw.err;
  EXPECT_TRUE(kubectl({"get", "configmap", "x"}).succeeded());
}

TEST_F(KubectlServerTest, ListsPageWithLimitAndContinue) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(kubectl({"create", "configmap", "p" + std::to_string(i), "--from-literal=a=1"})
                    .succeeded());
  }
  std::vector<std::string> names;
  std::string next;
  for (int page = 0; page < 5; ++page) {
    std::string path = "/api/v1/namespaces/default/configmaps?limit=2";
    if (!next.empty()) {
      path += "&continue=" + next;
    }
    auto list = json::parse(kubectl({"get", "--raw", path}).out);
    EXPECT_LE(list["items"].size(), 2u);
    for (const auto& item : list["items"]) {
      names.push_back(item["metadata"]["name"]);
    }
    next = list["metadata"].value("continue", "");
    if (next.empty()) {
      break;
    }
  }
  // kube-root-ca.crt is not made by Berth: exactly the five.
  EXPECT_EQ(names, (std::vector<std::string>{"p0", "p1", "p2", "p3", "p4"}));
  // kubectl follows continue tokens by itself.
  auto all = kubectl({"get", "configmaps", "--chunk-size=2", "-o", "name"});
  EXPECT_EQ(all.out, "configmap/p0\nconfigmap/p1\nconfigmap/p2\nconfigmap/p3\nconfigmap/p4\n");
}

TEST_F(KubectlServerTest, TokensAreRequiredAndNodesAreConfined) {
  auto ca = server_->dataDir() / "pki" / "ca.crt";
  auto kubeconfig = files::read(server_->kubeconfig());
  ASSERT_TRUE(kubeconfig);
  auto serverLine = kubeconfig->substr(kubeconfig->find("server: ") + 8);
  std::string url = serverLine.substr(0, serverLine.find('\n'));

  http::ClientOptions anonymous;
  anonymous.caFile = ca;
  auto denied = http::httpRequest("GET", url + "/api/v1/namespaces/default/pods", "", anonymous);
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);

  // A node token may read pods but not secrets nobody on the node uses.
  ASSERT_TRUE(kubectl({"create", "secret", "generic", "s", "--from-literal=a=b"}).succeeded());
  auto tokens = json::parse(*files::read(server_->dataDir() / "tokens.json"));
  std::string nodeToken = "node-token-" + randomHex(8);
  tokens.push_back(
      {{"token", nodeToken}, {"user", "system:node:n1"}, {"groups", {"system:nodes"}}});
  ASSERT_TRUE(files::writeAtomic(server_->dataDir() / "tokens.json", tokens.dump(), 0600));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  http::ClientOptions node;
  node.caFile = ca;
  node.bearerToken = nodeToken;
  auto pods = http::httpRequest("GET", url + "/api/v1/pods", "", node);
  ASSERT_TRUE(pods);
  EXPECT_EQ(pods->status, 200) << pods->body;
  auto secret = http::httpRequest("GET", url + "/api/v1/namespaces/default/secrets/s", "", node);
  ASSERT_TRUE(secret);
  EXPECT_EQ(secret->status, 403) << secret->body;
  EXPECT_NE(secret->body.find("system:node:n1"), std::string::npos);

  // It may register its own Node, not another one.
  auto nodeBody = [](const std::string& name) {
    return json{{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}}}}.dump();
  };
  node.headers["Content-Type"] = "application/json";
  auto other = http::httpRequest("POST", url + "/api/v1/nodes", nodeBody("n2"), node);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403) << other->body;
  auto own = http::httpRequest("POST", url + "/api/v1/nodes", nodeBody("n1"), node);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 201) << own->body;
  // The API server's own identity towards agents has no rights on the API.
  auto tokenList = json::parse(*files::read(server_->dataDir() / "tokens.json"));
  for (const auto& entry : tokenList) {
    if (entry["user"] == "system:apiserver") {
      http::ClientOptions proxy;
      proxy.caFile = ca;
      proxy.bearerToken = entry["token"];
      auto tried = http::httpRequest("GET", url + "/api/v1/secrets", "", proxy);
      ASSERT_TRUE(tried);
      EXPECT_EQ(tried->status, 403) << tried->body;
    }
  }
}

TEST_F(KubectlServerTest, AcknowledgedWritesSurviveKill9) {
  ASSERT_TRUE(kubectl({"create", "namespace", "durable"}).succeeded());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(kubectl({"-n", "durable", "create", "configmap", "c" + std::to_string(i),
                         "--from-literal=i=" + std::to_string(i)})
                    .succeeded());
  }
  server_->kill9();
  ASSERT_TRUE(server_->start());
  auto list = getJson({"-n", "durable", "get", "configmaps"});
  EXPECT_EQ(list["items"].size(), 10u);
  auto one = getJson({"-n", "durable", "get", "configmap", "c7"});
  EXPECT_EQ(one["data"]["i"], "7");
}

}  // namespace
}  // namespace berth
