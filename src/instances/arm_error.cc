#include "instances/arm_error.h"

namespace berth::instances {

nlohmann::json ArmError::toJson() const {
  return {{"error", {{"code", code}, {"message", message}}}};
}

std::string ArmError::body() const {
  return toJson().dump();
}

}  // namespace berth::instances
