// JSONL transcripts: the whole record of one scenario, one event per line,
// so that a run can be judged again offline and diffed with ordinary tools.
//
// Format (one JSON object per line, keys in this order):
//   "t_us"   integer  microseconds since the scenario started
//   "conn"   integer  0-based connection number within the scenario
//   "dir"    string   "sent" (smtpeer -> peer) | "received" | "local"
//   "kind"   string   "connect" | "data" | "tls_records" | "tls" | "timeout" |
//                     "close" | "note"
//   "tls"    bool     the bytes travelled inside TLS
//   "write"  integer  only when known (sent data): index of the write() that
//                     carried the bytes, i.e. the write boundary
//   "bytes"  string   data and tls_records events: the exact bytes, escaped
//                     with escape_bytes (core/bytes.h), never truncated
//   "text"   string   the other kinds: a human-readable description
// An event that carries both bytes and text writes both keys.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "transcript/event.h"

namespace smtpeer::transcript {

// to_jsonl: the transcript as JSONL; every line ends in '\n'.
std::string to_jsonl(const Transcript& transcript);

// parse_jsonl: the inverse of to_jsonl. Blank lines are ignored; anything
// else that is not an event line is an error naming the line number.
[[nodiscard]] Result<Transcript> parse_jsonl(std::string_view jsonl);

// transcript_file_name: "<id>.jsonl", with every character that is not
// [A-Za-z0-9._-] (and a leading dot) replaced by '_', so that a scenario id
// can never name a file outside the transcripts directory.
std::string transcript_file_name(std::string_view scenario_id);

// write_transcript: writes DIR/transcripts/<transcript_file_name(id)>,
// creating the directories, atomically (report/output_file.h).
[[nodiscard]] Status write_transcript(const std::string& dir, const std::string& scenario_id,
                                      const Transcript& transcript);

}  // namespace smtpeer::transcript
