// GET /containerLogs/{namespace}/{pod}/{container}: see node_server.h.

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agent/node_server.h"
#include "agent/node_server_logs.h"
#include "base/files.h"
#include "base/log.h"
#include "http/event.h"

namespace berth::agent {

namespace {

namespace asio = boost::asio;

// Sets an Event whenever something changes in a directory (the log's): appends, the new
// file of a rotation. Callbacks run on the connection's strand.
class DirWatch : public std::enable_shared_from_this<DirWatch> {
 public:
  DirWatch(asio::any_io_executor executor, http::Event& event)
      : descriptor_(executor), event_(&event) {}

  Status start(const std::filesystem::path& dir) {
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
      return fail(errnoError(errno, "inotify_init1"));
    }
    descriptor_.assign(fd);
    if (inotify_add_watch(fd, dir.c_str(),
                          IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE) <
        0) {
      return fail(errnoError(errno, fmt::format("inotify_add_watch '{}'", dir.string())));
    }
    arm();
    return ok();
  }

  // Detaches from the Event (which dies with the handler) and closes the descriptor.
  void stop() {
    event_ = nullptr;
    boost::system::error_code ec;
    descriptor_.close(ec);
  }

 private:
  void arm() {
    descriptor_.async_read_some(asio::buffer(buffer_),
                                [self = shared_from_this()](boost::system::error_code ec, size_t) {
                                  if (ec || !self->event_) {
                                    return;
                                  }
                                  self->event_->set();
                                  self->arm();
                                });
  }

  asio::posix::stream_descriptor descriptor_;
  http::Event* event_;
  std::array<char, 4096> buffer_;
};

// Reads the whole log at `path` (with its rotated files).
Result<std::vector<LogLine>> readAll(const std::filesystem::path& path) {
  std::vector<LogLine> lines;
  CriParser parser;
  for (const auto& file : logFiles(path)) {
    auto content = files::read(file);
    if (!content) {
      if (content.error().code() == ErrorCode::kNotFound) {
        continue;  // rotated away meanwhile
      }
      return fail(content.error());
    }
    parser.feed(*content, lines);
  }
  parser.flush(lines);
  return lines;
}

// Follows `path` until the container stops running (or another instance replaced it), the
// client disconnects or `limitBytes` is reached.
asio::awaitable<void> follow(http::Context& ctx, ContainerLocator& locator,
                             const std::filesystem::path& path, const LogOptions& options,
                             std::chrono::milliseconds recheck) {
  const http::Request& req = ctx.request();
  std::vector<LogLine> lines;
  CriParser parser;
  auto all = logFiles(path);
  for (const auto& file : all) {
    if (file == path) {
      continue;  // the follower reads the current file
    }
    if (auto content = files::read(file)) {
      parser.feed(*content, lines);
    }
  }
  // Rotated files end with complete lines; what is pending continues in the current file.
  LogFollower follower(path);
  http::Event changed(ctx.executor());
  auto watch = std::make_shared<DirWatch>(ctx.executor(), changed);
  if (auto started = watch->start(path.parent_path()); !started) {
    spdlog::warn("node-server: watch log dir: {} (polling)", started.error().message());
  }
  ctx.onDisconnect([&changed] { changed.set(); });

  auto firstNew = follower.readNew();
  if (firstNew) {
    // Partial state of `parser` (none for well-formed rotated files) is dropped here.
    lines.insert(lines.end(), firstNew->begin(), firstNew->end());
  }
  std::string out = renderLines(lines, options);
  int64_t sent = 0;
  auto send = [&](std::string text) -> asio::awaitable<bool> {
    if (options.limitBytes && sent + static_cast<int64_t>(text.size()) >= *options.limitBytes) {
      text.resize(static_cast<size_t>(*options.limitBytes - sent));
      sent = *options.limitBytes;
      co_await ctx.write(std::move(text));
      co_return false;
    }
    sent += static_cast<int64_t>(text.size());
    co_return (co_await ctx.write(std::move(text))).has_value();
  };

  if (!(co_await ctx.beginStream(200, "text/plain; charset=utf-8"))) {
    watch->stop();
    co_return;
  }
  bool more = true;
  if (!out.empty()) {
    more = co_await send(std::move(out));
  }
  while (more && !ctx.disconnected()) {
    changed.reset();
    auto fresh = follower.readNew();
    if (!fresh) {
      spdlog::warn("node-server: follow '{}': {}", path.string(), fresh.error().message());
      break;
    }
    bool exited = false;
    if (fresh->empty()) {
      auto now = locator.locate(req.param("namespace"), req.param("pod"), req.param("container"));
      exited = !now || !now->running || now->logPath != path;
      if (exited) {
        // Drain what the container wrote last, including an unterminated line.
        if (auto last = follower.readNew()) {
          *fresh = std::move(*last);
        }
        for (LogLine& line : follower.flush()) {
          fresh->push_back(std::move(line));
        }
      }
    }
    std::string text;
    for (const LogLine& line : *fresh) {
      if (!options.since || line.time >= *options.since) {
        text += formatLine(line, options.timestamps);
      }
    }
    if (!text.empty()) {
      more = co_await send(std::move(text));
    }
    if (exited) {
      break;
    }
    if (fresh->empty()) {
      co_await changed.waitFor(recheck);
    }
  }
  watch->stop();
  co_await ctx.end();
}

}  // namespace

asio::awaitable<void> handleContainerLogs(http::Context& ctx, ContainerLocator& locator,
                                          const Clock& clock, std::chrono::milliseconds recheck) {
  const http::Request& req = ctx.request();
  auto options = parseLogOptions(req.query, clock.now());
  if (!options) {
    co_await ctx.respondError(options.error());
    co_return;
  }
  const std::string& pod = req.param("pod");
  const std::string& container = req.param("container");
  auto location = locator.locate(req.param("namespace"), pod, container);
  if (!location) {
    co_await ctx.respondError(location.error());
    co_return;
  }
  std::filesystem::path path = location->logPath;
  if (options->previous) {
    if (!location->previousLogPath) {
      co_await ctx.respondStatus(
          404, fmt::format("previous terminated container \"{}\" in pod \"{}\" not found",
                           location->container, pod));
      co_return;
    }
    path = *location->previousLogPath;
    options->follow = false;  // a terminated container's log does not grow
  }
  if (options->follow) {
    co_await follow(ctx, locator, path, *options, recheck);
    co_return;
  }
  auto lines = readAll(path);
  if (!lines) {
    co_await ctx.respondError(lines.error());
    co_return;
  }
  co_await ctx.respond(200, "text/plain; charset=utf-8", renderLines(*lines, *options));
}

}  // namespace berth::agent
