#pragma once

// Pod defaulting and validation as the Kubernetes API server does them on create, for the
// fields Berth understands. Validation returns every problem, each naming its field with
// Kubernetes' path notation and messages, so that errors read exactly like kubectl's.
//
// Checks (each as in k8s.io/kubernetes/pkg/apis/core/validation):
//   metadata: name required (or generateName) and a DNS-1123 subdomain; generateName likewise
//     (a trailing '-' allowed); namespace required and a DNS-1123 label; generation >= 0;
//     labels: keys qualified names, values label values; annotations: keys qualified names
//     (case-insensitive), total size <= 256 KiB; ownerReferences: apiVersion/kind/name/uid
//     required.
//   spec: containers required; container names required, DNS-1123 labels, unique across
//     initContainers + containers; image required; imagePullPolicy in {Always, IfNotPresent,
//     Never}; terminationMessagePolicy in {File, FallbackToLogsOnError}; ports: containerPort
//     required and 1-65535, hostPort 1-65535 when set (== containerPort with hostNetwork),
//     unique protocol/hostIP/hostPort across the pod, protocol in {SCTP, TCP, UDP}, names IANA
//     service names and unique per container; env: names required and valid, valueFrom with
//     exactly one source and no value, key selectors (name, key), fieldRef (apiVersion,
//     fieldPath among the supported ones); resources: standard names, valid non-negative
//     quantities, requests <= limits; volumeMounts: name of an existing volume, mountPath
//     required and unique, subPath relative without '..'; probes: exactly one handler
//     (exec.command, httpGet.port/path/scheme, tcpSocket.port), non-negative timings,
//     successThreshold 1 for liveness/startup, none on init containers; securityContext:
//     runAsUser/runAsGroup in 0..2147483647; volumes: names required, DNS-1123 labels, unique,
//     exactly one source; hostPath path required without '..', type among the supported ones;
//     secret secretName / configMap name required, modes 0-0777, items key/path;
//     restartPolicy in {Always, OnFailure, Never}; dnsPolicy in {ClusterFirstWithHostNet,
//     ClusterFirst, Default, None}; terminationGracePeriodSeconds >= 0;
//     activeDeadlineSeconds 1..2147483647; nodeSelector as labels; serviceAccountName and
//     nodeName DNS-1123 subdomains; hostname/subdomain DNS-1123 labels; pod securityContext IDs;
//     tolerations (key, operator, effect, tolerationSeconds); hostAliases IPs.
// Quantities in messages are printed in Kubernetes' canonical form ("0.5" -> "500m").
// Not checked: fields Berth does not model, quota and other admission plugins.

#include <string>
#include <vector>

#include "api/pod.h"

namespace berth::api {

struct FieldError {
  std::string field;  // "spec.containers[0].name"
  std::string type;   // "Required value", "Invalid value", "Unsupported value", "Duplicate value",
                      // "Not found", "Forbidden", "Too long"
  std::string badValue;  // as Go prints it: "\"Bad_Name\"" for strings, "70000" for numbers;
                         // empty for Required/Forbidden/Too long (which print no value)
  std::string detail;    // "a lowercase RFC 1123 label must consist of ..."

  // Kubernetes' field.Error.Error():
  //   "spec.containers[0].image: Required value"
  //   "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must ..."
  //   "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", ..."
  std::string str() const;

  bool operator==(const FieldError&) const = default;
};

// Fills defaults as the API server does on create (SetObjectDefaults_Pod): namespace "default";
// restartPolicy Always; terminationGracePeriodSeconds 30; dnsPolicy ClusterFirst; schedulerName
// "default-scheduler"; securityContext {}; per container: imagePullPolicy (Always when the tag
// is "latest" or there is neither tag nor digest, else IfNotPresent), terminationMessagePath
// /dev/termination-log, terminationMessagePolicy File, port protocol TCP, fieldRef apiVersion
// v1, probe timeouts/period/thresholds when zero (1/10/1/3), httpGet path "/" and scheme HTTP;
// limits copied into requests that are not set; with hostNetwork, hostPort = containerPort;
// secret/configMap defaultMode 0644. Values already set are kept. emptyDir medium and hostPath
// type stay "". Unlike Kubernetes, a volume without a source is not turned into an emptyDir:
// Berth decodes only the sources it supports, so "no source" may mean an unsupported one, and
// validation reports it instead.
void setPodDefaults(Pod& pod);

// Every validation error of a (defaulted) pod, in Kubernetes' order; empty when valid.
std::vector<FieldError> validatePod(const Pod& pod);

// `Pod "name" is invalid: [a, b]` (without brackets for one error), as the API server's
// StatusError message reads (kubectl prefixes "The "). Identical messages are listed once.
std::string invalidMessage(const std::string& kind, const std::string& name,
                           const std::vector<FieldError>& errors);

}  // namespace berth::api
