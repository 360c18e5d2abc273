#pragma once

// Per-second metering of container groups (issue 4): what a group used and what it costs,
// computed from its billing intervals. Pure functions; thread-safe.
//
// Rules (ACI bills a Linux group per second from the start of its image pull until it stops):
//   - A billing interval (a MeterRecord, stored as meterrecords.instances.berth.io/v1, see
//     meter_record.h) opens when the group controller is about to create the group's pod (pod
//     creation starts the image pull) and closes when the group is stopped (POST stop), deleted
//     (DELETE, or its object removed by other means), or its pod finished for good (restart
//     policy Never/OnFailure: the interval ends at the latest container finishedAt). A restart of
//     a running group keeps its interval; a start after a stop opens a new one. At most one
//     interval per group is open. A stopped group costs nothing between its intervals.
//   - Resources are constant per interval: vcpu and memoryInGB are the sums of the containers'
//     requests (init containers excluded, as in quota.h); ARM refuses updates that change them.
//   - Usage over [from, to): each interval is clipped to the range, an open interval ends at
//     `now` (then clipped), and its length is counted in whole milliseconds.
//       seconds     = clipped length in ms / 1000
//       vcpuSeconds = vcpu × seconds        gbSeconds = memoryInGB × seconds
//       cost        = vcpuSeconds × prices.vcpuSecond + gbSeconds × prices.gbSecond
//     summed per group (subscription, resource group and name compared case-insensitively).
//   - Durability: intervals are API objects in the store (SQLite or etcd), as durable as any
//     object. A server restart neither loses a second (an interval still open when the server
//     went down ends at `now` once it is back, so the downtime of a running group is counted
//     exactly once) nor counts one twice (a closed interval never changes).
//
// Price table: `berth server|up --price-table FILE`, JSON
//   {"currency": "USD", "vcpuSecond": 0.0000113, "gbSecond": 0.0000012}
// every field optional (a missing one keeps its default), prices >= 0. The default is Azure
// Container Instances' Linux pay-as-you-go price: USD 0.0000113 per vCPU-second and USD
// 0.0000012 per GB-second.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::instances {

struct PriceTable {
  std::string currency = "USD";
  double vcpuSecond = 0.0000113;  // per vCPU-second
  double gbSecond = 0.0000012;    // per GB-second of memory
  bool operator==(const PriceTable&) const = default;
};

// Parses a price table (see above). kInvalidArgument naming the field: "price table: field
// 'vcpuSecond' must be a number >= 0", "price table: unknown field 'vcpu'", or the JSON error.
Result<PriceTable> parsePriceTable(std::string_view text);
// Reads and parses FILE; errors name the file.
Result<PriceTable> loadPriceTable(const std::filesystem::path& file);

// Milliseconds since the Unix epoch (UTC).
using Millis = int64_t;

// RFC 3339 in UTC with milliseconds: "2026-11-29T03:57:25.123Z".
std::string rfc3339Millis(Millis t);
// Parses RFC 3339 ("2026-11-29T03:57:25Z", fractions of a second truncated to ms, "Z" or an
// offset "+01:00"); nullopt when malformed.
std::optional<Millis> parseRfc3339Millis(std::string_view text);

// One billing interval of a container group.
struct MeterInterval {
  std::string subscriptionId;
  std::string resourceGroup;
  std::string containerGroup;  // the ARM name as written
  double vcpu = 0;
  double memoryInGB = 0;
  Millis start = 0;
  std::optional<Millis> end;  // nullopt: still open
};

// The usage of one group over the range.
struct GroupUsage {
  std::string subscriptionId;
  std::string resourceGroup;
  std::string name;
  double seconds = 0;
  double vcpuSeconds = 0;
  double gbSeconds = 0;
  double cost = 0;
  bool running = false;  // it has an open interval
};

struct UsageReport {
  Millis from = 0;
  Millis to = 0;
  std::vector<GroupUsage> groups;  // by subscription, resource group, name (case-insensitively)
  GroupUsage total;                // sums of the groups (names empty)
};

// Usage of `intervals` over [from, to) (REQUIRES: from <= to), open intervals ending at `now`.
// A group is listed when one of its intervals overlaps the range or is open (then possibly
// with zero usage).
UsageReport computeUsage(const std::vector<MeterInterval>& intervals, Millis from, Millis to,
                         Millis now, const PriceTable& prices);

// The answer of GET .../meteredUsage (see /work/notes/session4-contract.md):
//   {"from", "to", "currency", "prices": {"vcpuSecond", "gbSecond"}, "value": [{"id",
//    "resourceGroup", "name", "vcpuSeconds", "gbSeconds", "cost", "running"}], "total":
//    {"vcpuSeconds", "gbSeconds", "cost"}}
nlohmann::json usageJson(const UsageReport& report, const PriceTable& prices);

}  // namespace berth::instances
