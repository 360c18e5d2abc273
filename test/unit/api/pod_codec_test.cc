#include "api/pod_codec.h"

#include <gtest/gtest.h>

namespace berth::api {
namespace {

using nlohmann::json;

Pod richPod() {
  Pod p;
  p.metadata.name = "web";
  p.metadata.generateName = "web-";
  p.metadata.namespace_ = "prod";
  p.metadata.uid = "1234-abcd";
  p.metadata.resourceVersion = "42";
  p.metadata.generation = 3;
  p.metadata.creationTimestamp = "2024-01-02T03:04:05Z";
  p.metadata.deletionTimestamp = "2024-01-02T03:05:05Z";
  p.metadata.deletionGracePeriodSeconds = 30;
  p.metadata.labels = {{"app", "web"}, {"tier", "front"}};
  p.metadata.annotations = {{"example.com/note", "hi"}};
  p.metadata.ownerReferences = {{"apps/v1", "ReplicaSet", "web-rs", "rs-uid", true}};
  p.metadata.finalizers = {"example.com/f"};

  Container c;
  c.name = "app";
  c.image = "127.0.0.1:5000/httpd:1";
  c.command = {"/bin/httpd"};
  c.args = {"-f", "-p", "8080"};
  c.workingDir = "/www";
  c.ports = {{"http", 8080, 18080, "TCP", "127.0.0.1"}, {"", 53, 0, "UDP", ""}};
  EnvVar plain{"MODE", "prod", std::nullopt};
  EnvVar fromCm{"CM", "", EnvVarSource{KeySelector{"cfg", "k", true}, std::nullopt, std::nullopt}};
  EnvVar fromSecret{"S", "",
                    EnvVarSource{std::nullopt, KeySelector{"sec", "pw", false}, std::nullopt}};
  EnvVar fromField{
      "POD", "",
      EnvVarSource{std::nullopt, std::nullopt, ObjectFieldSelector{"v1", "metadata.name"}}};
  c.env = {plain, fromCm, fromSecret, fromField};
  c.resources.requests = {{"cpu", "250m"}, {"memory", "64Mi"}};
  c.resources.limits = {{"cpu", "1"}, {"memory", "128Mi"}};
  c.volumeMounts = {{"data", "/data", true, "sub"}, {"cache", "/cache", false, ""}};
  Probe live;
  live.httpGet = HttpGetAction{"/healthz", "8080", "localhost", "HTTP", {{"X-A", "b"}}};
  live.initialDelaySeconds = 5;
  live.terminationGracePeriodSeconds = 7;
  c.livenessProbe = live;
  Probe ready;
  ready.tcpSocket = TcpSocketAction{"http", ""};
  c.readinessProbe = ready;
  Probe startup;
  startup.exec = ExecAction{{"cat", "/tmp/ok"}};
  startup.failureThreshold = 30;
  c.startupProbe = startup;
  c.imagePullPolicy = "IfNotPresent";
  SecurityContext sc;
  sc.runAsUser = 1000;
  sc.runAsGroup = 1000;
  sc.runAsNonRoot = true;
  sc.readOnlyRootFilesystem = true;
  sc.privileged = false;
  sc.allowPrivilegeEscalation = false;
  sc.capabilities = Capabilities{{"NET_ADMIN"}, {"ALL"}};
  sc.seccompProfile = SeccompProfile{"Localhost", "profiles/a.json"};
  c.securityContext = sc;
  c.terminationMessagePath = "/dev/termination-log";
  c.terminationMessagePolicy = "FallbackToLogsOnError";
  c.stdin = true;
  c.stdinOnce = true;
  c.tty = true;

  Container init;
  init.name = "setup";
  init.image = "busybox";
  init.command = {"sh", "-c", "true"};
  p.spec.initContainers = {init};
  p.spec.containers = {c};
  Volume data{"data", EmptyDirVolumeSource{"Memory", "1Gi"}, std::nullopt, std::nullopt,
              std::nullopt};
  Volume cache{"cache", std::nullopt, HostPathVolumeSource{"/var/cache", "DirectoryOrCreate"},
               std::nullopt, std::nullopt};
  Volume cm{"cm", std::nullopt, std::nullopt,
            ConfigMapVolumeSource{"cfg", {{"a", "a.txt", 0600}}, 0644, true}, std::nullopt};
  Volume sec{"sec", std::nullopt, std::nullopt, std::nullopt,
             SecretVolumeSource{"s", {{"b", "b.txt", std::nullopt}}, 0400, false}};
  p.spec.volumes = {data, cache, cm, sec};
  p.spec.restartPolicy = "OnFailure";
  p.spec.terminationGracePeriodSeconds = 10;
  p.spec.activeDeadlineSeconds = 600;
  p.spec.dnsPolicy = "None";
  p.spec.dnsConfig = PodDnsConfig{{"1.1.1.1"}, {"svc.local"}, {{"ndots", "2"}, {"edns0", {}}}};
  p.spec.hostAliases = {{"10.0.0.1", {"db", "db.local"}}};
  p.spec.nodeSelector = {{"disk", "ssd"}};
  p.spec.serviceAccountName = "builder";
  p.spec.nodeName = "node-1";
  p.spec.hostNetwork = false;
  p.spec.hostPID = true;
  p.spec.hostIPC = true;
  p.spec.shareProcessNamespace = false;
  p.spec.hostname = "web-0";
  p.spec.subdomain = "web";
  PodSecurityContext psc;
  psc.runAsUser = 1;
  psc.runAsGroup = 2;
  psc.runAsNonRoot = false;
  psc.fsGroup = 3;
  psc.supplementalGroups = {4, 5};
  psc.sysctls = {{"net.ipv4.ip_forward", "1"}};
  psc.seccompProfile = SeccompProfile{"RuntimeDefault", ""};
  p.spec.securityContext = psc;
  p.spec.imagePullSecrets = {{"regcred"}};
  p.spec.tolerations = {{"k", "Equal", "v", "NoExecute", 60}, {"", "Exists", "", "", {}}};
  p.spec.schedulerName = "default-scheduler";
  p.spec.priority = 100;

  PodStatus& st = p.status;
  st.phase = "Running";
  st.conditions = {{"Ready", "True", "", "", "", "2024-01-02T03:04:06Z"},
                   {"PodScheduled", "True", "R", "M", "2024-01-02T03:04:05Z", ""}};
  st.message = "msg";
  st.reason = "Reason";
  st.hostIP = "192.168.1.2";
  st.hostIPs = {{"192.168.1.2"}};
  st.podIP = "10.88.0.5";
  st.podIPs = {{"10.88.0.5"}, {"fd00::5"}};
  st.startTime = "2024-01-02T03:04:05Z";
  ContainerStatus is;
  is.name = "setup";
  is.state.terminated = ContainerStateTerminated{0, 0, "Completed", "", "t0", "t1", "berth://i"};
  is.ready = false;
  is.image = "busybox";
  is.imageID = "sha256:aa";
  is.containerID = "berth://i";
  st.initContainerStatuses = {is};
  ContainerStatus cs;
  cs.name = "app";
  cs.state.running = ContainerStateRunning{"2024-01-02T03:04:06Z"};
  cs.lastState.terminated = ContainerStateTerminated{137, 9, "OOMKilled", "boom", "a", "b", "x"};
  cs.ready = true;
  cs.restartCount = 2;
  cs.image = "127.0.0.1:5000/httpd:1";
  cs.imageID = "sha256:bb";
  cs.containerID = "berth://c";
  cs.started = true;
  ContainerStatus waiting;
  waiting.name = "other";
  waiting.state.waiting = ContainerStateWaiting{"ImagePullBackOff", "back-off pulling"};
  st.containerStatuses = {cs, waiting};
  st.qosClass = "Burstable";
  return p;
}

TEST(PodCodecTest, RoundTripsEveryField) {
  Pod p = richPod();
  json j = encodePod(p);
  auto back = decodePod(j);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == p) << "re-encoded:\n"
                          << encodePod(*back).dump(2) << "\noriginal:\n"
                          << j.dump(2);
  EXPECT_EQ(encodePod(*back), j);
  EXPECT_TRUE(unknownPodFields(j).empty()) << unknownPodFields(j).front();
}

TEST(PodCodecTest, RoundTripsThroughYamlText) {
  Pod p = richPod();
  auto docs = parseManifest(encodePod(p).dump(2));
  ASSERT_TRUE(docs);
  auto back = decodePod(docs->front());
  ASSERT_TRUE(back);
  EXPECT_TRUE(*back == p);
}

TEST(PodCodecTest, EncodesKubernetesShape) {
  Pod p = richPod();
  json j = encodePod(p);
  EXPECT_EQ(j["apiVersion"], "v1");
  EXPECT_EQ(j["kind"], "Pod");
  EXPECT_EQ(j["metadata"]["namespace"], "prod");
  const json& c = j["spec"]["containers"][0];
  EXPECT_EQ(c["ports"][0], json::parse(R"({"name":"http","containerPort":8080,"hostPort":18080,
                            "protocol":"TCP","hostIP":"127.0.0.1"})"));
  EXPECT_EQ(c["ports"][1], json::parse(R"({"containerPort":53,"protocol":"UDP"})"));
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["port"], json(8080));  // IntOrString as a number
  EXPECT_EQ(c["readinessProbe"]["tcpSocket"]["port"], json("http"));
  EXPECT_EQ(c["env"][3]["valueFrom"],
            json::parse(R"({"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}})"));
  EXPECT_EQ(j["spec"]["tolerations"][0]["operator"], "Equal");
  EXPECT_EQ(j["spec"]["tolerations"][0]["tolerationSeconds"], 60);
  EXPECT_EQ(j["spec"]["volumes"][0]["emptyDir"],
            json::parse(R"({"medium":"Memory","sizeLimit":"1Gi"})"));
  EXPECT_EQ(j["status"]["containerStatuses"][0]["state"],
            json::parse(R"({"running":{"startedAt":"2024-01-02T03:04:06Z"}})"));
  EXPECT_EQ(j["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"], 137);
  EXPECT_EQ(j["status"]["containerStatuses"][1]["state"],
            json::parse(R"({"waiting":{"reason":"ImagePullBackOff",
                                       "message":"back-off pulling"}})"));
}

