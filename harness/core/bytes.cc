#include "core/bytes.h"

#include <array>
#include <cstdint>

namespace smtpeer {

namespace {

constexpr std::string_view kHexDigits = "0123456789ABCDEF";

// hex_value: the value of one hex digit, or -1. Both cases are accepted so
// that hand-written scenario files may use either.
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// kSimpleEscapes: the one-letter escapes that unescape_bytes understands.
// escape_bytes writes only \r, \n and \\ itself (see bytes.h); \t and \0 are
// accepted on input because people type them.
struct SimpleEscape {
  char letter;
  char byte;
};
constexpr std::array<SimpleEscape, 5> kSimpleEscapes{{
    {'r', '\r'},
    {'n', '\n'},
    {'t', '\t'},
    {'0', '\0'},
    {'\\', '\\'},
}};

}  // namespace

std::string escape_bytes(std::string_view bytes, std::size_t max) {
  const std::size_t shown = bytes.size() < max ? bytes.size() : max;
  std::string out;
  out.reserve(shown + shown / 4 + 16);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    switch (b) {
      case '\r': out += "\\r"; break;
      case '\n': out += "\\n"; break;
      case '\\': out += "\\\\"; break;
      default:
        if (b >= 0x20 && b < 0x7f) {
          out += static_cast<char>(b);
        } else {
          out += "\\x";
          out += kHexDigits[b >> 4];
          out += kHexDigits[b & 0x0f];
        }
    }
  }
  if (shown < bytes.size()) {
    out += "\u2026(+";
    out += std::to_string(bytes.size() - shown);
    out += " bytes)";
  }
  return out;
}

std::optional<std::string> unescape_bytes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) return std::nullopt;  // a lone trailing backslash
    const char letter = text[i];
    if (letter == 'x') {
      if (text.size() - i < 3) return std::nullopt;  // needs exactly two hex digits
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(static_cast<std::uint8_t>(hi * 16 + lo));
      i += 2;
      continue;
    }
    bool known = false;
    for (const auto& e : kSimpleEscapes) {
      if (e.letter == letter) {
        out += e.byte;
        known = true;
        break;
      }
    }
    if (!known) return std::nullopt;
  }
  return out;
}

}  // namespace smtpeer
