#include <gtest/gtest.h>

#include "apiserver/human_duration.h"
#include "apiserver/pod_strategy.h"

namespace berth::apiserver {
namespace {

using nlohmann::json;

const Clock::WallTime kNow = *parseRfc3339("2024-05-01T12:00:00Z");

json pod(json status, json spec = nullptr) {
  if (spec.is_null()) {
    spec = {{"containers", {{{"name", "main"}, {"image", "busybox"}}}}};
  }
  return {{"metadata", {{"name", "web"}, {"creationTimestamp", "2024-05-01T11:57:00Z"}}},
          {"spec", spec},
          {"status", status}};
}

json running(bool ready = true, int restarts = 0) {
  return {{"name", "main"},
          {"ready", ready},
          {"restartCount", restarts},
          {"state", {{"running", {{"startedAt", "2024-05-01T11:58:00Z"}}}}}};
}

std::string statusOf(const json& p) {
  return podRow(p, kNow)[2].get<std::string>();
}

TEST(PodTableTest, ColumnsMatchKubectl) {
  auto columns = podColumns();
  ASSERT_EQ(columns.size(), 9u);
  EXPECT_EQ(columns[0].name, "Name");
  EXPECT_EQ(columns[0].format, "name");
  std::vector<std::string> names;
  for (const auto& c : columns) {
    names.push_back(c.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age", "IP",
                                             "Node", "Nominated Node", "Readiness Gates"}));
  EXPECT_EQ(columns[4].priority, 0);
  EXPECT_EQ(columns[5].priority, 1);
  EXPECT_EQ(columns[8].priority, 1);
}

TEST(PodTableTest, RunningPodRow) {
  json p = pod({{"phase", "Running"},
                {"podIPs", {{{"ip", "10.244.0.5"}}}},
                {"containerStatuses", {running()}}});
  p["spec"]["nodeName"] = "node-1";
  auto row = podRow(p, kNow);
  ASSERT_EQ(row.size(), 9u);
  EXPECT_EQ(row[0], "web");
  EXPECT_EQ(row[1], "1/1");
  EXPECT_EQ(row[2], "Running");
  EXPECT_EQ(row[3], "0");
  EXPECT_EQ(row[4], "3m");
  EXPECT_EQ(row[5], "10.244.0.5");
  EXPECT_EQ(row[6], "node-1");
  EXPECT_EQ(row[7], "<none>");
  EXPECT_EQ(row[8], "<none>");
}

TEST(PodTableTest, PendingWithoutStatusesShowsPhaseAndNone) {
  auto row = podRow(pod({{"phase", "Pending"}}), kNow);
  EXPECT_EQ(row[1], "0/1");
  EXPECT_EQ(row[2], "Pending");
  EXPECT_EQ(row[5], "<none>");
  EXPECT_EQ(row[6], "<none>");
}

TEST(PodTableTest, WaitingReasons) {
  json creating = {{"name", "main"},
                   {"ready", false},
                   {"restartCount", 0},
                   {"state", {{"waiting", {{"reason", "ContainerCreating"}}}}}};
  EXPECT_EQ(statusOf(pod({{"phase", "Pending"}, {"containerStatuses", {creating}}})),
            "ContainerCreating");
  json crash = {
      {"name", "main"},
      {"ready", false},
      {"restartCount", 4},
      {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}},
      {"lastState",
       {{"terminated",
         {{"exitCode", 1}, {"reason", "Error"}, {"finishedAt", "2024-05-01T11:59:00Z"}}}}}};
  auto row = podRow(pod({{"phase", "Running"}, {"containerStatuses", {crash}}}), kNow);
  EXPECT_EQ(row[1], "0/1");
  EXPECT_EQ(row[2], "CrashLoopBackOff");
  EXPECT_EQ(row[3], "4 (60s ago)");
}

TEST(PodTableTest, TerminatedReasons) {
  auto terminated = [](json state) {
    return json{{"name", "main"},
                {"ready", false},
                {"restartCount", 0},
                {"state", {{"terminated", state}}}};
  };
  EXPECT_EQ(statusOf(pod(
                {{"phase", "Succeeded"},
                 {"containerStatuses", {terminated({{"exitCode", 0}, {"reason", "Completed"}})}}})),
            "Completed");
  EXPECT_EQ(
      statusOf(pod({{"phase", "Failed"},
                    {"containerStatuses", {terminated({{"exitCode", 1}, {"reason", "Error"}})}}})),
      "Error");
  EXPECT_EQ(statusOf(pod({{"phase", "Failed"},
                          {"containerStatuses",
                           {terminated({{"exitCode", 137}, {"reason", "OOMKilled"}})}}})),
            "OOMKilled");
  EXPECT_EQ(
      statusOf(pod({{"phase", "Failed"}, {"containerStatuses", {terminated({{"exitCode", 2}})}}})),
      "ExitCode:2");
  EXPECT_EQ(statusOf(pod({{"phase", "Failed"},
                          {"containerStatuses", {terminated({{"exitCode", 0}, {"signal", 9}})}}})),
            "Signal:9");
}

TEST(PodTableTest, CompletedWithARunningContainerIsRunningOrNotReady) {
  json spec = {
      {"containers", {{{"name", "a"}, {"image", "x"}}, {{"name", "main"}, {"image", "x"}}}}};
  json done = {{"name", "a"},
               {"ready", false},
               {"restartCount", 0},
               {"state", {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}}}};
  // Statuses are walked from the last, so "a" (first) decides the reason.
  json status = {{"phase", "Running"}, {"containerStatuses", {done, running()}}};
  EXPECT_EQ(statusOf(pod(status, spec)), "NotReady");
  status["conditions"] = {{{"type", "Ready"}, {"status", "True"}}};
  auto row = podRow(pod(status, spec), kNow);
  EXPECT_EQ(row[2], "Running");
  EXPECT_EQ(row[1], "1/2");
}

