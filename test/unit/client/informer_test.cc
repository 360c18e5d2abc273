#include "client/informer.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <thread>

#include "fake_api.h"

namespace berth::client {
namespace {

using namespace std::chrono_literals;
using testing::FakeApi;
using testing::pod;

// Records handler calls as "add ns/name", "update ns/name old->new", "delete ns/name".
class Recorder {
 public:
  InformerHandler handler() {
    return {
        .onAdd = [this](const json& o) { push("add " + Informer::keyOf(o)); },
        .onUpdate =
            [this](const json& oldObject, const json& newObject) {
              push("update " + Informer::keyOf(newObject) + " " + oldObject["spec"].value("v", "") +
                   "->" + newObject["spec"].value("v", ""));
            },
        .onDelete = [this](const json& o) { push("delete " + Informer::keyOf(o)); },
    };
  }

  // Waits until `n` calls were recorded; returns them all.
  std::vector<std::string> waitFor(size_t n, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return calls_.size() >= n; });
    return calls_;
  }
  std::vector<std::string> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  void clear() {
    std::lock_guard lock(mu_);
    calls_.clear();
  }
  std::thread::id thread() {
    std::lock_guard lock(mu_);
    return thread_;
  }
  bool sameThread() {
    std::lock_guard lock(mu_);
    return sameThread_;
  }

