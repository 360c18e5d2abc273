// The containergroups.instances.berth.io/v1 resource type: the internal form of an ARM
// container group (see instances/arm_resource.h), written by the ARM routes and read by the
// group controller.

#include "api/validation_internal.h"
#include "apiserver/builtin_types.h"
#include "apiserver/type_support.h"

namespace berth::apiserver {

using nlohmann::json;
using types::text;
namespace internal = api::internal;

namespace {

std::vector<Cause> validate(const json& group, const json* old) {
  types::Errors errors;
  if (old) {
    types::validateObjectMetaUpdate(group, *old, errors);
  }
  types::validateObjectMeta(group, true, types::NameRule::kDns1123Label, errors);
  const json* spec = types::at(group, {"spec"});
  if (!spec || !spec->is_object()) {
    errors.push_back(internal::required("spec"));
    return types::toCauses(errors);
  }
  const json* body = types::at(group, {"spec", "group"});
  if (!body || !body->is_object()) {
    errors.push_back(internal::required("spec.group"));
  }
  std::string desired = text(group, {"spec", "desiredState"});
  if (desired != "Running" && desired != "Stopped") {
    errors.push_back(internal::notSupported("spec.desiredState", desired, {"Running", "Stopped"}));
  }
  const json* restartedAt = types::at(group, {"spec", "restartedAt"});
  if (restartedAt && !restartedAt->is_null() &&
      (!restartedAt->is_string() || !parseRfc3339(restartedAt->get<std::string>()))) {
    errors.push_back(internal::invalid(
        "spec.restartedAt",
        restartedAt->is_string() ? restartedAt->get<std::string>() : restartedAt->dump(),
        "must be an RFC 3339 timestamp"));
  }
  return types::toCauses(errors);
}

}  // namespace

ResourceType containerGroupType(NowFn now) {
  ResourceType t;
  t.group = "instances.berth.io";
  t.version = "v1";
  t.resource = "containergroups";
  t.kind = "ContainerGroup";
  t.singular = "containergroup";
  t.namespaced = true;
  t.shortNames = {"cg"};
  t.subresources = {"status"};
  t.hasGeneration = true;
  t.hasStatus = true;
  t.validate = validate;
  t.defaults = [](json& group) {
    if (group.is_object() && group.contains("spec") && group["spec"].is_object() &&
        text(group, {"spec", "desiredState"}).empty()) {
      group["spec"]["desiredState"] = "Running";
    }
  };
  t.columns = {types::nameColumn(),
               {"State", "string", "", "The provisioning state of the container group.", 0},
               {"Desired", "string", "", "Whether the group should run.", 0},
               types::ageColumn()};
  t.row = [now](const json& group) -> std::vector<json> {
    return {types::nameOf(group), text(group, {"status", "provisioningState"}),
            text(group, {"spec", "desiredState"}), types::ageOf(group, now)};
  };
  return t;
}

}  // namespace berth::apiserver
