#pragma once

// One shared Informer per resource for all the controllers of a process, as client-go's
// SharedInformerFactory: the ReplicaSet, Deployment, garbage-collector and autoscaler
// controllers all watch pods, and one watch (and one cache) serves them all.
//
//   InformerFactory informers(client);
//   informers.informer(Resource{"apps", "v1", "replicasets", ""}).addHandler(...);
//   informers.start();
//   informers.waitForSync(10s);
//
// Informers are created on first request and watch all namespaces. Handlers must be added
// before start(); informer() after start() returns the running informer (its cache may be
// read, no handler added). Thread safety: informer() and the cache reads may be called from
// any thread; start()/stop() from the owner.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "client/api_client.h"
#include "client/informer.h"

namespace berth::controllers {

class InformerFactory {
 public:
  explicit InformerFactory(client::ApiClient& client);
  ~InformerFactory();  // stops

  // The informer of `resource` (its namespace_ is ignored: all namespaces).
  client::Informer& informer(const client::Resource& resource);

  // Starts every informer created so far. Idempotent.
  void start();
  // Waits until every started informer has synced; false on timeout.
  bool waitForSync(std::chrono::milliseconds timeout) const;
  void stop();

 private:
  client::ApiClient& client_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<client::Informer>> informers_;  // "group/version/res"
  bool started_ = false;
};

}  // namespace berth::controllers
