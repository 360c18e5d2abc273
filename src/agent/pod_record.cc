#include "agent/pod_record.h"

#include <nlohmann/json.hpp>

#include "api/pod_codec.h"
#include "base/files.h"

namespace berth::agent {
namespace {

using nlohmann::json;

json terminatedToJson(const api::ContainerStateTerminated& t) {
  return {{"exitCode", t.exitCode},      {"signal", t.signal},       {"reason", t.reason},
          {"message", t.message},        {"startedAt", t.startedAt}, {"finishedAt", t.finishedAt},
          {"containerID", t.containerID}};
}

api::ContainerStateTerminated terminatedFromJson(const json& j) {
  api::ContainerStateTerminated t;
  t.exitCode = j.value("exitCode", 0);
  t.signal = j.value("signal", 0);
  t.reason = j.value("reason", "");
  t.message = j.value("message", "");
  t.startedAt = j.value("startedAt", "");
  t.finishedAt = j.value("finishedAt", "");
  t.containerID = j.value("containerID", "");
  return t;
}

json containerToJson(const ContainerRecord& c) {
  json j = {{"name", c.name},
            {"init", c.init},
            {"attempt", c.attempt},
            {"runtimeId", c.runtimeId},
            {"dir", c.dir.string()},
            {"logPath", c.logPath.string()},
            {"previousLogPath", c.previousLogPath.string()},
            {"restartCount", c.restartCount},
            {"image", c.image},
            {"imageId", c.imageId},
            {"started", c.started},
            {"waitingReason", c.waitingReason},
            {"waitingMessage", c.waitingMessage},
            {"backoffUntilMs", c.backoffUntilMs},
            {"backoffDelayMs", c.backoffDelayMs},
            {"backoffForAttempt", c.backoffForAttempt},
            {"startedAtMs", c.startedAtMs}};
  if (c.lastTerminated) {
    j["lastTerminated"] = terminatedToJson(*c.lastTerminated);
  }
  return j;
}

ContainerRecord containerFromJson(const json& j) {
  ContainerRecord c;
  c.name = j.value("name", "");
  c.init = j.value("init", false);
  c.attempt = j.value("attempt", 0);
  c.runtimeId = j.value("runtimeId", "");
  c.dir = j.value("dir", "");
  c.logPath = j.value("logPath", "");
  c.previousLogPath = j.value("previousLogPath", "");
  c.restartCount = j.value("restartCount", 0);
  c.image = j.value("image", "");
  c.imageId = j.value("imageId", "");
  c.started = j.value("started", false);
  c.waitingReason = j.value("waitingReason", "");
  c.waitingMessage = j.value("waitingMessage", "");
  c.backoffUntilMs = j.value("backoffUntilMs", int64_t{0});
  c.backoffDelayMs = j.value("backoffDelayMs", int64_t{0});
  c.backoffForAttempt = j.value("backoffForAttempt", 0);
  c.startedAtMs = j.value("startedAtMs", int64_t{0});
  if (j.contains("lastTerminated")) {
    c.lastTerminated = terminatedFromJson(j["lastTerminated"]);
  }
  return c;
}

}  // namespace

static Result<PodRecord> recordFromJson(const json& j, const std::filesystem::path& file);

ContainerRecord* PodRecord::find(const std::string& name, bool init) {
  for (auto& c : containers) {
    if (c.name == name && c.init == init) {
      return &c;
    }
  }
  return nullptr;
}

Result<PodRecord> loadRecord(const std::filesystem::path& file) {
  BERTH_ASSIGN_OR_RETURN(std::string text, files::read(file));
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return fail(ErrorCode::kDataLoss, "record '{}' is not valid JSON", file.string());
  }
  // Library exceptions stop here: a record damaged by hand is an error, not a crash.
  try {
    return recordFromJson(j, file);
  } catch (const json::exception& e) {
    return fail(ErrorCode::kDataLoss, "record '{}': {}", file.string(), e.what());
  }
}

static Result<PodRecord> recordFromJson(const json& j, const std::filesystem::path& file) {
  PodRecord r;
  auto pod = api::decodePod(j.value("pod", json::object()));
  if (!pod) {
    return fail(std::move(pod.error()).wrap(fmt::format("record '{}'", file.string())));
  }
  r.pod = std::move(*pod);
  r.source = j.value("source", "");
  r.sandboxCreated = j.value("sandboxCreated", false);
  r.podIP = j.value("podIP", "");
  r.startTime = j.value("startTime", "");
  r.invalidReason = j.value("invalidReason", "");
  r.invalidMessage = j.value("invalidMessage", "");
  for (const auto& c : j.value("containers", json::array())) {
    r.containers.push_back(containerFromJson(c));
  }
  return r;
}

Status saveRecord(const std::filesystem::path& file, const PodRecord& record) {
  json containers = json::array();
  for (const auto& c : record.containers) {
    containers.push_back(containerToJson(c));
  }
  json j = {{"pod", api::encodePod(record.pod)},       {"source", record.source},
            {"sandboxCreated", record.sandboxCreated}, {"podIP", record.podIP},
            {"startTime", record.startTime},           {"invalidReason", record.invalidReason},
            {"invalidMessage", record.invalidMessage}, {"containers", containers}};
  return files::writeAtomic(file, j.dump());
}

}  // namespace berth::agent
