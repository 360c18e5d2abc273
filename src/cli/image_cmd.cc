// `berth image import|pull|ls|rm|prune`: the node's image store, used directly (an agent may be
// running on the same root; the store's files are safe to share).

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "agent/image/image_store.h"
#include "api/pod_codec.h"
#include "base/clock.h"
#include "base/files.h"
#include "base/log.h"
#include "cli/commands.h"

namespace berth::cli {
namespace {

struct ImageFlags {
  std::string root = "/var/lib/berth/agent";
  std::vector<std::string> insecure;
  std::string output;
  std::string ref;
  bool all = false;
};

image::ImageStorePtr openStore(const ImageFlags& f, Clock& clock) {
  image::RegistryOptions options;
  options.insecureRegistries = {f.insecure.begin(), f.insecure.end()};
  return image::makeImageStore(std::filesystem::path(f.root) / "images", options, clock);
}

std::string shortId(const std::string& id) {
  auto colon = id.find(':');
  return id.substr(colon == std::string::npos ? 0 : colon + 1, 12);
}

std::string humanSize(int64_t bytes) {
  if (bytes >= 1024 * 1024) {
    return fmt::format("{:.1f}MB", bytes / 1048576.0);
  }
  return fmt::format("{:.1f}kB", bytes / 1024.0);
}

// Image ids that pods recorded under root use (they must survive a prune).
std::set<std::string> imagesInUse(const std::filesystem::path& root) {
  std::set<std::string> out;
  auto uids = files::listDir(root / "pods");
  for (const auto& uid : uids ? *uids : std::vector<std::string>{}) {
    auto text = files::read(root / "pods" / uid / "status.json");
    if (!text) {
      continue;
    }
    auto pod = api::decodePod(nlohmann::json::parse(*text, nullptr, false));
    if (!pod) {
      continue;
    }
    for (const auto* list : {&pod->status.containerStatuses, &pod->status.initContainerStatuses}) {
      for (const auto& cs : *list) {
        if (!cs.imageID.empty()) {
          out.insert(cs.imageID);
        }
      }
    }
  }
  return out;
}

void printImages(const std::vector<image::Image>& images, const std::string& output) {
  if (output == "json") {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& i : images) {
      arr.push_back({{"id", i.id},
                     {"names", i.names},
                     {"manifestDigest", i.manifestDigest},
                     {"size", i.size},
                     {"created", i.created}});
    }
    std::printf("%s\n", arr.dump(2).c_str());
    return;
  }
  std::printf("%-50s %-14s %s\n", "NAME", "IMAGE ID", "SIZE");
  for (const auto& i : images) {
    std::string name = i.names.empty() ? "<none>" : i.names.front();
    std::printf("%-50s %-14s %s\n", name.c_str(), shortId(i.id).c_str(), humanSize(i.size).c_str());
  }
}

}  // namespace

void addImageCommand(CLI::App& app, std::string& logLevel) {
  auto f = std::make_shared<ImageFlags>();
  auto* cmd = app.add_subcommand("image", "Manage the node's images");
  cmd->require_subcommand(1);
  auto addRoot = [f](CLI::App* sub) {
    sub->add_option("--root", f->root, "State directory of the agent")->capture_default_str();
  };

  auto* imp = cmd->add_subcommand("import", "Load an OCI image-layout archive");
  imp->add_option("file", f->ref, "Archive (tar of an OCI image layout)")->required();
  addRoot(imp);
  imp->callback([f, &logLevel] {
    logging::init(logLevel);
    RealClock clock;
    auto images = openStore(*f, clock)->importArchive(f->ref);
    if (!images) {
      reportError(images.error());
      return;
    }
    for (const auto& i : *images) {
      std::printf("imported %s %s\n", i.names.empty() ? "<none>" : i.names.front().c_str(),
                  i.id.c_str());
    }
  });

  auto* pull = cmd->add_subcommand("pull", "Pull an image into the store");
  pull->add_option("reference", f->ref, "Image reference")->required();
  pull->add_option("--insecure-registry", f->insecure, "HOST:PORT reached over plain HTTP");
  addRoot(pull);
  pull->callback([f, &logLevel] {
    logging::init(logLevel);
    RealClock clock;
    auto image = openStore(*f, clock)->ensure(f->ref, image::PullPolicy::kAlways, std::nullopt);
    if (!image) {
      reportError(image.error());
      return;
    }
    std::printf("%s\n", image->id.c_str());
  });

  auto* ls = cmd->add_subcommand("ls", "List images");
  addRoot(ls);
  ls->add_option("-o,--output", f->output, "Output format: json")
      ->check(CLI::IsMember({"", "json"}));
  ls->callback([f, &logLevel] {
    logging::init(logLevel);
    RealClock clock;
    auto images = openStore(*f, clock)->list();
    if (!images) {
      reportError(images.error());
      return;
    }
    printImages(*images, f->output);
  });

  auto* rm = cmd->add_subcommand("rm", "Remove an image");
  rm->add_option("image", f->ref, "Reference or id")->required();
  addRoot(rm);
  rm->callback([f, &logLevel] {
    logging::init(logLevel);
    RealClock clock;
    auto store = openStore(*f, clock);
    auto image = store->get(f->ref);
    if (image && imagesInUse(f->root).count(image->id) != 0) {
      reportError(
          Error(ErrorCode::kConflict, fmt::format("image '{}' is in use by a pod", f->ref)));
      return;
    }
    if (auto s = store->remove(f->ref); !s) {
      reportError(s.error());
      return;
    }
    std::printf("removed %s\n", f->ref.c_str());
  });

  auto* prune = cmd->add_subcommand("prune", "Remove images no pod uses, and their layers");
  addRoot(prune);
  prune->add_flag("-a,--all", f->all, "Also remove named images no pod uses");
  prune->callback([f, &logLevel] {
    logging::init(logLevel);
    RealClock clock;
    auto removed = openStore(*f, clock)->prune(imagesInUse(f->root), f->all);
    if (!removed) {
      reportError(removed.error());
      return;
    }
    for (const auto& id : *removed) {
      std::printf("deleted %s\n", id.c_str());
    }
  });
}

}  // namespace berth::cli
