#include "agent/runtime/seccomp_bpf.h"

#include <gtest/gtest.h>

#include "agent/runtime/capabilities.h"
#include "agent/runtime/seccomp_profile.h"
#include "base/base64.h"

namespace berth::runtime {
namespace {

using nlohmann::json;

TEST(SeccompBpfTest, CompilesTheDefaultProfile) {
  auto program = compileSeccompProfile(defaultSeccompProfile(defaultCapabilities()));
  ASSERT_TRUE(program) << program.error().message();
  // struct sock_filter is 8 bytes; a Docker-sized allow-list on three arches is large.
  EXPECT_EQ(program->size() % 8, 0u);
  EXPECT_GT(program->size(), 8u * 300);
}

TEST(SeccompBpfTest, DifferentProfilesDifferentPrograms) {
  auto caps = defaultCapabilities();
  auto plain = compileSeccompProfile(defaultSeccompProfile(caps));
  caps.push_back("CAP_SYS_ADMIN");
  auto admin = compileSeccompProfile(defaultSeccompProfile(caps));
  ASSERT_TRUE(plain && admin);
  EXPECT_NE(*plain, *admin);
}

TEST(SeccompBpfTest, RejectsUnknownActionsAndArches) {
  auto r = compileSeccompProfile(json{{"defaultAction", "SCMP_ACT_EXPLODE"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "seccomp: unknown action 'SCMP_ACT_EXPLODE'");
  r = compileSeccompProfile(
      json{{"defaultAction", "SCMP_ACT_ERRNO"}, {"architectures", {"SCMP_ARCH_PDP11"}}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "seccomp: unknown architecture 'SCMP_ARCH_PDP11'");
  // Unknown syscall names are skipped, as crun does.
  EXPECT_TRUE(compileSeccompProfile(json::parse(R"({"defaultAction":"SCMP_ACT_ERRNO",
      "syscalls":[{"names":["no_such_call","read"],"action":"SCMP_ACT_ALLOW"}]})")));
}

TEST(SeccompBpfTest, Base64) {
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(base64Encode("foo"), "Zm9v");
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64Encode(std::string("\xff\x00\x10", 3)), "/wAQ");
}

TEST(SeccompBpfTest, CacheReturnsTheSameProgram) {
  SeccompCache cache;
  json profile = defaultSeccompProfile(defaultCapabilities());
  auto a = cache.base64Program(profile);
  auto b = cache.base64Program(profile);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, base64Encode(*compileSeccompProfile(profile)));
}

}  // namespace
}  // namespace berth::runtime
