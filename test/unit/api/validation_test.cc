#include "api/validation.h"

#include <gtest/gtest.h>

#include <functional>

namespace berth::api {
namespace {

using Strings = std::vector<std::string>;

constexpr const char* kSubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
constexpr const char* kLabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
constexpr const char* kQualifiedNamePart =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
constexpr const char* kEnvMsg =
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
    "or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or "
    "'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";

Pod validPod() {
  Pod p;
  p.metadata.name = "web";
  Container c;
  c.name = "app";
  c.image = "busybox:1.36";
  p.spec.containers = {c};
  setPodDefaults(p);
  return p;
}

// The error strings of validPod() after `mutate`.
Strings errorsAfter(const std::function<void(Pod&)>& mutate) {
  Pod p = validPod();
  mutate(p);
  Strings out;
  for (const auto& e : validatePod(p)) {
    out.push_back(e.str());
  }
  return out;
}

Container& app(Pod& p) {
  return p.spec.containers[0];
}

TEST(ValidationTest, ValidPodHasNoErrors) {
  EXPECT_EQ(errorsAfter([](Pod&) {}), Strings{});
}

TEST(ValidationTest, FieldErrorFormatting) {
  EXPECT_EQ((FieldError{"spec.containers[0].image", "Required value", "", ""}.str()),
            "spec.containers[0].image: Required value");
  EXPECT_EQ(
      (FieldError{"metadata.name", "Required value", "", "name or generateName is required"}.str()),
      "metadata.name: Required value: name or generateName is required");
  EXPECT_EQ((FieldError{"a", "Invalid value", "70000", "too big"}.str()),
            "a: Invalid value: 70000: too big");
  EXPECT_EQ((FieldError{"a", "Forbidden", "", "no"}.str()), "a: Forbidden: no");
}

TEST(ValidationTest, InvalidMessageLikeKubectl) {
  Pod p = validPod();
  p.metadata.name = "Bad_Name";
  auto errors = validatePod(p);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(
      invalidMessage("Pod", p.metadata.name, errors),
      std::string("Pod \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": ") +
          kSubdomainMsg);

  Pod q = validPod();
  q.metadata.name = "x";
  app(q).image = "";
  q.spec.restartPolicy = "Sometimes";
  EXPECT_EQ(invalidMessage("Pod", "x", validatePod(q)),
            "Pod \"x\" is invalid: [spec.containers[0].image: Required value, "
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", "
            "\"OnFailure\", \"Never\"]");

  FieldError e{"a", "Required value", "", ""};
  EXPECT_EQ(invalidMessage("Pod", "x", {e, e}), "Pod \"x\" is invalid: a: Required value");
}

TEST(ValidationTest, NameRequired) {
  EXPECT_EQ(errorsAfter([](Pod& p) { p.metadata.name = ""; }),
            Strings{"metadata.name: Required value: name or generateName is required"});
}

TEST(ValidationTest, NameIsDnsSubdomain) {
  EXPECT_EQ(errorsAfter([](Pod& p) { p.metadata.name = "Bad_Name"; }),
            Strings{std::string("metadata.name: Invalid value: \"Bad_Name\": ") + kSubdomainMsg});
  EXPECT_EQ(errorsAfter([](Pod& p) { p.metadata.name = "a.b-c.d"; }), Strings{});
  EXPECT_EQ(errorsAfter([](Pod& p) { p.metadata.name = std::string(254, 'a'); }),
            Strings{"metadata.name: Invalid value: \"" + std::string(254, 'a') +
                    "\": must be no more than 253 characters"});
}

TEST(ValidationTest, GenerateNameMayEndWithDash) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.metadata.name = "web-x1";
              p.metadata.generateName = "web-";
            }),
            Strings{});
  EXPECT_EQ(
      errorsAfter([](Pod& p) { p.metadata.generateName = "Web-"; }),
      Strings{std::string("metadata.generateName: Invalid value: \"Web-\": ") + kSubdomainMsg});
}

TEST(ValidationTest, NamespaceIsDnsLabel) {
  EXPECT_EQ(errorsAfter([](Pod& p) { p.metadata.namespace_ = "a.b"; }),
            Strings{std::string("metadata.namespace: Invalid value: \"a.b\": ") + kLabelMsg});
  EXPECT_EQ(errorsAfter([](Pod& p) { p.metadata.namespace_ = ""; }),
            Strings{"metadata.namespace: Required value"});
}

