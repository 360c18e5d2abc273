#pragma once

// Shared set-up of the runtime integration tests: a busybox root filesystem, a private runtime
// state root and unique container ids, cleaned up (remove()) even when a test fails.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "agent/runtime/runtime.h"
#include "base/files.h"
#include "base/process.h"
#include "base/random.h"

namespace berth::runtime::testing {

namespace fs = std::filesystem;

class RuntimeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  void SetUp() override;
  void TearDown() override;

  RuntimePtr makeRuntime(const std::string& runtimePath = "crun");

  // A spec for a new container running `args` with a unique id, dir, log and cgroup.
  ContainerSpec makeSpec(std::vector<std::string> args);

  // Starts and remembers the container for clean-up.
  Result<ContainerState> start(const ContainerSpec& spec);

  // Polls state() until `pred` holds or the timeout passes; returns the last state.
  ContainerState waitState(const std::filesystem::path& dir,
                           const std::function<bool(const ContainerState&)>& pred,
                           std::chrono::milliseconds timeout = std::chrono::seconds(20));
  ContainerState waitExited(const std::filesystem::path& dir);

  // The CRI log content of a container.
  std::string readLog(const ContainerSpec& spec);
  // The log's lines without their "<time> <stream> <tag> " prefixes, for `stream`.
  std::vector<std::string> logMessages(const ContainerSpec& spec,
                                       const std::string& stream = "stdout");
  // Waits until the log has a message containing `text`.
  bool waitLog(const ContainerSpec& spec, const std::string& text,
               std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Pids of processes whose command line mentions `text` (e.g. a unique container dir).
  static std::vector<pid_t> processesMentioning(const std::string& text);

  std::filesystem::path tmp_;
  std::filesystem::path rootfs_;
  std::filesystem::path stateRoot_;
  RuntimePtr runtime_;
  std::vector<std::filesystem::path> started_;
  std::string suffix_;
  int counter_ = 0;
};

std::string cgroupFile(const std::string& controller, const std::string& cgroupsPath,
                       const std::string& file);

inline void RuntimeTest::SetUpTestSuite() {
  auto prepared = prepareCgroups();
  ASSERT_TRUE(prepared) << prepared.error().message();
}

inline void RuntimeTest::SetUp() {
  ASSERT_EQ(::geteuid(), 0u) << "runtime integration tests need root";
  ASSERT_TRUE(files::exists(fs::path(BERTH_BINARY_DIR) / "berth-monitor"))
      << "build the berth-monitor target first";
  char pattern[] = "/tmp/berth-rt-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  tmp_ = pattern;
  suffix_ = randomHex(4);
  rootfs_ = tmp_ / "rootfs";
  stateRoot_ = tmp_ / "state";
  for (const char* d : {"bin", "proc", "sys", "dev", "tmp", "etc", "root"}) {
    fs::create_directories(rootfs_ / d);
  }
  fs::copy_file("/bin/busybox", rootfs_ / "bin/busybox");
  auto installed =
      process::runChecked({"chroot", rootfs_.string(), "/bin/busybox", "--install", "-s", "/bin"});
  ASSERT_TRUE(installed) << installed.error().message();
  ASSERT_TRUE(files::writeAtomic(rootfs_ / "etc/passwd",
                                 "root:x:0:0:root:/root:/bin/sh\n"
                                 "nobody:x:65534:65534:nobody:/:/bin/false\n"));
  ASSERT_TRUE(files::writeAtomic(rootfs_ / "etc/group", "root:x:0:\nnogroup:x:65534:\n"));
  ::chmod((rootfs_ / "tmp").c_str(), 01777);
  runtime_ = makeRuntime();
}

inline void RuntimeTest::TearDown() {
  auto cleaner = makeRuntime();
  for (const auto& dir : started_) {
    auto removed = cleaner->remove(dir);
    EXPECT_TRUE(removed) << removed.error().message();
  }
  std::error_code ec;
  fs::remove_all(tmp_, ec);
}

inline RuntimePtr RuntimeTest::makeRuntime(const std::string& runtimePath) {
  RuntimeOptions o;
  o.runtimePath = runtimePath;
  o.stateRoot = stateRoot_ / runtimePath;
  o.monitorPath = fs::path(BERTH_BINARY_DIR) / "berth-monitor";
  return makeOciRuntime(o);
}

inline ContainerSpec RuntimeTest::makeSpec(std::vector<std::string> args) {
  ContainerSpec spec;
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  for (auto& c : name) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  spec.id = "rt-" + name.substr(0, 40) + "-" + suffix_ + "-" + std::to_string(counter_++);
  spec.dir = tmp_ / "containers" / spec.id;
  spec.rootfs = rootfs_;
  spec.args = std::move(args);
  spec.env = {"PATH=/bin", "HOME=/root"};
  spec.hostname = "testhost";
  spec.cgroupsPath = "/berth-test-" + spec.id;  // no shared parent left behind
  spec.logPath = tmp_ / "logs" / (spec.id + ".log");
  return spec;
}

inline Result<ContainerState> RuntimeTest::start(const ContainerSpec& spec) {
  started_.push_back(spec.dir);
  return runtime_->start(spec);
}

inline ContainerState RuntimeTest::waitState(const fs::path& dir,
                                             const std::function<bool(const ContainerState&)>& pred,
                                             std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  ContainerState s = runtime_->state(dir);
  while (!pred(s) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    s = runtime_->state(dir);
  }
  return s;
}

inline ContainerState RuntimeTest::waitExited(const fs::path& dir) {
  return waitState(dir, [](const ContainerState& s) {
    return s.status == ContainerStatus::kExited || s.status == ContainerStatus::kFailed;
  });
}

inline std::string RuntimeTest::readLog(const ContainerSpec& spec) {
  return files::read(spec.logPath).value_or("");
}

inline std::vector<std::string> RuntimeTest::logMessages(const ContainerSpec& spec,
                                                         const std::string& stream) {
  std::vector<std::string> out;
  std::string text = readLog(spec);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    std::string line = text.substr(start, end - start);
    start = end + 1;
    // <time> <stream> <tag> <message>
    auto s1 = line.find(' ');
    auto s2 = line.find(' ', s1 + 1);
    auto s3 = line.find(' ', s2 + 1);
    if (s3 == std::string::npos || line.substr(s1 + 1, s2 - s1 - 1) != stream) {
      continue;
    }
    out.push_back(line.substr(s3 + 1));
  }
  return out;
}

inline bool RuntimeTest::waitLog(const ContainerSpec& spec, const std::string& text,
                                 std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (readLog(spec).find(text) != std::string::npos) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

inline std::vector<pid_t> RuntimeTest::processesMentioning(const std::string& text) {
  std::vector<pid_t> out;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    auto cmdline = files::read(entry.path() / "cmdline");
    if (!cmdline) {
      continue;
    }
    for (auto& c : *cmdline) {
      if (c == '\0') {
        c = ' ';
      }
    }
    if (cmdline->find(text) != std::string::npos) {
      out.push_back(std::stoi(name));
    }
  }
  return out;
}

inline std::string cgroupFile(const std::string& controller, const std::string& cgroupsPath,
                              const std::string& file) {
  auto text = files::read("/sys/fs/cgroup/" + controller + cgroupsPath + "/" + file);
  if (!text) {
    return "<" + text.error().message() + ">";
  }
  while (!text->empty() && text->back() == '\n') {
    text->pop_back();
  }
  return *text;
}

}  // namespace berth::runtime::testing
