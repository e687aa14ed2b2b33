// probe_to_json / probe_to_text: the reports of `smtpeer probe`.
//
// The JSON is a public format (keys only ever added), an object with, in order:
//   "tool", "version"      "smtpeer", its version
//   "target", "profile", "started_at", "duration_ms"
//   "connections"          integer: TCP connections the probe opened
//   "rate_limited"         integer: 421 greetings met (each retried after a pause)
//   "interrupted"          bool
//   "error"                string or null: why the server could not be probed
//   "greeting", "banner_name", "starttls_offered"
//   "handshake"            {"completed": "yes" | "no" | "unknown", "detail": text}: a full
//                          OpenSSL handshake; "no" while hellos are answered = TLS offered but
//                          broken
//   "incomplete"           [text]: connections that never reached TLS after retries; the
//                          lists may be short and the rows reading them are "error"
//   "protocols"            {"SSLv2".."TLSv1.3": {"accepted": bool, "answer": "ServerHello …" |
//                           "alert protocol_version" | "connection closed" | …}}
//   "suites"               {"<version>": [suite, …]} accepted suites per version, in the
//                           server's order when it has one; a suite is
//                           {"id": "0xC02F", "code": 49199, "name": IANA name, "openssl": name or
//                            "", "kx", "auth", "cipher", "bits", "export", "forward_secret",
//                            "dh_bits" (DHE) , "group" (ECDHE / TLS 1.3 key share, or null)}
//                           (SSLv2: {"id": "0x010080", "name": "SSL_CK_…", "bits", "export"})
//   "server_order"         {"<version>": true | false | null}  null: fewer than two suites
//   "foreign_suites"       {"<version>": "0x…"} a suite chosen that was not offered
//   "key_exchange"         {"groups": [names], "dh_bits_min": n, "dh_bits_max": n}
//   "features"             {"compression", "secure_renegotiation", "heartbeat", "fallback_scsv":
//                           "yes" | "no" | "unknown", "fallback_detail": text}
//   "client_certificate_requested"  "yes" | "no" | "unknown"
//   "client_certificates"  with --client-pki (T6): [{"certificate": "none" | "client-good" |
//                          "client-wrong-cn" | "client-expired" | "client-untrusted",
//                          "accepted": bool, "detail": text}]
//   "sni"                  S20: {"tries": [{"sni": "backslash-nul" | "oversized" | "empty",
//                          "clean": bool, "answer": text}],
//                          "serves_after": "yes" | "no" | "unknown"}
//   "certificate"          the main chain (from a full handshake) or null:
//                          {"source", "verified", "verify_error", "ca_file", "expected_name",
//                           "matches_expected", "banner_name", "matches_banner",
//                           "chain": [{"subject", "issuer", "common_name", "dns_names",
//                           "ip_addresses", "serial", "not_before", "not_after", "days_left",
//                           "expired", "not_yet_valid", "key_type", "key_bits", "curve",
//                           "signature_algorithm", "self_signed", "is_ca", "sha256"}]}
//   "other_certificates"   the same for other leaves seen (e.g. an ECDSA certificate)
//   "findings"             [{"check": "T1".."T7" | "S20" | "S21",
//                            "verdict": "pass" | "fail" | "skip" | "error",
//                            "warning": bool, "clause", "summary", "evidence": [text]}]
//   "totals"               {"pass": n, "fail": n, "skip": n, "error": n, "warning": n}
#pragma once

#include <string>

#include "engine/probe_result.h"

namespace smtpeer::report {

std::string probe_to_json(const engine::ProbeResult& r);

struct ProbeTextOptions {
  bool color = false;
  bool verbose = false;  // evidence under passing findings too
};
// probe_to_text: the table a mail operator reads (protocols; suites in server
// order with bits and forward secrecy; key exchange; certificate; findings).
std::string probe_to_text(const engine::ProbeResult& r, const ProbeTextOptions& options);

}  // namespace smtpeer::report
