#pragma once

// The node's image store: pulls images over the OCI distribution API, keeps their content once
// (content-addressed by digest) and their layers unpacked once, and hands out overlayfs root
// filesystems built on them.
//
// Layout under `root` (the agent's --root + "/images"):
//   blobs/sha256/<hex>        verified blobs (manifests, configs, compressed layers)
//   layers/<chainid hex>/     each layer unpacked once (whiteouts applied as overlay whiteouts)
//   images/<config hex>.json  an Image record: names, manifest digest, config, layer chain
//
// Thread safety: every method may be called from any thread. Concurrent pulls of one image
// share one download.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/image/reference.h"
#include "base/clock.h"
#include "base/error.h"

namespace berth::image {

// The parts of an OCI image config that decide how a container runs.
struct ImageConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "KEY=value"
  std::string workingDir;
  std::string user;  // "uid", "uid:gid", or a name resolved against the rootfs /etc/passwd
  std::map<std::string, std::string> labels;
};

struct Image {
  std::string id;                  // config digest, "sha256:<hex>"
  std::string manifestDigest;      // digest of the (platform) manifest that was pulled
  std::vector<std::string> names;  // references that point at it, e.g. "127.0.0.1:5000/bb:1"
  ImageConfig config;
  std::vector<std::string> layerDigests;  // compressed layer digests, base layer first
  int64_t size = 0;                       // sum of compressed layer sizes
  std::string created;                    // RFC 3339, when this node stored it
};

struct Credentials {
  std::string username;
  std::string password;
};

struct RegistryOptions {
  // "host:port" of registries reached over plain HTTP (and HTTPS without verification).
  std::set<std::string> insecureRegistries;
  // Credentials per registry host ("host:port"), e.g. from imagePullSecrets.
  std::map<std::string, Credentials> credentials;
  // Extra CA bundle for HTTPS verification (empty: the system store).
  std::string caFile;
};

enum class PullPolicy { kAlways, kIfNotPresent, kNever };

class ImageStore {
 public:
  virtual ~ImageStore() = default;

  // Returns the image `ref` names, pulling it as `policy` says. Errors: kNotFound (no such
  // image, or kNever and not present), kUnauthenticated, kUnavailable, kDataLoss (digest).
  virtual Result<Image> ensure(const std::string& ref, PullPolicy policy,
                               const std::optional<Credentials>& credentials) = 0;

  // The stored image that `refOrId` names (a reference, a full id or an id prefix).
  virtual Result<Image> get(const std::string& refOrId) = 0;
  virtual Result<std::vector<Image>> list() = 0;
  // Removes the names and, when no name is left, the image; its blobs go at the next prune.
  virtual Status remove(const std::string& refOrId) = 0;

  // Loads an OCI image-layout archive (tar, optionally gzip) such as `skopeo copy ... oci-archive:`
  // produces. Images are named by their org.opencontainers.image.ref.name annotation.
  virtual Result<std::vector<Image>> importArchive(const std::filesystem::path& archive) = 0;

  // Deletes images not in `inUse` (ids) and with no name, when `all` also named ones, then
  // every blob and unpacked layer no remaining image references. Returns the removed ids.
  virtual Result<std::vector<std::string>> prune(const std::set<std::string>& inUse, bool all) = 0;

  // Unpacked layer directories of `image`, TOP layer first (overlayfs lowerdir order).
  virtual Result<std::vector<std::filesystem::path>> layerDirs(const Image& image) = 0;
};

using ImageStorePtr = std::unique_ptr<ImageStore>;

ImageStorePtr makeImageStore(const std::filesystem::path& root, RegistryOptions options,
                             Clock& clock);

}  // namespace berth::image
