#include "agent/config_sources.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "agent/container_builder.h"
#include "agent/pod_files.h"
#include "base/files.h"
#include "base/random.h"

namespace berth::agent {
namespace {

namespace fs = std::filesystem;

// ConfigMaps and Secrets by "namespace/name"; counts the look-ups.
class FakeResolver final : public ObjectResolver {
 public:
  std::map<std::string, ObjectData> configMaps;
  std::map<std::string, ObjectData> secrets;
  int calls = 0;
  bool unavailable = false;

  Result<ObjectData> configMap(const std::string& ns, const std::string& name) override {
    return find(configMaps, ns, name);
  }
  Result<ObjectData> secret(const std::string& ns, const std::string& name) override {
    return find(secrets, ns, name);
  }

 private:
  Result<ObjectData> find(const std::map<std::string, ObjectData>& m, const std::string& ns,
                          const std::string& name) {
    calls++;
    if (unavailable) {
      return fail(ErrorCode::kUnavailable, "connection refused");
    }
    auto it = m.find(ns + "/" + name);
    if (it == m.end()) {
      return fail(ErrorCode::kNotFound, "configmaps \"{}\" not found", name);
    }
    return it->second;
  }
};

api::EnvVar keyRef(const std::string& name, bool secret, const std::string& object,
                   const std::string& key, bool optional = false) {
  api::EnvVar e;
  e.name = name;
  e.valueFrom.emplace();
  api::KeySelector sel{object, key, optional};
  if (secret) {
    e.valueFrom->secretKeyRef = sel;
  } else {
    e.valueFrom->configMapKeyRef = sel;
  }
  return e;
}

class ConfigSourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pod_.metadata.name = "web";
    pod_.metadata.namespace_ = "shop";
    pod_.metadata.uid = "uid-1";
    container_.name = "app";
    resolver_.configMaps["shop/settings"] = {{"MODE", "fast"}, {"LEVEL", "3"}};
    resolver_.secrets["shop/db"] = {{"password", "s3cret!"}, {"user", "admin"}};
    dir_ = fs::temp_directory_path() / ("berth-config-test-" + randomHex(6));
  }
  void TearDown() override { (void)files::removeAll(dir_); }

  api::Pod pod_;
  api::Container container_;
  FakeResolver resolver_;
  fs::path dir_;
};

TEST_F(ConfigSourcesTest, ResolvesKeyRefsByEnvIndex) {
  container_.env = {keyRef("MODE", false, "settings", "MODE"),
                    keyRef("DB_PASSWORD", true, "db", "password"),
                    keyRef("MAYBE", false, "absent", "x", true)};
  ASSERT_TRUE(needsObjects(container_));
  auto env = resolveEnv(pod_, container_, resolver_);
  ASSERT_TRUE(env) << env.error().message();
  EXPECT_EQ(env->refs.at(0), "fast");
  EXPECT_EQ(env->refs.at(1), "s3cret!");
  EXPECT_EQ(env->refs.count(2), 0u);  // optional and missing: unset
}

