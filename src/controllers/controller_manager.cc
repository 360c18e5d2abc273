#include "controllers/controller_manager.h"

#include <spdlog/spdlog.h>

#include "controllers/containergroup_controller.h"
#include "controllers/deployment_controller.h"
#include "controllers/garbage_collector.h"
#include "controllers/hpa_controller.h"
#include "controllers/replicaset_controller.h"

namespace berth::controllers {

namespace {

// THE place where the controllers of the control plane are constructed, in start order. Each
// registers its informer handlers here, before the informers start.
std::vector<std::unique_ptr<Controller>> buildControllers(client::ApiClient& client, Clock& clock,
                                                          InformerFactory& informers,
                                                          const ControllerManagerOptions& o) {
  std::vector<std::unique_ptr<Controller>> controllers;
  controllers.push_back(
      std::make_unique<ReplicaSetController>(client, clock, informers, o.workers));
  DeploymentControllerOptions deployments;
  deployments.workers = o.workers;
  controllers.push_back(
      std::make_unique<DeploymentController>(client, informers, clock, deployments));
  controllers.push_back(
      std::make_unique<HpaController>(client, informers, clock, HpaControllerOptions{}));
  controllers.push_back(std::make_unique<GarbageCollector>(client, informers, o.workers));
  controllers.push_back(
      std::make_unique<ContainerGroupController>(client, clock, informers, o.workers));
  return controllers;
}

}  // namespace

ControllerManager::ControllerManager(client::ApiClient& client, Clock& clock,
                                     ControllerManagerOptions options)
    : client_(client), clock_(clock), options_(options), informers_(client) {
  controllers_ = buildControllers(client_, clock_, informers_, options_);
}

ControllerManager::~ControllerManager() {
  stop();
}

Status ControllerManager::start() {
  if (started_) {
    return ok();
  }
  informers_.start();
  if (!informers_.waitForSync(options_.syncTimeout)) {
    return fail(ErrorCode::kUnavailable, "controller manager: informers did not sync within {} ms",
                options_.syncTimeout.count());
  }
  for (auto& controller : controllers_) {
    controller->start();
    spdlog::info("controller manager: started controller '{}'", controller->name());
  }
  started_ = true;
  return ok();
}

void ControllerManager::stop() {
  // Controllers first (no API call after their stop()), then the watches feeding them.
  for (auto it = controllers_.rbegin(); it != controllers_.rend(); ++it) {
    (*it)->stop();
  }
  informers_.stop();
  started_ = false;
}

}  // namespace berth::controllers
