// Server flight parsers: records (every truncation point, plaintext SMTP,
// bad headers), alerts, ServerHello (TLS 1.2, TLS 1.3, HelloRetryRequest,
// downgrade sentinel), Certificate in both layouts, ServerKeyExchange sizes,
// the SSLv2 SERVER-HELLO, and ServerFlight over flights captured from
// `openssl s_server` (tests/golden/tls/), fed whole and one byte at a time.
#include "tls/wire/server_flight.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "tls/wire/cursor.h"
#include "tls/wire/registry.h"

namespace smtpeer::tls::wire {
namespace {

using namespace std::string_literals;

// contains: `text` holds `part` (every message checked names its field).
::testing::AssertionResult contains(std::string_view text, std::string_view part) {
  if (text.find(part) != std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << '"' << text << "\" does not contain \"" << part << '"';
}

std::string read_golden(std::string_view name) {
  const std::string path = std::string(SMTPEER_TEST_DATA) + "/golden/tls/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string record(std::uint8_t type, std::string_view payload, std::uint16_t version = kTls12) {
  Writer w;
  w.u8(type);
  w.u16(version);
  const auto m = w.open16();
  w.bytes(payload);
  w.close(m);
  return w.take();
}

std::string handshake(HandshakeType type, std::string_view body) {
  Writer w;
  w.u8(static_cast<std::uint8_t>(type));
  const auto m = w.open24();
  w.bytes(body);
  w.close(m);
  return w.take();
}

std::string extension(std::uint16_t type, std::string_view data) {
  Writer w;
  w.u16(type);
  const auto m = w.open16();
  w.bytes(data);
  w.close(m);
  return w.take();
}

const std::string kHrrRandom =
    "\xCF\x21\xAD\x74\xE5\x9A\x61\x11\xBE\x1D\x8C\x02\x1E\x65\xB8\x91"
    "\xC2\xA2\x11\x16\x7A\xBB\x8C\x5E\x07\x9E\x09\xE2\xC8\xA8\x33\x9C"s;

std::string plain_random() {
  std::string r;
  for (int i = 0; i < 32; ++i) r.push_back(static_cast<char>(i + 1));
  return r;
}

// server_hello_body: a ServerHello; `extensions` nullopt leaves the block out.
std::string server_hello_body(std::uint16_t version, std::string_view random,
                              std::optional<std::string> extensions, std::uint16_t suite = 0xC02F,
                              std::string_view session_id = "") {
  Writer w;
  w.u16(version);
  w.bytes(random);
  const auto s = w.open8();
  w.bytes(session_id);
  w.close(s);
  w.u16(suite);
  w.u8(0);
  if (extensions) {
    const auto e = w.open16();
    w.bytes(*extensions);
    w.close(e);
  }
  return w.take();
}

std::string x25519_share() {
  Writer w;
  w.u16(0x001d);
  const auto k = w.open16();
  w.bytes(std::string(32, '\x42'));
  w.close(k);
  return w.take();
}

// ---- records ---------------------------------------------------------------

struct RecordCase {
  const char* name;
  std::string bytes;
  ParseState state;
  std::size_t consumed;
  const char* error;  // substring; "" for none
};

std::ostream& operator<<(std::ostream& os, const RecordCase& c) {
  return os << c.name;
}

const RecordCase kRecordCases[] = {
    {"alert", "\x15\x03\x03\x00\x02\x02\x28"s, ParseState::kOk, 7, ""},
    {"handshake_then_more", "\x16\x03\x01\x00\x01\x0e\x17"s, ParseState::kOk, 6, ""},
    {"ssl3", "\x16\x03\x00\x00\x00"s, ParseState::kOk, 5, ""},
    {"max_length_needs_more", "\x17\x03\x03\x48\x00"s, ParseState::kNeedMore, 0, ""},
    {"too_long", "\x17\x03\x03\x48\x01"s, ParseState::kError, 0, "record length 18433 at offset 3"},
    {"smtp_220", "220 mail.example.com ESMTP\r\n", ParseState::kError, 0,
     "plaintext SMTP reply, not a TLS record"},
    {"smtp_554_continuation", "554-no\r\n", ParseState::kError, 0, "plaintext SMTP reply"},
    {"smtp_bare_code", "421\r\n", ParseState::kError, 0, "plaintext SMTP reply"},
    {"smtp_undecided", "22", ParseState::kNeedMore, 0, ""},
    {"digits_not_smtp", "2200", ParseState::kError, 0, "content type 50 (0x32) at offset 0"},
    {"type_25", "\x19\x03\x03\x00\x00"s, ParseState::kError, 0, "content type 25"},
    {"type_19_early", "\x13"s, ParseState::kError, 0, "not a TLS record type"},
    {"major_2", "\x16\x02\x00\x00\x00"s, ParseState::kError, 0, "major 2 at offset 1"},
    {"minor_5", "\x16\x03\x05\x00\x00"s, ParseState::kError, 0, "record version 3.5"},
    {"sslv2_header", "\x80\x2e\x01"s, ParseState::kError, 0, "SSLv2 record header"},
    {"empty", "", ParseState::kNeedMore, 0, ""},
};

class RecordTest : public ::testing::TestWithParam<RecordCase> {};

TEST_P(RecordTest, Parses) {
  const RecordCase& c = GetParam();
  const RecordParse r = parse_record(c.bytes);
  EXPECT_EQ(r.state, c.state);
  EXPECT_EQ(r.consumed, c.consumed);
  EXPECT_TRUE(contains(r.error, c.error));
  if (c.state == ParseState::kOk) {
    EXPECT_EQ(r.record.type, static_cast<std::uint8_t>(c.bytes[0]));
    EXPECT_EQ(r.record.payload, std::string_view(c.bytes).substr(5, c.consumed - 5));
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, RecordTest, ::testing::ValuesIn(kRecordCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Record, NeedsMoreAtEveryTruncationPoint) {
  const std::string full = record(22, handshake(HandshakeType::kServerHelloDone, ""));
  for (std::size_t k = 0; k < full.size(); ++k) {
    SCOPED_TRACE(k);
    EXPECT_EQ(parse_record(std::string_view(full).substr(0, k)).state, ParseState::kNeedMore);
  }
  const RecordParse r = parse_record(full);
  ASSERT_EQ(r.state, ParseState::kOk);
  EXPECT_EQ(r.consumed, full.size());
  EXPECT_EQ(r.record.version, kTls12);
}

// ---- alerts ----------------------------------------------------------------

TEST(Alert, TwoBytesExactly) {
  const auto a = parse_alert("\x02\x28"s);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->level, 2);
  EXPECT_EQ(a->description, kAlertHandshakeFailure);
  for (const std::string& bad : {""s, "\x02"s, "\x02\x28\x01"s}) {
    const auto r = parse_alert(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kProtocol);
  }
}

// ---- ServerHello -------------------------------------------------------------

struct HelloCase {
  const char* name;
  std::string body;
  const char* error;  // "" when it parses
  std::uint16_t version;
  bool hrr;
  std::optional<std::uint16_t> key_share;
  bool renegotiation_info;
  bool downgrade;
  std::size_t extensions;
};

std::ostream& operator<<(std::ostream& os, const HelloCase& c) {
  return os << c.name;
}

std::string downgrade_random(char last) {
  return plain_random().substr(0, 24) + "DOWNGRD"s + last;
}

const std::vector<HelloCase>& hello_cases() {
  static const std::vector<HelloCase> cases = {
      {"tls12_renegotiation_info",
       server_hello_body(
           kTls12, plain_random(),
           extension(kExtRenegotiationInfo, "\x00"s) + extension(kExtExtendedMasterSecret, "")),
       "", kTls12, false, std::nullopt, true, false, 2},
      {"ssl3_no_extensions", server_hello_body(kSsl3, plain_random(), std::nullopt, 0x000A), "",
       kSsl3, false, std::nullopt, false, false, 0},
      {"empty_extension_block", server_hello_body(kTls10, plain_random(), ""), "", kTls10, false,
       std::nullopt, false, false, 0},
      {"tls13",
       server_hello_body(
           kTls12, plain_random(),
           extension(kExtSupportedVersions, "\x03\x04"s) + extension(kExtKeyShare, x25519_share()),
           0x1301, std::string(32, 'S')),
       "", kTls13, false, 0x001d, false, false, 2},
      {"hello_retry_request",
       server_hello_body(
           kTls12, kHrrRandom,
           extension(kExtSupportedVersions, "\x03\x04"s) + extension(kExtKeyShare, "\x00\x17"s),
           0x1301),
       "", kTls13, true, 0x0017, false, false, 2},
      {"downgrade_tls12", server_hello_body(kTls12, downgrade_random('\x01'), ""), "", kTls12,
       false, std::nullopt, false, true, 0},
      {"downgrade_tls11", server_hello_body(kTls11, downgrade_random('\x00'), ""), "", kTls11,
       false, std::nullopt, false, true, 0},
      {"not_downgrade_02", server_hello_body(kTls12, downgrade_random('\x02'), ""), "", kTls12,
       false, std::nullopt, false, false, 0},
      {"duplicate_extension",
       server_hello_body(
           kTls12, plain_random(),
           extension(kExtExtendedMasterSecret, "") + extension(kExtExtendedMasterSecret, "")),
       "duplicate extension 23", 0, false, std::nullopt, false, false, 0},
      {"hrr_with_key",
       server_hello_body(kTls12, kHrrRandom, extension(kExtKeyShare, x25519_share())),
       "bytes after the key_share", 0, false, std::nullopt, false, false, 0},
      {"key_share_without_key",
       server_hello_body(kTls12, plain_random(), extension(kExtKeyShare, "\x00\x1d"s)),
       "key_share key_exchange", 0, false, std::nullopt, false, false, 0},
      {"supported_versions_client_form",
       server_hello_body(kTls12, plain_random(), extension(kExtSupportedVersions, "\x02\x03\x04"s)),
       "supported_versions at offset", 0, false, std::nullopt, false, false, 0},
      {"trailing_bytes", server_hello_body(kTls12, plain_random(), "") + "x",
       "1 bytes after the extensions", 0, false, std::nullopt, false, false, 0},
      {"extension_overruns", server_hello_body(kTls12, plain_random(), "\x00\x17\x00\x05"s),
       "extension at offset 40 overruns", 0, false, std::nullopt, false, false, 0},
      {"session_id_33", server_hello_body(kTls12, plain_random(), "", 0xC02F, std::string(33, 'x')),
       "session_id length 33 at offset 34", 0, false, std::nullopt, false, false, 0},
      {"truncated_random", "\x03\x03\x01\x02"s, "random at offset 2", 0, false, std::nullopt, false,
       false, 0},
  };
  return cases;
}

class HelloTest : public ::testing::TestWithParam<HelloCase> {};

TEST_P(HelloTest, Parses) {
  const HelloCase& c = GetParam();
  const auto r = parse_server_hello(c.body);
  if (*c.error != '\0') {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kProtocol);
    EXPECT_TRUE(contains(r.error().message, c.error));
    EXPECT_TRUE(contains(r.error().message, "ServerHello"));
    return;
  }
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->version, c.version);
  EXPECT_EQ(r->hello_retry_request, c.hrr);
  EXPECT_EQ(r->key_share_group, c.key_share);
  EXPECT_EQ(r->renegotiation_info, c.renegotiation_info);
  EXPECT_EQ(r->downgrade_sentinel, c.downgrade);
  EXPECT_EQ(r->extensions.size(), c.extensions);
  EXPECT_EQ(r->random.size(), 32u);
}

INSTANTIATE_TEST_SUITE_P(Cases, HelloTest, ::testing::ValuesIn(hello_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ServerHello, KeepsFieldsAndFlags) {
  const auto r = parse_server_hello(server_hello_body(kTls12, plain_random(),
                                                      extension(kExtHeartbeat, "\x01"s) +
                                                          extension(kExtExtendedMasterSecret, "") +
                                                          extension(0x1234, "abc"),
                                                      0x0033, "sid"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->legacy_version, kTls12);
  EXPECT_EQ(r->suite, 0x0033);
  EXPECT_EQ(r->session_id, "sid");
  EXPECT_EQ(r->random, plain_random());
  EXPECT_TRUE(r->heartbeat);
  EXPECT_TRUE(r->extended_master_secret);
  EXPECT_FALSE(r->renegotiation_info);
  EXPECT_EQ(r->extensions,
            (std::vector<std::uint16_t>{kExtHeartbeat, kExtExtendedMasterSecret, 0x1234}));
}

// ---- Certificate -------------------------------------------------------------

std::string cert_list12(const std::vector<std::string>& certs) {
  Writer w;
  const auto list = w.open24();
  for (const auto& c : certs) {
    const auto m = w.open24();
    w.bytes(c);
    w.close(m);
  }
  w.close(list);
  return w.take();
}

std::string cert_list13(std::string_view context, const std::vector<std::string>& certs) {
  Writer w;
  const auto ctx = w.open8();
  w.bytes(context);
  w.close(ctx);
  const auto list = w.open24();
  for (const auto& c : certs) {
    const auto m = w.open24();
    w.bytes(c);
    w.close(m);
    const auto e = w.open16();
    w.bytes(extension(kExtStatusRequest, "ocsp"));
    w.close(e);
  }
  w.close(list);
  return w.take();
}

TEST(Certificate, Tls12Layout) {
  const std::vector<std::string> certs = {"\x30\x82leaf"s,
                                          "\x30\x82"
                                          "ca"s};
  const auto r = parse_certificate(cert_list12(certs), false);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, certs);
  EXPECT_TRUE(parse_certificate(cert_list12({}), false).ok());
}

TEST(Certificate, Tls13Layout) {
  const std::vector<std::string> certs = {"leaf", "intermediate"};
  const auto r = parse_certificate(cert_list13("", certs), true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, certs);
  // The same bytes are not a TLS 1.2 Certificate, and the other way round.
  EXPECT_FALSE(parse_certificate(cert_list13("", certs), false).ok());
  EXPECT_FALSE(parse_certificate(cert_list12(certs), true).ok());
}

TEST(Certificate, Errors) {
  struct Bad {
    std::string body;
    bool tls13;
    const char* error;
  };
  const Bad cases[] = {
      {cert_list12({"a"}) + "x", false, "1 bytes after the certificate_list"},
      {cert_list12({""}), false, "certificate 0 at offset 3 is empty"},
      {"\x00\x00\x05\x00\x00\x09zz"s, false, "certificate 0 at offset 3 overruns"},
      {"\x00\x00"s, false, "certificate_list length at offset 0"},
      {"\x05"s, true, "certificate_request_context"},
      {"\x00\x00\x00\x04\x00\x00\x01z"s, true, "extensions of certificate 0"},
  };
  for (const Bad& b : cases) {
    SCOPED_TRACE(b.error);
    const auto r = parse_certificate(b.body, b.tls13);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kProtocol);
    EXPECT_TRUE(contains(r.error().message, b.error));
  }
}

// ---- ServerKeyExchange ---------------------------------------------------------

std::string opaque16(std::string_view v) {
  Writer w;
  const auto m = w.open16();
  w.bytes(v);
  w.close(m);
  return w.take();
}

std::string dh_params(std::string_view p) {
  return opaque16(p) + opaque16("\x02") + opaque16(std::string(p.size(), '\x55'));
}

constexpr std::uint16_t kDheRsa = 0x0033;
constexpr std::uint16_t kEcdheRsa = 0xC02F;
constexpr std::uint16_t kRsaExport = 0x0003;
constexpr std::uint16_t kDhePsk = 0x0090;
constexpr std::uint16_t kEcdhePsk = 0xC035;
constexpr std::uint16_t kRsa = 0x002F;

struct KxCase {
  const char* name;
  std::uint16_t suite;
  std::string body;
  const char* error;
  int dh_bits;
  std::optional<std::uint16_t> group;
  bool explicit_curve;
  int rsa_export_bits;
};

std::ostream& operator<<(std::ostream& os, const KxCase& c) {
  return os << c.name;
}

const std::string kSignature = "\x04\x01\x00\x04sig!"s;

const std::vector<KxCase>& kx_cases() {
  static const std::vector<KxCase> cases = {
      {"dhe_2048", kDheRsa, dh_params("\xff" + std::string(255, '\x01')) + kSignature, "", 2048,
       std::nullopt, false, 0},
      {"dhe_leading_zeros", kDheRsa, dh_params("\x00\x00\x01"s + std::string(127, '\x01')), "",
       1017, std::nullopt, false, 0},
      {"dhe_psk_hint_first", kDhePsk, opaque16("hint") + dh_params("\x80" + std::string(127, 'p')),
       "", 1024, std::nullopt, false, 0},
      {"ecdhe_x25519", kEcdheRsa, "\x03\x00\x1d\x20"s + std::string(32, 'k') + kSignature, "", 0,
       0x001d, false, 0},
      {"ecdhe_psk", kEcdhePsk, opaque16("") + "\x03\x00\x17\x01\x04"s, "", 0, 0x0017, false, 0},
      {"ecdhe_explicit_prime", kEcdheRsa, "\x01whatever"s, "", 0, std::nullopt, true, 0},
      {"ecdhe_explicit_char2", kEcdheRsa, "\x02"s, "", 0, std::nullopt, true, 0},
      {"rsa_export_512", kRsaExport,
       opaque16("\xc0" + std::string(63, 'm')) + opaque16("\x01\x00\x01"s), "", 0, std::nullopt,
       false, 512},
      {"rsa_no_params", kRsa, "anything", "", 0, std::nullopt, false, 0},
      {"unknown_suite", 0xFFFF, "", "", 0, std::nullopt, false, 0},
      {"dhe_empty_p", kDheRsa, opaque16("") + opaque16("\x02"), "dh_p at offset 0 is empty", 0,
       std::nullopt, false, 0},
      {"dhe_truncated_g", kDheRsa, opaque16("\xff") + "\x00\x05\x02"s, "dh_g at offset 3 overruns",
       0, std::nullopt, false, 0},
      {"ecdhe_curve_type_4", kEcdheRsa, "\x04\x00\x1d"s, "curve_type 4 at offset 0", 0,
       std::nullopt, false, 0},
      {"ecdhe_no_point", kEcdheRsa, "\x03\x00\x1d"s, "ECPoint at offset 3", 0, std::nullopt, false,
       0},
      {"dhe_psk_bad_hint", kDhePsk, "\x00\x09hi"s, "psk_identity_hint at offset 0", 0, std::nullopt,
       false, 0},
  };
  return cases;
}

class KxTest : public ::testing::TestWithParam<KxCase> {};

TEST_P(KxTest, Parses) {
  const KxCase& c = GetParam();
  const auto r = parse_server_key_exchange(c.body, c.suite);
  if (*c.error != '\0') {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kProtocol);
    EXPECT_TRUE(contains(r.error().message, c.error));
    return;
  }
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->dh_bits, c.dh_bits);
  EXPECT_EQ(r->group, c.group);
  EXPECT_EQ(r->explicit_curve, c.explicit_curve);
  EXPECT_EQ(r->rsa_export_bits, c.rsa_export_bits);
}

