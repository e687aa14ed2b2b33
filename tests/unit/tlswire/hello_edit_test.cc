// without_suite / first_record_size: a hello built by build_client_hello,
// edited, and parsed again by parse_client_hello: only the suite is gone,
// every other field and the bytes behind the record are as they were; input
// that is not one whole ClientHello record is refused (nullopt).
#include "tls/wire/hello_edit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "tls/wire/client_hello.h"
#include "tls/wire/registry.h"

namespace smtpeer::tls::wire {
namespace {

using namespace std::string_literals;

std::uint16_t be16(std::string_view s, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(s[at]) << 8 |
                                    static_cast<std::uint8_t>(s[at + 1]));
}

std::uint32_t be24(std::string_view s, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[at])) << 16 |
         static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[at + 1])) << 8 |
         static_cast<std::uint8_t>(s[at + 2]);
}

// HelloRecord: the first record of `wire` taken apart by hand (not by the
// code under test), with what follows it.
struct HelloRecord {
  std::uint16_t record_version = 0;
  std::size_t record_length = 0;
  std::uint32_t message_length = 0;
  std::string body;  // the ClientHello without its 4-byte handshake header
  std::string rest;  // bytes after the record
};

std::optional<HelloRecord> take_record(std::string_view wire) {
  if (wire.size() < 9 || wire[0] != 22 || wire[5] != 1) return std::nullopt;
  HelloRecord h;
  h.record_version = be16(wire, 1);
  h.record_length = be16(wire, 3);
  if (wire.size() < 5 + h.record_length) return std::nullopt;
  h.message_length = be24(wire, 6);
  if (h.message_length + 4 != h.record_length) return std::nullopt;
  h.body = std::string(wire.substr(9, h.message_length));
  h.rest = std::string(wire.substr(5 + h.record_length));
  return h;
}

std::array<std::uint8_t, 32> counting_random() {
  std::array<std::uint8_t, 32> r{};
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = static_cast<std::uint8_t>(0xA0 + i);
  return r;
}

// A TLS 1.2 hello as a mail client sends it in a fallback retry.
ClientHelloSpec tls12_spec() {
  ClientHelloSpec s;
  s.version = kTls12;
  s.suites = {0xC02F, 0xC030, 0x009E, 0xCCA8, 0x002F};
  s.fallback_scsv = true;
  s.random = counting_random();
  s.sni = "mx.example.test";
  s.groups = {29, 23, 24};
  s.signature_algorithms = {0x0403, 0x0804, 0x0401};
  s.extended_master_secret = true;
  s.session_ticket = true;
  return s;
}

struct EditCase {
  std::string name;
  ClientHelloSpec spec;
  std::uint16_t removed;
  std::string trailer;  // bytes behind the hello record, in the same read
};

void PrintTo(const EditCase& c, std::ostream* os) {
  *os << c.name;
}

EditCase with(std::string name, std::uint16_t removed, std::string trailer, auto edit) {
  EditCase c{std::move(name), tls12_spec(), removed, std::move(trailer)};
  edit(c.spec);
  return c;
}

const EditCase kEditCases[] = {
    with("Tls12FallbackScsv", kFallbackScsv, "", [](ClientHelloSpec&) {}),
    with("Tls12TrailingPlaintextKept", kFallbackScsv, "RSET\r\n", [](ClientHelloSpec&) {}),
    with("Tls12TrailingRecordKept", kFallbackScsv, "\x15\x03\x03\x00\x02\x01\x00"s,
         [](ClientHelloSpec&) {}),
    with("Tls11WithRenegotiationScsv", kFallbackScsv, "",
         [](ClientHelloSpec& s) {
           s.version = kTls11;
           s.suites = {0xC014, 0xC013, 0x0035, 0x002F};
           s.renegotiation_scsv = true;
           s.renegotiation_info = false;
         }),
    with("Tls10RecordVersion", kFallbackScsv, "",
         [](ClientHelloSpec& s) {
           s.version = kTls10;
           s.suites = {0xC014, 0x0035};
           s.session_id = std::string(32, '\x5a');
         }),
    with("Tls13KeyShare", kFallbackScsv, "",
         [](ClientHelloSpec& s) {
           s.version = kTls13;
           s.suites = {0x1301, 0x1302, 0xC02F};
           s.key_shares = {{29, std::string(32, '\x42')}};
           s.session_id = std::string(32, '\x01');
           s.record_version = kTls12;
         }),
    with("Ssl3NoExtensions", kFallbackScsv, "",
         [](ClientHelloSpec& s) {
           s.version = kSsl3;
           s.suites = {0x0035, 0x002F, 0x000A};
         }),
    with("MiddleSuite", 0xC030, "", [](ClientHelloSpec& s) { s.fallback_scsv = false; }),
    with("FirstSuiteWithHeartbeat", 0xC02F, "",
         [](ClientHelloSpec& s) {
           s.heartbeat = true;
           s.compression = {1, 0};
         }),
};

