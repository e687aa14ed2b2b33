// inspect_certificate / verify_chain / name_matches: certificate facts for
// T5 (probe) and for the evidence of every handshake: subject, SANs, issuer,
// validity, key, signature algorithm, self-signed, chain and name checks.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace smtpeer::tls {

struct CertFacts {
  std::string subject;  // one line, RFC 2253 style: "CN=mx.example.com,O=Example"
  std::string issuer;
  std::string common_name;                // last CN of the subject; "" if none
  std::vector<std::string> dns_names;     // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries, printed
  std::string serial;                     // hex
  std::string not_before;                 // ISO 8601 UTC, "2026-11-21T10:00:00Z"
  std::string not_after;
  long days_left = 0;  // whole days until not_after (negative once expired)
  bool expired = false;
  bool not_yet_valid = false;
  std::string key_type;  // "RSA", "EC", "Ed25519", "Ed448", "DSA", "DH"
  int key_bits = 0;
  std::string curve;                // EC: "prime256v1"
  std::string signature_algorithm;  // "sha256WithRSAEncryption"
  bool self_signed = false;         // issuer == subject and the signature verifies with its own key
  bool is_ca = false;
  std::string sha256;  // fingerprint, lowercase hex without colons
};

// inspect_certificate: facts of one DER certificate, judged at `now`.
Result<CertFacts> inspect_certificate(std::string_view der,
                                      std::chrono::system_clock::time_point now);

struct ChainVerdict {
  bool verified = false;
  std::string error;  // OpenSSL's verify error text ("certificate has expired"); "" when verified
  int error_depth = -1;
};

// verify_chain: verify `chain` (DER, leaf first, as the server sent it)
// against the PEM bundle `ca_file` ("" = the system default trust store),
// at time `now`, for TLS server use. Does not check names.
ChainVerdict verify_chain(const std::vector<std::string>& chain, const std::string& ca_file,
                          std::chrono::system_clock::time_point now);

// name_matches: the certificate (DER) is valid for `name` (RFC 6125: SAN DNS
// entries with a left-most wildcard label, CN only when there are no DNS
// SANs; IP addresses against IP SANs).
bool name_matches(std::string_view der, std::string_view name);

// pem_to_der: the first certificate of a PEM text, DER-encoded (for the raw
// server flights, which carry certificates as bytes).
Result<std::string> pem_to_der(std::string_view pem);

}  // namespace smtpeer::tls