TEST(PodCodecTest, EncodingOmitsEmptyFieldsButKeepsRequiredOnes) {
  Pod p;
  p.metadata.name = "x";
  Container c;
  c.name = "c";
  c.ports = {{"", 80, 0, "", ""}};
  c.volumeMounts = {{"v", "/v", false, ""}};
  p.spec.containers = {c};
  p.spec.volumes = {{"v", EmptyDirVolumeSource{}, std::nullopt, std::nullopt, std::nullopt}};
  ContainerStatus cs;
  cs.name = "c";
  p.status.containerStatuses = {cs};
  EXPECT_EQ(encodePod(p), json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "x"},
    "spec": {
      "volumes": [{"name": "v", "emptyDir": {}}],
      "containers": [{"name": "c", "ports": [{"containerPort": 80}], "resources": {},
                      "volumeMounts": [{"name": "v", "mountPath": "/v"}]}]
    },
    "status": {"containerStatuses": [{"name": "c", "state": {}, "lastState": {},
                                      "ready": false, "restartCount": 0,
                                      "image": "", "imageID": ""}]}
  })"));
  Pod empty;
  EXPECT_EQ(encodePod(empty), json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{},
                                              "spec":{"containers":[]},"status":{}})"));
}

TEST(PodCodecTest, EncodesSinglePieces) {
  ContainerState s;
  EXPECT_EQ(encodeContainerState(s), json::object());
  s.terminated = ContainerStateTerminated{1, 0, "Error", "", "a", "b", ""};
  EXPECT_EQ(encodeContainerState(s), json::parse(R"({"terminated":{"exitCode":1,"reason":"Error",
                                                      "startedAt":"a","finishedAt":"b"}})"));
  ContainerStatus cs;
  cs.name = "n";
  cs.state = s;
  EXPECT_EQ(encodeContainerStatus(cs)["state"], encodeContainerState(s));
  EXPECT_EQ(encodeContainerStatus(cs)["restartCount"], 0);
}

