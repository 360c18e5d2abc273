#pragma once

// Message descriptors for the Kubernetes kinds whose protobuf encoding Berth decodes.
//
// A MessageDescriptor is a table of fields: protobuf field number -> JSON name, value type and,
// for embedded messages, the nested descriptor. Field numbers and names come from the upstream
// generated.proto files of k8s.io/api and k8s.io/apimachinery; the flags come from the Go JSON
// tags of the same fields (types.go), so that a decoded object equals the JSON the Go client
// would have sent. Supporting a new kind means adding its descriptors and one line to the kind
// table in protobuf_schema_kinds.cc.
//
// All descriptors are constant-initialized and immutable: safe to use from any thread.

#include <cstdint>
#include <span>
#include <string_view>

namespace berth::apiserver::protobuf {

struct MessageDescriptor;

// How the value of a field is encoded and turned into JSON.
enum FieldType : uint8_t {
  kString,       // length-delimited UTF-8 -> JSON string
  kBytes,        // length-delimited -> JSON string, standard base64 with padding
  kBool,         // varint -> true/false
  kInt32,        // varint (negative values sign-extended) -> JSON number
  kInt64,        // varint -> JSON number
  kMessage,      // embedded message -> JSON object, described by `message`
  kQuantity,     // resource.Quantity {string=1} -> "100m"
  kIntOrString,  // intstr.IntOrString {type=1, intVal=2, strVal=3} -> 80 or "http"
  kTime,         // metav1.Time {seconds=1, nanos=2} -> "2024-01-02T03:04:05Z"
  kMicroTime,    // metav1.MicroTime -> "2024-01-02T03:04:05.000000Z"
  kDuration,     // metav1.Duration {duration=1 (ns)} -> Go duration string "1m30s"
  kFieldsV1,     // metav1.FieldsV1 {Raw=1}: JSON text -> the JSON value it holds
};

// Field flags, or-ed together.
enum FieldFlag : unsigned {
  kRepeated = 1u << 0,  // JSON array; scalars may be packed or not
  kMap = 1u << 1,       // map<string, T>: repeated entries {key=1, value=2}; `type` is T
  // Emit zero values ("", 0, false) found on the wire. Set for Go pointer fields (nil is not
  // on the wire, zero is meaningful) and for fields whose JSON tag lacks omitempty. Without it
  // zero scalars are dropped, as Go's omitempty drops them.
  kKeepZero = 1u << 2,
  // Go embeds the struct (`json:",inline"`): its fields go into the enclosing JSON object.
  kInline = 1u << 3,
};

struct FieldDescriptor {
  uint32_t number;
  std::string_view jsonName;
  FieldType type;
  unsigned flags = 0;
  const MessageDescriptor* message = nullptr;  // only for kMessage
};

struct MessageDescriptor {
  std::string_view name;  // the Go/proto type name, for error messages
  std::span<const FieldDescriptor> fields;

  // The field with this number, or nullptr. Tables are small: a linear scan.
  constexpr const FieldDescriptor* find(uint32_t number) const {
    for (const FieldDescriptor& field : fields) {
      if (field.number == number) {
        return &field;
      }
    }
    return nullptr;
  }
};

// The descriptor for the top-level object of a kind, or nullptr when the kind is not supported.
// `apiVersion` is "v1", "apps/v1", ...; DeleteOptions is accepted as "v1" and "meta.k8s.io/v1".
const MessageDescriptor* findKind(std::string_view apiVersion, std::string_view kind);

// Descriptors shared between the schema files.
// k8s.io/apimachinery/pkg/apis/meta/v1 (protobuf_schema_meta.cc)
extern const MessageDescriptor kObjectMeta;
extern const MessageDescriptor kLabelSelector;
extern const MessageDescriptor kDeleteOptions;
extern const MessageDescriptor kCondition;
// k8s.io/api/core/v1 pod template (protobuf_schema_pod.cc, protobuf_schema_container.cc)
extern const MessageDescriptor kPodTemplateSpec;
extern const MessageDescriptor kContainer;
extern const MessageDescriptor kResourceRequirements;
extern const MessageDescriptor kPodSecurityContext;
extern const MessageDescriptor kLocalObjectReference;
extern const MessageDescriptor kObjectFieldSelector;
extern const MessageDescriptor kResourceFieldSelector;
// Top-level kinds (protobuf_schema_core.cc, protobuf_schema_workloads.cc)
extern const MessageDescriptor kNamespace;
extern const MessageDescriptor kConfigMap;
extern const MessageDescriptor kSecret;
extern const MessageDescriptor kService;
extern const MessageDescriptor kDeployment;
extern const MessageDescriptor kJob;
extern const MessageDescriptor kCronJob;
extern const MessageDescriptor kHorizontalPodAutoscaler;
extern const MessageDescriptor kEviction;

}  // namespace berth::apiserver::protobuf
