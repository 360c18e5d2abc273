#include "instances/dns_name_label.h"

#include <gtest/gtest.h>

namespace berth::instances {
namespace {

TEST(DnsNameLabelTest, FqdnIsLabelLocationZone) {
  EXPECT_EQ(groupFqdn("demo-web", "local", kDefaultDnsZone),
            "demo-web.local.instances.berth.local");
  EXPECT_EQ(groupFqdn("demo-web", "West US", "example.org"), "demo-web.westus.example.org");
  EXPECT_EQ(groupFqdn("", "local", kDefaultDnsZone), "");
}

TEST(DnsNameLabelTest, ZoneRules) {
  EXPECT_TRUE(isValidDnsZone("instances.berth.local"));
  EXPECT_TRUE(isValidDnsZone("example"));
  EXPECT_TRUE(isValidDnsZone("a-1.b2"));
  EXPECT_FALSE(isValidDnsZone(""));
  EXPECT_FALSE(isValidDnsZone(".example.org"));
  EXPECT_FALSE(isValidDnsZone("example.org."));
  EXPECT_FALSE(isValidDnsZone("example..org"));
  EXPECT_FALSE(isValidDnsZone("Example.org"));
  EXPECT_FALSE(isValidDnsZone("-a.org"));
  EXPECT_FALSE(isValidDnsZone("a_b.org"));
  EXPECT_FALSE(isValidDnsZone(std::string(64, 'a') + ".org"));
}

TEST(DnsNameLabelTest, LabelTakenInSameLocationIsRefused) {
  std::vector<DnsLabelHolder> holders = {
      {"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/"
       "a",
       "local", "shared-name"}};
  auto refused = checkDnsNameLabel("shared-name", "Local", "/subscriptions/s2/x/b", holders);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().httpStatus, 409);
  EXPECT_EQ(refused.error().code, "DnsNameLabelNotAvailable");
  EXPECT_NE(refused.error().message.find("The DNS name label 'shared-name' is not available"),
            std::string::npos);
}

TEST(DnsNameLabelTest, SameGroupOtherLocationOrOtherLabelIsAvailable) {
  std::vector<DnsLabelHolder> holders = {{"/subscriptions/s1/g/a", "local", "shared-name"}};
  // The group itself (ids compare case-insensitively) keeps its label on update.
  EXPECT_TRUE(checkDnsNameLabel("shared-name", "local", "/SUBSCRIPTIONS/s1/G/A", holders));
  EXPECT_TRUE(checkDnsNameLabel("shared-name", "westus", "/subscriptions/s1/g/b", holders));
  EXPECT_TRUE(checkDnsNameLabel("other-name", "local", "/subscriptions/s1/g/b", holders));
  EXPECT_TRUE(checkDnsNameLabel("", "local", "/subscriptions/s1/g/b", holders));
}

}  // namespace
}  // namespace berth::instances
