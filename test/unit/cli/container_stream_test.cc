// The pure parts of `berth container logs --follow`, `exec` and the ARM client.

#include <gtest/gtest.h>
#include <stdlib.h>

#include "cli/arm_client.h"
#include "cli/container_exec.h"
#include "cli/container_logs.h"

namespace berth::cli {
namespace {

TEST(ExitCodeFromClose, ParsesTheCloseReason) {
  EXPECT_EQ(exitCodeFromClose("exit code 0"), 0);
  EXPECT_EQ(exitCodeFromClose("websocket read: The WebSocket stream was gracefully closed at both "
                              "endpoints (exit code 42)"),
            42);
  EXPECT_EQ(exitCodeFromClose("exit code 137"), 137);
  EXPECT_EQ(exitCodeFromClose("websocket read: closed (invalid password)"), std::nullopt);
  EXPECT_EQ(exitCodeFromClose("exit code "), std::nullopt);
  EXPECT_EQ(exitCodeFromClose("exit code x"), std::nullopt);
}

TEST(NewLogPart, PrintsOnlyWhatIsNew) {
  bool reset = true;
  EXPECT_EQ(newLogPart("", "a\n", &reset), "a\n");
  EXPECT_FALSE(reset);
  EXPECT_EQ(newLogPart("a\n", "a\nb\n", &reset), "b\n");
  EXPECT_FALSE(reset);
  EXPECT_EQ(newLogPart("a\nb\n", "a\nb\n", &reset), "");
  EXPECT_FALSE(reset);
  EXPECT_EQ(newLogPart("a\nb\n", "c\n", &reset), "c\n");
  EXPECT_TRUE(reset);
}

TEST(ArmError, ShowsCodeAndMessage) {
  Error e = armError(404, R"({"error":{"code":"ResourceNotFound","message":"The Resource 'x' was
 not found."}})");
  EXPECT_EQ(e.message().substr(0, 15), "(HttpStatus404)");  // not JSON: a raw newline in a string
  e = armError(
      404,
      R"({"error":{"code":"ResourceNotFound","message":"The Resource 'x' was\n not found."}})");
  EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  EXPECT_EQ(e.message(), "(ResourceNotFound) The Resource 'x' was\n not found.");
  EXPECT_EQ(armError(409, R"({"error":{"code":"Conflict","message":"m"}})").code(),
            ErrorCode::kConflict);
  Error plain = armError(502, "bad gateway\n");
  EXPECT_EQ(plain.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(plain.message(), "(HttpStatus502) bad gateway");
}

TEST(ArmClient, PathsAndDefaults) {
  ArmClient arm({.server = "https://h:1"}, "sub");
  EXPECT_EQ(arm.groupPath("rg", "g"),
            "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ContainerInstance/"
            "containerGroups/g");
  EXPECT_EQ(arm.groupsPath(""),
            "/subscriptions/sub/providers/Microsoft.ContainerInstance/containerGroups");
  EXPECT_EQ(arm.usagePath("rg"),
            "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ContainerInstance/"
            "meteredUsage");
  ::setenv("BERTH_SUBSCRIPTION", "from-env", 1);
  EXPECT_EQ(resolveSubscription(""), "from-env");
  EXPECT_EQ(resolveSubscription("flag"), "flag");
  ::unsetenv("BERTH_SUBSCRIPTION");
  EXPECT_EQ(resolveSubscription(""), kDefaultSubscription);
  ::setenv("BERTH_KUBECONFIG", "/a", 1);
  ::setenv("KUBECONFIG", "/b", 1);
  EXPECT_EQ(resolveKubeconfigPath(""), "/a");
  ::unsetenv("BERTH_KUBECONFIG");
  EXPECT_EQ(resolveKubeconfigPath(""), "/b");
  ::unsetenv("KUBECONFIG");
  EXPECT_EQ(resolveKubeconfigPath(""), "/var/lib/berth/kubeconfig");
  EXPECT_EQ(resolveKubeconfigPath("/c"), "/c");
}

}  // namespace
}  // namespace berth::cli
