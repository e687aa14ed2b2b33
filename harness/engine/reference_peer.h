// ReferencePeer: smtpeer's own SMTP server, played by the engine's server
// role, for the embedded default (`smtpeer run` with no target) and for the
// tests. One peer is conformant; the others misbehave through named knobs,
// each documented in one line (in the manner of BoringSSL's ProtocolBugs),
// so that the demo shows each misbehaviour caught by the scenario meant for it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace smtpeer::engine {

// PeerCertificate: which certificate of the built-in test PKI a peer presents.
enum class PeerCertificate { kGood, kWrongName, kExpired, kSelfSigned, kRsa1024 };

struct PeerKnobs {
  // execute_pipelined_after_starttls: keep the plaintext that followed STARTTLS
  // in the same read and execute it as if it had arrived inside TLS (CVE-2011-0411 class).
  bool execute_pipelined_after_starttls = false;
  // keep_state_across_starttls: keep the EHLO name and the mail transaction
  // from before TLS (RFC 3207 §4.2 says discard them).
  bool keep_state_across_starttls = false;
  // starttls_after_tls: advertise STARTTLS inside TLS and answer 220 to it again.
  bool starttls_after_tls = false;
  // accept_starttls_parameters: answer 220 to "STARTTLS x" instead of 501.
  bool accept_starttls_parameters = false;
  // skip_tls_enforcement: configured to require TLS, yet MAIL/RCPT/DATA/HELP/VRFY
  // are executed in plaintext.
  bool skip_tls_enforcement = false;
  // accept_empty_ehlo: answer 250 to "EHLO" with no domain.
  bool accept_empty_ehlo = false;
  // hang_after_long_line: after a command line longer than 512 octets, never answer again.
  bool hang_after_long_line = false;
  // starttls_unadvertised: leave STARTTLS out of the EHLO reply, yet answer it with 220.
  bool starttls_unadvertised = false;

  // TLS misbehaviours (T1, T3, T5, S21), for the TLS inventory to catch.
  // allow_tls10: accept TLS 1.0 and 1.1 (RFC 8996 forbids both).
  bool allow_tls10 = false;
  // null_suites: also accept suites without encryption (NULL-SHA and kin).
  bool null_suites = false;
  // certificate: the certificate presented (wrong name, expired, self-signed, 1024-bit RSA).
  PeerCertificate certificate = PeerCertificate::kGood;
  // banner_name: greet with this name instead of the one the certificate is for.
  std::string banner_name;
  // ignore_fallback_scsv: take TLS_FALLBACK_SCSV out of the ClientHello before
  // the TLS stack sees it, so a downgraded hello is served (RFC 7507 §3 says refuse).
  bool ignore_fallback_scsv = false;
};

// PeerSpec: one built-in peer and what the suite must say about it.
struct PeerSpec {
  std::string name;         // e.g. "reference-mx"
  std::string description;  // one line
  PeerKnobs knobs;
  bool require_tls = false;  // 530 before STARTTLS (submission-style listener)
  std::string profile;       // the profile the demo runs it under
  // The scenarios this peer's misbehaviour must fail (by id); empty = all must pass.
  std::vector<std::string> must_fail;
  // Scenarios that may fail too because they test the same misbehaviour (timing-dependent).
  std::vector<std::string> may_fail;
};

const std::vector<PeerSpec>& reference_peers();

// kReferenceHostname: the name the built-in peers greet with and their good
// certificate is for (with IP 127.0.0.1 as a second name).
inline constexpr const char* kReferenceHostname = "reference.smtpeer.invalid";

// reference_ca_pem: the CA of the built-in peers' test PKI (generated once per
// process), for a run to verify their certificates against.
Result<std::string> reference_ca_pem();
const PeerSpec* find_reference_peer(const std::string& name);

class ReferencePeer {
 public:
  // start: listen on 127.0.0.1, a port the kernel picks, and serve in the background.
  static Result<std::unique_ptr<ReferencePeer>> start(const PeerSpec& spec);
  ~ReferencePeer();
  ReferencePeer(const ReferencePeer&) = delete;
  ReferencePeer& operator=(const ReferencePeer&) = delete;

  std::uint16_t port() const;
  // stop: close the listener and every session, and join their threads.
  void stop();

  struct Impl;
  // Key: only start() can make one (a passkey, so make_unique works).
  class Key {
    friend class ReferencePeer;
    Key() = default;
  };
  ReferencePeer(Key, std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace smtpeer::engine
