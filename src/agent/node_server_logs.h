#pragma once

// Reading CRI-format container logs for the node endpoint's /containerLogs (kubelet
// semantics). Each line of a CRI log is
//   2026-11-29T03:57:25.123456789Z stdout F text
// where F marks a full line and P a partial one that continues in the next line. A log is
// rotated by renaming `log` to `log.1` (and `log.1` to `log.2`, ...), so the whole log is
// log.N ... log.2 log.1 log, oldest first.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "http/request.h"

namespace berth::agent {

struct LogOptions {
  bool follow = false;
  bool timestamps = false;
  bool previous = false;
  std::optional<int64_t> tailLines;      // last N lines; >= 0
  std::optional<int64_t> limitBytes;     // stop after N bytes of output; > 0
  std::optional<Clock::WallTime> since;  // from sinceSeconds or sinceTime
};

// Parses follow, timestamps, previous, tailLines, limitBytes, sinceSeconds, sinceTime.
// kInvalidArgument naming the bad parameter ("invalid value for parameter 'tailLines': ...").
Result<LogOptions> parseLogOptions(const http::Query& query, Clock::WallTime now);

// One logical line: partial parts joined; the time is that of its first part.
struct LogLine {
  Clock::WallTime time;
  std::string timestamp;  // as written in the file (RFC 3339 with nanoseconds)
  std::string text;       // without the trailing newline
  bool complete = true;   // false: the last part was P and nothing followed (yet)
};

// Accumulates CRI lines into LogLines, joining partial ones.
class CriParser {
 public:
  // Feeds raw bytes; complete LogLines are appended to `out`. Bytes after the last newline
  // are kept until more arrive. Malformed lines are skipped.
  void feed(std::string_view bytes, std::vector<LogLine>& out);
  // Emits what is pending (a trailing partial line, an unterminated last line) as incomplete.
  void flush(std::vector<LogLine>& out);

 private:
  void parseLine(std::string_view line, std::vector<LogLine>& out);

  std::string buffer_;
  std::optional<LogLine> partial_;
};

// The files of a log in reading order: path.N ... path.1, path (those that exist).
std::vector<std::filesystem::path> logFiles(const std::filesystem::path& path);

// "[timestamp ]text\n" (no newline for an incomplete line).
std::string formatLine(const LogLine& line, bool timestamps);

// Applies `since` and `tailLines` to lines (in order) and formats them; `limitBytes` cuts
// the result. Used for the whole log and for the start of a followed one.
std::string renderLines(const std::vector<LogLine>& lines, const LogOptions& options);

// Follows one log path: reads what is appended, and moves to the new file when the log is
// rotated (after draining the old one, which stays open). Not thread-safe.
class LogFollower {
 public:
  explicit LogFollower(std::filesystem::path path) : path_(std::move(path)) {}
  ~LogFollower();
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  // Complete lines appended since the last call, across rotations. A missing file yields
  // nothing (yet). Errors: reading failed.
  Result<std::vector<LogLine>> readNew();
  // Emits a trailing partial line (call once the container has exited and readNew is empty).
  std::vector<LogLine> flush();

 private:
  Status openIfNeeded();
  bool rotated() const;

  std::filesystem::path path_;
  int fd_ = -1;
  ino_t inode_ = 0;
  CriParser parser_;
};

}  // namespace berth::agent
