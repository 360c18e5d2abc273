#pragma once

// The stored form of a billing interval (metering.h): the internal namespaced resource
// meterrecords.instances.berth.io/v1, kind MeterRecord, one object per interval in the group's
// namespace, with no ownerReference (it outlives the group). Opened by the group controller,
// closed by the ARM layer (stop, DELETE) or the controller (finished pod, group gone).
//   metadata  name = "<group object name>-<start in ms since the epoch>",
//             labels instances.berth.io/group = the group object's name,
//                    instances.berth.io/meter-state = "open" | "closed"
//   spec      {"subscriptionId", "resourceGroup", "containerGroup" (the ARM name), "location",
//              "vcpu", "memoryInGB" (the group's total requests), "start" (RFC 3339 with ms),
//              "end" (absent while open), "endReason" (with end: Stopped, Deleted, Finished)}
// A closed record never changes (the resource type refuses it). Pure functions.

#include <nlohmann/json.hpp>
#include <string>

#include "base/error.h"
#include "instances/metering.h"

namespace berth::instances {

inline constexpr const char* kMeterRecordResource = "meterrecords";
inline constexpr const char* kMeterRecordKind = "MeterRecord";
inline constexpr const char* kMeterStateLabel = "instances.berth.io/meter-state";
inline constexpr const char* kMeterOpen = "open";
inline constexpr const char* kMeterClosed = "closed";
// End reasons.
inline constexpr const char* kMeterEndStopped = "Stopped";
inline constexpr const char* kMeterEndDeleted = "Deleted";
inline constexpr const char* kMeterEndFinished = "Finished";
// The pod the interval was opened for could not be created (a retry opens another).
inline constexpr const char* kMeterEndCreateFailed = "CreateFailed";

// A new open record (apiVersion, kind, metadata, spec) for `interval` (its end ignored) of the
// group object `objectName` in namespace `ns`.
nlohmann::json meterRecordObject(const std::string& ns, const std::string& objectName,
                                 const MeterInterval& interval, const std::string& location);

// The interval of a record. kInvalidArgument naming the spec field that is missing or malformed.
Result<MeterInterval> readMeterRecord(const nlohmann::json& record);

// Whether the record has no end yet.
bool isOpenMeterRecord(const nlohmann::json& record);
// The group object name of the record (its instances.berth.io/group label).
std::string meterRecordGroup(const nlohmann::json& record);

// Closes an open record in place: spec.end = max(end, start), spec.endReason = reason, the
// state label "closed". False (and no change) when it is closed already or unreadable.
bool closeMeterRecord(nlohmann::json& record, Millis end, const std::string& reason);

// The label selector of the open records of group object `objectName`.
std::string openMeterRecordSelector(const std::string& objectName);

}  // namespace berth::instances
