// Byte escaping for evidence, transcripts and scenario files: what a mail
// engineer reads. CR and LF show as \r and \n, other control and non-ASCII
// bytes as \xNN, backslash as \\.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace smtpeer {

// escape_bytes: printable form; at most `max` bytes of input are shown, the
// rest summarised as "…(+N bytes)".
std::string escape_bytes(std::string_view bytes, std::size_t max = std::string_view::npos);

// unescape_bytes: inverse of escape_bytes (\r \n \t \0 \\ \xNN); nullopt on a
// malformed escape.
std::optional<std::string> unescape_bytes(std::string_view text);

}  // namespace smtpeer
