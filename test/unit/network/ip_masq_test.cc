#include "agent/network/ip_masq.h"

#include <gtest/gtest.h>

namespace berth::network {
namespace {

TEST(IpMasqTest, ChainNameMatchesTheCniPlugins) {
  // Observed from bridge 1.1.1 for network "bn-3e5495d0", container "b-3e5495d0".
  EXPECT_EQ(masqChainName("bn-3e5495d0", "b-3e5495d0"), "CNI-7b1a7d7d27d48275f38f66dd");
  EXPECT_EQ(masqChainName("berth", "x").size(), 28u);
}

}  // namespace
}  // namespace berth::network
