// The ContainerGroup controller's billing intervals (MeterRecords) against a real in-process API
// server. No agent and no garbage collector: the tests write pod status themselves.

#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "apiserver/api_server.h"
#include "client/api_client.h"
#include "controllers/containergroup_controller.h"
#include "controllers/containergroup_metering.h"
#include "controllers/controller_utils.h"
#include "controllers/informer_factory.h"
#include "instances/meter_record.h"
#include "instances/pod_naming.h"
#include "test_server.h"

namespace berth::controllers {
namespace {

using client::Resource;
using testing::waitFor;
using namespace std::chrono_literals;
namespace inst = berth::instances;

const std::string kSub = "11111111-2222-3333-4444-666666666666";
const std::string kRg = "Meter-RG";

class ContainerGroupMeteringTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new testing::TestApiServer("berth-cg-meter");
    ASSERT_TRUE(env_->start());
    json ns = {{"apiVersion", "v1"},
               {"kind", "Namespace"},
               {"metadata", {{"name", inst::podNamespace(kSub, kRg)}}}};
    auto created = api().create(Resource::namespaces(), ns);
    ASSERT_TRUE(created) << created.error().message();
  }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }

  void SetUp() override { startController(); }
  void TearDown() override { stopController(); }

  void startController() {
    informers_ = std::make_unique<InformerFactory>(api());
    controller_ = std::make_unique<ContainerGroupController>(api(), clock_, *informers_, 2);
    informers_->start();
    ASSERT_TRUE(informers_->waitForSync(10s));
    controller_->start();
  }
  void stopController() {
    controller_.reset();
    informers_.reset();
  }

  static client::ApiClient& api() { return env_->client(); }
  static std::string ns() { return inst::podNamespace(kSub, kRg); }

  static json createGroup(const std::string& name, const std::string& restartPolicy = "Always") {
    json containers =
        json::array({{{"name", "web"},
                      {"properties",
                       {{"image", "nginx:1.25"},
                        {"resources", {{"requests", {{"cpu", 1.5}, {"memoryInGB", 2}}}}}}}},
                     {{"name", "side"},
                      {"properties",
                       {{"image", "busybox:1"},
                        {"resources", {{"requests", {{"cpu", 0.5}, {"memoryInGB", 1}}}}}}}}});
    json arm = {
        {"location", "westeurope"},
        {"properties",
         {{"osType", "Linux"}, {"restartPolicy", restartPolicy}, {"containers", containers}}}};
    json object = {{"apiVersion", kContainerGroupApiVersion}, {"kind", kContainerGroupKind}};
    object["metadata"] = {{"name", name},
                          {"namespace", ns()},
                          {"labels", inst::groupLabels({kSub, kRg, name})},
                          {"annotations", inst::groupAnnotations({kSub, kRg, name})}};
    object["spec"] = {{"group", arm}, {"desiredState", "Running"}};
    auto created = api().create(containerGroups(ns()), object);
    EXPECT_TRUE(created) << created.error().message();
    return created ? *created : json();
  }

  static std::optional<json> pod(const std::string& name) {
    auto p = api().get(Resource::pods(ns()), name);
    if (!p || isDeleting(*p)) {
      return std::nullopt;
    }
    return *p;
  }

  // The group's records, oldest first.
  static std::vector<json> records(const std::string& name) {
    auto list = api().list(meterRecords(ns()),
                           {.labelSelector = std::string(inst::kGroupLabel) + "=" + name});
    EXPECT_TRUE(list) << list.error().message();
    std::vector<json> out;
    for (const json& item : list ? (*list)["items"] : json::array()) {
      out.push_back(item);
    }
    std::ranges::sort(out, [](const json& a, const json& b) {
      return a["spec"]["start"].get<std::string>() < b["spec"]["start"].get<std::string>();
    });
    return out;
  }

  static size_t openCount(const std::string& name) {
    size_t n = 0;
    for (const json& r : records(name)) {
      n += inst::isOpenMeterRecord(r) ? 1 : 0;
    }
    return n;
  }

  static void patchSpec(const std::string& name, const json& spec) {
    auto patched =
        api().patch(containerGroups(ns()), name, client::PatchType::kMerge, {{"spec", spec}});
    ASSERT_TRUE(patched) << patched.error().message();
  }

  static int64_t revision(const json& object) {
    return std::stoll(metaString(object, "resourceVersion"));
  }

  static inline testing::TestApiServer* env_ = nullptr;
  static inline RealClock clock_;
  std::unique_ptr<InformerFactory> informers_;
  std::unique_ptr<ContainerGroupController> controller_;
};

