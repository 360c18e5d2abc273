#include "agent/runtime/capabilities.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace berth::runtime {
namespace {

using ::testing::ElementsAre;

TEST(CapabilitiesTest, CanonicalNames) {
  EXPECT_EQ(*canonicalCapability("net_admin"), "CAP_NET_ADMIN");
  EXPECT_EQ(*canonicalCapability("CAP_SYS_ADMIN"), "CAP_SYS_ADMIN");
  EXPECT_EQ(*canonicalCapability("checkpoint_restore"), "CAP_CHECKPOINT_RESTORE");
  EXPECT_EQ(canonicalCapability("warp").error().message(), "unknown capability 'warp'");
  EXPECT_EQ(capabilityBit("CAP_SYS_ADMIN"), 21);
  EXPECT_EQ(capabilityBit("CAP_BPF"), 39);
}

TEST(CapabilitiesTest, Masks) {
  EXPECT_THAT(capabilitiesInMask(0x3), ElementsAre("CAP_CHOWN", "CAP_DAC_OVERRIDE"));
  EXPECT_EQ(capabilitiesInMask(~uint64_t{0}).size(), 41u);
  EXPECT_NE(processBoundingSet(), 0u);
}

TEST(CapabilitiesTest, ContainerSet) {
  auto set = containerCapabilities({}, {}, false, ~uint64_t{0});
  ASSERT_TRUE(set);
  EXPECT_EQ(set->size(), defaultCapabilities().size());
  EXPECT_THAT(*containerCapabilities({"SYS_TIME"}, {"all"}, false, ~uint64_t{0}),
              ElementsAre("CAP_SYS_TIME"));
  // Defaults the node lacks are left out rather than failing the container.
  uint64_t noKill = ~(uint64_t{1} << capabilityBit("CAP_KILL"));
  auto without = *containerCapabilities({}, {}, false, noKill);
  EXPECT_EQ(without.size(), defaultCapabilities().size() - 1);
  EXPECT_FALSE(containerCapabilities({"KILL"}, {}, false, noKill));
  EXPECT_EQ(containerCapabilities({}, {}, true, 0xff)->size(), 8u);
}

}  // namespace
}  // namespace berth::runtime