Result<Pod> decodeText(std::string_view text) {
  auto docs = parseManifest(text);
  EXPECT_TRUE(docs) << docs.error().message();
  return decodePod(docs->front());
}

TEST(PodCodecTest, DecodesTypicalYamlManifest) {
  auto pod = decodeText(R"(
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: app
    image: httpd:2
    ports:
    - containerPort: 80
      hostPort: 8080
    resources:
      limits: {cpu: 1, memory: 64Mi}
      requests: {cpu: 0.5}
    livenessProbe:
      httpGet: {path: /, port: 80}
    env:
    - {name: A, value: "1"}
  volumes:
  - name: scratch
    emptyDir: {}
)");
  ASSERT_TRUE(pod) << pod.error().message();
  EXPECT_EQ(pod->metadata.name, "web");
  EXPECT_EQ(pod->metadata.labels.at("app"), "web");
  const Container& c = pod->spec.containers.at(0);
  EXPECT_EQ(c.ports.at(0).containerPort, 80);
  EXPECT_EQ(c.ports.at(0).hostPort, 8080);
  EXPECT_EQ(c.resources.limits.at("cpu"), "1");  // numbers become quantity text
  EXPECT_EQ(c.resources.requests.at("cpu"), "0.5");
  EXPECT_EQ(c.livenessProbe->httpGet->port, "80");
  EXPECT_EQ(c.env.at(0).value, "1");
  ASSERT_TRUE(pod->spec.volumes.at(0).emptyDir);
  EXPECT_EQ(pod->spec.volumes.at(0).emptyDir->medium, "");
}

