#include "report/display_text.h"

#include <gtest/gtest.h>

namespace smtpeer::report {
namespace {

struct SafeCase {
  const char* name;
  std::string input;
  std::string expected;
};

class TerminalSafe : public ::testing::TestWithParam<SafeCase> {};

TEST_P(TerminalSafe, Escapes) {
  EXPECT_EQ(terminal_safe(GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TerminalSafe,
    ::testing::Values(SafeCase{"Plain", "250 2.0.0 Ok", "250 2.0.0 Ok"},
                      SafeCase{"CrLf", "a\r\nb", "a\\r\\nb"}, SafeCase{"Tab", "a\tb", "a b"},
                      SafeCase{"Escape", "\x1b[2J", "\\x1B[2J"},
                      SafeCase{"Nul", std::string("a\0b", 3), "a\\x00b"},
                      SafeCase{"Del", "\x7f", "\\x7F"},
                      SafeCase{"C1Csi",
                               "\xc2\x9b"
                               "31m",
                               "\\xC2\\x9B31m"},
                      SafeCase{"BidiOverride",
                               "\xe2\x80\xae"
                               "abc",
                               "\\xE2\\x80\\xAEabc"},
                      SafeCase{"Section",
                               "RFC 3207 \xc2\xa7"
                               "4.2",
                               "RFC 3207 \xc2\xa7"
                               "4.2"},
                      SafeCase{"Emoji", "\xf0\x9f\x94\x92", "\xf0\x9f\x94\x92"},
                      SafeCase{"StrayContinuation", "\x80", "\\x80"},
                      SafeCase{"Overlong", "\xc0\xaf", "\\xC0\\xAF"},
                      SafeCase{"Surrogate", "\xed\xa0\x80", "\\xED\\xA0\\x80"},
                      SafeCase{"TooHigh", "\xf4\x90\x80\x80", "\\xF4\\x90\\x80\\x80"},
                      SafeCase{"Truncated", "\xe2\x80", "\\xE2\\x80"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(DisplayText, WidthCountsCodePoints) {
  EXPECT_EQ(display_width(""), 0u);
  EXPECT_EQ(display_width("abc"), 3u);
  EXPECT_EQ(display_width("\xc2\xa7"
                          "4.2"),
            4u);
  EXPECT_EQ(display_width("\xe2\x80\xa6"), 1u);
}

TEST(DisplayText, FitWidth) {
  EXPECT_EQ(fit_width("abcdef", 6), "abcdef");
  EXPECT_EQ(fit_width("abcdef", 4), "abc\xe2\x80\xa6");
  EXPECT_EQ(fit_width("\xc2\xa7\xc2\xa7\xc2\xa7", 2), "\xc2\xa7\xe2\x80\xa6");
  EXPECT_EQ(fit_width("abc", 0), "");
}

struct WrapCase {
  const char* name;
  std::string input;
  std::size_t width;
  std::vector<std::string> expected;
};

class WrapWords : public ::testing::TestWithParam<WrapCase> {};

TEST_P(WrapWords, Wraps) {
  EXPECT_EQ(wrap_words(GetParam().input, GetParam().width), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, WrapWords,
    ::testing::Values(WrapCase{"Empty", "", 10, {""}}, WrapCase{"Fits", "one two", 10, {"one two"}},
                      WrapCase{"Exact", "one two", 7, {"one two"}},
                      WrapCase{"Breaks", "one two three", 7, {"one two", "three"}},
                      WrapCase{"CollapsesSpaces", "  one   two ", 20, {"one two"}},
                      WrapCase{"LongWord", "abcdefghij", 4, {"abcd", "efgh", "ij"}},
                      WrapCase{
                          "LongWordAfterWord", "x abcdefgh yz", 4, {"x", "abcd", "efgh", "yz"}},
                      WrapCase{"Utf8",
                               "\xc2\xa7\xc2\xa7\xc2\xa7\xc2\xa7",
                               3,
                               {"\xc2\xa7\xc2\xa7\xc2\xa7", "\xc2\xa7"}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(DisplayText, FormatDuration) {
  EXPECT_EQ(format_duration(0), "0 ms");
  EXPECT_EQ(format_duration(999), "999 ms");
  EXPECT_EQ(format_duration(1000), "1.0 s");
  EXPECT_EQ(format_duration(1234), "1.2 s");
  EXPECT_EQ(format_duration(59949), "59.9 s");
  EXPECT_EQ(format_duration(59950), "1 min 00 s");
  EXPECT_EQ(format_duration(187000), "3 min 07 s");
  EXPECT_EQ(format_duration(-5), "0 ms");
}

TEST(DisplayText, Plural) {
  EXPECT_EQ(plural(1, "connection", "connections"), "1 connection");
  EXPECT_EQ(plural(0, "connection", "connections"), "0 connections");
}

}  // namespace
}  // namespace smtpeer::report
