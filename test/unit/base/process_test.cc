#include "base/process.h"

#include <gtest/gtest.h>

namespace berth::process {
namespace {

TEST(ProcessTest, CapturesOutputAndExitCode) {
  auto r = run({"sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->exitCode, 3);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_EQ(r->describe(), "exit status 3: err");
}

TEST(ProcessTest, FeedsInputAndEnvironment) {
  Options o;
  o.input = "abc";
  o.env["GREETING"] = "hi";
  auto r = run({"sh", "-c", "cat; echo $GREETING"}, o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->out, "abchi\n");
}

TEST(ProcessTest, TimesOut) {
  Options o;
  o.timeout = std::chrono::milliseconds(100);
  auto r = run({"sleep", "5"}, o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kDeadlineExceeded);
}

TEST(ProcessTest, MissingExecutableIsNotFound) {
  auto r = run({"berth-no-such-program"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
}

TEST(ProcessTest, WorkingDirAndStdioWithoutCapture) {
  Options o;
  o.workingDir = "/usr";
  auto r = run({"sh", "-c", "pwd; read x || echo no-input"}, o);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->out, "/usr\nno-input\n");  // stdin is /dev/null
  Options quiet;
  quiet.captureOutput = false;
  auto q = run({"sh", "-c", "echo dropped; exit 4"}, quiet);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->exitCode, 4);
  EXPECT_EQ(q->out, "");
}

TEST(ProcessTest, UnstartableProgramIsAnError) {
  auto r = run({"/dev/null"});  // not executable
  ASSERT_FALSE(r);
  Options o;
  o.workingDir = "/berth-no-such-dir";
  EXPECT_FALSE(run({"true"}, o));
}

TEST(ProcessTest, RunCheckedReportsFailure) {
  auto r = runChecked({"sh", "-c", "echo boom >&2; exit 1"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("boom"), std::string::npos);
}

}  // namespace
}  // namespace berth::process
