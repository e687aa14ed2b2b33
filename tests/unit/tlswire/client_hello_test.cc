// ClientHello builder and parser: one hello checked byte for byte against the
// RFC 5246 §7.4.1.2 layout written out by hand, then build→parse round trips
// over a table of specs (every version, SCSVs, odd SNI values, split records),
// parse errors, and the SSLv2 CLIENT-HELLO.
#include "tls/wire/client_hello.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "tls/wire/registry.h"

namespace smtpeer::tls::wire {
namespace {

using namespace std::string_literals;

// from_hex: "16 03 01" → bytes; spaces and newlines are ignored.
std::string from_hex(std::string_view hex) {
  std::string out;
  int nibbles = 0;
  unsigned value = 0;
  for (const char c : hex) {
    unsigned v = 0;
    if (c >= '0' && c <= '9') {
      v = static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v = static_cast<unsigned>(c - 'a' + 10);
    } else {
      continue;
    }
    value = value << 4 | v;
    if (++nibbles == 2) {
      out.push_back(static_cast<char>(value));
      nibbles = 0;
      value = 0;
    }
  }
  return out;
}

// Records: what build_client_hello wrote, taken apart again.
struct Records {
  std::vector<std::uint16_t> versions;
  std::vector<std::size_t> sizes;
  std::string message;  // the handshake message: payloads concatenated
  std::string body;     // the message without its 4-byte header
  bool ok = false;
};

Records split_records(std::string_view wire) {
  Records r;
  while (!wire.empty()) {
    if (wire.size() < 5 || wire[0] != 22) return r;
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(wire[i]); };
    r.versions.push_back(static_cast<std::uint16_t>(byte(1) << 8 | byte(2)));
    const std::size_t n = static_cast<std::size_t>(byte(3) << 8 | byte(4));
    if (wire.size() < 5 + n) return r;
    r.sizes.push_back(n);
    r.message.append(wire.substr(5, n));
    wire.remove_prefix(5 + n);
  }
  if (r.message.size() < 4 || r.message[0] != 1) return r;
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(r.message[i]); };
  const std::size_t len = std::size_t{byte(1)} << 16 | std::size_t{byte(2)} << 8 | byte(3);
  if (len != r.message.size() - 4) return r;
  r.body = r.message.substr(4);
  r.ok = true;
  return r;
}

std::array<std::uint8_t, 32> counting_random() {
  std::array<std::uint8_t, 32> random{};
  for (std::size_t i = 0; i < random.size(); ++i) random[i] = static_cast<std::uint8_t>(i);
  return random;
}

TEST(BuildClientHello, ByteExactTls12) {
  ClientHelloSpec spec;
  spec.random = counting_random();
  spec.suites = {0xc02f, 0x009c};
  spec.sni = "a.b";
  spec.groups = {0x001d};
  spec.signature_algorithms = {0x0401};
  const std::string expected = from_hex(
      "16 0301 0058"  // record: handshake, TLS 1.0 record version, 88 bytes
      "01 000054"     // client_hello, 84 bytes
      "0303"          // legacy_version TLS 1.2
      "000102030405060708090a0b0c0d0e0f"
      "101112131415161718191a1b1c1d1e1f"  // random
      "00"                                // session_id<0..32>: empty
      "0004 c02f 009c"                    // cipher_suites
      "01 00"                             // compression_methods: null
      "0027"                              // extensions, 39 bytes
      "0000 0008 0006 00 0003 612e62"     // server_name: host_name "a.b"
      "000a 0004 0002 001d"               // supported_groups: x25519
      "000b 0002 01 00"                   // ec_point_formats: uncompressed
      "000d 0004 0002 0401"               // signature_algorithms: rsa_pkcs1_sha256
      "ff01 0001 00");                    // renegotiation_info: empty
  EXPECT_EQ(build_client_hello(spec), expected);
}

TEST(BuildClientHello, ByteExactSslv2) {
  const std::string challenge(16, '\x5a');
  const std::string expected = from_hex(
                                   "80 1f"           // 2-byte header: 31 bytes follow
                                   "01 0301"         // CLIENT-HELLO, TLS 1.0
                                   "0006 0000 0010"  // cipher_specs, session_id, challenge lengths
                                   "010080 00002f") +  // SSL_CK_RC4_128_WITH_MD5, TLS AES128-SHA
                               challenge;
  EXPECT_EQ(build_sslv2_client_hello({0x010080, 0x00002f}, challenge, kTls10), expected);
}