TEST_F(ContainerGroupMeteringTest, OpensTheIntervalBeforeThePod) {
  createGroup("m1");
  ASSERT_TRUE(waitFor([&] { return pod("m1").has_value(); }));
  auto all = records("m1");
  ASSERT_EQ(all.size(), 1u);
  const json& record = all[0];
  EXPECT_TRUE(inst::isOpenMeterRecord(record));
  // Written before the pod: an earlier store revision.
  EXPECT_LT(revision(record),
            std::stoll(metaString(*api().get(Resource::pods(ns()), "m1"), "resourceVersion")));
  EXPECT_FALSE(record["metadata"].contains("ownerReferences"));
  auto interval = inst::readMeterRecord(record);
  ASSERT_TRUE(interval) << interval.error().message();
  EXPECT_EQ(interval->subscriptionId, kSub);
  EXPECT_EQ(interval->resourceGroup, kRg);
  EXPECT_EQ(interval->containerGroup, "m1");
  EXPECT_DOUBLE_EQ(interval->vcpu, 2.0);
  EXPECT_DOUBLE_EQ(interval->memoryInGB, 3.0);
  EXPECT_EQ(record["spec"]["location"], "westeurope");
  EXPECT_NEAR(static_cast<double>(interval->start), static_cast<double>(toMillis(clock_.now())),
              10'000);
  // Later syncs (status writes) open no second one.
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(records("m1").size(), 1u);
}

TEST_F(ContainerGroupMeteringTest, RestartKeepsTheIntervalStopClosesStartOpensAnother) {
  createGroup("m2");
  ASSERT_TRUE(waitFor([&] { return pod("m2").has_value(); }));
  std::string firstPod = metaString(*pod("m2"), "uid");
  std::string firstRecord = metaString(records("m2").at(0), "name");

  patchSpec("m2", {{"restartedAt", rfc3339(clock_.now() + 1s)}});
  ASSERT_TRUE(waitFor([&] {
    auto p = pod("m2");
    return p && metaString(*p, "uid") != firstPod;
  }));
  std::this_thread::sleep_for(200ms);
  auto all = records("m2");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(metaString(all[0], "name"), firstRecord);
  EXPECT_TRUE(inst::isOpenMeterRecord(all[0]));

  // Stopped (here without the ARM layer, which closes it itself): the controller closes it.
  patchSpec("m2", {{"desiredState", "Stopped"}});
  ASSERT_TRUE(waitFor([&] { return openCount("m2") == 0; }));
  all = records("m2");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["spec"]["endReason"], "Stopped");
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(records("m2").size(), 1u);  // nothing opens while stopped

  patchSpec("m2", {{"desiredState", "Running"}});
  ASSERT_TRUE(waitFor([&] { return pod("m2").has_value(); }));
  all = records("m2");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_FALSE(inst::isOpenMeterRecord(all[0]));
  EXPECT_TRUE(inst::isOpenMeterRecord(all[1]));
  EXPECT_GE(inst::readMeterRecord(all[1])->start, *inst::readMeterRecord(all[0])->end);
}

