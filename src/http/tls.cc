#include "http/tls.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>

#include "base/files.h"
#include "base/random.h"

namespace berth::http {

namespace {

struct Deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter>;
using CertPtr = std::unique_ptr<X509, Deleter>;
using BioPtr = std::unique_ptr<BIO, Deleter>;

Error sslError(std::string_view what) {
  unsigned long code = ERR_get_error();
  char buf[256] = "unknown error";
  if (code != 0) {
    ERR_error_string_n(code, buf, sizeof(buf));
  }
  ERR_clear_error();
  return Error(ErrorCode::kInternal, fmt::format("{}: {}", what, buf));
}

std::string bioString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<std::string> keyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) {
    return fail(sslError("write private key"));
  }
  return bioString(bio.get());
}

Result<std::string> certPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_X509(bio.get(), cert)) {
    return fail(sslError("write certificate"));
  }
  return bioString(bio.get());
}

Result<KeyPtr> readKey(const std::filesystem::path& path) {
  BERTH_ASSIGN_OR_RETURN(std::string pem, files::read(path));
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    return fail(sslError(fmt::format("read key '{}'", path.string())));
  }
  return key;
}

Result<CertPtr> readCert(const std::filesystem::path& path) {
  BERTH_ASSIGN_OR_RETURN(std::string pem, files::read(path));
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    return fail(sslError(fmt::format("read certificate '{}'", path.string())));
  }
  return cert;
}

Result<KeyPtr> newKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) {
    return fail(sslError("generate key"));
  }
  return key;
}

Status addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Deleter> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || !X509_add_ext(cert, ext.get(), -1)) {
    return fail(sslError(fmt::format("certificate extension '{}'", value)));
  }
  return ok();
}

// Builds and signs a certificate. `issuer`/`issuerKey` null: self-signed CA.
Result<CertPtr> makeCert(EVP_PKEY* key, const std::string& commonName, long days, bool isCa,
                         const std::vector<std::string>& names, X509* issuer, EVP_PKEY* issuerKey) {
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  std::string serialHex = randomHex(16);
  serialHex[0] = '1';  // positive, non-zero
  BIGNUM* bn = nullptr;
  BN_hex2bn(&bn, serialHex.c_str());
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509* issuerCert = issuer ? issuer : cert.get();
  if (isCa) {
    BERTH_TRY_STATUS(
        addExtension(cert.get(), issuerCert, NID_basic_constraints, "critical,CA:TRUE"));
    BERTH_TRY_STATUS(addExtension(cert.get(), issuerCert, NID_key_usage,
                                  "critical,keyCertSign,cRLSign,digitalSignature"));
    BERTH_TRY_STATUS(addExtension(cert.get(), issuerCert, NID_subject_key_identifier, "hash"));
  } else {
    BERTH_TRY_STATUS(
        addExtension(cert.get(), issuerCert, NID_basic_constraints, "critical,CA:FALSE"));
    BERTH_TRY_STATUS(addExtension(cert.get(), issuerCert, NID_key_usage,
                                  "critical,digitalSignature,keyEncipherment"));
    BERTH_TRY_STATUS(
        addExtension(cert.get(), issuerCert, NID_ext_key_usage, "serverAuth,clientAuth"));
    BERTH_TRY_STATUS(
        addExtension(cert.get(), issuerCert, NID_authority_key_identifier, "keyid:always"));
    std::string san;
    for (const std::string& n : names) {
      unsigned char buf[16];
      bool ip = inet_pton(AF_INET, n.c_str(), buf) == 1 || inet_pton(AF_INET6, n.c_str(), buf) == 1;
      san += fmt::format("{}{}:{}", san.empty() ? "" : ",", ip ? "IP" : "DNS", n);
    }
    BERTH_TRY_STATUS(addExtension(cert.get(), issuerCert, NID_subject_alt_name, san));
  }
  if (!X509_sign(cert.get(), issuerKey ? issuerKey : key, EVP_sha256())) {
    return fail(sslError("sign certificate"));
  }
  return cert;
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    out += n + "\n";
  }
  return out;
}

// True when `cert` is still valid for more than 30 days.
bool freshEnough(X509* cert) {
  time_t limit = time(nullptr) + 30 * 24 * 3600;
  return X509_cmp_time(X509_get0_notAfter(cert), &limit) > 0;
}

}  // namespace

Result<TlsFiles> ensureTlsFiles(const std::filesystem::path& dir,
                                const std::vector<std::string>& extraNames,
                                const std::string& commonName) {
  TlsFiles out{dir / "ca.crt", dir / "ca.key", dir / "server.crt", dir / "server.key"};
  BERTH_TRY_STATUS(files::makeDirs(dir, 0700));

  std::vector<std::string> names = {"localhost", "127.0.0.1", "::1"};
  for (const std::string& n : extraNames) {
    if (std::find(names.begin(), names.end(), n) == names.end()) {
      names.push_back(n);
    }
  }

  KeyPtr caKey;
  CertPtr caCert;
  if (files::exists(out.caCert) && files::exists(out.caKey)) {
    BERTH_ASSIGN_OR_RETURN(caKey, readKey(out.caKey));
    BERTH_ASSIGN_OR_RETURN(caCert, readCert(out.caCert));
  } else {
    BERTH_ASSIGN_OR_RETURN(caKey, newKey());
    BERTH_ASSIGN_OR_RETURN(
        caCert, makeCert(caKey.get(), commonName + "-ca", 3650, true, {}, nullptr, nullptr));
    BERTH_ASSIGN_OR_RETURN(std::string keyText, keyPem(caKey.get()));
    BERTH_ASSIGN_OR_RETURN(std::string certText, certPem(caCert.get()));
    // Key first: a crash between the writes leaves a key without a cert, which is regenerated.
    BERTH_TRY_STATUS(files::writeAtomic(out.caKey, keyText, 0600));
    BERTH_TRY_STATUS(files::writeAtomic(out.caCert, certText, 0644));
    (void)files::removeAll(out.cert);
  }

  std::filesystem::path namesFile = dir / "server.names";
  std::string wantNames = joinNames(names);
  if (files::exists(out.cert) && files::exists(out.key) && files::exists(namesFile)) {
    auto haveNames = files::read(namesFile);
    auto cert = readCert(out.cert);
    if (haveNames && *haveNames == wantNames && cert && freshEnough(cert->get())) {
      return out;
    }
  }
  BERTH_ASSIGN_OR_RETURN(KeyPtr key, newKey());
  BERTH_ASSIGN_OR_RETURN(
      CertPtr cert, makeCert(key.get(), commonName, 365, false, names, caCert.get(), caKey.get()));
  BERTH_ASSIGN_OR_RETURN(std::string keyText, keyPem(key.get()));
  BERTH_ASSIGN_OR_RETURN(std::string certText, certPem(cert.get()));
  // Cert and key must match; the names file is written last and marks the pair complete.
  (void)files::removeAll(namesFile);
  BERTH_TRY_STATUS(files::writeAtomic(out.key, keyText, 0600));
  BERTH_TRY_STATUS(files::writeAtomic(out.cert, certText, 0644));
  BERTH_TRY_STATUS(files::writeAtomic(namesFile, wantNames, 0644));
  return out;
}

}  // namespace berth::http
