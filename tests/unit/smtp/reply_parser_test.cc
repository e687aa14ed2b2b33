// ReplyParser: every case is run twice, on the whole buffer and one byte at a
// time (STYLE.md 13), and both runs must agree with the expectation.
#include "smtp/reply_parser.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "dump.h"

namespace smtpeer::smtp {
namespace {

using namespace std::string_view_literals;
using State = ReplyParser::State;

struct ReplyCase {
  const char* name;
  std::string_view input;
  State state = State::kReply;
  std::size_t consumed = 0;  // total over the feeds, up to the first reply or the error
  int code = 0;
  std::vector<std::string> lines;
  std::optional<EnhancedCode> enhanced;
  bool mixed_codes = false;
  bool bare_lf = false;
  std::string error;  // exact error message, for kError
  ReplyLimits limits = {};
};

std::ostream& operator<<(std::ostream& os, const ReplyCase& c) {
  return os << c.name;
}

ReplyLimits small_lines(std::size_t max_line) {
  ReplyLimits l;
  l.max_line = max_line;
  return l;
}
ReplyLimits few_lines(std::size_t max_lines) {
  ReplyLimits l;
  l.max_lines = max_lines;
  return l;
}
ReplyLimits reject_bare_lf() {
  ReplyLimits l;
  l.bare_lf = BareLf::kReject;
  return l;
}

const std::string k600ByteLine = "250 " + std::string(594, 'x') + "\r\n";

const ReplyCase kCases[] = {
    // Well-formed replies.
    {.name = "greeting",
     .input = "220 mail.example.com ESMTP Postfix\r\n",
     .consumed = 36,
     .code = 220,
     .lines = {"mail.example.com ESMTP Postfix"}},
    {.name = "multiline",
     .input = "250-mail.example.com\r\n250-PIPELINING\r\n250 STARTTLS\r\n",
     .consumed = 52,
     .code = 250,
     .lines = {"mail.example.com", "PIPELINING", "STARTTLS"}},
    {.name = "bare_code_is_last_line",
     .input = "250\r\n",
     .consumed = 5,
     .code = 250,
     .lines = {""}},
    {.name = "code_space_no_text", .input = "250 \r\n", .consumed = 6, .code = 250, .lines = {""}},
    {.name = "unusual_code_accepted",
     .input = "600 odd\r\n",
     .consumed = 9,
     .code = 600,
     .lines = {"odd"}},
    {.name = "text_keeps_nul",
     .input = "250 a\0b\r\n"sv,
     .consumed = 9,
     .code = 250,
     .lines = {std::string("a\0b", 3)}},
    {.name = "text_keeps_8bit",
     .input = "250 caf\xc3\xa9\r\n",
     .consumed = 11,
     .code = 250,
     .lines = {"caf\xc3\xa9"}},
    {.name = "lone_cr_is_text",
     .input = "250 a\rb\r\n",
     .consumed = 9,
     .code = 250,
     .lines = {"a\rb"}},
    // Only the CR right before LF is the terminator; an extra CR is evidence.
    {.name = "cr_cr_lf_keeps_one_cr",
     .input = "250 x\r\r\n",
     .consumed = 8,
     .code = 250,
     .lines = {"x\r"}},
    {.name = "bytes_behind_reply_not_consumed",
     .input = "220 Ready\r\n250 injected\r\n",
     .consumed = 11,
     .code = 220,
     .lines = {"Ready"}},
    {.name = "starttls_injection_multiline_behind",
     .input = "220 2.0.0 Ready to start TLS\r\n250-x\r\n250 AUTH LOGIN\r\n",
     .consumed = 30,
     .code = 220,
     .lines = {"2.0.0 Ready to start TLS"},
     .enhanced = EnhancedCode{2, 0, 0}},

    // Enhanced status codes (RFC 3463).
    {.name = "enhanced_5_7_1",
     .input = "550 5.7.1 Relaying denied\r\n",
     .consumed = 27,
     .code = 550,
     .lines = {"5.7.1 Relaying denied"},
     .enhanced = EnhancedCode{5, 7, 1}},
    {.name = "enhanced_alone",
     .input = "250 2.0.0\r\n",
     .consumed = 11,
     .code = 250,
     .lines = {"2.0.0"},
     .enhanced = EnhancedCode{2, 0, 0}},
    {.name = "enhanced_three_digit_parts",
     .input = "451 4.123.999 x\r\n",
     .consumed = 17,
     .code = 451,
     .lines = {"4.123.999 x"},
     .enhanced = EnhancedCode{4, 123, 999}},
    {.name = "enhanced_from_first_line_only",
     .input = "250-first\r\n250 2.1.0 second\r\n",
     .consumed = 29,
     .code = 250,
     .lines = {"first", "2.1.0 second"}},
    {.name = "enhanced_class_3_is_not",
     .input = "354 3.0.0 go\r\n",
     .consumed = 14,
     .code = 354,
     .lines = {"3.0.0 go"}},
    {.name = "enhanced_four_digits_is_not",
     .input = "250 2.0.1000 x\r\n",
     .consumed = 16,
     .code = 250,
     .lines = {"2.0.1000 x"}},
    {.name = "enhanced_glued_text_is_not",
     .input = "250 2.0.0ok\r\n",
     .consumed = 13,
     .code = 250,
     .lines = {"2.0.0ok"}},
    {.name = "enhanced_missing_part_is_not",
     .input = "250 2.0 ok\r\n",
     .consumed = 12,
     .code = 250,
     .lines = {"2.0 ok"}},

    // Bare LF.
    {.name = "bare_lf_accepted_and_flagged",
     .input = "250-a\n250 b\r\n",
     .consumed = 13,
     .code = 250,
     .lines = {"a", "b"},
     .bare_lf = true},
    {.name = "bare_lf_rejected",
     .input = "250-a\r\n250 b\n",
     .state = State::kError,
     .consumed = 7,
     .error = "line 2: bare LF (line ends without CR)",
     .limits = reject_bare_lf()},

    // Hostile replies (SCENARIOS.md C15).
    {.name = "c15_empty_continuation_250",
     .input = "250-\r\n250\r\n",
     .consumed = 11,
     .code = 250,
     .lines = {"", ""}},
    {.name = "c15_empty_continuation_553",
     .input = "553-\r\n553\r\n",
     .consumed = 11,
     .code = 553,
     .lines = {"", ""}},
    {.name = "c15_mixed_codes",
     .input = "250-a\r\n550 b\r\n",
     .consumed = 14,
     .code = 550,
     .lines = {"a", "b"},
     .mixed_codes = true},
    {.name = "c15_600_byte_line_default_limits",
     .input = k600ByteLine,
     .consumed = 600,
     .code = 250,
     .lines = {std::string(594, 'x')}},
    {.name = "c15_600_byte_line_limit_512",
     .input = k600ByteLine,
     .state = State::kError,
     .consumed = 0,
     .error = "line 1: line exceeds 512 bytes without a line end",
     .limits = small_lines(512)},
    {.name = "c15_no_crlf_ever", .input = "250 waiting", .state = State::kNeedMore, .consumed = 0},

    // Incomplete input.
    {.name = "empty_input", .input = "", .state = State::kNeedMore},
    {.name = "partial_code", .input = "25", .state = State::kNeedMore},
    {.name = "complete_lines_of_partial_reply_consumed",
     .input = "250-a\r\n250 b",
     .state = State::kNeedMore,
     .consumed = 7},
    {.name = "cr_without_lf_waits", .input = "250 ok\r", .state = State::kNeedMore},

    // Length limit: max_line counts the terminator.
    {.name = "line_exactly_max_line",
     .input = "250 abcd\r\n",
     .consumed = 10,
     .code = 250,
     .lines = {"abcd"},
     .limits = small_lines(10)},
    {.name = "line_one_over_max_line",
     .input = "250 abcde\r\n",
     .state = State::kError,
     .error = "line 1: line exceeds 10 bytes without a line end",
     .limits = small_lines(10)},
    {.name = "partial_line_reaching_max_line",
     .input = "250-a\r\n250 abcdef",
     .state = State::kError,
     .consumed = 7,
     .error = "line 2: line exceeds 10 bytes without a line end",
     .limits = small_lines(10)},

    // Line-count limit.
    {.name = "lines_at_limit",
     .input = "250-a\r\n250 b\r\n",
     .consumed = 14,
     .code = 250,
     .lines = {"a", "b"},
     .limits = few_lines(2)},
    {.name = "lines_over_limit",
     .input = "250-a\r\n250-b\r\n250 c\r\n",
     .state = State::kError,
     .consumed = 14,
     .error = "line 3: reply exceeds 2 lines",
     .limits = few_lines(2)},

    // Not a reply line.
    {.name = "code_with_letter",
     .input = "250-a\r\n25x ok\r\n",
     .state = State::kError,
     .consumed = 7,
     .error = "line 2: expected 3-digit reply code, got \"25x\""},
    {.name = "code_four_digits",
     .input = "2500 ok\r\n",
     .state = State::kError,
     .error = "line 1: expected 3-digit reply code, got \"2500\""},
    {.name = "code_two_digits",
     .input = "25 ok\r\n",
     .state = State::kError,
     .error = "line 1: expected 3-digit reply code, got \"25\""},
    {.name = "code_then_tab",
     .input = "250\tok\r\n",
     .state = State::kError,
     .error = "line 1: expected 3-digit reply code, got \"250\\x09ok\""},
    {.name = "empty_line",
     .input = "\r\n",
     .state = State::kError,
     .error = "line 1: expected 3-digit reply code, got \"\""},
    {.name = "leading_space",
     .input = " 250 ok\r\n",
     .state = State::kError,
     .error = "line 1: expected 3-digit reply code, got \"\""},
    {.name = "plain_text",
     .input = "hello world\r\n",
     .state = State::kError,
     .error = "line 1: expected 3-digit reply code, got \"hello\""},
    {.name = "tls_record_instead_of_reply",
     .input = "\x16\x03\x01\x00\x05hello\n"sv,
     .state = State::kError,
     .error = "line 1: expected 3-digit reply code, got \"\\x16\\x03\\x01\\x00\\x05hello\""},
    {.name = "long_garbage_token_truncated",
     .input = "abcdefghijklmnopqrstuvwxyz\r\n",
     .state = State::kError,
     .error =
         "line 1: expected 3-digit reply code, got \"abcdefghijklmnop\xe2\x80\xa6(+10 bytes)\""},
};

// Outcome: what the parser made of the front of a stream, up to the first
// reply or error, however the bytes were delivered.
struct Outcome {
  State state = State::kNeedMore;
  std::size_t consumed = 0;
  Reply reply;
  std::string error;
};

Outcome feed_whole(std::string_view in, const ReplyLimits& limits) {
  ReplyParser parser(limits);
  const auto step = parser.feed(in);
  Outcome out{step.state, step.consumed, {}, parser.error()};
  if (step.state == State::kReply) out.reply = parser.take();
  return out;
}

// feed_bytewise: a transport that delivers one byte per read.
Outcome feed_bytewise(std::string_view in, const ReplyLimits& limits) {
  ReplyParser parser(limits);
  Outcome out;
  std::string buffer;
  for (const char byte : in) {
    buffer += byte;
    const auto step = parser.feed(buffer);
    buffer.erase(0, step.consumed);
    out.consumed += step.consumed;
    out.state = step.state;
    if (step.state != State::kNeedMore) break;
  }
  out.error = parser.error();
  if (out.state == State::kReply) out.reply = parser.take();
  return out;
}

void expect_matches(const ReplyCase& c, const Outcome& got) {
  EXPECT_EQ(got.state, c.state);
  EXPECT_EQ(got.consumed, c.consumed);
  EXPECT_EQ(got.error, c.error);
  if (c.state != State::kReply) return;
  EXPECT_EQ(got.reply.code, c.code);
  EXPECT_EQ(got.reply.lines, c.lines);
  EXPECT_EQ(got.reply.enhanced, c.enhanced);
  EXPECT_EQ(got.reply.mixed_codes, c.mixed_codes);
  EXPECT_EQ(got.reply.bare_lf, c.bare_lf);
  EXPECT_EQ(got.reply.raw, c.input.substr(0, c.consumed));
}

class ReplyParserCase : public ::testing::TestWithParam<ReplyCase> {};

TEST_P(ReplyParserCase, WholeBuffer) {
  expect_matches(GetParam(), feed_whole(GetParam().input, GetParam().limits));
}

TEST_P(ReplyParserCase, OneByteAtATime) {
  expect_matches(GetParam(), feed_bytewise(GetParam().input, GetParam().limits));
}

TEST_P(ReplyParserCase, StreamDumpsAgree) {
  // The whole stream, every reply in it: the dumps must agree exactly.
  EXPECT_EQ(testing::run_reply_stream_bytewise(GetParam().input, GetParam().limits),
            testing::run_reply_stream(GetParam().input, GetParam().limits));
}

INSTANTIATE_TEST_SUITE_P(Cases, ReplyParserCase, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ReplyParser, ParsesConsecutiveReplies) {
  const std::string_view in = "250-a\r\n250 b\r\n221 2.0.0 Bye\r\n";
  ReplyParser parser;
  auto step = parser.feed(in);
  ASSERT_EQ(step.state, State::kReply);
  EXPECT_EQ(step.consumed, 14u);
  const Reply first = parser.take();
  EXPECT_EQ(first.text(), "a\nb");

  step = parser.feed(in.substr(14));
  ASSERT_EQ(step.state, State::kReply);
  EXPECT_EQ(step.consumed, 15u);
  const Reply second = parser.take();
  EXPECT_EQ(second.code, 221);
  EXPECT_EQ(second.klass(), 2);
  EXPECT_EQ(second.enhanced, (EnhancedCode{2, 0, 0}));
  EXPECT_FALSE(second.mixed_codes);  // mixed_codes does not leak from one reply into the next

  EXPECT_EQ(parser.feed("").state, State::kNeedMore);
}

TEST(ReplyParser, UntakenReplyBlocksFurtherInput) {
  ReplyParser parser;
  ASSERT_EQ(parser.feed("220 a\r\n").state, State::kReply);
  const auto again = parser.feed("250 b\r\n");
  EXPECT_EQ(again.state, State::kReply);
  EXPECT_EQ(again.consumed, 0u);
  EXPECT_EQ(parser.take().code, 220);
  EXPECT_EQ(parser.feed("250 b\r\n").state, State::kReply);
  EXPECT_EQ(parser.take().code, 250);
}

TEST(ReplyParser, ErrorIsStickyUntilReset) {
  ReplyParser parser;
  ASSERT_EQ(parser.feed("xyz\r\n").state, State::kError);
  const auto again = parser.feed("250 ok\r\n");
  EXPECT_EQ(again.state, State::kError);
  EXPECT_EQ(again.consumed, 0u);
  EXPECT_EQ(parser.error(), "line 1: expected 3-digit reply code, got \"xyz\"");
  parser.reset();
  EXPECT_EQ(parser.error(), "");
  EXPECT_EQ(parser.feed("250 ok\r\n").state, State::kReply);
  EXPECT_EQ(parser.take().lines, std::vector<std::string>{"ok"});
}

TEST(ReplyParser, ResetForgetsPartialReply) {
  ReplyParser parser;
  EXPECT_EQ(parser.feed("250-a\r\n").state, State::kNeedMore);
  EXPECT_EQ(parser.lines_so_far(), 1u);
  parser.reset();
  EXPECT_EQ(parser.lines_so_far(), 0u);
  ASSERT_EQ(parser.feed("220 b\r\n").state, State::kReply);
  EXPECT_EQ(parser.take().lines, std::vector<std::string>{"b"});
}

// SCENARIOS.md C15 / "hostile peers": 10^5 continuation lines must end in an
// error at the line limit, not in memory growth or a crash.
TEST(ReplyParser, HundredThousandContinuationLinesHitLineLimit) {
  std::string in;
  for (int i = 0; i < 100000; ++i) in += "250-x\r\n";
  in += "250 end\r\n";
  ReplyParser parser(few_lines(1000));
  const auto step = parser.feed(in);
  EXPECT_EQ(step.state, State::kError);
  EXPECT_EQ(step.consumed, 1000u * 7);
  EXPECT_EQ(parser.error(), "line 1001: reply exceeds 1000 lines");
  EXPECT_EQ(parser.lines_so_far(), 1000u);
}

TEST(ReplyParser, HundredThousandContinuationLinesFedInReads) {
  // The same through 4 KiB reads, as the engine would see them.
  std::string in;
  for (int i = 0; i < 100000; ++i) in += "250-x\r\n";
  ReplyParser parser(few_lines(1000));
  std::string buffer;
  State state = State::kNeedMore;
  for (std::size_t off = 0; off < in.size() && state == State::kNeedMore; off += 4096) {
    buffer.append(in, off, 4096);
    const auto step = parser.feed(buffer);
    buffer.erase(0, step.consumed);
    state = step.state;
  }
  EXPECT_EQ(state, State::kError);
  EXPECT_EQ(parser.error(), "line 1001: reply exceeds 1000 lines");
}

// An endless line without CRLF: the error comes once max_line bytes have
// arrived, without waiting for (or scanning) the rest.
TEST(ReplyParser, MebibyteLineWithoutCrlf) {
  const std::string in = "250 " + std::string(1 << 20, 'a');
  ReplyParser parser;
  const auto step = parser.feed(in);
  EXPECT_EQ(step.state, State::kError);
  EXPECT_EQ(step.consumed, 0u);
  EXPECT_EQ(parser.error(), "line 1: line exceeds 4096 bytes without a line end");

  ReplyParser bytewise;
  std::string buffer;
  std::size_t delivered = 0;
  State state = State::kNeedMore;
  while (state == State::kNeedMore && delivered < in.size()) {
    buffer += in[delivered++];
    state = bytewise.feed(buffer).state;
  }
  EXPECT_EQ(state, State::kError);
  EXPECT_EQ(delivered, 4096u);
}

TEST(ReplyParser, ParseReplyConvenience) {
  const auto reply = parse_reply("250-a\r\n250 b\r\nrest");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->raw, "250-a\r\n250 b\r\n");
  EXPECT_FALSE(parse_reply("250-a\r\n").has_value());
  EXPECT_FALSE(parse_reply("bad\r\n").has_value());
  EXPECT_FALSE(parse_reply("250 a\n", reject_bare_lf()).has_value());
}

TEST(ReplyParser, TextJoinsLines) {
  Reply r;
  EXPECT_EQ(r.text(), "");
  r.lines = {"a"};
  EXPECT_EQ(r.text(), "a");
  r.lines = {"a", "", "c"};
  EXPECT_EQ(r.text(), "a\n\nc");
}

}  // namespace
}  // namespace smtpeer::smtp
