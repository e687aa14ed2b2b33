// Display text: making strings that came from a peer safe and measurable
// before they reach a terminal, an XML file or a fixed-width table.
//
// A hostile peer controls much of what a report shows (banners, reply texts,
// certificate names). Printed raw, an ESC byte could rewrite the operator's
// terminal, a bidi override could disguise a line, and an invalid UTF-8
// byte makes an XML report unreadable. These functions show such bytes as
// "\xNN" text, the notation of core/bytes.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace smtpeer::report {

// utf8_length: length of the well-formed UTF-8 sequence (RFC 3629 §4) that
// starts at s[pos], or 0 when there is none (stray continuation byte,
// overlong form, surrogate, > U+10FFFF, truncated sequence).
std::size_t utf8_length(std::string_view s, std::size_t pos);

// utf8_decode: the code point of the sequence of length `len` at s[pos]
// (as returned by utf8_length, which must be > 0).
char32_t utf8_decode(std::string_view s, std::size_t pos, std::size_t len);

// append_hex_escape: appends "\xNN" for one byte.
void append_hex_escape(std::string& out, unsigned char byte);

// terminal_safe: valid UTF-8 with no control characters: CR and LF become
// "\r" and "\n", tabs a space, other C0/C1 controls, DEL, bidi controls and
// bytes that are not UTF-8 become "\xNN" per byte.
std::string terminal_safe(std::string_view s);

// display_width: columns that terminal_safe output takes. XXX: counts one
// column per code point; East Asian wide characters count one, not two.
std::size_t display_width(std::string_view s);

// fit_width: s cut to at most `width` columns, ending in "…" when cut.
std::string fit_width(std::string_view s, std::size_t width);

// wrap_words: s split into lines of at most `width` columns, at spaces;
// a word longer than a line is split wherever it must.
std::vector<std::string> wrap_words(std::string_view s, std::size_t width);

// format_duration: "350 ms", "1.2 s", "3 min 07 s": how long something took,
// in the unit a person reads fastest.
std::string format_duration(std::int64_t ms);

// plural: "1 connection", "2 connections".
std::string plural(std::int64_t n, std::string_view one, std::string_view many);

}  // namespace smtpeer::report
