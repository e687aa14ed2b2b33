#include "smtp/command_parser.h"

#include <fmt/format.h>

#include <array>

#include "core/ascii.h"
#include "smtp/line_scan.h"

namespace smtpeer::smtp {

namespace {

// The command table. Where the columns come from:
//
// allowed_before_tls, RFC 3207 §4: "A SMTP server that is not publicly
//   referenced may choose to require that the client perform a TLS
//   negotiation before accepting any commands. In this case, the server
//   SHOULD return the reply code: 530 Must issue a STARTTLS command first
//   to every command other than NOOP, EHLO, STARTTLS, or QUIT."
//
// ends_group, RFC 2920 §3.1: "The EHLO, DATA, VRFY, EXPN, TURN, QUIT, and
//   NOOP commands can only appear as the last command in a group since their
//   success or failure produces a change of state which the client SMTP must
//   accommodate." RFC 3207 §4: "If the client is using pipelining as defined
//   in RFC 1854, the STARTTLS command must be the last command in a group."
//   RFC 4954 §4: "When the AUTH command is used together with the
//   [PIPELINING] extension, the AUTH command MUST be the last command in a
//   pipelined group of commands." (Its one exception, a one-round-trip
//   mechanism with an initial response, is for the checks to allow.)
//   HELO is not listed: PIPELINING is only ever negotiated through EHLO.
//
// takes_args, RFC 5321 §4.1.1: "data = "DATA" CRLF", "rset = "RSET" CRLF",
//   "quit = "QUIT" CRLF"; NOOP and HELP take an optional string. RFC 3207 §4:
//   "The format for the STARTTLS command is: STARTTLS with no parameters."
//   An unknown verb is given the benefit of the doubt.
// clang-format off
constexpr std::array<CommandInfo, 15> kCommands{{
    // verb          name        before_tls ends_group takes_args
    {Verb::kEhlo,     "EHLO",     true,      true,      true},
    {Verb::kHelo,     "HELO",     false,     false,     true},
    {Verb::kMail,     "MAIL",     false,     false,     true},
    {Verb::kRcpt,     "RCPT",     false,     false,     true},
    {Verb::kData,     "DATA",     false,     true,      false},
    {Verb::kBdat,     "BDAT",     false,     false,     true},
    {Verb::kRset,     "RSET",     false,     false,     false},
    {Verb::kNoop,     "NOOP",     true,      true,      true},
    {Verb::kQuit,     "QUIT",     true,      true,      false},
    {Verb::kVrfy,     "VRFY",     false,     true,      true},
    {Verb::kExpn,     "EXPN",     false,     true,      true},
    {Verb::kHelp,     "HELP",     false,     false,     true},
    {Verb::kStarttls, "STARTTLS", true,      true,      false},
    {Verb::kAuth,     "AUTH",     false,     true,      true},
    {Verb::kUnknown,  "UNKNOWN",  false,     false,     true},
}};
// clang-format on

// The table is indexed by Verb; keep the rows in enum order.
constexpr bool rows_in_enum_order() {
  for (std::size_t i = 0; i < kCommands.size(); ++i) {
    if (static_cast<std::size_t>(kCommands[i].verb) != i) return false;
  }
  return true;
}
static_assert(rows_in_enum_order(), "kCommands rows must follow the order of enum Verb");
static_assert(kCommands.size() == static_cast<std::size_t>(Verb::kUnknown) + 1);

}  // namespace

std::string_view to_string(Verb verb) {
  return command_info(verb).name;
}

const CommandInfo& command_info(Verb verb) {
  const auto i = static_cast<std::size_t>(verb);
  return i < kCommands.size() ? kCommands[i] : kCommands.back();
}

Verb verb_from_name(std::string_view name) {
  for (const auto& row : kCommands) {
    if (row.verb != Verb::kUnknown && ascii_iequals(row.name, name)) return row.verb;
  }
  return Verb::kUnknown;
}

CommandParse parse_command(std::string_view in, const CommandLimits& limits) {
  CommandParse out;
  const LineScan line = scan_line(in, limits.max_line);
  switch (line.kind) {
    case LineScan::Kind::kPartial: return out;
    case LineScan::Kind::kTooLong:
      out.state = CommandParse::State::kError;
      out.error = fmt::format("command line exceeds {} bytes without a line end", limits.max_line);
      return out;
    case LineScan::Kind::kLine: break;
  }
  if (line.bare_lf && !limits.accept_bare_lf) {
    out.state = CommandParse::State::kError;
    out.error = "bare LF (command line ends without CR)";
    return out;
  }

  Command& cmd = out.command;
  const std::string_view content = line.content;
  const std::size_t sp = content.find(' ');
  cmd.verb_text = std::string(content.substr(0, sp));
  cmd.verb = verb_from_name(cmd.verb_text);
  if (sp != std::string_view::npos) {
    cmd.has_separator = true;
    // RFC 5321 says one SP; clients that send more still mean the same
    // arguments, and a check can see the difference in `raw`.
    const std::size_t args = content.find_first_not_of(' ', sp);
    if (args != std::string_view::npos) cmd.args = std::string(content.substr(args));
  }
  cmd.bare_lf = line.bare_lf;
  cmd.raw = std::string(in.substr(0, line.length));
  out.state = CommandParse::State::kCommand;
  out.consumed = line.length;
  return out;
}

}  // namespace smtpeer::smtp
