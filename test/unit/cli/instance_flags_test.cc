#include "cli/instance_flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace berth::cli {
namespace {

// Parses `args` (after the program name) into options; whether CLI11 accepted them.
bool parse(std::vector<std::string> args, apiserver::ArmOptions& options) {
  CLI::App app;
  addInstanceFlags(app, options);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError&) {
    return false;
  }
  return true;
}

TEST(InstanceFlagsTest, DefaultsAreAciDefaults) {
  apiserver::ArmOptions options;
  ASSERT_TRUE(parse({}, options));
  EXPECT_EQ(options.groupQuota.cpu, 4);
  EXPECT_EQ(options.groupQuota.memoryInGB, 16);
  EXPECT_EQ(options.subscriptionQuota.standardCores, 100);
  EXPECT_EQ(options.subscriptionQuota.containerGroups, 100);
  EXPECT_EQ(options.dnsZone, "instances.berth.local");
  EXPECT_TRUE(checkInstanceFlags(options));
}

TEST(InstanceFlagsTest, FlagsReachTheOptions) {
  apiserver::ArmOptions options;
  ASSERT_TRUE(
      parse({"--group-max-cpu", "2.5", "--group-max-memory-gb", "8", "--subscription-max-cores",
             "10", "--subscription-max-groups", "3", "--instances-dns-zone", "aci.example.org"},
            options));
  EXPECT_EQ(options.groupQuota.cpu, 2.5);
  EXPECT_EQ(options.groupQuota.memoryInGB, 8);
  EXPECT_EQ(options.subscriptionQuota.standardCores, 10);
  EXPECT_EQ(options.subscriptionQuota.containerGroups, 3);
  EXPECT_EQ(options.dnsZone, "aci.example.org");
  EXPECT_TRUE(checkInstanceFlags(options));
}

TEST(InstanceFlagsTest, NonPositiveValuesNameTheFlag) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--group-max-cpu", "0"},
      {"--group-max-memory-gb", "-1"},
      {"--subscription-max-cores", "0"},
      {"--subscription-max-groups", "-5"},
  };
  for (const auto& [flag, value] : cases) {
    apiserver::ArmOptions options;
    ASSERT_TRUE(parse({flag, value}, options)) << flag;
    auto checked = checkInstanceFlags(options);
    ASSERT_FALSE(checked) << flag;
    EXPECT_NE(checked.error().message().find("'" + flag + "' must be greater than 0"),
              std::string::npos)
        << checked.error().message();
  }
}

TEST(InstanceFlagsTest, BadZoneIsRefused) {
  apiserver::ArmOptions options;
  ASSERT_TRUE(parse({"--instances-dns-zone", "Bad_Zone."}, options));
  auto checked = checkInstanceFlags(options);
  ASSERT_FALSE(checked);
  EXPECT_NE(checked.error().message().find("'--instances-dns-zone'"), std::string::npos);
}

TEST(InstanceFlagsTest, NonNumbersAreParseErrors) {
  apiserver::ArmOptions options;
  EXPECT_FALSE(parse({"--group-max-cpu", "lots"}, options));
  EXPECT_FALSE(parse({"--subscription-max-groups", "1.5"}, options));
}

}  // namespace
}  // namespace berth::cli
