#pragma once

// ARM JSON <-> ContainerGroup. Pure functions, thread-safe.

#include <nlohmann/json.hpp>
#include <string>

#include "instances/arm_error.h"
#include "instances/container_group.h"

namespace berth::instances {

// Where the group lives; the request path supplies these, never the body.
struct GroupPath {
  std::string subscriptionId;
  std::string resourceGroup;
  std::string name;
};

// Decodes the body of a PUT (or a stored group, see EncodeOptions). Property names match
// case-insensitively; unknown properties are ignored; enum values (restartPolicy, osType,
// ipAddress.type, port protocols, probe schemes, sku) are normalised to their canonical case
// when they match one ("linux" -> "Linux", "Tcp" -> "TCP") and kept as written otherwise, for
// validation to refuse. ipAddress port protocols default to "TCP"; restartPolicy to "Always";
// sku to "Standard". Read-only properties (provisioningState, instanceView, ipAddress.fqdn and
// ipAddress.ip) are ignored unless `keepReadOnly` (stored groups).
// Errors are 400 InvalidRequestContent naming the JSON path:
//   a wrong JSON type:   "... 'Error converting value "x" to type 'number'. Path 'p'.'."
//   a required property: "... 'Required property 'image' not found in JSON. Path
//                        'properties.containers[0].properties'.'."
// Required: properties, properties.containers, containers[].name, containers[].properties,
// containers[].properties.image, initContainers[].name/properties/properties.image,
// ports[].port, ipAddress.ports, ipAddress.type, imageRegistryCredentials[].server,
// volumes[].name, volumeMounts[].name/mountPath, httpGet.port. Nothing else is checked here: see
// group_validation.h.
ArmResult<ContainerGroup> decodeContainerGroup(const nlohmann::json& body, const GroupPath& path,
                                               bool keepReadOnly = false);

struct EncodeOptions {
  // Include secureValue, registry passwords and secret volume contents: for the server's own
  // storage, never for a response.
  bool includeSecrets = false;
};

// Encodes the resource as GET returns it: id, name, type, location, tags (always an object),
// zones (when set) and properties with provisioningState, containers (each with its
// instanceView when known), initContainers (when any), imageRegistryCredentials (when any),
// restartPolicy, ipAddress (when set, with fqdn when known), osType, volumes (when any), sku,
// instanceView (when known). Without includeSecrets, environment variables with a secureValue
// are written as {"name": ...} only, credentials without password and secret volumes as
// {"name": ..., "secret": {}}.
// decodeContainerGroup(encodeContainerGroup(g, {true}), path(g), true) == g for every group
// that passes validateContainerGroup.
nlohmann::json encodeContainerGroup(const ContainerGroup& group, const EncodeOptions& options = {});

}  // namespace berth::instances
