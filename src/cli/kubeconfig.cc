#include <fmt/format.h>

#include "base/base64.h"
#include "cli/control_plane.h"

namespace berth::cli {

std::string renderKubeconfig(const std::string& server, const std::string& caPem,
                             const std::string& token) {
  return fmt::format(
      "apiVersion: v1\n"
      "kind: Config\n"
      "clusters:\n"
      "- name: berth\n"
      "  cluster:\n"
      "    server: {}\n"
      "    certificate-authority-data: {}\n"
      "users:\n"
      "- name: berth-admin\n"
      "  user:\n"
      "    token: {}\n"
      "contexts:\n"
      "- name: berth\n"
      "  context:\n"
      "    cluster: berth\n"
      "    user: berth-admin\n"
      "    namespace: default\n"
      "current-context: berth\n",
      server, base64Encode(caPem), token);
}

}  // namespace berth::cli