TEST(PodCodecTest, TypeErrorsNameTheFieldPath) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"spec":{"containers":[{"ports":[{"containerPort":"80"}]}]}})",
       R"(spec.containers[0].ports[0].containerPort: expected integer, got string "80")"},
      {R"({"spec":{"containers":[{"name":"a"},{"env":[{"name":"A","value":80}]}]}})",
       "spec.containers[1].env[0].value: expected string, got number 80"},
      {R"({"spec":{"containers":[{"env":[{"name":"A","value":true}]}]}})",
       "spec.containers[0].env[0].value: expected string, got boolean true"},
      {R"({"metadata":{"labels":{"app":1}}})",
       "metadata.labels[app]: expected string, got number 1"},
      {R"({"metadata":"x"})", R"(metadata: expected object, got string "x")"},
      {R"({"spec":{"containers":{}}})", "spec.containers: expected array, got object"},
      {R"({"spec":{"containers":["x"]}})",
       R"(spec.containers[0]: expected object, got string "x")"},
      {R"({"spec":{"containers":[{"ports":[{"containerPort":1.5}]}]}})",
       "spec.containers[0].ports[0].containerPort: expected integer, got number 1.5"},
      {R"({"spec":{"containers":[{"ports":[{"containerPort":3000000000}]}]}})",
       "spec.containers[0].ports[0].containerPort: expected 32-bit integer, got number "
       "3000000000"},
      {R"({"spec":{"hostNetwork":"true"}})",
       R"(spec.hostNetwork: expected boolean, got string "true")"},
      {R"({"spec":{"terminationGracePeriodSeconds":"30"}})",
       R"(spec.terminationGracePeriodSeconds: expected integer, got string "30")"},
      {R"({"spec":{"containers":[{"command":["a",1]}]}})",
       "spec.containers[0].command[1]: expected string, got number 1"},
      {R"({"spec":{"containers":[{"resources":{"limits":{"cpu":true}}}]}})",
       "spec.containers[0].resources.limits[cpu]: expected quantity (string or number), got "
       "boolean true"},
      {R"({"spec":{"containers":[{"livenessProbe":{"tcpSocket":{"port":[]}}}]}})",
       "spec.containers[0].livenessProbe.tcpSocket.port: expected integer or string, got array"},
      {R"({"status":{"containerStatuses":[{"state":{"terminated":{"exitCode":"1"}}}]}})",
       "status.containerStatuses[0].state.terminated.exitCode: expected integer, got string "
       "\"1\""},
  };
  for (const auto& [body, message] : cases) {
    SCOPED_TRACE(body);
    json j = json::parse(body);
    j["apiVersion"] = "v1";
    j["kind"] = "Pod";
    auto r = decodePod(j);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message(), message);
  }
}

