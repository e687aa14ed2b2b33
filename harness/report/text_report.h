// render_text: the report a person reads at the end of `smtpeer run`.
//
// Written for a mail operator who has not read smtpeer's documentation. For
// each run:
//   Target 127.0.0.1:25 · profile opportunistic-mx · 14 connections · 4.2 s · started ...
//   a table, one row per scenario: RESULT, SCENARIO (id), CATALOGUE (rows of
//     the catalogue it covers), CLAUSE, SUMMARY (wrapped); skipped scenarios
//     are rows only in verbose mode, otherwise counted in one line
//   a block per FAIL and ERROR: id and title, "clause: RFC 3207 §4.2", the
//     requirement quoted, what happened, notes, the step that decided it
//     (counting from 1) and the evidence in wire order:
//       "  C: STARTTLS\r\nRSET\r\n", "  S[tls]: 250 2.0.0 Ok\r\n", "  *: TLS handshake ok"
//     cut after evidence_lines lines with a pointer to the JSONL transcript
//   "N passed, N failed, N skipped, N errors"
// and, when there are several runs, a last line of the same form over all.
//
// No line is wider than `width` columns. Every string is passed through
// terminal_safe (display_text.h): a hostile peer cannot drive the terminal.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/verdict.h"

namespace smtpeer::report {

struct TextOptions {
  bool color = false;               // ANSI colours for the verdict words
  bool verbose = false;             // list skipped scenarios with their reasons
  bool hide_passes = false;         // count passed scenarios instead of listing them (the
                                    // built-in demo); verbose lists them anyway
  std::size_t evidence_lines = 24;  // evidence lines shown per verdict; 0: all
  std::size_t width = 120;          // maximum line width in columns
};

std::string render_text(const std::vector<engine::RunReport>& runs, const TextOptions& options);

}  // namespace smtpeer::report
