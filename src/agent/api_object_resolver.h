#pragma once

// ObjectResolver backed by the API server: GETs the ConfigMap or Secret each time it is asked
// (the node identity may read those referenced by pods bound to it). Secret data and ConfigMap
// binaryData arrive base64-encoded and are decoded here.

#include <string>
#include <string_view>

#include "agent/object_resolver.h"
#include "client/api_client.h"

namespace berth::agent {

class ApiObjectResolver final : public ObjectResolver {
 public:
  // `client` must outlive the resolver.
  explicit ApiObjectResolver(client::ApiClient& client) : client_(client) {}

  Result<ObjectData> configMap(const std::string& namespace_, const std::string& name) override;
  Result<ObjectData> secret(const std::string& namespace_, const std::string& name) override;

 private:
  client::ApiClient& client_;
};

// The data of a ConfigMap (data, plus binaryData decoded) or a Secret (data decoded) object.
Result<ObjectData> configMapData(const nlohmann::json& object);
Result<ObjectData> secretData(const nlohmann::json& object);

}  // namespace berth::agent
