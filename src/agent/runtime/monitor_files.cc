#include "agent/runtime/monitor_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

namespace berth::runtime {
namespace {

using nlohmann::json;

std::optional<json> parse(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return std::nullopt;
  }
  return j;
}

json processJson(const ProcessId& p) {
  return json{{"pid", p.pid}, {"startTime", p.startTime}};
}

ProcessId processFrom(const json& j) {
  ProcessId p;
  p.pid = j.value("pid", 0);
  p.startTime = j.value("startTime", 0ULL);
  return p;
}

}  // namespace

std::string encode(const MonitorRequest& r) {
  json j{{"id", r.id},
         {"runtimePath", r.runtimePath},
         {"stateRoot", r.stateRoot},
         {"logPath", r.logPath},
         {"logMaxBytes", r.logMaxBytes},
         {"logMaxFiles", r.logMaxFiles},
         {"cgroupsPath", r.cgroupsPath}};
  if (r.cpuQuota) {
    j["cpuQuota"] = {{"quota", r.cpuQuota->quotaMicros}, {"period", r.cpuQuota->periodMicros}};
  }
  return j.dump();
}

std::string encode(const StartedRecord& r) {
  return json{{"pid", r.process.pid},
              {"pidStartTime", r.process.startTime},
              {"startedAt", r.startedAt},
              {"monitorPid", r.monitor.pid},
              {"monitorStartTime", r.monitor.startTime}}
      .dump();
}

std::string encode(const ExitedRecord& r) {
  return json{{"exitCode", r.exitCode},
              {"signal", r.signal},
              {"oomKilled", r.oomKilled},
              {"finishedAt", r.finishedAt}}
      .dump();
}

std::string encode(const ErrorRecord& r) {
  return json{{"code", r.code}, {"message", r.message}}.dump();
}

std::string encode(const ProcessId& r) {
  return processJson(r).dump();
}

std::optional<MonitorRequest> decodeMonitorRequest(const std::string& text) {
  auto j = parse(text);
  if (!j) {
    return std::nullopt;
  }
  try {
    MonitorRequest r;
    r.id = j->at("id").get<std::string>();
    r.runtimePath = j->at("runtimePath").get<std::string>();
    r.stateRoot = j->at("stateRoot").get<std::string>();
    r.logPath = j->value("logPath", "");
    r.logMaxBytes = j->value("logMaxBytes", r.logMaxBytes);
    r.logMaxFiles = j->value("logMaxFiles", r.logMaxFiles);
    r.cgroupsPath = j->value("cgroupsPath", "");
    if (j->contains("cpuQuota")) {
      const json& q = j->at("cpuQuota");
      r.cpuQuota = CpuQuota{q.at("quota").get<int64_t>(), q.at("period").get<int64_t>()};
    }
    return r;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::optional<StartedRecord> decodeStarted(const std::string& text) {
  auto j = parse(text);
  if (!j) {
    return std::nullopt;
  }
  try {
    StartedRecord r;
    r.process.pid = j->at("pid").get<pid_t>();
    r.process.startTime = j->value("pidStartTime", 0ULL);
    r.startedAt = j->value("startedAt", "");
    r.monitor.pid = j->value("monitorPid", 0);
    r.monitor.startTime = j->value("monitorStartTime", 0ULL);
    return r;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::optional<ExitedRecord> decodeExited(const std::string& text) {
  auto j = parse(text);
  if (!j) {
    return std::nullopt;
  }
  try {
    ExitedRecord r;
    r.exitCode = j->at("exitCode").get<int>();
    r.signal = j->value("signal", 0);
    r.oomKilled = j->value("oomKilled", false);
    r.finishedAt = j->value("finishedAt", "");
    return r;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::optional<ErrorRecord> decodeError(const std::string& text) {
  auto j = parse(text);
  if (!j) {
    return std::nullopt;
  }
  try {
    return ErrorRecord{j->value("code", "internal"), j->value("message", "")};
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::optional<ProcessId> decodeProcessId(const std::string& text) {
  auto j = parse(text);
  if (!j) {
    return std::nullopt;
  }
  try {
    return processFrom(*j);
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::optional<std::string> readFile(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return std::nullopt;
  }
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) {
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

int writeFileAtomic(const std::filesystem::path& path, const std::string& content) {
  std::string tmp = path.string() + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return errno;
  }
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return err;
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return err;
  }
  return 0;
}

std::string nowRfc3339Nano() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  std::tm tm{};
  ::gmtime_r(&ts.tv_sec, &tm);
  char buf[80];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
  return buf;
}

}  // namespace berth::runtime
