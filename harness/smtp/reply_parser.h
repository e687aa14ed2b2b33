// ReplyParser: incremental parser of SMTP server replies (RFC 5321 §4.2).
//
//   Reply-line = *( Reply-code "-" [ textstring ] CRLF )
//                   Reply-code [ SP textstring ] CRLF
//
// The parser consumes whole lines only, and stops right after the line that
// completes a reply, so the caller can see exactly which bytes arrived behind
// a reply (the STARTTLS injection checks depend on that). Every line goes
// through the same code; limits bound line length and line count so that a
// hostile server cannot exhaust smtpeer. Pure: no I/O, no globals.
//
// Framing (smtp/line_scan.h): a line ends at LF; a CR right before it belongs
// to the terminator, any other CR is text ("250 x\r\r\n" has the text "x\r").
// A line is 3 digits, then '-' (more lines follow), SP or nothing (last line:
// "250\r\n" is a complete reply). Any 3 digits are accepted as a code; the
// checks judge whether the code makes sense.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpeer::smtp {

// EnhancedCode: RFC 3463 status code "class.subject.detail" at the start of
// the text of a reply line, e.g. 5.7.0.
struct EnhancedCode {
  int klass = 0;
  int subject = 0;
  int detail = 0;
  bool operator==(const EnhancedCode&) const = default;
};

// Reply: one complete (possibly multi-line) reply.
struct Reply {
  int code = 0;                          // the code of the last line
  std::vector<std::string> lines;        // text of each line, after "DDD-" / "DDD "
  std::optional<EnhancedCode> enhanced;  // from the first line's text, if present
  bool mixed_codes = false;  // lines carry different codes (RFC 5321 §4.2.1 says MUST NOT)
  bool bare_lf = false;      // at least one line ended in LF without CR
  std::string raw;           // the exact bytes of the reply, terminators included

  int klass() const { return code / 100; }
  // text: the lines joined by '\n'.
  std::string text() const;
};

enum class BareLf {
  kAccept,  // treat LF as a line end, and flag the reply (bare_lf)
  kReject,  // a bare LF is a protocol error
};

struct ReplyLimits {
  std::size_t max_line = 4096;   // bytes, terminator included (RFC 5321 §4.5.3.1.5 says 512;
                                 // real servers send longer text, so be lenient but bounded)
  std::size_t max_lines = 1000;  // lines in one reply
  BareLf bare_lf = BareLf::kAccept;
};

class ReplyParser {
 public:
  enum class State {
    kNeedMore,  // all complete lines consumed; the reply is not finished
    kReply,     // a reply is complete: call take()
    kError,     // the input is not a reply (see error()); the parser stays in error
  };
  struct Step {
    State state = State::kNeedMore;
    std::size_t consumed = 0;  // bytes of `in` consumed (whole lines only)
  };

  explicit ReplyParser(ReplyLimits limits = {}) : limits_(limits) {}

  // feed: consume whole lines from the front of `in`, up to and including the
  // line that completes a reply. A partial line is never consumed; if it is
  // already longer than max_line, that is an error (a server that sends an
  // endless line without CRLF ends here). On kError, `consumed` counts the
  // good lines before the offending one, so the sum of `consumed` over the
  // calls does not depend on how the input was split. While a completed reply
  // has not been taken, feed consumes nothing and returns kReply again.
  Step feed(std::string_view in);

  // take: the completed reply; readies the parser for the next one. (An error
  // persists: take() after kError returns the partial reply, and the parser
  // stays in error until reset().)
  Reply take();

  // error: what was wrong, for kError, always starting "line N: ", e.g.
  // `line 2: expected 3-digit reply code, got "25x"`.
  const std::string& error() const { return error_; }

  // reset: forget any partial reply and error.
  void reset();

  // lines_so_far: lines of the unfinished reply (to report progress on a hostile peer).
  std::size_t lines_so_far() const { return current_.lines.size(); }

 private:
  ReplyLimits limits_;
  Reply current_;
  bool complete_ = false;
  bool failed_ = false;
  std::string error_;
};

// parse_reply: convenience for tests and the corpus replayer: parse exactly one
// reply from `in`; nullopt if `in` does not start with a complete valid reply.
std::optional<Reply> parse_reply(std::string_view in, const ReplyLimits& limits = {});

}  // namespace smtpeer::smtp
