#pragma once

// The ContainerGroup controller's side of metering (instances/metering.h): it opens a group's
// billing interval (a MeterRecord, instances/meter_record.h) before it creates the group's pod,
// and closes it when the pod finished for good, when the group is stopped (a safety net: the
// ARM layer closes it at the moment of the stop) and when the group is gone. Records are read
// from the API server (not from a cache: the server reads its own writes), so the controller
// never opens a second interval.
//
// Thread safety: calls for different groups may run concurrently; one group's calls must not
// (the work queue syncs a key on one worker at a time).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "client/api_client.h"
#include "controllers/containergroup_logic.h"
#include "instances/metering.h"

namespace berth::controllers {

// instances.berth.io/v1 meterrecords in `ns` ("" : all namespaces).
client::Resource meterRecords(std::string ns = "");

class GroupMeter {
 public:
  explicit GroupMeter(client::ApiClient& client) : client_(client) {}

  // The open records of group object `name` in `ns`.
  Result<std::vector<json>> openRecords(const std::string& ns, const std::string& name);

  // Makes sure the group of `object` has an open interval, opening one at `now` if none is.
  // Before opening, the group is read again from the server: when it is gone or stopped there
  // (this sync's object is stale), nothing is opened and false is returned; otherwise true.
  Result<bool> ensureOpen(const json& object, const GroupObject& group, instances::Millis now);

  // Closes every open interval of group object `name` in `ns` at `end` (never before its start).
  Status closeOpen(const std::string& ns, const std::string& name, instances::Millis end,
                   const std::string& reason);

  // The "ns/name" keys of the groups that have an open interval (all namespaces).
  Result<std::vector<std::string>> groupsWithOpenRecords();

 private:
  client::ApiClient& client_;
};

// Whether the pod finished for good (phase Succeeded or Failed).
bool podFinished(const json& pod);
// The latest state.terminated.finishedAt of the pod's containers; nullopt when none has one.
std::optional<instances::Millis> podFinishedAt(const json& pod);
// A wall time in ms since the epoch.
instances::Millis toMillis(Clock::WallTime t);

}  // namespace berth::controllers
