#include "http/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <memory>
#include <mutex>

namespace berth::http {

namespace {

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  const std::function<bool(std::string_view)>* onData = nullptr;
  std::string body;
  std::map<std::string, std::string> headers;
  bool aborted = false;
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view chunk(data, size * count);
  if (t->onData) {
    if (!(*t->onData)(chunk)) {
      t->aborted = true;
      return 0;  // makes curl abort with CURLE_WRITE_ERROR
    }
  } else {
    t->body.append(chunk);
  }
  return chunk.size();
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) {
      value.remove_suffix(1);
    }
    t->headers[name] = std::string(value);
  }
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// TLS sessions and DNS answers shared by every handle of the process, so that a new
// connection (another thread, or after the server closed an idle one) resumes the TLS session
// instead of doing a full handshake. Never freed: handles of exiting threads may still use it.
class SharedCache {
 public:
  static CURLSH* get() {
    static SharedCache* cache = new SharedCache();
    return cache->share_;
  }

 private:
  SharedCache() : share_(curl_share_init()) {
    if (!share_) {
      return;
    }
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  }

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<SharedCache*>(user)->mutexes_[static_cast<size_t>(data) % kLocks].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<SharedCache*>(user)->mutexes_[static_cast<size_t>(data) % kLocks].unlock();
  }

  static constexpr size_t kLocks = CURL_LOCK_DATA_LAST;
  std::array<std::mutex, kLocks> mutexes_;
  CURLSH* share_;
};

// A new easy handle attached to the shared cache.
CURL* newEasy() {
  CURL* c = curl_easy_init();
  if (c && SharedCache::get()) {
    curl_easy_setopt(c, CURLOPT_SHARE, SharedCache::get());
  }
  return c;
}

// The handles one thread reuses for httpRequest: an easy handle (curl_easy_reset before each
// request, so no option of one request reaches the next) and the multi handle it always runs
// on. The multi handle's connection cache keeps connections alive between requests, which
// saves a TCP connect and a TLS handshake (an ECDSA signature on the server, a chain
// verification here) per request.
class ThreadHandles {
 public:
  ThreadHandles() : easy_(newEasy()), multi_(curl_multi_init()) {
    if (multi_) {
      curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, 8L);  // open connections kept per thread
    }
  }
  ~ThreadHandles() {
    if (easy_) {
      curl_easy_cleanup(easy_);
    }
    if (multi_) {
      curl_multi_cleanup(multi_);  // closes the cached connections
    }
  }
  ThreadHandles(const ThreadHandles&) = delete;
  ThreadHandles& operator=(const ThreadHandles&) = delete;

  // The reset easy handle and its multi handle; null when curl could not allocate them.
  static ThreadHandles* forThisThread() {
    thread_local ThreadHandles handles;
    if (!handles.easy_ || !handles.multi_) {
      return nullptr;
    }
    curl_easy_reset(handles.easy_);
    return &handles;
  }

  CURL* easy() const { return easy_; }
  CURLM* multi() const { return multi_; }

 private:
  CURL* easy_;
  CURLM* multi_;
};

// Runs the transfer of `c` on `multi`. When `cancel` is set, it is looked at every 100 ms
// even while the server is silent (curl_easy_perform's progress callback may wait a second).
CURLcode performOn(CURLM* multi, CURL* c, const std::atomic<bool>* cancel, Transfer& transfer) {
  if (curl_multi_add_handle(multi, c) != CURLM_OK) {
    return CURLE_FAILED_INIT;
  }
  CURLcode rc = CURLE_OK;
  int running = 1;
  while (running) {
    if (cancel && cancel->load()) {
      transfer.aborted = true;
      break;
    }
    if (curl_multi_perform(multi, &running) != CURLM_OK) {
      rc = CURLE_RECV_ERROR;
      break;
    }
    // curl shortens the wait to its own timers (timeouts), so a long wait is fine uncancelled.
    if (running && curl_multi_poll(multi, nullptr, 0, cancel ? 100 : 1000, nullptr) != CURLM_OK) {
      rc = CURLE_RECV_ERROR;
      break;
    }
  }
  int pending = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &pending)) {
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == c) {
      rc = msg->data.result;
    }
  }
  // A transfer removed before it is done (cancelled) closes its connection; a finished one
  // leaves it in the multi handle's cache for the next request.
  curl_multi_remove_handle(multi, c);
  return rc;
}

// Sets up `c` (a new or reset handle) for the request and runs it on `multi`, or on a
// temporary multi handle when `multi` is null.
Result<int> perform(CURL* c, CURLM* multi, std::string_view method, const std::string& url,
                    const std::string& body, const ClientOptions& options, Transfer& transfer) {
  std::string methodStr(method);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, methodStr.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  std::unique_ptr<curl_slist, CurlDeleter> headers;
  auto addHeader = [&headers](const std::string& h) {
    headers.reset(curl_slist_append(headers.release(), h.c_str()));
  };
  if (!options.bearerToken.empty()) {
    addHeader("Authorization: Bearer " + options.bearerToken);
  }
  for (const auto& [name, value] : options.headers) {
    addHeader(name + ": " + value);
  }
  if (headers) {
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  }
  if (!options.caFile.empty()) {
    curl_easy_setopt(c, CURLOPT_CAINFO, options.caFile.c_str());
  }
  if (!options.caPem.empty()) {
    curl_blob blob{const_cast<char*>(options.caPem.data()), options.caPem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
  }
  if (options.insecure) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (options.timeout.count() > 0) {
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  CURLcode rc = CURLE_OK;
  if (multi) {
    rc = performOn(multi, c, options.cancel, transfer);
  } else {
    CURLM* temporary = curl_multi_init();
    if (!temporary) {
      return fail(ErrorCode::kInternal, "curl_multi_init failed");
    }
    rc = performOn(temporary, c, options.cancel, transfer);
    curl_multi_cleanup(temporary);
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (rc != CURLE_OK && !transfer.aborted) {
    ErrorCode code =
        rc == CURLE_OPERATION_TIMEDOUT ? ErrorCode::kDeadlineExceeded : ErrorCode::kUnavailable;
    return fail(code, "{} '{}': {}", method, url, curl_easy_strerror(rc));
  }
  return static_cast<int>(status);
}

}  // namespace

Result<ClientResponse> httpRequest(std::string_view method, const std::string& url,
                                   const std::string& body, const ClientOptions& options) {
  globalInit();
  ThreadHandles* handles = ThreadHandles::forThisThread();
  if (!handles) {
    return fail(ErrorCode::kInternal, "curl_easy_init failed");
  }
  Transfer transfer;
  BERTH_ASSIGN_OR_RETURN(
      int status, perform(handles->easy(), handles->multi(), method, url, body, options, transfer));
  return ClientResponse{status, std::move(transfer.body), std::move(transfer.headers)};
}

Result<int> httpStream(std::string_view method, const std::string& url,
                       const std::function<bool(std::string_view)>& onData,
                       const ClientOptions& options) {
  globalInit();
  // A stream holds its connection for long and an aborted one cannot be reused: a handle and
  // a connection of its own (a TLS session from the shared cache still saves the handshake).
  std::unique_ptr<CURL, CurlDeleter> curl(newEasy());
  if (!curl) {
    return fail(ErrorCode::kInternal, "curl_easy_init failed");
  }
  Transfer transfer;
  transfer.onData = &onData;
  return perform(curl.get(), nullptr, method, url, "", options, transfer);
}

}  // namespace berth::http
