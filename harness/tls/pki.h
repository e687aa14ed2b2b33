// generate_pki: the test PKI smtpeer uses to play servers and clients with
// good and bad certificates (T5, T6, C8), generated with OpenSSL's API, and
// write_pki, which stores it as PEM files for `smtpeer certs` and the tests;
// read_ca, which loads a CA of the user's to issue the certificates from.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace smtpeer::tls {

// PemPair: a certificate (PEM, leaf only) and its private key (PEM, PKCS#8).
struct PemPair {
  std::string cert;
  std::string key;
};

struct PkiOptions {
  std::string name = "localhost";  // the name good certificates are for (CN and DNS SAN)
  std::string wrong_name = "wrong.invalid";
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  // The CA that signs the leaves instead of a fresh "smtpeer test CA", so that
  // clients which already trust it need no change (from read_ca; checked again
  // by generate_pki). The self-signed leaf and the untrusted CA stay as they are.
  std::optional<PemPair> issuer;
};

// TestPki: one CA and the leaves it signed, plus a second CA that nobody trusts.
struct TestPki {
  PemPair ca;             // "smtpeer test CA", RSA 2048, CA:TRUE; or options.issuer
  bool ca_given = false;  // ca is options.issuer: write_pki does not copy its key
  PemPair untrusted_ca;   // a CA outside the trust bundle
  // Server certificates (all for options.name unless the name says otherwise).
  PemPair good;           // signed by ca, valid now, RSA 2048, SHA-256, serverAuth
  PemPair wrong_name;     // CN and SAN = options.wrong_name
  PemPair expired;        // not_after in the past (30 days ago)
  PemPair not_yet_valid;  // not_before in the future (30 days ahead)
  PemPair self_signed;    // issuer = subject, not the CA
  PemPair rsa1024;        // a 1024-bit RSA key
  PemPair sha1;           // signed with SHA-1
  PemPair ecdsa;          // P-256 key, signed by ca
  // Client certificates (clientAuth).
  PemPair client_good;       // CN "smtpeer client", signed by ca
  PemPair client_wrong_cn;   // CN "wrong client", signed by ca
  PemPair client_expired;    // signed by ca, expired
  PemPair client_untrusted;  // signed by untrusted_ca
};

// generate_pki: new keys and certificates. Deterministic in structure, not in
// key material. Takes well under a second (keys are shared between leaves
// where the key is not what the certificate tests).
Result<TestPki> generate_pki(const PkiOptions& options);

// PkiFile: one file write_pki produced, with a line saying what it is for.
struct PkiFile {
  std::string path;
  std::string purpose;
};

// write_pki: `dir`/ca.pem, ca.key, good.pem, good.key, … (one .pem and .key
// per entry, named as the TestPki fields with '_' → '-'), plus
// `dir`/README.txt listing them. Creates `dir` if needed; key files 0600.
// A given CA's key (ca_given) is left out: the directory is a test output,
// often kept as a CI artifact, and the user's CA key must not spread.
Result<std::vector<PkiFile>> write_pki(const TestPki& pki, const std::string& dir);

// read_ca: the CA certificate and its unencrypted private key from two PEM
// files (they may be the same file), for PkiOptions::issuer. Refuses, naming
// the file and the reason: unreadable or non-PEM files, a file with more than
// one certificate (smtpeer would not send the rest of the chain), an
// encrypted key (nothing prompts for a passphrase), a key that is not the
// certificate's, a certificate without basicConstraints CA:TRUE or whose
// keyUsage lacks keyCertSign (clients reject what such a certificate signs),
// and keys other than RSA and EC (the sha1 leaf needs a SHA-1 signature).
// The pair comes back re-encoded: the certificate alone, the key as PKCS#8.
// Errors are kIo for files that cannot be read, kUsage for the rest.
Result<PemPair> read_ca(const std::string& cert_path, const std::string& key_path);

}  // namespace smtpeer::tls