struct RoundTripCase {
  const char* name;
  ClientHelloSpec spec;
  std::vector<std::uint16_t> extensions;  // expected types, in order
  std::uint16_t legacy_version = 0x0303;
  std::uint16_t record_version = 0x0301;
  std::uint16_t highest = 0x0303;
  std::vector<std::uint16_t> suites;  // expected on the wire (with SCSVs)
  std::size_t min_records = 1;
};

std::ostream& operator<<(std::ostream& os, const RoundTripCase& c) {
  return os << c.name;
}

ClientHelloSpec base(std::uint16_t version) {
  ClientHelloSpec spec;
  spec.version = version;
  spec.random = counting_random();
  spec.suites = {0x002f, 0x0035};
  return spec;
}

template <typename F>
ClientHelloSpec with(std::uint16_t version, F f) {
  ClientHelloSpec spec = base(version);
  f(spec);
  return spec;
}

const std::string kKey32(32, '\x42');

const RoundTripCase kRoundTrips[] = {
    {.name = "tls10_sni",
     .spec = with(kTls10, [](auto& s) { s.sni = "mail.example.com"; }),
     .extensions = {kExtServerName, kExtRenegotiationInfo},
     .legacy_version = kTls10,
     .highest = kTls10,
     .suites = {0x002f, 0x0035}},
    {.name = "tls11_groups",
     .spec = with(kTls11,
                  [](auto& s) {
                    s.groups = {23, 24};
                  }),
     .extensions = {kExtSupportedGroups, kExtEcPointFormats, kExtRenegotiationInfo},
     .legacy_version = kTls11,
     .highest = kTls11,
     .suites = {0x002f, 0x0035}},
    {.name = "tls12_full",
     .spec = with(kTls12,
                  [](auto& s) {
                    s.sni = "mx.example.org";
                    s.session_id = std::string(32, '\x07');
                    s.groups = {29, 23};
                    s.signature_algorithms = {0x0403, 0x0804, 0x0401};
                    s.extended_master_secret = true;
                    s.session_ticket = true;
                  }),
     .extensions = {kExtServerName, kExtSupportedGroups, kExtEcPointFormats,
                    kExtSignatureAlgorithms, kExtRenegotiationInfo, kExtExtendedMasterSecret,
                    kExtSessionTicket},
     .suites = {0x002f, 0x0035}},
    {.name = "tls13_key_share",
     .spec = with(kTls13,
                  [](auto& s) {
                    s.suites = {0x1301, 0x1302, 0x1303};
                    s.groups = {29};
                    s.signature_algorithms = {0x0804};
                    s.key_shares = {{29, kKey32}};
                  }),
     .extensions = {kExtSupportedGroups, kExtEcPointFormats, kExtSignatureAlgorithms,
                    kExtSupportedVersions, kExtPskKeyExchangeModes, kExtKeyShare,
                    kExtRenegotiationInfo},
     .highest = kTls13,
     .suites = {0x1301, 0x1302, 0x1303}},
    {.name = "tls13_explicit_versions_ffdhe",
     .spec = with(kTls13,
                  [](auto& s) {
                    s.supported_versions = {0x0a0a, kTls13, kTls12};
                    s.groups = {0x0100, 0x0101};
                    s.psk_modes = false;
                    s.renegotiation_info = false;
                  }),
     .extensions = {kExtSupportedGroups, kExtSupportedVersions},
     .highest = kTls13,
     .suites = {0x002f, 0x0035}},
    {.name = "tls12_with_supported_versions",
     .spec = with(kTls12,
                  [](auto& s) {
                    s.supported_versions = {kTls12, kTls11};
                  }),
     .extensions = {kExtSupportedVersions, kExtPskKeyExchangeModes, kExtRenegotiationInfo},
     .suites = {0x002f, 0x0035}},
    {.name = "sslv3_no_extensions",
     .spec = with(kSsl3,
                  [](auto& s) {
                    s.sni = "ignored.example";
                    s.groups = {23};
                    s.suites = {0x000a, 0x0005};
                  }),
     .extensions = {},
     .legacy_version = kSsl3,
     .record_version = kSsl3,
     .highest = kSsl3,
     .suites = {0x000a, 0x0005}},
    {.name = "sslv3_forced_extensions",
     .spec = with(kSsl3,
                  [](auto& s) {
                    s.sni = "x";
                    s.force_extensions = true;
                  }),
     .extensions = {kExtServerName, kExtRenegotiationInfo},
     .legacy_version = kSsl3,
     .record_version = kSsl3,
     .highest = kSsl3,
     .suites = {0x002f, 0x0035}},
    {.name = "fallback_and_renegotiation_scsv",
     .spec = with(kTls11,
                  [](auto& s) {
                    s.fallback_scsv = true;
                    s.renegotiation_scsv = true;
                    s.renegotiation_info = false;
                  }),
     .extensions = {},
     .legacy_version = kTls11,
     .highest = kTls11,
     .suites = {0x002f, 0x0035, kEmptyRenegotiationInfoScsv, kFallbackScsv}},
    {.name = "sni_with_nul",
     .spec = with(kTls12, [](auto& s) { s.sni = "a\0b.example"s; }),
     .extensions = {kExtServerName, kExtRenegotiationInfo},
     .suites = {0x002f, 0x0035}},
    {.name = "sni_with_backslash_crlf",
     .spec = with(kTls12, [](auto& s) { s.sni = "a\\b\r\n.example"; }),
     .extensions = {kExtServerName, kExtRenegotiationInfo},
     .suites = {0x002f, 0x0035}},
    {.name = "sni_300_bytes",
     .spec = with(kTls12, [](auto& s) { s.sni = std::string(300, 'a'); }),
     .extensions = {kExtServerName, kExtRenegotiationInfo},
     .suites = {0x002f, 0x0035}},
    {.name = "sni_empty",
     .spec = with(kTls12, [](auto& s) { s.sni = ""; }),
     .extensions = {kExtServerName, kExtRenegotiationInfo},
     .suites = {0x002f, 0x0035}},
    {.name = "heartbeat",
     .spec = with(kTls12, [](auto& s) { s.heartbeat = true; }),
     .extensions = {kExtRenegotiationInfo, kExtHeartbeat},
     .suites = {0x002f, 0x0035}},
    {.name = "deflate",
     .spec = with(kTls12,
                  [](auto& s) {
                    s.compression = {1, 0};
                  }),
     .extensions = {kExtRenegotiationInfo},
     .suites = {0x002f, 0x0035}},
    {.name = "no_extensions_at_all",
     .spec = with(kTls12, [](auto& s) { s.renegotiation_info = false; }),
     .extensions = {},
     .suites = {0x002f, 0x0035}},
    {.name = "split_50",
     .spec = with(kTls12,
                  [](auto& s) {
                    s.sni = std::string(200, 'b');
                    s.max_record = 50;
                  }),
     .extensions = {kExtServerName, kExtRenegotiationInfo},
     .suites = {0x002f, 0x0035},
     .min_records = 6},
    {.name = "split_1",
     .spec = with(kTls12, [](auto& s) { s.max_record = 0; }),  // 0 means 1
     .extensions = {kExtRenegotiationInfo},
     .suites = {0x002f, 0x0035},
     .min_records = 50},
    {.name = "record_version_explicit",
     .spec = with(kTls12, [](auto& s) { s.record_version = kTls12; }),
     .extensions = {kExtRenegotiationInfo},
     .record_version = kTls12,
     .suites = {0x002f, 0x0035}},
};

