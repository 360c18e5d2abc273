// ApiClient::watch: a GET with watch=true whose chunked body is newline-delimited JSON, one
// event per line, read on a thread of its own.

#include <atomic>
#include <memory>
#include <thread>

#include "client/api_client.h"
#include "client/transport.h"

namespace berth::client {

namespace {

using internal::stringAt;

// The longest part of a non-event body kept to explain an error reply.
constexpr size_t kMaxErrorBody = size_t{64} * 1024;

// What the stream's thread shares with its handle.
struct WatchState {
  std::atomic<bool> stop = false;
  std::atomic<bool> done = false;
};

// Reads one watch stream; owns everything it touches except `state`, which it shares, so
// that the handle may even be destroyed from inside onEvent/onEnd.
class WatchReader {
 public:
  WatchReader(std::shared_ptr<WatchState> state, std::string url, http::ClientOptions options,
              std::function<void(const WatchEvent&)> onEvent,
              std::function<void(const Status&)> onEnd)
      : state_(std::move(state)),
        url_(std::move(url)),
        options_(std::move(options)),
        onEvent_(std::move(onEvent)),
        onEnd_(std::move(onEnd)) {}

  void run() {
    options_.cancel = &state_->stop;
    auto status = http::httpStream(
        "GET", url_, [this](std::string_view chunk) { return onData(chunk); }, options_);
    if (!error_ && !state_->stop && !buffer_.empty()) {
      handleLine(buffer_);  // the last line may lack its newline
    }
    Status end = ok();
    if (error_) {
      end = fail(*error_);
    } else if (state_->stop) {
      end = ok();
    } else if (!status) {
      end = fail(internal::unavailable(status.error()));
    } else if (*status < 200 || *status >= 300) {
      end = fail(internal::errorFromReply(*status, other_));
    } else if (!other_.empty()) {
      end = fail(ErrorCode::kInternal, "watch '{}': malformed event '{}'", url_,
                 other_.substr(0, 200));
    }
    auto onEnd = std::move(onEnd_);
    state_->done = true;
    if (onEnd) {
      onEnd(end);
    }
  }

 private:
  // Splits what arrived into lines; a line may span chunks and a chunk may hold many lines.
  bool onData(std::string_view chunk) {
    if (state_->stop) {
      return false;
    }
    buffer_.append(chunk);
    size_t start = 0;
    for (size_t nl; (nl = buffer_.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (!handleLine(std::string_view(buffer_).substr(start, nl - start))) {
        return false;
      }
    }
    buffer_.erase(0, start);
    return !state_->stop;
  }

  // Delivers one line as an event. Lines that are no event (the Status body of an error
  // reply) are kept for the error. False ends the stream.
  bool handleLine(std::string_view line) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
      line.remove_suffix(1);
    }
    if (line.empty() || state_->stop) {
      return !state_->stop;
    }
    json value = json::parse(line, nullptr, /*allow_exceptions=*/false);
    std::string type = stringAt(value, "type");
    if (type.empty()) {
      if (other_.size() < kMaxErrorBody) {
        other_.append(line.substr(0, kMaxErrorBody - other_.size()));
      }
      return true;
    }
    WatchEvent event{std::move(type), value["object"]};
    if (onEvent_) {
      onEvent_(event);
    }
    if (event.type == "ERROR") {
      error_ = internal::errorFromStatus(event.object);
      return false;
    }
    return true;
  }

  std::shared_ptr<WatchState> state_;
  std::string url_;
  http::ClientOptions options_;
  std::function<void(const WatchEvent&)> onEvent_;
  std::function<void(const Status&)> onEnd_;
  std::string buffer_;  // an incomplete line
  std::string other_;   // lines that were no event
  std::optional<Error> error_;
};

class WatchStreamImpl : public WatchStream {
 public:
  WatchStreamImpl(std::shared_ptr<WatchState> state, std::unique_ptr<WatchReader> reader)
      : state_(std::move(state)), thread_([reader = std::move(reader)] { reader->run(); }) {}

  ~WatchStreamImpl() override {
    stop();
    if (thread_.joinable()) {
      thread_.detach();  // destroyed from its own thread: the reader owns what it uses
    }
  }

  void stop() override {
    state_->stop = true;
    std::lock_guard lock(joinMu_);
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
      thread_.join();
    }
  }

  bool done() const override { return state_->done; }

 private:
  std::shared_ptr<WatchState> state_;
  std::mutex joinMu_;
  std::thread thread_;
};

}  // namespace

Result<WatchStreamPtr> ApiClient::watch(const Resource& r, const ListOptions& options,
                                        std::function<void(const WatchEvent&)> onEvent,
                                        std::function<void(const Status&)> onEnd) {
  BERTH_ASSIGN_OR_RETURN(std::string base, internal::baseUrl(config_));
  // The server ends the watch after timeoutSeconds; give up on a silent peer a while later.
  std::chrono::milliseconds timeout{0};
  if (options.timeoutSeconds && *options.timeoutSeconds > 0) {
    timeout = std::chrono::seconds(*options.timeoutSeconds + 30);
  }
  auto state = std::make_shared<WatchState>();
  auto reader = std::make_unique<WatchReader>(
      state, base + r.path() + internal::listQuery(options, true),
      internal::httpOptions(config_, "", timeout), std::move(onEvent), std::move(onEnd));
  return std::make_unique<WatchStreamImpl>(std::move(state), std::move(reader));
}

}  // namespace berth::client
