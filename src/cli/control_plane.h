#pragma once

// The control plane of one process: the API server, and the scheduler and controllers that
// talk to it through the API like any client (each with a token and user agent of its own;
// stopped before the API server). `berth server` runs one; `berth up` runs one
// with a local agent. It writes DATA/kubeconfig for the admin.

#include <filesystem>
#include <memory>
#include <string>

#include "apiserver/api_server.h"
#include "base/clock.h"
#include "base/error.h"

namespace berth::scheduler {
class Scheduler;
}
namespace berth::client {
class ApiClient;
}
namespace berth::controllers {
class ControllerManager;
}

namespace berth::cli {

class ControlPlane {
 public:
  // runControllers false: the controllers run elsewhere (`berth controller-manager`).
  explicit ControlPlane(apiserver::ApiServerOptions options, bool runControllers = true);
  ~ControlPlane();

  Status start();
  void stop();

  apiserver::ApiServer& api() { return *api_; }
  std::filesystem::path kubeconfigPath() const;

 private:
  apiserver::ApiServerOptions options_;
  bool runControllers_ = true;
  RealClock clock_;
  std::unique_ptr<apiserver::ApiServer> api_;
  std::shared_ptr<client::ApiClient> client_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::shared_ptr<client::ApiClient> controllerClient_;
  std::unique_ptr<controllers::ControllerManager> controllers_;
};

// A kubeconfig for `server` verified with the CA in `caPem`, authenticated by `token`.
std::string renderKubeconfig(const std::string& server, const std::string& caPem,
                             const std::string& token);

}  // namespace berth::cli
