// Server flight builders: one ServerHello checked byte for byte against RFC
// 5246 §7.4.1.3, then every builder round-tripped through the parsers of
// server_flight.h (ServerHello of SSLv3..TLS 1.3 and HelloRetryRequest,
// Certificate in both layouts, export RSA / DHE / ECDHE key exchanges, alert,
// SSLv2 SERVER-HELLO), whole flights fed to ServerFlight one byte at a time,
// and wrap_records cutting a payload into small records.
#include "tls/wire/server_hello.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "tls/wire/registry.h"
#include "tls/wire/server_flight.h"

namespace smtpeer::tls::wire {
namespace {

using namespace std::string_literals;

constexpr std::uint8_t kHandshakeRecord = 22;
constexpr std::uint8_t kAlertRecord = 21;
constexpr std::uint16_t kRsaExportRc4Md5 = 0x0003;    // TLS_RSA_EXPORT_WITH_RC4_40_MD5
constexpr std::uint16_t kDheRsaAes128Sha = 0x0033;    // TLS_DHE_RSA_WITH_AES_128_CBC_SHA
constexpr std::uint16_t kEcdheRsaAes128Gcm = 0xC02F;  // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
constexpr std::uint16_t kRsaAes128Sha = 0x002F;       // TLS_RSA_WITH_AES_128_CBC_SHA
constexpr std::uint16_t kAes128GcmSha256 = 0x1301;    // TLS_AES_128_GCM_SHA256
constexpr std::uint16_t kX25519 = 0x001D;
constexpr std::uint16_t kSecp256r1 = 0x0017;
constexpr std::uint16_t kRsaPkcs1Sha256 = 0x0401;

std::string from_hex(std::string_view hex) {
  std::string out;
  int high = -1;
  for (const char c : hex) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0) continue;  // spaces and line breaks
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<char>(high << 4 | v));
      high = -1;
    }
  }
  return out;
}

// body: the handshake message without its 4-byte header, checking the header.
std::string_view body(std::string_view message, HandshakeType type) {
  EXPECT_GE(message.size(), 4u);
  EXPECT_EQ(static_cast<std::uint8_t>(message[0]), static_cast<std::uint8_t>(type));
  const std::size_t length = static_cast<std::size_t>(static_cast<std::uint8_t>(message[1])) << 16 |
                             static_cast<std::size_t>(static_cast<std::uint8_t>(message[2])) << 8 |
                             static_cast<std::uint8_t>(message[3]);
  EXPECT_EQ(length, message.size() - 4);
  return message.substr(4);
}

std::array<std::uint8_t, 32> counting_random() {
  std::array<std::uint8_t, 32> r{};
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = static_cast<std::uint8_t>(i);
  return r;
}

// big: a big-endian number of exactly `bits` bits (top bit set), `bits` a multiple of 8.
std::string big(int bits) {
  std::string n(static_cast<std::size_t>(bits / 8), '\xA5');
  n[0] = '\xC3';
  return n;
}

const std::string kCert = "\x30\x82\x00\x04\x30\x02\x05\x00"s;  // not a real certificate
const std::string kCa = "\x30\x03\x02\x01\x07"s;

// ---- byte-exact -------------------------------------------------------------

TEST(ServerHelloBuild, Tls12MatchesRfc5246Layout) {
  ServerHelloSpec spec;
  spec.version = kTls12;
  spec.random = counting_random();
  spec.suite = kEcdheRsaAes128Gcm;
  spec.renegotiation_info = true;
  spec.extended_master_secret = true;
  // RFC 5246 §7.4.1.3: server_version, random, session_id<0..32>,
  // cipher_suite, compression_method, extensions<0..2^16-1>.
  const std::string expected = from_hex(
      "02 000031"                         // server_hello, 49 bytes
      "0303"                              // server_version 3.3
      "000102030405060708090a0b0c0d0e0f"  // random
      "101112131415161718191a1b1c1d1e1f"  //
      "00"                                // empty session_id
      "c02f"                              // cipher_suite
      "00"                                // compression_method null
      "0009"                              // extensions, 9 bytes
      "ff01 0001 00"                      // renegotiation_info, empty
      "0017 0000");                       // extended_master_secret
  EXPECT_EQ(build_server_hello(spec), expected);
}

