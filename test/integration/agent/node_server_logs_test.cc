#include "agent/node_server_logs.h"

#include <gtest/gtest.h>

namespace berth::agent {
namespace {

TEST(CriParserTest, JoinsPartialLinesAndKeepsIncompleteTail) {
  CriParser parser;
  std::vector<LogLine> lines;
  parser.feed("2026-11-29T03:57:25.123456789Z stdout P hel", lines);
  EXPECT_TRUE(lines.empty());
  parser.feed("lo\n2026-11-29T03:57:26Z stdout F  world\nnot a cri line\n", lines);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "hello world");  // the first part's time and the joined text
  EXPECT_EQ(lines[0].timestamp, "2026-11-29T03:57:25.123456789Z");
  parser.feed("2026-11-29T03:57:27Z stderr F\n2026-11-29T03:57:28Z stdout P dangling\n", lines);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1].text, "");
  parser.flush(lines);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2].text, "dangling");
  EXPECT_FALSE(lines[2].complete);
  EXPECT_EQ(formatLine(lines[2], true), "2026-11-29T03:57:28Z dangling");
  EXPECT_EQ(formatLine(lines[1], false), "\n");
}

TEST(CriParserTest, ParsesRfc3339) {
  auto a = parseRfc3339("2026-11-29T03:57:25.5Z");
  auto b = parseRfc3339("2026-11-29T04:57:25.5+01:00");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(rfc3339Nano(*a), "2026-11-29T03:57:25.500000000Z");
  EXPECT_FALSE(parseRfc3339("2026-11-29 03:57:25Z"));
  EXPECT_FALSE(parseRfc3339("yesterday"));
}

TEST(LogOptionsTest, ValidatesParameters) {
  auto now = std::chrono::system_clock::now();
  auto q = http::Query::parse("follow=true&tailLines=10&sinceSeconds=60&timestamps=1");
  auto options = parseLogOptions(*q, now);
  ASSERT_TRUE(options);
  EXPECT_TRUE(options->follow);
  EXPECT_TRUE(options->timestamps);
  EXPECT_EQ(options->tailLines, 10);
  EXPECT_EQ(options->since, now - std::chrono::seconds(60));
  for (std::string bad : {"tailLines=-1", "limitBytes=0", "sinceSeconds=0", "sinceTime=x",
                          "sinceSeconds=5&sinceTime=2026-11-29T03:57:25Z", "previous=2"}) {
    auto parsed = parseLogOptions(*http::Query::parse(bad), now);
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace berth::agent
