// Container-level checks of validatePod (validateContainers / validateInitContainers, resources,
// probes and security contexts in Kubernetes' pkg/apis/core/validation).

#include <set>

#include "api/name_validation.h"
#include "api/quantity.h"
#include "api/validation_internal.h"

namespace berth::api::internal {
namespace {

bool isStandardContainerResource(const std::string& name) {
  return name == "cpu" || name == "memory" || name == "ephemeral-storage" ||
         name.starts_with("hugepages-");
}

void validateResourceList(const std::map<std::string, std::string>& list, const std::string& path,
                          Errors& out) {
  for (const auto& [name, value] : list) {
    std::string at = key(path, name);
    if (name.find('/') == std::string::npos && !isStandardContainerResource(name)) {
      out.push_back(invalid(at, name, "must be a standard resource for containers"));
    }
    auto cmp = compareQuantities(value, "0");
    if (!cmp) {
      out.push_back(invalid(at, value, cmp.error().message()));
    } else if (*cmp < 0) {
      out.push_back(invalid(at, canonicalQuantity(value).value_or(value),
                            "must be greater than or equal to 0"));
    }
  }
}

void validateResources(const ResourceRequirements& r, const std::string& path, Errors& out) {
  validateResourceList(r.limits, path + ".limits", out);
  validateResourceList(r.requests, path + ".requests", out);
  for (const auto& [name, request] : r.requests) {
    auto limit = r.limits.find(name);
    if (limit == r.limits.end()) {
      continue;
    }
    auto cmp = compareQuantities(request, limit->second);
    if (!cmp) {
      continue;  // reported above
    }
    // Extended and hugepages resources cannot be overcommitted: request must equal limit.
    bool overcommit = isStandardContainerResource(name) && !name.starts_with("hugepages-");
    // Kubernetes prints both quantities in canonical form.
    std::string req = canonicalQuantity(request).value_or(request);
    std::string lim = canonicalQuantity(limit->second).value_or(limit->second);
    if (*cmp != 0 && !overcommit) {
      out.push_back(
          invalid(path + ".requests", req, "must be equal to " + name + " limit of " + lim));
    } else if (*cmp > 0) {
      out.push_back(invalid(path + ".requests", req,
                            "must be less than or equal to " + name + " limit of " + lim));
    }
  }
}

void validatePortNumOrName(const std::string& port, const std::string& path, Errors& out) {
  bool numeric = !port.empty() && port.find_first_not_of("0123456789") == std::string::npos;
  if (port.empty() || numeric) {
    int64_t n = port.empty() || port.size() > 10 ? 0 : std::stoll(port);
    for (const auto& m : isValidPortNum(n)) {
      out.push_back(invalid(path, n, m));
    }
  } else {
    addInvalid(out, path, port, isValidPortName(port));
  }
}

void validateProbe(const Probe& p, const std::string& path, Errors& out) {
  int handlers = 0;
  if (p.exec) {
    handlers++;
    if (p.exec->command.empty()) {
      out.push_back(required(path + ".exec.command"));
    }
  }
  if (p.httpGet) {
    if (handlers > 0) {
      out.push_back(forbidden(path + ".httpGet", "may not specify more than 1 handler type"));
    } else {
      handlers++;
      if (p.httpGet->path.empty()) {
        out.push_back(required(path + ".httpGet.path"));
      }
      validatePortNumOrName(p.httpGet->port, path + ".httpGet.port", out);
      if (p.httpGet->scheme != "HTTP" && p.httpGet->scheme != "HTTPS") {
        out.push_back(notSupported(path + ".httpGet.scheme", p.httpGet->scheme, {"HTTP", "HTTPS"}));
      }
    }
  }
  if (p.tcpSocket) {
    if (handlers > 0) {
      out.push_back(forbidden(path + ".tcpSocket", "may not specify more than 1 handler type"));
    } else {
      handlers++;
      validatePortNumOrName(p.tcpSocket->port, path + ".tcpSocket.port", out);
    }
  }
  if (handlers == 0) {
    out.push_back(required(path, "must specify a handler type"));
  }
  addNonNegative(out, path + ".initialDelaySeconds", p.initialDelaySeconds);
  addNonNegative(out, path + ".timeoutSeconds", p.timeoutSeconds);
  addNonNegative(out, path + ".periodSeconds", p.periodSeconds);
  addNonNegative(out, path + ".successThreshold", p.successThreshold);
  addNonNegative(out, path + ".failureThreshold", p.failureThreshold);
  if (p.terminationGracePeriodSeconds && *p.terminationGracePeriodSeconds <= 0) {
    out.push_back(invalid(path + ".terminationGracePeriodSeconds", *p.terminationGracePeriodSeconds,
                          "must be greater than 0"));
  }
}

void validateSecurityContext(const std::optional<SecurityContext>& sc, const std::string& path,
                             Errors& out) {
  if (!sc) {
    return;
  }
  if (sc->runAsUser) {
    for (const auto& m : isValidUserId(*sc->runAsUser)) {
      out.push_back(invalid(path + ".runAsUser", *sc->runAsUser, m));
    }
  }
  if (sc->runAsGroup) {
    for (const auto& m : isValidGroupId(*sc->runAsGroup)) {
      out.push_back(invalid(path + ".runAsGroup", *sc->runAsGroup, m));
    }
  }
  if (sc->allowPrivilegeEscalation && !*sc->allowPrivilegeEscalation) {
    if (sc->privileged && *sc->privileged) {
      out.push_back(forbidden(path,
                              "cannot set `allowPrivilegeEscalation` to false and "
                              "`privileged` to true"));
    }
    if (sc->capabilities) {
      for (const auto& cap : sc->capabilities->add) {
        if (cap == "CAP_SYS_ADMIN" || cap == "SYS_ADMIN") {
          out.push_back(forbidden(path,
                                  "cannot set `allowPrivilegeEscalation` to false and "
                                  "`capabilities.Add` CAP_SYS_ADMIN"));
        }
      }
    }
  }
}

// What validateContainerCommon checks for every kind of container.
void validateCommon(const Container& c, const std::set<std::string>& volumes,
                    const std::string& path, Errors& out) {
  if (c.name.empty()) {
    out.push_back(required(path + ".name"));
  } else {
    addInvalid(out, path + ".name", c.name, isDns1123Label(c.name));
  }
  if (c.image.empty()) {
    out.push_back(required(path + ".image"));
  }
  if (c.terminationMessagePolicy.empty()) {
    out.push_back(
        required(path + ".terminationMessagePolicy", "must be 'File' or 'FallbackToLogsOnError'"));
  } else if (c.terminationMessagePolicy != "File" &&
             c.terminationMessagePolicy != "FallbackToLogsOnError") {
    out.push_back(notSupported(path + ".terminationMessagePolicy", c.terminationMessagePolicy,
                               {"File", "FallbackToLogsOnError"}));
  }
  validatePorts(c.ports, path + ".ports", out);
  validateEnvFrom(c.envFrom, path + ".envFrom", out);
  validateEnv(c.env, path + ".env", out);
  validateVolumeMounts(c.volumeMounts, volumes, path + ".volumeMounts", out);
  if (c.imagePullPolicy.empty()) {
    out.push_back(required(path + ".imagePullPolicy"));
  } else if (c.imagePullPolicy != "Always" && c.imagePullPolicy != "IfNotPresent" &&
             c.imagePullPolicy != "Never") {
    out.push_back(notSupported(path + ".imagePullPolicy", c.imagePullPolicy,
                               {"Always", "IfNotPresent", "Never"}));
  }
  validateResources(c.resources, path + ".resources", out);
  validateSecurityContext(c.securityContext, path + ".securityContext", out);
}

// checkHostPortConflicts: a protocol/hostIP/hostPort may be taken once per pod.
void validateHostPorts(const std::vector<Container>& containers, const std::string& path,
                       Errors& out) {
  std::set<std::string> taken;
  for (size_t ci = 0; ci < containers.size(); ci++) {
    const auto& ports = containers[ci].ports;
    for (size_t pi = 0; pi < ports.size(); pi++) {
      if (ports[pi].hostPort == 0) {
        continue;
      }
      std::string id =
          ports[pi].protocol + "/" + ports[pi].hostIP + "/" + std::to_string(ports[pi].hostPort);
      if (!taken.insert(id).second) {
        out.push_back(duplicate(index(index(path, ci) + ".ports", pi) + ".hostPort", id));
      }
    }
  }
}

}  // namespace

void validateContainers(const PodSpec& spec, Errors& out) {
  std::set<std::string> volumes;
  for (const auto& v : spec.volumes) {
    volumes.insert(v.name);
  }

  std::set<std::string> names;
  for (size_t i = 0; i < spec.containers.size(); i++) {
    const Container& c = spec.containers[i];
    std::string path = index("spec.containers", i);
    validateCommon(c, volumes, path, out);
    if (!names.insert(c.name).second) {
      out.push_back(duplicate(path + ".name", c.name));
    }
    if (c.livenessProbe) {
      validateProbe(*c.livenessProbe, path + ".livenessProbe", out);
      if (c.livenessProbe->successThreshold != 1) {
        out.push_back(invalid(path + ".livenessProbe.successThreshold",
                              c.livenessProbe->successThreshold, "must be 1"));
      }
    }
    if (c.readinessProbe) {
      validateProbe(*c.readinessProbe, path + ".readinessProbe", out);
      if (c.readinessProbe->terminationGracePeriodSeconds) {
        out.push_back(invalid(path + ".readinessProbe.terminationGracePeriodSeconds",
                              *c.readinessProbe->terminationGracePeriodSeconds,
                              "must not be set for readinessProbes"));
      }
    }
    if (c.startupProbe) {
      validateProbe(*c.startupProbe, path + ".startupProbe", out);
      if (c.startupProbe->successThreshold != 1) {
        out.push_back(invalid(path + ".startupProbe.successThreshold",
                              c.startupProbe->successThreshold, "must be 1"));
      }
    }
  }
  validateHostPorts(spec.containers, "spec.containers", out);
  if (spec.containers.empty()) {
    out.push_back(required("spec.containers"));
  }

  // Init container names must not collide with each other or with regular containers.
  for (size_t i = 0; i < spec.initContainers.size(); i++) {
    const Container& c = spec.initContainers[i];
    std::string path = index("spec.initContainers", i);
    validateCommon(c, volumes, path, out);
    if (names.contains(c.name)) {
      out.push_back(duplicate(path + ".name", c.name));
    } else if (!c.name.empty()) {
      names.insert(c.name);
    }
    if (c.livenessProbe) {
      out.push_back(forbidden(path + ".livenessProbe",
                              "may not be set for init containers without restartPolicy=Always"));
    }
    if (c.readinessProbe) {
      out.push_back(forbidden(path + ".readinessProbe",
                              "may not be set for init containers without restartPolicy=Always"));
    }
    if (c.startupProbe) {
      out.push_back(forbidden(path + ".startupProbe",
                              "may not be set for init containers without restartPolicy=Always"));
    }
  }
  validateHostPorts(spec.initContainers, "spec.initContainers", out);

  if (spec.hostNetwork) {
    for (size_t i = 0; i < spec.containers.size(); i++) {
      const auto& ports = spec.containers[i].ports;
      for (size_t j = 0; j < ports.size(); j++) {
        if (ports[j].hostPort != ports[j].containerPort) {
          out.push_back(invalid(index(index("spec.containers", i) + ".ports", j) + ".hostPort",
                                ports[j].hostPort,
                                "must match `containerPort` when `hostNetwork` is true"));
        }
      }
    }
  }
}

}  // namespace berth::api::internal
