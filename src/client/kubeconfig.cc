// loadKubeconfig: the current context of a kubeconfig file as a ClientConfig.

#include <yaml-cpp/yaml.h>

#include "base/base64.h"
#include "base/files.h"
#include "client/api_client.h"

namespace berth::client {

namespace {
std::string scalar(const YAML::Node& node, const char* key) {
  YAML::Node child = node[key];
  return child && child.IsScalar() ? child.as<std::string>() : "";
}

// The entry of the list `section` ("clusters") named `name`, its `field` ("cluster") map.
Result<YAML::Node> namedEntry(const YAML::Node& root, const char* section, const char* field,
                              const std::string& name) {
  YAML::Node list = root[section];
  if (list && list.IsSequence()) {
    for (const YAML::Node& entry : list) {
      if (entry.IsMap() && scalar(entry, "name") == name) {
        YAML::Node value = entry[field];
        if (!value || !value.IsMap()) {
          return fail(ErrorCode::kInvalidArgument, "'{}' entry '{}' has no '{}'", section, name,
                      field);
        }
        return value;
      }
    }
  }
  return fail(ErrorCode::kInvalidArgument, "no '{}' entry named '{}'", section, name);
}

std::filesystem::path resolve(const std::filesystem::path& dir, const std::string& file) {
  std::filesystem::path p(file);
  return p.is_absolute() ? p : dir / p;
}

Result<ClientConfig> parseKubeconfig(const YAML::Node& root, const std::filesystem::path& dir) {
  if (!root.IsMap()) {
    return fail(ErrorCode::kInvalidArgument, "not a kubeconfig (no mapping at the top)");
  }
  std::string contextName = scalar(root, "current-context");
  if (contextName.empty()) {
    return fail(ErrorCode::kInvalidArgument, "no 'current-context'");
  }
  BERTH_ASSIGN_OR_RETURN(YAML::Node context, namedEntry(root, "contexts", "context", contextName));
  std::string clusterName = scalar(context, "cluster");
  if (clusterName.empty()) {
    return fail(ErrorCode::kInvalidArgument, "context '{}' has no 'cluster'", contextName);
  }
  std::string userName = scalar(context, "user");
  if (userName.empty()) {
    return fail(ErrorCode::kInvalidArgument, "context '{}' has no 'user'", contextName);
  }
  BERTH_ASSIGN_OR_RETURN(YAML::Node cluster, namedEntry(root, "clusters", "cluster", clusterName));
  BERTH_ASSIGN_OR_RETURN(YAML::Node user, namedEntry(root, "users", "user", userName));

  ClientConfig config;
  config.server = scalar(cluster, "server");
  if (config.server.empty()) {
    return fail(ErrorCode::kInvalidArgument, "cluster '{}' has no 'server'", clusterName);
  }
  if (std::string data = scalar(cluster, "certificate-authority-data"); !data.empty()) {
    auto pem = base64Decode(data, Base64Mode::kLenient);
    if (!pem) {
      return fail(ErrorCode::kInvalidArgument,
                  "cluster '{}': 'certificate-authority-data' is not base64", clusterName);
    }
    config.caData = std::move(*pem);
  } else if (std::string file = scalar(cluster, "certificate-authority"); !file.empty()) {
    config.caFile = resolve(dir, file);
  }
  if (YAML::Node insecure = cluster["insecure-skip-tls-verify"]; insecure) {
    config.insecure = insecure.as<bool>();
  }
  if (std::string token = scalar(user, "token"); !token.empty()) {
    config.token = std::move(token);
  } else if (std::string file = scalar(user, "tokenFile"); !file.empty()) {
    auto token = files::read(resolve(dir, file));
    if (!token) {
      return fail(std::move(token.error()).wrap(fmt::format("user '{}': 'tokenFile'", userName)));
    }
    while (!token->empty() && std::isspace(static_cast<unsigned char>(token->back()))) {
      token->pop_back();
    }
    if (token->empty()) {
      return fail(ErrorCode::kInvalidArgument, "user '{}': 'tokenFile' '{}' is empty", userName,
                  file);
    }
    config.token = std::move(*token);
  } else {
    return fail(ErrorCode::kInvalidArgument,
                "user '{}' has no 'token' or 'tokenFile' (client certificates are not supported)",
                userName);
  }
  return config;
}

}  // namespace

Result<ClientConfig> loadKubeconfig(const std::filesystem::path& path) {
  BERTH_ASSIGN_OR_RETURN(std::string text, files::read(path));
  auto context = fmt::format("kubeconfig '{}'", path.string());
  try {
    auto config = parseKubeconfig(YAML::Load(text), path.parent_path());
    if (!config) {
      return fail(std::move(config.error()).wrap(context));
    }
    return config;
  } catch (const YAML::Exception& e) {
    return fail(ErrorCode::kInvalidArgument, "{}: {}", context, e.what());
  }
}

}  // namespace berth::client
