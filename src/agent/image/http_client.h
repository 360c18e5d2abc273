#pragma once

// A small blocking HTTP(S) client over one libcurl easy handle, so consecutive requests to the
// same host reuse the connection (keep-alive). Not thread-safe: one client per pull.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

typedef void CURL;

namespace berth::image {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  // When set, the body of a 2xx response is streamed here instead of collected; an Error
  // returned by the sink aborts the transfer and is returned by perform().
  std::function<Status(std::string_view chunk)> sink;
  // Larger bodies fail with kResourceExhausted (bodies of non-2xx answers are truncated).
  size_t maxBody = 8 << 20;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lowercased; repeats joined with ", "
  std::string body;

  std::string header(const std::string& lowercaseName) const;
};

class HttpClient {
 public:
  struct Options {
    bool verifyTls = true;
    std::string caFile;  // extra CA bundle; empty: the system store
  };

  explicit HttpClient(Options options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // GETs `request.url`, following redirects (http/https only). Any HTTP status is a response;
  // an Error is a transport failure (kUnavailable: refused, unresolvable, TLS, timeout) or the
  // sink's error.
  Result<HttpResponse> get(const HttpRequest& request);

  // The libcurl result code of the last get() (CURLE_OK after any HTTP answer).
  int lastTransportCode() const { return lastCode_; }

 private:
  Options options_;
  CURL* curl_;
  int lastCode_ = 0;
};

}  // namespace berth::image
