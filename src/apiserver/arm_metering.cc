// ArmService's metering: closing a group's billing interval at stop and DELETE, and GET
// .../meteredUsage (instances/metering.h, instances/meter_record.h).

#include <chrono>

#include "apiserver/arm_service.h"
#include "apiserver/type_support.h"
#include "instances/arm_resource.h"
#include "instances/meter_record.h"
#include "instances/pod_naming.h"

namespace berth::apiserver {

using nlohmann::json;
namespace inst = berth::instances;
using inst::armFail;
using inst::ArmPath;
using inst::ArmResult;
using inst::ArmStatus;

namespace {

inst::Millis millisOf(Clock::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// The query parameter `name` as a time, nullopt when absent.
ArmResult<std::optional<inst::Millis>> timeParameter(const ArmCall& call, const char* name) {
  auto value = call.query.get(name);
  if (!value) {
    return std::nullopt;
  }
  auto t = inst::parseRfc3339Millis(*value);
  if (!t) {
    return armFail(400, "InvalidParameter",
                   "The value '{}' of query parameter '{}' is invalid: it must be an RFC 3339 "
                   "timestamp such as '2026-01-02T15:04:05Z'.",
                   *value, name);
  }
  return t;
}

}  // namespace

ArmStatus ArmService::closeMeterRecords(const std::string& namespace_, const std::string& name,
                                        const std::string& reason) {
  const inst::Millis now = millisOf(handlers_.clock().now());
  for (const auto& item : handlers_.objects().list(*meterRecords_, namespace_).items) {
    const json& record = *item.object;
    if (inst::meterRecordGroup(record) != name || !inst::isOpenMeterRecord(record)) {
      continue;
    }
    auto closed = handlers_.updateObject(
        *meterRecords_, namespace_, types::nameOf(record), "",
        [&](const json& current) -> ApiResult<json> {
          json next = current;
          inst::closeMeterRecord(next, now, reason);  // unchanged when closed meanwhile
          return next;
        },
        WriteOptions{});
    if (!closed && closed.error().code != 404) {
      return std::unexpected(toArmError(closed.error()));
    }
  }
  return {};
}

ArmResult<ArmReply> ArmService::meteredUsage(const ArmPath& path, const ArmCall& call) {
  auto group = call.query.get("containerGroup");
  if (group && path.resourceGroup.empty()) {
    return armFail(400, "InvalidParameter",
                   "The query parameter 'containerGroup' needs a resource group in the path.");
  }
  auto from = timeParameter(call, "from");
  if (!from) {
    return std::unexpected(from.error());
  }
  auto to = timeParameter(call, "to");
  if (!to) {
    return std::unexpected(to.error());
  }
  const inst::Millis now = millisOf(handlers_.clock().now());
  std::string ns =
      path.resourceGroup.empty() ? "" : inst::podNamespace(path.subscriptionId, path.resourceGroup);
  std::vector<inst::MeterInterval> intervals;
  for (const auto& item : handlers_.objects().list(*meterRecords_, ns).items) {
    auto interval = inst::readMeterRecord(*item.object);
    if (!interval || !inst::armEquals(interval->subscriptionId, path.subscriptionId) ||
        (!path.resourceGroup.empty() &&
         !inst::armEquals(interval->resourceGroup, path.resourceGroup)) ||
        (group && !inst::armEquals(interval->containerGroup, *group))) {
      continue;
    }
    intervals.push_back(std::move(*interval));
  }
  inst::Millis end = to->value_or(now);
  inst::Millis start = end;
  if (*from) {
    start = **from;
  } else {
    for (const auto& interval : intervals) {
      start = std::min(start, interval.start);
    }
  }
  if (end < start) {
    return armFail(400, "InvalidParameter",
                   "The value '{}' of query parameter 'to' is invalid: it must not be before "
                   "'from' ('{}').",
                   inst::rfc3339Millis(end), inst::rfc3339Millis(start));
  }
  auto report = inst::computeUsage(intervals, start, end, now, options_.prices);
  return ArmReply{200, inst::usageJson(report, options_.prices), {}};
}

}  // namespace berth::apiserver
