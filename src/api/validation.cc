// validatePod: object metadata and pod-level spec checks, in the order Kubernetes'
// ValidatePodCreate runs them; containers and volumes live in their own files.

#include "api/validation.h"

#include <set>

#include "api/name_validation.h"
#include "api/validation_internal.h"

namespace berth::api {
namespace internal {

void validateLabels(const std::map<std::string, std::string>& labels, const std::string& path,
                    Errors& out) {
  for (const auto& [k, v] : labels) {
    addInvalid(out, path, k, isQualifiedName(k));
    addInvalid(out, path, v, isValidLabelValue(v));
  }
}

}  // namespace internal

namespace {

using namespace internal;

constexpr size_t kTotalAnnotationSizeLimit = 256 * 1024;

// maskTrailingDash: a generateName prefix may end in '-' (the random suffix follows).
std::string maskTrailingDash(const std::string& name) {
  if (name.size() > 1 && name.ends_with("-")) {
    return name.substr(0, name.size() - 2) + "a";
  }
  return name;
}

void validateMeta(const ObjectMeta& m, Errors& out) {
  if (!m.generateName.empty()) {
    addInvalid(out, "metadata.generateName", m.generateName,
               isDns1123Subdomain(maskTrailingDash(m.generateName)));
  }
  if (m.name.empty()) {
    out.push_back(required("metadata.name", "name or generateName is required"));
  } else {
    addInvalid(out, "metadata.name", m.name, isDns1123Subdomain(m.name));
  }
  if (m.namespace_.empty()) {
    out.push_back(required("metadata.namespace"));
  } else {
    addInvalid(out, "metadata.namespace", m.namespace_, isDns1123Label(m.namespace_));
  }
  addNonNegative(out, "metadata.generation", m.generation);
  validateLabels(m.labels, "metadata.labels", out);
  size_t annotationBytes = 0;
  for (const auto& [k, v] : m.annotations) {
    std::string lower = k;
    for (char& c : lower) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    addInvalid(out, "metadata.annotations", k, isQualifiedName(lower));
    annotationBytes += k.size() + v.size();
  }
  if (annotationBytes > kTotalAnnotationSizeLimit) {
    out.push_back(tooLong("metadata.annotations", "must have at most 262144 bytes"));
  }
  for (const auto& o : m.ownerReferences) {
    // Kubernetes names these without the list index.
    if (o.apiVersion.empty()) {
      out.push_back(invalid("metadata.ownerReferences.apiVersion", o.apiVersion,
                            "version must not be empty"));
    }
    if (o.kind.empty()) {
      out.push_back(invalid("metadata.ownerReferences.kind", o.kind, "kind must not be empty"));
    }
    if (o.name.empty()) {
      out.push_back(invalid("metadata.ownerReferences.name", o.name, "name must not be empty"));
    }
    if (o.uid.empty()) {
      out.push_back(invalid("metadata.ownerReferences.uid", o.uid, "uid must not be empty"));
    }
  }
}

void validateSeccomp(const std::optional<SeccompProfile>& s, const std::string& path, Errors& out) {
  if (!s) {
    return;
  }
  if (s->type == "Localhost") {
    if (s->localhostProfile.empty()) {
      out.push_back(
          required(path + ".localhostProfile", "must be set when seccomp type is Localhost"));
    }
  } else if (s->type == "RuntimeDefault" || s->type == "Unconfined") {
    if (!s->localhostProfile.empty()) {
      out.push_back(invalid(path + ".localhostProfile", s->localhostProfile,
                            "can only be set when seccomp type is Localhost"));
    }
  } else {
    out.push_back(
        notSupported(path + ".type", s->type, {"Localhost", "RuntimeDefault", "Unconfined"}));
  }
}

void validatePodSecurityContext(const PodSpec& spec, Errors& out) {
  if (!spec.securityContext) {
    return;
  }
  const PodSecurityContext& sc = *spec.securityContext;
  const std::string path = "spec.securityContext";
  if (sc.fsGroup) {
    for (const auto& m : isValidGroupId(*sc.fsGroup)) {
      out.push_back(invalid(path + ".fsGroup", *sc.fsGroup, m));
    }
  }
  if (sc.runAsUser) {
    for (const auto& m : isValidUserId(*sc.runAsUser)) {
      out.push_back(invalid(path + ".runAsUser", *sc.runAsUser, m));
    }
  }
  if (sc.runAsGroup) {
    for (const auto& m : isValidGroupId(*sc.runAsGroup)) {
      out.push_back(invalid(path + ".runAsGroup", *sc.runAsGroup, m));
    }
  }
  for (size_t i = 0; i < sc.supplementalGroups.size(); i++) {
    for (const auto& m : isValidGroupId(sc.supplementalGroups[i])) {
      out.push_back(invalid(index(path + ".supplementalGroups", i), sc.supplementalGroups[i], m));
    }
  }
  if (spec.shareProcessNamespace.value_or(false) && spec.hostPID) {
    out.push_back(invalid("spec.shareProcessNamespace", "true",
                          "ShareProcessNamespace and HostPID cannot both be enabled"));
    out.back().badValue = "true";  // a boolean, printed unquoted
  }
  for (size_t i = 0; i < sc.sysctls.size(); i++) {
    if (sc.sysctls[i].name.empty()) {
      out.push_back(required(index(path + ".sysctls", i) + ".name"));
    }
  }
  validateSeccomp(sc.seccompProfile, path + ".seccompProfile", out);
}

void validateDnsConfig(const PodSpec& spec, Errors& out) {
  const std::string path = "spec.dnsConfig";
  if (spec.dnsPolicy == "None") {
    if (!spec.dnsConfig) {
      out.push_back(required(path, "must provide `dnsConfig` when `dnsPolicy` is None"));
      return;
    }
    if (spec.dnsConfig->nameservers.empty()) {
      out.push_back(required(path + ".nameservers",
                             "must provide at least one DNS nameserver when `dnsPolicy` is None"));
    }
  }
  if (!spec.dnsConfig) {
    return;
  }
  for (size_t i = 0; i < spec.dnsConfig->nameservers.size(); i++) {
    addInvalid(out, index(path + ".nameservers", i), spec.dnsConfig->nameservers[i],
               isValidIp(spec.dnsConfig->nameservers[i]));
  }
  for (size_t i = 0; i < spec.dnsConfig->options.size(); i++) {
    if (spec.dnsConfig->options[i].name.empty()) {
      out.push_back(required(index(path + ".options", i), "Option.Name must not be empty"));
    }
  }
}

void validateTolerations(const std::vector<Toleration>& tolerations, Errors& out) {
  for (size_t i = 0; i < tolerations.size(); i++) {
    const Toleration& t = tolerations[i];
    std::string at = index("spec.tolerations", i);
    if (!t.key.empty()) {
      addInvalid(out, at + ".key", t.key, isQualifiedName(t.key));
    }
    if (t.key.empty() && t.op != "Exists") {
      out.push_back(invalid(at + ".operator", t.op,
                            "operator must be Exists when `key` is empty, which means \"match "
                            "all values and all keys\""));
    }
    if (t.tolerationSeconds && t.effect != "NoExecute") {
      out.push_back(invalid(at + ".effect", t.effect,
                            "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (t.op == "Equal" || t.op.empty()) {
      auto msgs = isValidLabelValue(t.value);
      if (!msgs.empty()) {
        std::string joined;
        for (const auto& m : msgs) {
          joined += (joined.empty() ? "" : ";") + m;
        }
        out.push_back(invalid(at + ".operator", t.value, joined));
      }
    } else if (t.op == "Exists") {
      if (!t.value.empty()) {
        out.push_back(
            invalid(at + ".operator", t.value, "value must be empty when `operator` is 'Exists'"));
      }
    } else {
      out.push_back(notSupported(at + ".operator", t.op, {"Equal", "Exists"}));
    }
    if (!t.effect.empty() && t.effect != "NoSchedule" && t.effect != "PreferNoSchedule" &&
        t.effect != "NoExecute") {
      out.push_back(
          notSupported(at + ".effect", t.effect, {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
    }
  }
}

void validateSpec(const PodSpec& spec, Errors& out) {
  validateVolumes(spec.volumes, out);
  validateContainers(spec, out);
  if (spec.restartPolicy.empty()) {
    out.push_back(required("spec.restartPolicy"));
  } else if (spec.restartPolicy != "Always" && spec.restartPolicy != "OnFailure" &&
             spec.restartPolicy != "Never") {
    out.push_back(
        notSupported("spec.restartPolicy", spec.restartPolicy, {"Always", "OnFailure", "Never"}));
  }
  if (spec.dnsPolicy.empty()) {
    out.push_back(required("spec.dnsPolicy"));
  } else if (spec.dnsPolicy != "ClusterFirstWithHostNet" && spec.dnsPolicy != "ClusterFirst" &&
             spec.dnsPolicy != "Default" && spec.dnsPolicy != "None") {
    out.push_back(notSupported("spec.dnsPolicy", spec.dnsPolicy,
                               {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"}));
  }
  validateLabels(spec.nodeSelector, "spec.nodeSelector", out);
  validatePodSecurityContext(spec, out);
  for (size_t i = 0; i < spec.imagePullSecrets.size(); i++) {
    if (spec.imagePullSecrets[i].name.empty()) {
      out.push_back(required(index("spec.imagePullSecrets", i) + ".name"));
    }
  }
  validateDnsConfig(spec, out);
  if (!spec.serviceAccountName.empty()) {
    addInvalid(out, "spec.serviceAccountName", spec.serviceAccountName,
               isDns1123Subdomain(spec.serviceAccountName));
  }
  if (!spec.nodeName.empty()) {
    addInvalid(out, "spec.nodeName", spec.nodeName, isDns1123Subdomain(spec.nodeName));
  }
  if (spec.activeDeadlineSeconds &&
      (*spec.activeDeadlineSeconds < 1 || *spec.activeDeadlineSeconds > 2147483647)) {
    out.push_back(invalid("spec.activeDeadlineSeconds", *spec.activeDeadlineSeconds,
                          "must be between 1 and 2147483647, inclusive"));
  }
  if (!spec.hostname.empty()) {
    addInvalid(out, "spec.hostname", spec.hostname, isDns1123Label(spec.hostname));
  }
  if (!spec.subdomain.empty()) {
    addInvalid(out, "spec.subdomain", spec.subdomain, isDns1123Label(spec.subdomain));
  }
  validateTolerations(spec.tolerations, out);
  for (size_t i = 0; i < spec.hostAliases.size(); i++) {
    std::string at = index("spec.hostAliases", i);
    addInvalid(out, at + ".ip", spec.hostAliases[i].ip, isValidIp(spec.hostAliases[i].ip));
    for (size_t j = 0; j < spec.hostAliases[i].hostnames.size(); j++) {
      const std::string& h = spec.hostAliases[i].hostnames[j];
      addInvalid(out, index(at + ".hostnames", j), h, isDns1123Subdomain(h));
    }
  }
  if (spec.terminationGracePeriodSeconds && *spec.terminationGracePeriodSeconds < 0) {
    out.push_back(invalid("spec.terminationGracePeriodSeconds", *spec.terminationGracePeriodSeconds,
                          "must be greater than or equal to 0"));
  }
}

}  // namespace

std::vector<FieldError> validatePod(const Pod& pod) {
  Errors out;
  validateMeta(pod.metadata, out);
  validateSpec(pod.spec, out);
  return out;
}

}  // namespace berth::api
