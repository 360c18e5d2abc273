// OciRuntime: running extra processes in a container (`<runtime> exec`).

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/runtime/oci_runtime.h"
#include "agent/runtime/process_util.h"

namespace berth::runtime {
namespace {

// crun exec replaces the environment with the --env values (runc appends them), so the
// container's own environment is passed too, with the caller's values winning.
std::vector<std::string> execEnvironment(const std::filesystem::path& dir,
                                         const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  if (auto text = readFile(dir / kConfigFile)) {
    auto config = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    try {
      env = config.at("process").at("env").get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception&) {
      env.clear();
    }
  }
  for (const auto& kv : extra) {
    std::string key = kv.substr(0, kv.find('='));
    std::erase_if(env, [&](const std::string& e) { return e.substr(0, e.find('=')) == key; });
    env.push_back(kv);
  }
  return env;
}

}  // namespace

Result<ExecSession> OciRuntime::exec(const std::filesystem::path& dir, const ExecOptions& options) {
  if (options.command.empty()) {
    return fail(ErrorCode::kInvalidArgument, "exec: empty command");
  }
  ContainerFiles f = readContainerFiles(dir);
  if (!f.request) {
    return fail(ErrorCode::kNotFound, "container dir '{}' has no container", dir.string());
  }
  if (!f.started || f.exited || !isRunning(f.started->process)) {
    return fail(ErrorCode::kConflict, "container '{}' is not running", f.request->id);
  }
  std::vector<std::string> args = {"exec"};
  std::vector<std::string> extraEnv = options.env;
  if (options.tty) {
    // As docker exec -t does; the caller's TERM (added after) wins.
    extraEnv.insert(extraEnv.begin(), "TERM=xterm");
  }
  for (const auto& kv : execEnvironment(dir, extraEnv)) {
    args.insert(args.end(), {"--env", kv});
  }
  args.push_back(f.request->id);
  args.insert(args.end(), options.command.begin(), options.command.end());
  if (options.tty) {
    args.erase(args.begin());  // execTty adds "exec --tty --console-socket ..."
    return execTty(*f.request, args, options.stdin);
  }

  // The runtime's own errors (e.g. executable not found) go to stderr, where the caller sees
  // them like the process's.
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  auto closeAll = [&] {
    for (int* p : {in, out, err}) {
      for (int i = 0; i < 2; ++i) {
        if (p[i] >= 0) {
          ::close(p[i]);
          p[i] = -1;
        }
      }
    }
  };
  if ((options.stdin && ::pipe2(in, O_CLOEXEC) != 0) || ::pipe2(out, O_CLOEXEC) != 0 ||
      ::pipe2(err, O_CLOEXEC) != 0) {
    int e = errno;
    closeAll();
    return fail(errnoError(e, "pipe"));
  }
  SpawnOptions spawn;
  spawn.stdinFd = in[0];
  spawn.stdoutFd = out[1];
  spawn.stderrFd = err[1];
  pid_t pid = spawnProcess(command(args, &*f.request), spawn);
  if (pid < 0) {
    closeAll();
    return fail(errnoError(-pid, fmt::format("run '{}'", options_.runtimePath)));
  }
  for (int* fd : {&in[0], &out[1], &err[1]}) {
    if (*fd >= 0) {
      ::close(*fd);
      *fd = -1;
    }
  }
  ExecSession session;
  session.pid = pid;
  session.stdinFd = in[1];
  session.stdoutFd = out[0];
  session.stderrFd = err[0];
  return session;
}

Result<int> OciRuntime::waitExec(const ExecSession& session) {
  int status = 0;
  for (;;) {
    if (::waitpid(session.pid, &status, 0) >= 0) {
      reapContainerZombies();
      return exitCodeOf(status);
    }
    if (errno != EINTR) {
      return fail(errnoError(errno, fmt::format("wait for exec process {}", session.pid)));
    }
  }
}

}  // namespace berth::runtime
