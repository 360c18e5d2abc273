#pragma once

// Image references: [host[:port]/]repo/path[:tag][@sha256:hex].
// A reference without a host names Docker Hub ("docker.io", repository "library/x" for "x"),
// as Kubernetes does; a missing tag is "latest".

#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::image {

struct Reference {
  std::string registry;    // "127.0.0.1:5000", "docker.io"
  std::string repository;  // "busybox", "library/busybox"
  std::string tag;         // "1" (empty when only a digest was given)
  std::string digest;      // "sha256:…" or empty

  // The canonical string: registry/repository[:tag][@digest].
  std::string str() const;

  // kInvalidArgument naming what is wrong: "invalid reference 'A:b': repository must be lowercase".
  static Result<Reference> parse(std::string_view text);
};

}  // namespace berth::image
