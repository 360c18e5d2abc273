// The meterrecords.instances.berth.io/v1 resource type: the billing intervals of container
// groups (instances/meter_record.h), written by the group controller and the ARM layer.

#include "api/validation_internal.h"
#include "apiserver/builtin_types.h"
#include "apiserver/type_support.h"
#include "instances/meter_record.h"

namespace berth::apiserver {

using nlohmann::json;
using types::text;
namespace internal = api::internal;

namespace {

// The spec without what closing a record may add.
json openPart(const json& record) {
  json spec = record.value("spec", json::object());
  if (spec.is_object()) {
    spec.erase("end");
    spec.erase("endReason");
  }
  return spec;
}

std::vector<Cause> validate(const json& record, const json* old) {
  types::Errors errors;
  if (old) {
    types::validateObjectMetaUpdate(record, *old, errors);
  }
  types::validateObjectMeta(record, true, types::NameRule::kDns1123Subdomain, errors);
  auto interval = instances::readMeterRecord(record);
  if (!interval) {
    errors.push_back(internal::invalid("spec", "", interval.error().message()));
    return types::toCauses(errors);
  }
  if (old) {
    if (!instances::isOpenMeterRecord(*old) &&
        record.value("spec", json::object()) != old->value("spec", json::object())) {
      errors.push_back(internal::forbidden("spec", "a closed meter record cannot change"));
    } else if (openPart(record) != openPart(*old)) {
      errors.push_back(
          internal::forbidden("spec", "only spec.end and spec.endReason may be set (once)"));
    }
  }
  return types::toCauses(errors);
}

}  // namespace

ResourceType meterRecordType(NowFn now) {
  ResourceType t;
  t.group = "instances.berth.io";
  t.version = "v1";
  t.resource = instances::kMeterRecordResource;
  t.kind = instances::kMeterRecordKind;
  t.singular = "meterrecord";
  t.namespaced = true;
  t.validate = validate;
  t.columns = {types::nameColumn(),
               {"Group", "string", "", "The container group.", 0},
               {"Start", "string", "", "When the billing interval began.", 0},
               {"End", "string", "", "When it ended (empty while open).", 0},
               types::ageColumn()};
  t.row = [now](const json& record) -> std::vector<json> {
    return {types::nameOf(record), text(record, {"spec", "containerGroup"}),
            text(record, {"spec", "start"}), text(record, {"spec", "end"}),
            types::ageOf(record, now)};
  };
  return t;
}

}  // namespace berth::apiserver
