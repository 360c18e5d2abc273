#include "agent/image/http_client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cctype>
#include <mutex>
#include <optional>

namespace berth::image {
namespace {

constexpr size_t kMaxErrorBody = 64 << 10;

struct Transfer {
  CURL* curl;
  const HttpRequest* request;
  HttpResponse* response;
  std::optional<Error> error;
};

size_t onHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  // A new status line starts a new response (after a redirect): forget earlier headers.
  if (line.rfind("HTTP/", 0) == 0) {
    t->response->headers.clear();
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return size * count;
  }
  std::string name(line.substr(0, colon));
  for (char& c : name) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  auto& slot = t->response->headers[name];
  slot = slot.empty() ? std::string(value) : slot + ", " + std::string(value);
  return size * count;
}

size_t onBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  bool success = status >= 200 && status < 300;
  if (success && t->request->sink) {
    if (auto s = t->request->sink(std::string_view(data, n)); !s) {
      t->error = s.error();
      return 0;  // aborts the transfer
    }
    return n;
  }
  size_t limit = success ? t->request->maxBody : kMaxErrorBody;
  if (t->response->body.size() + n > limit) {
    if (!success) {
      t->response->body.append(data, limit - t->response->body.size());
      return n;
    }
    t->error = Error(ErrorCode::kResourceExhausted,
                     fmt::format("response body larger than {} bytes", limit));
    return 0;
  }
  t->response->body.append(data, n);
  return n;
}

}  // namespace

std::string HttpResponse::header(const std::string& lowercaseName) const {
  auto it = headers.find(lowercaseName);
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(Options options) : options_(std::move(options)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (curl_ != nullptr) {
    curl_easy_cleanup(curl_);
  }
}

Result<HttpResponse> HttpClient::get(const HttpRequest& request) {
  if (curl_ == nullptr) {
    return fail(ErrorCode::kInternal, "cannot initialise libcurl");
  }
  HttpResponse response;
  Transfer transfer{curl_, &request, &response, std::nullopt};
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  for (const auto& h : request.headers) {
    headers = curl_slist_append(headers, h.c_str());
  }

  // Options are set on every call: reset() keeps the connection cache but clears options.
  curl_easy_reset(curl_);
  curl_easy_setopt(curl_, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl_, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl_, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  // A stalled transfer (under 1 byte/s for 60 s) fails instead of hanging a pull forever.
  curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl_, CURLOPT_USERAGENT, "berth");
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, options_.verifyTls ? 1L : 0L);
  curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, options_.verifyTls ? 2L : 0L);
  if (!options_.caFile.empty()) {
    curl_easy_setopt(curl_, CURLOPT_CAINFO, options_.caFile.c_str());
  }

  CURLcode code = curl_easy_perform(curl_);
  curl_slist_free_all(headers);
  lastCode_ = code;
  if (transfer.error) {
    return fail(std::move(*transfer.error));
  }
  if (code != CURLE_OK) {
    std::string what = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
    return fail(ErrorCode::kUnavailable, "GET '{}': {}", request.url, what);
  }
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace berth::image
