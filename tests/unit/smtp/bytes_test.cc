#include "core/bytes.h"

#include <gtest/gtest.h>

#include <string>

namespace smtpeer {
namespace {

using namespace std::string_view_literals;

struct EscapeCase {
  const char* name;
  std::string_view bytes;
  std::string escaped;
};

std::ostream& operator<<(std::ostream& os, const EscapeCase& c) {
  return os << c.name;
}

const EscapeCase kEscapeCases[] = {
    {"empty", "", ""},
    {"printable", "250 OK", "250 OK"},
    {"crlf", "220 Ready\r\n", "220 Ready\\r\\n"},
    {"backslash", "a\\b", "a\\\\b"},
    {"nul", "a\0b"sv, "a\\x00b"},
    {"tab", "\t", "\\x09"},
    {"del", "\x7f", "\\x7F"},
    {"eight_bit", "caf\xc3\xa9", "caf\\xC3\\xA9"},
    {"tls_record", "\x16\x03\x01"sv, "\\x16\\x03\\x01"},
};

class EscapeBytesCase : public ::testing::TestWithParam<EscapeCase> {};

TEST_P(EscapeBytesCase, EscapesAndRoundTrips) {
  EXPECT_EQ(escape_bytes(GetParam().bytes), GetParam().escaped);
  EXPECT_EQ(unescape_bytes(GetParam().escaped), std::string(GetParam().bytes));
}

INSTANTIATE_TEST_SUITE_P(Cases, EscapeBytesCase, ::testing::ValuesIn(kEscapeCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(EscapeBytes, EveryByteRoundTrips) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  const std::string escaped = escape_bytes(all);
  for (const char c : escaped) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "unprintable byte in the escaped form";
  }
  EXPECT_EQ(unescape_bytes(escaped), all);
}

TEST(EscapeBytes, TruncatesAtMax) {
  EXPECT_EQ(escape_bytes("abcdef", 3), "abc\xe2\x80\xa6(+3 bytes)");
  EXPECT_EQ(escape_bytes("abc", 3), "abc");
  EXPECT_EQ(escape_bytes("\r\n", 1), "\\r\xe2\x80\xa6(+1 bytes)");
  EXPECT_EQ(escape_bytes("abc", 0), "\xe2\x80\xa6(+3 bytes)");
}

TEST(UnescapeBytes, AcceptsTypedEscapes) {
  EXPECT_EQ(unescape_bytes("a\\tb\\0c"), std::string("a\tb\0c", 5));
  EXPECT_EQ(unescape_bytes("\\x0a\\x0A"), "\n\n");
  EXPECT_EQ(unescape_bytes("STARTTLS\\r\\nRSET\\r\\n"), "STARTTLS\r\nRSET\r\n");
}

TEST(UnescapeBytes, RejectsMalformedEscapes) {
  for (const char* bad : {"\\", "a\\", "\\q", "\\x", "\\x1", "\\xg0", "\\x0g", "\\X41", "\\\""}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(unescape_bytes(bad), std::nullopt);
  }
}

}  // namespace
}  // namespace smtpeer
