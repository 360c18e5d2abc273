#include "controllers/containergroup_metering.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "controllers/controller_utils.h"
#include "instances/arm_resource.h"
#include "instances/meter_record.h"
#include "instances/pod_naming.h"
#include "instances/quota.h"

namespace berth::controllers {

namespace inst = berth::instances;

client::Resource meterRecords(std::string ns) {
  return {"instances.berth.io", "v1", inst::kMeterRecordResource, std::move(ns)};
}

inst::Millis toMillis(Clock::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Result<std::vector<json>> GroupMeter::openRecords(const std::string& ns, const std::string& name) {
  BERTH_ASSIGN_OR_RETURN(
      json list,
      client_.list(meterRecords(ns), {.labelSelector = inst::openMeterRecordSelector(name)}));
  std::vector<json> out;
  for (const json& item : list.value("items", json::array())) {
    if (inst::isOpenMeterRecord(item)) {
      out.push_back(item);
    }
  }
  return out;
}

Result<bool> GroupMeter::ensureOpen(const json& object, const GroupObject& group,
                                    inst::Millis now) {
  std::string ns = metaString(object, "namespace");
  std::string name = metaString(object, "name");
  BERTH_ASSIGN_OR_RETURN(auto open, openRecords(ns, name));
  if (!open.empty()) {
    return true;
  }
  auto current = client_.get(containerGroups(ns), name);
  if (!current) {
    if (current.error().code() == ErrorCode::kNotFound) {
      return false;
    }
    return fail(std::move(current.error()).wrap("read containergroup '" + ns + "/" + name + "'"));
  }
  if (metaString(*current, "uid") != metaString(object, "uid") || isDeleting(*current) ||
      current->value("spec", json::object()).value("desiredState", "") == inst::kDesiredStopped) {
    return false;
  }
  inst::MeterInterval interval;
  interval.subscriptionId = group.group.subscriptionId;
  interval.resourceGroup = group.group.resourceGroup;
  interval.containerGroup = group.group.name;
  interval.vcpu = inst::totalCpu(group.group);
  interval.memoryInGB = inst::totalMemoryInGB(group.group);
  interval.start = now;
  json record = inst::meterRecordObject(ns, name, interval, group.group.location);
  auto created = client_.create(meterRecords(ns), record);
  if (!created) {
    return fail(std::move(created.error()).wrap("open meter record of '" + ns + "/" + name + "'"));
  }
  spdlog::info("containergroup-controller: '{}/{}': metering from {}", ns, name,
               inst::rfc3339Millis(now));
  return true;
}

Status GroupMeter::closeOpen(const std::string& ns, const std::string& name, inst::Millis end,
                             const std::string& reason) {
  BERTH_ASSIGN_OR_RETURN(auto open, openRecords(ns, name));
  for (json record : open) {
    if (!inst::closeMeterRecord(record, end, reason)) {
      continue;
    }
    auto updated = client_.update(meterRecords(ns), record);
    // kConflict: someone (the ARM layer) closed it meanwhile; kNotFound: it was removed.
    if (!updated && updated.error().code() != ErrorCode::kConflict &&
        updated.error().code() != ErrorCode::kNotFound) {
      return fail(std::move(updated.error())
                      .wrap("close meter record '" + metaString(record, "name") + "'"));
    }
    if (updated) {
      spdlog::info("containergroup-controller: '{}/{}': metering ended ({})", ns, name, reason);
    }
  }
  return ok();
}

Result<std::vector<std::string>> GroupMeter::groupsWithOpenRecords() {
  BERTH_ASSIGN_OR_RETURN(
      json list,
      client_.list(meterRecords(), {.labelSelector = std::string(inst::kMeterStateLabel) + "=" +
                                                     inst::kMeterOpen}));
  std::vector<std::string> keys;
  for (const json& item : list.value("items", json::array())) {
    keys.push_back(metaString(item, "namespace") + "/" + inst::meterRecordGroup(item));
  }
  std::ranges::sort(keys);
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

bool podFinished(const json& pod) {
  std::string phase = podPhase(pod);
  return phase == "Succeeded" || phase == "Failed";
}

std::optional<inst::Millis> podFinishedAt(const json& pod) {
  std::optional<inst::Millis> latest;
  const json status = pod.value("status", json::object());
  for (const char* list : {"containerStatuses", "initContainerStatuses"}) {
    for (const json& c : status.value(list, json::array())) {
      const json* finished = nullptr;
      if (auto state = c.find("state"); state != c.end() && state->is_object()) {
        if (auto t = state->find("terminated"); t != state->end() && t->is_object()) {
          if (auto f = t->find("finishedAt"); f != t->end() && f->is_string()) {
            finished = &*f;
          }
        }
      }
      auto when = finished ? inst::parseRfc3339Millis(finished->get<std::string>()) : std::nullopt;
      if (when && (!latest || *when > *latest)) {
        latest = when;
      }
    }
  }
  return latest;
}

}  // namespace berth::controllers
