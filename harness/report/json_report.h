// to_json: the machine-readable report of a run. This is a public format:
// CI jobs and dashboards parse it, and sharded runs are merged from it, so
// keys are only ever added, never renamed or removed.
//
// One run (to_json(const RunReport&)), keys in this order:
//   "tool"          "smtpeer"
//   "version"       smtpeer's version, e.g. "0.1.0"
//   "target"        what was tested: "host:port", or "builtin:<peer>"
//   "profile"       the policy profile the run judged against
//   "started_at"    ISO 8601 UTC, e.g. "2024-05-01T12:00:00Z"
//   "duration_ms"   integer, wall time of the whole run
//   "connections"   integer, TCP connections the run opened in total
//   "interrupted"   bool, the run was stopped early; results are partial
//   "totals"        {"pass": n, "fail": n, "skip": n, "error": n}
//   "scenarios"     array, one object per scenario, in run order:
//     "id"            scenario id, e.g. "rfc3207-s1-pipelined-rset"
//     "title"         one-line title
//     "catalogue"     array of catalogue rows it covers, e.g. ["S1"]
//     "tags"          array of tags
//     "verdict"       "pass" | "fail" | "skip" | "error"
//                     (fail: the peer broke the RFC or profile; error:
//                     smtpeer could not run the scenario)
//     "clause"        the clause cited, e.g. "RFC 3207 §4.2"
//     "requirement"   the quoted requirement
//     "summary"       one line: what happened (for skip: why it did not apply)
//     "notes"         array of remarks that did not change the verdict
//     "evidence"      array of {"who": "C"|"S"|"*", "tls": bool, "text": escaped bytes
//                     or a description}, in wire order
//     "failed_step"   0-based index of the step that decided a fail, or null
//     "connections"   integer, TCP connections this scenario used
//     "retries"       integer, retries after a 421 rate-limit greeting
//     "duration_ms"   integer
//
// Several runs (one per target, or shards) (to_json(const std::vector<RunReport>&)):
//   {"runs": [<one run, as above>, ...]}
//
// Text is UTF-8; bytes that are not valid UTF-8 are replaced by U+FFFD
// (evidence bytes are escaped ASCII, so they are never affected). The
// transcripts are not part of the report; they are written as JSONL files
// (transcript/jsonl_recorder.h). Output ends in a newline.
#pragma once

#include <string>
#include <vector>

#include "engine/verdict.h"

namespace smtpeer::report {

std::string to_json(const engine::RunReport& run);
std::string to_json(const std::vector<engine::RunReport>& runs);

}  // namespace smtpeer::report
