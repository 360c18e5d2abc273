#include "agent/runtime/cri_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/files.h"

namespace berth::runtime {
namespace {

namespace fs = std::filesystem;
using Stream = CriLogWriter::Stream;

class CriLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/berth-crilog-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ / "0.log";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<CriLogWriter> writer(int64_t maxBytes = 1 << 20, int maxFiles = 3) {
    auto w = std::make_unique<CriLogWriter>(path_, maxBytes, maxFiles, [this] {
      return "2026-11-29T03:57:25." + std::to_string(100000000 + tick_++) + "Z";
    });
    EXPECT_EQ(w->open(), 0);
    return w;
  }
  std::string content(const fs::path& p) { return files::read(p).value_or("<missing>"); }

  fs::path dir_, path_;
  int tick_ = 0;
};

TEST_F(CriLogTest, CompleteLinesPerStream) {
  auto w = writer();
  w->append(Stream::kStdout, "hello\nwor");
  w->append(Stream::kStderr, "oops\n");
  w->append(Stream::kStdout, "ld\n\n");
  EXPECT_EQ(content(path_),
            "2026-11-29T03:57:25.100000000Z stdout F hello\n"
            "2026-11-29T03:57:25.100000001Z stderr F oops\n"
            "2026-11-29T03:57:25.100000002Z stdout F world\n"
            "2026-11-29T03:57:25.100000003Z stdout F \n");
}

TEST_F(CriLogTest, UnterminatedLineIsPartialAtEnd) {
  auto w = writer();
  w->append(Stream::kStdout, "prompt> ");
  EXPECT_EQ(content(path_), "");
  w->finish(Stream::kStdout);
  w->finish(Stream::kStderr);
  EXPECT_EQ(content(path_), "2026-11-29T03:57:25.100000000Z stdout P prompt> \n");
}

TEST_F(CriLogTest, LongLinesAreSplit) {
  auto w = writer();
  std::string longLine(CriLogWriter::kMaxLineBytes * 2 + 10, 'x');
  // Arrives in pieces, as from a pipe.
  w->append(Stream::kStdout, longLine.substr(0, 5000));
  w->append(Stream::kStdout, longLine.substr(5000) + "\n");
  std::string text = content(path_);
  std::string chunk(CriLogWriter::kMaxLineBytes, 'x');
  EXPECT_EQ(text, "2026-11-29T03:57:25.100000000Z stdout P " + chunk + "\n" +
                      "2026-11-29T03:57:25.100000001Z stdout P " + chunk + "\n" +
                      "2026-11-29T03:57:25.100000002Z stdout F xxxxxxxxxx\n");
}

TEST_F(CriLogTest, LineOfExactlyMaxIsFull) {
  auto w = writer();
  w->append(Stream::kStdout, std::string(CriLogWriter::kMaxLineBytes, 'y') + "\n");
  EXPECT_EQ(content(path_), "2026-11-29T03:57:25.100000000Z stdout F " +
                                std::string(CriLogWriter::kMaxLineBytes, 'y') + "\n");
}

TEST_F(CriLogTest, RotatesBySize) {
  // Each record is 30 (time) + 8 (" stdout ") + 2 ("F ") + 6 ("line0" + "\n") = 46 bytes.
  auto w = writer(100, 3);
  for (int i = 0; i < 9; ++i) {
    w->append(Stream::kStdout, "line" + std::to_string(i) + "\n");
  }
  EXPECT_THAT(content(path_), ::testing::HasSubstr("line8"));
  EXPECT_THAT(content(fs::path(path_.string() + ".1")), ::testing::HasSubstr("line6"));
  EXPECT_THAT(content(fs::path(path_.string() + ".1")), ::testing::HasSubstr("line7"));
  EXPECT_THAT(content(fs::path(path_.string() + ".2")), ::testing::HasSubstr("line4"));
  EXPECT_FALSE(fs::exists(path_.string() + ".3"));
  for (const auto& p : {path_.string(), path_.string() + ".1", path_.string() + ".2"}) {
    EXPECT_LE(fs::file_size(p), 100u);
  }
}

TEST_F(CriLogTest, SingleFileIsTruncated) {
  auto w = writer(100, 1);
  for (int i = 0; i < 5; ++i) {
    w->append(Stream::kStdout, "line" + std::to_string(i) + "\n");
  }
  EXPECT_FALSE(fs::exists(path_.string() + ".1"));
  EXPECT_EQ(content(path_), "2026-11-29T03:57:25.100000004Z stdout F line4\n");
}

TEST_F(CriLogTest, AppendsToExistingFile) {
  ASSERT_TRUE(files::writeAtomic(path_, "earlier\n"));
  auto w = writer();
  EXPECT_EQ(w->currentSize(), 8);
  w->append(Stream::kStdout, "x\n");
  EXPECT_EQ(content(path_), "earlier\n2026-11-29T03:57:25.100000000Z stdout F x\n");
}

TEST_F(CriLogTest, MissingDirectoryIsAnError) {
  CriLogWriter w(dir_ / "nope" / "0.log", 100, 1);
  EXPECT_EQ(w.open(), ENOENT);
}

}  // namespace
}  // namespace berth::runtime
