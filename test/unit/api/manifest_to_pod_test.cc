// End to end, as the agent handles a manifest file: parse, decode, default, validate.

#include <gtest/gtest.h>

#include "api/pod_codec.h"
#include "api/validation.h"

namespace berth::api {
namespace {

Result<Pod> admit(std::string_view text) {
  BERTH_ASSIGN_OR_RETURN(auto docs, parseManifest(text));
  if (docs.size() != 1) {
    return fail(ErrorCode::kInvalidArgument, "expected one document, got {}", docs.size());
  }
  BERTH_ASSIGN_OR_RETURN(Pod pod, decodePod(docs[0]));
  setPodDefaults(pod);
  auto errors = validatePod(pod);
  if (!errors.empty()) {
    return fail(ErrorCode::kInvalidArgument, "{}",
                invalidMessage("Pod", pod.metadata.name, errors));
  }
  return pod;
}

TEST(ManifestToPodTest, ValidManifestIsAdmittedWithDefaults) {
  auto pod = admit(R"(apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: httpd
    image: 127.0.0.1:5000/httpd
    ports:
    - containerPort: 80
      hostPort: 8080
    resources:
      limits: {cpu: 500m, memory: 32Mi}
    volumeMounts:
    - {name: www, mountPath: /www}
  volumes:
  - name: www
    emptyDir: {medium: Memory}
)");
  ASSERT_TRUE(pod) << pod.error().message();
  const Container& c = pod->spec.containers[0];
  EXPECT_EQ(c.imagePullPolicy, "Always");
  EXPECT_EQ(c.ports[0].protocol, "TCP");
  EXPECT_EQ(c.resources.requests.at("memory"), "32Mi");
  EXPECT_EQ(pod->metadata.namespace_, "default");
  EXPECT_EQ(pod->spec.restartPolicy, "Always");
}

TEST(ManifestToPodTest, InvalidManifestNamesEveryField) {
  auto pod = admit(R"(apiVersion: v1
kind: Pod
metadata:
  name: Web
spec:
  restartPolicy: Sometimes
  containers:
  - name: httpd
    volumeMounts:
    - {name: missing, mountPath: /x}
)");
  ASSERT_FALSE(pod);
  EXPECT_EQ(pod.error().message(),
            "Pod \"Web\" is invalid: [metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 "
            "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
            "start and end with an alphanumeric character (e.g. 'example.com', regex used for "
            "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'), "
            "spec.containers[0].image: Required value, "
            "spec.containers[0].volumeMounts[0].name: Not found: \"missing\", "
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", "
            "\"OnFailure\", \"Never\"]");
}

TEST(ManifestToPodTest, TypeErrorComesBeforeValidation) {
  auto pod = admit(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n"
      "  - name: a\n    image: b\n    ports:\n    - containerPort: http\n");
  ASSERT_FALSE(pod);
  EXPECT_EQ(pod.error().message(),
            "spec.containers[0].ports[0].containerPort: expected integer, got string \"http\"");
}

}  // namespace
}  // namespace berth::api
