// setPodDefaults: the API server's SetObjectDefaults_Pod for the fields Berth models.

#include "api/validation.h"

namespace berth::api {
namespace {

// The tag of an image reference: "" when there is a digest but no tag, "latest" when there is
// neither (docker's normalisation, which Kubernetes' parsers.ParseImageName applies).
std::string imageTag(const std::string& image) {
  std::string name = image;
  bool digest = false;
  if (size_t at = name.find('@'); at != std::string::npos) {
    name.resize(at);
    digest = true;
  }
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    return name.substr(colon + 1);
  }
  return digest ? "" : "latest";
}

void defaultProbe(std::optional<Probe>& probe) {
  if (!probe) {
    return;
  }
  if (probe->timeoutSeconds == 0) {
    probe->timeoutSeconds = 1;
  }
  if (probe->periodSeconds == 0) {
    probe->periodSeconds = 10;
  }
  if (probe->successThreshold == 0) {
    probe->successThreshold = 1;
  }
  if (probe->failureThreshold == 0) {
    probe->failureThreshold = 3;
  }
  if (probe->httpGet) {
    if (probe->httpGet->path.empty()) {
      probe->httpGet->path = "/";
    }
    if (probe->httpGet->scheme.empty()) {
      probe->httpGet->scheme = "HTTP";
    }
  }
}

void defaultContainer(Container& c, bool hostNetwork) {
  if (c.imagePullPolicy.empty()) {
    // An unparseable (e.g. empty) image has no tag: IfNotPresent, as in Kubernetes.
    c.imagePullPolicy =
        !c.image.empty() && imageTag(c.image) == "latest" ? "Always" : "IfNotPresent";
  }
  if (c.terminationMessagePath.empty()) {
    c.terminationMessagePath = "/dev/termination-log";
  }
  if (c.terminationMessagePolicy.empty()) {
    c.terminationMessagePolicy = "File";
  }
  for (auto& p : c.ports) {
    if (p.protocol.empty()) {
      p.protocol = "TCP";
    }
    if (hostNetwork && p.hostPort == 0) {
      p.hostPort = p.containerPort;  // with the host's network the port is the host's
    }
  }
  for (auto& e : c.env) {
    if (e.valueFrom && e.valueFrom->fieldRef && e.valueFrom->fieldRef->apiVersion.empty()) {
      e.valueFrom->fieldRef->apiVersion = "v1";
    }
  }
  // Limits without requests request the limit (SetDefaults_Pod).
  for (const auto& [name, quantity] : c.resources.limits) {
    c.resources.requests.try_emplace(name, quantity);
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

}  // namespace

void setPodDefaults(Pod& pod) {
  if (pod.apiVersion.empty()) {
    pod.apiVersion = "v1";
  }
  if (pod.kind.empty()) {
    pod.kind = "Pod";
  }
  if (pod.metadata.namespace_.empty()) {
    pod.metadata.namespace_ = "default";
  }
  PodSpec& spec = pod.spec;
  if (spec.restartPolicy.empty()) {
    spec.restartPolicy = "Always";
  }
  if (spec.dnsPolicy.empty()) {
    spec.dnsPolicy = "ClusterFirst";
  }
  if (!spec.terminationGracePeriodSeconds) {
    spec.terminationGracePeriodSeconds = 30;
  }
  if (spec.schedulerName.empty()) {
    spec.schedulerName = "default-scheduler";
  }
  if (!spec.securityContext) {
    spec.securityContext = PodSecurityContext{};
  }
  for (auto& c : spec.initContainers) {
    defaultContainer(c, spec.hostNetwork);
  }
  for (auto& c : spec.containers) {
    defaultContainer(c, spec.hostNetwork);
  }
  for (auto& v : spec.volumes) {
    if (v.secret && !v.secret->defaultMode) {
      v.secret->defaultMode = 0644;
    }
    if (v.configMap && !v.configMap->defaultMode) {
      v.configMap->defaultMode = 0644;
    }
  }
}

}  // namespace berth::api
