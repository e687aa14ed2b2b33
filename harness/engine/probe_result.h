// ProbeResult: what `smtpeer probe` learned about one STARTTLS server's TLS
// (T1–T7): protocols, suites in server order, key exchange sizes, features,
// the certificate chain, and the findings a profile made of them. Plain data,
// shared by the prober (engine/probe.cc), the policy (engine/tls_policy.cc)
// and the reports (report/probe_report.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/verdict.h"
#include "tls/cert_info.h"

namespace smtpeer::engine {

// SuiteSeen: a suite the server accepted, with what its key exchange showed.
struct SuiteSeen {
  std::uint16_t id = 0;
  int dh_bits = 0;                     // DHE: size of the server's prime
  std::optional<std::uint16_t> group;  // ECDHE (TLS <= 1.2) or TLS 1.3 key share group
};

// ProtocolSeen: one protocol version and what the server did with it.
struct ProtocolSeen {
  std::uint16_t version = 0;
  bool accepted = false;
  std::string answer;  // "ServerHello TLSv1.2", "alert protocol_version", "closed", "ServerHello
                       // TLSv1.0 (lower)"
  std::vector<SuiteSeen> suites;  // accepted suites, in the server's order when it has one
  std::vector<std::uint32_t> sslv2_ciphers;  // SSLv2: the cipher kinds the server listed
  // server_order: true = the server chooses (its order is `suites`), false =
  // it follows the client's order, nullopt = fewer than two suites to tell.
  std::optional<bool> server_order;
  std::optional<std::uint16_t> foreign_suite;  // the server chose a suite that was not offered
};

enum class Tristate { kUnknown, kYes, kNo };
inline std::string_view to_string(Tristate t) {
  return t == Tristate::kYes ? "yes" : t == Tristate::kNo ? "no" : "unknown";
}

// ClientCertTry: one connection presenting one client certificate (T6).
struct ClientCertTry {
  std::string
      name;  // "none", "client-good", "client-wrong-cn", "client-expired", "client-untrusted"
  // accepted: got through the handshake and the first transaction (EHLO,
  // MAIL FROM:<>, RCPT TO:<postmaster@ the banner's name>).
  bool accepted = false;
  std::string detail;  // "refused in the handshake: alert …", "RCPT answered 554 …", "EHLO 250,
                       // MAIL 250, RCPT 250"
};

// SniTry: one hello with an odd server_name (S20).
struct SniTry {
  std::string name;    // "backslash-nul", "oversized", "empty"
  bool clean = false;  // a ServerHello, an alert or a close: not a hang, not garbage
  std::string answer;  // "ServerHello TLSv1.3 …", "alert decode_error", "no answer (timeout)"
};

struct CertificateSeen {
  std::string source;                 // "TLSv1.3 handshake (OpenSSL)", "TLSv1.2 ServerHello flight"
  std::vector<tls::CertFacts> chain;  // leaf first, as sent
  bool chain_verified = false;
  std::string verify_error;   // "" when verified
  std::string ca_file;        // what it was verified against ("" = system store)
  std::string expected_name;  // --expect-name, else the target host when it is a name
  Tristate matches_expected = Tristate::kUnknown;
  std::string banner_name;  // first word of the 220 greeting
  Tristate matches_banner = Tristate::kUnknown;
};

// Finding: one judgement of the profile on the probe (T1–T7), in the same
// shape as a scenario verdict so every report can carry it.
struct Finding {
  std::string check;                      // "T1".."T7", "S21"
  VerdictKind kind = VerdictKind::kPass;  // kFail = breaks the profile; kSkip = not judged
  bool warning = false;                   // a pass with something to watch (certificate expiry)
  std::string clause;                     // "RFC 8996 §2", "profile tls12-strict"
  std::string summary;                    // one line a mail operator understands
  std::vector<std::string> evidence;      // facts: "TLSv1.0 accepted: ServerHello 0x0301 …"
};

struct ProbeResult {
  std::string target;  // "127.0.0.1:25"
  std::string profile;
  std::string started_at;
  std::int64_t duration_ms = 0;
  int connections = 0;
  int rate_limited = 0;  // 421 greetings met (each retried after a pause)
  bool interrupted = false;
  std::string error;     // set when the server could not be probed at all
  std::string greeting;  // the 220 line
  std::string banner_name;
  bool starttls_offered = false;
  // handshake: a full handshake with OpenSSL (as permissive as it allows)
  // completed; kNo with hellos answered means TLS is offered but broken.
  Tristate handshake = Tristate::kUnknown;
  std::string handshake_detail;
  // incomplete: connections that never reached the TLS switch even after
  // retries (a slow greeting, a reset), so a list may be short; the rows
  // that depend on it are errors, not passes.
  std::vector<std::string> incomplete;
  std::vector<ProtocolSeen> protocols;  // SSLv2, SSLv3, TLS 1.0 .. 1.3, in that order
  std::vector<std::uint16_t> groups;    // key exchange groups accepted (ECDHE and TLS 1.3)
  int dh_bits_min = 0;                  // over all DHE suites; 0 = no DHE
  int dh_bits_max = 0;
  Tristate compression = Tristate::kUnknown;           // DEFLATE accepted (CRIME)
  Tristate secure_renegotiation = Tristate::kUnknown;  // renegotiation_info answered (RFC 5746)
  Tristate heartbeat = Tristate::kUnknown;             // heartbeat extension answered (RFC 6520)
  Tristate fallback_scsv = Tristate::kUnknown;  // kYes = alert 86 to a fallback hello (RFC 7507)
  std::string fallback_detail;
  Tristate client_cert_requested = Tristate::kUnknown;
  std::vector<ClientCertTry> client_cert_tries;    // with --client-pki: T6, one connection each
  std::vector<SniTry> sni_tries;                   // S20
  Tristate serves_after_sni = Tristate::kUnknown;  // a normal hello still answered afterwards
  std::vector<CertificateSeen> certificates;       // the main chain first, then other leaves seen
  std::vector<Finding> findings;
  // flights: with ProbeOptions::corpus_dir, the distinct byte streams servers
  // sent back to hellos (at most 64, 64 KiB each); not part of the reports.
  std::vector<std::string> flights;

  const ProtocolSeen* protocol(std::uint16_t version) const;
  std::uint16_t best_version() const;  // highest accepted, 0 if none
};

}  // namespace smtpeer::engine
