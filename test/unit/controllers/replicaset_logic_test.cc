// The pure decisions of the ReplicaSet controller: deletion order, slow start, expectations,
// status.

#include "controllers/replicaset_logic.h"

#include <gtest/gtest.h>

#include <atomic>

#include "controllers/controller_utils.h"
#include "controllers/expectations.h"

namespace berth::controllers {
namespace {

using namespace std::chrono_literals;

class ManualClock final : public Clock {
 public:
  WallTime now() const override { return wall; }
  MonoTime monotonic() const override { return mono; }
  WallTime wall = std::chrono::system_clock::from_time_t(1'800'000'000);
  MonoTime mono{};
};

const Clock::WallTime kNow = std::chrono::system_clock::from_time_t(1'800'000'000);

json pod(const std::string& name, const std::string& node, const std::string& phase, bool ready,
         Clock::WallTime created = kNow - 1h) {
  json p = {{"metadata",
             {{"name", name},
              {"namespace", "default"},
              {"uid", "uid-" + name},
              {"creationTimestamp", rfc3339(created)},
              {"labels", {{"app", "web"}}}}},
            {"spec", {{"nodeName", node}}},
            {"status", {{"phase", phase}}}};
  if (ready) {
    p["status"]["conditions"] = {
        {{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", rfc3339(created)}}};
  }
  return p;
}

std::vector<std::string> names(const std::vector<json>& pods) {
  std::vector<std::string> out;
  for (const auto& p : pods) {
    out.push_back(p["metadata"]["name"]);
  }
  return out;
}

TEST(DeletionOrderTest, UnassignedBeforeAssigned) {
  EXPECT_TRUE(
      deletesBefore(pod("a", "", "Pending", false), 0, pod("b", "n1", "Pending", false), 0, kNow));
  EXPECT_FALSE(
      deletesBefore(pod("b", "n1", "Pending", false), 0, pod("a", "", "Pending", false), 0, kNow));
}

TEST(DeletionOrderTest, PendingBeforeUnknownBeforeRunning) {
  auto pending = pod("p", "n1", "Pending", false);
  auto unknown = pod("u", "n1", "Unknown", false);
  auto running = pod("r", "n1", "Running", false);
  EXPECT_TRUE(deletesBefore(pending, 0, unknown, 0, kNow));
  EXPECT_TRUE(deletesBefore(unknown, 0, running, 0, kNow));
  EXPECT_FALSE(deletesBefore(running, 0, pending, 0, kNow));
}

TEST(DeletionOrderTest, NotReadyBeforeReady) {
  EXPECT_TRUE(
      deletesBefore(pod("a", "n1", "Running", false), 0, pod("b", "n1", "Running", true), 0, kNow));
  EXPECT_FALSE(
      deletesBefore(pod("b", "n1", "Running", true), 0, pod("a", "n1", "Running", false), 0, kNow));
}

TEST(DeletionOrderTest, DoubledUpBeforeAlone) {
  EXPECT_TRUE(
      deletesBefore(pod("a", "n1", "Running", true), 3, pod("b", "n2", "Running", true), 1, kNow));
}

TEST(DeletionOrderTest, RecentlyReadyBeforeLongReady) {
  auto recent = pod("a", "n1", "Running", true, kNow - 10s);
  auto old = pod("b", "n1", "Running", true, kNow - 10h);
  EXPECT_TRUE(deletesBefore(recent, 0, old, 0, kNow));
  EXPECT_FALSE(deletesBefore(old, 0, recent, 0, kNow));
}

TEST(DeletionOrderTest, MoreRestartsFirst) {
  auto a = pod("a", "n1", "Running", false);
  auto b = pod("b", "n1", "Running", false);
  a["status"]["containerStatuses"] = {{{"name", "c"}, {"restartCount", 5}}};
  b["status"]["containerStatuses"] = {{{"name", "c"}, {"restartCount", 1}}};
  EXPECT_TRUE(deletesBefore(a, 0, b, 0, kNow));
  EXPECT_FALSE(deletesBefore(b, 0, a, 0, kNow));
}

TEST(DeletionOrderTest, NewerBeforeOlder) {
  auto young = pod("a", "n1", "Pending", false, kNow - 5s);
  auto old = pod("b", "n1", "Pending", false, kNow - 5h);
  EXPECT_TRUE(deletesBefore(young, 0, old, 0, kNow));
  EXPECT_FALSE(deletesBefore(old, 0, young, 0, kNow));
}

TEST(DeletionOrderTest, LowerDeletionCostFirst) {
  auto cheap = pod("a", "n1", "Running", true);
  auto dear = pod("b", "n1", "Running", true);
  cheap["metadata"]["annotations"] = {{"controller.kubernetes.io/pod-deletion-cost", "-5"}};
  dear["metadata"]["annotations"] = {{"controller.kubernetes.io/pod-deletion-cost", "100"}};
  EXPECT_TRUE(deletesBefore(cheap, 0, dear, 0, kNow));
}

TEST(PodsToDeleteTest, PicksTheBestCandidatesRankedByNode) {
  std::vector<json> pods = {
      pod("running-ready", "n1", "Running", true),     pod("pending", "", "Pending", false),
      pod("running-notready", "n2", "Running", false), pod("crowded", "n3", "Running", true),
      pod("crowded2", "n3", "Running", true),
  };
  auto victims = podsToDelete(pods, pods, 3, kNow);
  ASSERT_EQ(victims.size(), 3u);
  EXPECT_EQ(names(victims)[0], "pending");
  EXPECT_EQ(names(victims)[1], "running-notready");
  // Of the ready ones, those on the node with two pods go first.
  EXPECT_EQ(names(victims)[2].substr(0, 7), "crowded");
}

TEST(SlowStartTest, BatchesDoubleAndStopAfterAFailure) {
  std::atomic<int> calls = 0;
  auto all = slowStartBatch(10, 1, [&]() -> Status {
    ++calls;
    return ok();
  });
  EXPECT_EQ(all.successes, 10);
  EXPECT_EQ(all.failures, 0);
  EXPECT_EQ(calls.load(), 10);

  // Batches 1, 2, 4: the 4th call fails, so the batch of 4 ends the run: 7 calls, 8 never made.
  std::atomic<int> n = 0;
  auto partial = slowStartBatch(15, 1, [&]() -> Status {
    if (++n == 4) {
      return fail(ErrorCode::kInvalidArgument, "quota");
    }
    return ok();
  });
  EXPECT_EQ(partial.successes + partial.failures, 7);
  EXPECT_EQ(partial.failures, 1);
  ASSERT_TRUE(partial.firstError.has_value());
  EXPECT_EQ(partial.firstError->message(), "quota");

  auto none = slowStartBatch(0, 1, [&]() -> Status { return ok(); });
  EXPECT_EQ(none.successes, 0);
}

TEST(ExpectationsTest, WaitsForCreationsAndTrackedDeletions) {
  ManualClock clock;
  Expectations e(clock);
  EXPECT_TRUE(e.satisfied("ns/rs"));
  e.expectCreations("ns/rs", 2);
  EXPECT_FALSE(e.satisfied("ns/rs"));
  e.creationObserved("ns/rs");
  EXPECT_FALSE(e.satisfied("ns/rs"));
  e.creationObserved("ns/rs");
  EXPECT_TRUE(e.satisfied("ns/rs"));
  e.creationObserved("ns/rs");  // extra: does not go negative
  EXPECT_EQ(e.pendingCreations("ns/rs"), 0);

  e.expectDeletions("ns/rs", {"ns/a", "ns/b"});
  EXPECT_FALSE(e.satisfied("ns/rs"));
  e.deletionObserved("ns/rs", "ns/a");
  e.deletionObserved("ns/rs", "ns/a");  // the same pod twice counts once
  e.deletionObserved("ns/rs", "ns/x");  // not expected
  EXPECT_EQ(e.pendingDeletions("ns/rs"), 1);
  EXPECT_FALSE(e.satisfied("ns/rs"));
  e.deletionObserved("ns/rs", "ns/b");
  EXPECT_TRUE(e.satisfied("ns/rs"));
}

TEST(ExpectationsTest, ExpireAfterTheTimeout) {
  ManualClock clock;
  Expectations e(clock, 5min);
  e.expectCreations("ns/rs", 3);
  clock.mono += 4min;
  EXPECT_FALSE(e.satisfied("ns/rs"));
  clock.mono += 2min;
  EXPECT_TRUE(e.satisfied("ns/rs"));
  e.remove("ns/rs");
  EXPECT_EQ(e.pendingCreations("ns/rs"), 0);
}

json replicaSet(int replicas, int minReady) {
  json rs = {{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}};
  rs["metadata"] = {
      {"name", "web"}, {"namespace", "default"}, {"uid", "rs-uid"}, {"generation", 4}};
  rs["spec"]["replicas"] = replicas;
  rs["spec"]["minReadySeconds"] = minReady;
  rs["spec"]["selector"]["matchLabels"] = {{"app", "web"}};
  rs["spec"]["template"]["metadata"]["labels"] = {{"app", "web"}, {"tier", "front"}};
  rs["spec"]["template"]["spec"]["containers"] =
      json::array({{{"name", "c"}, {"image", "busybox"}}});
  rs["status"] = {{"replicas", 0}};
  return rs;
}

TEST(ReplicaSetStatusTest, CountsLabelledReadyAndAvailablePods) {
  auto rs = replicaSet(4, 10);
  auto full = pod("a", "n1", "Running", true, kNow - 1h);
  full["metadata"]["labels"]["tier"] = "front";
  auto justReady = pod("b", "n1", "Running", true, kNow - 3s);
  auto notReady = pod("c", "n1", "Pending", false);
  auto status = calculateReplicaSetStatus(rs, {full, justReady, notReady}, std::nullopt, -1, kNow);
  EXPECT_EQ(status["replicas"], 3);
  EXPECT_EQ(status["fullyLabeledReplicas"], 1);
  EXPECT_EQ(status["readyReplicas"], 2);
  EXPECT_EQ(status["availableReplicas"], 1);
  EXPECT_EQ(status["observedGeneration"], 4);
  EXPECT_FALSE(status.contains("conditions"));
  EXPECT_TRUE(replicaSetStatusChanged(rs["status"], status));

  auto wait = nextAvailableIn({full, justReady, notReady}, 10, kNow);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, 7s);
  EXPECT_FALSE(nextAvailableIn({full}, 10, kNow).has_value());
}

TEST(ReplicaSetStatusTest, ReplicaFailureConditionComesAndGoes) {
  auto rs = replicaSet(3, 0);
  auto failed = calculateReplicaSetStatus(rs, {}, std::string("quota exceeded"), -3, kNow);
  ASSERT_TRUE(failed.contains("conditions"));
  EXPECT_EQ(failed["conditions"][0]["type"], "ReplicaFailure");
  EXPECT_EQ(failed["conditions"][0]["status"], "True");
  EXPECT_EQ(failed["conditions"][0]["reason"], "FailedCreate");
  EXPECT_EQ(failed["conditions"][0]["message"], "quota exceeded");

  rs["status"] = failed;
  auto again = calculateReplicaSetStatus(rs, {}, std::string("other"), -3, kNow);
  EXPECT_EQ(again["conditions"].size(), 1u);  // not added twice
  EXPECT_FALSE(replicaSetStatusChanged(failed, again));

  auto healed = calculateReplicaSetStatus(rs, {}, std::nullopt, -3, kNow);
  EXPECT_FALSE(healed.contains("conditions"));
  EXPECT_TRUE(replicaSetStatusChanged(failed, healed));
}

TEST(PodTemplateTest, CopiesTheTemplateAndOwnsThePod) {
  auto p = podFromTemplate(replicaSet(1, 0));
  EXPECT_EQ(p["metadata"]["generateName"], "web-");
  EXPECT_EQ(p["metadata"]["namespace"], "default");
  EXPECT_EQ(p["metadata"]["labels"]["tier"], "front");
  EXPECT_EQ(p["spec"]["containers"][0]["image"], "busybox");
  const json& ref = p["metadata"]["ownerReferences"][0];
  EXPECT_EQ(ref["apiVersion"], "apps/v1");
  EXPECT_EQ(ref["kind"], "ReplicaSet");
  EXPECT_EQ(ref["name"], "web");
  EXPECT_EQ(ref["uid"], "rs-uid");
  EXPECT_EQ(ref["controller"], true);
  EXPECT_EQ(ref["blockOwnerDeletion"], true);
}

TEST(ControllerUtilsTest, ParsesTimestampsAndPodStates) {
  auto t = parseTimestamp(json("2027-01-15T08:00:00Z"));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(rfc3339(*t), "2027-01-15T08:00:00Z");
  auto offset = parseTimestamp(json("2027-01-15T10:00:00.5+02:00"));
  ASSERT_TRUE(offset.has_value());
  EXPECT_EQ(*offset - *t, 500ms);
  EXPECT_FALSE(parseTimestamp(json("yesterday")).has_value());
  EXPECT_FALSE(parseTimestamp(json()).has_value());

  auto p = pod("a", "n1", "Running", true);
  EXPECT_TRUE(isPodActive(p));
  p["metadata"]["deletionTimestamp"] = rfc3339(kNow);
  EXPECT_FALSE(isPodActive(p));
  EXPECT_FALSE(isPodActive(pod("b", "n1", "Succeeded", false)));
  EXPECT_FALSE(isPodActive(pod("c", "n1", "Failed", false)));
}

}  // namespace
}  // namespace berth::controllers
