#pragma once

// Runs the controllers of the control plane (kube-controller-manager's role) against the API
// server through one client: builds the shared informers, constructs each controller, starts
// the informers, waits for them to sync and starts the controllers.
//
//   ControllerManager manager(client, clock, {});
//   manager.start();   // returns once every controller runs
//   manager.stop();

#include <memory>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "client/api_client.h"
#include "controllers/controller.h"
#include "controllers/informer_factory.h"

namespace berth::controllers {

struct ControllerManagerOptions {
  // Worker threads per controller.
  int workers = 2;
  // How long start() waits for the informers' first lists.
  std::chrono::milliseconds syncTimeout{30000};
};

class ControllerManager {
 public:
  ControllerManager(client::ApiClient& client, Clock& clock, ControllerManagerOptions options);
  ~ControllerManager();  // stops

  // kUnavailable when the informers do not sync in time.
  Status start();
  void stop();

  InformerFactory& informers() { return informers_; }

 private:
  client::ApiClient& client_;
  Clock& clock_;
  ControllerManagerOptions options_;
  InformerFactory informers_;
  std::vector<std::unique_ptr<Controller>> controllers_;
  bool started_ = false;
};

}  // namespace berth::controllers
