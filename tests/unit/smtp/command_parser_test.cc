#include "smtp/command_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace smtpeer::smtp {
namespace {

using namespace std::string_view_literals;
using State = CommandParse::State;

struct CommandCase {
  const char* name;
  std::string_view input;
  State state = State::kCommand;
  std::size_t consumed = 0;
  Verb verb = Verb::kUnknown;
  std::string verb_text;
  std::string args;
  bool has_separator = false;
  bool bare_lf = false;
  std::string error;
  CommandLimits limits = {};
};

std::ostream& operator<<(std::ostream& os, const CommandCase& c) {
  return os << c.name;
}

CommandLimits max_line(std::size_t n) {
  CommandLimits l;
  l.max_line = n;
  return l;
}
CommandLimits no_bare_lf() {
  CommandLimits l;
  l.accept_bare_lf = false;
  return l;
}

const CommandCase kCases[] = {
    {.name = "ehlo",
     .input = "EHLO client.example\r\n",
     .consumed = 21,
     .verb = Verb::kEhlo,
     .verb_text = "EHLO",
     .args = "client.example",
     .has_separator = true},
    {.name = "starttls",
     .input = "STARTTLS\r\n",
     .consumed = 10,
     .verb = Verb::kStarttls,
     .verb_text = "STARTTLS"},
    {.name = "starttls_lower_case",
     .input = "starttls\r\n",
     .consumed = 10,
     .verb = Verb::kStarttls,
     .verb_text = "starttls"},
    {.name = "starttls_mixed_case",
     .input = "StartTls\r\n",
     .consumed = 10,
     .verb = Verb::kStarttls,
     .verb_text = "StartTls"},
    // SCENARIOS.md S6: "STARTTLS \r\n" has a separator but no arguments.
    {.name = "starttls_trailing_space",
     .input = "STARTTLS \r\n",
     .consumed = 11,
     .verb = Verb::kStarttls,
     .verb_text = "STARTTLS",
     .has_separator = true},
    {.name = "starttls_with_params",
     .input = "STARTTLS A=B\r\n",
     .consumed = 14,
     .verb = Verb::kStarttls,
     .verb_text = "STARTTLS",
     .args = "A=B",
     .has_separator = true},
    {.name = "starttls_bare_lf",
     .input = "STARTTLS\n",
     .consumed = 9,
     .verb = Verb::kStarttls,
     .verb_text = "STARTTLS",
     .bare_lf = true},
    {.name = "bare_lf_rejected",
     .input = "STARTTLS\n",
     .state = State::kError,
     .error = "bare LF (command line ends without CR)",
     .limits = no_bare_lf()},
    {.name = "only_first_line_consumed",
     .input = "STARTTLS\r\nRSET\r\n",
     .consumed = 10,
     .verb = Verb::kStarttls,
     .verb_text = "STARTTLS"},
    {.name = "mail_from",
     .input = "MAIL FROM:<a@example.org> SIZE=100\r\n",
     .consumed = 36,
     .verb = Verb::kMail,
     .verb_text = "MAIL",
     .args = "FROM:<a@example.org> SIZE=100",
     .has_separator = true},
    {.name = "run_of_spaces_skipped",
     .input = "RCPT   TO:<b@x> \r\n",
     .consumed = 18,
     .verb = Verb::kRcpt,
     .verb_text = "RCPT",
     .args = "TO:<b@x> ",
     .has_separator = true},
    {.name = "nul_in_args_kept",
     .input = "EHLO a\0b\r\n"sv,
     .consumed = 10,
     .verb = Verb::kEhlo,
     .verb_text = "EHLO",
     .args = std::string("a\0b", 3),
     .has_separator = true},
    {.name = "auth_plain",
     .input = "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n",
     .consumed = 33,
     .verb = Verb::kAuth,
     .verb_text = "AUTH",
     .args = "PLAIN AGFsaWNlAHNlY3JldA==",
     .has_separator = true},
    {.name = "unknown_verb",
     .input = "XYZZY plugh\r\n",
     .consumed = 13,
     .verb = Verb::kUnknown,
     .verb_text = "XYZZY",
     .args = "plugh",
     .has_separator = true},
    {.name = "tab_is_not_a_separator",
     .input = "NOOP\tx\r\n",
     .consumed = 8,
     .verb = Verb::kUnknown,
     .verb_text = "NOOP\tx"},
    {.name = "empty_line", .input = "\r\n", .consumed = 2, .verb = Verb::kUnknown},
    {.name = "verb_prefix_is_unknown",
     .input = "STARTTLSX\r\n",
     .consumed = 11,
     .verb = Verb::kUnknown,
     .verb_text = "STARTTLSX"},
    {.name = "cr_cr_lf_keeps_cr",
     .input = "QUIT\r\r\n",
     .consumed = 7,
     .verb = Verb::kUnknown,
     .verb_text = "QUIT\r"},
    {.name = "partial", .input = "STARTTL", .state = State::kNeedMore},
    {.name = "partial_cr", .input = "STARTTLS\r", .state = State::kNeedMore},
    {.name = "empty", .input = "", .state = State::kNeedMore},
    {.name = "line_at_max",
     .input = "NOOP 1234\r\n",
     .consumed = 11,
     .verb = Verb::kNoop,
     .verb_text = "NOOP",
     .args = "1234",
     .has_separator = true,
     .limits = max_line(11)},
    {.name = "line_over_max",
     .input = "NOOP 12345\r\n",
     .state = State::kError,
     .error = "command line exceeds 11 bytes without a line end",
     .limits = max_line(11)},
    {.name = "partial_line_over_max",
     .input = "NOOP 123456789",
     .state = State::kError,
     .error = "command line exceeds 11 bytes without a line end",
     .limits = max_line(11)},
};

class CommandParserCase : public ::testing::TestWithParam<CommandCase> {};

TEST_P(CommandParserCase, Parses) {
  const CommandCase& c = GetParam();
  const CommandParse got = parse_command(c.input, c.limits);
  EXPECT_EQ(got.state, c.state);
  EXPECT_EQ(got.consumed, c.consumed);
  EXPECT_EQ(got.error, c.error);
  if (c.state != State::kCommand) return;
  EXPECT_EQ(got.command.verb, c.verb) << to_string(got.command.verb);
  EXPECT_EQ(got.command.verb_text, c.verb_text);
  EXPECT_EQ(got.command.args, c.args);
  EXPECT_EQ(got.command.has_separator, c.has_separator);
  EXPECT_EQ(got.command.bare_lf, c.bare_lf);
  EXPECT_EQ(got.command.raw, c.input.substr(0, c.consumed));
}

// The same line arriving one byte at a time: kNeedMore until the LF, then the
// same command (or the same error once max_line bytes are there).
TEST_P(CommandParserCase, OneByteAtATime) {
  const CommandCase& c = GetParam();
  const CommandParse whole = parse_command(c.input, c.limits);
  CommandParse got;
  for (std::size_t n = 0; n <= c.input.size(); ++n) {
    got = parse_command(c.input.substr(0, n), c.limits);
    if (got.state != State::kNeedMore) break;
  }
  EXPECT_EQ(got.state, whole.state);
  EXPECT_EQ(got.consumed, whole.consumed);
  EXPECT_EQ(got.error, whole.error);
  EXPECT_EQ(got.command.raw, whole.command.raw);
  EXPECT_EQ(got.command.args, whole.command.args);
}

INSTANTIATE_TEST_SUITE_P(Cases, CommandParserCase, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CommandParser, MebibyteLineWithoutCrlf) {
  const std::string in(1 << 20, 'A');
  const CommandParse got = parse_command(in);
  EXPECT_EQ(got.state, State::kError);
  EXPECT_EQ(got.error, "command line exceeds 4096 bytes without a line end");
}

struct TableRow {
  Verb verb;
  const char* name;
  bool allowed_before_tls;
  bool ends_group;
  bool takes_args;
};

// The facts the STARTTLS checks rely on, restated so that a change to the
// table has to be made twice (RFC 3207 §4, RFC 2920 §3.1, RFC 4954 §4).
const TableRow kTable[] = {
    {Verb::kEhlo, "EHLO", true, true, true},          {Verb::kHelo, "HELO", false, false, true},
    {Verb::kMail, "MAIL", false, false, true},        {Verb::kRcpt, "RCPT", false, false, true},
    {Verb::kData, "DATA", false, true, false},        {Verb::kBdat, "BDAT", false, false, true},
    {Verb::kRset, "RSET", false, false, false},       {Verb::kNoop, "NOOP", true, true, true},
    {Verb::kQuit, "QUIT", true, true, false},         {Verb::kVrfy, "VRFY", false, true, true},
    {Verb::kExpn, "EXPN", false, true, true},         {Verb::kHelp, "HELP", false, false, true},
    {Verb::kStarttls, "STARTTLS", true, true, false}, {Verb::kAuth, "AUTH", false, true, true},
};

TEST(CommandTable, RowsMatchTheRfcs) {
  for (const auto& row : kTable) {
    SCOPED_TRACE(row.name);
    const CommandInfo& info = command_info(row.verb);
    EXPECT_EQ(info.verb, row.verb);
    EXPECT_EQ(info.name, row.name);
    EXPECT_EQ(to_string(row.verb), row.name);
    EXPECT_EQ(info.allowed_before_tls, row.allowed_before_tls);
    EXPECT_EQ(info.ends_group, row.ends_group);
    EXPECT_EQ(info.takes_args, row.takes_args);
    EXPECT_EQ(verb_from_name(row.name), row.verb);
  }
}

TEST(CommandTable, LookupIsCaseInsensitive) {
  EXPECT_EQ(verb_from_name("starttls"), Verb::kStarttls);
  EXPECT_EQ(verb_from_name("eHlO"), Verb::kEhlo);
  EXPECT_EQ(verb_from_name(""), Verb::kUnknown);
  EXPECT_EQ(verb_from_name("UNKNOWN"), Verb::kUnknown);
  EXPECT_EQ(verb_from_name("TURN"), Verb::kUnknown);
  EXPECT_EQ(command_info(Verb::kUnknown).verb, Verb::kUnknown);
  EXPECT_EQ(to_string(Verb::kUnknown), "UNKNOWN");
}

}  // namespace
}  // namespace smtpeer::smtp
