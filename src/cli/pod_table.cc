#include "cli/pod_table.h"

#include <fmt/format.h>

#include <ctime>

namespace berth::cli {
namespace {

std::time_t parseTime(const std::string& rfc3339) {
  std::tm tm{};
  if (rfc3339.size() < 19 || !strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) {
    return 0;
  }
  return timegm(&tm);
}

std::string age(const std::string& since, const std::string& now) {
  std::time_t a = parseTime(since), b = parseTime(now);
  if (a == 0 || b == 0) {
    return "<unknown>";
  }
  long s = static_cast<long>(b - a);
  if (s < 120) {
    return fmt::format("{}s", std::max(0L, s));
  }
  if (s < 7200) {
    return fmt::format("{}m", s / 60);
  }
  if (s < 2 * 86400) {
    return fmt::format("{}h", s / 3600);
  }
  return fmt::format("{}d", s / 86400);
}

}  // namespace

std::string podDisplayStatus(const api::Pod& pod) {
  const auto& st = pod.status;
  std::string reason = st.reason.empty() ? st.phase : st.reason;
  size_t inits = pod.spec.initContainers.size();
  for (size_t i = 0; i < st.initContainerStatuses.size(); ++i) {
    const auto& cs = st.initContainerStatuses[i];
    if (cs.state.terminated && cs.state.terminated->exitCode == 0) {
      continue;
    }
    if (cs.state.terminated) {
      return "Init:" + (cs.state.terminated->reason.empty()
                            ? fmt::format("ExitCode:{}", cs.state.terminated->exitCode)
                            : cs.state.terminated->reason);
    }
    if (cs.state.waiting && !cs.state.waiting->reason.empty() &&
        cs.state.waiting->reason != "PodInitializing") {
      return "Init:" + cs.state.waiting->reason;
    }
    return fmt::format("Init:{}/{}", i, inits);
  }
  bool running = false;
  for (auto it = st.containerStatuses.rbegin(); it != st.containerStatuses.rend(); ++it) {
    const auto& cs = *it;
    if (cs.state.waiting && !cs.state.waiting->reason.empty()) {
      reason = cs.state.waiting->reason;
    } else if (cs.state.terminated && !cs.state.terminated->reason.empty()) {
      reason = cs.state.terminated->reason;
    } else if (cs.state.terminated) {
      reason = cs.state.terminated->signal != 0
                   ? fmt::format("Signal:{}", cs.state.terminated->signal)
                   : fmt::format("ExitCode:{}", cs.state.terminated->exitCode);
    } else if (cs.state.running) {
      running = true;
    }
  }
  if (running && reason == "Completed") {
    reason = "Running";
  }
  if (pod.metadata.deletionTimestamp) {
    reason = "Terminating";
  }
  return reason;
}

std::string podTable(const std::vector<api::Pod>& pods, const std::string& now) {
  std::vector<std::vector<std::string>> rows = {
      {"NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP"}};
  for (const auto& p : pods) {
    int ready = 0, restarts = 0;
    for (const auto& cs : p.status.containerStatuses) {
      ready += cs.ready ? 1 : 0;
      restarts += cs.restartCount;
    }
    rows.push_back({p.metadata.namespace_, p.metadata.name,
                    fmt::format("{}/{}", ready, p.spec.containers.size()), podDisplayStatus(p),
                    std::to_string(restarts), age(p.status.startTime, now),
                    p.status.podIP.empty() ? "<none>" : p.status.podIP});
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) {
      widths[i] = std::max(widths[i], r[i].size());
    }
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) {
        line += std::string(widths[i] - r[i].size() + 3, ' ');
      }
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace berth::cli
