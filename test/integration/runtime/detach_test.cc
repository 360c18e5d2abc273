#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include "agent/runtime/oci_runtime.h"
#include "agent/runtime/process_util.h"
#include "runtime_fixture.h"

namespace berth::runtime::testing {
namespace {

pid_t parentOf(pid_t pid) {
  auto stat = files::read("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) {
    return -1;
  }
  auto close = stat->rfind(')');
  int ppid = -1;
  std::sscanf(stat->c_str() + close + 2, "%*c %d", &ppid);
  return ppid;
}

// The targets of a process's open fds.
std::vector<std::string> openFiles(pid_t pid) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    std::error_code ec;
    out.push_back(fs::read_symlink(e.path(), ec).string());
  }
  return out;
}

TEST_F(RuntimeTest, ContainerSurvivesAgentSigkill) {
  auto spec =
      makeSpec({"sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.05; done"});
  started_.push_back(spec.dir);
  // An fd the "agent" holds without O_CLOEXEC: the monitor must not inherit it.
  fs::path marker = tmp_ / "agent-private-file";
  int privateFd = ::open(marker.c_str(), O_WRONLY | O_CREAT, 0600);
  ASSERT_GE(privateFd, 0);
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  pid_t agent = ::fork();
  ASSERT_GE(agent, 0);
  if (agent == 0) {
    // The "agent": starts the container, reports, then waits to be killed.
    ::close(report[0]);
    auto runtime = makeRuntime();
    auto started = runtime->start(spec);
    char c = started ? '1' : '0';
    (void)!::write(report[1], &c, 1);
    ::pause();
    ::_exit(0);
  }
  ::close(report[1]);
  char c = 0;
  ASSERT_EQ(::read(report[0], &c, 1), 1);
  ::close(report[0]);
  ASSERT_EQ(c, '1');
  ASSERT_TRUE(waitLog(spec, "tick 1"));
  ::kill(agent, SIGKILL);
  int status = 0;
  ::waitpid(agent, &status, 0);
  ::close(privateFd);

  auto files = readContainerFiles(spec.dir);
  ASSERT_TRUE(files.started);
  pid_t monitor = files.started->monitor.pid;
  EXPECT_TRUE(isRunning(files.started->monitor));
  // The container init was reparented to its monitor (a child subreaper).
  EXPECT_EQ(parentOf(files.started->process.pid), monitor);
  for (const auto& f : openFiles(monitor)) {
    EXPECT_NE(f, marker.string());
  }
  size_t before = readLog(spec).size();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_GT(readLog(spec).size(), before) << "the monitor stopped logging";
  auto s = runtime_->state(spec.dir);
  EXPECT_EQ(s.status, ContainerStatus::kRunning) << s.message;
  ASSERT_TRUE(runtime_->stop(spec.dir, std::chrono::milliseconds(100)));
  EXPECT_EQ(runtime_->state(spec.dir).status, ContainerStatus::kExited);
}

TEST_F(RuntimeTest, ContainerKeepsRunningWhenMonitorDies) {
  auto spec = makeSpec({"sleep", "60"});
  ASSERT_TRUE(start(spec));
  auto files = readContainerFiles(spec.dir);
  ASSERT_TRUE(files.started);
  ::kill(files.started->monitor.pid, SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  reapIfChild(files.started->monitor.pid);
  EXPECT_EQ(runtime_->state(spec.dir).status, ContainerStatus::kRunning);
  // Nobody reaps or records it now: the exit status is unknown.
  ASSERT_TRUE(runtime_->stop(spec.dir, std::chrono::milliseconds(0)));
  auto s = runtime_->state(spec.dir);
  EXPECT_EQ(s.status, ContainerStatus::kExited);
  EXPECT_EQ(s.exitCode, 255);
  EXPECT_FALSE(s.message.empty());
}

TEST_F(RuntimeTest, DuplicateIdIsRejectedAndLeavesTheFirstAlone) {
  auto first = makeSpec({"sleep", "60"});
  ASSERT_TRUE(start(first));
  auto second = makeSpec({"sleep", "60"});
  second.id = first.id;
  auto r = start(second);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(runtime_->state(first.dir).status, ContainerStatus::kRunning);
  // Starting again in a dir whose container runs is refused too.
  auto again = start(first);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(runtime_->state(first.dir).status, ContainerStatus::kRunning);
}

TEST_F(RuntimeTest, RestartInTheSameDir) {
  auto spec = makeSpec({"sh", "-c", "echo run"});
  ASSERT_TRUE(start(spec));
  ASSERT_EQ(waitExited(spec.dir).status, ContainerStatus::kExited);
  // The monitor deletes the runtime container after writing exited.json; wait for that.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!runtime_->listIds()->empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto restarted = start(spec);
  ASSERT_TRUE(restarted) << restarted.error().message();
  ASSERT_EQ(waitExited(spec.dir).status, ContainerStatus::kExited);
  EXPECT_EQ(logMessages(spec), (std::vector<std::string>{"run", "run"}));
}

}  // namespace
}  // namespace berth::runtime::testing