INSTANTIATE_TEST_SUITE_P(Cases, KxTest, ::testing::ValuesIn(kx_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

// ---- SSLv2 -----------------------------------------------------------------------

const std::string kSslv2Cert =
    "\x30\x82\x00\x03"
    "DER"s;
const std::string kSslv2Specs = "\x01\x00\x80\x02\x00\x80"s;  // RC4_128_WITH_MD5, RC4 EXPORT40

std::string sslv2_body(std::uint8_t msg = 4, std::uint16_t specs_len = 6) {
  Writer w;
  w.u8(msg);
  w.u8(0);  // session_id_hit
  w.u8(1);  // X509 certificate
  w.u16(kSsl2);
  w.u16(static_cast<std::uint16_t>(kSslv2Cert.size()));
  w.u16(specs_len);
  w.u16(16);
  w.bytes(kSslv2Cert);
  w.bytes(kSslv2Specs);
  w.bytes(std::string(16, 'c'));
  return w.take();
}

std::string sslv2_record2(std::string_view body) {
  Writer w;
  w.u16(static_cast<std::uint16_t>(0x8000 | body.size()));
  w.bytes(body);
  return w.take();
}

TEST(Sslv2, ServerHelloTwoByteHeader) {
  const auto r = parse_sslv2_server_hello(sslv2_record2(sslv2_body()));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->version, kSsl2);
  EXPECT_EQ(r->certificate, kSslv2Cert);
  EXPECT_EQ(r->ciphers, (std::vector<std::uint32_t>{0x010080, 0x020080}));
}

TEST(Sslv2, ServerHelloThreeByteHeaderWithPadding) {
  const std::string body = sslv2_body() + "pad";
  Writer w;
  w.u16(static_cast<std::uint16_t>(body.size()));
  w.u8(3);
  w.bytes(body);
  const auto r = parse_sslv2_server_hello(w.data());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->ciphers.size(), 2u);
}

