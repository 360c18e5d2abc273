#include "agent/image/manifest.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

namespace berth::image {
namespace {

using json = nlohmann::json;

Result<json> parseJson(std::string_view body, std::string_view what) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return fail(ErrorCode::kInvalidArgument, "malformed {}: not a JSON object", what);
  }
  return j;
}

std::string stringField(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> stringList(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it != j.end() && it->is_array()) {
    for (const auto& v : *it) {
      if (v.is_string()) {
        out.push_back(v.get<std::string>());
      }
    }
  }
  return out;
}

Result<Descriptor> parseDescriptor(const json& j, std::string_view what) {
  if (!j.is_object()) {
    return fail(ErrorCode::kInvalidArgument, "malformed {}: descriptor is not an object", what);
  }
  Descriptor d;
  d.mediaType = stringField(j, "mediaType");
  d.digest = stringField(j, "digest");
  if (!isValidDigest(d.digest)) {
    return fail(ErrorCode::kInvalidArgument, "malformed {}: invalid digest '{}'", what, d.digest);
  }
  if (auto it = j.find("size"); it != j.end() && it->is_number_integer()) {
    d.size = it->get<int64_t>();
  }
  if (auto it = j.find("platform"); it != j.end() && it->is_object()) {
    d.platform.os = stringField(*it, "os");
    d.platform.architecture = stringField(*it, "architecture");
    d.platform.variant = stringField(*it, "variant");
  }
  if (auto it = j.find("annotations"); it != j.end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) {
      if (v.is_string()) {
        d.annotations[k] = v.get<std::string>();
      }
    }
  }
  return d;
}

bool unpackableLayerType(std::string_view t) {
  static const std::vector<std::string_view> kTypes = {
      "application/vnd.oci.image.layer.v1.tar",
      "application/vnd.oci.image.layer.v1.tar+gzip",
      "application/vnd.oci.image.layer.v1.tar+zstd",
      "application/vnd.oci.image.layer.nondistributable.v1.tar",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
      "application/vnd.docker.image.rootfs.diff.tar",
  };
  for (auto k : kTypes) {
    if (t == k) {
      return true;
    }
  }
  return false;
}

bool knownManifestType(std::string_view t) {
  return t == kOciManifestType || t == kDockerManifestType || isIndexType(t);
}

}  // namespace

const std::vector<std::string>& manifestAcceptTypes() {
  static const std::vector<std::string> kTypes = {
      std::string(kOciManifestType), std::string(kOciIndexType), std::string(kDockerManifestType),
      std::string(kDockerManifestListType)};
  return kTypes;
}

