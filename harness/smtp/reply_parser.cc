#include "smtp/reply_parser.h"

#include <fmt/format.h>

#include <utility>

#include "core/bytes.h"
#include "smtp/line_scan.h"

namespace smtpeer::smtp {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// ReplyLine: one line split into its code and its text.
struct ReplyLine {
  int code = 0;
  bool last = false;
  std::string_view text;
};

// split_reply_line: RFC 5321 §4.2: "Reply-code [ SP textstring ] CRLF" ends a
// reply, "Reply-code "-" [ textstring ] CRLF" continues it. Any three digits
// are taken as a code: whether 199 or 600 is acceptable is for the checks to
// judge, and they need the reply to judge it.
std::optional<ReplyLine> split_reply_line(std::string_view content) {
  if (content.size() < 3 || !is_digit(content[0]) || !is_digit(content[1]) ||
      !is_digit(content[2])) {
    return std::nullopt;
  }
  ReplyLine line;
  line.code = (content[0] - '0') * 100 + (content[1] - '0') * 10 + (content[2] - '0');
  if (content.size() == 3) {
    // "250" CRLF: RFC 5321 makes the text optional, and a bare code ends the reply.
    line.last = true;
    return line;
  }
  switch (content[3]) {
    case ' ': line.last = true; break;
    case '-': line.last = false; break;
    default: return std::nullopt;  // "2500", "250x", "250\t"
  }
  line.text = content.substr(4);
  return line;
}

// code_token: what stood where a reply code was expected, for the error message.
std::string_view code_token(std::string_view content) {
  const std::size_t end = content.find_first_of(" -");
  return content.substr(0, end);
}

// take_digits: 1..3 decimal digits at the front of `s`, advancing it.
std::optional<int> take_digits(std::string_view& s) {
  std::size_t n = 0;
  int value = 0;
  while (n < s.size() && n < 3 && is_digit(s[n])) {
    value = value * 10 + (s[n] - '0');
    ++n;
  }
  // A fourth digit means this is not a status code ("2.0.1000").
  if (n == 0 || (n < s.size() && is_digit(s[n]))) return std::nullopt;
  s.remove_prefix(n);
  return value;
}

// parse_enhanced: RFC 3463 §2: status-code = class "." subject "." detail,
// class = "2" / "4" / "5", subject and detail 1*3digit. It starts the text
// and is followed by SP or ends it ("250 2.0.0" is read as 2.0.0 too).
std::optional<EnhancedCode> parse_enhanced(std::string_view text) {
  if (text.size() < 5) return std::nullopt;
  EnhancedCode code;
  switch (text[0]) {
    case '2': code.klass = 2; break;
    case '4': code.klass = 4; break;
    case '5': code.klass = 5; break;
    default: return std::nullopt;
  }
  if (text[1] != '.') return std::nullopt;
  text.remove_prefix(2);
  const auto subject = take_digits(text);
  if (!subject || text.empty() || text[0] != '.') return std::nullopt;
  text.remove_prefix(1);
  const auto detail = take_digits(text);
  if (!detail || (!text.empty() && text[0] != ' ')) return std::nullopt;
  code.subject = *subject;
  code.detail = *detail;
  return code;
}

}  // namespace

std::string Reply::text() const {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i != 0) out += '\n';
    out += lines[i];
  }
  return out;
}

ReplyParser::Step ReplyParser::feed(std::string_view in) {
  if (failed_) return {State::kError, 0};
  if (complete_) return {State::kReply, 0};  // take() first

  std::size_t pos = 0;
  // fail: the offending line stays unconsumed; lines before it in this call
  // were consumed, so the byte counts add up however the input was split.
  auto fail = [&](std::string message) {
    failed_ = true;
    error_ = std::move(message);
    return Step{State::kError, pos};
  };

  while (true) {
    const std::size_t line_no = current_.lines.size() + 1;
    const LineScan line = scan_line(in.substr(pos), limits_.max_line);
    if (line.kind == LineScan::Kind::kPartial) return {State::kNeedMore, pos};
    if (line.kind == LineScan::Kind::kTooLong) {
      return fail(fmt::format("line {}: line exceeds {} bytes without a line end", line_no,
                              limits_.max_line));
    }
    if (line_no > limits_.max_lines) {
      return fail(fmt::format("line {}: reply exceeds {} lines", line_no, limits_.max_lines));
    }
    const auto parsed = split_reply_line(line.content);
    if (!parsed) {
      return fail(fmt::format("line {}: expected 3-digit reply code, got \"{}\"", line_no,
                              escape_bytes(code_token(line.content), 16)));
    }
    if (line.bare_lf) {
      if (limits_.bare_lf == BareLf::kReject) {
        return fail(fmt::format("line {}: bare LF (line ends without CR)", line_no));
      }
      current_.bare_lf = true;
    }
    if (line_no == 1) {
      current_.enhanced = parse_enhanced(parsed->text);
    } else if (parsed->code != current_.code) {
      // RFC 5321 §4.2.1: each line of a multiline reply carries the same code;
      // comparing with the previous line is enough to notice any difference.
      current_.mixed_codes = true;
    }
    current_.code = parsed->code;
    current_.lines.emplace_back(parsed->text);
    current_.raw.append(in.substr(pos, line.length));
    pos += line.length;
    if (parsed->last) {
      complete_ = true;
      return {State::kReply, pos};
    }
  }
}

Reply ReplyParser::take() {
  Reply reply = std::move(current_);
  current_ = Reply{};
  complete_ = false;
  return reply;
}

void ReplyParser::reset() {
  current_ = Reply{};
  complete_ = false;
  failed_ = false;
  error_.clear();
}

std::optional<Reply> parse_reply(std::string_view in, const ReplyLimits& limits) {
  ReplyParser parser(limits);
  if (parser.feed(in).state != ReplyParser::State::kReply) return std::nullopt;
  return parser.take();
}

}  // namespace smtpeer::smtp
