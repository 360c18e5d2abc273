#include "agent/event_sink.h"

#include <gtest/gtest.h>

#include "agent/event_recorder.h"

namespace berth::agent {
namespace {

using std::chrono::milliseconds;

api::Pod pod() {
  api::Pod p;
  p.metadata.name = "web-1";
  p.metadata.namespace_ = "shop";
  p.metadata.uid = "0f1e-22";
  return p;
}

TEST(EventSinkTest, GoDurationPrintsAsGoDoes) {
  EXPECT_EQ(events::goDuration(milliseconds(0)), "0s");
  EXPECT_EQ(events::goDuration(milliseconds(512)), "512ms");
  EXPECT_EQ(events::goDuration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(events::goDuration(milliseconds(15981)), "15.981s");
  EXPECT_EQ(events::goDuration(milliseconds(2000)), "2s");
  EXPECT_EQ(events::goDuration(milliseconds(123004)), "2m3.004s");
  EXPECT_EQ(events::goDuration(milliseconds(3'600'000)), "1h0m0s");
}

TEST(EventSinkTest, KubeletMessages) {
  std::string fp = events::containerFieldPath("app", false);
  EXPECT_EQ(fp, "spec.containers{app}");
  EXPECT_EQ(events::containerFieldPath("init", true), "spec.initContainers{init}");

  auto e = events::pulling(fp, "busybox:1");
  EXPECT_EQ(e.reason, "Pulling");
  EXPECT_EQ(e.type, EventType::kNormal);
  EXPECT_EQ(e.message, "Pulling image \"busybox:1\"");
  EXPECT_EQ(e.fieldPath, fp);

  e = events::pulled(fp, "busybox:1", milliseconds(15981), milliseconds(15981), 129338587);
  EXPECT_EQ(e.message,
            "Successfully pulled image \"busybox:1\" in 15.981s (15.981s including waiting). "
            "Image size: 129338587 bytes.");
  EXPECT_EQ(events::alreadyPresent(fp, "bb").message,
            "Container image \"bb\" already present on machine");
  EXPECT_EQ(events::created(fp, "app").message, "Created container: app");
  EXPECT_EQ(events::started(fp, "app").message, "Started container app");
  e = events::killing(fp, "app");
  EXPECT_EQ(e.reason, "Killing");
  EXPECT_EQ(e.message, "Stopping container app");

  e = events::crashBackOff(fp, "app", pod());
  EXPECT_EQ(e.type, EventType::kWarning);
  EXPECT_EQ(e.reason, "BackOff");
  EXPECT_EQ(e.message, "Back-off restarting failed container app in pod web-1_shop(0f1e-22)");

  e = events::pullFailed(fp, "nope:1", "pull 'nope:1': not found");
  EXPECT_EQ(e.type, EventType::kWarning);
  EXPECT_EQ(e.reason, "Failed");
  EXPECT_EQ(e.message, "Failed to pull image \"nope:1\": pull 'nope:1': not found");
  EXPECT_EQ(events::failed(fp, "ErrImagePull").message, "Error: ErrImagePull");
  e = events::pullBackOff(fp, "nope:1");
  EXPECT_EQ(e.type, EventType::kNormal);
  EXPECT_EQ(e.message, "Back-off pulling image \"nope:1\"");
  EXPECT_EQ(events::neverPull(fp, "x").message,
            "Container image \"x\" is not present with pull policy of Never");

  e = events::failedMount("cfg", "configmap \"x\" not found");
  EXPECT_EQ(e.reason, "FailedMount");
  EXPECT_EQ(e.type, EventType::kWarning);
  EXPECT_EQ(e.message, "MountVolume.SetUp failed for volume \"cfg\" : configmap \"x\" not found");
  EXPECT_TRUE(e.fieldPath.empty());
}

TEST(EventSinkTest, BuildEventHasTheKubeletShape) {
  auto p = pod();
  p.metadata.resourceVersion = "42";
  auto e = buildEvent(p, events::started("spec.containers{app}", "app"), "web-1.abc", "node-1",
                      "2026-11-29T06:41:02Z");
  EXPECT_EQ(e["apiVersion"], "v1");
  EXPECT_EQ(e["kind"], "Event");
  EXPECT_EQ(e["metadata"]["name"], "web-1.abc");
  EXPECT_EQ(e["metadata"]["namespace"], "shop");
  EXPECT_EQ(e["involvedObject"]["kind"], "Pod");
  EXPECT_EQ(e["involvedObject"]["name"], "web-1");
  EXPECT_EQ(e["involvedObject"]["namespace"], "shop");
  EXPECT_EQ(e["involvedObject"]["uid"], "0f1e-22");
  EXPECT_EQ(e["involvedObject"]["apiVersion"], "v1");
  EXPECT_EQ(e["involvedObject"]["resourceVersion"], "42");
  EXPECT_EQ(e["involvedObject"]["fieldPath"], "spec.containers{app}");
  EXPECT_EQ(e["reason"], "Started");
  EXPECT_EQ(e["message"], "Started container app");
  EXPECT_EQ(e["type"], "Normal");
  EXPECT_EQ(e["source"]["component"], "kubelet");
  EXPECT_EQ(e["source"]["host"], "node-1");
  EXPECT_EQ(e["firstTimestamp"], "2026-11-29T06:41:02Z");
  EXPECT_EQ(e["lastTimestamp"], "2026-11-29T06:41:02Z");
  EXPECT_EQ(e["count"], 1);
  EXPECT_EQ(e["reportingComponent"], "kubelet");
  EXPECT_EQ(e["reportingInstance"], "node-1");

  auto w = buildEvent(p, events::failedMount("v", "boom"), "n", "node-1", "t");
  EXPECT_EQ(w["type"], "Warning");
  EXPECT_FALSE(w["involvedObject"].contains("fieldPath"));
}

}  // namespace
}  // namespace berth::agent
