#pragma once

// A client of the Kubernetes API that Berth's API server serves (and any other Kubernetes API
// server): JSON objects over HTTPS with a bearer token. The agent, the scheduler, the
// controllers and the CLI all talk to the control plane through it; nothing below the API
// server reads the store directly.
//
//   ApiClient client(config);
//   auto pods = client.list(Resource::pods("default"), {.labelSelector = "app=web"});
//   auto pod = client.get(Resource::pods("default"), "web-1");
//
// Errors: a Kubernetes Status reply becomes an Error whose code follows the HTTP status (404
// kNotFound, 409 kAlreadyExists for reason AlreadyExists else kConflict, 410 kGone, 400/422
// kInvalidArgument, 401 kUnauthenticated, 403 kPermissionDenied, 429 kResourceExhausted, 5xx
// kUnavailable/kInternal) and whose message is the Status message; no reply at all is
// kUnavailable (also when the request timed out). Thread-safe: every call may come from any
// thread.
//
// Every request sends Accept: application/json, the User-Agent and the bearer token; bodies go
// with their Content-Type (application/json, or the patch type's).

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/error.h"

namespace berth::client {

using nlohmann::json;

struct ClientConfig {
  std::string server;            // "https://127.0.0.1:6443"
  std::filesystem::path caFile;  // PEM CA to verify the server with
  std::string caData;            // or the PEM itself (kubeconfig certificate-authority-data)
  std::string token;             // bearer token (never logged)
  bool insecure = false;         // skip server verification (tests of foreign servers only)
  std::string userAgent = "berth";
  std::chrono::milliseconds timeout{30000};  // per non-watch request
};

// Reads a kubeconfig file (its current context: cluster server + certificate-authority(-data),
// user token or tokenFile). kInvalidArgument naming what is missing.
Result<ClientConfig> loadKubeconfig(const std::filesystem::path& path);

// Which collection a call addresses: /api/v1/namespaces/{ns}/pods or /apis/{g}/{v}/...
struct Resource {
  std::string group;       // "" for core
  std::string version;     // "v1"
  std::string resource;    // plural: "pods"
  std::string namespace_;  // empty: cluster-scoped, or all namespaces for a list/watch

  // The collection URL path, e.g. "/api/v1/namespaces/default/pods".
  std::string path() const;
  // The object URL path, with an optional subresource: ".../pods/x/status".
  std::string path(const std::string& name, const std::string& subresource = "") const;

  static Resource pods(std::string ns = "") { return {"", "v1", "pods", std::move(ns)}; }
  static Resource nodes() { return {"", "v1", "nodes", ""}; }
  static Resource namespaces() { return {"", "v1", "namespaces", ""}; }
  static Resource events(std::string ns = "") { return {"", "v1", "events", std::move(ns)}; }
  static Resource configMaps(std::string ns = "") {
    return {"", "v1", "configmaps", std::move(ns)};
  }
  static Resource secrets(std::string ns = "") { return {"", "v1", "secrets", std::move(ns)}; }
  static Resource leases(std::string ns) {
    return {"coordination.k8s.io", "v1", "leases", std::move(ns)};
  }
  static Resource deployments(std::string ns = "") {
    return {"apps", "v1", "deployments", std::move(ns)};
  }
  static Resource replicaSets(std::string ns = "") {
    return {"apps", "v1", "replicasets", std::move(ns)};
  }
  static Resource horizontalPodAutoscalers(std::string ns = "") {
    return {"autoscaling", "v2", "horizontalpodautoscalers", std::move(ns)};
  }
  static Resource podMetrics(std::string ns = "") {
    return {"metrics.k8s.io", "v1beta1", "pods", std::move(ns)};
  }
  static Resource nodeMetrics() { return {"metrics.k8s.io", "v1beta1", "nodes", ""}; }
};

struct ListOptions {
  std::string labelSelector;
  std::string fieldSelector;
  std::string resourceVersion;  // "" (latest), "0" (any, from the watch cache), or an RV
  int64_t limit = 0;
  std::string continueToken;
  // Watch only:
  bool allowWatchBookmarks = false;
  std::optional<int64_t> timeoutSeconds;
};

enum class PatchType { kMerge, kStrategicMerge, kJson };

struct DeleteOptions {
  std::optional<int64_t> gracePeriodSeconds;
  std::string propagationPolicy;  // "", "Background", "Foreground", "Orphan"
  std::optional<std::string> preconditionUid;
};

struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK, ERROR
  json object;
};

// A running watch; destroying it (or stop()) ends the stream and joins its thread.
class WatchStream {
 public:
  virtual ~WatchStream() = default;
  virtual void stop() = 0;
  // Whether the stream ended (server closed it, error, or stop()).
  virtual bool done() const = 0;
};

using WatchStreamPtr = std::unique_ptr<WatchStream>;

class ApiClient {
 public:
  explicit ApiClient(ClientConfig config);
  ~ApiClient();

  const ClientConfig& config() const { return config_; }

  Result<json> get(const Resource& r, const std::string& name, const std::string& subresource = "");
  // The List object (items, metadata.resourceVersion, metadata.continue).
  Result<json> list(const Resource& r, const ListOptions& options = {});
  // POST to the collection (or to a subresource of `name`, e.g. pods/x/binding). Here and in
  // update(): when `r` names no namespace, the object's metadata.namespace is used, so an
  // object from an all-namespaces list can be written back with the same Resource.
  Result<json> create(const Resource& r, const json& object);
  Result<json> createSubresource(const Resource& r, const std::string& name,
                                 const std::string& subresource, const json& object);
  // PUT (the object's metadata.resourceVersion, if set, is an optimistic-lock precondition).
  // kInvalidArgument when the object has no metadata.name.
  Result<json> update(const Resource& r, const json& object, const std::string& subresource = "");
  Result<json> patch(const Resource& r, const std::string& name, PatchType type, const json& patch,
                     const std::string& subresource = "");
  // DELETE with a DeleteOptions body; returns the reply body (the object, or a Status).
  Result<json> remove(const Resource& r, const std::string& name,
                      const DeleteOptions& options = {});

  // Starts a watch (watch=true) on its own thread; `onEvent` gets each event in order. When the
  // stream ends (server closed it, an error, stop()), `onEnd` is called once with the reason
  // (ok() for a normal end or stop()). A 410 reply or an ERROR event with code 410 ends it with
  // kGone so that the caller relists.
  //
  // Connection failures and error replies also arrive through onEnd (mapped as above); the
  // returned Error is only for a config without a server. An ERROR event is handed to onEvent
  // and then ends the stream with the Status' code and message. Both callbacks run on the
  // stream's thread; onEnd runs before stop() returns, and nothing runs after it. Calling
  // stop() or destroying the stream from inside a callback is allowed (it does not wait
  // then). stop() returns within ~100 ms even while the server sends nothing. With
  // options.timeoutSeconds the client gives up timeoutSeconds + 30 s after the start (the
  // server should have ended the watch by then); without it there is no deadline.
  Result<WatchStreamPtr> watch(const Resource& r, const ListOptions& options,
                               std::function<void(const WatchEvent&)> onEvent,
                               std::function<void(const Status&)> onEnd);

  // A raw request for routes the typed calls do not cover (path with query). Returns the body;
  // a non-2xx reply is an Error as described above.
  Result<std::string> raw(std::string_view method, const std::string& pathAndQuery,
                          const std::string& body = "",
                          const std::string& contentType = "application/json");

 private:
  ClientConfig config_;
};

using ApiClientPtr = std::shared_ptr<ApiClient>;

}  // namespace berth::client