TEST(PodCodecTest, FirstErrorInDocumentOrderWins) {
  auto r = decodePod(json::parse(R"({"apiVersion":"v1","kind":"Pod",
      "metadata":{"name":5},"spec":{"restartPolicy":1}})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "metadata.name: expected string, got number 5");
}

TEST(PodCodecTest, YamlQuotingDecidesTypes) {
  auto r = decodeText(
      "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n"
      "    ports:\n    - containerPort: \"80\"\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            R"(spec.containers[0].ports[0].containerPort: expected integer, got string "80")");
  auto yes = decodeText(
      "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n"
      "    env:\n    - name: X\n      value: yes\n");
  ASSERT_FALSE(yes);
  EXPECT_EQ(yes.error().message(),
            "spec.containers[0].env[0].value: expected string, got "
            "boolean true");
  // 80.0 from YAML is integral and accepted.
  auto f = decodeText(
      "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n"
      "    ports:\n    - containerPort: 80.0\n");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->spec.containers[0].ports[0].containerPort, 80);
}

TEST(PodCodecTest, NullsAndMissingFieldsKeepZeroValues) {
  auto r = decodePod(json::parse(R"({"apiVersion":"v1","kind":"Pod",
      "metadata":{"name":"a","labels":null},"spec":{"containers":null,
      "terminationGracePeriodSeconds":null},"status":null})"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->metadata.labels.empty());
  EXPECT_TRUE(r->spec.containers.empty());
  EXPECT_FALSE(r->spec.terminationGracePeriodSeconds);
}

TEST(PodCodecTest, KindAndApiVersionAreChecked) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"apiVersion":"v1"})", R"(kind: Required value: must be "Pod")"},
      {R"({"apiVersion":"v1","kind":""})", R"(kind: Required value: must be "Pod")"},
      {R"({"apiVersion":"v1","kind":"Service"})", R"(kind: expected "Pod", got "Service")"},
      {R"({"apiVersion":"v1","kind":7})", "kind: expected string, got number 7"},
      {R"({"kind":"Pod"})", R"(apiVersion: Required value: must be "v1")"},
      {R"({"kind":"Pod","apiVersion":"apps/v1"})", R"(apiVersion: expected "v1", got "apps/v1")"},
      {R"([1])", "expected a Pod object, got array"},
  };
  for (const auto& [body, message] : cases) {
    SCOPED_TRACE(body);
    auto r = decodePod(json::parse(body));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message(), message);
  }
}

TEST(PodCodecTest, ListsUnknownFieldsAndIgnoresThemWhenDecoding) {
  json j = json::parse(R"({"apiVersion":"v1","kind":"Pod","extra":1,
      "metadata":{"name":"a","managedFields":[],"labels":{"any":"thing"}},
      "spec":{"containers":[{"name":"c","imagee":"x","ports":[{"containerPort":1,"bogus":2}],
                             "resources":{"limits":{"example.com/gpu":"1"}}}],
              "affinity":{},
              "volumes":[{"name":"v","persistentVolumeClaim":{"claimName":"c"}}]},
      "status":{"containerStatuses":[{"name":"c","state":{"paused":{}}}]}})");
  EXPECT_EQ(unknownPodFields(j),
            (std::vector<std::string>{"extra", "spec.affinity", "spec.containers[0].imagee",
                                      "spec.containers[0].ports[0].bogus",
                                      "spec.volumes[0].persistentVolumeClaim",
                                      "status.containerStatuses[0].state.paused"}));
  auto pod = decodePod(j);
  ASSERT_TRUE(pod) << pod.error().message();
  EXPECT_EQ(pod->spec.containers[0].name, "c");
  EXPECT_TRUE(unknownPodFields(encodePod(*pod)).empty());
}

TEST(PodCodecTest, DeprecatedServiceAccountFillsServiceAccountName) {
  auto pod =
      decodePod(json::parse(R"({"apiVersion":"v1","kind":"Pod","spec":{"serviceAccount":"old"}})"));
  ASSERT_TRUE(pod);
  EXPECT_EQ(pod->spec.serviceAccountName, "old");
}

}  // namespace
}  // namespace berth::api
