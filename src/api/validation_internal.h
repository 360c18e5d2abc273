#pragma once

// Internal to src/api: the field.Error constructors and shared pieces of Pod validation.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/pod.h"
#include "api/validation.h"

namespace berth::api::internal {

using Errors = std::vector<FieldError>;

// Go's strconv.Quote for the strings that appear in manifests.
std::string goQuote(std::string_view s);

// "path[3]" and "path[key]": field.Path Index and Key.
std::string index(const std::string& path, size_t i);
std::string key(const std::string& path, std::string_view k);

FieldError required(std::string field, std::string detail = "");
FieldError invalid(std::string field, std::string_view value, std::string detail);
FieldError invalid(std::string field, int64_t value, std::string detail);
FieldError notSupported(std::string field, std::string_view value,
                        std::initializer_list<std::string_view> supported);
FieldError duplicate(std::string field, std::string_view value);
FieldError notFound(std::string field, std::string_view value);
FieldError forbidden(std::string field, std::string detail);
FieldError tooLong(std::string field, std::string detail);

// Each message of `messages` as an Invalid error of `value` at `field`.
void addInvalid(Errors& out, const std::string& field, std::string_view value,
                const std::vector<std::string>& messages);
void addNonNegative(Errors& out, const std::string& field, int64_t value);

// ValidateLabels: keys qualified names, values label values; errors name `path` itself.
void validateLabels(const std::map<std::string, std::string>& labels, const std::string& path,
                    Errors& out);

// Per-container pieces (container_parts_validation.cc); `path` is e.g. "spec.containers[0].ports".
void validatePorts(const std::vector<ContainerPort>& ports, const std::string& path, Errors& out);
void validateEnv(const std::vector<EnvVar>& env, const std::string& path, Errors& out);
void validateEnvFrom(const std::vector<EnvFromSource>& envFrom, const std::string& path,
                     Errors& out);
void validateVolumeMounts(const std::vector<VolumeMount>& mounts,
                          const std::set<std::string>& volumes, const std::string& path,
                          Errors& out);

// Containers of spec (init and regular), including the name uniqueness across both.
void validateContainers(const PodSpec& spec, Errors& out);
void validateVolumes(const std::vector<Volume>& volumes, Errors& out);

}  // namespace berth::api::internal