TEST(ValidationTest, LabelKeysAndValues) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.metadata.labels = {{"example.com/app", "web-1.0_a"}};
            }),
            Strings{});
  EXPECT_EQ(
      errorsAfter([](Pod& p) {
        p.metadata.labels = {{"-app", "ok"}};
      }),
      Strings{std::string("metadata.labels: Invalid value: \"-app\": ") + kQualifiedNamePart});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.metadata.labels = {{"app", "bad value"}};
            }),
            Strings{"metadata.labels: Invalid value: \"bad value\": a valid label must be an "
                    "empty string or consist of alphanumeric characters, '-', '_' or '.', and "
                    "must start and end with an alphanumeric character (e.g. 'MyValue',  or "
                    "'my_value',  or '12345', regex used for validation is "
                    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.metadata.labels = {{"app", std::string(64, 'a')}};
            }),
            Strings{"metadata.labels: Invalid value: \"" + std::string(64, 'a') +
                    "\": must be no more than 63 characters"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.metadata.labels = {{"/app", ""}};
            }),
            Strings{"metadata.labels: Invalid value: \"/app\": prefix part must be non-empty"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.metadata.labels = {{"a/b/c", ""}};
            }),
            Strings{"metadata.labels: Invalid value: \"a/b/c\": a qualified name must consist of "
                    "alphanumeric characters, '-', '_' or '.', and must start and end with an "
                    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
                    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an "
                    "optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.metadata.labels = {{"Ex.com/a", ""}};
            }),
            Strings{std::string("metadata.labels: Invalid value: \"Ex.com/a\": prefix part ") +
                    kSubdomainMsg});
}

TEST(ValidationTest, AnnotationKeysAreCaseInsensitiveAndSizeLimited) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.metadata.annotations = {{"Example.COM/Note", "any"}};
            }),
            Strings{});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.metadata.annotations = {{"bad key", "v"}};
            }),
            Strings{std::string("metadata.annotations: Invalid value: \"bad key\": ") +
                    kQualifiedNamePart});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.metadata.annotations = {{"a", std::string(262144, 'x')}};
            }),
            Strings{"metadata.annotations: Too long: must have at most 262144 bytes"});
}

TEST(ValidationTest, ContainersRequired) {
  EXPECT_EQ(errorsAfter([](Pod& p) { p.spec.containers.clear(); }),
            Strings{"spec.containers: Required value"});
}

TEST(ValidationTest, ContainerNameRequiredAndDnsLabel) {
  EXPECT_EQ(errorsAfter([](Pod& p) { app(p).name = ""; }),
            Strings{"spec.containers[0].name: Required value"});
  EXPECT_EQ(errorsAfter([](Pod& p) { app(p).name = "App"; }),
            Strings{std::string("spec.containers[0].name: Invalid value: \"App\": ") + kLabelMsg});
}

TEST(ValidationTest, ContainerNamesUniqueAcrossInitAndRegular) {
  EXPECT_EQ(errorsAfter([](Pod& p) { p.spec.containers.push_back(app(p)); }),
            Strings{"spec.containers[1].name: Duplicate value: \"app\""});
  EXPECT_EQ(errorsAfter([](Pod& p) { p.spec.initContainers = {app(p)}; }),
            Strings{"spec.initContainers[0].name: Duplicate value: \"app\""});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.spec.initContainers = {app(p), app(p)};
              p.spec.initContainers[0].name = "init";
              p.spec.initContainers[1].name = "init";
            }),
            Strings{"spec.initContainers[1].name: Duplicate value: \"init\""});
}

TEST(ValidationTest, ImageRequired) {
  EXPECT_EQ(errorsAfter([](Pod& p) { app(p).image = ""; }),
            Strings{"spec.containers[0].image: Required value"});
}

TEST(ValidationTest, RestartPolicyValues) {
  EXPECT_EQ(errorsAfter([](Pod& p) { p.spec.restartPolicy = "Sometimes"; }),
            Strings{"spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: "
                    "\"Always\", \"OnFailure\", \"Never\""});
  EXPECT_EQ(errorsAfter([](Pod& p) { p.spec.restartPolicy = ""; }),
            Strings{"spec.restartPolicy: Required value"});
  EXPECT_EQ(errorsAfter([](Pod& p) { p.spec.restartPolicy = "OnFailure"; }), Strings{});
}

