// scan_line: SMTP line framing shared by the reply and command parsers.
//
// A line ends at the first LF. If a CR stands right before that LF the two
// are the terminator (CRLF); otherwise the LF alone is (a bare LF, which each
// parser accepts or rejects by its own limits). Any other CR is an ordinary
// byte of the line: "250 x\r\r\n" has the content "250 x\r", so evidence keeps
// exactly what the peer sent. Pure: no I/O.
#pragma once

#include <cstddef>
#include <string_view>

namespace smtpeer::smtp {

struct LineScan {
  enum class Kind {
    kPartial,  // no LF yet, and still within the length limit: wait for more bytes
    kTooLong,  // no LF within the first max_line bytes: the line can never fit
    kLine,     // a complete line
  };
  Kind kind = Kind::kPartial;
  std::size_t length = 0;    // kLine: bytes of the line, terminator included
  std::string_view content;  // kLine: the bytes before the terminator
  bool bare_lf = false;      // kLine: ended in LF without CR
};

// scan_line: the line at the front of `in`. max_line counts the terminator, so
// a complete line is at most max_line bytes and a partial line of max_line
// bytes is already too long.
LineScan scan_line(std::string_view in, std::size_t max_line);

}  // namespace smtpeer::smtp