TEST(Sslv2, Errors) {
  struct Bad {
    std::string record;
    const char* error;
  };
  const Bad cases[] = {
      {sslv2_record2("\x00\x00\x01"s), "NO-CIPHER-ERROR"},
      {sslv2_record2(sslv2_body(2)), "message type 2 at offset 2"},
      {sslv2_record2(sslv2_body(4, 5)), "CIPHER-SPECS-LENGTH 5"},
      {sslv2_record2(sslv2_body()) + "x", "1 bytes after the record"},
      {sslv2_record2(sslv2_body()).substr(0, 20), "record length"},
      {sslv2_record2(sslv2_body() + "x"), "1 bytes after the SERVER-HELLO"},
      {"\x80"s, "truncated"},
  };
  for (const Bad& b : cases) {
    SCOPED_TRACE(b.error);
    const auto r = parse_sslv2_server_hello(b.record);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(contains(r.error().message, b.error));
  }
}

// ---- ServerFlight ------------------------------------------------------------------

using State = ServerFlight::State;

// Feeds: the same stream fed whole, one byte at a time, and in chunks of 1..17.
struct Fed {
  State state;
  std::string error;
  Flight flight;
};

Fed feed_in_chunks(std::string_view in, std::size_t chunk, ServerFlight::Limits limits) {
  ServerFlight f(limits);
  if (chunk == 0) chunk = in.size() + 1;
  for (std::size_t i = 0; i < in.size(); i += chunk) f.feed(in.substr(i, chunk));
  return {f.state(), f.error(), f.flight()};
}

