#include "cli/control_plane.h"

#include <spdlog/spdlog.h>

#include "base/files.h"
#include "client/api_client.h"
#include "controllers/controller_manager.h"
#include "scheduler/scheduler.h"

namespace berth::cli {

ControlPlane::ControlPlane(apiserver::ApiServerOptions options, bool runControllers)
    : options_(std::move(options)), runControllers_(runControllers) {}

ControlPlane::~ControlPlane() {
  stop();
}

std::filesystem::path ControlPlane::kubeconfigPath() const {
  return options_.dataDir / "kubeconfig";
}

Status ControlPlane::start() {
  api_ = std::make_unique<apiserver::ApiServer>(options_, clock_);
  BERTH_TRY_STATUS(api_->start());
  BERTH_ASSIGN_OR_RETURN(auto caPem, files::read(api_->caFile()));
  BERTH_TRY_STATUS(files::writeAtomic(
      kubeconfigPath(), renderKubeconfig(api_->url(), caPem, api_->adminToken()), 0600));
  // The scheduler talks to the API server like any client, with a token of its own.
  BERTH_ASSIGN_OR_RETURN(auto token, api_->tokenFor("system:kube-scheduler", {"system:masters"}));
  client::ClientConfig config;
  config.server = api_->url();
  config.caData = caPem;
  config.token = token;
  config.userAgent = "berth-scheduler";
  client_ = std::make_shared<client::ApiClient>(config);
  scheduler_ =
      std::make_unique<scheduler::Scheduler>(*client_, scheduler::SchedulerOptions{}, clock_);
  scheduler_->start();
  if (!runControllers_) {
    return ok();
  }
  // The controllers (kube-controller-manager's role), also as a client of their own.
  BERTH_ASSIGN_OR_RETURN(auto controllerToken,
                         api_->tokenFor("system:kube-controller-manager", {"system:masters"}));
  client::ClientConfig controllerConfig = config;
  controllerConfig.token = controllerToken;
  controllerConfig.userAgent = "berth-controller-manager";
  controllerClient_ = std::make_shared<client::ApiClient>(controllerConfig);
  controllers_ = std::make_unique<controllers::ControllerManager>(
      *controllerClient_, clock_, controllers::ControllerManagerOptions{});
  BERTH_TRY_STATUS(controllers_->start());
  return ok();
}

void ControlPlane::stop() {
  if (controllers_) {
    controllers_->stop();
    controllers_.reset();
  }
  if (scheduler_) {
    scheduler_->stop();
    scheduler_.reset();
  }
  if (api_) {
    api_->stop();
  }
}

}  // namespace berth::cli
