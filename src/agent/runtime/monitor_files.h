#pragma once

// The files through which OciRuntime and berth-monitor talk (see runtime.h for the layout of
// a container dir). Shared by the agent and the monitor binary, so this uses only the
// standard library and nlohmann::json (the monitor links nothing else).

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "agent/runtime/cgroup_paths.h"

namespace berth::runtime {

inline constexpr const char* kConfigFile = "config.json";
inline constexpr const char* kMonitorRequestFile = "monitor.json";
inline constexpr const char* kMonitorPidFile = "monitor.pid";
inline constexpr const char* kStartedFile = "started.json";
inline constexpr const char* kExitedFile = "exited.json";
inline constexpr const char* kErrorFile = "error.json";
inline constexpr const char* kPidFile = "pid";
inline constexpr const char* kRuntimeLogFile = "runtime.log";
inline constexpr const char* kMonitorLogFile = "monitor.log";

// What the monitor is asked to do (monitor.json).
struct MonitorRequest {
  std::string id;
  std::string runtimePath;  // crun or runc (a name looked up in PATH, or a path)
  std::string stateRoot;    // --root of the runtime
  std::string logPath;      // CRI log of the container's stdout/stderr
  int64_t logMaxBytes = 10 * 1024 * 1024;
  int logMaxFiles = 3;
  std::string cgroupsPath;  // as in config.json, for cleanup
  // The CPU limit, not in config.json: the monitor writes it into the cgroup once the runtime
  // started the container, so that the runtime's own set-up is not throttled by it.
  std::optional<CpuQuota> cpuQuota;
};

// A process identified across pid reuse.
struct ProcessId {
  pid_t pid = 0;
  unsigned long long startTime = 0;  // field 22 of /proc/PID/stat
};

// started.json: the container process runs.
struct StartedRecord {
  ProcessId process;
  std::string startedAt;  // RFC 3339 with nanoseconds
  ProcessId monitor;
};

// exited.json: how it ended.
struct ExitedRecord {
  int exitCode = 0;  // 128 + signal when killed by a signal
  int signal = 0;
  bool oomKilled = false;
  std::string finishedAt;
};

// error.json: create or start failed.
struct ErrorRecord {
  std::string code;  // "not-found", "invalid", "internal"
  std::string message;
};

std::string encode(const MonitorRequest& r);
std::string encode(const StartedRecord& r);
std::string encode(const ExitedRecord& r);
std::string encode(const ErrorRecord& r);
std::string encode(const ProcessId& r);

// Decoders return nullopt for a missing or malformed file.
std::optional<MonitorRequest> decodeMonitorRequest(const std::string& text);
std::optional<StartedRecord> decodeStarted(const std::string& text);
std::optional<ExitedRecord> decodeExited(const std::string& text);
std::optional<ErrorRecord> decodeError(const std::string& text);
std::optional<ProcessId> decodeProcessId(const std::string& text);

// The whole file, or nullopt if it cannot be read.
std::optional<std::string> readFile(const std::filesystem::path& path);

// Replaces `path` by `content` atomically (temp file + rename in the same directory). No fsync:
// these files describe processes, which do not survive a machine crash either. Never creates
// the directory, so a monitor cannot resurrect a dir the agent removed. Returns errno or 0.
int writeFileAtomic(const std::filesystem::path& path, const std::string& content);

// RFC 3339 UTC with nanoseconds of the current time: 2026-11-29T03:57:25.123456789Z.
std::string nowRfc3339Nano();

}  // namespace berth::runtime
