// Container ports, environment and volume mounts checks of validatePod (validateContainerPorts,
// ValidateEnv and ValidateVolumeMounts in Kubernetes).

#include <set>

#include "api/name_validation.h"
#include "api/validation_internal.h"

namespace berth::api::internal {
namespace {

void validateKeySelector(const KeySelector& s, const std::string& path, Errors& out) {
  addInvalid(out, path + ".name", s.name, isDns1123Subdomain(s.name));
  if (s.key.empty()) {
    out.push_back(required(path + ".key"));
  } else {
    addInvalid(out, path + ".key", s.key, isConfigMapKey(s.key));
  }
}

void validateFieldRef(const ObjectFieldSelector& f, const std::string& path, Errors& out) {
  if (f.apiVersion.empty()) {
    out.push_back(required(path + ".apiVersion"));
    return;
  }
  if (f.fieldPath.empty()) {
    out.push_back(required(path + ".fieldPath"));
    return;
  }
  if (f.apiVersion != "v1") {
    out.push_back(invalid(path + ".fieldPath", f.fieldPath,
                          "error converting fieldPath: unsupported pod version: " + f.apiVersion));
    return;
  }
  // metadata.labels['key'] / metadata.annotations['key'].
  if (size_t open = f.fieldPath.find("['");
      open != std::string::npos && f.fieldPath.ends_with("']")) {
    std::string base = f.fieldPath.substr(0, open);
    std::string subscript = f.fieldPath.substr(open + 2, f.fieldPath.size() - open - 4);
    if (base == "metadata.labels" || base == "metadata.annotations") {
      std::string k = subscript;
      if (base == "metadata.annotations") {
        for (char& c : k) {
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
      }
      addInvalid(out, path, subscript, isQualifiedName(k));
    } else {
      out.push_back(invalid(path + ".fieldPath", f.fieldPath,
                            "error converting fieldPath: field label does not support "
                            "subscript: " +
                                f.fieldPath));
    }
    return;
  }
  static const std::set<std::string> kSupported = {"metadata.name",
                                                   "metadata.namespace",
                                                   "metadata.uid",
                                                   "spec.nodeName",
                                                   "spec.serviceAccountName",
                                                   "status.hostIP",
                                                   "status.hostIPs",
                                                   "status.podIP",
                                                   "status.podIPs"};
  if (!kSupported.contains(f.fieldPath)) {
    out.push_back(notSupported(path + ".fieldPath", f.fieldPath,
                               {"metadata.name", "metadata.namespace", "metadata.uid",
                                "spec.nodeName", "spec.serviceAccountName", "status.hostIP",
                                "status.hostIPs", "status.podIP", "status.podIPs"}));
  }
}

void validatePathNoBacksteps(const std::string& value, const std::string& path, Errors& out) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t slash = value.find('/', start);
    std::string_view part = std::string_view(value).substr(
        start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part == "..") {
      out.push_back(invalid(path, value, "must not contain '..'"));
      return;
    }
    if (slash == std::string::npos) {
      break;
    }
    start = slash + 1;
  }
}

}  // namespace

void validatePorts(const std::vector<ContainerPort>& ports, const std::string& path, Errors& out) {
  std::set<std::string> names;
  for (size_t i = 0; i < ports.size(); i++) {
    const ContainerPort& p = ports[i];
    std::string at = index(path, i);
    if (!p.name.empty()) {
      auto msgs = isValidPortName(p.name);
      if (!msgs.empty()) {
        addInvalid(out, at + ".name", p.name, msgs);
      } else if (!names.insert(p.name).second) {
        out.push_back(duplicate(at + ".name", p.name));
      }
    }
    if (p.containerPort == 0) {
      out.push_back(required(at + ".containerPort"));
    } else {
      for (const auto& m : isValidPortNum(p.containerPort)) {
        out.push_back(invalid(at + ".containerPort", p.containerPort, m));
      }
    }
    if (p.hostPort != 0) {
      for (const auto& m : isValidPortNum(p.hostPort)) {
        out.push_back(invalid(at + ".hostPort", p.hostPort, m));
      }
    }
    if (p.protocol.empty()) {
      out.push_back(required(at + ".protocol"));
    } else if (p.protocol != "SCTP" && p.protocol != "TCP" && p.protocol != "UDP") {
      out.push_back(notSupported(at + ".protocol", p.protocol, {"SCTP", "TCP", "UDP"}));
    }
  }
}