void expect_same(const Fed& a, const Fed& b) {
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.flight.records, b.flight.records);
  EXPECT_EQ(a.flight.bytes, b.flight.bytes);
  EXPECT_EQ(a.flight.certificates, b.flight.certificates);
  EXPECT_EQ(a.flight.hello.has_value(), b.flight.hello.has_value());
  EXPECT_EQ(a.flight.key_exchange.has_value(), b.flight.key_exchange.has_value());
  EXPECT_EQ(a.flight.hello_done, b.flight.hello_done);
  EXPECT_EQ(a.flight.certificate_request, b.flight.certificate_request);
  EXPECT_EQ(a.flight.alert.has_value(), b.flight.alert.has_value());
}

// feed_every_way: the result of feeding `in` whole, after checking that every
// other split gives the same.
Fed feed_every_way(std::string_view in, ServerFlight::Limits limits = {}) {
  const Fed whole = feed_in_chunks(in, 0, limits);
  for (std::size_t chunk = 1; chunk <= 17; ++chunk) {
    SCOPED_TRACE(chunk);
    expect_same(whole, feed_in_chunks(in, chunk, limits));
  }
  return whole;
}

TEST(ServerFlight, CapturedTls12EcdheFlight) {
  // openssl s_server (OpenSSL 3, RSA-2048 cert, TLS 1.3 capable) answering
  // `s_client -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256`; the capture runs
  // on past the flight (ticket, CCS, encrypted Finished), which is ignored.
  const std::string wire = read_golden("tls12_ecdhe_rsa.bin");
  ASSERT_FALSE(wire.empty());
  const Fed f = feed_every_way(wire);
  ASSERT_EQ(f.state, State::kDone) << f.error;
  ASSERT_TRUE(f.flight.hello);
  EXPECT_EQ(f.flight.hello->version, kTls12);
  EXPECT_EQ(f.flight.hello->suite, 0xC02F);
  EXPECT_TRUE(f.flight.hello->renegotiation_info);
  EXPECT_TRUE(f.flight.hello->extended_master_secret);
  // A TLS 1.3 server that negotiated TLS 1.2 marks its random.
  EXPECT_TRUE(f.flight.hello->downgrade_sentinel);
  ASSERT_EQ(f.flight.certificates.size(), 1u);
  EXPECT_EQ(f.flight.certificates[0].substr(0, 2), "\x30\x82");
  ASSERT_TRUE(f.flight.key_exchange);
  EXPECT_EQ(f.flight.key_exchange->group, 0x001d);
  EXPECT_TRUE(f.flight.hello_done);
  EXPECT_FALSE(f.flight.certificate_request);
  EXPECT_FALSE(f.flight.alert);
  // ServerHello, Certificate, ServerKeyExchange, ServerHelloDone: one record each.
  EXPECT_EQ(f.flight.records, 4u);
  // What follows (after the client's answer) is the NewSessionTicket.
  const RecordParse next = parse_record(std::string_view(wire).substr(f.flight.bytes));
  ASSERT_EQ(next.state, ParseState::kOk);
  EXPECT_EQ(next.record.payload.substr(0, 1),
            std::string(1, static_cast<char>(HandshakeType::kNewSessionTicket)));
}

