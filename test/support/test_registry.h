#pragma once

// The local registries of scripts/test-registry for integration tests. CTest starts them (the
// `registry` fixture) and passes their directory in $BERTH_TEST_REGISTRY_DIR. Images served:
// <testRegistry()>/berth/{busybox,httpd,exit,memhog,whiteout}:1, berth/busybox:latest and
// berth/busybox-v2s2:1; <testAuthRegistry()>/berth/busybox:1 with basic auth berth / s3cret;
// <testTlsRegistry()>/berth/busybox:1 over HTTPS (CA certificate: testTlsCaFile()).
// A missing registry is a test failure, never a skip.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

namespace berth::testing {

inline std::string testRegistryFile(const char* name) {
  const char* dir = std::getenv("BERTH_TEST_REGISTRY_DIR");
  if (dir == nullptr || *dir == '\0') {
    ADD_FAILURE() << "BERTH_TEST_REGISTRY_DIR is not set: run through ctest, or start a registry "
                     "with `scripts/test-registry start DIR` and set BERTH_TEST_REGISTRY_DIR=DIR";
    return "127.0.0.1:1";
  }
  std::string path = std::string(dir) + "/" + name;
  std::ifstream in(path);
  std::string address;
  if (!(in >> address) || address.empty()) {
    ADD_FAILURE() << "no test registry: '" << path
                  << "' is missing; run `scripts/test-registry start " << dir << "`";
    return "127.0.0.1:1";
  }
  return address;
}

// "127.0.0.1:PORT" of the anonymous registry with every fixture image.
inline std::string testRegistry() {
  return testRegistryFile("address");
}

// "127.0.0.1:PORT" of the registry that demands basic auth (user "berth", password "s3cret").
inline std::string testAuthRegistry() {
  return testRegistryFile("auth-address");
}

// "127.0.0.1:PORT" of the registry that speaks HTTPS with a self-signed certificate for
// 127.0.0.1; berth/busybox:1 only.
inline std::string testTlsRegistry() {
  return testRegistryFile("tls-address");
}

// The CA certificate (PEM) that verifies testTlsRegistry().
inline std::string testTlsCaFile() {
  const char* dir = std::getenv("BERTH_TEST_REGISTRY_DIR");
  return std::string(dir == nullptr ? "" : dir) + "/tls/ca.crt";
}

inline constexpr const char* kTestRegistryUser = "berth";
inline constexpr const char* kTestRegistryPassword = "s3cret";

}  // namespace berth::testing
