// The scenario model: what a scenario file (scenarios/**/*.toml) says, after
// the loader has checked it. One scenario = a header + a list of steps that
// the engine's step machine runs in order over one connection (a `reconnect`
// step opens a new one). The format is documented in scenarios/README.md.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpeer::scenario {

// Outcome: what a step's result does to the scenario.
enum class Outcome {
  kContinue,  // go on with the next step
  kPass,      // end the scenario: pass (an alternative conformant answer)
  kFail,      // end the scenario: fail (a finding)
  kSkip,      // end the scenario: skip (a precondition does not hold)
  kNote,      // record the `why` as a note on the verdict, and go on
};
std::string_view to_string(Outcome o);

// SendPart: a piece of one send step; the parts are concatenated.
struct SendPart {
  enum class Kind {
    kBytes,  // literal bytes (`"..."`, `{ repeat = "a", count = 600 }`, `{ hex = "16 03 01" }`)
    kClientHello,  // `{ tls = "client_hello" }`: the first TLS flight of the next starttls step
  };
  Kind kind = Kind::kBytes;
  std::string bytes;
};

// WritePlan: how the bytes of a send leave (DESIGN.md decision 4).
struct WritePlan {
  std::vector<std::size_t> split_at;  // offsets where a new write() starts (ascending)
  bool bytewise = false;              // one write() per byte
  int delay_ms = 0;                   // pause between writes
};

// Match: what a reply, or the absence of one, must look like. Empty fields do
// not constrain. `closed` and `timeout` match the absence of a reply.
struct Match {
  std::vector<int> codes;                     // any of these codes
  std::vector<int> classes;                   // any of these classes (2..5)
  std::optional<std::string> text;            // the reply text contains this (case-insensitive)
  std::optional<std::string> text_absent;     // the reply text does not contain this
  std::vector<std::string> has_capability;    // EHLO reply advertises each ("AUTH" or "AUTH PLAIN")
  std::vector<std::string> lacks_capability;  // EHLO reply advertises none of these
  bool closed = false;   // matches: the peer closed or reset instead of replying
  bool timeout = false;  // matches: nothing complete arrived before the deadline
  bool any = false;      // matches any complete reply
  bool alone = false;    // additionally: no bytes arrived behind the reply (STARTTLS 220)
  // Server role: the client's command is one of these (case-insensitive): a
  // verb ("EHLO", "MAIL") or a verb and its first argument ("AUTH PLAIN");
  // the match reads one command line.
  std::vector<std::string> commands;
};

// Branch: an alternative answer and what it means.
struct Branch {
  Match match;
  Outcome then = Outcome::kPass;
  std::string why;
};

// TlsOptions: how the starttls step does the handshake (client role).
struct TlsOptions {
  std::string min_version;  // "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"; empty = OpenSSL default
  std::string max_version;
  std::string ciphers;             // OpenSSL cipher list for TLS <= 1.2; empty = default
  std::string ciphersuites;        // TLS 1.3 suites; empty = default
  std::optional<std::string> sni;  // server name to send; nullopt = the target host if a name
  bool verify = false;      // verify the chain against --ca-file and the name against --expect-name
  int security_level = -1;  // OpenSSL security level; -1 = default
  // Server role: the certificate of the test PKI to present: "good",
  // "wrong-name", "expired", "not-yet-valid", "self-signed", "rsa1024",
  // "sha1", "ecdsa"; empty = "good".
  std::string certificate;
  // Server role: instead of an OpenSSL handshake, what OpenSSL will not do
  // (engine/server_session.cc, C9-C11): "export" (a ServerHello picking a
  // 40-bit export suite), "freak" (an offered RSA suite with an export RSA
  // ServerKeyExchange), "tls1.0" / "sslv3" (a ServerHello at that version),
  // "alert" (a fatal handshake_failure alert to the ClientHello), "close"
  // (close the connection at once), "eof" (half-close: end of stream, then
  // watch what the client still writes); empty = a real handshake.
  std::string raw;
};

// Condition: a guard over the profile and what the session has seen.
struct Condition {
  std::vector<std::string> advertised;  // all of these EHLO keywords were advertised (last EHLO)
  std::vector<std::string> not_advertised;  // none of these were
  std::vector<std::string> profile_has;     // the profile carries all of these flags
  std::vector<std::string> profile_lacks;   // the profile carries none of these flags
  bool empty() const {
    return advertised.empty() && not_advertised.empty() && profile_has.empty() &&
           profile_lacks.empty();
  }
};

enum class StepKind {
  kSend,       // send = ...
  kExpect,     // expect = { ... }: read one reply (or close / timeout) and match it
  kSilence,    // expect_silence = MS: nothing may arrive for MS milliseconds
  kClose,      // expect_close = MS: the peer must close within MS (TLS alerts allowed)
  kStarttls,   // starttls = { ... }: TLS handshake on the connection
  kReconnect,  // reconnect = true: close, open a new connection (a new session)
  kRequire,    // require = { ... }: skip the scenario unless the condition holds
};
std::string_view to_string(StepKind k);

