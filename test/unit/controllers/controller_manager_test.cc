// ControllerManager and InformerFactory without a server.

#include "controllers/controller_manager.h"

#include <gtest/gtest.h>

namespace berth::controllers {
namespace {

using namespace std::chrono_literals;

TEST(InformerFactoryTest, SharesOneInformerPerResource) {
  client::ApiClient client({.server = "https://127.0.0.1:1"});
  InformerFactory informers(client);
  client::Informer& a = informers.informer(client::Resource::pods("default"));
  client::Informer& b = informers.informer(client::Resource::pods("other"));
  client::Informer& c = informers.informer(client::Resource::replicaSets());
  EXPECT_EQ(&a, &b);  // the namespace is ignored: all namespaces
  EXPECT_NE(&a, &c);
}

TEST(ControllerManagerTest, StartFailsWhenTheInformersCannotSync) {
  // Nothing listens on port 1: the lists fail and are retried until the timeout.
  client::ApiClient client({.server = "https://127.0.0.1:1", .timeout = 200ms});
  RealClock clock;
  ControllerManager manager(client, clock, {.workers = 1, .syncTimeout = 300ms});
  auto started = manager.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code(), ErrorCode::kUnavailable);
  manager.stop();
}

}  // namespace
}  // namespace berth::controllers