TEST(ValidationTest, ImagePullPolicyValues) {
  EXPECT_EQ(errorsAfter([](Pod& p) { app(p).imagePullPolicy = "Sometimes"; }),
            Strings{"spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": "
                    "supported values: \"Always\", \"IfNotPresent\", \"Never\""});
  EXPECT_EQ(errorsAfter([](Pod& p) { app(p).imagePullPolicy = ""; }),
            Strings{"spec.containers[0].imagePullPolicy: Required value"});
}

TEST(ValidationTest, DnsPolicyValues) {
  EXPECT_EQ(errorsAfter([](Pod& p) { p.spec.dnsPolicy = "Google"; }),
            Strings{"spec.dnsPolicy: Unsupported value: \"Google\": supported values: "
                    "\"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""});
  EXPECT_EQ(errorsAfter([](Pod& p) { p.spec.dnsPolicy = "None"; }),
            Strings{"spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` "
                    "is None"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.spec.dnsPolicy = "None";
              p.spec.dnsConfig = PodDnsConfig{{"1.1.1.1", "nope"}, {}, {}};
            }),
            Strings{"spec.dnsConfig.nameservers[1]: Invalid value: \"nope\": must be a valid IP "
                    "address, (e.g. 10.9.8.7 or 2001:db8::ffff)"});
}

TEST(ValidationTest, ContainerPortRequiredAndInRange) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).ports = {{"", 0, 0, "TCP", ""}};
            }),
            Strings{"spec.containers[0].ports[0].containerPort: Required value"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).ports = {{"", 70000, 0, "TCP", ""}};
            }),
            Strings{"spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be "
                    "between 1 and 65535, inclusive"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).ports = {{"", -1, 0, "TCP", ""}};
            }),
            Strings{"spec.containers[0].ports[0].containerPort: Invalid value: -1: must be "
                    "between 1 and 65535, inclusive"});
}

TEST(ValidationTest, HostPortRangeAndUniqueness) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).ports = {{"", 80, 65536, "TCP", ""}};
            }),
            Strings{"spec.containers[0].ports[0].hostPort: Invalid value: 65536: must be between "
                    "1 and 65535, inclusive"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              Container second = app(p);
              second.name = "two";
              app(p).ports = {{"", 80, 8080, "TCP", ""}};
              second.ports = {{"", 81, 8080, "TCP", ""}, {"", 82, 8080, "UDP", ""}};
              p.spec.containers.push_back(second);
            }),
            Strings{"spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP//8080\""});
}

TEST(ValidationTest, HostNetworkNeedsMatchingPorts) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.spec.hostNetwork = true;
              app(p).ports = {{"", 80, 8080, "TCP", ""}};
            }),
            Strings{"spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match "
                    "`containerPort` when `hostNetwork` is true"});
}

TEST(ValidationTest, PortProtocolValues) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).ports = {{"", 80, 0, "HTTP", ""}};
            }),
            Strings{"spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": "
                    "supported values: \"SCTP\", \"TCP\", \"UDP\""});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).ports = {{"", 80, 0, "", ""}};
            }),
            Strings{"spec.containers[0].ports[0].protocol: Required value"});
}

TEST(ValidationTest, PortNamesAreIanaServiceNamesAndUnique) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).ports = {{"Http", 80, 0, "TCP", ""}};
            }),
            Strings{"spec.containers[0].ports[0].name: Invalid value: \"Http\": must contain only "
                    "alpha-numeric characters (a-z, 0-9), and hyphens (-)"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).ports = {{"8080", 80, 0, "TCP", ""}};
            }),
            Strings{"spec.containers[0].ports[0].name: Invalid value: \"8080\": must contain at "
                    "least one letter (a-z)"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).ports = {{"-a--b-very-long-name", 80, 0, "TCP", ""}};
            }),
            (Strings{"spec.containers[0].ports[0].name: Invalid value: \"-a--b-very-long-name\": "
                     "must be no more than 15 characters",
                     "spec.containers[0].ports[0].name: Invalid value: \"-a--b-very-long-name\": "
                     "must not contain consecutive hyphens",
                     "spec.containers[0].ports[0].name: Invalid value: \"-a--b-very-long-name\": "
                     "must not begin or end with a hyphen"}));
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).ports = {{"http", 80, 0, "TCP", ""}, {"http", 81, 0, "TCP", ""}};
            }),
            Strings{"spec.containers[0].ports[1].name: Duplicate value: \"http\""});
}

