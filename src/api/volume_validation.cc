// Volume checks of validatePod (ValidateVolumes / validateVolumeSource in Kubernetes).

#include <set>

#include "api/name_validation.h"
#include "api/quantity.h"
#include "api/validation_internal.h"

namespace berth::api::internal {
namespace {

constexpr std::string_view kFileModeError =
    "must be a number between 0 and 0777 (octal), both inclusive";

bool hasBackstep(const std::string& value) {
  size_t start = 0;
  while (true) {
    size_t slash = value.find('/', start);
    if (value.compare(start, slash == std::string::npos ? std::string::npos : slash - start,
                      "..") == 0) {
      return true;
    }
    if (slash == std::string::npos) {
      return false;
    }
    start = slash + 1;
  }
}

void validateMode(const std::optional<int32_t>& mode, const std::string& path, Errors& out) {
  if (mode && (*mode < 0 || *mode > 0777)) {
    out.push_back(invalid(path, *mode, std::string(kFileModeError)));
  }
}

void validateItems(const std::vector<KeyToPath>& items, const std::string& path, Errors& out) {
  for (size_t i = 0; i < items.size(); i++) {
    std::string at = index(path, i);
    const KeyToPath& k = items[i];
    if (k.key.empty()) {
      out.push_back(required(at + ".key"));
    }
    if (k.path.empty()) {
      out.push_back(required(at + ".path"));
    } else {
      if (k.path.starts_with("/")) {
        out.push_back(invalid(at + ".path", k.path, "must be a relative path"));
      }
      if (hasBackstep(k.path)) {
        out.push_back(invalid(at + ".path", k.path, "must not contain '..'"));
      } else if (k.path.starts_with("..")) {
        out.push_back(invalid(at + ".path", k.path, "must not start with '..'"));
      }
    }
    validateMode(k.mode, at + ".mode", out);
  }
}

void validateSource(const Volume& v, const std::string& path, Errors& out) {
  int sources = 0;
  auto another = [&](const char* name) {
    if (sources > 0) {
      out.push_back(forbidden(path + "." + name, "may not specify more than 1 volume type"));
      return false;
    }
    sources++;
    return true;
  };
  if (v.emptyDir) {
    sources++;
    if (v.emptyDir->sizeLimit) {
      auto cmp = compareQuantities(*v.emptyDir->sizeLimit, "0");
      if (!cmp) {
        out.push_back(
            invalid(path + ".emptyDir.sizeLimit", *v.emptyDir->sizeLimit, cmp.error().message()));
      } else if (*cmp < 0) {
        out.push_back(forbidden(path + ".emptyDir.sizeLimit",
                                "SizeLimit field must be a valid resource quantity"));
      }
    }
  }
  if (v.hostPath && another("hostPath")) {
    const std::string at = path + ".hostPath";
    if (v.hostPath->path.empty()) {
      out.push_back(required(at + ".path"));
    } else {
      if (hasBackstep(v.hostPath->path)) {
        out.push_back(invalid(at + ".path", v.hostPath->path, "must not contain '..'"));
      }
      static const std::set<std::string> kTypes = {
          "",     "BlockDevice",  "CharDevice", "Directory", "DirectoryOrCreate",
          "File", "FileOrCreate", "Socket"};
      if (!kTypes.contains(v.hostPath->type)) {
        out.push_back(notSupported(at + ".type", v.hostPath->type,
                                   {"", "BlockDevice", "CharDevice", "Directory",
                                    "DirectoryOrCreate", "File", "FileOrCreate", "Socket"}));
      }
    }
  }
  if (v.secret && another("secret")) {
    const std::string at = path + ".secret";
    if (v.secret->secretName.empty()) {
      out.push_back(required(at + ".secretName"));
    }
    validateMode(v.secret->defaultMode, at + ".defaultMode", out);
    validateItems(v.secret->items, at + ".items", out);
  }
  if (v.configMap && another("configMap")) {
    const std::string at = path + ".configMap";
    if (v.configMap->name.empty()) {
      out.push_back(required(at + ".name"));
    }
    validateMode(v.configMap->defaultMode, at + ".defaultMode", out);
    validateItems(v.configMap->items, at + ".items", out);
  }
  if (sources == 0) {
    out.push_back(required(path, "must specify a volume type"));
  }
}

}  // namespace

void validateVolumes(const std::vector<Volume>& volumes, Errors& out) {
  std::set<std::string> names;
  for (size_t i = 0; i < volumes.size(); i++) {
    const Volume& v = volumes[i];
    std::string path = index("spec.volumes", i);
    validateSource(v, path, out);
    if (v.name.empty()) {
      out.push_back(required(path + ".name"));
    } else {
      addInvalid(out, path + ".name", v.name, isDns1123Label(v.name));
    }
    if (!names.insert(v.name).second) {
      out.push_back(duplicate(path + ".name", v.name));
    }
  }
}

}  // namespace berth::api::internal