bool isValidDigest(std::string_view digest) {
  if (digest.size() != 71 || digest.substr(0, 7) != "sha256:") {
    return false;
  }
  for (char c : digest.substr(7)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

std::string_view digestHex(std::string_view digest) {
  return digest.size() > 7 ? digest.substr(7) : std::string_view();
}

bool isIndexType(std::string_view mediaType) {
  return mediaType == kOciIndexType || mediaType == kDockerManifestListType;
}

Result<std::string> manifestMediaType(std::string_view body, std::string_view contentType) {
  std::string_view ct = contentType.substr(0, contentType.find(';'));
  while (!ct.empty() && ct.back() == ' ') {
    ct.remove_suffix(1);
  }
  if (knownManifestType(ct)) {
    return std::string(ct);
  }
  BERTH_ASSIGN_OR_RETURN(json j, parseJson(body, "manifest"));
  std::string field = stringField(j, "mediaType");
  if (knownManifestType(field)) {
    return field;
  }
  if (field.empty() && j.value("schemaVersion", 0) == 2) {
    if (j.contains("manifests")) {
      return std::string(kOciIndexType);
    }
    if (j.contains("config") && j.contains("layers")) {
      return std::string(kOciManifestType);
    }
  }
  return fail(ErrorCode::kInvalidArgument, "unsupported manifest media type '{}'",
              field.empty() ? std::string(ct) : field);
}

Result<Manifest> parseManifest(std::string_view body) {
  BERTH_ASSIGN_OR_RETURN(json j, parseJson(body, "manifest"));
  Manifest m;
  m.mediaType = stringField(j, "mediaType");
  auto config = j.find("config");
  auto layers = j.find("layers");
  if (config == j.end() || layers == j.end() || !layers->is_array()) {
    return fail(ErrorCode::kInvalidArgument, "malformed manifest: missing config or layers");
  }
  BERTH_ASSIGN_OR_RETURN(m.config, parseDescriptor(*config, "manifest config"));
  for (const auto& l : *layers) {
    BERTH_ASSIGN_OR_RETURN(Descriptor d, parseDescriptor(l, "manifest layer"));
    if (!unpackableLayerType(d.mediaType)) {
      return fail(ErrorCode::kInvalidArgument, "layer '{}' has unsupported media type '{}'",
                  d.digest, d.mediaType);
    }
    m.layers.push_back(std::move(d));
  }
  return m;
}

Result<Index> parseIndex(std::string_view body) {
  BERTH_ASSIGN_OR_RETURN(json j, parseJson(body, "index"));
  Index idx;
  idx.mediaType = stringField(j, "mediaType");
  auto manifests = j.find("manifests");
  if (manifests == j.end() || !manifests->is_array()) {
    return fail(ErrorCode::kInvalidArgument, "malformed index: missing manifests");
  }
  for (const auto& m : *manifests) {
    BERTH_ASSIGN_OR_RETURN(Descriptor d, parseDescriptor(m, "index entry"));
    idx.manifests.push_back(std::move(d));
  }
  return idx;
}

Result<Descriptor> selectPlatform(const Index& index, std::string_view os,
                                  std::string_view architecture) {
  const Descriptor* best = nullptr;
  std::vector<std::string> seen;
  for (const auto& d : index.manifests) {
    const Platform& p = d.platform;
    if (p.os.empty() && p.architecture.empty()) {
      continue;  // e.g. attestation manifests
    }
    seen.push_back(p.variant.empty() ? fmt::format("{}/{}", p.os, p.architecture)
                                     : fmt::format("{}/{}/{}", p.os, p.architecture, p.variant));
    if (p.os != os || p.architecture != architecture) {
      continue;
    }
    // amd64 has no variants that matter here: prefer a plain entry, else the first (v1).
    if (best == nullptr || (!best->platform.variant.empty() && p.variant.empty())) {
      best = &d;
    }
  }
  if (best == nullptr) {
    return fail(ErrorCode::kNotFound, "no manifest for platform {}/{} in index (it has: {})", os,
                architecture,
                seen.empty() ? "no platforms" : fmt::format("{}", fmt::join(seen, ", ")));
  }
  return *best;
}

Result<ParsedConfig> parseConfig(std::string_view body) {
  BERTH_ASSIGN_OR_RETURN(json j, parseJson(body, "image config"));
  ParsedConfig out;
  out.platform.os = stringField(j, "os");
  out.platform.architecture = stringField(j, "architecture");
  out.platform.variant = stringField(j, "variant");
  if (auto c = j.find("config"); c != j.end() && c->is_object()) {
    out.config.entrypoint = stringList(*c, "Entrypoint");
    out.config.cmd = stringList(*c, "Cmd");
    out.config.env = stringList(*c, "Env");
    out.config.workingDir = stringField(*c, "WorkingDir");
    out.config.user = stringField(*c, "User");
    if (auto l = c->find("Labels"); l != c->end() && l->is_object()) {
      for (const auto& [k, v] : l->items()) {
        if (v.is_string()) {
          out.config.labels[k] = v.get<std::string>();
        }
      }
    }
  }
  auto rootfs = j.find("rootfs");
  if (rootfs == j.end() || !rootfs->is_object()) {
    return fail(ErrorCode::kInvalidArgument, "malformed image config: missing rootfs");
  }
  out.diffIds = stringList(*rootfs, "diff_ids");
  for (const auto& d : out.diffIds) {
    if (!isValidDigest(d)) {
      return fail(ErrorCode::kInvalidArgument, "malformed image config: invalid diff id '{}'", d);
    }
  }
  return out;
}

}  // namespace berth::image
