#pragma once

// What the controllers' server tests run against: a real API server in this process, on a free
// loopback port with a data dir of its own, and a client holding the controller manager's token.
// No agent: pods stay unbound unless a test binds them or writes their status itself.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "apiserver/api_server.h"
#include "base/clock.h"
#include "client/api_client.h"

namespace berth::controllers::testing {

class TestApiServer {
 public:
  // `name` prefixes the data dir under the temp directory.
  explicit TestApiServer(const std::string& name)
      : dir_(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {}
  ~TestApiServer() {
    if (server_) {
      server_->stop();
    }
    client_.reset();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  ::testing::AssertionResult start() {
    std::filesystem::create_directories(dir_);
    apiserver::ApiServerOptions options;
    options.dataDir = dir_;
    options.listen = "127.0.0.1:0";
    options.threads = 4;
    server_ = std::make_unique<apiserver::ApiServer>(options, clock_);
    if (auto s = server_->start(); !s) {
      return ::testing::AssertionFailure() << "api server: " << s.error().message();
    }
    auto token = server_->tokenFor("system:kube-controller-manager", {"system:masters"});
    if (!token) {
      return ::testing::AssertionFailure() << "token: " << token.error().message();
    }
    client::ClientConfig config;
    config.server = server_->url();
    config.caFile = server_->caFile();
    config.token = *token;
    config.userAgent = "berth-controller-manager";
    client_ = std::make_unique<client::ApiClient>(config);
    return ::testing::AssertionSuccess();
  }

  apiserver::ApiServer& server() { return *server_; }
  client::ApiClient& client() { return *client_; }

 private:
  std::filesystem::path dir_;
  RealClock clock_;
  std::unique_ptr<apiserver::ApiServer> server_;
  std::unique_ptr<client::ApiClient> client_;
};

// Polls `done` every 50 ms for up to `timeout`, running `meanwhile` (e.g. the kubelet's part)
// between polls.
inline bool waitFor(const std::function<bool()>& done,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20),
                    const std::function<void()>& meanwhile = nullptr) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) {
      return true;
    }
    if (meanwhile) {
      meanwhile();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

}  // namespace berth::controllers::testing