class RoundTrip : public testing::TestWithParam<RoundTripCase> {};

TEST_P(RoundTrip, BuildThenParse) {
  const RoundTripCase& c = GetParam();
  const std::string wire = build_client_hello(c.spec);
  EXPECT_EQ(build_client_hello(c.spec), wire) << "not deterministic";
  const Records records = split_records(wire);
  ASSERT_TRUE(records.ok);
  EXPECT_GE(records.sizes.size(), c.min_records);
  const std::size_t max_record = std::max<std::size_t>(c.spec.max_record, 1);
  for (const std::size_t n : records.sizes) EXPECT_LE(n, max_record);
  for (const std::uint16_t v : records.versions) EXPECT_EQ(v, c.record_version);

  const auto parsed = parse_client_hello(records.body);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const ClientHelloInfo& info = *parsed;
  EXPECT_FALSE(info.sslv2);
  EXPECT_EQ(info.legacy_version, c.legacy_version);
  EXPECT_EQ(info.highest_version(), c.highest);
  EXPECT_EQ(info.random, std::string(reinterpret_cast<const char*>(c.spec.random.data()), 32));
  EXPECT_EQ(info.session_id, c.spec.session_id);
  EXPECT_EQ(info.suites, c.suites);
  EXPECT_EQ(info.compression, c.spec.compression);
  EXPECT_EQ(info.extensions, c.extensions);
  const bool has_extensions = !c.extensions.empty();
  EXPECT_EQ(info.sni, has_extensions ? c.spec.sni : std::nullopt);
  EXPECT_EQ(info.groups, has_extensions ? c.spec.groups : std::vector<std::uint16_t>{});
  EXPECT_EQ(info.signature_algorithms, c.spec.signature_algorithms);
  std::vector<std::uint16_t> share_groups;
  for (const auto& share : c.spec.key_shares) share_groups.push_back(share.group);
  EXPECT_EQ(info.key_share_groups, share_groups);
  EXPECT_EQ(info.fallback_scsv, c.spec.fallback_scsv);
  EXPECT_EQ(info.renegotiation_info,
            c.spec.renegotiation_scsv || (has_extensions && c.spec.renegotiation_info));
  EXPECT_EQ(info.heartbeat, c.spec.heartbeat);
}

