// The server role's raw TLS (C9-C11): ClientHellos read from records however
// they are cut, each raw flight parsed back by the client-side flight parser
// (ServerFlight) to check it has exactly its one defect, and the client's
// answers classified (alert, went on, plaintext).
#include "tls/wire/raw_flight.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tls/wire/registry.h"
#include "tls/wire/server_flight.h"
#include "tls/wire/server_hello.h"

namespace smtpeer::tls::wire {
namespace {

constexpr std::uint16_t kRsaAes128Sha = 0x002F;
constexpr std::uint16_t kRsaAes256Sha = 0x0035;
constexpr std::uint16_t kEcdheRsaAes128Gcm = 0xC02F;
constexpr std::uint16_t kRsaExportDes40 = 0x0008;  // TLS_RSA_EXPORT_WITH_DES40_CBC_SHA
constexpr std::uint16_t kRsaExportRc4 = 0x0003;
constexpr std::uint8_t kAlertRecord = 21;
constexpr std::uint8_t kHandshakeRecord = 22;

const std::string kCert = "\x30\x03\x02\x01\x01";  // a DER-shaped stand-in; nobody verifies it

ClientHelloSpec modern_hello() {
  ClientHelloSpec spec;
  spec.version = kTls13;
  spec.suites = {0x1301, kEcdheRsaAes128Gcm, kRsaAes256Sha, kRsaAes128Sha};
  spec.groups = {0x001D};
  spec.key_shares = {{0x001D, std::string(32, '\x11')}};
  spec.signature_algorithms = {0x0804, 0x0401};
  spec.sni = "localhost";
  return spec;
}

ClientHelloInfo read_hello(const std::string& bytes) {
  HelloRead r = read_client_hello(bytes);
  EXPECT_EQ(r.state, HelloRead::State::kHello) << r.error;
  EXPECT_EQ(r.consumed, bytes.size());
  return r.hello;
}

Flight parse_flight(const FlightPlan& plan) {
  ServerFlight f;
  EXPECT_EQ(f.feed(plan.bytes), ServerFlight::State::kDone) << f.error();
  return f.flight();
}

TEST(ReadClientHello, WholeFragmentedAndPartial) {
  ClientHelloSpec spec = modern_hello();
  std::string whole = build_client_hello(spec);
  ClientHelloInfo h = read_hello(whole);
  EXPECT_EQ(h.highest_version(), kTls13);
  EXPECT_EQ(h.sni, "localhost");

  spec.max_record = 7;  // the same hello over many tiny records
  std::string cut = build_client_hello(spec);
  EXPECT_EQ(read_hello(cut).suites, h.suites);

  // Every proper prefix asks for more; the bytes after the hello are not taken.
  for (std::size_t n = 0; n < cut.size(); n += 5)
    EXPECT_EQ(read_client_hello(cut.substr(0, n)).state, HelloRead::State::kNeedMore) << n;
  HelloRead r = read_client_hello(cut + "\x15\x03\x03");
  EXPECT_EQ(r.state, HelloRead::State::kHello);
  EXPECT_EQ(r.consumed, cut.size());
}

TEST(ReadClientHello, Sslv2Compatible) {
  std::string v2 = build_sslv2_client_hello({0x00002F, 0x020080}, std::string(16, 'c'), kTls10);
  HelloRead r = read_client_hello(v2);
  ASSERT_EQ(r.state, HelloRead::State::kHello) << r.error;
  EXPECT_TRUE(r.hello.sslv2);
  EXPECT_EQ(r.consumed, v2.size());
}

TEST(ReadClientHello, PlaintextAndOtherRecordsAreNotAHello) {
  EXPECT_EQ(read_client_hello("MAIL FROM:<a@example.test>\r\n").state, HelloRead::State::kNotTls);
  std::string alert = wrap_records(kAlertRecord, kTls12, build_alert(2, 40));
  HelloRead r = read_client_hello(alert);
  EXPECT_EQ(r.state, HelloRead::State::kNotTls);
  EXPECT_NE(r.error.find("content type 21"), std::string::npos) << r.error;
  // A handshake message that is not a ClientHello.
  std::string done = wrap_records(kHandshakeRecord, kTls12, build_server_hello_done());
  EXPECT_EQ(read_client_hello(done).state, HelloRead::State::kNotTls);
  // A hostile length is refused without waiting for 16 MiB.
  std::string huge = wrap_records(kHandshakeRecord, kTls12, std::string("\x01\xff\xff\xff", 4));
  r = read_client_hello(huge);
  EXPECT_EQ(r.state, HelloRead::State::kNotTls);
  EXPECT_NE(r.error.find("bytes"), std::string::npos) << r.error;
}

TEST(DescribeHello, SaysVersionSuitesSniAndScsv) {
  ClientHelloSpec spec = modern_hello();
  spec.version = kTls11;
  spec.fallback_scsv = true;
  spec.suites.push_back(kRsaExportRc4);
  std::string line = describe_hello(read_hello(build_client_hello(spec)));
  EXPECT_NE(line.find("up to TLSv1.1"), std::string::npos) << line;
  EXPECT_NE(line.find("5 suites (1 export)"), std::string::npos) << line;
  EXPECT_NE(line.find("SNI localhost"), std::string::npos) << line;
  EXPECT_NE(line.find(", TLS_FALLBACK_SCSV"), std::string::npos) << line;
  EXPECT_EQ(line.find("no TLS_FALLBACK_SCSV"), std::string::npos) << line;
}

TEST(BuildRawFlight, ExportPicksAnOfferedExportSuiteWithA512BitKey) {
  std::array<std::uint8_t, 32> random{};
  random.fill(7);
  ClientHelloSpec spec = modern_hello();
  spec.suites.push_back(kRsaExportDes40);
  FlightPlan plan =
      build_raw_flight(RawFlight::kExport, read_hello(build_client_hello(spec)), kCert, random);
  Flight f = parse_flight(plan);
  ASSERT_TRUE(f.hello);
  EXPECT_EQ(f.hello->suite, kRsaExportDes40);
  EXPECT_EQ(f.hello->version, kTls12);  // the client's best up to TLS 1.2: one defect only
  EXPECT_TRUE(f.hello->renegotiation_info);
  ASSERT_TRUE(f.key_exchange);
  EXPECT_EQ(f.key_exchange->rsa_export_bits, 512);
  EXPECT_EQ(f.certificates, std::vector<std::string>{kCert});
  EXPECT_NE(plan.description.find("(offered)"), std::string::npos) << plan.description;

  // Without an export offer it picks one anyway, and says so.
  plan = build_raw_flight(RawFlight::kExport, read_hello(build_client_hello(modern_hello())), kCert,
                          random);
  EXPECT_EQ(parse_flight(plan).hello->suite, kRsaExportRc4);
  EXPECT_NE(plan.description.find("(not offered)"), std::string::npos) << plan.description;
}

TEST(BuildRawFlight, FreakUsesAnOfferedRsaSuiteWithAnExportKeyExchange) {
  std::array<std::uint8_t, 32> random{};
  FlightPlan plan = build_raw_flight(RawFlight::kFreak,
                                     read_hello(build_client_hello(modern_hello())), kCert, random);
  ServerFlight sf;
  ASSERT_EQ(sf.feed(plan.bytes), ServerFlight::State::kDone) << sf.error();
  const Flight& f = sf.flight();
  EXPECT_EQ(f.hello->suite, kRsaAes256Sha);  // the first offered plain-RSA suite
  EXPECT_FALSE(find_suite(f.hello->suite)->export_grade);
  // The flight carries a ServerKeyExchange, which RSA key exchange never has.
  EXPECT_NE(plan.description.find("export RSA ServerKeyExchange"), std::string::npos);
}

TEST(BuildRawFlight, LegacyVersions) {
  std::array<std::uint8_t, 32> random{};
  ClientHelloInfo hello = read_hello(build_client_hello(modern_hello()));
  Flight tls10 = parse_flight(build_raw_flight(RawFlight::kTls10, hello, kCert, random));
  EXPECT_EQ(tls10.hello->version, kTls10);
  EXPECT_EQ(tls10.hello->suite, kRsaAes256Sha);
  EXPECT_FALSE(tls10.key_exchange);

  FlightPlan plan = build_raw_flight(RawFlight::kSsl3, hello, kCert, random);
  EXPECT_EQ(static_cast<std::uint8_t>(plan.bytes[1]), 3);
  EXPECT_EQ(static_cast<std::uint8_t>(plan.bytes[2]), 0);  // SSLv3 record version
  Flight ssl3 = parse_flight(plan);
  EXPECT_EQ(ssl3.hello->version, kSsl3);
  EXPECT_TRUE(ssl3.hello->extensions.empty());
}

TEST(BuildRawFlight, AlertIsAFatalHandshakeFailure) {
  FlightPlan plan = build_raw_flight(RawFlight::kAlert, {}, kCert, {});
  ServerFlight f;
  EXPECT_EQ(f.feed(plan.bytes), ServerFlight::State::kAlert);
  EXPECT_EQ(f.flight().alert->level, 2);
  EXPECT_EQ(f.flight().alert->description, 40);
}

TEST(ReadClientAnswer, AlertWentOnPlaintextAndPartial) {
  std::string alert = wrap_records(kAlertRecord, kTls12, build_alert(2, 70));
  ClientAnswer a = read_client_answer(alert + "QUIT\r\n");
  EXPECT_EQ(a.kind, ClientAnswer::Kind::kAlert);
  EXPECT_EQ(a.alert, 70);
  EXPECT_EQ(a.consumed, alert.size());
  EXPECT_NE(a.what.find("protocol_version"), std::string::npos) << a.what;

  std::string cke =
      wrap_records(kHandshakeRecord, kTls10, build_handshake(16, std::string(130, 'k')));
  a = read_client_answer(cke);
  EXPECT_EQ(a.kind, ClientAnswer::Kind::kWentOn);
  EXPECT_EQ(a.what, "client_key_exchange");

  EXPECT_EQ(read_client_answer(std::string("\x14\x03\x01\x00\x01\x01", 6)).kind,
            ClientAnswer::Kind::kWentOn);
  a = read_client_answer("AUTH LOGIN\r\n");
  EXPECT_EQ(a.kind, ClientAnswer::Kind::kPlaintext);
  EXPECT_EQ(a.consumed, 0u);

  // A warning alert decides nothing; the record after it does.
  std::string warn = wrap_records(kAlertRecord, kTls12, build_alert(1, 90));
  a = read_client_answer(warn + "EHLO x\r\n");
  EXPECT_EQ(a.kind, ClientAnswer::Kind::kPlaintext);
  EXPECT_EQ(a.consumed, warn.size());

  EXPECT_EQ(read_client_answer(cke.substr(0, cke.size() - 1)).kind, ClientAnswer::Kind::kNeedMore);
  EXPECT_EQ(read_client_answer("").kind, ClientAnswer::Kind::kNeedMore);
}

TEST(ParseRawFlight, KnowsTheScenarioNames) {
  EXPECT_EQ(parse_raw_flight("export"), RawFlight::kExport);
  EXPECT_EQ(parse_raw_flight("tls1.0"), RawFlight::kTls10);
  EXPECT_FALSE(parse_raw_flight("close"));  // not a flight: the engine closes
  EXPECT_FALSE(parse_raw_flight("EXPORT"));
}

}  // namespace
}  // namespace smtpeer::tls::wire
