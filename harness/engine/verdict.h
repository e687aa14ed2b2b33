// Verdict: the judgement on one scenario run, with the clause it cites and the
// evidence that supports it (DESIGN.md decision 2).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "transcript/event.h"

namespace smtpeer::engine {

enum class VerdictKind {
  kPass,   // the peer behaved as the RFC and the profile say
  kFail,   // a finding: the peer broke the RFC or the profile
  kSkip,   // the scenario does not apply (reason in summary)
  kError,  // smtpeer could not run the scenario (unreachable, harness bug); never a peer's fault
};
std::string_view to_string(VerdictKind v);

// EvidenceLine: one line of evidence, e.g. {"S", "220 2.0.0 Ready\\r\\n", false}.
struct EvidenceLine {
  std::string who;   // "C" (smtpeer as client) / "S" (peer as server) / "*" (local)
  std::string text;  // escaped bytes or a description
  bool tls = false;  // inside TLS
};

struct Verdict {
  std::string scenario_id;
  std::string title;
  std::vector<std::string> catalogue;
  std::vector<std::string> tags;
  VerdictKind kind = VerdictKind::kError;
  std::string clause;  // e.g. "RFC 3207 §4.2"
  std::string requirement;
  std::string summary;             // one line: what happened, in a mail operator's words
  std::vector<std::string> notes;  // remarks that did not change the verdict
  std::vector<EvidenceLine> evidence;
  int failed_step = -1;  // 0-based step index that decided a fail, or -1
  int connections = 0;   // TCP connections this scenario used
  int retries = 0;       // times it was retried after a 421 rate-limit greeting
  std::int64_t duration_ms = 0;
  transcript::Transcript transcript;  // the whole record
};

// RunReport: one run of many scenarios against one target.
struct RunReport {
  std::string target;  // "127.0.0.1:25" or "builtin:reference-mx"
  std::string profile;
  std::string started_at;  // ISO 8601 UTC
  std::int64_t duration_ms = 0;
  int connections = 0;       // total TCP connections used
  bool interrupted = false;  // the run was stopped (SIGINT/SIGTERM); results are partial
  std::vector<Verdict> verdicts;

  int count(VerdictKind k) const;
};

}  // namespace smtpeer::engine