TEST(ValidationTest, EnvVarNames) {
  EXPECT_EQ(errorsAfter([](Pod& p) { app(p).env = {{"my.env-NAME_1", "v", {}}}; }), Strings{});
  EXPECT_EQ(
      errorsAfter([](Pod& p) {
        app(p).env = {{"1ABC", "v", {}}};
      }),
      Strings{std::string("spec.containers[0].env[0].name: Invalid value: \"1ABC\": ") + kEnvMsg});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).env = {{"", "v", {}}};
            }),
            Strings{"spec.containers[0].env[0].name: Required value"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).env = {{"..a", "v", {}}};
            }),
            Strings{"spec.containers[0].env[0].name: Invalid value: \"..a\": must not start with "
                    "'..'"});
}

TEST(ValidationTest, EnvValueFromExclusivity) {
  KeySelector cm{"cfg", "key", false};
  EXPECT_EQ(errorsAfter([&](Pod& p) {
              app(p).env = {{"A", "", EnvVarSource{cm, std::nullopt, std::nullopt}}};
            }),
            Strings{});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).env = {{"A", "", EnvVarSource{}}};
            }),
            Strings{"spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify one "
                    "of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"});
  EXPECT_EQ(errorsAfter([&](Pod& p) {
              app(p).env = {{"A", "x", EnvVarSource{cm, std::nullopt, std::nullopt}}};
            }),
            Strings{"spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be "
                    "specified when `value` is not empty"});
  EXPECT_EQ(errorsAfter([&](Pod& p) {
              app(p).env = {{"A", "", EnvVarSource{cm, cm, std::nullopt}}};
            }),
            Strings{"spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not have more "
                    "than one field specified at a time"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).env = {
                  {"A", "", EnvVarSource{std::nullopt, KeySelector{"s", "", false}, std::nullopt}}};
            }),
            Strings{"spec.containers[0].env[0].valueFrom.secretKeyRef.key: Required value"});
}

TEST(ValidationTest, EnvFieldRef) {
  auto withField = [](std::string path) {
    return [path](Pod& p) {
      app(p).env = {
          {"A", "", EnvVarSource{std::nullopt, std::nullopt, ObjectFieldSelector{"v1", path}}}};
    };
  };
  EXPECT_EQ(errorsAfter(withField("metadata.name")), Strings{});
  EXPECT_EQ(errorsAfter(withField("status.podIP")), Strings{});
  EXPECT_EQ(errorsAfter(withField("metadata.labels['app']")), Strings{});
  EXPECT_EQ(errorsAfter(withField("")),
            Strings{"spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Required value"});
  EXPECT_EQ(errorsAfter(withField("spec.hostname")),
            Strings{"spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "
                    "\"spec.hostname\": supported values: \"metadata.name\", "
                    "\"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", "
                    "\"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", "
                    "\"status.podIP\", \"status.podIPs\""});
}

TEST(ValidationTest, VolumeNamesUniqueDnsLabels) {
  Volume v{"data", EmptyDirVolumeSource{}, std::nullopt, std::nullopt, std::nullopt};
  EXPECT_EQ(errorsAfter([&](Pod& p) {
              p.spec.volumes = {v, v};
            }),
            Strings{"spec.volumes[1].name: Duplicate value: \"data\""});
  EXPECT_EQ(errorsAfter([&](Pod& p) {
              p.spec.volumes = {v};
              p.spec.volumes[0].name = "Data";
            }),
            Strings{std::string("spec.volumes[0].name: Invalid value: \"Data\": ") + kLabelMsg});
  EXPECT_EQ(errorsAfter([&](Pod& p) {
              p.spec.volumes = {v};
              p.spec.volumes[0].name = "";
            }),
            Strings{"spec.volumes[0].name: Required value"});
}

TEST(ValidationTest, VolumeNeedsExactlyOneSource) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.spec.volumes = {{"v", std::nullopt, std::nullopt, std::nullopt, std::nullopt}};
            }),
            Strings{"spec.volumes[0]: Required value: must specify a volume type"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.spec.volumes = {{"v", EmptyDirVolumeSource{}, HostPathVolumeSource{"/tmp", ""},
                                 std::nullopt, std::nullopt}};
            }),
            Strings{"spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume "
                    "type"});
}

