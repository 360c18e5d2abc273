#pragma once

// The node's image store: pulls images over the OCI distribution API, keeps their content once
// (content-addressed by digest) and their layers unpacked once, and hands out overlayfs root
// filesystems built on them.
//
// Layout under `root` (the agent's --root + "/images"):
//   blobs/sha256/<hex>        verified blobs (manifests, configs, compressed layers)
//   layers/<hex>/             each layer unpacked once, named by its compressed digest (an overlay
//                             lower dir is independent of the layers under it, so no chain id is
//                             needed); whiteouts are overlay whiteouts
//   images/<config hex>.json  an Image record: names, manifest digest, config, layers, diff ids
//   gc.lock, records.lock     flock(2) files: pulls and imports hold gc.lock shared, prune holds
//                             it exclusively; record updates hold records.lock exclusively
//
// Thread safety: every method may be called from any thread, and several processes (the agent
// and `berth image`) may share one root. Concurrent pulls of one image in a process share one
// download. Blobs and layers appear under their final names only complete and verified
// (temporary name, then rename), so a crash leaves no partial content in use.

#include <cstdint>
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

// What a store has done since it was made (for tests and metrics).
struct PullStats {
  uint64_t registryRequests = 0;  // HTTP requests to registries and token servers
  uint64_t blobsFetched = 0;      // blobs downloaded (configs and layers)
  uint64_t layersUnpacked = 0;
};

class ImageStore {
 public:
  virtual ~ImageStore() = default;

  // Returns the image `ref` names, pulling it as `policy` says (kIfNotPresent and kNever look
  // for a stored image with that name first). Pulls over the OCI distribution API: OCI and
  // Docker schema-2 manifests, indexes (linux/amd64 chosen), anonymous, basic or bearer auth
  // with `credentials` (else the store's credentials for that registry). Every digest is
  // verified; nothing is stored on a mismatch. Errors: kInvalidArgument (bad reference),
  // kNotFound (no such image, or kNever and not present: "image 'x' is not present with pull
  // policy of Never"), kUnauthenticated, kPermissionDenied, kUnavailable (registry unreachable
  // or 5xx), kDataLoss (digest mismatch). Messages start with "pull '<ref>': ".
  virtual Result<Image> ensure(const std::string& ref, PullPolicy policy,
                               const std::optional<Credentials>& credentials) = 0;

  // The stored image that `refOrId` names: a reference (matched by name, or by manifest digest
  // for "repo@sha256:…"), a full id, or a unique id prefix. kNotFound if none; kInvalidArgument
  // if an id prefix is ambiguous.
  virtual Result<Image> get(const std::string& refOrId) = 0;
  // Every stored image, sorted by first name (unnamed ones last).
  virtual Result<std::vector<Image>> list() = 0;
  // Given a reference, removes that name, and the image when no name is left; given an id,
  // removes the image. Its blobs and layers go at the next prune. kNotFound if not stored.
  virtual Status remove(const std::string& refOrId) = 0;

  // Loads an OCI image-layout archive (tar, optionally gzip) such as `skopeo copy ... oci-archive:`
  // produces. Images are named by their org.opencontainers.image.ref.name annotation, read as a
  // reference ("127.0.0.1:5000/x:1"; a bare "x" means docker.io/library/x:latest). Every blob is
  // verified. kInvalidArgument if the archive is not an OCI layout, kDataLoss on a bad digest or
  // a missing blob.
  virtual Result<std::vector<Image>> importArchive(const std::filesystem::path& archive) = 0;

  // Deletes images not in `inUse` (ids) and with no name, when `all` also named ones, then
  // every blob and unpacked layer no remaining image references. Returns the removed ids.
  virtual Result<std::vector<std::string>> prune(const std::set<std::string>& inUse, bool all) = 0;

  // Unpacked layer directories of `image`, TOP layer first (overlayfs lowerdir order). A layer
  // dir that went missing is unpacked again from its blob; kNotFound if the blob is gone too.
  virtual Result<std::vector<std::filesystem::path>> layerDirs(const Image& image) = 0;

  // Counters since construction. The default (for fakes) is all zero.
  virtual PullStats stats() const { return {}; }
};

using ImageStorePtr = std::unique_ptr<ImageStore>;

// The store rooted at `root` (created on first use). `clock` stamps Image::created and must
// outlive the store.
ImageStorePtr makeImageStore(const std::filesystem::path& root, RegistryOptions options,
                             Clock& clock);

}  // namespace berth::image