TEST_F(ContainerGroupMeteringTest, FinishedPodEndsTheIntervalAtItsLastFinishedAt) {
  createGroup("m3", "Never");
  ASSERT_TRUE(waitFor([&] { return pod("m3").has_value(); }));
  json p = *pod("m3");
  auto start = *inst::readMeterRecord(records("m3").at(0));
  std::string early = inst::rfc3339Millis(start.start + 1500);
  std::string late = inst::rfc3339Millis(start.start + 2750);
  auto terminated = [](const std::string& name, const std::string& finishedAt) {
    return json{{"name", name},
                {"ready", false},
                {"restartCount", 0},
                {"image", "x"},
                {"imageID", ""},
                {"state", {{"terminated", {{"exitCode", 0}, {"finishedAt", finishedAt}}}}}};
  };
  p["status"]["phase"] = "Succeeded";
  p["status"]["containerStatuses"] =
      json::array({terminated("web", late), terminated("side", early)});
  auto updated = api().update(Resource::pods(ns()), p, "status");
  ASSERT_TRUE(updated) << updated.error().message();
  ASSERT_TRUE(waitFor([&] { return openCount("m3") == 0; }));
  auto all = records("m3");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["spec"]["end"], late);
  EXPECT_EQ(all[0]["spec"]["endReason"], "Finished");
  // The finished pod is kept; nothing reopens.
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(records("m3").size(), 1u);
  EXPECT_EQ(openCount("m3"), 0u);
}

TEST_F(ContainerGroupMeteringTest, DeletedGroupEndsItsInterval) {
  createGroup("m4");
  ASSERT_TRUE(waitFor([&] { return openCount("m4") == 1; }));
  auto removed = api().remove(containerGroups(ns()), "m4");
  ASSERT_TRUE(removed) << removed.error().message();
  ASSERT_TRUE(waitFor([&] { return openCount("m4") == 0; }));
  auto all = records("m4");
  ASSERT_EQ(all.size(), 1u);  // outlives the group
  EXPECT_EQ(all[0]["spec"]["endReason"], "Deleted");
}

TEST_F(ContainerGroupMeteringTest, IntervalOfAGroupDeletedWhileNoControllerRanIsClosedAtStart) {
  stopController();
  inst::MeterInterval ghost;
  ghost.subscriptionId = kSub;
  ghost.resourceGroup = kRg;
  ghost.containerGroup = "ghost";
  ghost.vcpu = 1;
  ghost.memoryInGB = 1;
  ghost.start = toMillis(clock_.now()) - 5000;
  auto created =
      api().create(meterRecords(ns()), inst::meterRecordObject(ns(), "ghost", ghost, "local"));
  ASSERT_TRUE(created) << created.error().message();
  startController();
  ASSERT_TRUE(waitFor([&] { return openCount("ghost") == 0; }));
  EXPECT_EQ(records("ghost").at(0)["spec"]["endReason"], "Deleted");
}

TEST_F(ContainerGroupMeteringTest, ClosedRecordsCannotChange) {
  inst::MeterInterval i;
  i.subscriptionId = kSub;
  i.resourceGroup = kRg;
  i.containerGroup = "frozen";
  i.vcpu = 1;
  i.memoryInGB = 1;
  i.start = toMillis(clock_.now());
  json record = inst::meterRecordObject(ns(), "frozen", i, "local");
  auto created = api().create(meterRecords(ns()), record);
  ASSERT_TRUE(created) << created.error().message();
  json changed = *created;
  changed["spec"]["vcpu"] = 4;  // resources never change on an open record either
  EXPECT_FALSE(api().update(meterRecords(ns()), changed));
  json closed = *created;
  ASSERT_TRUE(inst::closeMeterRecord(closed, i.start + 1000, inst::kMeterEndStopped));
  auto updated = api().update(meterRecords(ns()), closed);
  ASSERT_TRUE(updated) << updated.error().message();
  json again = *updated;
  again["spec"]["end"] = inst::rfc3339Millis(i.start + 9000);
  auto refused = api().update(meterRecords(ns()), again);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("closed meter record"), std::string::npos)
      << refused.error().message();
}

}  // namespace
}  // namespace berth::controllers