TEST(ServerFlight, CapturedTls12DheFlight) {
  const std::string wire = read_golden("tls12_dhe_rsa.bin");
  const Fed f = feed_every_way(wire);
  ASSERT_EQ(f.state, State::kDone) << f.error;
  EXPECT_EQ(f.flight.hello->suite, kDheRsa);
  ASSERT_TRUE(f.flight.key_exchange);
  EXPECT_EQ(f.flight.key_exchange->dh_bits, 2048);
  EXPECT_EQ(f.flight.bytes, wire.size());
}

TEST(ServerFlight, CapturedHelloRetryRequest) {
  const std::string wire = read_golden("tls13_hello_retry_request.bin");
  const Fed f = feed_every_way(wire);
  ASSERT_EQ(f.state, State::kDone) << f.error;
  EXPECT_TRUE(f.flight.hello->hello_retry_request);
  EXPECT_EQ(f.flight.hello->version, kTls13);
  EXPECT_EQ(f.flight.hello->key_share_group, 0x001d);
  EXPECT_TRUE(f.flight.certificates.empty());
}

std::string tls12_hello_record() {
  return record(22, handshake(HandshakeType::kServerHello,
                              server_hello_body(kTls12, plain_random(), "", kEcdheRsa)));
}

TEST(ServerFlight, MessagesSpanRecordsAndShareThem) {
  const std::string messages =
      handshake(HandshakeType::kServerHello, server_hello_body(kTls12, plain_random(), "")) +
      handshake(HandshakeType::kCertificate, cert_list12({"leaf", "ca"})) +
      handshake(HandshakeType::kCertificateRequest, "\x01\x01\x00\x00\x00\x00"s) +
      handshake(HandshakeType::kServerHelloDone, "");
  std::string wire;
  for (std::size_t i = 0; i < messages.size(); i += 7) {
    wire += record(22, std::string_view(messages).substr(i, 7));
  }
  const Fed f = feed_every_way(wire);
  ASSERT_EQ(f.state, State::kDone) << f.error;
  EXPECT_EQ(f.flight.certificates, (std::vector<std::string>{"leaf", "ca"}));
  EXPECT_TRUE(f.flight.certificate_request);
  EXPECT_TRUE(f.flight.hello_done);
  EXPECT_EQ(f.flight.records, (messages.size() + 6) / 7);
  EXPECT_EQ(f.flight.bytes, wire.size());

  const Fed one = feed_every_way(record(22, messages));
  EXPECT_EQ(one.state, State::kDone);
  EXPECT_EQ(one.flight.records, 1u);
}

