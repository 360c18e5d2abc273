#include "instances/meter_record.h"

#include <algorithm>

#include "instances/pod_naming.h"

namespace berth::instances {

using nlohmann::json;

namespace {

const json* field(const json& record, const char* name) {
  auto spec = record.find("spec");
  if (spec == record.end() || !spec->is_object()) {
    return nullptr;
  }
  auto it = spec->find(name);
  return it == spec->end() || it->is_null() ? nullptr : &*it;
}

Result<std::string> text(const json& record, const char* name) {
  const json* v = field(record, name);
  if (!v || !v->is_string() || v->get<std::string>().empty()) {
    return fail(ErrorCode::kInvalidArgument, "meter record: field 'spec.{}' must be a string",
                name);
  }
  return v->get<std::string>();
}

Result<double> number(const json& record, const char* name) {
  const json* v = field(record, name);
  if (!v || !v->is_number() || v->get<double>() < 0) {
    return fail(ErrorCode::kInvalidArgument, "meter record: field 'spec.{}' must be a number >= 0",
                name);
  }
  return v->get<double>();
}

Result<Millis> time(const json& record, const char* name) {
  const json* v = field(record, name);
  auto t = v && v->is_string() ? parseRfc3339Millis(v->get<std::string>()) : std::nullopt;
  if (!t) {
    return fail(ErrorCode::kInvalidArgument,
                "meter record: field 'spec.{}' must be an RFC 3339 timestamp", name);
  }
  return *t;
}

}  // namespace

json meterRecordObject(const std::string& ns, const std::string& objectName,
                       const MeterInterval& interval, const std::string& location) {
  json record = {{"apiVersion", "instances.berth.io/v1"}, {"kind", kMeterRecordKind}};
  record["metadata"] = {{"name", objectName + "-" + std::to_string(interval.start)},
                        {"namespace", ns},
                        {"labels", {{kGroupLabel, objectName}, {kMeterStateLabel, kMeterOpen}}}};
  record["spec"] = {{"subscriptionId", interval.subscriptionId},
                    {"resourceGroup", interval.resourceGroup},
                    {"containerGroup", interval.containerGroup},
                    {"location", location},
                    {"vcpu", interval.vcpu},
                    {"memoryInGB", interval.memoryInGB},
                    {"start", rfc3339Millis(interval.start)}};
  return record;
}

Result<MeterInterval> readMeterRecord(const json& record) {
  MeterInterval out;
  BERTH_ASSIGN_OR_RETURN(out.subscriptionId, text(record, "subscriptionId"));
  BERTH_ASSIGN_OR_RETURN(out.resourceGroup, text(record, "resourceGroup"));
  BERTH_ASSIGN_OR_RETURN(out.containerGroup, text(record, "containerGroup"));
  BERTH_ASSIGN_OR_RETURN(out.vcpu, number(record, "vcpu"));
  BERTH_ASSIGN_OR_RETURN(out.memoryInGB, number(record, "memoryInGB"));
  BERTH_ASSIGN_OR_RETURN(out.start, time(record, "start"));
  if (field(record, "end") != nullptr) {
    BERTH_ASSIGN_OR_RETURN(Millis end, time(record, "end"));
    if (end < out.start) {
      return fail(ErrorCode::kInvalidArgument,
                  "meter record: field 'spec.end' must not be before 'spec.start'");
    }
    out.end = end;
  }
  return out;
}

bool isOpenMeterRecord(const json& record) {
  return field(record, "end") == nullptr;
}

std::string meterRecordGroup(const json& record) {
  const json& labels = record.value("metadata", json::object()).value("labels", json::object());
  auto it = labels.find(kGroupLabel);
  return it != labels.end() && it->is_string() ? it->get<std::string>() : "";
}

bool closeMeterRecord(json& record, Millis end, const std::string& reason) {
  auto interval = readMeterRecord(record);
  if (!interval || interval->end) {
    return false;
  }
  record["spec"]["end"] = rfc3339Millis(std::max(end, interval->start));
  record["spec"]["endReason"] = reason;
  record["metadata"]["labels"][kMeterStateLabel] = kMeterClosed;
  return true;
}

std::string openMeterRecordSelector(const std::string& objectName) {
  return std::string(kGroupLabel) + "=" + objectName + "," + kMeterStateLabel + "=" + kMeterOpen;
}

}  // namespace berth::instances
