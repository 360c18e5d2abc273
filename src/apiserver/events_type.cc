// The core/v1 Event resource type: the legacy event validation and kubectl's event printer
// (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; wide SUBOBJECT, SOURCE, FIRST SEEN, COUNT, NAME).

#include <fmt/format.h>

#include "api/name_validation.h"
#include "api/validation_internal.h"
#include "apiserver/builtin_types.h"
#include "apiserver/type_support.h"

namespace berth::apiserver {

using nlohmann::json;
using types::text;
namespace internal = api::internal;

namespace {

constexpr size_t kReportingInstanceLengthLimit = 128;
constexpr size_t kActionLengthLimit = 128;
constexpr size_t kReasonLengthLimit = 128;
constexpr size_t kNoteLengthLimit = 1024;

bool present(const json& event, const char* key) {
  const json* v = types::at(event, {key});
  return v && !v->is_null();
}

// ValidateEventCreate for core/v1 (legacyValidateEvent), plus Berth's rule that involvedObject
// and reason are always required.
std::vector<Cause> validate(const json& event, const json* old) {
  types::Errors errors;
  if (old) {
    types::validateObjectMetaUpdate(event, *old, errors);
  }
  types::validateObjectMeta(event, true, types::NameRule::kDns1123Subdomain, errors);
  const json* involved = types::at(event, {"involvedObject"});
  if (!involved || !involved->is_object() || involved->empty()) {
    errors.push_back(internal::required("involvedObject"));
  }
  std::string ns = text(event, {"metadata", "namespace"});
  std::string involvedNs = text(event, {"involvedObject", "namespace"});
  std::string reason = text(event, {"reason"});
  if (!present(event, "eventTime")) {
    // An event about a cluster-scoped object lives in "default" (or nowhere).
    bool mismatch = involvedNs.empty() ? (!ns.empty() && ns != "default") : ns != involvedNs;
    if (mismatch) {
      errors.push_back(internal::invalid("involvedObject.namespace", involvedNs,
                                         "does not match event.namespace"));
    }
    if (reason.empty()) {
      errors.push_back(internal::required("reason"));
    }
  } else {
    if (involvedNs.empty() && ns != "default" && ns != "kube-system") {
      errors.push_back(internal::invalid("involvedObject.namespace", involvedNs,
                                         "does not match event.namespace"));
    }
    std::string controller = text(event, {"reportingComponent"});
    if (controller.empty()) {
      errors.push_back(internal::required("reportingComponent"));
    }
    internal::addInvalid(
        errors, "reportingComponent", controller,
        controller.empty() ? std::vector<std::string>{} : api::isQualifiedName(controller));
    std::string instance = text(event, {"reportingInstance"});
    if (instance.empty()) {
      errors.push_back(internal::required("reportingInstance"));
    } else if (instance.size() > kReportingInstanceLengthLimit) {
      errors.push_back(internal::invalid(
          "reportingInstance", "",
          fmt::format("can have at most {} characters", kReportingInstanceLengthLimit)));
    }
    std::string action = text(event, {"action"});
    if (action.empty()) {
      errors.push_back(internal::required("action"));
    } else if (action.size() > kActionLengthLimit) {
      errors.push_back(internal::invalid(
          "action", "", fmt::format("can have at most {} characters", kActionLengthLimit)));
    }
    if (reason.empty()) {
      errors.push_back(internal::required("reason"));
    } else if (reason.size() > kReasonLengthLimit) {
      errors.push_back(internal::invalid(
          "reason", "", fmt::format("can have at most {} characters", kReasonLengthLimit)));
    }
    if (text(event, {"message"}).size() > kNoteLengthLimit) {
      errors.push_back(internal::invalid(
          "message", "", fmt::format("can have at most {} characters", kNoteLengthLimit)));
    }
  }
  return types::toCauses(errors);
}

std::string lower(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

std::string trim(const std::string& s) {
  auto begin = s.find_first_not_of(" \t\r\n\v\f");
  if (begin == std::string::npos) {
    return "";
  }
  auto end = s.find_last_not_of(" \t\r\n\v\f");
  return s.substr(begin, end - begin + 1);
}

std::vector<json> row(const json& event, const NowFn& nowFn) {
  Clock::WallTime now = currentTime(nowFn);
  std::string first = text(event, {"firstTimestamp"});
  std::string firstSeen =
      first.empty() ? timestampSince(text(event, {"eventTime"}), now) : timestampSince(first, now);
  std::string last = text(event, {"lastTimestamp"});
  std::string lastSeen = last.empty() ? firstSeen : timestampSince(last, now);
  int64_t count = 0;
  if (const json* c = types::at(event, {"count"}); c && c->is_number()) {
    count = c->get<int64_t>();
  }
  if (const json* series = types::at(event, {"series"}); series && series->is_object()) {
    lastSeen = timestampSince(text(*series, {"lastObservedTime"}), now);
    const json* c = types::at(*series, {"count"});
    count = c && c->is_number() ? c->get<int64_t>() : 0;
  } else if (count == 0) {
    count = 1;  // singleton events of the new API carry no count
  }
  std::string kind = lower(text(event, {"involvedObject", "kind"}));
  std::string name = text(event, {"involvedObject", "name"});
  std::string target = name.empty() ? kind : kind + "/" + name;
  // formatEventSource: component (or reportingComponent), then ", host" (or instance).
  std::string component = text(event, {"source", "component"});
  if (component.empty()) {
    component = text(event, {"reportingComponent"});
  }
  std::string host = text(event, {"source", "host"});
  if (host.empty()) {
    host = text(event, {"reportingInstance"});
  }
  std::string source = host.empty() ? component : component + ", " + host;
  return {lastSeen,
          text(event, {"type"}),
          text(event, {"reason"}),
          target,
          text(event, {"involvedObject", "fieldPath"}),
          source,
          trim(text(event, {"message"})),
          firstSeen,
          count,
          types::nameOf(event)};
}

}  // namespace

ResourceType eventType(NowFn now) {
  ResourceType t;
  t.version = "v1";
  t.resource = "events";
  t.kind = "Event";
  t.singular = "event";
  t.namespaced = true;
  t.shortNames = {"ev"};
  t.validate = validate;
  t.unknownFields = [](const json& event) {
    static const json reference = {
        {"kind", true},       {"namespace", true},       {"name", true},     {"uid", true},
        {"apiVersion", true}, {"resourceVersion", true}, {"fieldPath", true}};
    static const json schema =
        types::objectSchema({{"involvedObject", reference},
                             {"related", reference},
                             {"reason", true},
                             {"message", true},
                             {"source", {{"component", true}, {"host", true}}},
                             {"firstTimestamp", true},
                             {"lastTimestamp", true},
                             {"count", true},
                             {"type", true},
                             {"eventTime", true},
                             {"series", {{"count", true}, {"lastObservedTime", true}}},
                             {"action", true},
                             {"reportingComponent", true},
                             {"reportingInstance", true}});
    return types::unknownFieldsBySchema(event, schema);
  };
  t.columns = {
      {"Last Seen", "string", "",
       "The time at which the most recent occurrence of this event "
       "was recorded.",
       0},
      {"Type", "string", "",
       "Type of this event (Normal, Warning), new types could be added in "
       "the future",
       0},
      {"Reason", "string", "",
       "This should be a short, machine understandable string that "
       "gives the reason for the transition into the object's current status.",
       0},
      {"Object", "string", "", "The object that this event is about.", 0},
      {"Subobject", "string", "",
       "If referring to a piece of an object instead of an entire "
       "object, this string should contain a valid JSON/Go field access statement.",
       1},
      {"Source", "string", "", "The component reporting this event.", 1},
      {"Message", "string", "", "A human-readable description of the status of this operation.", 0},
      {"First Seen", "string", "", "The time at which the event was first recorded.", 1},
      {"Count", "string", "", "The number of times this event has occurred.", 1},
      {"Name", "string", "name", "Name must be unique within a namespace.", 1},
  };
  t.row = [now = std::move(now)](const json& event) { return row(event, now); };
  t.fields = [](const json& event) -> std::map<std::string, std::string> {
    std::string source = text(event, {"source", "component"});
    if (source.empty()) {
      source = text(event, {"reportingComponent"});
    }
    return {
        {"involvedObject.kind", text(event, {"involvedObject", "kind"})},
        {"involvedObject.namespace", text(event, {"involvedObject", "namespace"})},
        {"involvedObject.name", text(event, {"involvedObject", "name"})},
        {"involvedObject.uid", text(event, {"involvedObject", "uid"})},
        {"involvedObject.apiVersion", text(event, {"involvedObject", "apiVersion"})},
        {"involvedObject.resourceVersion", text(event, {"involvedObject", "resourceVersion"})},
        {"involvedObject.fieldPath", text(event, {"involvedObject", "fieldPath"})},
        {"reason", text(event, {"reason"})},
        {"reportingComponent", text(event, {"reportingComponent"})},
        {"source", source},
        {"type", text(event, {"type"})},
    };
  };
  return t;
}

}  // namespace berth::apiserver