TEST(ServerFlight, Tls13ServerHelloEndsTheFlight) {
  const std::string wire =
      record(22, handshake(HandshakeType::kServerHello,
                           server_hello_body(kTls12, plain_random(),
                                             extension(kExtSupportedVersions, "\x03\x04"s) +
                                                 extension(kExtKeyShare, x25519_share()),
                                             0x1301))) +
      record(20, "\x01") + record(23, "encrypted");
  const Fed f = feed_every_way(wire);
  EXPECT_EQ(f.state, State::kDone);
  EXPECT_EQ(f.flight.records, 1u);
}

struct FlightCase {
  const char* name;
  std::string wire;
  State state;
  const char* error;
};

std::ostream& operator<<(std::ostream& os, const FlightCase& c) {
  return os << c.name;
}

const std::vector<FlightCase>& flight_cases() {
  static const std::vector<FlightCase> cases = {
      {"alert", record(21, "\x02\x28"s), State::kAlert, ""},
      {"alert_after_hello", tls12_hello_record() + record(21, "\x02\x46"s), State::kAlert, ""},
      {"smtp_reply", "454 4.7.0 TLS not available due to local problem\r\n", State::kError,
       "plaintext SMTP reply"},
      {"smtp_after_record", tls12_hello_record() + "250 OK\r\n", State::kError,
       "record 2 at stream byte 49: plaintext SMTP reply"},
      {"garbage", "HTTP/1.1 400", State::kError, "not a TLS record type"},
      {"ccs_before_done", tls12_hello_record() + record(20, "\x01"), State::kError,
       "unexpected ChangeCipherSpec record"},
      {"application_data", record(23, "x"), State::kError, "unexpected application data record"},
      {"certificate_first", record(22, handshake(HandshakeType::kCertificate, cert_list12({"a"}))),
       State::kError, "unexpected Certificate before the ServerHello"},
      {"two_server_hellos", tls12_hello_record() + tls12_hello_record(), State::kError,
       "unexpected ServerHello: repeated or out of order"},
      {"key_exchange_after_request",
       tls12_hello_record() +
           record(22, handshake(HandshakeType::kCertificateRequest, "") +
                          handshake(HandshakeType::kServerKeyExchange, "\x03\x00\x1d\x01\x04"s)),
       State::kError, "unexpected ServerKeyExchange: repeated or out of order"},
      {"encrypted_extensions_in_clear",
       tls12_hello_record() + record(22, handshake(HandshakeType::kEncryptedExtensions, "\0\0"s)),
       State::kError, "unexpected EncryptedExtensions"},
      {"bad_server_hello", record(22, handshake(HandshakeType::kServerHello, "\x03\x03"s)),
       State::kError, "ServerHello: random at offset 2"},
      {"done_not_empty",
       tls12_hello_record() + record(22, handshake(HandshakeType::kServerHelloDone, "x")),
       State::kError, "ServerHelloDone: 1 bytes"},
      {"bad_alert", record(21, "\x02"s), State::kError, "alert: 1 bytes"},
      {"hello_request_ignored",
       record(22, handshake(HandshakeType::kHelloRequest, "")) + tls12_hello_record() +
           record(22, handshake(HandshakeType::kServerHelloDone, "")),
       State::kDone, ""},
      {"incomplete", tls12_hello_record().substr(0, 30), State::kNeedMore, ""},
      {"sslv2_server_hello", sslv2_record2(sslv2_body()), State::kDone, ""},
      {"sslv2_error", sslv2_record2("\x00\x00\x01"s), State::kError, "NO-CIPHER-ERROR"},
  };
  return cases;
}

