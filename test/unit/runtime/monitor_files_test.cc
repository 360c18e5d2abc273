#include "agent/runtime/monitor_files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>

#include "agent/runtime/oci_runtime.h"
#include "agent/runtime/process_util.h"

namespace berth::runtime {
namespace {

TEST(MonitorFilesTest, RoundTrips) {
  MonitorRequest req{"c1", "crun", "/run/b", "/logs/0.log", 1000, 2, "/berth/c1"};
  auto r = decodeMonitorRequest(encode(req));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, "c1");
  EXPECT_EQ(r->runtimePath, "crun");
  EXPECT_EQ(r->stateRoot, "/run/b");
  EXPECT_EQ(r->logPath, "/logs/0.log");
  EXPECT_EQ(r->logMaxBytes, 1000);
  EXPECT_EQ(r->logMaxFiles, 2);
  EXPECT_EQ(r->cgroupsPath, "/berth/c1");
  EXPECT_FALSE(r->cpuQuota);  // no limit asked, none written

  req.cpuQuota = CpuQuota{1000, 100000};
  r = decodeMonitorRequest(encode(req));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->cpuQuota, (CpuQuota{1000, 100000}));

  StartedRecord st{{42, 1234}, "2026-11-29T03:57:25.123456789Z", {7, 99}};
  auto s = decodeStarted(encode(st));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->process.pid, 42);
  EXPECT_EQ(s->process.startTime, 1234u);
  EXPECT_EQ(s->monitor.pid, 7);
  EXPECT_EQ(s->monitor.startTime, 99u);
  EXPECT_EQ(s->startedAt, "2026-11-29T03:57:25.123456789Z");

  auto e = decodeExited(encode(ExitedRecord{137, 9, true, "t"}));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->exitCode, 137);
  EXPECT_EQ(e->signal, 9);
  EXPECT_TRUE(e->oomKilled);

  auto err = decodeError(encode(ErrorRecord{"not-found", "executable file 'x' not found"}));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, "not-found");
  EXPECT_EQ(err->message, "executable file 'x' not found");
}

TEST(MonitorFilesTest, MalformedIsNullopt) {
  EXPECT_FALSE(decodeStarted("{"));
  EXPECT_FALSE(decodeStarted("[]"));
  EXPECT_FALSE(decodeStarted(R"({"pid":"x"})"));
  EXPECT_FALSE(decodeExited("{}"));
  EXPECT_FALSE(decodeMonitorRequest(R"({"id":"x"})"));
}

TEST(MonitorFilesTest, Timestamps) {
  EXPECT_TRUE(
      std::regex_match(nowRfc3339Nano(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z)")));
  EXPECT_EQ(toSeconds("2026-11-29T03:57:25.123456789Z"), "2026-11-29T03:57:25Z");
  EXPECT_EQ(toSeconds("2026-11-29T03:57:25Z"), "2026-11-29T03:57:25Z");
}

TEST(MonitorFilesTest, AtomicWriteDoesNotCreateDirectories) {
  char pattern[] = "/tmp/berth-mf-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  std::filesystem::path dir = pattern;
  EXPECT_EQ(writeFileAtomic(dir / "a.json", "{}"), 0);
  EXPECT_EQ(readFile(dir / "a.json"), "{}");
  EXPECT_EQ(writeFileAtomic(dir / "gone" / "a.json", "{}"), ENOENT);
  std::filesystem::remove_all(dir);
}

TEST(ProcessUtilTest, IdentifiesProcesses) {
  ProcessId self = currentProcessId(::getpid());
  EXPECT_GT(self.startTime, 0u);
  EXPECT_TRUE(isRunning(self));
  EXPECT_FALSE(isRunning(ProcessId{::getpid(), self.startTime + 1}));
  EXPECT_FALSE(isRunning(ProcessId{0, 0}));
  EXPECT_EQ(openPidfd(ProcessId{::getpid(), self.startTime + 1}), -1);
}

TEST(ProcessUtilTest, SpawnPassesOnlyChosenFds) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  int leaked = ::open("/dev/null", O_RDONLY);  // without O_CLOEXEC: must still not leak
  SpawnOptions o;
  o.stdoutFd = p[1];
  pid_t pid = spawnProcess({"sh", "-c", "ls /proc/self/fd | wc -l"}, o);
  ASSERT_GT(pid, 0);
  ::close(p[1]);
  char buf[64] = {};
  ASSERT_GT(::read(p[0], buf, sizeof(buf) - 1), 0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(exitCodeOf(status), 0);
  // 0, 1, 2 and the fd ls opens for /proc/self/fd.
  EXPECT_EQ(std::atoi(buf), 4);
  ::close(p[0]);
  ::close(leaked);
  EXPECT_EQ(spawnProcess({"/nonexistent/prog"}, {}), -ENOENT);
}

}  // namespace
}  // namespace berth::runtime
