#include "agent/image/image_record.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "agent/image/manifest.h"
#include "base/files.h"

namespace berth::image {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string encodeRecord(const StoredImage& r) {
  const Image& i = r.image;
  json j = {{"id", i.id},
            {"manifestDigest", i.manifestDigest},
            {"names", i.names},
            {"config",
             {{"entrypoint", i.config.entrypoint},
              {"cmd", i.config.cmd},
              {"env", i.config.env},
              {"workingDir", i.config.workingDir},
              {"user", i.config.user},
              {"labels", i.config.labels}}},
            {"layerDigests", i.layerDigests},
            {"diffIds", r.diffIds},
            {"size", i.size},
            {"created", i.created}};
  return j.dump(2) + "\n";
}

Result<StoredImage> decodeRecord(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return fail(ErrorCode::kDataLoss, "image record is not a JSON object");
  }
  try {
    StoredImage r;
    Image& i = r.image;
    i.id = j.at("id").get<std::string>();
    i.manifestDigest = j.value("manifestDigest", "");
    i.names = j.value("names", std::vector<std::string>{});
    const json& c = j.at("config");
    i.config.entrypoint = c.value("entrypoint", std::vector<std::string>{});
    i.config.cmd = c.value("cmd", std::vector<std::string>{});
    i.config.env = c.value("env", std::vector<std::string>{});
    i.config.workingDir = c.value("workingDir", "");
    i.config.user = c.value("user", "");
    i.config.labels = c.value("labels", std::map<std::string, std::string>{});
    i.layerDigests = j.value("layerDigests", std::vector<std::string>{});
    r.diffIds = j.value("diffIds", std::vector<std::string>{});
    i.size = j.value("size", int64_t{0});
    i.created = j.value("created", "");
    if (!isValidDigest(i.id)) {
      return fail(ErrorCode::kDataLoss, "image record has invalid id '{}'", i.id);
    }
    return r;
  } catch (const json::exception& e) {
    return fail(ErrorCode::kDataLoss, "malformed image record: {}", e.what());
  }
}

fs::path recordPath(const fs::path& dir, const std::string& id) {
  return dir / (std::string(digestHex(id)) + ".json");
}

Result<std::vector<StoredImage>> loadRecords(const fs::path& dir) {
  BERTH_ASSIGN_OR_RETURN(auto names, files::listDir(dir));
  std::vector<StoredImage> out;
  for (const auto& name : names) {
    if (!name.ends_with(".json") || name.starts_with(".")) {
      continue;
    }
    auto text = files::read(dir / name);
    if (!text) {
      if (text.error().code() != ErrorCode::kNotFound) {  // removed meanwhile: fine
        spdlog::warn("image record '{}': {}", name, text.error().message());
      }
      continue;
    }
    auto r = decodeRecord(*text);
    if (!r) {
      spdlog::warn("image record '{}': {}", name, r.error().message());
      continue;
    }
    out.push_back(std::move(*r));
  }
  return out;
}

Status writeRecord(const fs::path& dir, const StoredImage& record) {
  return files::writeAtomic(recordPath(dir, record.image.id), encodeRecord(record));
}

Status removeRecord(const fs::path& dir, const std::string& id) {
  if (::unlink(recordPath(dir, id).c_str()) != 0 && errno != ENOENT) {
    return fail(errnoError(errno, fmt::format("remove image record '{}'", id)));
  }
  return ok();
}

}  // namespace berth::image
