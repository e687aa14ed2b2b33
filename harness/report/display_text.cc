#include "report/display_text.h"

#include <algorithm>
#include <array>

namespace smtpeer::report {

namespace {

constexpr std::string_view kHex = "0123456789ABCDEF";

bool is_continuation(unsigned char b) {
  return (b & 0xC0) == 0x80;
}

// kUtf8Leads: RFC 3629 §4, the well-formed byte sequences by lead byte:
// the range the second byte must fall in (which excludes overlong forms,
// surrogates and code points above U+10FFFF) and the sequence length.
struct Utf8Lead {
  unsigned char lo, hi;  // lead byte range
  unsigned char second_lo, second_hi;
  std::size_t length;
};
constexpr std::array<Utf8Lead, 8> kUtf8Leads{{
    {0xC2, 0xDF, 0x80, 0xBF, 2},
    {0xE0, 0xE0, 0xA0, 0xBF, 3},
    {0xE1, 0xEC, 0x80, 0xBF, 3},
    {0xED, 0xED, 0x80, 0x9F, 3},
    {0xEE, 0xEF, 0x80, 0xBF, 3},
    {0xF0, 0xF0, 0x90, 0xBF, 4},
    {0xF1, 0xF3, 0x80, 0xBF, 4},
    {0xF4, 0xF4, 0x80, 0x8F, 4},
}};

// kUnsafeRanges: code points that change how a terminal shows what follows:
// C0 and C1 controls, DEL, and the Unicode bidi controls (the "Trojan
// Source" class: text that reads differently from what it is).
struct Range {
  char32_t lo, hi;
};
constexpr std::array<Range, 7> kUnsafeRanges{{
    {0x00, 0x1F},
    {0x7F, 0x9F},
    {0x061C, 0x061C},
    {0x200E, 0x200F},
    {0x202A, 0x202E},
    {0x2066, 0x2069},
    {0xFFF9, 0xFFFB},  // interlinear annotation controls
}};

bool is_unsafe(char32_t cp) {
  for (const auto& r : kUnsafeRanges) {
    if (cp >= r.lo && cp <= r.hi) return true;
  }
  return false;
}

}  // namespace

std::size_t utf8_length(std::string_view s, std::size_t pos) {
  const auto b = static_cast<unsigned char>(s[pos]);
  if (b < 0x80) return 1;
  const Utf8Lead* lead = nullptr;
  for (const auto& l : kUtf8Leads) {
    if (b >= l.lo && b <= l.hi) lead = &l;
  }
  if (lead == nullptr || s.size() - pos < lead->length) return 0;
  const auto second = static_cast<unsigned char>(s[pos + 1]);
  if (second < lead->second_lo || second > lead->second_hi) return 0;
  for (std::size_t i = 2; i < lead->length; ++i) {
    if (!is_continuation(static_cast<unsigned char>(s[pos + i]))) return 0;
  }
  return lead->length;
}

char32_t utf8_decode(std::string_view s, std::size_t pos, std::size_t len) {
  const auto b = static_cast<unsigned char>(s[pos]);
  if (len == 1) return b;
  // The lead byte keeps 7 - len payload bits.
  char32_t cp = b & (0x7Fu >> len);
  for (std::size_t i = 1; i < len; ++i) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[pos + i]) & 0x3Fu);
  }
  return cp;
}

void append_hex_escape(std::string& out, unsigned char byte) {
  out += "\\x";
  out += kHex[byte >> 4];
  out += kHex[byte & 0x0F];
}

std::string terminal_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8_length(s, i);
    if (len == 0) {
      append_hex_escape(out, static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    const char32_t cp = utf8_decode(s, i, len);
    if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\t') {
      out += ' ';
    } else if (is_unsafe(cp)) {
      for (std::size_t k = 0; k < len; ++k)
        append_hex_escape(out, static_cast<unsigned char>(s[i + k]));
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += is_continuation(static_cast<unsigned char>(c)) ? 0 : 1;
  return n;
}

std::string fit_width(std::string_view s, std::size_t width) {
  if (display_width(s) <= width) return std::string(s);
  if (width == 0) return {};
  std::string out;
  std::size_t cols = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool starts = !is_continuation(static_cast<unsigned char>(s[i]));
    if (starts && ++cols == width) break;  // the last column is for the ellipsis
    out += s[i];
  }
  return out + "\u2026";
}

std::vector<std::string> wrap_words(std::string_view s, std::size_t width) {
  if (width == 0) width = 1;
  std::vector<std::string> lines;
  std::string line;
  std::size_t line_w = 0;
  auto flush = [&] {
    lines.push_back(std::move(line));
    line.clear();
    line_w = 0;
  };
  std::size_t pos = 0;
  while (pos < s.size()) {
    if (s[pos] == ' ') {
      ++pos;
      continue;
    }
    const std::size_t end = std::min(s.find(' ', pos), s.size());
    std::string_view word = s.substr(pos, end - pos);
    pos = end;
    std::size_t word_w = display_width(word);
    if (line_w > 0 && line_w + 1 + word_w <= width) {
      line += ' ';
      line.append(word);
      line_w += 1 + word_w;
      continue;
    }
    if (line_w > 0) flush();
    // A word wider than a line (an escaped byte string, a long host name) is
    // cut into full-width pieces; the last piece starts the next line.
    while (word_w > width) {
      std::size_t cut = 0;
      for (std::size_t cols = 0; cut < word.size(); ++cut) {
        if (!is_continuation(static_cast<unsigned char>(word[cut])) && cols++ == width) break;
      }
      line.append(word.substr(0, cut));
      flush();
      word.remove_prefix(cut);
      word_w = display_width(word);
    }
    line.append(word);
    line_w = word_w;
  }
  if (line_w > 0 || lines.empty()) lines.push_back(std::move(line));
  return lines;
}

std::string format_duration(std::int64_t ms) {
  if (ms < 0) ms = 0;
  if (ms < 1000) return std::to_string(ms) + " ms";
  if (ms < 59'950) {  // above this, one decimal would round up to "60.0 s"
    const std::int64_t tenths = (ms + 50) / 100;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
  }
  const std::int64_t s = (ms + 500) / 1000;
  const std::string sec = std::to_string(s % 60);
  return std::to_string(s / 60) + " min " + (sec.size() < 2 ? "0" : "") + sec + " s";
}

std::string plural(std::int64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace smtpeer::report