class FlightTest : public ::testing::TestWithParam<FlightCase> {};

TEST_P(FlightTest, Ends) {
  const FlightCase& c = GetParam();
  const Fed f = feed_every_way(c.wire);
  EXPECT_EQ(f.state, c.state) << f.error;
  EXPECT_TRUE(contains(f.error, c.error));
  EXPECT_EQ(f.state == State::kError, !f.error.empty());
  EXPECT_LE(f.flight.bytes, c.wire.size());
}

INSTANTIATE_TEST_SUITE_P(Cases, FlightTest, ::testing::ValuesIn(flight_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ServerFlight, AlertIsKept) {
  const Fed f = feed_every_way(tls12_hello_record() + record(21, "\x02\x28"s));
  ASSERT_TRUE(f.flight.alert);
  EXPECT_EQ(f.flight.alert->level, 2);
  EXPECT_EQ(f.flight.alert->description, kAlertHandshakeFailure);
  EXPECT_TRUE(f.flight.hello);
  EXPECT_EQ(f.flight.records, 2u);
}

TEST(ServerFlight, Sslv2ServerHello) {
  const std::string wire = sslv2_record2(sslv2_body());
  const Fed f = feed_every_way(wire);
  ASSERT_TRUE(f.flight.sslv2);
  EXPECT_EQ(f.flight.sslv2->certificate, kSslv2Cert);
  EXPECT_EQ(f.flight.records, 1u);
  EXPECT_EQ(f.flight.bytes, wire.size());
}

TEST(ServerFlight, StateSticks) {
  ServerFlight f;
  EXPECT_EQ(f.feed(record(21, "\x02\x28"s)), State::kAlert);
  EXPECT_EQ(f.feed("220 ready\r\n"), State::kAlert);
  EXPECT_EQ(f.flight().records, 1u);

  ServerFlight e;
  EXPECT_EQ(e.feed("220 "), State::kError);
  const std::string error = e.error();
  EXPECT_EQ(e.feed(record(21, "\x02\x28"s)), State::kError);
  EXPECT_EQ(e.error(), error);
  EXPECT_FALSE(e.flight().alert);
}

TEST(ServerFlight, FlightByteLimit) {
  const std::string wire = read_golden("tls12_ecdhe_rsa.bin");
  const Fed full = feed_in_chunks(wire, 0, {});
  ASSERT_EQ(full.state, State::kDone);

  // Exactly the flight's size is enough, however much follows it.
  ServerFlight::Limits exact;
  exact.max_bytes = full.flight.bytes;
  EXPECT_EQ(feed_every_way(wire, exact).state, State::kDone);

  ServerFlight::Limits small;
  small.max_bytes = full.flight.bytes - 1;
  const Fed f = feed_every_way(wire, small);
  EXPECT_EQ(f.state, State::kError);
  EXPECT_EQ(f.error, "flight larger than " + std::to_string(small.max_bytes) + " bytes");
  EXPECT_LE(f.flight.bytes, small.max_bytes);

  // Bytes up to the limit that do not end the flight wait for more.
  ServerFlight waiting(small);
  EXPECT_EQ(waiting.feed(std::string_view(wire).substr(0, small.max_bytes)), State::kNeedMore);
  EXPECT_EQ(waiting.feed("x"), State::kError);
}

TEST(ServerFlight, HandshakeMessageLimit) {
  const std::string wire = read_golden("tls12_ecdhe_rsa.bin");
  ServerFlight::Limits limits;
  limits.max_message = 100;
  const Fed f = feed_every_way(wire, limits);
  EXPECT_EQ(f.state, State::kError);
  EXPECT_TRUE(contains(f.error, "handshake message too large: Certificate of"));
  EXPECT_TRUE(contains(f.error, "(limit 100)"));
  EXPECT_TRUE(f.flight.hello);
}

}  // namespace
}  // namespace smtpeer::tls::wire
