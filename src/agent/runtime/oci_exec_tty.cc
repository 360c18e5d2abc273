// OciRuntime: exec with a terminal. The runtime allocates the pty inside the container and
// passes its master over a unix socket (--console-socket); the agent then holds the master.

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "agent/runtime/oci_runtime.h"
#include "agent/runtime/process_util.h"
#include "base/random.h"

namespace berth::runtime {
namespace {

// How long the runtime may take to create the process and send the pty master.
constexpr int kConsoleTimeoutMs = 30000;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = fd;
  }

 private:
  int fd_;
};

// Receives one fd sent with SCM_RIGHTS.
int receiveFd(int socket) {
  char data[256];
  iovec iov{data, sizeof(data)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  if (::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC) < 0) {
    return -1;
  }
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof(fd));
      return fd;
    }
  }
  return -1;
}

std::string readAvailable(int fd) {
  std::string out;
  char buf[4096];
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;) {
    out.append(buf, static_cast<size_t>(n));
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

}  // namespace

Result<ExecSession> OciRuntime::execTty(const MonitorRequest& request,
                                        const std::vector<std::string>& runtimeArgs,
                                        bool withStdin) {
  // The socket path must fit sun_path (108 bytes); the state root is private to the agent.
  std::string name = "console-" + randomHex(8) + ".sock";
  std::string path = (std::filesystem::path(request.stateRoot) / name).string();
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    path = "/tmp/berth-" + name;
  }
  Fd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (listener.get() < 0 ||
      ::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listener.get(), 1) != 0) {
    int err = errno;
    ::unlink(path.c_str());
    return fail(errnoError(err, fmt::format("console socket '{}'", path)));
  }
  struct Unlink {
    std::string path;
    ~Unlink() { ::unlink(path.c_str()); }
  } unlinkSocket{path};

  std::vector<std::string> args = {"exec", "--tty", "--console-socket", path};
  args.insert(args.end(), runtimeArgs.begin(), runtimeArgs.end());
  int err[2];
  if (::pipe2(err, O_CLOEXEC) != 0) {
    return fail(errnoError(errno, "pipe"));
  }
  Fd errRead(err[0]);
  SpawnOptions spawn;
  spawn.stderrFd = err[1];
  pid_t pid = spawnProcess(command(args, &request), spawn);
  ::close(err[1]);
  if (pid < 0) {
    return fail(errnoError(-pid, fmt::format("run '{}'", request.runtimePath)));
  }
  auto abandon = [&](Error error) {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    std::string why = readAvailable(errRead.get());
    if (!why.empty()) {
      error = Error(ErrorCode::kInvalidArgument, why);
    }
    return fail(std::move(error.wrap("exec")));
  };
  // Wait for the runtime to connect, or to fail (it exits without connecting).
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  pollfd fds[2] = {{listener.get(), POLLIN, 0}, {pidfd.get(), POLLIN, 0}};
  int rc = ::poll(fds, pidfd.get() >= 0 ? 2 : 1, kConsoleTimeoutMs);
  if (rc <= 0 || !(fds[0].revents & POLLIN)) {
    return abandon(Error(ErrorCode::kDeadlineExceeded, "the runtime sent no terminal"));
  }
  Fd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  Fd master(conn.get() >= 0 ? receiveFd(conn.get()) : -1);
  if (master.get() < 0) {
    return abandon(errnoError(errno, "receive terminal"));
  }
  ExecSession session;
  session.pid = pid;
  if (withStdin) {
    session.stdinFd = ::fcntl(master.get(), F_DUPFD_CLOEXEC, 3);
  }
  session.stdoutFd = master.release();
  return session;
}

Status OciRuntime::resizeExec(const ExecSession& session, uint16_t rows, uint16_t cols) {
  winsize size{};
  size.ws_row = rows;
  size.ws_col = cols;
  if (session.stderrFd >= 0 || ::ioctl(session.stdoutFd, TIOCSWINSZ, &size) != 0) {
    return fail(ErrorCode::kInvalidArgument, "exec session {} has no terminal", session.pid);
  }
  return ok();
}

}  // namespace berth::runtime
