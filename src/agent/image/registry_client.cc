#include "agent/image/registry_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "agent/image/auth_challenge.h"
#include "base/sha256.h"

namespace berth::image {
namespace {

std::string registryHost(const std::string& registry) {
  return registry == "docker.io" ? "registry-1.docker.io" : registry;
}

// Transport failures that mean "this is not plain HTTP": the insecure registry may speak TLS.
bool looksLikeTls(int code) {
  return code == CURLE_GOT_NOTHING || code == CURLE_RECV_ERROR ||
         code == CURLE_WEIRD_SERVER_REPLY || code == CURLE_UNSUPPORTED_PROTOCOL;
}

ErrorCode codeForStatus(long status) {
  if (status == 401) {
    return ErrorCode::kUnauthenticated;
  }
  if (status == 403) {
    return ErrorCode::kPermissionDenied;
  }
  if (status == 404) {
    return ErrorCode::kNotFound;
  }
  if (status == 429 || status >= 500) {
    return ErrorCode::kUnavailable;
  }
  return ErrorCode::kInvalidArgument;
}

}  // namespace

Error registryError(const HttpResponse& response) {
  std::string detail;
  auto j = nlohmann::json::parse(response.body, nullptr, false);
  if (j.is_object() && j.contains("errors") && j["errors"].is_array() && !j["errors"].empty()) {
    const auto& e = j["errors"][0];
    std::string code = e.value("code", "");
    std::string message = e.value("message", "");
    detail = code.empty() ? message : (message.empty() ? code : code + ": " + message);
  }
  if (detail.empty()) {
    detail = response.status == 404 ? "not found" : "unexpected answer";
  }
  return Error(codeForStatus(response.status), fmt::format("{} {}", response.status, detail));
}

RegistryClient::RegistryClient(Options options)
    : options_(std::move(options)),
      http_(HttpClient::Options{.verifyTls = !options_.insecure, .caFile = options_.caFile}) {}

std::string RegistryClient::baseUrl() const {
  bool plain = options_.insecure && !httpsFallback_;
  return fmt::format("{}://{}", plain ? "http" : "https", registryHost(options_.registry));
}

Status RegistryClient::authenticate(const std::string& repository,
                                    const HttpResponse& unauthorized) {
  auto challenges = parseWwwAuthenticate(unauthorized.header("www-authenticate"));
  const Challenge* bearer = nullptr;
  const Challenge* basic = nullptr;
  for (const auto& c : challenges) {
    if (c.scheme == "bearer" && bearer == nullptr) {
      bearer = &c;
    } else if (c.scheme == "basic" && basic == nullptr) {
      basic = &c;
    }
  }
  const auto& creds = options_.credentials;
  if (bearer != nullptr) {
    BERTH_ASSIGN_OR_RETURN(std::string url,
                           tokenUrl(*bearer, fmt::format("repository:{}:pull", repository)));
    HttpRequest req{.url = url, .headers = {}, .sink = nullptr, .maxBody = 1 << 20};
    if (creds) {
      req.headers.push_back("Authorization: " +
                            basicAuthorization(creds->username, creds->password));
    }
    if (options_.counters != nullptr) {
      options_.counters->registryRequests++;
    }
    auto resp = http_.get(req);
    if (!resp) {
      return fail(std::move(resp.error()).wrap("token server"));
    }
    if (resp->status != 200) {
      Error e = registryError(*resp);
      if (resp->status == 401 || resp->status == 403) {
        e = Error(ErrorCode::kUnauthenticated, e.message());
      }
      return fail(std::move(e).wrap("token server"));
    }
    BERTH_ASSIGN_OR_RETURN(std::string token, parseTokenResponse(resp->body));
    authorization_ = "Bearer " + token;
    return ok();
  }
  if (basic != nullptr) {
    if (!creds) {
      return fail(ErrorCode::kUnauthenticated, "registry '{}' requires credentials",
                  options_.registry);
    }
    authorization_ = basicAuthorization(creds->username, creds->password);
    return ok();
  }
  return fail(ErrorCode::kUnauthenticated, "registry '{}' answered 401 without a usable challenge",
              options_.registry);
}

Result<HttpResponse> RegistryClient::request(const std::string& repository, const std::string& path,
                                             HttpRequest req) {
  std::vector<std::string> baseHeaders = req.headers;
  bool authenticated = false;
  for (int attempt = 0;; attempt++) {
    req.url = baseUrl() + path;
    req.headers = baseHeaders;
    if (!authorization_.empty()) {
      req.headers.push_back("Authorization: " + authorization_);
    }
    if (options_.counters != nullptr) {
      options_.counters->registryRequests++;
    }
    auto resp = http_.get(req);
    if (!resp) {
      if (options_.insecure && !httpsFallback_ && looksLikeTls(http_.lastTransportCode())) {
        httpsFallback_ = true;
        continue;
      }
      return resp;
    }
    // Go's TLS server answers plain HTTP with this 400 instead of a handshake failure.
    if (options_.insecure && !httpsFallback_ && resp->status == 400 &&
        resp->body.find("HTTP request to an HTTPS server") != std::string::npos) {
      httpsFallback_ = true;
      continue;
    }
    if (resp->status != 401) {
      return resp;
    }
    if (authenticated || attempt > 2) {
      return fail(ErrorCode::kUnauthenticated, "{}: credentials rejected",
                  registryError(*resp).message());
    }
    BERTH_TRY_STATUS(authenticate(repository, *resp));
    authenticated = true;
  }
}

Result<ManifestResponse> RegistryClient::getManifest(const std::string& repository,
                                                     const std::string& reference) {
  HttpRequest req;
  for (const auto& t : manifestAcceptTypes()) {
    req.headers.push_back("Accept: " + t);
  }
  req.maxBody = 4 << 20;
  BERTH_ASSIGN_OR_RETURN(
      HttpResponse resp,
      request(repository, fmt::format("/v2/{}/manifests/{}", repository, reference),
              std::move(req)));
  if (resp.status != 200) {
    return fail(registryError(resp).wrap(fmt::format("manifest '{}'", reference)));
  }
  return ManifestResponse{std::move(resp.body), resp.header("content-type"),
                          resp.header("docker-content-digest")};
}

Status RegistryClient::fetchBlob(const std::string& repository, const Descriptor& blob,
                                 const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return fail(errnoError(errno, fmt::format("create '{}'", path.string())));
  }
  Sha256 hash;
  int64_t written = 0;
  HttpRequest req;
  req.sink = [&](std::string_view chunk) -> Status {
    written += static_cast<int64_t>(chunk.size());
    if (blob.size >= 0 && written > blob.size) {
      return fail(ErrorCode::kDataLoss, "blob '{}' is larger than its descriptor says ({} bytes)",
                  blob.digest, blob.size);
    }
    hash.update(chunk);
    while (!chunk.empty()) {
      ssize_t n = ::write(fd, chunk.data(), chunk.size());
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        return fail(errnoError(errno, fmt::format("write '{}'", path.string())));
      }
      chunk.remove_prefix(static_cast<size_t>(n));
    }
    return ok();
  };
  auto resp =
      request(repository, fmt::format("/v2/{}/blobs/{}", repository, blob.digest), std::move(req));
  Status result = ok();
  if (!resp) {
    result = fail(std::move(resp.error()));
  } else if (resp->status != 200) {
    result = fail(registryError(*resp));
  } else if (blob.size >= 0 && written != blob.size) {
    result =
        fail(ErrorCode::kDataLoss, "size mismatch: got {} bytes, expected {}", written, blob.size);
  } else if (std::string got = "sha256:" + hash.hexDigest(); got != blob.digest) {
    result = fail(ErrorCode::kDataLoss, "digest mismatch: got '{}'", got);
  } else if (::fsync(fd) != 0) {
    result = fail(errnoError(errno, fmt::format("fsync '{}'", path.string())));
  }
  ::close(fd);
  if (!result) {
    ::unlink(path.c_str());
    return fail(std::move(result.error()).wrap(fmt::format("blob '{}'", blob.digest)));
  }
  if (options_.counters != nullptr) {
    options_.counters->blobsFetched++;
  }
  return ok();
}

}  // namespace berth::image
