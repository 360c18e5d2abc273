#include "agent/node_server_logs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <deque>

namespace berth::agent {

namespace {

Result<std::optional<int64_t>> positive(const http::Query& query, std::string_view key,
                                        int64_t minimum) {
  BERTH_ASSIGN_OR_RETURN(auto value, query.integer(key));
  if (value && *value < minimum) {
    return fail(ErrorCode::kInvalidArgument, "invalid value for parameter '{}': must be {} {}", key,
                minimum == 0 ? "greater than or equal to" : "at least", minimum);
  }
  return std::optional<int64_t>(value);
}

}  // namespace

Result<LogOptions> parseLogOptions(const http::Query& query, Clock::WallTime now) {
  LogOptions options;
  BERTH_ASSIGN_OR_RETURN(options.follow, query.flag("follow"));
  BERTH_ASSIGN_OR_RETURN(options.timestamps, query.flag("timestamps"));
  BERTH_ASSIGN_OR_RETURN(options.previous, query.flag("previous"));
  BERTH_ASSIGN_OR_RETURN(options.tailLines, positive(query, "tailLines", 0));
  BERTH_ASSIGN_OR_RETURN(options.limitBytes, positive(query, "limitBytes", 1));
  BERTH_ASSIGN_OR_RETURN(auto sinceSeconds, positive(query, "sinceSeconds", 1));
  auto sinceTime = query.get("sinceTime");
  if (sinceSeconds && sinceTime) {
    return fail(ErrorCode::kInvalidArgument,
                "at most one of parameters 'sinceTime' and 'sinceSeconds' may be given");
  }
  if (sinceSeconds) {
    options.since = now - std::chrono::seconds(*sinceSeconds);
  }
  if (sinceTime) {
    options.since = parseRfc3339(*sinceTime);
    if (!options.since) {
      return fail(ErrorCode::kInvalidArgument, "invalid value for parameter 'sinceTime': '{}'",
                  *sinceTime);
    }
  }
  return options;
}

void CriParser::feed(std::string_view bytes, std::vector<LogLine>& out) {
  buffer_.append(bytes);
  size_t start = 0;
  for (size_t nl; (nl = buffer_.find('\n', start)) != std::string::npos; start = nl + 1) {
    parseLine(std::string_view(buffer_).substr(start, nl - start), out);
  }
  buffer_.erase(0, start);
}

void CriParser::parseLine(std::string_view line, std::vector<LogLine>& out) {
  // <timestamp> <stream> <tag> <text>; the text may be empty ("... stdout F").
  size_t a = line.find(' ');
  size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
  if (b == std::string_view::npos) {
    return;
  }
  size_t c = line.find(' ', b + 1);
  std::string_view timestamp = line.substr(0, a);
  std::string_view tag = line.substr(b + 1, c == std::string_view::npos ? c : c - b - 1);
  std::string_view text = c == std::string_view::npos ? std::string_view() : line.substr(c + 1);
  auto time = parseRfc3339(timestamp);
  if (!time || tag.empty()) {
    return;
  }
  if (!partial_) {
    partial_ = LogLine{*time, std::string(timestamp), "", false};
  }
  partial_->text.append(text);
  // The tag may carry more flags after ':' (CRI allows "F:x"); only the first letter counts.
  if (tag[0] != 'P') {
    partial_->complete = true;
    out.push_back(std::move(*partial_));
    partial_.reset();
  }
}

void CriParser::flush(std::vector<LogLine>& out) {
  if (!buffer_.empty()) {
    // An unterminated last line: parse it as if it ended here.
    std::string rest = std::move(buffer_);
    buffer_.clear();
    parseLine(rest, out);
  }
  if (partial_) {
    out.push_back(std::move(*partial_));
    partial_.reset();
  }
}

std::vector<std::filesystem::path> logFiles(const std::filesystem::path& path) {
  std::vector<std::filesystem::path> rotated;
  std::error_code ec;
  for (int i = 1; i < 1000; ++i) {
    std::filesystem::path p = path.string() + "." + std::to_string(i);
    if (!std::filesystem::exists(p, ec)) {
      break;
    }
    rotated.push_back(p);
  }
  std::vector<std::filesystem::path> out(rotated.rbegin(), rotated.rend());
  if (std::filesystem::exists(path, ec)) {
    out.push_back(path);
  }
  return out;
}

std::string formatLine(const LogLine& line, bool timestamps) {
  std::string out;
  if (timestamps) {
    out = line.timestamp + " ";
  }
  out += line.text;
  if (line.complete) {
    out += "\n";
  }
  return out;
}

std::string renderLines(const std::vector<LogLine>& lines, const LogOptions& options) {
  std::deque<const LogLine*> kept;
  for (const LogLine& line : lines) {
    if (options.since && line.time < *options.since) {
      continue;
    }
    kept.push_back(&line);
    if (options.tailLines && kept.size() > static_cast<size_t>(*options.tailLines)) {
      kept.pop_front();
    }
  }
  std::string out;
  for (const LogLine* line : kept) {
    out += formatLine(*line, options.timestamps);
    if (options.limitBytes && out.size() >= static_cast<size_t>(*options.limitBytes)) {
      out.resize(static_cast<size_t>(*options.limitBytes));
      break;
    }
  }
  return out;
}

LogFollower::~LogFollower() {
  if (fd_ >= 0) {
    close(fd_);
  }
}

Status LogFollower::openIfNeeded() {
  if (fd_ >= 0) {
    return ok();
  }
  fd_ = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    if (errno == ENOENT) {
      return ok();  // not written yet
    }
    return fail(errnoError(errno, fmt::format("open '{}'", path_.string())));
  }
  struct stat st;
  fstat(fd_, &st);
  inode_ = st.st_ino;
  return ok();
}

bool LogFollower::rotated() const {
  struct stat st;
  return stat(path_.c_str(), &st) == 0 && st.st_ino != inode_;
}

Result<std::vector<LogLine>> LogFollower::readNew() {
  std::vector<LogLine> out;
  BERTH_TRY_STATUS(openIfNeeded());
  while (fd_ >= 0) {
    char buf[64 * 1024];
    ssize_t n = read(fd_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return fail(errnoError(errno, fmt::format("read '{}'", path_.string())));
    }
    if (n > 0) {
      parser_.feed(std::string_view(buf, static_cast<size_t>(n)), out);
      continue;
    }
    // At the end of this file. If the path now names a new file, the old one is complete
    // (the writer moved on before renaming): switch over and keep reading.
    if (!rotated()) {
      break;
    }
    close(fd_);
    fd_ = -1;
    BERTH_TRY_STATUS(openIfNeeded());
  }
  return out;
}

std::vector<LogLine> LogFollower::flush() {
  std::vector<LogLine> out;
  parser_.flush(out);
  return out;
}

}  // namespace berth::agent