class WithoutSuite : public ::testing::TestWithParam<EditCase> {};

TEST_P(WithoutSuite, OnlyTheSuiteIsGone) {
  const EditCase& c = GetParam();
  const std::string hello = build_client_hello(c.spec);
  const std::string wire = hello + c.trailer;
  const auto before = take_record(wire);
  ASSERT_TRUE(before.has_value()) << "fixture: not one hello record";
  auto original = parse_client_hello(before->body);
  ASSERT_TRUE(original.ok()) << original.error().message;
  ASSERT_NE(std::find(original->suites.begin(), original->suites.end(), c.removed),
            original->suites.end())
      << "fixture: the suite is not offered";

  const std::optional<std::string> edited = without_suite(wire, c.removed);
  ASSERT_TRUE(edited.has_value());
  const auto after = take_record(*edited);
  ASSERT_TRUE(after.has_value()) << "the edited bytes are not one hello record";
  auto parsed = parse_client_hello(after->body);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;

  // The suite list lost exactly the suite, in the same order otherwise.
  std::vector<std::uint16_t> want = original->suites;
  std::erase(want, c.removed);
  EXPECT_EQ(parsed->suites, want);
  EXPECT_EQ(edited->size(), wire.size() - 2);
  if (c.removed == kFallbackScsv) {
    EXPECT_TRUE(original->fallback_scsv);
    EXPECT_FALSE(parsed->fallback_scsv);
  }
  // Everything else is what the client sent.
  EXPECT_EQ(after->record_version, before->record_version);
  EXPECT_EQ(after->record_length, before->record_length - 2);
  EXPECT_EQ(after->message_length, before->message_length - 2);
  EXPECT_EQ(parsed->legacy_version, original->legacy_version);
  EXPECT_EQ(parsed->random, original->random);
  EXPECT_EQ(parsed->session_id, original->session_id);
  EXPECT_EQ(parsed->compression, original->compression);
  EXPECT_EQ(parsed->extensions, original->extensions);
  EXPECT_EQ(parsed->sni, original->sni);
  EXPECT_EQ(parsed->supported_versions, original->supported_versions);
  EXPECT_EQ(parsed->groups, original->groups);
  EXPECT_EQ(parsed->signature_algorithms, original->signature_algorithms);
  EXPECT_EQ(parsed->key_share_groups, original->key_share_groups);
  EXPECT_EQ(parsed->renegotiation_info, original->renegotiation_info);
  EXPECT_EQ(parsed->heartbeat, original->heartbeat);
  EXPECT_EQ(parsed->highest_version(), original->highest_version());
  // The bytes behind the record are untouched.
  EXPECT_EQ(after->rest, c.trailer);
  // Removing it again changes nothing.
  EXPECT_EQ(without_suite(*edited, c.removed), edited);
}

INSTANTIATE_TEST_SUITE_P(Cases, WithoutSuite, ::testing::ValuesIn(kEditCases),
                         [](const ::testing::TestParamInfo<EditCase>& info) {
                           return info.param.name;
                         });

TEST(WithoutSuiteIdentity, HelloWithoutTheSuiteComesBackByteIdentical) {
  for (const EditCase& c : kEditCases) {
    SCOPED_TRACE(c.name);
    ClientHelloSpec spec = c.spec;
    spec.fallback_scsv = false;
    const std::string wire = build_client_hello(spec) + c.trailer;
    EXPECT_EQ(without_suite(wire, kFallbackScsv), wire);
    EXPECT_EQ(without_suite(wire, 0x0A0A), wire);  // GREASE, never offered here
  }
}