TEST_F(ConfigSourcesTest, MissingObjectsAndKeysUseKubeletMessages) {
  container_.env = {keyRef("X", false, "nope", "x")};
  auto env = resolveEnv(pod_, container_, resolver_);
  ASSERT_FALSE(env);
  EXPECT_EQ(env.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(env.error().message(), "configmap \"nope\" not found");

  container_.env = {keyRef("X", true, "nope", "x")};
  env = resolveEnv(pod_, container_, resolver_);
  ASSERT_FALSE(env);
  EXPECT_EQ(env.error().message(), "secret \"nope\" not found");

  container_.env = {keyRef("X", false, "settings", "missing")};
  env = resolveEnv(pod_, container_, resolver_);
  ASSERT_FALSE(env);
  EXPECT_EQ(env.error().message(), "couldn't find key missing in ConfigMap shop/settings");

  container_.env = {keyRef("X", true, "db", "missing")};
  env = resolveEnv(pod_, container_, resolver_);
  ASSERT_FALSE(env);
  EXPECT_EQ(env.error().message(), "couldn't find key missing in Secret shop/db");
  // No value of the secret in any message.
  EXPECT_EQ(env.error().message().find("s3cret"), std::string::npos);

  container_.env = {keyRef("X", false, "settings", "missing", true)};
  env = resolveEnv(pod_, container_, resolver_);
  ASSERT_TRUE(env);
  EXPECT_TRUE(env->refs.empty());
}

TEST_F(ConfigSourcesTest, UnreachableServerIsNotNotFound) {
  resolver_.unavailable = true;
  container_.env = {keyRef("X", false, "settings", "MODE", true)};
  auto env = resolveEnv(pod_, container_, resolver_);
  ASSERT_FALSE(env);  // optional only covers absence
  EXPECT_EQ(env.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(env.error().message(), "get configmap \"settings\": connection refused");
}

TEST_F(ConfigSourcesTest, EnvFromWithPrefixSkipsInvalidNamesAndFetchesOnce) {
  resolver_.configMaps["shop/settings"]["bad key"] = "x";
  api::EnvFromSource cm;
  cm.prefix = "APP_";
  cm.configMapRef = api::EnvFromRef{"settings", false};
  api::EnvFromSource sec;
  sec.secretRef = api::EnvFromRef{"db", false};
  api::EnvFromSource optional;
  optional.secretRef = api::EnvFromRef{"absent", true};
  container_.envFrom = {cm, sec, optional};
  container_.env = {keyRef("MODE", false, "settings", "MODE")};
  auto env = resolveEnv(pod_, container_, resolver_);
  ASSERT_TRUE(env) << env.error().message();
  using KV = std::pair<std::string, std::string>;
  std::vector<KV> want = {
      {"APP_LEVEL", "3"}, {"APP_MODE", "fast"}, {"password", "s3cret!"}, {"user", "admin"}};
  EXPECT_EQ(env->fromSources, want);
  EXPECT_EQ(env->invalidKeys, std::vector<std::string>{"APP_bad key"});
  EXPECT_EQ(resolver_.calls, 3);  // settings, db, absent: settings only once

  api::EnvFromSource missing;
  missing.configMapRef = api::EnvFromRef{"gone", false};
  container_.envFrom = {missing};
  auto failed = resolveEnv(pod_, container_, resolver_);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message(), "configmap \"gone\" not found");
}

TEST_F(ConfigSourcesTest, BuilderAppliesEnvFromThenEnv) {
  image::ImageConfig image;
  image.entrypoint = {"/bin/sh"};
  image.env = {"MODE=image", "KEEP=1"};
  api::EnvFromSource cm;
  cm.configMapRef = api::EnvFromRef{"settings", false};
  container_.envFrom = {cm};
  api::EnvVar literal;
  literal.name = "LEVEL";
  literal.value = "from-env-$(MODE)";
  container_.env = {keyRef("PASS", true, "db", "password"), literal,
                    keyRef("OPT", true, "db", "nokey", true)};
  auto resolved = resolveEnv(pod_, container_, resolver_);
  ASSERT_TRUE(resolved);
  BuildInputs in;
  in.pod = &pod_;
  in.container = &container_;
  in.imageConfig = &image;
  in.resolvedEnv = &*resolved;
  auto spec = buildContainerSpec(in);
  ASSERT_TRUE(spec) << spec.error().message();
  auto has = [&](const std::string& kv) {
    return std::find(spec->env.begin(), spec->env.end(), kv) != spec->env.end();
  };
  EXPECT_TRUE(has("MODE=fast"));  // envFrom overrides the image
  EXPECT_TRUE(has("KEEP=1"));
  EXPECT_TRUE(has("PASS=s3cret!"));
  EXPECT_TRUE(has("LEVEL=from-env-fast"));  // env overrides envFrom, $(VAR) sees envFrom
  EXPECT_FALSE(std::any_of(spec->env.begin(), spec->env.end(),
                           [](const std::string& kv) { return kv.rfind("OPT=", 0) == 0; }));

  // Without a control plane, references are an error (static pods).
  in.resolvedEnv = nullptr;
  auto none = buildContainerSpec(in);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "envFrom needs a control plane");
}

int modeOf(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 07777) : -1;
}

TEST_F(ConfigSourcesTest, VolumeWithAllKeysUsesDefaultMode) {
  api::Volume v;
  v.name = "cfg";
  v.configMap.emplace();
  v.configMap->name = "settings";
  v.configMap->defaultMode = 0440;
  auto files = projectVolume(pod_, v, resolver_);
  ASSERT_TRUE(files) << files.error().message();
  ASSERT_EQ(files->size(), 2u);
  ASSERT_TRUE(writeVolumeFiles(dir_, *files));
  EXPECT_EQ(*files::read(dir_ / "MODE"), "fast");
  EXPECT_EQ(*files::read(dir_ / "LEVEL"), "3");
  EXPECT_EQ(modeOf(dir_ / "MODE"), 0440);
}

