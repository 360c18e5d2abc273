#include "agent/runtime/runtime_cli.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace berth::runtime {
namespace {

using ::testing::ElementsAre;

TEST(RuntimeCliTest, Command) {
  EXPECT_THAT(runtimeCommand("crun", "/run/b", "/d/runtime.log", {"start", "c1"}),
              ElementsAre("crun", "--root", "/run/b", "--log", "/d/runtime.log", "--log-format",
                          "json", "start", "c1"));
  EXPECT_THAT(runtimeCommand("runc", "", "", {"list", "-q"}), ElementsAre("runc", "list", "-q"));
}

TEST(RuntimeCliTest, LastErrorOfCrunAndRuncLogs) {
  std::string crun =
      R"({"msg":"warning one","level":"warning","time":"2026-11-29T04:19:09.391905Z"})"
      "\n"
      R"({"msg":"executable file `nope` not found in $PATH: No such file or directory","level":"error","time":"2026-11-29T04:19:09.391905Z"})"
      "\n";
  EXPECT_EQ(lastRuntimeError(crun),
            "executable file `nope` not found in $PATH: No such file or directory");
  std::string runc =
      R"({"level":"error","msg":"runc create failed: unable to start container process: exec: \"nope\": executable file not found in $PATH","time":"2026-11-29T04:19:22Z"})";
  EXPECT_EQ(lastRuntimeError(runc),
            "runc create failed: unable to start container process: exec: \"nope\": executable "
            "file not found in $PATH");
  EXPECT_EQ(lastRuntimeError("plain text failure\n"), "plain text failure");
  EXPECT_EQ(lastRuntimeError(""), "");
}

TEST(RuntimeCliTest, CleanMessages) {
  EXPECT_EQ(
      cleanRuntimeMessage("executable file `nope` not found in $PATH: No such file or directory"),
      "executable file 'nope' not found in $PATH");
  EXPECT_EQ(cleanRuntimeMessage("runc create failed: unable to start container process: exec: "
                                "\"nope\": executable file not found in $PATH\n"),
            "executable file 'nope' not found in $PATH");
  EXPECT_EQ(cleanRuntimeMessage("runc create failed: unable to start container process: exec: "
                                "\"/x\": permission denied"),
            "exec '/x': permission denied");
  EXPECT_EQ(cleanRuntimeMessage("open `/proc/self/fd`: Permission denied"),
            "open '/proc/self/fd': Permission denied");
}

TEST(RuntimeCliTest, Classify) {
  EXPECT_EQ(classifyRuntimeMessage("executable file 'nope' not found in $PATH"), "not-found");
  EXPECT_EQ(classifyRuntimeMessage("exec '/x': permission denied"), "permission-denied");
  EXPECT_EQ(classifyRuntimeMessage("setrlimit `RLIMIT_NOFILE`: Operation not permitted"),
            "invalid");
}

}  // namespace
}  // namespace berth::runtime