struct Step {
  StepKind kind = StepKind::kSend;
  int line = 0;       // line of the [[step]] in the file, for messages
  std::string label;  // optional `label`, shown in progress and evidence
  Condition when;     // run this step only if it holds (else it is passed over)

  // kSend
  std::vector<SendPart> parts;
  WritePlan plan;

  // kExpect / kClose / kStarttls: the deadline for this step
  int timeout_ms = 10000;
  // kExpect
  Match expect;
  std::vector<Branch> alternatives;  // `or = [ { ..., then = "pass", why = "..." } ]`
  // kSilence
  int silence_ms = 0;
  // kStarttls
  TlsOptions tls;

  // kRequire: `require` holds the condition
  Condition require;

  // On mismatch (kExpect), on anything arriving (kSilence), on no close
  // (kClose), on handshake failure (kStarttls), on a false condition (kRequire).
  Outcome on_mismatch = Outcome::kFail;
  std::string why;                    // one line a mail operator understands
  std::optional<std::string> clause;  // overrides the scenario's clause for this step
};

// Scenario: one file.
struct Scenario {
  std::string id;  // unique, e.g. "rfc3207-s1-pipelined-rset"
  std::string title;
  std::vector<std::string> tags;
  std::vector<std::string> catalogue;  // SCENARIOS.md rows, e.g. {"S1"}
  std::string clause;                  // e.g. "RFC 3207 §4.2"
  std::string requirement;             // the quoted RFC sentence
  std::string role = "client";         // "client": the target is a server
  int deadline_ms = 60000;             // the whole scenario, all connections
  std::string disabled;                // non-empty: not run, with this reason
  // probe: "T1".."T7" or "S21": the verdict is the TLS inventory's finding for
  // that row (engine/probe.cc, judged by engine/tls_policy.cc), so a scenario
  // of this kind has no steps. One inventory serves every probe scenario of a run.
  std::string probe;
  std::vector<Step> steps;
  std::string path;  // where it was loaded from
  int id_line = 0;   // where `id` is in `path`, for duplicate-id messages
  int id_column = 0;
};

// Profile: what the operator expects (scenarios/profiles/*.toml). Scenarios
// test its flags through Condition::profile_has / profile_lacks.
//
// Flags used by the catalogue:
//   starttls-offered         STARTTLS must be advertised (S0)
//   tls-required             commands other than NOOP/EHLO/STARTTLS/QUIT get 530 before TLS (S15)
//   plaintext-mail-accepted  a public MX must accept mail without TLS (RFC 3207 §4, S15)
//   no-auth-before-tls       no AUTH PLAIN/LOGIN offered or accepted before TLS (S14)
// CertificatePolicy: what the server certificate must be (T5), `[tls.certificate]`.
struct CertificatePolicy {
  bool verify = false;        // the chain verifies against --ca-file (or the system store)
  bool current = false;       // the validity window holds now (implied by verify)
  bool match_name = false;    // valid for --expect-name (else the target host)
  bool match_banner = false;  // valid for the name in the 220 greeting
  int min_rsa_bits = 0;
  int min_ec_bits = 0;
  bool self_signed = true;  // false: a self-signed leaf is a finding
  bool sha1 = true;         // false: a SHA-1 (or MD5) signature is a finding
  int warn_days = 0;        // a warning when the leaf expires within this many days
};

// TlsPolicy: what a profile expects of a server's TLS (T1–T7, S21), the
// `[tls]` table of a profile, judged by `smtpeer probe` and the tls/ scenarios.
// Unset fields are not judged.
struct TlsPolicy {
  bool present = false;                        // the profile has a [tls] table
  std::vector<std::string> versions;           // allowed: "SSLv2".."TLSv1.3"; empty = any
  std::vector<std::string> required_versions;  // must be accepted
  int min_cipher_bits = 0;
  // forbid: classes of suites that must not be accepted: "export", "null",
  // "anon", "rc4", "3des" (any 64-bit block cipher), "des", "rsa-kx" (no
  // forward secrecy), "cbc".
  std::vector<std::string> forbid;
  std::vector<std::string> suites;  // allowed suites (IANA or OpenSSL names); empty = any
  bool suite_order = false;         // the server chooses, in the order of `suites`
  int min_dh_bits = 0;
  int min_ecdh_bits = 0;
  std::optional<bool> compression;           // required state; false = must be refused
  std::optional<bool> secure_renegotiation;  // true = RFC 5746 must be answered
  std::optional<bool> heartbeat;
  std::optional<bool> fallback_scsv;  // true = alert 86 to a fallback hello (RFC 7507)
  bool client_certificate = false;    // T6: the server requests a client certificate and
                                      // refuses the missing, expired, wrong and untrusted ones
  CertificatePolicy certificate;
};

struct Profile {
  std::string name;
  std::string description;
  std::vector<std::string> flags;
  std::string min_tls_version;  // e.g. "TLSv1.2"; empty = no requirement
  TlsPolicy tls;
  std::string path;
  bool has(std::string_view flag) const;
};

}  // namespace smtpeer::scenario
