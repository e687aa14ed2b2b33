// RAII owners for OpenSSL objects (STYLE.md 22: no raw new/delete, RAII for
// every OpenSSL object), and the error-queue text.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace smtpeer::tls {

struct SslCtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};

using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

// error_queue: drain OpenSSL's thread error queue into one line ("" if empty).
std::string error_queue();

// version_from_name: "TLSv1".."TLSv1.3" -> TLS1_VERSION..; 0 for "" ; -1 if unknown.
int version_from_name(const std::string& name);

}  // namespace smtpeer::tls