TEST(ServerHelloBuild, SmallMessagesMatchRfc) {
  EXPECT_EQ(build_server_hello_done(), from_hex("0e000000"));
  EXPECT_EQ(build_alert(2, kAlertHandshakeFailure), from_hex("0228"));
  EXPECT_EQ(build_certificate({kCa}), from_hex("0b00000b 000008 000005 3003020107"));
  EXPECT_EQ(build_certificate({kCa}, true), from_hex("0b00000e 00 00000a 000005 3003020107 0000"));
  EXPECT_EQ(wrap_records(kAlertRecord, kTls10, build_alert(1, 0)), from_hex("15 0301 0002 0100"));
}

// ---- ServerHello round trips ------------------------------------------------

struct HelloCase {
  std::string name;
  ServerHelloSpec spec;
  std::uint16_t legacy_version;
  std::uint16_t version;
  std::vector<std::uint16_t> extensions;
  std::optional<std::uint16_t> key_share_group;
  std::uint16_t record_version;
};

std::ostream& operator<<(std::ostream& os, const HelloCase& c) {
  return os << c.name;
}

std::vector<HelloCase> hello_cases() {
  std::vector<HelloCase> cases;
  {
    HelloCase c{"tls12_ecdhe", {}, kTls12, kTls12, {0xff01, 23}, std::nullopt, kTls12};
    c.spec.random = counting_random();
    c.spec.session_id = std::string(32, 's');
    c.spec.renegotiation_info = true;
    c.spec.extended_master_secret = true;
    cases.push_back(c);
  }
  {
    HelloCase c{"tls10_export", {}, kTls10, kTls10, {0xff01}, std::nullopt, kTls10};
    c.spec.version = kTls10;
    c.spec.suite = kRsaExportRc4Md5;
    c.spec.renegotiation_info = true;
    cases.push_back(c);
  }
  {
    HelloCase c{"tls10_no_extensions", {}, kTls10, kTls10, {}, std::nullopt, kTls10};
    c.spec.version = kTls10;
    c.spec.suite = kDheRsaAes128Sha;
    cases.push_back(c);
  }
  {
    HelloCase c{"ssl3_omits_extensions", {}, kSsl3, kSsl3, {}, std::nullopt, kSsl3};
    c.spec.version = kSsl3;
    c.spec.suite = kRsaAes128Sha;
    c.spec.renegotiation_info = true;  // set, but the SSLv3 layout has no block
    c.spec.omit_extensions = true;
    cases.push_back(c);
  }
  {
    HelloCase c{"ssl3_record_override", {}, kSsl3, kSsl3, {}, std::nullopt, kTls10};
    c.spec.version = kSsl3;
    c.spec.record_version = kTls10;
    cases.push_back(c);
  }
  {
    HelloCase c{"tls13", {}, kTls12, kTls13, {43, 51}, kX25519, kTls12};
    c.spec.version = kTls13;
    c.spec.suite = kAes128GcmSha256;
    c.spec.session_id = std::string(32, 'e');
    c.spec.key_share = KeyShareEntry{kX25519, std::string(32, 'k')};
    cases.push_back(c);
  }
  {
    HelloCase c{"hello_retry_request", {}, kTls12, kTls13, {43, 51}, kSecp256r1, kTls12};
    c.spec.version = kTls13;
    c.spec.suite = kAes128GcmSha256;
    c.spec.hello_retry_request = true;
    c.spec.key_share = KeyShareEntry{kSecp256r1, "ignored in an HRR"};
    cases.push_back(c);
  }
  {
    HelloCase c{"tls12_claims_tls13", {}, kTls12, kTls13, {43, 0x000f}, std::nullopt, kTls12};
    c.spec.selected_version = kTls13;
    c.spec.extra_extensions = {{0x000f, "\x01"s}};  // heartbeat, peer_allowed_to_send
    cases.push_back(c);
  }
  return cases;
}

