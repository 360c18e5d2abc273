#include "agent/probe_executor.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

#include "http/client.h"

namespace berth::agent {
namespace {

using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The kubelet keeps at most this much of a probe's output.
constexpr size_t kMaxOutput = size_t{10} * 1024;

std::string joinHostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) {
    return fmt::format("[{}]:{}", host, port);
  }
  return fmt::format("{}:{}", host, port);
}

int remainingMs(Steady::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Steady::now()).count();
  return static_cast<int>(std::max<int64_t>(0, left));
}

ProbeRun failure(std::string output) {
  return ProbeRun{ProbeOutcome::kFailure, std::move(output)};
}

}  // namespace

int resolveProbePort(const std::string& port, const std::vector<api::ContainerPort>& ports) {
  int value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec == std::errc() && end == port.data() + port.size()) {
    return value > 0 && value < 65536 ? value : -1;
  }
  for (const auto& p : ports) {
    if (!p.name.empty() && p.name == port) {
      return p.containerPort;
    }
  }
  return -1;
}

ProbeRun probeHttp(const api::HttpGetAction& action, const std::string& podIP,
                   const std::vector<api::ContainerPort>& ports, milliseconds timeout) {
  int port = resolveProbePort(action.port, ports);
  if (port < 0) {
    return ProbeRun{ProbeOutcome::kUnknown, fmt::format("unknown port '{}'", action.port)};
  }
  std::string scheme = action.scheme.empty() ? "http" : action.scheme;
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  std::string path = action.path.empty() ? "/" : action.path;
  if (path.front() != '/') {
    path = "/" + path;
  }
  const std::string& host = action.host.empty() ? podIP : action.host;
  std::string url = fmt::format("{}://{}{}", scheme, joinHostPort(host, port), path);

  http::ClientOptions options;
  options.insecure = true;  // the kubelet does not verify a probe's certificate either
  options.timeout = timeout;
  options.headers["User-Agent"] = "kube-probe/1.32";
  options.headers["Accept"] = "*/*";
  // Every probe opens a connection of its own, as the kubelet's (keep-alives disabled).
  options.headers["Connection"] = "close";
  for (const auto& h : action.httpHeaders) {
    options.headers[h.name] = h.value;
  }
  auto response = http::httpRequest("GET", url, "", options);
  if (!response) {
    if (response.error().code() == ErrorCode::kDeadlineExceeded) {
      return failure(fmt::format(
          "Get \"{}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
          url));
    }
    return failure(fmt::format("Get \"{}\": {}", url, response.error().message()));
  }
  std::string body = response->body.substr(0, kMaxOutput);
  if (response->status >= 200 && response->status < 400) {
    return ProbeRun{ProbeOutcome::kSuccess, std::move(body)};
  }
  return failure(fmt::format("HTTP probe failed with statuscode: {}", response->status));
}

ProbeRun probeTcp(const api::TcpSocketAction& action, const std::string& podIP,
                  const std::vector<api::ContainerPort>& ports, milliseconds timeout) {
  int port = resolveProbePort(action.port, ports);
  if (port < 0) {
    return ProbeRun{ProbeOutcome::kUnknown, fmt::format("unknown port '{}'", action.port)};
  }
  const std::string& host = action.host.empty() ? podIP : action.host;
  const std::string address = joinHostPort(host, port);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return failure(fmt::format("dial tcp {}: lookup {}: {}", address, host, gai_strerror(rc)));
  }
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ::freeaddrinfo(found);
    return failure(fmt::format("dial tcp {}: socket: {}", address, std::strerror(errno)));
  }
  int rc = ::connect(fd, found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);
  int error = rc == 0 ? 0 : errno;
  if (error == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready <= 0) {
      ::close(fd);
      return failure(fmt::format("dial tcp {}: i/o timeout", address));
    }
    socklen_t len = sizeof(error);
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
  }
  ::close(fd);
  if (error != 0) {
    return failure(fmt::format("dial tcp {}: connect: {}", address, std::strerror(error)));
  }
  return ProbeRun{ProbeOutcome::kSuccess, ""};
}

ProbeRun probeExec(runtime::Runtime& runtime, const api::ExecAction& action,
                   const std::filesystem::path& dir, milliseconds timeout) {
  runtime::ExecOptions options;
  options.command = action.command;
  auto session = runtime.exec(dir, options);
  if (!session) {
    if (session.error().code() == ErrorCode::kConflict ||
        session.error().code() == ErrorCode::kNotFound) {
      return ProbeRun{ProbeOutcome::kUnknown, session.error().message()};  // it is stopping
    }
    return failure(session.error().message());
  }
  if (session->stdinFd >= 0) {
    ::close(session->stdinFd);
  }
  // Collect stdout and stderr (the kubelet's combined output) until both end or time is up.
  const auto deadline = Steady::now() + timeout;
  std::string output;
  int fds[2] = {session->stdoutFd, session->stderrFd};
  bool timedOut = false;
  for (;;) {
    pollfd p[2];
    nfds_t n = 0;
    for (int fd : fds) {
      if (fd >= 0) {
        p[n++] = pollfd{fd, POLLIN, 0};
      }
    }
    if (n == 0) {
      break;
    }
    int left = remainingMs(deadline);
    if (left == 0 || ::poll(p, n, left) == 0) {
      timedOut = true;
      break;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (p[i].revents == 0) {
        continue;
      }
      char buf[4096];
      ssize_t got = ::read(p[i].fd, buf, sizeof(buf));
      if (got > 0) {
        if (output.size() < kMaxOutput) {
          output.append(buf, std::min<size_t>(got, kMaxOutput - output.size()));
        }
        continue;
      }
      if (got < 0 && errno == EINTR) {
        continue;
      }
      for (int& fd : fds) {
        if (fd == p[i].fd) {
          ::close(fd);
          fd = -1;
        }
      }
    }
  }
  for (int fd : fds) {
    if (fd >= 0) {
      ::close(fd);
    }
  }
  if (timedOut) {
    ::kill(session->pid, SIGKILL);
  }
  auto code = runtime.waitExec(*session);
  std::string command;
  for (const auto& a : action.command) {
    command += (command.empty() ? "" : " ") + a;
  }
  if (timedOut) {
    return failure(fmt::format("command \"{}\" timed out", command));
  }
  if (!code) {
    return ProbeRun{ProbeOutcome::kUnknown, code.error().message()};
  }
  if (*code == 0) {
    return ProbeRun{ProbeOutcome::kSuccess, std::move(output)};
  }
  return failure(std::move(output));
}

namespace {

class RealProbeExecutor final : public ProbeExecutor {
 public:
  explicit RealProbeExecutor(runtime::Runtime& runtime) : runtime_(runtime) {}

  ProbeRun run(const api::Probe& probe, const ProbeTarget& target, milliseconds timeout) override {
    if (probe.exec) {
      return probeExec(runtime_, *probe.exec, target.dir, timeout);
    }
    if (probe.httpGet) {
      return probeHttp(*probe.httpGet, target.podIP, target.ports, timeout);
    }
    if (probe.tcpSocket) {
      return probeTcp(*probe.tcpSocket, target.podIP, target.ports, timeout);
    }
    return ProbeRun{ProbeOutcome::kUnknown, "missing probe handler"};
  }

 private:
  runtime::Runtime& runtime_;
};

}  // namespace

ProbeExecutorPtr makeProbeExecutor(runtime::Runtime& runtime) {
  return std::make_unique<RealProbeExecutor>(runtime);
}

}  // namespace berth::agent