TEST(WithoutSuiteRefuses, NonHelloRecords) {
  const std::string hello = build_client_hello(tls12_spec());
  std::string server_hello_type = hello;
  server_hello_type[5] = 2;  // handshake type server_hello
  // A record holding the hello and one more byte of another message.
  std::string hello_plus = hello + "\x0e"s;
  const std::uint16_t longer = static_cast<std::uint16_t>(be16(hello, 3) + 1);
  hello_plus[3] = static_cast<char>(longer >> 8);
  hello_plus[4] = static_cast<char>(longer & 0xff);
  // The handshake header claims one byte more than the record holds.
  std::string short_body = hello;
  short_body[8] = static_cast<char>(static_cast<std::uint8_t>(short_body[8]) + 1);
  std::string bad_major = hello;
  bad_major[1] = 2;

  const struct {
    const char* name;
    std::string bytes;
  } cases[] = {
      {"empty", ""},
      {"alert", "\x15\x03\x03\x00\x02\x02\x28"s},
      {"change_cipher_spec", "\x14\x03\x03\x00\x01\x01"s},
      {"application_data",
       "\x17\x03\x03\x00\x03"
       "abc"s},
      {"plaintext SMTP", "EHLO client.example.test\r\n"},
      {"SSLv2 CLIENT-HELLO",
       build_sslv2_client_hello({0x010080, 0x0000FF}, std::string(16, '\x11'), 0x0301)},
      {"server_hello type", server_hello_type},
      {"record holds more than the hello", hello_plus},
      {"handshake length beyond the record", short_body},
      {"record version 2.x", bad_major},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(without_suite(c.bytes, kFallbackScsv), std::nullopt);
  }
}

TEST(WithoutSuiteRefuses, EveryTruncation) {
  const std::string hello = build_client_hello(tls12_spec());
  for (std::size_t n = 0; n < hello.size(); ++n) {
    SCOPED_TRACE(n);
    const std::string_view prefix(hello.data(), n);
    EXPECT_EQ(first_record_size(prefix), std::nullopt);
    EXPECT_EQ(without_suite(prefix, kFallbackScsv), std::nullopt);
  }
}

TEST(WithoutSuiteRefuses, HelloSplitOverTwoRecords) {
  ClientHelloSpec spec = tls12_spec();
  spec.max_record = 64;
  const std::string wire = build_client_hello(spec);
  ASSERT_GT(wire.size(), 64u + 5 + 5) << "fixture: the hello should need two records";
  EXPECT_EQ(without_suite(wire, kFallbackScsv), std::nullopt);
  // The first record alone is complete; the hello in it is not.
  EXPECT_EQ(first_record_size(wire), std::optional<std::size_t>(5 + 64));
  EXPECT_EQ(without_suite(wire.substr(0, 5 + 64), kFallbackScsv), std::nullopt);
}

TEST(FirstRecordSize, Cases) {
  const std::string hello = build_client_hello(tls12_spec());
  EXPECT_EQ(first_record_size(hello), hello.size());
  EXPECT_EQ(first_record_size(hello + "RSET\r\n"), hello.size());
  EXPECT_EQ(first_record_size(hello + hello), hello.size());
  EXPECT_EQ(first_record_size(hello.substr(0, 5)), std::nullopt);  // header only
  EXPECT_EQ(first_record_size(hello.substr(0, hello.size() - 1)), std::nullopt);
  EXPECT_EQ(first_record_size("\x16\x03\x01\x00\x00"s), std::optional<std::size_t>(5));
  EXPECT_EQ(first_record_size("\x16\x03"s), std::nullopt);
  EXPECT_EQ(first_record_size("\x15\x03\x03\x00\x02\x02\x28"s), std::nullopt);  // alert
  EXPECT_EQ(first_record_size("\x16\x02\x00\x00\x01\x01"s), std::nullopt);      // not 3.x
  EXPECT_EQ(first_record_size("STARTTLS\r\n"), std::nullopt);
  EXPECT_EQ(first_record_size(build_sslv2_client_hello({0x010080}, std::string(16, 'c'))),
            std::nullopt);
}

}  // namespace
}  // namespace smtpeer::tls::wire
