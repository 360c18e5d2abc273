#include <gtest/gtest.h>

#include "base/files.h"
#include "base/random.h"
#include "client/api_client.h"

namespace berth::client {
namespace {

class KubeconfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("berth-kubeconfig-test-" + randomHex(6));
    ASSERT_TRUE(files::makeDirs(dir_));
  }
  void TearDown() override { (void)files::removeAll(dir_); }

  std::filesystem::path write(const std::string& name, const std::string& content) {
    auto path = dir_ / name;
    EXPECT_TRUE(files::writeAtomic(path, content));
    return path;
  }

  // A kubeconfig with two contexts; `cluster` and `user` are the fields of the current one.
  std::string kubeconfig(const std::string& cluster, const std::string& user) {
    return "apiVersion: v1\n"
           "kind: Config\n"
           "current-context: berth\n"
           "contexts:\n"
           "- name: other\n"
           "  context: {cluster: other, user: other}\n"
           "- name: berth\n"
           "  context:\n"
           "    cluster: berth-cluster\n"
           "    user: admin\n"
           "clusters:\n"
           "- name: other\n"
           "  cluster: {server: 'https://other:6443'}\n"
           "- name: berth-cluster\n"
           "  cluster:\n" +
           cluster +
           "users:\n"
           "- name: other\n"
           "  user: {token: other-token}\n"
           "- name: admin\n"
           "  user:\n" +
           user;
  }

  std::filesystem::path dir_;
};

TEST_F(KubeconfigTest, ReadsInlineCaDataAndToken) {
  // base64("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
  auto path = write("config", kubeconfig("    server: https://127.0.0.1:6443\n"
                                         "    certificate-authority-data: LS0tLS1CRUdJTiBDRVJ"
                                         "USUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVE"
                                         "UtLS0tLQo=\n",
                                         "    token: abc.def\n"));
  auto config = loadKubeconfig(path);
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->server, "https://127.0.0.1:6443");
  EXPECT_EQ(config->caData, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  EXPECT_TRUE(config->caFile.empty());
  EXPECT_EQ(config->token, "abc.def");
  EXPECT_FALSE(config->insecure);
}

TEST_F(KubeconfigTest, ResolvesFilesRelativeToTheKubeconfig) {
  write("token", "file-token\n");
  auto path = write("config", kubeconfig("    server: https://berth:6443\n"
                                         "    certificate-authority: pki/ca.crt\n"
                                         "    insecure-skip-tls-verify: true\n",
                                         "    tokenFile: token\n"));
  auto config = loadKubeconfig(path);
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->caFile, dir_ / "pki/ca.crt");
  EXPECT_TRUE(config->caData.empty());
  EXPECT_EQ(config->token, "file-token");
  EXPECT_TRUE(config->insecure);

  path = write("config2", kubeconfig("    server: https://berth:6443\n"
                                     "    certificate-authority: /etc/berth/ca.crt\n",
                                     "    tokenFile: " + (dir_ / "token").string() + "\n"));
  config = loadKubeconfig(path);
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->caFile, "/etc/berth/ca.crt");
  EXPECT_EQ(config->token, "file-token");
}

TEST_F(KubeconfigTest, MissingPartsAreNamed) {
  struct Case {
    std::string content;
    std::string expected;  // part of the message
  };
  std::string server = "    server: https://x:6443\n";
  std::string token = "    token: t\n";
  const Case cases[] = {
      {"apiVersion: v1\nkind: Config\n", "no 'current-context'"},
      {"current-context: nope\ncontexts: []\n", "no 'contexts' entry named 'nope'"},
      {"current-context: c\ncontexts:\n- name: c\n  context: {user: u}\n",
       "context 'c' has no 'cluster'"},
      {"current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n",
       "no 'clusters' entry named 'k'"},
      {kubeconfig("    insecure-skip-tls-verify: true\n", token),
       "cluster 'berth-cluster' has no 'server'"},
      {kubeconfig(server + "    certificate-authority-data: '%%%'\n", token),
       "'certificate-authority-data' is not base64"},
      {kubeconfig(server, "    client-certificate: a.crt\n"),
       "user 'admin' has no 'token' or 'tokenFile'"},
      {kubeconfig(server, "    tokenFile: missing-token\n"), "'tokenFile'"},
      {"- just\n- a list\n", "not a kubeconfig"},
      {"current-context: [unclosed\n", "kubeconfig '"},
  };
  for (const auto& c : cases) {
    auto path = write("bad", c.content);
    auto config = loadKubeconfig(path);
    ASSERT_FALSE(config) << c.content;
    EXPECT_NE(config.error().message().find(c.expected), std::string::npos)
        << config.error().message();
    EXPECT_NE(config.error().message().find(path.string()), std::string::npos)
        << config.error().message();
  }
  write("empty-token", "\n");
  auto config = loadKubeconfig(write("bad", kubeconfig(server, "    tokenFile: empty-token\n")));
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(config.error().message().find("is empty"), std::string::npos);

  EXPECT_FALSE(loadKubeconfig(dir_ / "does-not-exist"));
}

}  // namespace
}  // namespace berth::client
