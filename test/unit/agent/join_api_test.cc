// The agent's control-plane clients (node registration, lease, status reporter, events, token
// reviews) against a fake API server.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "agent/event_recorder.h"
#include "agent/node_lease.h"
#include "agent/node_registration.h"
#include "agent/pod_status_reporter.h"
#include "agent/token_review_authenticator.h"
#include "fake_api_server.h"

namespace berth::agent {
namespace {

using nlohmann::json;
using testing::FakeApiServer;
using testing::Reply;
using namespace std::chrono_literals;

NodeInputs inputs() {
  NodeInputs in;
  in.nodeName = "n1";
  in.cpuCores = 2;
  in.memoryKi = 4'000'000;
  in.internalIP = "127.0.0.1";
  in.hostname = "n1";
  in.kubeletPort = 10250;
  return in;
}

TEST(JoinApiTest, RegistersANewNode) {
  json created;
  FakeApiServer server([&](const http::Request& r) -> Reply {
    if (r.method == "POST" && r.path == "/api/v1/nodes") {
      created = json::parse(r.body);
      created["metadata"]["resourceVersion"] = "1";
      return {201, created};
    }
    return Reply::error(404, "NotFound", "not found");
  });
  ASSERT_TRUE(server.start());
  client::ApiClient client(server.clientConfig());
  RealClock clock;
  NodeRegistration reg(client, inputs(), {}, clock);
  ASSERT_TRUE(reg.registerNode());
  EXPECT_TRUE(reg.registered());
  EXPECT_EQ(created["metadata"]["name"], "n1");
  EXPECT_EQ(created["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"], 10250);
}

TEST(JoinApiTest, TakesOverAnExistingNodeRetryingOnConflict) {
  json stored = {{"apiVersion", "v1"},
                 {"kind", "Node"},
                 {"metadata", {{"name", "n1"}, {"resourceVersion", "7"}, {"labels", {{"x", "y"}}}}},
                 {"status", {{"images", json::array({{{"names", {"bb"}}}})}}}};
  int puts = 0;
  json labelPatch;
  json putBody;
  FakeApiServer server([&](const http::Request& r) -> Reply {
    if (r.method == "POST" && r.path == "/api/v1/nodes") {
      return Reply::error(409, "AlreadyExists", "nodes \"n1\" already exists");
    }
    if (r.method == "GET" && r.path == "/api/v1/nodes/n1") {
      return {200, stored};
    }
    if (r.method == "PATCH" && r.path == "/api/v1/nodes/n1") {
      labelPatch = json::parse(r.body);
      return {200, stored};
    }
    if (r.method == "PUT" && r.path == "/api/v1/nodes/n1/status") {
      putBody = json::parse(r.body);
      if (++puts == 1) {
        stored["metadata"]["resourceVersion"] = "8";  // someone else wrote meanwhile
        return Reply::error(409, "Conflict", "the object has been modified");
      }
      if (putBody["metadata"]["resourceVersion"] != stored["metadata"]["resourceVersion"]) {
        return Reply::error(409, "Conflict", "stale");
      }
      return {200, putBody};
    }
    return Reply::error(404, "NotFound", "not found");
  });
  ASSERT_TRUE(server.start());
  client::ApiClient client(server.clientConfig());
  RealClock clock;
  NodeRegistration reg(client, inputs(), {}, clock);
  auto s = reg.registerNode();
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(puts, 2);
  EXPECT_EQ(putBody["metadata"]["resourceVersion"], "8");
  EXPECT_EQ(putBody["status"]["nodeInfo"]["kubeletVersion"], "v1.32.0-berth");
  EXPECT_EQ(putBody["status"]["images"].size(), 1u);  // what others wrote stays
  EXPECT_EQ(labelPatch["metadata"]["labels"]["kubernetes.io/hostname"], "n1");
}

TEST(JoinApiTest, ANodeDeletedMeanwhileIsRegisteredAgain) {
  std::atomic<bool> exists = false;
  std::atomic<int> creates = 0;
  FakeApiServer server([&](const http::Request& r) -> Reply {
    if (r.method == "POST" && r.path == "/api/v1/nodes") {
      creates++;
      exists = true;
      return {201, json::parse(r.body)};
    }
    if (r.method == "GET" && r.path == "/api/v1/nodes/n1" && !exists) {
      return Reply::error(404, "NotFound", "nodes \"n1\" not found");
    }
    if (r.method == "GET") {
      json node = {{"metadata",
                    {{"name", "n1"},
                     {"labels",
                      {{"kubernetes.io/hostname", "n1"},
                       {"kubernetes.io/os", "linux"},
                       {"kubernetes.io/arch", "amd64"},
                       {"beta.kubernetes.io/os", "linux"},
                       {"beta.kubernetes.io/arch", "amd64"}}}}}};
      return {200, node};
    }
    return {200, json::parse(r.body.empty() ? "{}" : r.body)};
  });
  ASSERT_TRUE(server.start());
  client::ApiClient client(server.clientConfig());
  RealClock clock;
  NodeRegistration reg(client, inputs(), {.statusPeriod = 50ms}, clock);
  reg.start();
  for (int i = 0; i < 200 && creates < 1; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(creates, 1);
  std::this_thread::sleep_for(120ms);  // status updates
  exists = false;                      // deleted by an admin
  for (int i = 0; i < 300 && creates < 2; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  reg.stop();
  EXPECT_EQ(creates, 2);
  auto requests = server.requests();
  EXPECT_GE(std::count(requests.begin(), requests.end(), "PUT /api/v1/nodes/n1/status"), 1);
}

TEST(JoinApiTest, LeaseIsCreatedThenRenewed) {
  json stored;
  std::vector<json> puts;
  FakeApiServer server([&](const http::Request& r) -> Reply {
    const std::string base = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";
    if (r.method == "GET" && r.path == base + "/n1") {
      return stored.is_null() ? Reply::error(404, "NotFound", "leases \"n1\" not found")
                              : Reply{200, stored};
    }
    if (r.method == "POST" && r.path == base) {
      stored = json::parse(r.body);
      stored["metadata"]["resourceVersion"] = "1";
      return {201, stored};
    }
    if (r.method == "PUT" && r.path == base + "/n1") {
      json body = json::parse(r.body);
      puts.push_back(body);
      if (body["metadata"]["resourceVersion"] != stored["metadata"]["resourceVersion"]) {
        return Reply::error(409, "Conflict", "stale");
      }
      stored = body;
      stored["metadata"]["resourceVersion"] =
          std::to_string(std::stoi(body["metadata"]["resourceVersion"].get<std::string>()) + 1);
      return {200, stored};
    }
    return Reply::error(404, "NotFound", "not found");
  });
  ASSERT_TRUE(server.start());
  client::ApiClient client(server.clientConfig());
  RealClock clock;
  NodeLease lease(client, {.nodeName = "n1"}, clock);
  ASSERT_TRUE(lease.renew());
  EXPECT_EQ(stored["spec"]["holderIdentity"], "n1");
  EXPECT_EQ(stored["spec"]["leaseDurationSeconds"], 40);
  std::string first = stored["spec"]["renewTime"];
  EXPECT_EQ(first.size(), std::string("2026-11-29T06:41:02.123456Z").size());
  std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(lease.renew());
  ASSERT_EQ(puts.size(), 1u);
  EXPECT_EQ(puts[0]["metadata"]["resourceVersion"], "1");
  EXPECT_NE(stored["spec"]["renewTime"], first);
  // Someone else changed it: the renewal fails once, then re-reads.
  stored["metadata"]["resourceVersion"] = "50";
  EXPECT_FALSE(lease.renew());
  ASSERT_TRUE(lease.renew());
  EXPECT_EQ(stored["metadata"]["resourceVersion"], "51");
}

TEST(JoinApiTest, StatusIsPutToTheStatusSubresource) {
  json body;
  std::string path;
  FakeApiServer server([&](const http::Request& r) -> Reply {
    path = r.method + " " + r.path;
    body = json::parse(r.body);
    return {200, body};
  });
  ASSERT_TRUE(server.start());
  client::ApiClient client(server.clientConfig());
  api::Pod pod;
  pod.metadata.name = "web";
  pod.metadata.namespace_ = "shop";
  pod.metadata.uid = "u1";
  pod.metadata.resourceVersion = "5";
  pod.metadata.labels["app"] = "web";
  pod.spec.nodeName = "n1";
  pod.status.phase = "Running";
  pod.status.podIP = "10.88.0.7";
  auto send = PodStatusReporter::apiSender(client);
  ASSERT_TRUE(send(pod));
  EXPECT_EQ(path, "PUT /api/v1/namespaces/shop/pods/web/status");
  EXPECT_EQ(body["metadata"],
            (json{{"name", "web"}, {"namespace", "shop"}, {"uid", "u1"}}));  // no resourceVersion
  EXPECT_EQ(body["status"]["phase"], "Running");
  EXPECT_EQ(body["status"]["podIP"], "10.88.0.7");
  EXPECT_FALSE(body.contains("spec"));
}

TEST(JoinApiTest, RepeatedEventsArePatchedNotPostedAgain) {
  std::vector<json> posts;
  std::vector<std::pair<std::string, json>> patches;
  FakeApiServer server([&](const http::Request& r) -> Reply {
    if (r.method == "POST") {
      posts.push_back(json::parse(r.body));
      return {201, posts.back()};
    }
    if (r.method == "PATCH") {
      patches.emplace_back(r.path, json::parse(r.body));
      return {200, json::object()};
    }
    return Reply::error(404, "NotFound", "not found");
  });
  ASSERT_TRUE(server.start());
  client::ApiClient client(server.clientConfig());
  RealClock clock;
  EventRecorder recorder(client, {.nodeName = "n1"}, clock);
  recorder.start();
  api::Pod pod;
  pod.metadata.name = "web";
  pod.metadata.namespace_ = "shop";
  pod.metadata.uid = "u1";
  auto backOff = events::crashBackOff("spec.containers{app}", "app", pod);
  recorder.record(pod, backOff);
  recorder.record(pod, backOff);
  recorder.record(pod, backOff);
  recorder.record(pod, events::started("spec.containers{app}", "app"));
  for (int i = 0; i < 300 && recorder.created() + recorder.patched() < 4; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  recorder.stop();
  ASSERT_EQ(posts.size(), 2u);
  ASSERT_EQ(patches.size(), 2u);
  std::string name = posts[0]["metadata"]["name"];
  EXPECT_EQ(name.rfind("web.", 0), 0u);
  std::string later = posts[1]["metadata"]["name"];
  EXPECT_LT(name, later);  // names sort in the order the events happened
  EXPECT_EQ(posts[0]["reason"], "BackOff");
  EXPECT_EQ(posts[0]["type"], "Warning");
  EXPECT_EQ(patches[0].first, "/api/v1/namespaces/shop/events/" + name);
  EXPECT_EQ(patches[0].second["count"], 2);
  EXPECT_EQ(patches[1].second["count"], 3);
  EXPECT_TRUE(patches[1].second.contains("lastTimestamp"));
  EXPECT_EQ(posts[1]["reason"], "Started");
}

TEST(JoinApiTest, TokenReviewsAskTheServer) {
  json review;
  FakeApiServer server([&](const http::Request& r) -> Reply {
    if (r.method != "POST" || r.path != "/apis/authentication.k8s.io/v1/tokenreviews") {
      return Reply::error(404, "NotFound", "not found");
    }
    review = json::parse(r.body);
    json reply = review;
    bool known = review["spec"]["token"] == "apiserver-token";
    reply["status"] = {{"authenticated", known}};
    if (known) {
      reply["status"]["user"] = {{"username", "system:apiserver"},
                                 {"groups", {"system:masters", "system:authenticated"}}};
    }
    return {201, reply};
  });
  ASSERT_TRUE(server.start());
  client::ApiClient client(server.clientConfig());
  RealClock clock;
  TokenReviewAuthenticator auth(TokenReviewAuthenticator::apiReviewer(client), {}, clock);
  auto id = auth.authenticate("apiserver-token");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->user, "system:apiserver");
  EXPECT_EQ(review["apiVersion"], "authentication.k8s.io/v1");
  EXPECT_EQ(review["kind"], "TokenReview");
  EXPECT_FALSE(auth.authenticate("other-token"));
}

}  // namespace
}  // namespace berth::agent
