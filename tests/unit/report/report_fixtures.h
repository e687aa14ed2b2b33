// report_fixtures: fixed RunReports shared by the reporter tests, and a
// temporary directory that removes itself. Fixed values only (no clock, no
// randomness): the golden files depend on them.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/verdict.h"

namespace smtpeer::report::testing {

using engine::EvidenceLine;
using engine::RunReport;
using engine::Verdict;
using engine::VerdictKind;

inline Verdict make_verdict(VerdictKind kind, std::string id, std::string title,
                            std::vector<std::string> catalogue, std::string clause,
                            std::string summary) {
  Verdict v;
  v.kind = kind;
  v.scenario_id = std::move(id);
  v.title = std::move(title);
  v.catalogue = std::move(catalogue);
  v.tags = {"rfc3207", "starttls"};
  v.clause = std::move(clause);
  v.summary = std::move(summary);
  v.connections = 1;
  v.duration_ms = 350;
  return v;
}

inline Verdict pass_baseline() {
  return make_verdict(VerdictKind::kPass, "rfc3207-s0-baseline",
                      "Greeting, EHLO and a clean STARTTLS handshake", {"S0"}, "RFC 3207 §4",
                      "STARTTLS offered; the 220 arrived alone; TLSv1.3 handshake completed");
}

inline Verdict fail_pipelined_rset() {
  Verdict v = make_verdict(
      VerdictKind::kFail, "rfc3207-s1-pipelined-rset",
      "Plaintext command pipelined behind STARTTLS", {"S1", "S6"}, "RFC 3207 §4.2",
      "the server executed the RSET that was sent in plaintext in the same packet as STARTTLS, "
      "and answered it inside TLS: an attacker on the path can inject commands that run after "
      "the handshake (STARTTLS command injection, CVE-2011-0411 class)");
  v.requirement =
      "Upon completion of the TLS handshake, the SMTP protocol is reset to the initial state (the "
      "state in SMTP after a server issues a 220 service ready greeting). The server MUST discard "
      "any knowledge obtained from the client, such as the argument to the EHLO command, which "
      "was not obtained from the TLS negotiation itself.";
  v.notes = {
      "the server advertises PIPELINING, so pipelining STARTTLS is allowed; executing "
      "what follows it is not"};
  v.evidence = {
      {"C", "EHLO smtpeer.invalid\\r\\n", false},
      {"S", "250-mx.example.test\\r\\n250-PIPELINING\\r\\n250 STARTTLS\\r\\n", false},
      {"C", "STARTTLS\\r\\nRSET\\r\\n", false},
      {"S", "220 2.0.0 Ready to start TLS\\r\\n", false},
      {"*", "TLS handshake ok TLSv1.3 TLS_AES_256_GCM_SHA384", false},
      {"S", "250 2.0.0 Ok\\r\\n", true},
  };
  v.failed_step = 3;
  v.duration_ms = 1234;
  return v;
}

inline Verdict skip_legal_pipelining() {
  return make_verdict(VerdictKind::kSkip, "rfc3207-s16-legal-pipelining",
                      "EHLO and STARTTLS pipelined (legal)", {"S16"}, "RFC 2920 §3.1",
                      "the server does not advertise PIPELINING, so this check does not apply");
}

inline Verdict error_silence() {
  Verdict v = make_verdict(VerdictKind::kError, "rfc3207-s18-silence-after-220",
                           "Silence after the 220 to STARTTLS", {"S18"}, "RFC 3207 §4",
                           "could not connect to mx.example.test:25: connection refused");
  v.connections = 0;
  v.retries = 2;
  v.duration_ms = 61000;
  return v;
}

inline Verdict pass_literal() {
  Verdict v = make_verdict(VerdictKind::kPass, "smtp-s19-ehlo-address-literal",
                           "EHLO with an address literal", {"S19"}, "RFC 5321 §4.1.1.1",
                           "EHLO [192.0.2.1] and EHLO [IPv6:::1] answered with 250");
  v.tags = {"smtp"};
  v.notes = {"EHLO with 600 octets was accepted; RFC 5321 §4.5.3.1 asks servers to avoid limits"};
  return v;
}

inline RunReport sample_run() {
  RunReport r;
  r.target = "mx.example.test:25";
  r.profile = "opportunistic-mx";
  r.started_at = "2024-05-01T12:00:00Z";
  r.duration_ms = 4213;
  r.connections = 14;
  r.verdicts = {pass_baseline(), fail_pipelined_rset(), skip_legal_pipelining(), error_silence(),
                pass_literal()};
  return r;
}

inline RunReport second_run() {
  RunReport r;
  r.target = "submission.example.test:587";
  r.profile = "submission";
  r.started_at = "2024-05-01T12:00:05Z";
  r.duration_ms = 2500;
  r.connections = 3;
  r.interrupted = true;
  r.verdicts = {pass_baseline(), skip_legal_pipelining()};
  return r;
}

inline std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// TempDir: a fresh directory under the system temp dir, removed with its
// contents at the end of the test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> n{0};
    path_ = std::filesystem::temp_directory_path() /
            ("smtpeer-report-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace smtpeer::report::testing
