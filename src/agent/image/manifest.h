#pragma once

// OCI / Docker schema-2 manifests, image indexes (manifest lists) and image configs: parsing,
// media types and platform selection. Pure functions over JSON text, no I/O.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agent/image/image_store.h"
#include "base/error.h"

namespace berth::image {

inline constexpr std::string_view kOciManifestType = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndexType = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerManifestType =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestListType =
    "application/vnd.docker.distribution.manifest.list.v2+json";

// The Accept header values of a manifest request: all four types, because a registry never
// converts between them and answers 404 for a type the client did not accept (host.md §2).
const std::vector<std::string>& manifestAcceptTypes();

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
};

struct Descriptor {
  std::string mediaType;
  std::string digest;  // "sha256:<hex>"
  int64_t size = -1;   // -1 when the document did not say
  Platform platform;   // only in index entries
  std::map<std::string, std::string> annotations;
};

struct Manifest {
  std::string mediaType;
  Descriptor config;
  std::vector<Descriptor> layers;  // base layer first
};

struct Index {
  std::string mediaType;
  std::vector<Descriptor> manifests;
};

// The image config together with what the store needs to verify layers.
struct ParsedConfig {
  ImageConfig config;
  std::vector<std::string> diffIds;  // uncompressed layer digests, base first
  Platform platform;
};

// True for "sha256:" followed by 64 lowercase hex digits (the only algorithm supported).
bool isValidDigest(std::string_view digest);
// The hex part of a valid digest.
std::string_view digestHex(std::string_view digest);

// True if `mediaType` names an image index or Docker manifest list.
bool isIndexType(std::string_view mediaType);

// The media type of a manifest document: `contentType` (a registry's Content-Type, parameters
// ignored) when it is a known manifest or index type, else the document's mediaType field, else
// guessed from its shape ("manifests" → OCI index). kInvalidArgument if it is none of these
// (e.g. Docker schema 1, which is not supported).
Result<std::string> manifestMediaType(std::string_view body, std::string_view contentType);

// Parses an image manifest. kInvalidArgument if malformed, or a layer has a media type that
// cannot be unpacked (foreign, encrypted, unknown).
Result<Manifest> parseManifest(std::string_view body);
Result<Index> parseIndex(std::string_view body);

// The entry of `index` for `os`/`architecture` (an entry without variant, or the first variant,
// is preferred for amd64). kNotFound naming the platforms the index has.
Result<Descriptor> selectPlatform(const Index& index, std::string_view os,
                                  std::string_view architecture);

// Parses an image config (OCI or Docker). kInvalidArgument if malformed.
Result<ParsedConfig> parseConfig(std::string_view body);

}  // namespace berth::image