INSTANTIATE_TEST_SUITE_P(Specs, RoundTrip, testing::ValuesIn(kRoundTrips),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ParseClientHello, ExplicitSupportedVersionsKeptAsSent) {
  ClientHelloSpec spec = base(kTls13);
  spec.supported_versions = {0x0a0a, kTls13, kTls12};
  const auto parsed = parse_client_hello(split_records(build_client_hello(spec)).body);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->supported_versions, spec.supported_versions);
  EXPECT_EQ(parsed->highest_version(), kTls13);  // GREASE is not a version
}

// body_with: a hello body (TLS 1.2, zero random, one suite) followed by `tail`
// raw bytes where the extensions block goes.
std::string body_with(std::string_view tail_hex) {
  return from_hex("0303") + std::string(32, '\0') + from_hex("00 0002 002f 0100") +
         from_hex(tail_hex);
}

struct ErrorCase {
  const char* name;
  std::string body;
  std::string message_part;  // the message must contain this
};

std::ostream& operator<<(std::ostream& os, const ErrorCase& c) {
  return os << c.name;
}

std::string valid_body() {
  ClientHelloSpec spec = base(kTls12);
  spec.sni = "mail.example.com";
  return split_records(build_client_hello(spec)).body;
}

const ErrorCase kErrors[] = {
    {"empty", "", "truncated legacy_version at offset 0"},
    {"truncated_random", from_hex("0303 0000"), "truncated random at offset 2"},
    {"truncated_last_byte", valid_body().substr(0, valid_body().size() - 1),
     "bad extensions length at offset"},
    {"truncated_in_suites", valid_body().substr(0, 37), "truncated cipher_suites at offset 35"},
    {"trailing_byte", valid_body() + "\x00"s, "trailing bytes after extensions"},
    {"session_id_33",
     from_hex("0303") + std::string(32, '\0') + "\x21"s + std::string(33, 'x') +
         from_hex("0002 002f 0100"),
     "session_id longer than 32 bytes at offset 34"},
    {"odd_suites_length",
     from_hex("0303") + std::string(32, '\0') + from_hex("00 0003 002f00 0100"),
     "bad cipher_suites length at offset 35"},
    {"empty_suites", from_hex("0303") + std::string(32, '\0') + from_hex("00 0000 0100"),
     "bad cipher_suites length"},
    {"empty_compression", from_hex("0303") + std::string(32, '\0') + from_hex("00 0002 002f 00"),
     "empty compression_methods at offset 39"},
    {"extensions_length_overruns", body_with("0005 0017 0000"),
     "bad extensions length at offset 41"},
    {"extension_length_overruns", body_with("0004 0017 0001"), "truncated extension at offset 43"},
    {"duplicate_extension", body_with("0008 0017 0000 0017 0000"),
     "duplicate extension 23 at offset 47"},
    {"supported_groups_odd", body_with("0007 000a 0003 0001 00"), "supported_groups"},
    {"supported_groups_inner_overruns", body_with("0008 000a 0004 0004 001d"), "supported_groups"},
    {"server_name_entry_overruns", body_with("000b 0000 0007 0005 00 0003 6162"),
     "server_name: bad entry length"},
    {"supported_versions_odd", body_with("0008 002b 0004 03 0304 03"), "supported_versions"},
    {"key_share_empty_key", body_with("000a 0033 0006 0004 001d 0000"),
     "key_share: empty key_exchange"},
    {"renegotiation_info_bad", body_with("0005 ff01 0001 05"), "renegotiation_info"},
    {"heartbeat_unknown_mode", body_with("0005 000f 0001 03"), "heartbeat: unknown mode"},
    {"heartbeat_two_bytes", body_with("0006 000f 0002 0101"), "heartbeat: body is not one byte"},
};

