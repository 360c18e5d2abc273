#pragma once

// Kubernetes' string-format checks (k8s.io/apimachinery/pkg/util/validation). Each returns the
// list of problems, worded exactly as Kubernetes words them; empty means valid. Pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace berth::api {

// RFC 1123 label: at most 63 of [a-z0-9-], alphanumeric at both ends.
std::vector<std::string> isDns1123Label(std::string_view value);
// RFC 1123 subdomain: at most 253 chars, dot-separated labels.
std::vector<std::string> isDns1123Subdomain(std::string_view value);
// Label/annotation key: optional DNS subdomain prefix and '/', then a name of at most 63 of
// [A-Za-z0-9-_.] with alphanumeric ends.
std::vector<std::string> isQualifiedName(std::string_view value);
// Label value: empty, or at most 63 of [A-Za-z0-9-_.] with alphanumeric ends.
std::vector<std::string> isValidLabelValue(std::string_view value);
// IANA service name (port names): at most 15 of [a-z0-9-], a letter, no "--", no '-' at ends.
std::vector<std::string> isValidPortName(std::string_view value);
// 1..65535.
std::vector<std::string> isValidPortNum(int64_t port);
// Environment variable name: [-._a-zA-Z][-._a-zA-Z0-9]*, not "." / ".." / starting with "..".
std::vector<std::string> isEnvVarName(std::string_view value);
// ConfigMap/Secret key: at most 253 of [-._a-zA-Z0-9], not "." / ".." / starting with "..".
std::vector<std::string> isConfigMapKey(std::string_view value);
// 0..2147483647.
std::vector<std::string> isValidUserId(int64_t id);
std::vector<std::string> isValidGroupId(int64_t id);
// A textual IPv4 or IPv6 address.
std::vector<std::string> isValidIp(std::string_view value);

}  // namespace berth::api