class HelloRoundTrip : public ::testing::TestWithParam<HelloCase> {};

TEST_P(HelloRoundTrip, ParsesBack) {
  const HelloCase& c = GetParam();
  const std::string message = build_server_hello(c.spec);
  const auto hello = parse_server_hello(body(message, HandshakeType::kServerHello));
  ASSERT_TRUE(hello.ok()) << hello.error().message;
  EXPECT_EQ(hello->legacy_version, c.legacy_version);
  EXPECT_EQ(hello->version, c.version);
  EXPECT_EQ(hello->suite, c.spec.suite);
  EXPECT_EQ(hello->session_id, c.spec.session_id);
  EXPECT_EQ(hello->extensions, c.extensions);
  EXPECT_EQ(hello->key_share_group, c.key_share_group);
  EXPECT_EQ(hello->hello_retry_request, c.spec.hello_retry_request);
  EXPECT_EQ(hello->renegotiation_info, c.spec.renegotiation_info && !c.spec.omit_extensions);
  EXPECT_EQ(hello->extended_master_secret, c.spec.extended_master_secret);
  const auto& random = c.spec.hello_retry_request ? kHelloRetryRequestRandom : c.spec.random;
  EXPECT_EQ(hello->random, std::string(random.begin(), random.end()));
  EXPECT_EQ(record_version_for(c.spec), c.record_version);
  // No extensions block at all when none are sent (RFC 5246 §7.4.1.3).
  if (c.extensions.empty()) {
    EXPECT_EQ(message.size(), 4 + 2 + 32 + 1 + c.spec.session_id.size() + 2 + 1);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, HelloRoundTrip, ::testing::ValuesIn(hello_cases()),
                         [](const auto& info) { return info.param.name; });

// ---- Certificate, ServerKeyExchange, alert, SSLv2 ---------------------------

TEST(ServerHelloBuild, CertificateRoundTripsBothLayouts) {
  const std::vector<std::string> chain = {kCert, kCa};
  for (const bool tls13 : {false, true}) {
    SCOPED_TRACE(tls13 ? "tls13" : "tls12");
    const auto certs = parse_certificate(
        body(build_certificate(chain, tls13), HandshakeType::kCertificate), tls13);
    ASSERT_TRUE(certs.ok()) << certs.error().message;
    EXPECT_EQ(*certs, chain);
  }
}

struct KxCase {
  std::string name;
  std::string message;
  std::uint16_t suite;
  int dh_bits;
  std::optional<std::uint16_t> group;
  int rsa_export_bits;
};

std::ostream& operator<<(std::ostream& os, const KxCase& c) {
  return os << c.name;
}

std::vector<KxCase> kx_cases() {
  const std::string sig(64, 'S');
  return {
      {"rsa_export_512", build_server_key_exchange_rsa_export(big(512), "\x01\x00\x01"s, sig),
       kRsaExportRc4Md5, 0, std::nullopt, 512},
      {"rsa_export_512_tls12_sigalg",
       build_server_key_exchange_rsa_export(big(512), "\x03"s, sig, kRsaPkcs1Sha256),
       kRsaExportRc4Md5, 0, std::nullopt, 512},
      {"dhe_1024_tls10", build_server_key_exchange_dhe(big(1024), "\x02"s, big(1024), sig, 0),
       kDheRsaAes128Sha, 1024, std::nullopt, 0},
      {"dhe_1024_tls12",
       build_server_key_exchange_dhe(big(1024), "\x02"s, big(1024), sig, kRsaPkcs1Sha256),
       kDheRsaAes128Sha, 1024, std::nullopt, 0},
      {"dhe_anon_unsigned", build_server_key_exchange_dhe(big(512), "\x02"s, big(512), "", 0),
       0x0034, 512, std::nullopt, 0},
      {"ecdhe_x25519",
       build_server_key_exchange_ecdhe(kX25519, std::string(32, 'P'), sig, kRsaPkcs1Sha256),
       kEcdheRsaAes128Gcm, 0, kX25519, 0},
  };
}

class KxRoundTrip : public ::testing::TestWithParam<KxCase> {};

TEST_P(KxRoundTrip, ParsesBack) {
  const KxCase& c = GetParam();
  const auto kx =
      parse_server_key_exchange(body(c.message, HandshakeType::kServerKeyExchange), c.suite);
  ASSERT_TRUE(kx.ok()) << kx.error().message;
  EXPECT_EQ(kx->dh_bits, c.dh_bits);
  EXPECT_EQ(kx->group, c.group);
  EXPECT_FALSE(kx->explicit_curve);
  EXPECT_EQ(kx->rsa_export_bits, c.rsa_export_bits);
}

INSTANTIATE_TEST_SUITE_P(Cases, KxRoundTrip, ::testing::ValuesIn(kx_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(ServerHelloBuild, SignedPartLayouts) {
  // TLS 1.2: SignatureAndHashAlgorithm then signature<0..2^16-1>; TLS <= 1.1:
  // the signature alone; anonymous: nothing (RFC 5246 §7.4.3).
  const std::string params = from_hex("001d 02 aabb");
  EXPECT_EQ(build_server_key_exchange_ecdhe(kX25519, "\xaa\xbb"s, "\x55"s, kRsaPkcs1Sha256),
            build_handshake(12, from_hex("03") + params + from_hex("0401 0001 55")));
  EXPECT_EQ(build_server_key_exchange_ecdhe(kX25519, "\xaa\xbb"s, "\x55"s, 0),
            build_handshake(12, from_hex("03") + params + from_hex("0001 55")));
  EXPECT_EQ(build_server_key_exchange_ecdhe(kX25519, "\xaa\xbb"s, "", 0),
            build_handshake(12, from_hex("03") + params));
}

TEST(ServerHelloBuild, AlertRoundTrips) {
  const auto alert = parse_alert(build_alert(2, kAlertProtocolVersion));
  ASSERT_TRUE(alert.ok());
  EXPECT_EQ(alert->level, 2);
  EXPECT_EQ(alert->description, kAlertProtocolVersion);
}

TEST(ServerHelloBuild, Sslv2ServerHelloRoundTrips) {
  // SSL_CK_RC4_128_EXPORT40_WITH_MD5 and SSL_CK_DES_64_CBC_WITH_MD5.
  const std::vector<std::uint32_t> ciphers = {0x020080, 0x060040};
  const std::string record = build_sslv2_server_hello(kCert, ciphers, std::string(16, 'C'));
  // 2-byte header, high bit set: 11 fixed bytes + 8 + 2 * 3 + 16 = 41 bytes.
  EXPECT_EQ(record.substr(0, 2), from_hex("8029"));
  const auto hello = parse_sslv2_server_hello(record);
  ASSERT_TRUE(hello.ok()) << hello.error().message;
  EXPECT_EQ(hello->version, kSsl2);
  EXPECT_EQ(hello->certificate, kCert);
  EXPECT_EQ(hello->ciphers, ciphers);
}

// ---- wrap_records -----------------------------------------------------------

TEST(ServerHelloBuild, WrapRecordsCutsAtMaxFragment) {
  const std::string payload = build_server_hello({}) + build_server_hello_done();
  const std::string records = wrap_records(kHandshakeRecord, kTls10, payload, 7);
  std::string joined;
  std::size_t count = 0;
  std::string_view rest = records;
  while (!rest.empty()) {
    const auto rec = parse_record(rest);
    ASSERT_EQ(rec.state, ParseState::kOk) << rec.error;
    EXPECT_EQ(rec.record.type, kHandshakeRecord);
    EXPECT_EQ(rec.record.version, kTls10);
    EXPECT_LE(rec.record.payload.size(), 7u);
    EXPECT_FALSE(rec.record.payload.empty());
    joined += rec.record.payload;
    rest.remove_prefix(rec.consumed);
    ++count;
  }
  EXPECT_EQ(joined, payload);
  EXPECT_EQ(count, (payload.size() + 6) / 7);
  EXPECT_EQ(records.size(), payload.size() + 5 * count);
  // An empty payload is still one (empty) record; max_fragment 0 means 1.
  EXPECT_EQ(wrap_records(kAlertRecord, kTls12, ""), from_hex("15 0303 0000"));
  EXPECT_EQ(wrap_records(kAlertRecord, kTls12, "\x02\x28"s, 0),
            from_hex("15 0303 0001 02 15 0303 0001 28"));
}

// ---- whole flights through ServerFlight -------------------------------------

struct FlightCase {
  std::string name;
  std::string bytes;
  ServerFlight::State state;
  std::uint16_t version;  // negotiated (0: SSLv2 flight)
  std::uint16_t suite;
  std::size_t certificates;
  KeyExchange kx;
  bool has_kx;
  bool hello_done;
  std::size_t records;
};

std::ostream& operator<<(std::ostream& os, const FlightCase& c) {
  return os << c.name;
}

std::string handshake_flight(const ServerHelloSpec& spec, const std::string& rest,
                             std::size_t max_fragment = 16384) {
  return wrap_records(kHandshakeRecord, record_version_for(spec), build_server_hello(spec) + rest,
                      max_fragment);
}

std::vector<FlightCase> flight_cases() {
  std::vector<FlightCase> cases;
  const std::string sig(128, 'S');
  const std::string certs = build_certificate({kCert, kCa});
  {
    ServerHelloSpec spec;
    spec.version = kTls10;
    spec.suite = kRsaExportRc4Md5;
    const std::string rest = certs +
                             build_server_key_exchange_rsa_export(big(512), "\x01\x00\x01"s, sig) +
                             build_server_hello_done();
    KeyExchange kx;
    kx.rsa_export_bits = 512;
    cases.push_back({"export_rsa_tls10", handshake_flight(spec, rest), ServerFlight::State::kDone,
                     kTls10, kRsaExportRc4Md5, 2, kx, true, true, 1});
    // The same flight, one record per 100 bytes: messages span records.
    const std::string bytes = handshake_flight(spec, rest, 100);
    const std::size_t records = (build_server_hello(spec).size() + rest.size() + 99) / 100;
    cases.push_back({"export_rsa_tls10_fragmented", bytes, ServerFlight::State::kDone, kTls10,
                     kRsaExportRc4Md5, 2, kx, true, true, records});
  }
  {
    ServerHelloSpec spec;
    spec.version = kSsl3;
    spec.suite = kRsaAes128Sha;
    spec.omit_extensions = true;
    cases.push_back({"ssl3_rsa",
                     handshake_flight(spec, certs + build_server_hello_done()),
                     ServerFlight::State::kDone,
                     kSsl3,
                     kRsaAes128Sha,
                     2,
                     {},
                     false,
                     true,
                     1});
  }
  {
    ServerHelloSpec spec;
    spec.version = kTls10;
    spec.suite = kDheRsaAes128Sha;
    spec.renegotiation_info = true;
    // One message per record, as many servers send them.
    const std::string bytes =
        wrap_records(kHandshakeRecord, kTls10, build_server_hello(spec)) +
        wrap_records(kHandshakeRecord, kTls10, certs) +
        wrap_records(kHandshakeRecord, kTls10,
                     build_server_key_exchange_dhe(big(1024), "\x02"s, big(1024), sig, 0)) +
        wrap_records(kHandshakeRecord, kTls10, build_server_hello_done());
    KeyExchange kx;
    kx.dh_bits = 1024;
    cases.push_back({"dhe_1024_tls10", bytes, ServerFlight::State::kDone, kTls10, kDheRsaAes128Sha,
                     2, kx, true, true, 4});
  }
  {
    ServerHelloSpec spec;
    spec.suite = kEcdheRsaAes128Gcm;
    spec.extended_master_secret = true;
    const std::string rest =
        certs +
        build_server_key_exchange_ecdhe(kX25519, std::string(32, 'P'), sig, kRsaPkcs1Sha256) +
        build_server_hello_done();
    KeyExchange kx;
    kx.group = kX25519;
    cases.push_back({"ecdhe_x25519_tls12", handshake_flight(spec, rest), ServerFlight::State::kDone,
                     kTls12, kEcdheRsaAes128Gcm, 2, kx, true, true, 1});
  }
  {
    ServerHelloSpec spec;
    spec.version = kTls13;
    spec.suite = kAes128GcmSha256;
    spec.key_share = KeyShareEntry{kX25519, std::string(32, 'k')};
    cases.push_back({"tls13",
                     handshake_flight(spec, ""),
                     ServerFlight::State::kDone,
                     kTls13,
                     kAes128GcmSha256,
                     0,
                     {},
                     false,
                     false,
                     1});
  }
  {
    ServerHelloSpec spec;
    spec.version = kTls13;
    spec.suite = kAes128GcmSha256;
    spec.hello_retry_request = true;
    spec.key_share = KeyShareEntry{kSecp256r1, ""};
    cases.push_back({"hello_retry_request",
                     handshake_flight(spec, ""),
                     ServerFlight::State::kDone,
                     kTls13,
                     kAes128GcmSha256,
                     0,
                     {},
                     false,
                     false,
                     1});
  }
  {
    ServerHelloSpec spec;
    spec.version = kTls10;
    spec.suite = kRsaExportRc4Md5;
    const std::string bytes =
        wrap_records(kHandshakeRecord, kTls10, build_server_hello(spec)) +
        wrap_records(kAlertRecord, kTls10, build_alert(2, kAlertHandshakeFailure));
    cases.push_back({"hello_then_alert",
                     bytes,
                     ServerFlight::State::kAlert,
                     kTls10,
                     kRsaExportRc4Md5,
                     0,
                     {},
                     false,
                     false,
                     2});
  }
  cases.push_back({"sslv2",
                   build_sslv2_server_hello(kCert, {0x020080}, std::string(16, 'C')),
                   ServerFlight::State::kDone,
                   0,
                   0,
                   0,
                   {},
                   false,
                   false,
                   1});
  return cases;
}

class FlightRoundTrip : public ::testing::TestWithParam<FlightCase> {};

TEST_P(FlightRoundTrip, OneByteAtATime) {
  const FlightCase& c = GetParam();
  ServerFlight flight;
  for (std::size_t i = 0; i < c.bytes.size(); ++i) {
    const auto state = flight.feed(std::string_view(c.bytes).substr(i, 1));
    if (i + 1 < c.bytes.size()) {
      ASSERT_EQ(state, ServerFlight::State::kNeedMore) << "at byte " << i << ": " << flight.error();
    }
  }
  ASSERT_EQ(flight.state(), c.state) << flight.error();
  const Flight& f = flight.flight();
  EXPECT_EQ(f.records, c.records);
  EXPECT_EQ(f.bytes, c.bytes.size());
  EXPECT_EQ(f.hello_done, c.hello_done);
  if (c.version == 0) {
    ASSERT_TRUE(f.sslv2.has_value());
    EXPECT_EQ(f.sslv2->certificate, kCert);
    EXPECT_FALSE(f.hello.has_value());
    return;
  }
  ASSERT_TRUE(f.hello.has_value());
  EXPECT_EQ(f.hello->version, c.version);
  EXPECT_EQ(f.hello->suite, c.suite);
  EXPECT_EQ(f.certificates.size(), c.certificates);
  if (c.certificates > 0) {
    EXPECT_EQ(f.certificates[0], kCert);
  }
  ASSERT_EQ(f.key_exchange.has_value(), c.has_kx);
  if (c.has_kx) {
    EXPECT_EQ(f.key_exchange->dh_bits, c.kx.dh_bits);
    EXPECT_EQ(f.key_exchange->group, c.kx.group);
    EXPECT_EQ(f.key_exchange->rsa_export_bits, c.kx.rsa_export_bits);
  }
  if (c.state == ServerFlight::State::kAlert) {
    ASSERT_TRUE(f.alert.has_value());
    EXPECT_EQ(f.alert->description, kAlertHandshakeFailure);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, FlightRoundTrip, ::testing::ValuesIn(flight_cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace smtpeer::tls::wire