TEST(ValidationTest, HostPathPathAndType) {
  auto hostPath = [](std::string path, std::string type) {
    return [=](Pod& p) {
      p.spec.volumes = {
          {"v", std::nullopt, HostPathVolumeSource{path, type}, std::nullopt, std::nullopt}};
    };
  };
  EXPECT_EQ(errorsAfter(hostPath("/srv", "DirectoryOrCreate")), Strings{});
  EXPECT_EQ(errorsAfter(hostPath("", "")),
            Strings{"spec.volumes[0].hostPath.path: Required value"});
  EXPECT_EQ(errorsAfter(hostPath("/srv/../etc", "")),
            Strings{"spec.volumes[0].hostPath.path: Invalid value: \"/srv/../etc\": must not "
                    "contain '..'"});
  EXPECT_EQ(errorsAfter(hostPath("/srv", "Dir")),
            Strings{"spec.volumes[0].hostPath.type: Unsupported value: \"Dir\": supported "
                    "values: \"\", \"BlockDevice\", \"CharDevice\", \"Directory\", "
                    "\"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\""});
}

TEST(ValidationTest, SecretAndConfigMapSources) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.spec.volumes = {{"s", std::nullopt, std::nullopt, std::nullopt,
                                 SecretVolumeSource{"", {{"k", "/abs", 01000}}, 0644, false}}};
            }),
            (Strings{"spec.volumes[0].secret.secretName: Required value",
                     "spec.volumes[0].secret.items[0].path: Invalid value: \"/abs\": must be a "
                     "relative path",
                     "spec.volumes[0].secret.items[0].mode: Invalid value: 512: must be a number "
                     "between 0 and 0777 (octal), both inclusive"}));
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.spec.volumes = {{"c", std::nullopt, std::nullopt,
                                 ConfigMapVolumeSource{"", {}, -1, false}, std::nullopt}};
            }),
            (Strings{"spec.volumes[0].configMap.name: Required value",
                     "spec.volumes[0].configMap.defaultMode: Invalid value: -1: must be a number "
                     "between 0 and 0777 (octal), both inclusive"}));
}

TEST(ValidationTest, EmptyDirSizeLimit) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.spec.volumes = {{"v", EmptyDirVolumeSource{"Memory", "-1Gi"}, std::nullopt,
                                 std::nullopt, std::nullopt}};
            }),
            Strings{"spec.volumes[0].emptyDir.sizeLimit: Forbidden: SizeLimit field must be a "
                    "valid resource quantity"});
}

TEST(ValidationTest, VolumeMountsReferenceVolumes) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).volumeMounts = {{"data", "/data", false, ""}};
            }),
            Strings{"spec.containers[0].volumeMounts[0].name: Not found: \"data\""});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.spec.volumes = {
                  {"data", EmptyDirVolumeSource{}, std::nullopt, std::nullopt, std::nullopt}};
              app(p).volumeMounts = {{"data", "", false, ""}, {"data", "", false, "../x"}};
            }),
            (Strings{"spec.containers[0].volumeMounts[0].mountPath: Required value",
                     "spec.containers[0].volumeMounts[1].mountPath: Required value",
                     "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"\": must be "
                     "unique",
                     "spec.containers[0].volumeMounts[1].subPath: Invalid value: \"../x\": must "
                     "not contain '..'"}));
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).volumeMounts = {{"", "/x", false, ""}};
            }),
            (Strings{"spec.containers[0].volumeMounts[0].name: Required value",
                     "spec.containers[0].volumeMounts[0].name: Not found: \"\""}));
}

TEST(ValidationTest, ResourceQuantitiesAndLimits) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).resources.limits = {{"cpu", "1"}, {"memory", "128Mi"}};
              app(p).resources.requests = {{"cpu", "500m"}, {"memory", "128Mi"}};
            }),
            Strings{});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).resources.limits = {{"cpu", "1"}};
              app(p).resources.requests = {{"cpu", "2"}};
            }),
            Strings{"spec.containers[0].resources.requests: Invalid value: \"2\": must be less "
                    "than or equal to cpu limit of 1"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).resources.limits = {{"cpu", "1000m"}};
              app(p).resources.requests = {{"cpu", "1.5"}};
            }),
            Strings{"spec.containers[0].resources.requests: Invalid value: \"1500m\": must be "
                    "less than or equal to cpu limit of 1"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).resources.limits = {{"memory", "lots"}};
            }),
            Strings{"spec.containers[0].resources.limits[memory]: Invalid value: \"lots\": "
                    "quantities must match the regular expression "
                    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).resources.requests = {{"cpu", "-0.5"}};
            }),
            Strings{"spec.containers[0].resources.requests[cpu]: Invalid value: \"-500m\": must "
                    "be greater than or equal to 0"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).resources.requests = {{"gpu", "1"}};
            }),
            Strings{"spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be "
                    "a standard resource for containers"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              app(p).resources.limits = {{"example.com/gpu", "2"}};
              app(p).resources.requests = {{"example.com/gpu", "1"}};
            }),
            Strings{"spec.containers[0].resources.requests: Invalid value: \"1\": must be equal "
                    "to example.com/gpu limit of 2"});
}

