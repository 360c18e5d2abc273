#pragma once

// A real `berth server` or `berth up` for end-to-end tests: started on a free port with its own
// data dir, found through the kubeconfig it writes, stopped by PID (SIGTERM, then SIGKILL), and
// driven with the real kubectl (a private discovery cache per process).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "base/process.h"

namespace berth::testing {

class BerthProcess {
 public:
  // `args`: the subcommand and its flags, e.g. {"server", "--listen", "127.0.0.1:0"}; the data
  // dir is added.
  BerthProcess(std::filesystem::path dataDir, std::vector<std::string> args)
      : dataDir_(std::move(dataDir)), args_(std::move(args)) {}
  ~BerthProcess() { stop(); }

  // Starts and waits up to `timeout` for the kubeconfig (written once the API serves).
  ::testing::AssertionResult start(std::chrono::seconds timeout = std::chrono::seconds(60)) {
    std::filesystem::create_directories(dataDir_);
    std::filesystem::remove(kubeconfig());
    std::vector<std::string> argv = {std::string(BERTH_BINARY_DIR) + "/berth", "--log-level",
                                     "debug"};
    argv.insert(argv.end(), args_.begin(), args_.end());
    argv.push_back("--data-dir");
    argv.push_back(dataDir_.string());
    pid_ = fork();
    if (pid_ == 0) {
      int log = open((dataDir_.string() + ".log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(log, 1);
      dup2(log, 2);
      std::vector<char*> cargv;
      for (auto& a : argv) {
        cargv.push_back(a.data());
      }
      cargv.push_back(nullptr);
      execv(cargv[0], cargv.data());
      _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (std::filesystem::exists(kubeconfig())) {
        return ::testing::AssertionSuccess();
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return ::testing::AssertionFailure() << "berth exited early; log:\n" << log();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return ::testing::AssertionFailure() << "no kubeconfig after the timeout; log:\n" << log();
  }

  // SIGTERM, then SIGKILL after 20 s.
  void stop() { signalAndWait(SIGTERM, std::chrono::seconds(20)); }
  // SIGKILL at once (a crash).
  void kill9() { signalAndWait(SIGKILL, std::chrono::seconds(5)); }

  std::filesystem::path kubeconfig() const { return dataDir_ / "kubeconfig"; }
  const std::filesystem::path& dataDir() const { return dataDir_; }
  std::string log() const {
    std::ifstream in(dataDir_.string() + ".log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // Runs kubectl against this server.
  process::Outcome kubectl(const std::vector<std::string>& args,
                           std::optional<std::string> input = std::nullopt) const {
    std::vector<std::string> argv = {"kubectl", "--kubeconfig", kubeconfig().string(),
                                     "--cache-dir", (dataDir_ / "kube-cache").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    process::Options options;
    options.input = std::move(input);
    options.timeout = std::chrono::seconds(120);
    options.env["HOME"] = dataDir_.string();
    auto outcome = process::run(argv, options);
    if (!outcome) {
      ADD_FAILURE() << "kubectl did not run: " << outcome.error().message();
      return {};
    }
    return *outcome;
  }

 private:
  void signalAndWait(int signal, std::chrono::seconds grace) {
    if (pid_ <= 0) {
      return;
    }
    ::kill(pid_, signal);
    auto deadline = std::chrono::steady_clock::now() + grace;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
  }

  std::filesystem::path dataDir_;
  std::vector<std::string> args_;
  pid_t pid_ = -1;
};

// Polls `check` every 100 ms until it returns true or `timeout` passes.
template <typename F>
bool eventually(F check, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (check()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return check();
}

}  // namespace berth::testing
