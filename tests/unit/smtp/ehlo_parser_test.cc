#include "smtp/ehlo_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dump.h"

namespace smtpeer::smtp {
namespace {

struct EhloCase {
  const char* name;
  std::string_view reply;  // raw reply bytes
  std::string expected;    // dump_ehlo of the result
};

std::ostream& operator<<(std::ostream& os, const EhloCase& c) {
  return os << c.name;
}

const EhloCase kCases[] = {
    {"single_line_has_no_capabilities", "250 mail.example.com\r\n",
     "domain \"mail.example.com\"\n"},
    {"greeting_text_is_not_part_of_domain", "250 mail.example.com Hello [192.0.2.1]\r\n",
     "domain \"mail.example.com\"\n"},
    {"postfix",
     "250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n"
     "250 CHUNKING\r\n",
     "domain \"mail.example.com\"\n"
     "capability PIPELINING\n"
     "capability SIZE \"10240000\"\n"
     "capability STARTTLS\n"
     "capability CHUNKING\n"},
    {"keyword_upper_cased", "250-x\r\n250 starttls\r\n", "domain \"x\"\ncapability STARTTLS\n"},
    {"keyword_with_hyphen_and_digits", "250-x\r\n250 X-LINK2STATE\r\n",
     "domain \"x\"\ncapability X-LINK2STATE\n"},
    {"auth_params", "250-x\r\n250 AUTH PLAIN LOGIN\r\n",
     "domain \"x\"\ncapability AUTH \"PLAIN\" \"LOGIN\"\n"},
    {"auth_equals_form", "250-x\r\n250-AUTH=LOGIN PLAIN\r\n250 AUTH LOGIN PLAIN\r\n",
     "domain \"x\"\n"
     "capability AUTH \"LOGIN\" \"PLAIN\" (equals form)\n"
     "capability AUTH \"LOGIN\" \"PLAIN\"\n"},
    {"params_keep_case", "250-x\r\n250 AUTH xoauth2 Plain\r\n",
     "domain \"x\"\ncapability AUTH \"xoauth2\" \"Plain\"\n"},
    {"c15_empty_continuation", "250-\r\n250\r\n", "domain \"\"\nmalformed \"\"\n"},
    {"trailing_space_is_malformed_but_seen", "250-x\r\n250 STARTTLS \r\n",
     "domain \"x\"\ncapability STARTTLS\nmalformed \"STARTTLS \"\n"},
    {"double_space_is_malformed", "250-x\r\n250 SIZE  1000\r\n",
     "domain \"x\"\ncapability SIZE \"1000\"\nmalformed \"SIZE  1000\"\n"},
    {"leading_hyphen_is_malformed", "250-x\r\n250 -FOO\r\n",
     "domain \"x\"\ncapability -FOO\nmalformed \"-FOO\"\n"},
    {"underscore_is_malformed_but_seen", "250-x\r\n250 FOO_BAR\r\n",
     "domain \"x\"\ncapability FOO_BAR\nmalformed \"FOO_BAR\"\n"},
    {"control_in_param_is_malformed", "250-x\r\n250 SIZE 1\x01\r\n",
     "domain \"x\"\ncapability SIZE \"1\\x01\"\nmalformed \"SIZE 1\\x01\"\n"},
    {"empty_equals_is_malformed", "250-x\r\n250 AUTH=\r\n",
     "domain \"x\"\ncapability AUTH (equals form)\nmalformed \"AUTH=\"\n"},
    {"malformed_between_good", "250-x\r\n250-8BITMIME\r\n250-?\r\n250 DSN\r\n",
     "domain \"x\"\ncapability 8BITMIME\ncapability ?\ncapability DSN\nmalformed \"?\"\n"},
    {"not_2xx_gives_nothing", "502-x\r\n502 STARTTLS\r\n", "domain \"\"\n"},
    {"mixed_codes_parsed_by_last_code", "550-x\r\n250 STARTTLS\r\n",
     "domain \"x\"\ncapability STARTTLS\n"},
};

class EhloParserCase : public ::testing::TestWithParam<EhloCase> {};

TEST_P(EhloParserCase, Parses) {
  const auto reply = parse_reply(GetParam().reply);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(testing::dump_ehlo(parse_ehlo(*reply)), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Cases, EhloParserCase, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(EhloInfo, LookupsAreCaseInsensitive) {
  const auto reply = parse_reply(
      "250-mx.example\r\n250-STARTTLS\r\n250-AUTH=LOGIN\r\n250 AUTH PLAIN CRAM-MD5\r\n");
  ASSERT_TRUE(reply.has_value());
  const EhloInfo info = parse_ehlo(*reply);
  EXPECT_TRUE(info.has("starttls"));
  EXPECT_TRUE(info.has("STARTTLS"));
  EXPECT_FALSE(info.has("STARTTLSX"));
  EXPECT_FALSE(info.has("mx.example"));  // the greeting line is not a capability
  ASSERT_NE(info.find("auth"), nullptr);
  EXPECT_TRUE(info.find("auth")->equals_form);  // the first AUTH line
  EXPECT_EQ(info.find("SIZE"), nullptr);
  EXPECT_TRUE(info.has_param("AUTH", "plain"));
  EXPECT_TRUE(info.has_param("auth", "LOGIN"));  // from the equals-form line
  EXPECT_TRUE(info.has_param("AUTH", "cram-md5"));
  EXPECT_FALSE(info.has_param("AUTH", "XOAUTH2"));
  EXPECT_FALSE(info.has_param("STARTTLS", "PLAIN"));
}

TEST(EhloInfo, EmptyReply) {
  const EhloInfo info = parse_ehlo(Reply{});
  EXPECT_EQ(info.domain, "");
  EXPECT_TRUE(info.capabilities.empty());
  EXPECT_TRUE(info.malformed.empty());
}

}  // namespace
}  // namespace smtpeer::smtp
