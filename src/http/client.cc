#include "http/client.h"

#include <curl/curl.h>

#include <algorithm>
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

// curl_easy_perform through a multi handle so that `cancel` is looked at every 100 ms even
// while the server is silent (curl_easy_perform's progress callback may wait a second).
CURLcode performCancellable(CURL* c, const std::atomic<bool>& cancel, Transfer& transfer) {
  CURLM* multi = curl_multi_init();
  if (!multi) {
    return CURLE_OUT_OF_MEMORY;
  }
  curl_multi_add_handle(multi, c);
  CURLcode rc = CURLE_OK;
  int running = 1;
  while (running) {
    if (cancel.load()) {
      transfer.aborted = true;
      break;
    }
    if (curl_multi_perform(multi, &running) != CURLM_OK) {
      rc = CURLE_RECV_ERROR;
      break;
    }
    if (running && curl_multi_poll(multi, nullptr, 0, 100, nullptr) != CURLM_OK) {
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
  curl_multi_remove_handle(multi, c);
  curl_multi_cleanup(multi);
  return rc;
}

Result<int> perform(std::string_view method, const std::string& url, const std::string& body,
                    const ClientOptions& options, Transfer& transfer) {
  globalInit();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    return fail(ErrorCode::kInternal, "curl_easy_init failed");
  }
  CURL* c = curl.get();
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
  CURLcode rc =
      options.cancel ? performCancellable(c, *options.cancel, transfer) : curl_easy_perform(c);
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
  Transfer transfer;
  BERTH_ASSIGN_OR_RETURN(int status, perform(method, url, body, options, transfer));
  return ClientResponse{status, std::move(transfer.body), std::move(transfer.headers)};
}

Result<int> httpStream(std::string_view method, const std::string& url,
                       const std::function<bool(std::string_view)>& onData,
                       const ClientOptions& options) {
  Transfer transfer;
  transfer.onData = &onData;
  return perform(method, url, "", options, transfer);
}

}  // namespace berth::http