TEST(ValidationTest, ProbesNeedExactlyOneHandler) {
  EXPECT_EQ(errorsAfter([](Pod& p) { app(p).livenessProbe = Probe{}; }),
            Strings{"spec.containers[0].livenessProbe: Required value: must specify a handler "
                    "type"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              Probe probe;
              probe.exec = ExecAction{{"true"}};
              probe.tcpSocket = TcpSocketAction{"80", ""};
              app(p).readinessProbe = probe;
            }),
            Strings{"spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify "
                    "more than 1 handler type"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              Probe probe;
              probe.exec = ExecAction{};
              app(p).startupProbe = probe;
            }),
            Strings{"spec.containers[0].startupProbe.exec.command: Required value"});
}

TEST(ValidationTest, ProbeHandlerFields) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              Probe probe;
              probe.httpGet = HttpGetAction{"/", "0", "", "FTP", {}};
              app(p).livenessProbe = probe;
            }),
            (Strings{"spec.containers[0].livenessProbe.httpGet.port: Invalid value: 0: must be "
                     "between 1 and 65535, inclusive",
                     "spec.containers[0].livenessProbe.httpGet.scheme: Unsupported value: "
                     "\"FTP\": supported values: \"HTTP\", \"HTTPS\""}));
  EXPECT_EQ(errorsAfter([](Pod& p) {
              Probe probe;
              probe.tcpSocket = TcpSocketAction{"HTTP", ""};
              app(p).livenessProbe = probe;
            }),
            Strings{"spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: \"HTTP\": "
                    "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"});
}

TEST(ValidationTest, ProbeTimingsAndThresholds) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              Probe probe;
              probe.exec = ExecAction{{"true"}};
              probe.initialDelaySeconds = -1;
              probe.successThreshold = 2;
              app(p).livenessProbe = probe;
            }),
            (Strings{"spec.containers[0].livenessProbe.initialDelaySeconds: Invalid value: -1: "
                     "must be greater than or equal to 0",
                     "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must "
                     "be 1"}));
}

TEST(ValidationTest, InitContainersMayNotHaveProbes) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              Container init = app(p);
              init.name = "init";
              Probe probe;
              probe.exec = ExecAction{{"true"}};
              init.readinessProbe = probe;
              p.spec.initContainers = {init};
            }),
            Strings{"spec.initContainers[0].readinessProbe: Forbidden: may not be set for init "
                    "containers without restartPolicy=Always"});
}

TEST(ValidationTest, TerminationGracePeriodNonNegative) {
  EXPECT_EQ(errorsAfter([](Pod& p) { p.spec.terminationGracePeriodSeconds = -1; }),
            Strings{"spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than "
                    "or equal to 0"});
  EXPECT_EQ(errorsAfter([](Pod& p) { p.spec.terminationGracePeriodSeconds = 0; }), Strings{});
}

TEST(ValidationTest, ActiveDeadlineRange) {
  EXPECT_EQ(errorsAfter([](Pod& p) { p.spec.activeDeadlineSeconds = 0; }),
            Strings{"spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and "
                    "2147483647, inclusive"});
}

TEST(ValidationTest, RunAsUserAndGroupRanges) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              SecurityContext sc;
              sc.runAsUser = -1;
              sc.runAsGroup = 4294967296;
              app(p).securityContext = sc;
              p.spec.securityContext->runAsUser = -2;
              p.spec.securityContext->supplementalGroups = {1, -3};
            }),
            (Strings{"spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be "
                     "between 0 and 2147483647, inclusive",
                     "spec.containers[0].securityContext.runAsGroup: Invalid value: 4294967296: "
                     "must be between 0 and 2147483647, inclusive",
                     "spec.securityContext.runAsUser: Invalid value: -2: must be between 0 and "
                     "2147483647, inclusive",
                     "spec.securityContext.supplementalGroups[1]: Invalid value: -3: must be "
                     "between 0 and 2147483647, inclusive"}));
}

