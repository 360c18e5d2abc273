#include "cli/container_exec.h"

#include <stdlib.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <filesystem>

#include "base/files.h"
#include "http/ws_client.h"

namespace berth::cli {
namespace {

using nlohmann::json;

// The CA for the WebSocket client, which reads it from a file: the kubeconfig's file, or its
// inline PEM written to a temporary file that lives as long as this object.
class CaFile {
 public:
  static Result<CaFile> of(const client::ClientConfig& config) {
    CaFile out;
    if (config.caData.empty()) {
      out.path_ = config.caFile;
      return out;
    }
    char name[] = "/tmp/berth-ca-XXXXXX";
    int fd = ::mkstemp(name);
    if (fd < 0) {
      return fail(ErrorCode::kInternal, "cannot create a temporary CA file: {}",
                  std::strerror(errno));
    }
    ::close(fd);
    out.path_ = name;
    out.owned_ = true;
    BERTH_TRY_STATUS(files::writeAtomic(out.path_, config.caData));
    return out;
  }
  CaFile() = default;
  CaFile(CaFile&& other) noexcept : path_(std::move(other.path_)), owned_(other.owned_) {
    other.owned_ = false;
  }
  ~CaFile() {
    if (owned_) {
      std::error_code ignored;
      std::filesystem::remove(path_, ignored);
    }
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  bool owned_ = false;
};

std::string readAll(std::FILE* in) {
  std::string data;
  char buffer[65536];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), in)) > 0) {
    data.append(buffer, n);
  }
  return data;
}

}  // namespace

std::optional<int> exitCodeFromClose(std::string_view closeMessage) {
  constexpr std::string_view kPrefix = "exit code ";
  auto pos = closeMessage.find(kPrefix);
  if (pos == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view rest = closeMessage.substr(pos + kPrefix.size());
  int code = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), code);
  if (ec != std::errc() || end == rest.data()) {
    return std::nullopt;
  }
  return code;
}

Result<int> runExec(const ArmClient& arm, const ExecOptions& options, std::FILE* in,
                    std::FILE* out) {
  if (options.command.empty()) {
    return fail(ErrorCode::kInvalidArgument, "--exec-command is required");
  }
  BERTH_ASSIGN_OR_RETURN(
      std::string container,
      resolveContainerName(arm, options.resourceGroup, options.group, options.container));
  json body = {{"command", options.command},
               {"terminalSize", {{"rows", options.rows}, {"cols", options.cols}}}};
  BERTH_ASSIGN_OR_RETURN(ArmReply reply,
                         arm.call("POST",
                                  arm.groupPath(options.resourceGroup, options.group) +
                                      "/containers/" + container + "/exec",
                                  body));
  std::string uri = reply.body.is_object() ? reply.body.value("webSocketUri", "") : "";
  std::string password = reply.body.is_object() ? reply.body.value("password", "") : "";
  if (uri.empty()) {
    return fail(ErrorCode::kInternal, "the exec answer has no 'webSocketUri'");
  }

  BERTH_ASSIGN_OR_RETURN(CaFile ca, CaFile::of(arm.config()));
  http::WebSocketClientOptions wsOptions;
  wsOptions.caFile = ca.path();
  wsOptions.insecure = arm.config().insecure;
  // Reads wait for the command's output, which may take long; a timeout would end the session.
  wsOptions.timeout = std::chrono::hours(24);
  BERTH_ASSIGN_OR_RETURN(auto socket, http::WebSocketClient::connect(uri, wsOptions));
  BERTH_TRY_STATUS(socket->write(password));
  if (in != nullptr && !::isatty(::fileno(in))) {
    std::string input = readAll(in);
    if (!input.empty()) {
      BERTH_TRY_STATUS(socket->write(input));
    }
  }
  while (true) {
    auto message = socket->read();
    if (!message) {
      if (auto code = exitCodeFromClose(message.error().message())) {
        return *code;
      }
      if (message.error().message().find("invalid password") != std::string::npos) {
        return fail(ErrorCode::kPermissionDenied, "exec session refused: invalid password");
      }
      return fail(ErrorCode::kUnavailable, "exec session ended without an exit code: {}",
                  message.error().message());
    }
    std::fwrite(message->data(), 1, message->size(), out);
    std::fflush(out);
  }
}

}  // namespace berth::cli
