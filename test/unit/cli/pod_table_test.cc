#include "cli/pod_table.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

api::Pod podWith(api::ContainerState state) {
  api::Pod p;
  p.metadata.name = "p";
  p.spec.containers.resize(1);
  p.status.phase = "Running";
  api::ContainerStatus cs;
  cs.state = state;
  p.status.containerStatuses.push_back(cs);
  return p;
}

TEST(PodTableTest, StatusColumnFollowsKubectl) {
  api::ContainerState waiting;
  waiting.waiting = api::ContainerStateWaiting{"CrashLoopBackOff", ""};
  EXPECT_EQ(podDisplayStatus(podWith(waiting)), "CrashLoopBackOff");
  api::ContainerState oom;
  oom.terminated = api::ContainerStateTerminated{};
  oom.terminated->reason = "OOMKilled";
  EXPECT_EQ(podDisplayStatus(podWith(oom)), "OOMKilled");
  api::ContainerState running;
  running.running = api::ContainerStateRunning{"t"};
  EXPECT_EQ(podDisplayStatus(podWith(running)), "Running");
}

TEST(PodTableTest, InitProgress) {
  api::Pod p = podWith({});
  p.spec.initContainers.resize(2);
  api::ContainerStatus done, busy;
  done.state.terminated = api::ContainerStateTerminated{};
  busy.state.running = api::ContainerStateRunning{"t"};
  p.status.initContainerStatuses = {done, busy};
  EXPECT_EQ(podDisplayStatus(p), "Init:1/2");
}

TEST(PodTableTest, TableHasHeaderAndRow) {
  api::Pod p = podWith({});
  p.metadata.namespace_ = "default";
  p.status.podIP = "10.88.0.2";
  p.status.startTime = "2026-11-29T00:00:00Z";
  auto table = podTable({p}, "2026-11-29T00:00:42Z");
  EXPECT_NE(table.find("NAMESPACE   NAME   READY"), std::string::npos);
  EXPECT_NE(table.find("42s"), std::string::npos);
  EXPECT_NE(table.find("10.88.0.2"), std::string::npos);
}

}  // namespace
}  // namespace berth::cli
