// `berth container ...` against a real `berth up` (its ARM API), as a user would run it: create
// with flags until Running and the port served on the group's IP, show, list, logs, stop/start/
// restart, export -> delete -> create -f, exec, usage, and refused input that creates nothing.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/files.h"
#include "base/process.h"
#include "base/random.h"
#include "http/client.h"
#include "support/up_cluster.h"

namespace berth {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ContainerCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new testing::UpCluster();
    auto started = cluster_->start();
    if (!started) {
      startError_ = started.message();
    }
  }
  // Deletes the groups a test left (even a failed one) and waits for their pods to go, so that
  // the cluster stops with no containers running.
  static void TearDownTestSuite() {
    if (startError_.empty()) {
      for (const auto& g : parsed(berth({"list"}))) {
        std::string id = g.value("id", "");
        auto rg = id.substr(id.find("/resourceGroups/") + 16);
        rg = rg.substr(0, rg.find('/'));
        berth({"delete", "-g", rg, "-n", g.value("name", ""), "--yes"});
      }
      EXPECT_TRUE(testing::eventually(
          [] {
            return cluster_->kubectl({"get", "pods", "-A", "-o", "name"}).out.empty();
          },
          120s))
          << cluster_->kubectl({"get", "pods", "-A"}).out;
    }
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(startError_.empty()) << startError_; }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "berth up log (tail):\n"
                << cluster_->log().substr(
                       cluster_->log().size() > 20000 ? cluster_->log().size() - 20000 : 0)
                << "\n";
    }
  }

  // Runs `berth container <verb> <args...> --kubeconfig K`.
  static process::Outcome berth(std::vector<std::string> args,
                                std::optional<std::string> input = std::nullopt) {
    std::vector<std::string> argv = {std::string(BERTH_BINARY_DIR) + "/berth", "container"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--kubeconfig");
    argv.push_back(cluster_->process().kubeconfig().string());
    process::Options options;
    options.input = std::move(input);
    options.timeout = std::chrono::seconds(240);
    auto outcome = process::run(argv, options);
    if (!outcome) {
      ADD_FAILURE() << "berth did not run: " << outcome.error().message();
      return {};
    }
    return *outcome;
  }
  static json parsed(const process::Outcome& o) { return json::parse(o.out, nullptr, false); }

  static std::string httpGet(const std::string& url) {
    http::ClientOptions options;
    options.timeout = 2s;
    auto reply = http::httpRequest("GET", url, "", options);
    return reply && reply->status == 200 ? reply->body : "";
  }
  static std::string state(const json& group) {
    return group.value("properties", json::object())
        .value("instanceView", json::object())
        .value("state", "");
  }
  static int freePort() {
    return 20000 + static_cast<int>(std::stoul(randomHex(2), nullptr, 16) * 40 % 20000);
  }
  static std::string stateOf(const std::string& rg, const std::string& name) {
    return state(parsed(berth({"show", "-g", rg, "-n", name})));
  }

  static testing::UpCluster* cluster_;
  static std::string startError_;
};

testing::UpCluster* ContainerCliTest::cluster_ = nullptr;
std::string ContainerCliTest::startError_;

#define EXPECT_RAN(outcome) \
  EXPECT_TRUE((outcome).succeeded()) << "exit " << (outcome).exitCode << ": " << (outcome).err

