#include "controllers/deployment_util.h"

#include <gtest/gtest.h>

#include "unit/controllers/deployment_sim.h"

namespace berth::controllers::deployment {
namespace {

using testing::makeDeployment;

TEST(DeploymentUtilTest, PercentsRoundSurgeUpAndUnavailableDown) {
  EXPECT_EQ(scaledValue("25%", 10, true), 3);
  EXPECT_EQ(scaledValue("25%", 10, false), 2);
  EXPECT_EQ(scaledValue("34%", 3, true), 2);
  EXPECT_EQ(scaledValue("34%", 3, false), 1);
  EXPECT_EQ(scaledValue(4, 10, true), 4);
  EXPECT_EQ(scaledValue("x%", 10, true), 0);

  Fenceposts f = resolveFenceposts("25%", "25%", 10);
  EXPECT_EQ(f.maxSurge, 3);
  EXPECT_EQ(f.maxUnavailable, 2);
  f = resolveFenceposts("10%", "10%", 3);  // 0.3: surge 1, unavailable 0
  EXPECT_EQ(f.maxSurge, 1);
  EXPECT_EQ(f.maxUnavailable, 0);
  f = resolveFenceposts(0, "10%", 3);  // both 0: unavailable becomes 1
  EXPECT_EQ(f.maxSurge, 0);
  EXPECT_EQ(f.maxUnavailable, 1);
  f = resolveFenceposts(json(), json(), 4);  // defaults 25%
  EXPECT_EQ(f.maxSurge, 1);
  EXPECT_EQ(f.maxUnavailable, 1);
}

TEST(DeploymentUtilTest, MaxUnavailableIsCappedAndZeroForRecreate) {
  json d = makeDeployment(2, "nginx:1", 1, 5);
  EXPECT_EQ(maxUnavailable(d), 2);
  EXPECT_EQ(maxSurge(d), 1);
  d["spec"]["strategy"] = {{"type", "Recreate"}};
  EXPECT_EQ(maxUnavailable(d), 0);
  EXPECT_EQ(maxSurge(d), 0);
}

TEST(DeploymentUtilTest, HashIsStableSafeEncodedAndChangesWithTemplateAndCollisions) {
  json t = makeDeployment(1, "nginx:1")["spec"]["template"];
  std::string h = computeHash(t, std::nullopt);
  EXPECT_EQ(h, computeHash(t, std::nullopt));
  EXPECT_FALSE(h.empty());
  EXPECT_EQ(h.find_first_not_of("bcdfghjklmnpqrstvwxz2456789"), std::string::npos) << h;
  EXPECT_NE(h, computeHash(t, 1));
  json other = makeDeployment(1, "nginx:2")["spec"]["template"];
  EXPECT_NE(h, computeHash(other, std::nullopt));
}

TEST(DeploymentUtilTest, TemplatesCompareWithoutTheHashLabel) {
  json a = makeDeployment(1, "nginx:1")["spec"]["template"];
  json b = a;
  b["metadata"]["labels"][kPodTemplateHashLabel] = "abc";
  EXPECT_TRUE(equalIgnoreHash(a, b));
  EXPECT_EQ(templateWithoutHash(b), a);
  b["spec"]["containers"][0]["image"] = "nginx:2";
  EXPECT_FALSE(equalIgnoreHash(a, b));
}

TEST(DeploymentUtilTest, RevisionAnnotationsKeepHistoryWhenATemplateIsReused) {
  json d = makeDeployment(3, "nginx:1");
  d["metadata"]["annotations"] = {{kChangeCauseAnnotation, "kubectl set image"},
                                  {kLastAppliedAnnotation, "{}"},
                                  {kRolloutCompleteAnnotation, "true"}};
  json rs = {{"metadata", {{"name", "web-a"}}}};
  EXPECT_TRUE(setNewReplicaSetAnnotations(d, rs, 1, true));
  EXPECT_EQ(annotation(rs, kRevisionAnnotation), "1");
  EXPECT_EQ(annotation(rs, kChangeCauseAnnotation), "kubectl set image");
  EXPECT_EQ(annotation(rs, kDesiredReplicasAnnotation), "3");
  EXPECT_EQ(annotation(rs, kMaxReplicasAnnotation), "4");
  EXPECT_FALSE(hasAnnotation(rs, kLastAppliedAnnotation));
  EXPECT_FALSE(hasAnnotation(rs, kRolloutCompleteAnnotation));
  EXPECT_FALSE(hasAnnotation(rs, kRevisionHistoryAnnotation));
  EXPECT_FALSE(setNewReplicaSetAnnotations(d, rs, 1, false));
  // Reused as revision 3, later as 5.
  EXPECT_TRUE(setNewReplicaSetAnnotations(d, rs, 3, false));
  EXPECT_EQ(annotation(rs, kRevisionAnnotation), "3");
  EXPECT_EQ(annotation(rs, kRevisionHistoryAnnotation), "1");
  EXPECT_TRUE(setNewReplicaSetAnnotations(d, rs, 5, false));
  EXPECT_EQ(annotation(rs, kRevisionHistoryAnnotation), "1,3");
  // Never lowered.
  EXPECT_FALSE(setNewReplicaSetAnnotations(d, rs, 4, false));
  EXPECT_EQ(annotation(rs, kRevisionAnnotation), "5");
}

TEST(DeploymentUtilTest, ConditionsKeepTransitionTimeWhenOnlyTheReasonChanges) {
  auto t0 = std::chrono::system_clock::from_time_t(1'800'000'000);
  auto t1 = t0 + std::chrono::seconds(30);
  json status = json::object();
  setCondition(status, newCondition("Progressing", "True", "NewReplicaSetCreated", "a", t0));
  setCondition(status, newCondition("Progressing", "True", "NewReplicaSetCreated", "b", t1));
  EXPECT_EQ(getCondition(status, "Progressing")->value("message", ""), "a");  // no change
  setCondition(status, newCondition("Progressing", "True", "ReplicaSetUpdated", "c", t1));
  auto c = *getCondition(status, "Progressing");
  EXPECT_EQ(c["reason"], "ReplicaSetUpdated");
  EXPECT_EQ(c["lastTransitionTime"], rfc3339(t0));
  EXPECT_EQ(c["lastUpdateTime"], rfc3339(t1));
  setCondition(status, newCondition("Progressing", "False", "ProgressDeadlineExceeded", "d", t1));
  EXPECT_EQ(getCondition(status, "Progressing")->value("lastTransitionTime", ""), rfc3339(t1));
  EXPECT_EQ(status["conditions"].size(), 1u);
  removeCondition(status, "Progressing");
  EXPECT_FALSE(getCondition(status, "Progressing"));
}

TEST(DeploymentUtilTest, TimedOutAfterTheDeadlineWithoutProgress) {
  auto t0 = std::chrono::system_clock::from_time_t(1'800'000'000);
  json d = makeDeployment(3, "nginx:1");
  json status = json::object();
  setCondition(status, newCondition("Progressing", "True", "ReplicaSetUpdated", "x", t0));
  EXPECT_FALSE(deploymentTimedOut(d, status, t0 + std::chrono::seconds(600)));
  EXPECT_TRUE(deploymentTimedOut(d, status, t0 + std::chrono::seconds(601)));
  d["spec"].erase("progressDeadlineSeconds");
  EXPECT_FALSE(deploymentTimedOut(d, status, t0 + std::chrono::seconds(6000)));
}

}  // namespace
}  // namespace berth::controllers::deployment
