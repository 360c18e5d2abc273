#include "scheduler/scheduler.h"

namespace berth::scheduler {

using client::Informer;
using client::Resource;
using nlohmann::json;

Scheduler::Scheduler(client::ApiClient& client, SchedulerOptions options, Clock& clock)
    : writer_(client, clock, options.instanceName),
      core_(std::make_unique<SchedulerCore>(writer_, options, clock)),
      nodes_(client, Resource::nodes()),
      pods_(client, Resource::pods()) {
  SchedulerCore* core = core_.get();
  nodes_.addHandler({
      .onAdd = [core](const json& n) { core->onNodeAdd(n); },
      .onUpdate = [core](const json& o, const json& n) { core->onNodeUpdate(o, n); },
      .onDelete = [core](const json& n) { core->onNodeDelete(n); },
  });
  pods_.addHandler({
      .onAdd = [core](const json& p) { core->onPodAdd(p); },
      .onUpdate = [core](const json& o, const json& p) { core->onPodUpdate(o, p); },
      .onDelete = [core](const json& p) { core->onPodDelete(p); },
  });
}

Scheduler::~Scheduler() {
  stop();
}

void Scheduler::start() {
  if (started_) {
    return;
  }
  started_ = true;
  nodes_.start();
  pods_.start();
  // The loop waits (in slices, so that stop() is prompt) for both first lists: scheduling
  // against a partial cache would overcommit nodes.
  core_->start([this] {
    return nodes_.waitForSync(std::chrono::milliseconds(200)) &&
           pods_.waitForSync(std::chrono::milliseconds(200));
  });
}

void Scheduler::stop() {
  core_->stop();
  nodes_.stop();
  pods_.stop();
}

bool Scheduler::hasSynced() const {
  return nodes_.hasSynced() && pods_.hasSynced();
}

}  // namespace berth::scheduler