 private:
  void push(std::string call) {
    std::lock_guard lock(mu_);
    if (calls_.empty() && thread_ == std::thread::id()) {
      thread_ = std::this_thread::get_id();
    }
    sameThread_ = sameThread_ && thread_ == std::this_thread::get_id();
    calls_.push_back(std::move(call));
    cv_.notify_all();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> calls_;
  std::thread::id thread_;
  bool sameThread_ = true;
};

json podV(const std::string& ns, const std::string& name, const std::string& v) {
  return pod(ns, name, {{"v", v}});
}

// Waits until `pred` holds (polling), up to 5 s.
template <typename Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 500; ++i) {
    if (pred()) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

TEST(InformerTest, ListsPagesThenWatches) {
  FakeApi api;
  api.setMaxPage(2);  // three pods: two pages
  api.put(podV("default", "a", "1"));
  api.put(podV("default", "b", "1"));
  api.put(podV("kube-system", "c", "1"));
  ApiClient client(api.config());
  Informer informer(client, Resource::pods(), {.fieldSelector = "spec.nodeName=n1"});
  Recorder rec;
  informer.addHandler(rec.handler());
  EXPECT_FALSE(informer.hasSynced());
  informer.start();
  informer.start();  // idempotent
  ASSERT_TRUE(informer.waitForSync(5s));
  EXPECT_EQ(rec.waitFor(3),
            (std::vector<std::string>{"add default/a", "add default/b", "add kube-system/c"}));
  auto lists = api.listRequests();
  ASSERT_EQ(lists.size(), 2u);
  EXPECT_EQ(lists[0].query.get("fieldSelector").value_or(""), "spec.nodeName=n1");
  EXPECT_FALSE(lists[0].query.has("continue"));
  EXPECT_EQ(lists[1].query.get("continue").value_or(""), "2");
  EXPECT_EQ(informer.list().size(), 3u);
  ASSERT_TRUE(informer.get("default/a"));
  EXPECT_EQ((*informer.get("default/a"))["spec"]["v"], "1");
  EXPECT_FALSE(informer.get("default/zz"));

  // The watch starts from the list's resource version (103) with bookmarks.
  ASSERT_TRUE(eventually([&] { return api.openWatches() == 1; }));
  EXPECT_EQ(api.watchResourceVersions(), (std::vector<std::string>{"103"}));

  api.put(podV("default", "d", "1"));
  api.put(podV("default", "a", "2"));
  api.remove("default/b");
  EXPECT_EQ(rec.waitFor(6), (std::vector<std::string>{
                                "add default/a", "add default/b", "add kube-system/c",
                                "add default/d", "update default/a 1->2", "delete default/b"}));
  EXPECT_TRUE(rec.sameThread());
  EXPECT_NE(rec.thread(), std::this_thread::get_id());
  EXPECT_EQ((*informer.get("default/a"))["spec"]["v"], "2");
  EXPECT_FALSE(informer.get("default/b"));
  EXPECT_EQ(informer.list().size(), 3u);
}

TEST(InformerTest, WaitForSyncTimesOutWithoutServer) {
  ClientConfig config;
  {
    FakeApi api;
    config = api.config();
  }
  ApiClient client(config);
  Informer informer(client, Resource::pods());
  informer.start();
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(informer.waitForSync(300ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  EXPECT_FALSE(informer.hasSynced());
  start = std::chrono::steady_clock::now();
  informer.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

// The server forgets history while the watch is down: the informer relists and reports the
// difference (what changed, appeared and vanished meanwhile), then watches from the new RV.
TEST(InformerTest, RelistsAfterGoneAndReportsTheDifference) {
  FakeApi api;
  api.put(podV("default", "keep", "1"));
  api.put(podV("default", "change", "1"));
  api.put(podV("default", "vanish", "1"));
  ApiClient client(api.config());
  Informer informer(client, Resource::pods("default"));
  Recorder rec;
  informer.addHandler(rec.handler());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(5s));
  ASSERT_EQ(rec.waitFor(3).size(), 3u);
  ASSERT_TRUE(eventually([&] { return api.openWatches() == 1; }));
  rec.clear();

  // Changes the watch never reports, then an ERROR 410 on the open watch.
  api.put(podV("default", "change", "2"), /*quietly=*/true);
  api.remove("default/vanish", /*quietly=*/true);
  api.put(podV("default", "new", "1"), /*quietly=*/true);
  api.compact();
  api.expireWatches();

  auto calls = rec.waitFor(3);
  std::sort(calls.begin(), calls.end());
  EXPECT_EQ(calls, (std::vector<std::string>{"add default/new", "delete default/vanish",
                                             "update default/change 1->2"}));
  EXPECT_EQ(api.listRequests().size(), 2u);
  ASSERT_TRUE(eventually([&] { return api.watchResourceVersions().size() == 2; }));
  EXPECT_EQ(api.watchResourceVersions()[1], "106");  // the relist's RV
  EXPECT_FALSE(informer.get("default/vanish"));
  EXPECT_EQ((*informer.get("default/change"))["spec"]["v"], "2");

  // And it keeps watching.
  api.put(podV("default", "later", "1"));
  EXPECT_EQ(rec.waitFor(4).back(), "add default/later");
}

// A watch from a compacted RV answered with a 410 reply (not an event) also relists.
TEST(InformerTest, RelistsWhenRewatchIsGone) {
  FakeApi api;
  api.put(podV("default", "a", "1"));
  ApiClient client(api.config());
  Informer informer(client, Resource::pods("default"));
  Recorder rec;
  informer.addHandler(rec.handler());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(5s));
  ASSERT_TRUE(eventually([&] { return api.openWatches() == 1; }));
  rec.clear();
  api.remove("default/a", /*quietly=*/true);
  api.compact();
  api.dropWatches();  // the re-watch from 101 gets 410
  EXPECT_EQ(rec.waitFor(1), (std::vector<std::string>{"delete default/a"}));
  EXPECT_TRUE(eventually([&] { return api.listRequests().size() == 2; }));
}

// A cut connection: the informer re-watches from the last RV it saw (a bookmark's), and the
// events meanwhile arrive through the new watch without a relist.
TEST(InformerTest, RewatchesFromTheLastResourceVersionAfterADrop) {
  FakeApi api;
  api.put(podV("default", "a", "1"));  // 101
  ApiClient client(api.config());
  Informer informer(client, Resource::pods("default"));
  Recorder rec;
  informer.addHandler(rec.handler());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(5s));
  ASSERT_TRUE(eventually([&] { return api.openWatches() == 1; }));
  api.put(podV("default", "a", "2"));  // 102
  ASSERT_EQ(rec.waitFor(2).size(), 2u);
  int64_t bookmark = api.bookmark();  // 103: no change, but the RV advances
  EXPECT_EQ(bookmark, 103);
  std::this_thread::sleep_for(100ms);  // let the bookmark arrive
  api.dropWatches();
  api.put(podV("default", "b", "1"), false);  // 104, while (or just after) the watch is down

  EXPECT_EQ(rec.waitFor(3),
            (std::vector<std::string>{"add default/a", "update default/a 1->2", "add default/b"}));
  auto rvs = api.watchResourceVersions();
  ASSERT_GE(rvs.size(), 2u);
  EXPECT_EQ(rvs[0], "101");
  EXPECT_EQ(rvs[1], "103");
  EXPECT_EQ(api.listRequests().size(), 1u);  // no relist
}

TEST(InformerTest, StopIsPromptAndFinal) {
  FakeApi api;
  api.put(podV("default", "a", "1"));
  ApiClient client(api.config());
  Recorder rec;
  auto informer = std::make_unique<Informer>(client, Resource::pods("default"));
  informer->addHandler(rec.handler());
  informer->start();
  ASSERT_TRUE(informer->waitForSync(5s));
  ASSERT_TRUE(eventually([&] { return api.openWatches() == 1; }));
  auto start = std::chrono::steady_clock::now();
  informer->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  informer->stop();  // idempotent
  api.put(podV("default", "b", "1"));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(rec.calls().size(), 1u);  // nothing after stop()
  EXPECT_TRUE(eventually([&] { return api.openWatches() == 0; }));
  informer.reset();
}

}  // namespace
}  // namespace berth::client
