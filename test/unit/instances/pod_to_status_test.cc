#include "instances/pod_to_status.h"

#include <gtest/gtest.h>

#include "instances/group_to_pod.h"
#include "sample_group.h"

namespace berth::instances {
namespace {

using std::chrono::minutes;
using std::chrono::sys_days;
using namespace std::chrono_literals;

const auto kCreated = sys_days(std::chrono::year(2026) / 1 / 2) + 3h;  // 2026-01-02T03:00:00Z

api::Pod samplePod() {
  api::Pod pod = groupToPod(testing::sampleGroup()).value().pod;
  pod.metadata.creationTimestamp = "2026-01-02T03:00:00Z";
  return pod;
}

api::ContainerStatus running(const std::string& name, int32_t restarts = 0) {
  api::ContainerStatus s;
  s.name = name;
  s.restartCount = restarts;
  s.state.running = api::ContainerStateRunning{"2026-01-02T03:00:05Z"};
  return s;
}

api::ContainerStatus waiting(const std::string& name, const std::string& reason,
                             const std::string& message = "") {
  api::ContainerStatus s;
  s.name = name;
  s.state.waiting = api::ContainerStateWaiting{reason, message};
  return s;
}

TEST(PodToStatusTest, UnscheduledPodIsPending) {
  GroupStatus st = statusFromPod(samplePod(), {}, kCreated + 1min);
  EXPECT_EQ(st.provisioningState, "Pending");
  EXPECT_EQ(st.instanceView.state, "Pending");
  ASSERT_EQ(st.containers.size(), 3u);  // init, web, sidecar
  EXPECT_FALSE(st.containers.at("web").currentState.has_value());
}

TEST(PodToStatusTest, BoundPodPullingImagesIsCreating) {
  api::Pod pod = samplePod();
  pod.spec.nodeName = "node-1";
  pod.status.phase = "Pending";
  pod.status.containerStatuses = {waiting("web", "ContainerCreating"),
                                  waiting("sidecar", "ErrImagePull", "not found")};
  GroupStatus st = statusFromPod(pod, {}, kCreated + 1min);
  EXPECT_EQ(st.provisioningState, "Creating");
  EXPECT_EQ(st.containers.at("sidecar").currentState,
            (ContainerState{"Waiting", "", std::nullopt, "", "ErrImagePull: not found"}));
  // ACI's provisioning timeout.
  EXPECT_EQ(statusFromPod(pod, {}, kCreated + 30min).provisioningState, "Failed");
}

TEST(PodToStatusTest, ImageThatCanNeverStartFails) {
  api::Pod pod = samplePod();
  pod.spec.nodeName = "node-1";
  pod.status.phase = "Pending";
  pod.status.containerStatuses = {running("web"), waiting("sidecar", "InvalidImageName")};
  EXPECT_EQ(statusFromPod(pod, {}, kCreated).provisioningState, "Failed");
}

TEST(PodToStatusTest, RunningPodSucceededWithContainerStates) {
  api::Pod pod = samplePod();
  pod.spec.nodeName = "node-1";
  pod.status.phase = "Running";
  pod.status.podIP = "10.88.0.5";
  pod.status.hostIP = "192.168.1.10";
  api::ContainerStatus web = running("web", 2);
  web.lastState.terminated = api::ContainerStateTerminated{
      137, 9, "Error", "", "2026-01-02T03:00:01Z", "2026-01-02T03:00:04Z", ""};
  api::ContainerStatus init;
  init.name = "init";
  init.state.terminated = api::ContainerStateTerminated{
      0, 0, "Completed", "", "2026-01-02T03:00:00Z", "2026-01-02T03:00:01Z", ""};
  pod.status.initContainerStatuses = {init};
  pod.status.containerStatuses = {web, running("sidecar")};
  GroupStatus st = statusFromPod(pod, {}, kCreated + 2h);
  EXPECT_EQ(st.provisioningState, "Succeeded");
  EXPECT_EQ(st.instanceView.state, "Running");
  const ContainerInstanceView& view = st.containers.at("web");
  EXPECT_EQ(view.restartCount, 2);
  EXPECT_EQ(view.currentState,
            (ContainerState{"Running", "2026-01-02T03:00:05Z", std::nullopt, "", ""}));
  EXPECT_EQ(view.previousState, (ContainerState{"Terminated", "2026-01-02T03:00:01Z", 137,
                                                "2026-01-02T03:00:04Z", "Error"}));
  EXPECT_EQ(st.containers.at("init").currentState->exitCode, 0);
  EXPECT_EQ(st.containers.at("init").currentState->detailStatus, "Completed");

  ContainerGroup group = testing::sampleGroup();
  applyStatus(group, st);
  EXPECT_EQ(group.properties.provisioningState, "Succeeded");
  EXPECT_EQ(group.properties.instanceView->state, "Running");
  EXPECT_EQ(group.properties.containers[0].instanceView, view);
  EXPECT_EQ(group.properties.initContainers[0].instanceView, st.containers.at("init"));
  EXPECT_EQ(group.properties.ipAddress->ip, "192.168.1.10");  // Public: the host's address
  group.properties.ipAddress->type = "Private";
  applyStatus(group, st);
  EXPECT_EQ(group.properties.ipAddress->ip, "10.88.0.5");
}

TEST(PodToStatusTest, TerminalPhases) {
  api::Pod pod = samplePod();
  pod.spec.nodeName = "node-1";
  api::ContainerStatus done;
  done.name = "web";
  done.state.terminated = api::ContainerStateTerminated{1, 0, "Error", "", "a", "b", ""};
  pod.status.containerStatuses = {done};
  pod.status.phase = "Failed";
  GroupStatus st = statusFromPod(pod, {}, kCreated);
  EXPECT_EQ(st.instanceView.state, "Failed");
  EXPECT_EQ(st.provisioningState, "Succeeded");  // it ran; the group failed, not provisioning
  pod.status.phase = "Succeeded";
  EXPECT_EQ(statusFromPod(pod, {}, kCreated).instanceView.state, "Succeeded");
  // Failed without any container ever starting.
  pod.status.phase = "Failed";
  pod.status.containerStatuses = {waiting("web", "ContainerCreating")};
  EXPECT_EQ(statusFromPod(pod, {}, kCreated).provisioningState, "Failed");
}

TEST(PodToStatusTest, EventsGoToTheirContainerOrTheGroup) {
  auto event = [](const std::string& fieldPath, const std::string& reason) {
    nlohmann::json e = {{"involvedObject", {{"kind", "Pod"}, {"fieldPath", fieldPath}}},
                        {"reason", reason},
                        {"message", reason + " message"},
                        {"type", "Normal"},
                        {"count", 2},
                        {"firstTimestamp", "2026-01-02T03:00:01Z"},
                        {"lastTimestamp", "2026-01-02T03:00:02Z"}};
    if (fieldPath.empty()) {
      e["involvedObject"].erase("fieldPath");
    }
    return podEventFromJson(e);
  };
  std::vector<PodEvent> events = {event("", "Scheduled"), event("spec.containers{web}", "Pulling"),
                                  event("spec.initContainers{init}", "Started"),
                                  event("spec.containers{ghost}", "Killing")};
  GroupStatus st = statusFromPod(samplePod(), events, kCreated);
  ASSERT_EQ(st.containers.at("web").events.size(), 1u);
  EXPECT_EQ(st.containers.at("web").events[0],
            (Event{2, "2026-01-02T03:00:01Z", "2026-01-02T03:00:02Z", "Pulling", "Pulling message",
                   "Normal"}));
  EXPECT_EQ(st.containers.at("init").events.at(0).name, "Started");
  ASSERT_EQ(st.instanceView.events.size(), 2u);  // Scheduled and the unknown container's
  EXPECT_EQ(st.instanceView.events[0].name, "Scheduled");
}

TEST(PodToStatusTest, EventDefaults) {
  PodEvent e = podEventFromJson(
      nlohmann::json::parse(R"({"reason":"Pulled","eventTime":"2026-01-02T03:00:09.000000Z"})"));
  EXPECT_EQ(e.count, 1);
  EXPECT_EQ(e.firstTimestamp, "2026-01-02T03:00:09.000000Z");
  EXPECT_EQ(e.lastTimestamp, e.firstTimestamp);
  EXPECT_EQ(e.fieldPath, "");
}

}  // namespace
}  // namespace berth::instances