class ParseError : public testing::TestWithParam<ErrorCase> {};

TEST_P(ParseError, IsProtocolError) {
  const ErrorCase& c = GetParam();
  const auto parsed = parse_client_hello(c.body);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kProtocol);
  EXPECT_NE(parsed.error().message.find(c.message_part), std::string::npos)
      << parsed.error().message;
  EXPECT_NE(parsed.error().message.find(" at offset "), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Bodies, ParseError, testing::ValuesIn(kErrors),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ParseClientHello, AcceptsEmptyExtensionsBlockAndUnknownExtensions) {
  const auto empty = parse_client_hello(body_with("0000"));
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_TRUE(empty->extensions.empty());
  const auto unknown = parse_client_hello(body_with("0009 1234 0001 ff 0016 0000"));
  ASSERT_TRUE(unknown.ok()) << unknown.error().message;
  EXPECT_EQ(unknown->extensions, (std::vector<std::uint16_t>{0x1234, kExtEncryptThenMac}));
}

TEST(ParseClientHello, SniTakesFirstHostName) {
  // Two entries: an unknown name type 7 first, then host_name "ab", then "cd".
  const auto parsed =
      parse_client_hello(body_with("0014 0000 0010 000e 07 0001 78 00 0002 6162 00 0002 6364"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->sni, "ab");
}

TEST(Sslv2ClientHello, RoundTrip) {
  const std::string challenge = "0123456789abcdef0123456789abcdef";
  const std::vector<std::uint32_t> kinds = {0x010080, 0x0700c0, 0x00002f, 0x0000ff, 0x005600};
  const std::string wire = build_sslv2_client_hello(kinds, challenge, kTls10);
  ASSERT_GE(wire.size(), 2u);
  const std::size_t n =
      (static_cast<std::size_t>(wire[0] & 0x7f) << 8) | static_cast<std::uint8_t>(wire[1]);
  EXPECT_EQ(static_cast<std::uint8_t>(wire[0]) & 0x80, 0x80);
  EXPECT_EQ(n, wire.size() - 2);
  const auto parsed = parse_sslv2_client_hello(std::string_view(wire).substr(2));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_TRUE(parsed->sslv2);
  EXPECT_EQ(parsed->legacy_version, kTls10);
  EXPECT_EQ(parsed->highest_version(), kTls10);
  EXPECT_EQ(parsed->sslv2_ciphers, kinds);
  EXPECT_EQ(parsed->suites, (std::vector<std::uint16_t>{0x002f, 0x00ff, 0x5600}));
  EXPECT_TRUE(parsed->fallback_scsv);
  EXPECT_TRUE(parsed->renegotiation_info);
  EXPECT_EQ(parsed->random, challenge);
  EXPECT_TRUE(parsed->session_id.empty());
}

TEST(Sslv2ClientHello, Errors) {
  const std::string ok = build_sslv2_client_hello({0x010080}, std::string(16, 'c')).substr(2);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "truncated msg_type at offset 0"},
      {"\x02" + ok.substr(1), "msg_type is not CLIENT-HELLO at offset 0"},
      {ok.substr(0, 5), "truncated header"},
      {ok.substr(0, ok.size() - 1), "truncated challenge"},
      {ok + "x", "trailing bytes at offset"},
      {build_sslv2_client_hello({0x010080}, std::string(15, 'c')).substr(2),
       "bad challenge_length at offset 1"},
      {build_sslv2_client_hello({}, std::string(16, 'c')).substr(2), "bad cipher_spec_length"},
      {from_hex("01 0002 0003 0001 0010 010080 00") + std::string(16, 'c'),
       "bad session_id_length"},
  };
  for (const auto& [message, part] : cases) {
    SCOPED_TRACE(part);
    const auto parsed = parse_sslv2_client_hello(message);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().code, ErrorCode::kProtocol);
    EXPECT_NE(parsed.error().message.find(part), std::string::npos) << parsed.error().message;
  }
}

}  // namespace
}  // namespace smtpeer::tls::wire
