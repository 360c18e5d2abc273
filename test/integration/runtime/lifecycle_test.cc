#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include <regex>

#include "agent/runtime/cgroups.h"
#include "base/files.h"
#include "runtime_fixture.h"

namespace berth::runtime::testing {
namespace {

using ::testing::HasSubstr;

std::string readAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return out;
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

TEST_F(RuntimeTest, EchoHelloIsLoggedAndExitsZero) {
  auto spec = makeSpec({"sh", "-c", "echo hello; echo oops >&2"});
  auto started = start(spec);
  ASSERT_TRUE(started) << started.error().message();
  EXPECT_GT(started->pid, 0);
  auto s = waitExited(spec.dir);
  ASSERT_EQ(s.status, ContainerStatus::kExited) << s.message;
  EXPECT_EQ(s.exitCode, 0);
  EXPECT_EQ(s.signal, 0);
  EXPECT_FALSE(s.oomKilled);
  EXPECT_FALSE(s.startedAt.empty());
  EXPECT_FALSE(s.finishedAt.empty());
  std::string log = readLog(spec);
  std::regex stdoutLine(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F hello\n)");
  std::regex stderrLine(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stderr F oops\n)");
  EXPECT_TRUE(std::regex_search(log, stdoutLine)) << log;
  EXPECT_TRUE(std::regex_search(log, stderrLine)) << log;
  // The monitor's own log says where the start's time went.
  auto monitorLog = files::read(spec.dir / "monitor.log");
  ASSERT_TRUE(monitorLog);
  EXPECT_TRUE(std::regex_search(
      *monitorLog, std::regex(R"(started: set-up [0-9.]+ ms, create [0-9.]+ ms, start [0-9.]+ )"
                              R"(ms, record [0-9.]+ ms\n)")))
      << *monitorLog;
  // The monitor deletes the container from the runtime after recording the exit.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (runtime_->listIds().value_or(std::vector<std::string>{"?"}).size() > 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_THAT(*runtime_->listIds(), ::testing::IsEmpty());
}

TEST_F(RuntimeTest, ExitCodeIsReported) {
  auto spec = makeSpec({"sh", "-c", "exit 3"});
  ASSERT_TRUE(start(spec));
  auto s = waitExited(spec.dir);
  ASSERT_EQ(s.status, ContainerStatus::kExited);
  EXPECT_EQ(s.exitCode, 3);
}

TEST_F(RuntimeTest, MissingExecutableFailsAndLeavesNothing) {
  auto spec = makeSpec({"nope"});
  auto started = start(spec);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(started.error().message(), "executable file 'nope' not found in $PATH");
  auto s = runtime_->state(spec.dir);
  EXPECT_EQ(s.status, ContainerStatus::kFailed);
  EXPECT_THAT(s.message, HasSubstr("'nope'"));
  auto ids = runtime_->listIds();
  ASSERT_TRUE(ids) << ids.error().message();
  EXPECT_THAT(*ids, ::testing::IsEmpty());
  EXPECT_FALSE(cgroupExists(spec.cgroupsPath));
  EXPECT_THAT(processesMentioning(spec.dir.string()), ::testing::IsEmpty());
}

TEST_F(RuntimeTest, StopHonoursSigterm) {
  auto spec = makeSpec({"sh", "-c",
                        "trap 'echo bye; exit 0' TERM; echo ready; "
                        "while true; do sleep 0.1; done"});
  ASSERT_TRUE(start(spec));
  ASSERT_TRUE(waitLog(spec, "ready"));
  auto t0 = std::chrono::steady_clock::now();
  auto stopped = runtime_->stop(spec.dir, std::chrono::seconds(10));
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(stopped) << stopped.error().message();
  EXPECT_LT(took, std::chrono::seconds(3));
  auto s = runtime_->state(spec.dir);
  ASSERT_EQ(s.status, ContainerStatus::kExited);
  EXPECT_EQ(s.exitCode, 0);
  EXPECT_THAT(logMessages(spec), ::testing::Contains("bye"));
}

TEST_F(RuntimeTest, StopKillsAfterGrace) {
  auto spec = makeSpec({"sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done"});
  ASSERT_TRUE(start(spec));
  ASSERT_TRUE(waitLog(spec, "ready"));
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(runtime_->stop(spec.dir, std::chrono::milliseconds(700)));
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, std::chrono::milliseconds(700));
  EXPECT_LT(took, std::chrono::seconds(4));
  auto s = runtime_->state(spec.dir);
  ASSERT_EQ(s.status, ContainerStatus::kExited);
  EXPECT_EQ(s.exitCode, 137);
  EXPECT_EQ(s.signal, SIGKILL);
}

TEST_F(RuntimeTest, ContainerSurvivesRuntimeRestart) {
  auto spec =
      makeSpec({"sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.05; done"});
  auto started = start(spec);
  ASSERT_TRUE(started) << started.error().message();
  pid_t pid = started->pid;
  ASSERT_TRUE(waitLog(spec, "tick 1"));
  runtime_.reset();  // the "agent" goes away
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  size_t before = readLog(spec).size();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_GT(readLog(spec).size(), before) << "the monitor stopped logging";
  runtime_ = makeRuntime();
  auto s = runtime_->state(spec.dir);
  EXPECT_EQ(s.status, ContainerStatus::kRunning) << s.message;
  EXPECT_EQ(s.pid, pid);
  ASSERT_TRUE(runtime_->stop(spec.dir, std::chrono::seconds(1)));
  EXPECT_EQ(runtime_->state(spec.dir).status, ContainerStatus::kExited);
}

TEST_F(RuntimeTest, ExecReturnsOutputAndExitCode) {
  auto spec = makeSpec({"sleep", "60"});
  ASSERT_TRUE(start(spec));
  ExecOptions o;
  o.command = {"sh", "-c", "echo out $FOO; echo err >&2; exit 4"};
  o.env = {"FOO=bar"};
  auto session = runtime_->exec(spec.dir, o);
  ASSERT_TRUE(session) << session.error().message();
  EXPECT_EQ(session->stdinFd, -1);
  std::string out = readAll(session->stdoutFd);
  std::string err = readAll(session->stderrFd);
  auto code = runtime_->waitExec(*session);
  ::close(session->stdoutFd);
  ::close(session->stderrFd);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 4);
  EXPECT_EQ(out, "out bar\n");
  EXPECT_EQ(err, "err\n");

