#pragma once

// Fakes for the node server tests: a ContainerLocator over a table the test fills, and a
// Runtime whose exec runs the command directly on the host with pipes.

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <mutex>

#include "agent/container_locator.h"
#include "agent/runtime/runtime.h"

namespace berth::agent::testing {

class FakeLocator : public ContainerLocator {
 public:
  void set(const std::string& ns, const std::string& pod, ContainerLocation location) {
    std::lock_guard lock(mu_);
    table_[ns + "/" + pod] = std::move(location);
  }
  void setRunning(const std::string& ns, const std::string& pod, bool running) {
    std::lock_guard lock(mu_);
    table_[ns + "/" + pod].running = running;
  }
  Result<ContainerLocation> locate(const std::string& ns, const std::string& pod,
                                   const std::string& container) override {
    std::lock_guard lock(mu_);
    auto it = table_.find(ns + "/" + pod);
    if (it == table_.end()) {
      return fail(ErrorCode::kNotFound, "pod '{}/{}' not found", ns, pod);
    }
    if (!container.empty() && container != it->second.container) {
      return fail(ErrorCode::kNotFound, "container '{}' is not valid for pod '{}'", container, pod);
    }
    return it->second;
  }

 private:
  std::mutex mu_;
  std::map<std::string, ContainerLocation> table_;
};

class HostExecRuntime : public runtime::Runtime {
 public:
  Result<runtime::ContainerState> start(const runtime::ContainerSpec&) override {
    return fail(ErrorCode::kInternal, "not supported");
  }
  runtime::ContainerState state(const std::filesystem::path&) override { return {}; }
  Status stop(const std::filesystem::path&, std::chrono::milliseconds) override { return ok(); }
  Status remove(const std::filesystem::path&) override { return ok(); }
  Result<std::vector<std::string>> listIds() override { return std::vector<std::string>{}; }
  Status forceDelete(const std::string&) override { return ok(); }

  Result<runtime::ExecSession> exec(const std::filesystem::path&,
                                    const runtime::ExecOptions& options) override {
    int in[2] = {-1, -1};
    int out[2];
    int err[2];
    if ((options.stdin && pipe2(in, O_CLOEXEC) != 0) || pipe2(out, O_CLOEXEC) != 0 ||
        pipe2(err, O_CLOEXEC) != 0) {
      return fail(errnoError(errno, "pipe2"));
    }
    std::vector<char*> argv;
    for (const std::string& arg : options.command) {
      argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = open("/dev/null", O_RDONLY);
      dup2(options.stdin ? in[0] : devnull, 0);
      dup2(out[1], 1);
      dup2(err[1], 2);
      close_range(3, ~0U, 0);
      execvp(argv[0], argv.data());
      _exit(127);
    }
    if (options.stdin) {
      close(in[0]);
    }
    close(out[1]);
    close(err[1]);
    lastPid_ = pid;
    return runtime::ExecSession{pid, options.stdin ? in[1] : -1, out[0], err[0]};
  }

  Result<int> waitExec(const runtime::ExecSession& session) override {
    int status = 0;
    if (waitpid(session.pid, &status, 0) < 0) {
      return fail(errnoError(errno, "waitpid"));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  pid_t lastPid() const { return lastPid_; }

 private:
  std::atomic<pid_t> lastPid_ = 0;
};

}  // namespace berth::agent::testing
