#include "controllers/deployment_rollback.h"

#include <gtest/gtest.h>

#include "unit/controllers/deployment_sim.h"

namespace berth::controllers::deployment {
namespace {

using testing::makeDeployment;
using testing::Sim;

bool healthyUnlessBroken(const json& rs) {
  return rs["spec"]["template"]["spec"]["containers"][0]["image"] != "nginx:broken";
}

// A Deployment rolled out at revision 1 (nginx:1), then moved to nginx:broken (revision 2).
Sim brokenRollout(bool autoRollback = true) {
  json d = makeDeployment(2, "nginx:1", 1, 0);
  if (autoRollback) {
    d["metadata"]["annotations"] = {{kAutoRollbackAnnotation, "true"}};
  }
  Sim sim(d);
  for (int i = 0; i < 10 && !sim.complete(); ++i) {
    sim.step();
    sim.tick();
    sim.step();
  }
  EXPECT_TRUE(sim.complete());
  sim.setImage("nginx:broken");
  sim.step();
  sim.tick(healthyUnlessBroken);
  sim.step();
  return sim;
}

std::string newReplicaSetName(const Sim& sim) {
  return "web-" + computeHash(sim.d["spec"]["template"], std::nullopt);
}

json crashingPod(const std::string& name, Clock::WallTime created, const std::string& reason,
                 int restarts) {
  return {
      {"metadata", {{"name", name}, {"creationTimestamp", rfc3339(created)}}},
      {"status",
       {{"phase", "Running"},
        {"conditions", json::array({{{"type", "Ready"}, {"status", "False"}}})},
        {"containerStatuses", json::array({{{"name", "c"},
                                            {"restartCount", restarts},
                                            {"state", {{"waiting", {{"reason", reason}}}}}}})}}}};
}

SyncInput inputOf(const Sim& sim) {
  return {
      .deployment = sim.d, .replicaSets = sim.rss, .podsByReplicaSet = sim.pods, .now = sim.now};
}

TEST(DeploymentRollbackTest, CrashLoopingPodsRollBackToTheLastGoodRevision) {
  Sim sim = brokenRollout();
  json* bad = sim.find(newReplicaSetName(sim));
  ASSERT_NE(bad, nullptr);
  sim.pods[(*bad)["metadata"]["uid"]] = {crashingPod("web-bad-x1", sim.now, "CrashLoopBackOff", 1)};
  RollbackCheck check = checkAutoRollback(inputOf(sim), {});
  ASSERT_TRUE(check.decision);
  const RollbackDecision& r = *check.decision;
  EXPECT_EQ(r.targetRevision, 1);
  EXPECT_EQ(r.failedRevision, 2);
  EXPECT_EQ(r.reason, "CrashLoopBackOff");
  EXPECT_EQ(r.message,
            "rolled back to revision 1: pods of revision 2 crash-looping (web-bad-x1: "
            "CrashLoopBackOff)");
  EXPECT_EQ(r.deployment["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1");
  EXPECT_FALSE(
      r.deployment["spec"]["template"]["metadata"]["labels"].contains(kPodTemplateHashLabel));
  EXPECT_FALSE(hasAnnotation(r.deployment, kRolloutCompleteAnnotation));
  EXPECT_EQ(annotation(r.deployment, kAutoRollbackAnnotation), "true");

  // The controller writes it; the next syncs re-use revision 1's ReplicaSet as revision 3.
  sim.d["spec"]["template"] = r.deployment["spec"]["template"];
  sim.d["metadata"]["generation"] = sim.d["metadata"]["generation"].get<int64_t>() + 1;
  SyncPlan plan = sim.step();
  EXPECT_EQ(plan.newReplicaSet, r.targetReplicaSet);
  EXPECT_EQ(annotation(*sim.find(r.targetReplicaSet), kRevisionAnnotation), "3");
  EXPECT_EQ(annotation(*sim.find(r.targetReplicaSet), kRevisionHistoryAnnotation), "1");
  for (int i = 0; i < 10 && !sim.complete(); ++i) {
    sim.tick(healthyUnlessBroken);
    sim.step();
  }
  EXPECT_TRUE(sim.complete());
}

TEST(DeploymentRollbackTest, RestartsAtTheThresholdCountAsACrashLoop) {
  Sim sim = brokenRollout();
  std::string uid = (*sim.find(newReplicaSetName(sim)))["metadata"]["uid"];
  sim.pods[uid] = {crashingPod("web-bad-x1", sim.now, "ContainerCreating", 2)};
  EXPECT_FALSE(checkAutoRollback(inputOf(sim), {}).decision);
  sim.pods[uid] = {crashingPod("web-bad-x1", sim.now, "ContainerCreating", 3)};
  auto check = checkAutoRollback(inputOf(sim), {});
  ASSERT_TRUE(check.decision);
  EXPECT_EQ(check.decision->message,
            "rolled back to revision 1: pods of revision 2 crash-looping (web-bad-x1: 3 "
            "restarts)");
  EXPECT_FALSE(checkAutoRollback(inputOf(sim), {.crashLoopRestarts = 5}).decision);
}

TEST(DeploymentRollbackTest, PodsUnreadyPastTheTimeoutRollBackAndEarlierOnesAskForARecheck) {
  Sim sim = brokenRollout();
  std::string uid = (*sim.find(newReplicaSetName(sim)))["metadata"]["uid"];
  AutoRollbackOptions options{.unreadyTimeout = std::chrono::seconds(60)};
  sim.pods[uid] = {
      crashingPod("web-bad-x1", sim.now - std::chrono::seconds(10), "ContainerCreating", 0)};
  auto check = checkAutoRollback(inputOf(sim), options);
  EXPECT_FALSE(check.decision);
  ASSERT_TRUE(check.recheckAfter);
  EXPECT_EQ(*check.recheckAfter, std::chrono::seconds(51));
  sim.now += std::chrono::seconds(55);
  check = checkAutoRollback(inputOf(sim), options);
  ASSERT_TRUE(check.decision);
  EXPECT_EQ(check.decision->reason, "PodsNotReady");
  EXPECT_EQ(check.decision->message,
            "rolled back to revision 1: pods of revision 2 not ready after 60s (web-bad-x1)");
}

TEST(DeploymentRollbackTest, ProgressDeadlineExceededRollsBack) {
  Sim sim = brokenRollout();
  EXPECT_FALSE(checkAutoRollback(inputOf(sim), {}).decision);
  sim.now += std::chrono::seconds(700);
  auto check = checkAutoRollback(inputOf(sim), {});
  ASSERT_TRUE(check.decision);
  EXPECT_EQ(check.decision->reason, kReasonTimedOut);
  EXPECT_EQ(check.decision->message,
            "rolled back to revision 1: revision 2 exceeded its progress deadline");
}

TEST(DeploymentRollbackTest, WithoutTheAnnotationAStuckRolloutOnlyTimesOut) {
  Sim sim = brokenRollout(false);
  std::string uid = (*sim.find(newReplicaSetName(sim)))["metadata"]["uid"];
  sim.pods[uid] = {crashingPod("web-bad-x1", sim.now, "CrashLoopBackOff", 9)};
  sim.now += std::chrono::seconds(700);
  EXPECT_FALSE(checkAutoRollback(inputOf(sim), {}).decision);
  sim.step();
  EXPECT_EQ(getCondition(sim.d["status"], kConditionProgressing)->value("reason", ""),
            kReasonTimedOut);
}

TEST(DeploymentRollbackTest, AFailingKnownGoodRevisionIsNotRolledBackAgain) {
  Sim sim = brokenRollout();
  std::string good = sim.rss[0]["metadata"]["name"];
  // Rolled back to revision 1's template, which now fails too (e.g. a dependency is down).
  sim.d["spec"]["template"] = templateWithoutHash(sim.find(good)->at("spec")["template"]);
  sim.step();
  std::string uid = sim.find(good)->at("metadata")["uid"];
  sim.pods[uid] = {crashingPod("web-good-x1", sim.now, "CrashLoopBackOff", 9)};
  sim.now += std::chrono::seconds(700);
  EXPECT_FALSE(checkAutoRollback(inputOf(sim), {}).decision);
}

TEST(DeploymentRollbackTest, NoRollbackWithoutAGoodRevisionOrWhenPaused) {
  json d = makeDeployment(2, "nginx:broken", 1, 0);
  d["metadata"]["annotations"] = {{kAutoRollbackAnnotation, "true"}};
  Sim sim(d);
  sim.step();
  std::string uid = sim.rss[0]["metadata"]["uid"];
  sim.pods[uid] = {crashingPod("web-x", sim.now, "CrashLoopBackOff", 9)};
  EXPECT_FALSE(checkAutoRollback(inputOf(sim), {}).decision);  // nothing to go back to

  Sim paused = brokenRollout();
  paused.d["spec"]["paused"] = true;
  paused.now += std::chrono::seconds(700);
  EXPECT_FALSE(checkAutoRollback(inputOf(paused), {}).decision);
}

}  // namespace
}  // namespace berth::controllers::deployment