TEST(PodTableTest, InitContainers) {
  json spec = {{"initContainers", {{{"name", "init"}, {"image", "x"}}}},
               {"containers", {{{"name", "main"}, {"image", "x"}}}}};
  json initRunning = {{"name", "init"},
                      {"ready", false},
                      {"restartCount", 0},
                      {"state", {{"running", {{"startedAt", "2024-05-01T11:58:00Z"}}}}}};
  json mainWaiting = {{"name", "main"},
                      {"ready", false},
                      {"restartCount", 0},
                      {"state", {{"waiting", {{"reason", "PodInitializing"}}}}}};
  json status = {{"phase", "Pending"},
                 {"initContainerStatuses", {initRunning}},
                 {"containerStatuses", {mainWaiting}}};
  EXPECT_EQ(statusOf(pod(status, spec)), "Init:0/1");

  json initFailed = initRunning;
  initFailed["state"] = {{"terminated", {{"exitCode", 1}, {"reason", "Error"}}}};
  status["initContainerStatuses"] = {initFailed};
  EXPECT_EQ(statusOf(pod(status, spec)), "Init:Error");

  json initBackoff = initRunning;
  initBackoff["state"] = {{"waiting", {{"reason", "CrashLoopBackOff"}}}};
  status["initContainerStatuses"] = {initBackoff};
  EXPECT_EQ(statusOf(pod(status, spec)), "Init:CrashLoopBackOff");

  json initDone = initRunning;
  initDone["state"] = {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}};
  status["initContainerStatuses"] = {initDone};
  status["containerStatuses"] = {running()};
  status["phase"] = "Running";
  EXPECT_EQ(statusOf(pod(status, spec)), "Running");
}

TEST(PodTableTest, SidecarInitContainerCountsAsContainer) {
  json spec = {
      {"initContainers", {{{"name", "proxy"}, {"image", "x"}, {"restartPolicy", "Always"}}}},
      {"containers", {{{"name", "main"}, {"image", "x"}}}}};
  json sidecar = {{"name", "proxy"},
                  {"ready", true},
                  {"started", true},
                  {"restartCount", 1},
                  {"state", {{"running", {{"startedAt", "2024-05-01T11:58:00Z"}}}}}};
  json status = {{"phase", "Running"},
                 {"initContainerStatuses", {sidecar}},
                 {"containerStatuses", {running()}},
                 {"conditions", {{{"type", "Initialized"}, {"status", "True"}}}}};
  auto row = podRow(pod(status, spec), kNow);
  EXPECT_EQ(row[1], "2/2");
  EXPECT_EQ(row[2], "Running");
  EXPECT_EQ(row[3], "1");
}

TEST(PodTableTest, TerminatingAndNodeLost) {
  json p = pod({{"phase", "Running"}, {"containerStatuses", {running()}}});
  p["metadata"]["deletionTimestamp"] = "2024-05-01T11:59:30Z";
  EXPECT_EQ(statusOf(p), "Terminating");
  p["status"]["reason"] = "NodeLost";
  EXPECT_EQ(statusOf(p), "Unknown");
  json done = pod({{"phase", "Succeeded"}});
  done["metadata"]["deletionTimestamp"] = "2024-05-01T11:59:30Z";
  EXPECT_EQ(statusOf(done), "Succeeded");
}

TEST(PodTableTest, ReadyCountsAndRestartsAcrossContainers) {
  json spec = {{"containers",
                {{{"name", "a"}, {"image", "x"}},
                 {{"name", "b"}, {"image", "x"}},
                 {{"name", "c"}, {"image", "x"}}}}};
  json a = running(true, 1);
  a["name"] = "a";
  a["lastState"] = {{"terminated", {{"exitCode", 1}, {"finishedAt", "2024-05-01T11:00:00Z"}}}};
  json b = running(false, 2);
  b["name"] = "b";
  b["lastState"] = {{"terminated", {{"exitCode", 1}, {"finishedAt", "2024-05-01T11:55:00Z"}}}};
  json c = running(true, 0);
  c["name"] = "c";
  auto row = podRow(pod({{"phase", "Running"}, {"containerStatuses", {a, b, c}}}, spec), kNow);
  EXPECT_EQ(row[1], "2/3");
  EXPECT_EQ(row[3], "3 (5m ago)");
  // Restarts without a recorded termination print the bare count.
  json d = running(true, 2);
  auto plain = podRow(pod({{"phase", "Running"}, {"containerStatuses", {d}}}), kNow);
  EXPECT_EQ(plain[3], "2");
}

TEST(PodTableTest, ReadinessGatesAndNominatedNode) {
  json p = pod({{"phase", "Running"},
                {"nominatedNodeName", "node-2"},
                {"conditions", {{{"type", "example.com/ready"}, {"status", "True"}}}},
                {"containerStatuses", {running()}}});
  p["spec"]["readinessGates"] = {{{"conditionType", "example.com/ready"}},
                                 {{"conditionType", "example.com/other"}}};
  auto row = podRow(p, kNow);
  EXPECT_EQ(row[7], "node-2");
  EXPECT_EQ(row[8], "1/2");
}

}  // namespace
}  // namespace berth::apiserver