TEST_F(ConfigSourcesTest, VolumeItemsPickKeysPathsAndModes) {
  api::Volume v;
  v.name = "creds";
  v.secret.emplace();
  v.secret->secretName = "db";
  v.secret->items = {{"password", "conf/db/pass", 0400}, {"user", "user.txt", std::nullopt}};
  auto files = projectVolume(pod_, v, resolver_);
  ASSERT_TRUE(files) << files.error().message();
  ASSERT_TRUE(writeVolumeFiles(dir_, *files));
  EXPECT_EQ(*files::read(dir_ / "conf/db/pass"), "s3cret!");
  EXPECT_EQ(modeOf(dir_ / "conf/db/pass"), 0400);
  EXPECT_EQ(*files::read(dir_ / "user.txt"), "admin");
  EXPECT_EQ(modeOf(dir_ / "user.txt"), 0644);  // the default defaultMode
  EXPECT_FALSE(files::exists(dir_ / "password"));
  EXPECT_FALSE(files::exists(dir_ / "user"));

  // A second projection replaces the first.
  v.secret->items = {{"user", "only", std::nullopt}};
  files = projectVolume(pod_, v, resolver_);
  ASSERT_TRUE(files);
  ASSERT_TRUE(writeVolumeFiles(dir_, *files));
  EXPECT_TRUE(files::exists(dir_ / "only"));
  EXPECT_FALSE(files::exists(dir_ / "conf"));
}

TEST_F(ConfigSourcesTest, VolumeErrors) {
  api::Volume v;
  v.name = "cfg";
  v.configMap.emplace();
  v.configMap->name = "gone";
  auto files = projectVolume(pod_, v, resolver_);
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().message(), "configmap \"gone\" not found");

  v.configMap->optional = true;
  files = projectVolume(pod_, v, resolver_);
  ASSERT_TRUE(files);
  EXPECT_TRUE(files->empty());

  v.configMap->name = "settings";
  v.configMap->optional = false;
  v.configMap->items = {{"nokey", "x", std::nullopt}};
  files = projectVolume(pod_, v, resolver_);
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().message(), "configmap references non-existent config key: nokey");

  v.configMap->items = {{"MODE", "../escape", std::nullopt}};
  files = projectVolume(pod_, v, resolver_);
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().code(), ErrorCode::kInvalidArgument);

  api::Volume s;
  s.name = "sec";
  s.secret.emplace();
  s.secret->secretName = "db";
  s.secret->items = {{"nokey", "x", std::nullopt}};
  files = projectVolume(pod_, s, resolver_);
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().message(), "secret references non-existent secret key: nokey");
}

TEST_F(ConfigSourcesTest, PrepareVolumesWritesConfigMapsAndNamesTheFailedVolume) {
  api::Volume ok;
  ok.name = "cfg";
  ok.configMap.emplace();
  ok.configMap->name = "settings";
  pod_.spec.volumes = {ok};
  auto volumes = prepareVolumes(dir_, pod_, &resolver_);
  ASSERT_TRUE(volumes) << volumes.error().message();
  EXPECT_EQ(volumes->at("cfg"), dir_ / "volumes" / "cfg");
  EXPECT_EQ(*files::read(dir_ / "volumes/cfg/MODE"), "fast");

  api::Volume bad;
  bad.name = "missing";
  bad.configMap.emplace();
  bad.configMap->name = "gone";
  pod_.spec.volumes = {ok, bad};
  std::string failed;
  volumes = prepareVolumes(dir_, pod_, &resolver_, &failed);
  ASSERT_FALSE(volumes);
  EXPECT_EQ(failed, "missing");
  EXPECT_EQ(volumes.error().message(), "configmap \"gone\" not found");

  // Static pods have no resolver.
  volumes = prepareVolumes(dir_, pod_, nullptr, &failed);
  ASSERT_FALSE(volumes);
  EXPECT_EQ(failed, "cfg");
  EXPECT_EQ(volumes.error().message(),
            "volume 'cfg': configMap and secret volumes need a control plane");
  ASSERT_TRUE(cleanupVolumes(dir_));
}

}  // namespace
}  // namespace berth::agent
