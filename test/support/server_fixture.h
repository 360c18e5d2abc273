#pragma once

// A test fixture with a `berth server` of its own (API server, scheduler, controllers; no
// nodes) on a free port and a data dir nobody else uses, and the real kubectl pointed at it.
// The server is stopped by PID and its data removed after each test; its log is printed when
// the test failed.

#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/random.h"
#include "support/berth_process.h"

namespace berth::testing {

class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = "/tmp/berth-server-" + randomHex(4);
    server_ = std::make_unique<BerthProcess>(
        dir_, std::vector<std::string>{"server", "--listen", "127.0.0.1:0"});
    ASSERT_TRUE(server_->start());
  }
  void TearDown() override {
    server_->stop();
    if (HasFailure()) {
      std::cerr << "server log:\n" << server_->log() << "\n";
    }
    std::filesystem::remove_all(dir_);
    std::filesystem::remove(dir_.string() + ".log");
  }

  process::Outcome kubectl(const std::vector<std::string>& args,
                           std::optional<std::string> input = std::nullopt) {
    return server_->kubectl(args, std::move(input));
  }
  // `kubectl ARGS -o json`, parsed (discarded JSON when it failed, with a test failure).
  nlohmann::json getJson(const std::vector<std::string>& args) {
    auto argv = args;
    argv.push_back("-o");
    argv.push_back("json");
    auto out = kubectl(argv);
    EXPECT_TRUE(out.succeeded()) << out.err;
    return nlohmann::json::parse(out.out, nullptr, false);
  }

  std::filesystem::path dir_;
  std::unique_ptr<BerthProcess> server_;
};

}  // namespace berth::testing
