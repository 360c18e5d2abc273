// The coordination.k8s.io/v1 Lease resource type: spec checks, MicroTime timestamps, and the
// HOLDER column.

#include "api/validation_internal.h"
#include "apiserver/builtin_types.h"
#include "apiserver/type_support.h"

namespace berth::apiserver {

using nlohmann::json;
using types::text;
namespace internal = api::internal;

namespace {

std::vector<Cause> validate(const json& lease, const json* old) {
  types::Errors errors;
  if (old) {
    types::validateObjectMetaUpdate(lease, *old, errors);
  }
  types::validateObjectMeta(lease, true, types::NameRule::kDns1123Subdomain, errors);
  if (const json* d = types::at(lease, {"spec", "leaseDurationSeconds"}); d && d->is_number()) {
    if (d->get<int64_t>() <= 0) {
      errors.push_back(internal::invalid("spec.leaseDurationSeconds", d->get<int64_t>(),
                                         "must be greater than 0"));
    }
  }
  if (const json* t = types::at(lease, {"spec", "leaseTransitions"}); t && t->is_number()) {
    if (t->get<int64_t>() < 0) {
      errors.push_back(internal::invalid("spec.leaseTransitions", t->get<int64_t>(),
                                         "must be greater than or equal to 0"));
    }
  }
  // MicroTime: RFC 3339 with microseconds ("2024-05-01T10:00:00.123456Z").
  for (const char* field : {"acquireTime", "renewTime"}) {
    const json* v = types::at(lease, {"spec", field});
    if (!v || v->is_null()) {
      continue;
    }
    if (!v->is_string() || !parseRfc3339(v->get<std::string>())) {
      errors.push_back(internal::invalid(std::string("spec.") + field,
                                         v->is_string() ? v->get<std::string>() : v->dump(),
                                         "must be an RFC 3339 timestamp"));
    }
  }
  if (!text(lease, {"spec", "preferredHolder"}).empty() &&
      text(lease, {"spec", "strategy"}).empty()) {
    errors.push_back(internal::forbidden("spec.preferredHolder",
                                         "may only be specified if `strategy` is defined"));
  }
  return types::toCauses(errors);
}

}  // namespace

ResourceType leaseType(NowFn now) {
  ResourceType t;
  t.group = "coordination.k8s.io";
  t.version = "v1";
  t.resource = "leases";
  t.kind = "Lease";
  t.singular = "lease";
  t.namespaced = true;
  t.validate = validate;
  t.unknownFields = [](const json& lease) {
    static const json schema = types::objectSchema({{"spec",
                                                     {{"holderIdentity", true},
                                                      {"leaseDurationSeconds", true},
                                                      {"acquireTime", true},
                                                      {"renewTime", true},
                                                      {"leaseTransitions", true},
                                                      {"strategy", true},
                                                      {"preferredHolder", true}}}});
    return types::unknownFieldsBySchema(lease, schema);
  };
  t.columns = {types::nameColumn(),
               {"Holder", "string", "",
                "holderIdentity contains the identity of the holder of "
                "a current lease.",
                0},
               types::ageColumn()};
  t.row = [now = std::move(now)](const json& lease) -> std::vector<json> {
    return {types::nameOf(lease), text(lease, {"spec", "holderIdentity"}),
            types::ageOf(lease, now)};
  };
  return t;
}

}  // namespace berth::apiserver