TEST_F(ContainerCliTest, CreateShowListLogsStopStartExportDelete) {
  int port = freePort();
  std::string command =
      fmt::format("/bin/sh -c 'echo started-up; exec /bin/httpd -f -p {} -h /www'", port);
  auto created = berth({"create",
                        "-g",
                        "Demo-RG",
                        "-n",
                        "web",
                        "--image",
                        cluster_->image("httpd:1"),
                        "--cpu",
                        "0.5",
                        "--memory",
                        "0.5",
                        "--ports",
                        std::to_string(port),
                        "--ip-address",
                        "Public",
                        "-e",
                        "MODE=test",
                        "--secure-environment-variables",
                        "TOKEN=s3cret-value",
                        "--command-line",
                        command});
  ASSERT_TRUE(created.succeeded()) << created.err;
  EXPECT_EQ(created.out.find("s3cret-value"), std::string::npos);
  json group = parsed(created);
  ASSERT_TRUE(group.is_object()) << created.out;
  EXPECT_EQ(group["name"], "web");
  EXPECT_EQ(group["properties"]["provisioningState"], "Succeeded") << created.out;
  EXPECT_EQ(state(group), "Running") << created.out;
  EXPECT_EQ(group["properties"]["containers"][0]["properties"]["command"],
            (json{"/bin/sh", "-c",
                  fmt::format("echo started-up; exec /bin/httpd -f -p {} -h /www", port)}));
  std::string ip = group["properties"]["ipAddress"].value("ip", "");
  ASSERT_FALSE(ip.empty()) << created.out;
  std::string url = fmt::format("http://{}:{}/", ip, port);
  EXPECT_TRUE(testing::eventually([&] { return httpGet(url) == "hello from berth\n"; }, 20s))
      << url;

  auto shown = berth({"show", "-g", "demo-rg", "-n", "web"});
  EXPECT_RAN(shown);
  EXPECT_EQ(parsed(shown)["name"], "web");
  auto table = berth({"list", "-g", "Demo-RG", "-o", "table"});
  EXPECT_RAN(table);
  EXPECT_NE(table.out.find("Name"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("web"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(fmt::format("{}:{}", ip, port)), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("0.5 core/0.5 gb"), std::string::npos) << table.out;
  auto all = berth({"list"});
  EXPECT_RAN(all);
  ASSERT_TRUE(parsed(all).is_array()) << all.out;
  EXPECT_EQ(parsed(all)[0]["name"], "web");
  auto tsv = berth({"show", "-g", "Demo-RG", "-n", "web", "-o", "tsv"});
  EXPECT_TRUE(tsv.out.starts_with("web\tDemo-RG\tRunning\t")) << tsv.out;

  EXPECT_TRUE(testing::eventually(
      [&] {
        return berth({"logs", "-g", "Demo-RG", "-n", "web"}).out.find("started-up") !=
               std::string::npos;
      },
      20s));

  EXPECT_RAN(berth({"stop", "-g", "Demo-RG", "-n", "web"}));
  EXPECT_EQ(stateOf("Demo-RG", "web"), "Stopped");
  // httpd ignores SIGTERM as PID 1: it goes at the end of the grace period.
  EXPECT_TRUE(testing::eventually([&] { return httpGet(url).empty(); }, 60s));
  EXPECT_RAN(berth({"start", "-g", "Demo-RG", "-n", "web"}));
  EXPECT_EQ(stateOf("Demo-RG", "web"), "Running");
  EXPECT_TRUE(testing::eventually([&] { return httpGet(url) == "hello from berth\n"; }, 20s));
  EXPECT_RAN(berth({"restart", "-g", "Demo-RG", "-n", "web"}));
  EXPECT_TRUE(testing::eventually([&] { return stateOf("Demo-RG", "web") == "Running"; }, 60s));

  std::string yaml = (cluster_->dir().parent_path() / ("web-" + randomHex(4) + ".yaml")).string();
  auto exported = berth({"export", "-g", "Demo-RG", "-n", "web", "-f", yaml});
  EXPECT_RAN(exported);
  auto text = files::read(yaml);
  ASSERT_TRUE(text) << exported.err;
  EXPECT_NE(text->find("name: web\n"), std::string::npos) << *text;
  EXPECT_EQ(text->find("s3cret-value"), std::string::npos) << *text;
  EXPECT_EQ(text->find("provisioningState"), std::string::npos) << *text;

  auto refused = berth({"delete", "-g", "Demo-RG", "-n", "web"});
  EXPECT_EQ(refused.exitCode, 1);
  EXPECT_NE(refused.err.find("--yes"), std::string::npos) << refused.err;
  EXPECT_RAN(berth({"delete", "-g", "Demo-RG", "-n", "web", "--yes"}));
  auto gone = berth({"show", "-g", "Demo-RG", "-n", "web"});
  EXPECT_EQ(gone.exitCode, 1);
  EXPECT_TRUE(gone.err.starts_with("error: (ResourceNotFound) ")) << gone.err;
  EXPECT_TRUE(testing::eventually([&] { return httpGet(url).empty(); }, 60s));

  // The exported file recreates the group (its secure value was not exported).
  auto recreated = berth({"create", "-g", "Demo-RG", "-f", yaml});
  EXPECT_RAN(recreated);
  EXPECT_EQ(state(parsed(recreated)), "Running") << recreated.out;
  EXPECT_TRUE(testing::eventually([&] { return httpGet(url) == "hello from berth\n"; }, 30s));
  EXPECT_RAN(berth({"delete", "-g", "Demo-RG", "-n", "web", "--yes"}));
  std::filesystem::remove(yaml);
  auto empty = berth({"list", "-g", "Demo-RG"});
  EXPECT_EQ(parsed(empty), json::array()) << empty.out;
}

TEST_F(ContainerCliTest, BadInputIsAClearErrorAndCreatesNothing) {
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  std::vector<Case> cases = {
      {{"create", "-g", "bad", "-n", "g1"}, "error: --image is required"},
      {{"create", "-g", "bad", "-n", "g2", "--image", cluster_->image("httpd:1"), "--cpu", "0"},
       "error: ("},
      {{"create", "-g", "bad", "-n", "Bad_Name!", "--image", cluster_->image("httpd:1")},
       "error: ("},
      {{"create", "-g", "bad", "-n", "g3", "--image", "x", "-e", "NOEQUALS"}, "NOEQUALS"},
      {{"create", "-g", "bad", "-f", "/nonexistent.yaml"}, "/nonexistent.yaml"},
      {{"list", "-o", "xml"}, "--output"},
  };
  for (const auto& c : cases) {
    auto out = berth(c.args);
    EXPECT_EQ(out.exitCode, 1) << fmt::format("{}", fmt::join(c.args, " ")) << ": " << out.err;
    EXPECT_NE(out.err.find(c.error), std::string::npos)
        << fmt::format("{}", fmt::join(c.args, " ")) << ": " << out.err;
    EXPECT_TRUE(out.out.empty()) << out.out;
  }
  auto list = berth({"list", "-g", "bad"});
  EXPECT_RAN(list);
  EXPECT_EQ(parsed(list), json::array()) << list.out;
}

TEST_F(ContainerCliTest, ExecRunsACommandAndReturnsItsExitCode) {
  auto created =
      berth({"create", "-g", "exec-rg", "-n", "box", "--image", cluster_->image("busybox:1"),
             "--command-line", "sleep 3600", "--ports", "80"});
  ASSERT_TRUE(created.succeeded()) << created.err;
  auto listed = berth({"exec", "-g", "exec-rg", "-n", "box", "--exec-command", "ls /bin/sh"});
  EXPECT_RAN(listed);
  EXPECT_NE(listed.out.find("/bin/sh"), std::string::npos) << listed.out;
  auto failed = berth({"exec", "-g", "exec-rg", "-n", "box", "--exec-command", "ls /nonexistent"});
  EXPECT_NE(failed.exitCode, 0);
  EXPECT_NE(failed.exitCode, -1);
  EXPECT_EQ(failed.err.find("error:"), std::string::npos) << failed.err;
  auto unknown = berth(
      {"exec", "-g", "exec-rg", "-n", "box", "--container-name", "nope", "--exec-command", "ls"});
  EXPECT_EQ(unknown.exitCode, 1);
  EXPECT_TRUE(unknown.err.starts_with("error: (")) << unknown.err;
  EXPECT_RAN(berth({"delete", "-g", "exec-rg", "-n", "box", "--yes"}));
}

TEST_F(ContainerCliTest, UsageShowsMeteredSecondsAndCost) {
  auto created =
      berth({"create", "-g", "usage-rg", "-n", "meter", "--image", cluster_->image("busybox:1"),
             "--command-line", "sleep 3600", "--cpu", "1", "--memory", "1"});
  ASSERT_TRUE(created.succeeded()) << created.err;
  std::this_thread::sleep_for(3s);
  auto usage = berth({"usage", "-g", "usage-rg", "-n", "meter"});
  EXPECT_RAN(usage);
  json u = parsed(usage);
  ASSERT_TRUE(u.is_object()) << usage.out;
  ASSERT_EQ(u["value"].size(), 1u) << usage.out;
  EXPECT_EQ(u["value"][0]["name"], "meter");
  EXPECT_GT(u["value"][0]["vcpuSeconds"].get<double>(), 0) << usage.out;
  auto table = berth({"usage", "-g", "usage-rg", "-o", "table"});
  EXPECT_RAN(table);
  EXPECT_NE(table.out.find("meter"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("total"), std::string::npos) << table.out;
  auto bad = berth({"usage", "--start", "yesterday"});
  EXPECT_EQ(bad.exitCode, 1);
  EXPECT_TRUE(bad.err.starts_with("error: (InvalidParameter)")) << bad.err;
  auto noGroup = berth({"usage", "-n", "meter"});
  EXPECT_EQ(noGroup.exitCode, 1);
  EXPECT_RAN(berth({"delete", "-g", "usage-rg", "-n", "meter", "--yes"}));
}

}  // namespace
}  // namespace berth
