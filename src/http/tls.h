#pragma once

// TLS material for Berth's HTTPS endpoints: a self-signed CA and a serving certificate signed
// by it, kept as PEM files in a directory (mode 0700; keys 0600):
//   ca.crt ca.key       the CA (ECDSA P-256, 10 years)
//   server.crt server.key  serving certificate (ECDSA P-256, 1 year) with SANs for localhost,
//                          127.0.0.1, ::1 and the names asked for
// Files are written atomically on first use and reused after. The serving certificate is
// re-issued (by the same CA) when the asked names change or it expires within 30 days.

#include <filesystem>
#include <string>
#include <vector>

#include "base/error.h"

namespace berth::http {

struct TlsFiles {
  std::filesystem::path caCert;
  std::filesystem::path caKey;
  std::filesystem::path cert;
  std::filesystem::path key;
};

// Ensures the files exist in `dir` and cover `names` (DNS names or IP addresses, in addition
// to the defaults). `commonName` names the serving certificate's subject.
// Errors: kInternal from OpenSSL, file errors from writing. Not thread-safe for the same dir.
Result<TlsFiles> ensureTlsFiles(const std::filesystem::path& dir,
                                const std::vector<std::string>& names,
                                const std::string& commonName = "berth");

}  // namespace berth::http
