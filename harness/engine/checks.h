// Checks: pure functions over what was observed. The step machine records a
// ReplyObservation for every expect step and asks these functions whether it
// matches; nothing here does I/O, so checks are unit-tested on recorded
// observations and a transcript can be judged again offline.
#pragma once

#include <optional>
#include <string>

#include "scenario/model.h"
#include "smtp/ehlo_parser.h"
#include "smtp/reply_parser.h"

namespace smtpeer::engine {

// ReplyObservation: the outcome of waiting for one reply.
struct ReplyObservation {
  std::optional<smtp::Reply> reply;  // a complete reply, if one arrived
  bool closed = false;               // the peer closed or reset instead
  bool timeout = false;              // the deadline passed first
  std::string parse_error;           // the bytes were not a valid reply
  bool limit = false;                // the peer sent more than smtpeer accepts per connection
  std::size_t bytes_behind = 0;      // bytes that had arrived behind the reply
  bool in_tls = false;
  std::optional<smtp::EhloInfo> ehlo;  // capabilities, when the reply answers an EHLO
};

// matches: does the observation satisfy the match?
bool matches(const scenario::Match& m, const ReplyObservation& obs);

// condition_holds: a require/when condition, over the profile and the
// capabilities of the last EHLO reply of the current TLS state (nullptr: none yet).
bool condition_holds(const scenario::Condition& c, const scenario::Profile& profile,
                     const smtp::EhloInfo* ehlo);

// describe: one line for summaries, e.g. "220 2.0.0 Ready to start TLS (+22 bytes behind it)".
std::string describe(const ReplyObservation& obs);
// describe: what a match asked for, e.g. "reply 220 arriving alone".
std::string describe(const scenario::Match& m);
// describe: a condition, e.g. "STARTTLS advertised".
std::string describe(const scenario::Condition& c);

}  // namespace smtpeer::engine
