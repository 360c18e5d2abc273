#include "controllers/deployment_sync.h"

#include <gtest/gtest.h>

#include "unit/controllers/deployment_sim.h"

namespace berth::controllers::deployment {
namespace {

using testing::makeDeployment;
using testing::Sim;

std::optional<json> progressing(const Sim& sim) {
  return getCondition(sim.d.value("status", json::object()), kConditionProgressing);
}

// Runs syncs and availability ticks until the rollout completes, checking Kubernetes'
// guarantees after every write: at most replicas + maxSurge pods, at least
// replicas - maxUnavailable available.
void rollOut(Sim& sim, int replicas, int surge, int unavailable, int maxSteps = 200) {
  // A first rollout starts from nothing available.
  const int minAvailable = std::min(replicas - unavailable, availableReplicaSum(sim.rss));
  for (int i = 0; i < maxSteps && !sim.complete(); ++i) {
    sim.step();
    ASSERT_LE(specReplicaSum(sim.rss), replicas + surge) << "step " << i;
    ASSERT_GE(availableReplicaSum(sim.rss), minAvailable) << "step " << i;
    sim.tick();
    sim.step();  // the status catches up
  }
  ASSERT_TRUE(sim.complete()) << sim.d["status"].dump();
}

TEST(DeploymentSyncTest, FirstSyncCreatesTheNewReplicaSetAsRevisionOne) {
  Sim sim(makeDeployment(3, "nginx:1"));
  SyncPlan plan = sim.step();
  ASSERT_EQ(plan.writes.size(), 1u);
  const json& rs = plan.writes[0].object;
  EXPECT_EQ(plan.writes[0].kind, ReplicaSetWrite::Kind::kCreate);
  std::string hash = computeHash(sim.d["spec"]["template"], std::nullopt);
  EXPECT_EQ(rs["metadata"]["name"], "web-" + hash);
  EXPECT_EQ(rs["metadata"]["labels"][kPodTemplateHashLabel], hash);
  EXPECT_EQ(rs["spec"]["selector"]["matchLabels"][kPodTemplateHashLabel], hash);
  EXPECT_EQ(rs["spec"]["template"]["metadata"]["labels"][kPodTemplateHashLabel], hash);
  EXPECT_EQ(rs["spec"]["replicas"], 3);
  EXPECT_EQ(rs["metadata"]["ownerReferences"][0]["uid"], "d-uid");
  EXPECT_EQ(rs["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(rs["metadata"]["ownerReferences"][0]["kind"], "Deployment");
  EXPECT_EQ(annotation(rs, kRevisionAnnotation), "1");
  EXPECT_EQ(annotation(rs, kDesiredReplicasAnnotation), "3");
  EXPECT_EQ(annotation(rs, kMaxReplicasAnnotation), "4");
  EXPECT_EQ(plan.revision, "1");
  ASSERT_TRUE(plan.writes[0].event);
  EXPECT_EQ(plan.writes[0].event->reason, "ScalingReplicaSet");
  EXPECT_EQ(plan.writes[0].event->message, "Scaled up replica set web-" + hash + " to 3 from 0");
  ASSERT_TRUE(plan.status);
  EXPECT_EQ((*plan.status)["observedGeneration"], 1);
  EXPECT_EQ(progressing(sim)->value("reason", ""), kReasonNewRSCreated);
  EXPECT_TRUE(plan.requeueAfter);  // the progress deadline check
  // Nothing to do once settled, and nothing is written again.
  SyncPlan again = sim.step();
  EXPECT_TRUE(again.writes.empty());
}

TEST(DeploymentSyncTest, ConditionsGoFromCreatedToUpdatedToAvailable) {
  Sim sim(makeDeployment(2, "nginx:1", 1, 1));  // available with 1 of 2
  sim.step();
  EXPECT_EQ(getCondition(sim.d["status"], kConditionAvailable)->value("status", ""), "False");
  sim.tick();
  sim.step();
  EXPECT_EQ(progressing(sim)->value("reason", ""), kReasonRSUpdated);
  EXPECT_EQ(getCondition(sim.d["status"], kConditionAvailable)->value("status", ""), "True");
  sim.tick();
  SyncPlan plan = sim.step();
  EXPECT_EQ(progressing(sim)->value("reason", ""), kReasonNewRSAvailable);
  EXPECT_EQ(progressing(sim)->value("message", ""),
            "ReplicaSet \"" + plan.newReplicaSet + "\" has successfully progressed.");
  EXPECT_FALSE(plan.requeueAfter);
  EXPECT_EQ(sim.d["status"]["availableReplicas"], 2);
  EXPECT_EQ(sim.d["status"]["updatedReplicas"], 2);
  EXPECT_FALSE(sim.d["status"].contains("unavailableReplicas"));
  // The completed ReplicaSet is marked as a good revision.
  EXPECT_EQ(annotation(*sim.find(plan.newReplicaSet), kRolloutCompleteAnnotation), "true");
  EXPECT_FALSE(sim.step().status);  // unchanged: no write
}

TEST(DeploymentSyncTest, RollingUpdateRespectsSurgeAndUnavailabilityThroughout) {
  struct Case {
    int replicas;
    json surge, unavailable;
    int s, u;
  };
  for (const Case& c :
       {Case{10, "25%", "25%", 3, 2}, Case{3, 1, 0, 1, 0}, Case{3, 0, 1, 0, 1},
        Case{5, "0%", "0%", 0, 1}, Case{20, 5, 2, 5, 2}, Case{1, "25%", "25%", 1, 0}}) {
    SCOPED_TRACE(c.replicas);
    Sim sim(makeDeployment(c.replicas, "nginx:1", c.surge, c.unavailable));
    rollOut(sim, c.replicas, c.s, c.u);
    sim.setImage("nginx:2");
    rollOut(sim, c.replicas, c.s, c.u);
    EXPECT_EQ(sim.rss.size(), 2u);
    std::string newName = "web-" + computeHash(sim.d["spec"]["template"], std::nullopt);
    EXPECT_EQ(specReplicas(*sim.find(newName)), c.replicas);
    EXPECT_EQ(annotation(*sim.find(newName), kRevisionAnnotation), "2");
    EXPECT_EQ(annotation(sim.d, kRevisionAnnotation), "2");
    for (const auto& rs : sim.rss) {
      if (rs["metadata"]["name"] != newName) {
        EXPECT_EQ(specReplicas(rs), 0);
      }
    }
  }
}

TEST(DeploymentSyncTest, ScaleEventsNameTheReplicaSetsAndSizes) {
  Sim sim(makeDeployment(3, "nginx:1", 1, 0));
  rollOut(sim, 3, 1, 0);
  std::string oldName = sim.rss[0]["metadata"]["name"];
  sim.events.clear();
  sim.setImage("nginx:2");
  SyncPlan plan = sim.step();
  std::string newName = plan.newReplicaSet;
  ASSERT_FALSE(sim.events.empty());
  EXPECT_EQ(sim.events[0].message, "Scaled up replica set " + newName + " to 1 from 0");
  sim.tick();
  sim.step();
  EXPECT_EQ(sim.events.back().message, "Scaled down replica set " + oldName + " to 2 from 3");
}

TEST(DeploymentSyncTest, UndoReusesTheOldReplicaSetWithANewRevision) {
  Sim sim(makeDeployment(2, "nginx:1"));
  rollOut(sim, 2, 1, 0);
  std::string first = sim.rss[0]["metadata"]["name"];
  sim.setImage("nginx:2");
  rollOut(sim, 2, 1, 0);
  // kubectl rollout undo: the template of revision 1 comes back.
  sim.setImage("nginx:1");
  SyncPlan plan = sim.step();
  EXPECT_EQ(plan.newReplicaSet, first);
  for (const auto& w : plan.writes) {
    EXPECT_NE(w.kind, ReplicaSetWrite::Kind::kCreate);
  }
  EXPECT_EQ(annotation(*sim.find(first), kRevisionAnnotation), "3");
  EXPECT_EQ(annotation(*sim.find(first), kRevisionHistoryAnnotation), "1");
  EXPECT_EQ(annotation(sim.d, kRevisionAnnotation), "3");
  rollOut(sim, 2, 1, 0);
  EXPECT_EQ(sim.rss.size(), 2u);
  EXPECT_EQ(specReplicas(*sim.find(first)), 2);
}

TEST(DeploymentSyncTest, OldReplicaSetsBeyondTheHistoryLimitAreDeleted) {
  Sim sim(makeDeployment(1, "nginx:1"));
  sim.d["spec"]["revisionHistoryLimit"] = 1;
  rollOut(sim, 1, 1, 0);
  for (const char* image : {"nginx:2", "nginx:3", "nginx:4"}) {
    sim.setImage(image);
    rollOut(sim, 1, 1, 0);
    sim.step();
  }
  // The new one plus one old one remain; the oldest revisions went first.
  ASSERT_EQ(sim.rss.size(), 2u);
  ASSERT_EQ(sim.deleted.size(), 2u);
  std::vector<int64_t> revisions;
  for (const auto& rs : sim.rss) {
    revisions.push_back(revisionOf(rs));
  }
  std::sort(revisions.begin(), revisions.end());
  EXPECT_EQ(revisions, (std::vector<int64_t>{3, 4}));
}

TEST(DeploymentSyncTest, AStuckRolloutExceedsItsProgressDeadline) {
  Sim sim(makeDeployment(2, "nginx:1"));
  rollOut(sim, 2, 1, 0);
  sim.setImage("nginx:broken");
  auto healthy = [](const json& rs) {
    return rs["spec"]["template"]["spec"]["containers"][0]["image"] != "nginx:broken";
  };
  SyncPlan plan = sim.step();
  ASSERT_TRUE(plan.requeueAfter);
  EXPECT_EQ(*plan.requeueAfter, std::chrono::seconds(601));
  EXPECT_EQ(progressing(sim)->value("reason", ""), kReasonNewRSCreated);
  sim.tick(healthy);
  sim.step();
  sim.now += std::chrono::seconds(590);
  plan = sim.step();
  EXPECT_NE(progressing(sim)->value("reason", ""), kReasonTimedOut);
  ASSERT_TRUE(plan.requeueAfter);
  EXPECT_LE(*plan.requeueAfter, std::chrono::seconds(11));
  sim.now += std::chrono::seconds(20);
  plan = sim.step();
  EXPECT_EQ(progressing(sim)->value("reason", ""), kReasonTimedOut);
  EXPECT_EQ(progressing(sim)->value("status", ""), "False");
  EXPECT_FALSE(plan.requeueAfter);
  // The old pods still serve.
  EXPECT_EQ(sim.d["status"]["availableReplicas"], 2);
}

TEST(DeploymentSyncTest, PausedDeploymentDoesNotRollOutButScales) {
  Sim sim(makeDeployment(2, "nginx:1"));
  rollOut(sim, 2, 1, 0);
  sim.editSpec([](json& spec) { spec["paused"] = true; });
  sim.setImage("nginx:2");
  SyncPlan plan = sim.step();
  EXPECT_TRUE(plan.writes.empty());
  EXPECT_EQ(sim.rss.size(), 1u);
  EXPECT_EQ(progressing(sim)->value("reason", ""), kReasonPaused);
  EXPECT_EQ(progressing(sim)->value("status", ""), "Unknown");
  sim.editSpec([](json& spec) { spec["replicas"] = 4; });
  plan = sim.step();
  ASSERT_EQ(plan.writes.size(), 1u);
  EXPECT_EQ(specReplicas(sim.rss[0]), 4);
  sim.editSpec([](json& spec) { spec["paused"] = false; });
  sim.step();
  EXPECT_EQ(sim.rss.size(), 2u);  // resumed: the rollout starts
  EXPECT_EQ(progressing(sim)->value("reason", ""), kReasonNewRSCreated);
}

TEST(DeploymentSyncTest, ReplicasChangedMidRolloutAreSpreadProportionally) {
  Sim sim(makeDeployment(10, "nginx:1", 3, 2));
  rollOut(sim, 10, 3, 2);
  sim.setImage("nginx:2");
  sim.step();  // new RS 3 (surge)
  sim.step();  // old RS down to 8 (unavailable budget)
  std::string newName = "web-" + computeHash(sim.d["spec"]["template"], std::nullopt);
  std::string oldName;
  for (const auto& rs : sim.rss) {
    if (rs["metadata"]["name"] != newName) {
      oldName = rs["metadata"]["name"];
    }
  }
  sim.find(newName)->at("spec")["replicas"] = 5;  // as in Kubernetes' example
  sim.settle();
  ASSERT_EQ(specReplicas(*sim.find(oldName)), 8);
  sim.editSpec([](json& spec) { spec["replicas"] = 20; });
  sim.step();
  // 13 pods for a max of 13 become 23: 8*23/13 -> 14, 5*23/13 -> 9.
  EXPECT_EQ(specReplicas(*sim.find(oldName)), 14);
  EXPECT_EQ(specReplicas(*sim.find(newName)), 9);
  EXPECT_EQ(annotation(*sim.find(oldName), kDesiredReplicasAnnotation), "20");
  rollOut(sim, 20, 3, 2);
}

TEST(DeploymentSyncTest, RecreateWaitsForOldPodsBeforeScalingUp) {
  json d = makeDeployment(3, "nginx:1");
  d["spec"]["strategy"] = {{"type", "Recreate"}};
  Sim sim(d);
  sim.step();
  ASSERT_EQ(sim.rss.size(), 1u);
  EXPECT_EQ(specReplicas(sim.rss[0]), 3);
  for (int i = 0; i < 3; ++i) {
    sim.tick();
  }
  sim.step();
  std::string oldUid = sim.rss[0]["metadata"]["uid"];
  sim.pods[oldUid] = {{{"metadata", {{"name", "web-old-1"}}}, {"status", {{"phase", "Running"}}}}};
  sim.setImage("nginx:2");
  sim.step();
  EXPECT_EQ(sim.rss.size(), 1u);  // old scaled to 0, no new one yet
  EXPECT_EQ(specReplicas(sim.rss[0]), 0);
  sim.step();
  EXPECT_EQ(sim.rss.size(), 1u);  // a pod still runs
  sim.pods[oldUid].clear();
  sim.step();
  ASSERT_EQ(sim.rss.size(), 2u);
  EXPECT_EQ(specReplicas(sim.rss[1]), 3);
  EXPECT_EQ(annotation(sim.rss[1], kRevisionAnnotation), "2");
}

TEST(DeploymentSyncTest, ASelectorOfEverythingOnlyWarns) {
  json d = makeDeployment(3, "nginx:1");
  d["spec"]["selector"] = json::object();
  SyncPlan plan = planSync({.deployment = d,
                            .replicaSets = {},
                            .podsByReplicaSet = {},
                            .now = std::chrono::system_clock::now()});
  EXPECT_TRUE(plan.writes.empty());
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].reason, "SelectingAll");
  ASSERT_TRUE(plan.status);
  EXPECT_EQ((*plan.status)["observedGeneration"], 1);
}

}  // namespace
}  // namespace berth::controllers::deployment
