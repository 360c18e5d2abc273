#include "controllers/informer_factory.h"

#include <thread>

namespace berth::controllers {

InformerFactory::InformerFactory(client::ApiClient& client) : client_(client) {}

InformerFactory::~InformerFactory() {
  stop();
}

client::Informer& InformerFactory::informer(const client::Resource& resource) {
  std::string key = resource.group + "/" + resource.version + "/" + resource.resource;
  std::lock_guard lock(mutex_);
  auto it = informers_.find(key);
  if (it != informers_.end()) {
    return *it->second;
  }
  client::Resource all = resource;
  all.namespace_.clear();
  auto informer = std::make_unique<client::Informer>(client_, std::move(all));
  client::Informer& ref = *informer;
  informers_.emplace(key, std::move(informer));
  if (started_) {
    ref.start();  // asked for late: nobody can add handlers any more, but its cache is useful
  }
  return ref;
}

void InformerFactory::start() {
  std::lock_guard lock(mutex_);
  started_ = true;
  for (auto& [key, informer] : informers_) {
    informer->start();
  }
}

bool InformerFactory::waitForSync(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<client::Informer*> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, informer] : informers_) {
      all.push_back(informer.get());
    }
  }
  for (client::Informer* informer : all) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!informer->waitForSync(std::max(left, std::chrono::milliseconds(0)))) {
      return false;
    }
  }
  return true;
}

void InformerFactory::stop() {
  std::vector<client::Informer*> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, informer] : informers_) {
      all.push_back(informer.get());
    }
  }
  // Each stop() joins its thread; informers are never removed, so the pointers stay valid.
  for (client::Informer* informer : all) {
    informer->stop();
  }
}

}  // namespace berth::controllers
