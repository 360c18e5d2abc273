#include "cli/container_logs.h"

#include <chrono>
#include <thread>

namespace berth::cli {
namespace {

Result<std::string> fetchLog(const ArmClient& arm, const std::string& path) {
  BERTH_ASSIGN_OR_RETURN(ArmReply reply, arm.call("GET", path));
  if (!reply.body.is_object()) {
    return std::string();
  }
  return reply.body.value("content", "");
}

}  // namespace

std::string newLogPart(const std::string& before, const std::string& now, bool* reset) {
  *reset = false;
  if (now.size() >= before.size() && now.compare(0, before.size(), before) == 0) {
    return now.substr(before.size());
  }
  *reset = true;
  return now;
}

Status printLogs(const ArmClient& arm, const LogsOptions& options, std::FILE* out) {
  BERTH_ASSIGN_OR_RETURN(
      std::string container,
      resolveContainerName(arm, options.resourceGroup, options.group, options.container));
  std::string path =
      arm.groupPath(options.resourceGroup, options.group) + "/containers/" + container + "/logs";
  BERTH_ASSIGN_OR_RETURN(std::string log, fetchLog(arm, path));
  std::fputs(log.c_str(), out);
  std::fflush(out);
  while (options.follow) {
    std::this_thread::sleep_for(std::chrono::seconds(options.pollSeconds));
    BERTH_ASSIGN_OR_RETURN(std::string now, fetchLog(arm, path));
    bool reset = false;
    std::string part = newLogPart(log, now, &reset);
    if (reset) {
      std::fprintf(stderr, "warning: the log of container '%s' started over\n", container.c_str());
    }
    std::fputs(part.c_str(), out);
    std::fflush(out);
    log = std::move(now);
  }
  return ok();
}

}  // namespace berth::cli