void validateEnv(const std::vector<EnvVar>& env, const std::string& path, Errors& out) {
  for (size_t i = 0; i < env.size(); i++) {
    const EnvVar& e = env[i];
    std::string at = index(path, i);
    if (e.name.empty()) {
      out.push_back(required(at + ".name"));
    } else {
      addInvalid(out, at + ".name", e.name, isEnvVarName(e.name));
    }
    if (!e.valueFrom) {
      continue;
    }
    std::string from = at + ".valueFrom";
    int sources = 0;
    if (e.valueFrom->fieldRef) {
      sources++;
      validateFieldRef(*e.valueFrom->fieldRef, from + ".fieldRef", out);
    }
    if (e.valueFrom->configMapKeyRef) {
      sources++;
      validateKeySelector(*e.valueFrom->configMapKeyRef, from + ".configMapKeyRef", out);
    }
    if (e.valueFrom->secretKeyRef) {
      sources++;
      validateKeySelector(*e.valueFrom->secretKeyRef, from + ".secretKeyRef", out);
    }
    if (sources == 0) {
      out.push_back(invalid(from, "",
                            "must specify one of: `fieldRef`, `resourceFieldRef`, "
                            "`configMapKeyRef` or `secretKeyRef`"));
    } else if (!e.value.empty()) {
      out.push_back(invalid(from, "", "may not be specified when `value` is not empty"));
    } else if (sources > 1) {
      out.push_back(invalid(from, "", "may not have more than one field specified at a time"));
    }
  }
}

void validateEnvFrom(const std::vector<EnvFromSource>& envFrom, const std::string& path,
                     Errors& out) {
  for (size_t i = 0; i < envFrom.size(); i++) {
    const EnvFromSource& e = envFrom[i];
    std::string at = index(path, i);
    if (!e.prefix.empty()) {
      addInvalid(out, at + ".prefix", e.prefix, isEnvVarName(e.prefix));
    }
    int sources = 0;
    if (e.configMapRef) {
      sources++;
      addInvalid(out, at + ".configMapRef.name", e.configMapRef->name,
                 isDns1123Subdomain(e.configMapRef->name));
    }
    if (e.secretRef) {
      sources++;
      addInvalid(out, at + ".secretRef.name", e.secretRef->name,
                 isDns1123Subdomain(e.secretRef->name));
    }
    if (sources == 0) {
      out.push_back(invalid(at, "", "must specify one of: `configMapRef` or `secretRef`"));
    } else if (sources > 1) {
      out.push_back(invalid(at, "", "may not have more than one field specified at a time"));
    }
  }
}

void validateVolumeMounts(const std::vector<VolumeMount>& mounts,
                          const std::set<std::string>& volumes, const std::string& path,
                          Errors& out) {
  std::set<std::string> mountPoints;
  for (size_t i = 0; i < mounts.size(); i++) {
    const VolumeMount& m = mounts[i];
    std::string at = index(path, i);
    if (m.name.empty()) {
      out.push_back(required(at + ".name"));
    }
    if (!volumes.contains(m.name)) {
      out.push_back(notFound(at + ".name", m.name));
    }
    if (m.mountPath.empty()) {
      out.push_back(required(at + ".mountPath"));
    }
    if (!mountPoints.insert(m.mountPath).second) {
      out.push_back(invalid(at + ".mountPath", m.mountPath, "must be unique"));
    }
    if (!m.subPath.empty()) {
      if (m.subPath.starts_with("/")) {
        out.push_back(invalid(at + ".subPath", m.subPath, "must be a relative path"));
      }
      validatePathNoBacksteps(m.subPath, at + ".subPath", out);
    }
  }
}

}  // namespace berth::api::internal
