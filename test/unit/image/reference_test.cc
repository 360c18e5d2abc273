#include "agent/image/reference.h"

#include <gtest/gtest.h>

namespace berth::image {
namespace {

const std::string kDigest =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(ReferenceTest, RegistryRepositoryTag) {
  auto r = Reference::parse("127.0.0.1:5000/berth/busybox:1");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->registry, "127.0.0.1:5000");
  EXPECT_EQ(r->repository, "berth/busybox");
  EXPECT_EQ(r->tag, "1");
  EXPECT_EQ(r->digest, "");
  EXPECT_EQ(r->str(), "127.0.0.1:5000/berth/busybox:1");
}

TEST(ReferenceTest, DockerHubDefaults) {
  auto r = Reference::parse("busybox");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->str(), "docker.io/library/busybox:latest");
  EXPECT_EQ(Reference::parse("user/app")->str(), "docker.io/user/app:latest");
  EXPECT_EQ(Reference::parse("index.docker.io/library/x:2")->str(), "docker.io/library/x:2");
  EXPECT_EQ(Reference::parse("localhost/app:v1.2-rc_3")->str(), "localhost/app:v1.2-rc_3");
}

TEST(ReferenceTest, Digests) {
  auto r = Reference::parse("registry.example.com/a/b/c@" + kDigest);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->registry, "registry.example.com");
  EXPECT_EQ(r->repository, "a/b/c");
  EXPECT_EQ(r->tag, "");
  EXPECT_EQ(r->digest, kDigest);
  EXPECT_EQ(r->str(), "registry.example.com/a/b/c@" + kDigest);

  auto both = Reference::parse("host:5000/x:v1@" + kDigest);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->tag, "v1");
  EXPECT_EQ(both->digest, kDigest);
}

TEST(ReferenceTest, UnusualButValid) {
  EXPECT_TRUE(Reference::parse("[::1]:5000/x"));
  EXPECT_TRUE(Reference::parse("a__b/c-d.e/f---g:T_a.g-1"));
  EXPECT_EQ(Reference::parse("my-registry.local:443/team/app")->registry, "my-registry.local:443");
}

void expectInvalid(const std::string& text, const std::string& why) {
  auto r = Reference::parse(text);
  ASSERT_FALSE(r) << text;
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "invalid reference '" + text + "': " + why);
}

TEST(ReferenceTest, Invalid) {
  expectInvalid("", "empty");
  expectInvalid("Busybox", "repository must be lowercase");
  expectInvalid("host:5000/Team/app", "repository must be lowercase");
  expectInvalid("host:5000/x:", "invalid tag ''");
  expectInvalid("x:-bad", "invalid tag '-bad'");
  expectInvalid("x:" + std::string(129, 'a'), "invalid tag '" + std::string(129, 'a') + "'");
  expectInvalid("x@sha256:abc", "digest must be 'sha256:<64 hex digits>'");
  expectInvalid("x@md5:abc", "unsupported digest algorithm 'md5'");
  expectInvalid("host:port/x", "invalid registry host 'host:port'");
  expectInvalid("a//b", "invalid repository path component ''");
  expectInvalid("-a", "invalid repository path component '-a'");
  expectInvalid("../x", "invalid registry host '..'");
  expectInvalid("a/../x", "invalid repository path component '..'");
  expectInvalid("x y", "contains whitespace or control characters");
  expectInvalid("host:5000/", "missing repository");
}

}  // namespace
}  // namespace berth::image
