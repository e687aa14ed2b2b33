// parse_command: one SMTP command line from a client (RFC 5321 §4.1), for the
// server role and for transcript import. Also the command table: the facts
// about each verb that the STARTTLS rules depend on.
//
// Pure: no I/O. A line is consumed only when complete; an over-long partial
// line is an error, so a client that never sends CRLF cannot exhaust memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace smtpeer::smtp {

// Verb: the commands smtpeer knows; the command table (command_parser.cc)
// has one row per verb, in this order.
// clang-format off
enum class Verb {
  kEhlo, kHelo, kMail, kRcpt, kData, kBdat, kRset, kNoop, kQuit,
  kVrfy, kExpn, kHelp, kStarttls, kAuth, kUnknown,
};
// clang-format on

std::string_view to_string(Verb verb);

// CommandInfo: one row of the command table.
struct CommandInfo {
  Verb verb;
  std::string_view name;
  // RFC 3207 §4: a server that requires TLS answers 530 to every command
  // "other than NOOP, EHLO, STARTTLS, or QUIT".
  bool allowed_before_tls;
  // RFC 2920 §3.1: "EHLO, DATA, VRFY, EXPN, TURN, QUIT, and NOOP" (and
  // RFC 3207 §4 / RFC 4954 §4: STARTTLS, AUTH) may only appear as the last
  // command in a pipelined group.
  bool ends_group;
  // takes_args: whether arguments are allowed at all (STARTTLS: RFC 3207 §4
  // "The STARTTLS keyword is used ... without parameters").
  bool takes_args;
};

// command_info: the table row for a verb (kUnknown has a row too).
const CommandInfo& command_info(Verb verb);
// verb_from_name: case-insensitive lookup; kUnknown if not in the table.
Verb verb_from_name(std::string_view name);

struct Command {
  Verb verb = Verb::kUnknown;
  std::string verb_text;       // the verb as sent (original case)
  std::string args;            // after the first run of SP, without the line end (NULs kept)
  bool has_separator = false;  // a SP (or more) followed the verb, even with empty args
  bool bare_lf = false;        // line ended in LF without CR
  std::string raw;             // exact bytes of the line, terminator included
};

struct CommandLimits {
  std::size_t max_line = 4096;  // RFC 5321 §4.5.3.1.4 says 512; accept more, bounded
  bool accept_bare_lf = true;
};

struct CommandParse {
  enum class State { kNeedMore, kCommand, kError } state = State::kNeedMore;
  std::size_t consumed = 0;  // bytes of the line (kCommand) or 0
  Command command;
  std::string error;  // for kError
};

// parse_command: the first command line at the front of `in`. The verb is
// everything up to the first SP (only SP separates: "STARTTLS\t" is an unknown
// verb). kNeedMore while no line end has arrived; kError for a partial line
// of max_line bytes or more, or a bare LF when it is not accepted.
CommandParse parse_command(std::string_view in, const CommandLimits& limits = {});

}  // namespace smtpeer::smtp