  ExecOptions withStdin;
  withStdin.command = {"cat"};
  withStdin.stdin = true;
  auto cat = runtime_->exec(spec.dir, withStdin);
  ASSERT_TRUE(cat) << cat.error().message();
  ASSERT_EQ(::write(cat->stdinFd, "ping\n", 5), 5);
  ::close(cat->stdinFd);
  EXPECT_EQ(readAll(cat->stdoutFd), "ping\n");
  EXPECT_EQ(*runtime_->waitExec(*cat), 0);
  ::close(cat->stdoutFd);
  ::close(cat->stderrFd);

  // Without a terminal there is nothing to resize.
  EXPECT_FALSE(runtime_->resizeExec(*cat, 24, 80));
}

TEST_F(RuntimeTest, ExecWithTerminal) {
  auto spec = makeSpec({"sleep", "60"});
  ASSERT_TRUE(start(spec));
  ExecOptions o;
  o.command = {"sh", "-c", "read line; tty; echo got $line; stty size; exit 7"};
  o.tty = true;
  o.stdin = true;
  auto session = runtime_->exec(spec.dir, o);
  ASSERT_TRUE(session) << session.error().message();
  EXPECT_EQ(session->stderrFd, -1);
  ASSERT_GE(session->stdinFd, 0);
  EXPECT_TRUE(runtime_->resizeExec(*session, 33, 101));
  ASSERT_EQ(::write(session->stdinFd, "hello\n", 6), 6);
  // The terminal echoes input and turns "\n" into "\r\n"; it reads EIO once the process ends.
  std::string out = readAll(session->stdoutFd);
  EXPECT_EQ(*runtime_->waitExec(*session), 7);
  ::close(session->stdinFd);
  ::close(session->stdoutFd);
  EXPECT_THAT(out, HasSubstr("/dev/pts/"));
  EXPECT_THAT(out, HasSubstr("got hello\r\n"));
  EXPECT_THAT(out, HasSubstr("33 101"));

  ExecOptions missing;
  missing.command = {"nope"};
  missing.tty = true;
  auto failed = runtime_->exec(spec.dir, missing);
  if (failed) {
    // The runtime reports it through the terminal and the exit code.
    readAll(failed->stdoutFd);
    EXPECT_NE(*runtime_->waitExec(*failed), 0);
    ::close(failed->stdoutFd);
  } else {
    EXPECT_THAT(failed.error().message(), HasSubstr("nope"));
  }
}

TEST_F(RuntimeTest, ExecInStoppedContainerIsConflict) {
  auto spec = makeSpec({"true"});
  ASSERT_TRUE(start(spec));
  waitExited(spec.dir);
  ExecOptions o;
  o.command = {"true"};
  auto r = runtime_->exec(spec.dir, o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kConflict);
}

TEST_F(RuntimeTest, ListIdsAndForceDelete) {
  auto spec = makeSpec({"sleep", "60"});
  ASSERT_TRUE(start(spec));
  auto ids = runtime_->listIds();
  ASSERT_TRUE(ids) << ids.error().message();
  EXPECT_THAT(*ids, ::testing::ElementsAre(spec.id));
  ASSERT_TRUE(runtime_->forceDelete(spec.id));
  auto s = waitExited(spec.dir);
  EXPECT_EQ(s.status, ContainerStatus::kExited);
  EXPECT_EQ(s.exitCode, 137);
  EXPECT_THAT(*runtime_->listIds(), ::testing::IsEmpty());
}

TEST_F(RuntimeTest, RemoveCleansUpARunningContainer) {
  auto spec = makeSpec({"sleep", "60"});
  auto started = start(spec);
  ASSERT_TRUE(started);
  ASSERT_TRUE(runtime_->remove(spec.dir));
  EXPECT_FALSE(files::exists(spec.dir));
  EXPECT_TRUE(files::exists(spec.logPath));
  EXPECT_FALSE(cgroupExists(spec.cgroupsPath));
  EXPECT_THAT(*runtime_->listIds(), ::testing::IsEmpty());
  EXPECT_THAT(processesMentioning(spec.dir.string()), ::testing::IsEmpty());
  EXPECT_EQ(runtime_->state(spec.dir).status, ContainerStatus::kUnknown);
  // Removing twice is fine.
  EXPECT_TRUE(runtime_->remove(spec.dir));
}

TEST_F(RuntimeTest, WorksWithRunc) {
  runtime_ = makeRuntime("runc");
  auto spec = makeSpec({"sh", "-c", "echo from runc; exit 5"});
  auto started = start(spec);
  ASSERT_TRUE(started) << started.error().message();
  auto s = waitExited(spec.dir);
  ASSERT_EQ(s.status, ContainerStatus::kExited) << s.message;
  EXPECT_EQ(s.exitCode, 5);
  EXPECT_THAT(logMessages(spec), ::testing::Contains("from runc"));

  auto missing = makeSpec({"nope"});
  auto failed = start(missing);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message(), "executable file 'nope' not found in $PATH");
  EXPECT_FALSE(cgroupExists(missing.cgroupsPath));
}

}  // namespace
}  // namespace berth::runtime::testing
