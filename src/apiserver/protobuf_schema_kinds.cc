// The kinds whose protobuf bodies Berth decodes: one line per (apiVersion, kind).

#include "apiserver/protobuf_schema.h"

namespace berth::apiserver::protobuf {

namespace {

struct KindEntry {
  std::string_view apiVersion;
  std::string_view kind;
  const MessageDescriptor* message;
};

constexpr KindEntry kKinds[] = {
    {"v1", "Namespace", &kNamespace},
    {"v1", "ConfigMap", &kConfigMap},
    {"v1", "Secret", &kSecret},
    {"v1", "Service", &kService},
    // client-go labels the DeleteOptions of a core DELETE "v1"; other groups may use their own
    // version or meta.k8s.io/v1.
    {"v1", "DeleteOptions", &kDeleteOptions},
    {"meta.k8s.io/v1", "DeleteOptions", &kDeleteOptions},
    {"apps/v1", "DeleteOptions", &kDeleteOptions},
    {"batch/v1", "DeleteOptions", &kDeleteOptions},
    {"autoscaling/v1", "DeleteOptions", &kDeleteOptions},
    {"autoscaling/v2", "DeleteOptions", &kDeleteOptions},
    {"policy/v1", "DeleteOptions", &kDeleteOptions},
    {"apps/v1", "Deployment", &kDeployment},
    {"batch/v1", "Job", &kJob},
    {"batch/v1", "CronJob", &kCronJob},
    {"autoscaling/v1", "HorizontalPodAutoscaler", &kHorizontalPodAutoscaler},
    {"policy/v1", "Eviction", &kEviction},
};

}  // namespace

const MessageDescriptor* findKind(std::string_view apiVersion, std::string_view kind) {
  for (const KindEntry& entry : kKinds) {
    if (entry.apiVersion == apiVersion && entry.kind == kind) {
      return entry.message;
    }
  }
  return nullptr;
}

}  // namespace berth::apiserver::protobuf
