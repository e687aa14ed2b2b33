#include "smtp/syntax.h"

#include <gtest/gtest.h>

#include <string>

namespace smtpeer::smtp {
namespace {

struct ArgCase {
  const char* name;
  std::string arg;
  EhloArgKind kind;
  std::string reason;  // exact, for kInvalid
};

std::ostream& operator<<(std::ostream& os, const ArgCase& c) {
  return os << c.name;
}

const ArgCase kArgCases[] = {
    {"empty", "", EhloArgKind::kEmpty, ""},
    {"domain", "client.example.org", EhloArgKind::kDomain, ""},
    {"single_label", "localhost", EhloArgKind::kDomain, ""},
    {"hyphen_inside", "mx-1.example", EhloArgKind::kDomain, ""},
    {"digits_first", "1mx.example", EhloArgKind::kDomain, ""},
    {"label_63", std::string(63, 'a') + ".example", EhloArgKind::kDomain, ""},
    {"label_64", std::string(64, 'a') + ".example", EhloArgKind::kInvalid,
     "label of 64 octets, longer than 63"},
    {"600_a", std::string(600, 'a'), EhloArgKind::kInvalid,
     "domain is 600 octets, longer than 255"},
    {"trailing_dot", "example.org.", EhloArgKind::kInvalid,
     "empty label (leading, trailing or doubled '.')"},
    {"double_dot", "a..b", EhloArgKind::kInvalid, "empty label (leading, trailing or doubled '.')"},
    {"leading_hyphen", "-a.example", EhloArgKind::kInvalid, "label \"-a\" starts or ends with '-'"},
    {"trailing_hyphen", "a-.example", EhloArgKind::kInvalid,
     "label \"a-\" starts or ends with '-'"},
    {"underscore", "a_b.example", EhloArgKind::kInvalid, "'_' is not allowed in a domain"},
    {"space_and_nul", std::string("a \0b", 4), EhloArgKind::kInvalid,
     "' ' is not allowed in a domain"},
    {"non_ascii", "caf\xc3\xa9.example", EhloArgKind::kInvalid,
     "'\\xC3' is not allowed in a domain"},
    {"ipv4", "[192.0.2.1]", EhloArgKind::kAddressV4, ""},
    {"ipv4_zeros", "[0.0.0.0]", EhloArgKind::kAddressV4, ""},
    {"ipv4_leading_zeros", "[010.001.000.255]", EhloArgKind::kAddressV4, ""},
    {"ipv4_999", "[999.1.1.1]", EhloArgKind::kInvalid, "octet 999 > 255"},
    {"ipv4_256", "[1.2.3.256]", EhloArgKind::kInvalid, "octet 256 > 255"},
    {"ipv4_three_octets", "[1.2.3]", EhloArgKind::kInvalid,
     "expected 4 dot-separated decimal octets"},
    {"ipv4_five_octets", "[1.2.3.4.5]", EhloArgKind::kInvalid,
     "expected 4 dot-separated decimal octets"},
    {"ipv4_four_digits", "[1.2.3.0001]", EhloArgKind::kInvalid, "more than 3 digits in an octet"},
    {"ipv4_trailing_dot", "[1.2.3.4.]", EhloArgKind::kInvalid,
     "expected 4 dot-separated decimal octets"},
    {"ipv6_loopback", "[IPv6:::1]", EhloArgKind::kAddressV6, ""},
    {"ipv6_tag_lower_case", "[ipv6:::1]", EhloArgKind::kAddressV6, ""},
    {"ipv6_full", "[IPv6:2001:db8:0:0:0:0:0:1]", EhloArgKind::kAddressV6, ""},
    {"ipv6_bad", "[IPv6:::g]", EhloArgKind::kInvalid, "\"::g\" is not an RFC 5321 IPv6 address"},
    {"ipv6_without_tag", "[::1]", EhloArgKind::kInvalid,
     "malformed general address literal (tag:content)"},
    {"general", "[x-tag:some-content]", EhloArgKind::kAddressGeneral, ""},
    {"general_bad_content", "[tag:a\\b]", EhloArgKind::kInvalid,
     "malformed general address literal (tag:content)"},
    {"general_empty_content", "[tag:]", EhloArgKind::kInvalid,
     "malformed general address literal (tag:content)"},
    {"unclosed", "[192.0.2.1", EhloArgKind::kInvalid, "address literal without closing ']'"},
    {"lone_bracket", "[", EhloArgKind::kInvalid, "address literal without closing ']'"},
    {"empty_brackets", "[]", EhloArgKind::kInvalid, "empty address literal"},
    {"bracket_in_domain", "a]b", EhloArgKind::kInvalid, "']' is not allowed in a domain"},
};

class EhloArgumentCase : public ::testing::TestWithParam<ArgCase> {};

TEST_P(EhloArgumentCase, Classifies) {
  const EhloArg got = classify_ehlo_argument(GetParam().arg);
  EXPECT_EQ(to_string(got.kind), to_string(GetParam().kind));
  EXPECT_EQ(got.reason, GetParam().reason);
}

INSTANTIATE_TEST_SUITE_P(Cases, EhloArgumentCase, ::testing::ValuesIn(kArgCases),
                         [](const auto& info) { return std::string(info.param.name); });

struct V6Case {
  const char* text;
  bool valid;
};

// RFC 5321 §4.1.3 forms: IPv6-full, IPv6-comp, IPv6v4-full, IPv6v4-comp.
const V6Case kV6Cases[] = {
    // IPv6-full
    {"2001:db8:0:0:0:0:0:1", true},
    {"2001:0DB8:AAAA:bbbb:0000:ffff:1:2", true},
    {"1:2:3:4:5:6:7", false},
    {"1:2:3:4:5:6:7:8:9", false},
    {"12345:2:3:4:5:6:7:8", false},
    {"1:2:3:4:5:6:7:", false},
    {":1:2:3:4:5:6:7", false},
    // IPv6-comp
    {"::", true},
    {"::1", true},
    {"1::", true},
    {"2001:db8::1", true},
    {"1:2:3::4:5:6", true},     // 6 groups besides "::"
    {"1:2:3::4:5:6:7", false},  // 7: "::" would stand for one group
    {"1:2:3:4:5:6:7::", false},
    {"::1:2:3:4:5:6", true},
    {"::1:2:3:4:5:6:7", false},
    {"1::2::3", false},
    {":::1", false},
    {"1:::2", false},
    {"", false},
    {":", false},
    {"::g", false},
    // IPv6v4-full
    {"1:2:3:4:5:6:192.0.2.1", true},
    {"1:2:3:4:5:192.0.2.1", false},
    {"1:2:3:4:5:6:7:192.0.2.1", false},
    {"1:2:3:4:5:6:999.0.2.1", false},
    // IPv6v4-comp
    {"::192.0.2.1", true},
    {"::ffff:192.0.2.1", true},
    {"1:2::3:4:192.0.2.1", true},  // 4 groups besides "::" and the IPv4 part
    {"1:2::3:4:5:192.0.2.1", false},
    {"1:2:3:4::192.0.2.1", true},
    {"1:2:3:4:5::192.0.2.1", false},
    {"::192.0.2", false},
    {"::1.2.3.4:5", false},
    {"192.0.2.1", false},
};

TEST(Ipv6Literal, Rfc5321Forms) {
  for (const auto& c : kV6Cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(is_ipv6_literal(c.text), c.valid);
  }
}

TEST(Ipv4Literal, Forms) {
  EXPECT_TRUE(is_ipv4_literal("192.0.2.1"));
  EXPECT_TRUE(is_ipv4_literal("255.255.255.255"));
  EXPECT_FALSE(is_ipv4_literal("256.0.0.1"));
  EXPECT_FALSE(is_ipv4_literal(""));
  EXPECT_FALSE(is_ipv4_literal("1.2.3.4 "));
  EXPECT_FALSE(is_ipv4_literal("1..2.3"));
  EXPECT_FALSE(is_ipv4_literal("a.b.c.d"));
}

TEST(EhloArgKind, Names) {
  EXPECT_EQ(to_string(EhloArgKind::kEmpty), "empty");
  EXPECT_EQ(to_string(EhloArgKind::kDomain), "domain");
  EXPECT_EQ(to_string(EhloArgKind::kAddressV4), "address-v4");
  EXPECT_EQ(to_string(EhloArgKind::kAddressV6), "address-v6");
  EXPECT_EQ(to_string(EhloArgKind::kAddressGeneral), "address-general");
  EXPECT_EQ(to_string(EhloArgKind::kInvalid), "invalid");
}

}  // namespace
}  // namespace smtpeer::smtp
