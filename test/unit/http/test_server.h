#pragma once

// Starts an http::Server on an ephemeral loopback port for a test.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "http/server.h"

namespace berth::http::testing {

inline std::unique_ptr<Server> startServer(ServerOptions options, Router router) {
  options.host = "127.0.0.1";
  options.port = 0;
  auto server = std::make_unique<Server>(std::move(options), std::move(router));
  auto started = server->start();
  EXPECT_TRUE(started) << started.error().message();
  return server;
}

}  // namespace berth::http::testing
