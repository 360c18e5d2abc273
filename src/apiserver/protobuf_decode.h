#pragma once

// Decodes the protobuf request bodies of Kubernetes clients into the JSON they stand for.
//
// kubectl 1.32+ creates objects through typed clients that send
// `Content-Type: application/vnd.kubernetes.protobuf`: the 4-byte magic "k8s\0" followed by a
// runtime.Unknown {typeMeta{apiVersion=1, kind=2}=1, raw=2, contentEncoding=3, contentType=4},
// whose `raw` is the object in the generated.proto encoding of k8s.io/api. Berth works in JSON,
// so the API server turns such a body into exactly the object the client would have sent as
// JSON, and handles it as if it had.
//
// Supported (apiVersion/kind): v1 Namespace, ConfigMap, Secret, Service, DeleteOptions (also
// meta.k8s.io/v1), apps/v1 Deployment, batch/v1 Job and CronJob, autoscaling/v1
// HorizontalPodAutoscaler, policy/v1 Eviction. See protobuf_schema.h for how fields map, and
// the schema files for what is skipped.
//
// JSON conventions, as Go's encoding/json writes the same object:
//  * unset fields are absent; zero scalars are absent unless the Go field is a pointer or its
//    JSON tag has no omitempty (then 0, "" and false are kept);
//  * embedded messages are objects, even when empty ("strategy":{}, "resources":{});
//  * bytes are base64 (Secret.data, ConfigMap.binaryData); Quantity is its string; IntOrString
//    is a number or a string; Time is RFC 3339 in UTC; Duration is Go's duration string;
//  * one deviation: a zero metav1.Time (which Go writes as null, e.g. "creationTimestamp":null)
//    is omitted.
//
// Thread-safe: the functions keep no state.

#include <nlohmann/json.hpp>
#include <string_view>

#include "apiserver/protobuf_schema.h"
#include "base/error.h"

namespace berth::apiserver {

// True for "application/vnd.kubernetes.protobuf", case-insensitive, with or without
// parameters: the Content-Type under which a request body must go to decodeKubernetesProtobuf.
bool isKubernetesProtobuf(std::string_view contentType);

// Decodes a whole request body (magic, envelope, object). The result carries `apiVersion` and
// `kind` from the envelope. Errors, all ErrorCode::kInvalidArgument:
//  * "protobuf bodies are not supported for <apiVersion>/<kind>; send JSON" for other kinds;
//  * a message starting "malformed protobuf body: " for a wrong magic, a bad envelope, or raw
//    bytes that do not parse against the kind's schema (a truncated varint, a length past the
//    end, a wrong wire type, invalid UTF-8 in a string, ...);
//  * "... field N of 'Type' is not supported; send JSON" when a field Berth does not know
//    carries a non-empty value (an empty one is ignored, as Go's marshaller writes every
//    non-pointer field).
Result<nlohmann::json> decodeKubernetesProtobuf(std::string_view body);

// Decodes one message (no magic, no envelope) against a descriptor into a JSON object.
// Exposed for tests and for callers that already unwrapped the envelope.
Result<nlohmann::json> decodeProtobufMessage(const protobuf::MessageDescriptor& descriptor,
                                             std::string_view bytes);

}  // namespace berth::apiserver