TEST(ValidationTest, SeccompProfile) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.spec.securityContext->seccompProfile = SeccompProfile{"Localhost", ""};
            }),
            Strings{"spec.securityContext.seccompProfile.localhostProfile: Required value: must "
                    "be set when seccomp type is Localhost"});
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.spec.securityContext->seccompProfile = SeccompProfile{"Strict", ""};
            }),
            Strings{"spec.securityContext.seccompProfile.type: Unsupported value: \"Strict\": "
                    "supported values: \"Localhost\", \"RuntimeDefault\", \"Unconfined\""});
}

TEST(ValidationTest, TerminationMessagePolicy) {
  EXPECT_EQ(errorsAfter([](Pod& p) { app(p).terminationMessagePolicy = "Log"; }),
            Strings{"spec.containers[0].terminationMessagePolicy: Unsupported value: \"Log\": "
                    "supported values: \"File\", \"FallbackToLogsOnError\""});
}

TEST(ValidationTest, PodLevelNames) {
  EXPECT_EQ(
      errorsAfter([](Pod& p) {
        p.spec.hostname = "Host";
        p.spec.nodeName = "node_1";
        p.spec.serviceAccountName = "SA";
        p.spec.nodeSelector = {{"disk", "s s d"}};
      }),
      (Strings{"spec.nodeSelector: Invalid value: \"s s d\": a valid label must be an empty "
               "string or consist of alphanumeric characters, '-', '_' or '.', and must "
               "start and end with an alphanumeric character (e.g. 'MyValue',  or "
               "'my_value',  or '12345', regex used for validation is "
               "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
               std::string("spec.serviceAccountName: Invalid value: \"SA\": ") + kSubdomainMsg,
               std::string("spec.nodeName: Invalid value: \"node_1\": ") + kSubdomainMsg,
               std::string("spec.hostname: Invalid value: \"Host\": ") + kLabelMsg}));
}

TEST(ValidationTest, Tolerations) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.spec.tolerations = {{"", "Equal", "", "", {}},
                                    {"k", "Exists", "", "NoSchedule", 5},
                                    {"k", "Above", "", "Never", {}}};
            }),
            (Strings{"spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be "
                     "Exists when `key` is empty, which means \"match all values and all keys\"",
                     "spec.tolerations[1].effect: Invalid value: \"NoSchedule\": effect must be "
                     "'NoExecute' when `tolerationSeconds` is set",
                     "spec.tolerations[2].operator: Unsupported value: \"Above\": supported "
                     "values: \"Equal\", \"Exists\"",
                     "spec.tolerations[2].effect: Unsupported value: \"Never\": supported values: "
                     "\"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""}));
}

TEST(ValidationTest, HostAliases) {
  EXPECT_EQ(errorsAfter([](Pod& p) {
              p.spec.hostAliases = {{"10.0.0.300", {"db", "DB!"}}};
            }),
            (Strings{"spec.hostAliases[0].ip: Invalid value: \"10.0.0.300\": must be a valid IP "
                     "address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                     std::string("spec.hostAliases[0].hostnames[1]: Invalid value: \"DB!\": ") +
                         kSubdomainMsg}));
}

TEST(ValidationTest, ReportsAllErrorsAtOnce) {
  Pod p;  // not defaulted: everything the defaults would fill is missing too
  Container c;
  p.spec.containers = {c};
  Strings got;
  for (const auto& e : validatePod(p)) {
    got.push_back(e.str());
  }
  EXPECT_EQ(
      got, (Strings{"metadata.name: Required value: name or generateName is required",
                    "metadata.namespace: Required value", "spec.containers[0].name: Required value",
                    "spec.containers[0].image: Required value",
                    "spec.containers[0].terminationMessagePolicy: Required value: must be "
                    "'File' or 'FallbackToLogsOnError'",
                    "spec.containers[0].imagePullPolicy: Required value",
                    "spec.restartPolicy: Required value", "spec.dnsPolicy: Required value"}));
}

}  // namespace
}  // namespace berth::api
