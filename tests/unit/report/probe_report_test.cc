// The reports of `smtpeer probe`: the JSON keys and shapes documented in
// report/probe_report.h, checked on a fixed inventory; the text table pinned
// by a golden file (SMTPEER_UPDATE_GOLDEN=1 rewrites it; review the diff).
#include "report/probe_report.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "report/output_file.h"

namespace smtpeer::report {
namespace {

using engine::CertificateSeen;
using engine::ClientCertTry;
using engine::Finding;
using engine::ProbeResult;
using engine::ProtocolSeen;
using engine::SuiteSeen;
using engine::Tristate;
using engine::VerdictKind;
using nlohmann::json;
using ordered = nlohmann::ordered_json;

// ---- Fixture (fixed values only: the golden file depends on them) -------------

SuiteSeen suite(std::uint16_t id, int dh_bits = 0, std::optional<std::uint16_t> group = {}) {
  SuiteSeen s;
  s.id = id;
  s.dh_bits = dh_bits;
  s.group = group;
  return s;
}

ProtocolSeen protocol(std::uint16_t version, bool accepted, std::string answer,
                      std::vector<SuiteSeen> suites = {},
                      std::optional<bool> server_order = std::nullopt) {
  ProtocolSeen p;
  p.version = version;
  p.accepted = accepted;
  p.answer = std::move(answer);
  p.suites = std::move(suites);
  p.server_order = server_order;
  return p;
}

tls::CertFacts leaf() {
  tls::CertFacts f;
  f.subject = "CN=mx.example.test,O=Example";
  f.issuer = "CN=Example Test CA,O=Example";
  f.common_name = "mx.example.test";
  f.dns_names = {"mx.example.test", "mail.example.test"};
  f.ip_addresses = {"192.0.2.25"};
  f.serial = "1a2b3c";
  f.not_before = "2024-01-01T00:00:00Z";
  f.not_after = "2025-01-01T00:00:00Z";
  f.days_left = 245;
  f.key_type = "RSA";
  f.key_bits = 2048;
  f.signature_algorithm = "sha256WithRSAEncryption";
  f.sha256 = std::string(64, 'a');
  return f;
}

tls::CertFacts ca() {
  tls::CertFacts f;
  f.subject = "CN=Example Test CA,O=Example";
  f.issuer = f.subject;
  f.common_name = "Example Test CA";
  f.serial = "01";
  f.not_before = "2023-01-01T00:00:00Z";
  f.not_after = "2033-01-01T00:00:00Z";
  f.days_left = 3166;
  f.key_type = "RSA";
  f.key_bits = 4096;
  f.signature_algorithm = "sha256WithRSAEncryption";
  f.self_signed = true;
  f.is_ca = true;
  f.sha256 = std::string(64, 'b');
  return f;
}

Finding finding(std::string check, VerdictKind kind, bool warning, std::string clause,
                std::string summary, std::vector<std::string> evidence) {
  Finding f;
  f.check = std::move(check);
  f.kind = kind;
  f.warning = warning;
  f.clause = std::move(clause);
  f.summary = std::move(summary);
  f.evidence = std::move(evidence);
  return f;
}

// sample_probe: a Postfix-like server judged under opportunistic-mx: TLS 1.0
// to 1.3, an anonymous suite, an ECDSA second certificate, client
// certificates tried, one failing finding, one warning and one skip.
ProbeResult sample_probe() {
  ProbeResult r;
  r.target = "mx.example.test:25";
  r.profile = "opportunistic-mx";
  r.started_at = "2024-05-01T12:00:00Z";
  r.duration_ms = 8450;
  r.connections = 57;
  r.rate_limited = 1;
  r.greeting = "mx.example.test ESMTP Postfix (Debian/GNU)";
  r.banner_name = "mx.example.test";
  r.starttls_offered = true;
  r.protocols = {
      protocol(0x0002, false, "connection closed"),
      protocol(0x0300, false, "alert handshake_failure"),
      protocol(0x0301, true, "ServerHello TLSv1.0",
               {suite(0xC014, 0, 29), suite(0x0039, 2048), suite(0xC019, 0, 29)}, true),
      protocol(0x0302, false, "ServerHello TLSv1.0 (lower)"),
      protocol(
          0x0303, true, "ServerHello TLSv1.2",
          {suite(0xC030, 0, 29), suite(0xC02F, 0, 23), suite(0x009F, 2048), suite(0x00A7, 2048)},
          false),
      protocol(0x0304, true, "ServerHello TLSv1.3", {suite(0x1302, 0, 29)}),
  };
  r.protocols[4].foreign_suite = 0xCCA8;
  r.groups = {29, 23};
  r.dh_bits_min = 2048;
  r.dh_bits_max = 2048;
  r.compression = Tristate::kNo;
  r.secure_renegotiation = Tristate::kYes;
  r.heartbeat = Tristate::kUnknown;
  r.fallback_scsv = Tristate::kYes;
  r.fallback_detail = "TLSv1.2 hello with TLS_FALLBACK_SCSV: alert inappropriate_fallback (86)";
  r.client_cert_requested = Tristate::kYes;
  r.client_cert_tries = {
      {"none", false, "refused in the handshake: alert certificate_required"},
      {"client-good", true, "EHLO 250, MAIL 250, RCPT 250"},
      {"client-wrong-cn", true, "EHLO 250, MAIL 250, RCPT 250"},
  };
  CertificateSeen main;
  main.source = "TLSv1.3 handshake (OpenSSL)";
  main.chain = {leaf(), ca()};
  main.chain_verified = true;
  main.ca_file = "pki/ca.pem";
  main.expected_name = "mx.example.test";
  main.matches_expected = Tristate::kYes;
  main.banner_name = "mx.example.test";
  main.matches_banner = Tristate::kYes;
  CertificateSeen ecdsa = main;
  ecdsa.source = "TLSv1.2 ServerHello flight";
  ecdsa.chain = {leaf()};
  ecdsa.chain[0].key_type = "EC";
  ecdsa.chain[0].key_bits = 256;
  ecdsa.chain[0].curve = "prime256v1";
  ecdsa.chain[0].signature_algorithm = "ecdsa-with-SHA256";
  ecdsa.chain_verified = false;
  ecdsa.verify_error = "unable to get local issuer certificate";
  ecdsa.matches_banner = Tristate::kUnknown;
  r.certificates = {main, ecdsa};
  r.findings = {
      finding("T1", VerdictKind::kPass, false, "profile opportunistic-mx",
              "protocols accepted: TLSv1.0, TLSv1.2, TLSv1.3",
              {"SSLv2: refused (connection closed)", "TLSv1.0: accepted (ServerHello TLSv1.0)"}),
      finding("T2", VerdictKind::kFail, false, "RFC 5246 §7.4.1.3",
              "TLSv1.2: the server chose TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (0xcca8), "
              "which was not offered",
              {"TLSv1.2: 4 suites, client order (the server has no preference)"}),
      finding("T3", VerdictKind::kPass, true, "profile opportunistic-mx",
              "anonymous (no server authentication) accepted (allowed here)",
              {"anonymous (no server authentication): 2 suites in TLSv1.0, TLSv1.2: "
               "TLS_ECDH_anon_WITH_AES_256_CBC_SHA, TLS_DH_anon_WITH_AES_256_GCM_SHA384"}),
      finding("T6", VerdictKind::kFail, false, "profile opportunistic-mx",
              "client-wrong-cn got through",
              {"CertificateRequest seen: yes", "client-wrong-cn: accepted (EHLO 250, ...)"}),
      finding("S21", VerdictKind::kSkip, false, "RFC 7507 §3", "not tested", {}),
  };
  return r;
}

std::vector<std::string> keys_of(const ordered& j) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  return keys;
}

// ---- JSON --------------------------------------------------------------------

TEST(ProbeJson, TopLevelKeysInDocumentedOrder) {
  const auto j = ordered::parse(probe_to_json(sample_probe()));
  EXPECT_EQ(keys_of(j), (std::vector<std::string>{"tool",
                                                  "version",
                                                  "target",
                                                  "profile",
                                                  "started_at",
                                                  "duration_ms",
                                                  "connections",
                                                  "rate_limited",
                                                  "interrupted",
                                                  "error",
                                                  "greeting",
                                                  "banner_name",
                                                  "starttls_offered",
                                                  "handshake",
                                                  "incomplete",
                                                  "protocols",
                                                  "suites",
                                                  "server_order",
                                                  "foreign_suites",
                                                  "key_exchange",
                                                  "features",
                                                  "client_certificate_requested",
                                                  "client_certificates",
                                                  "sni",
                                                  "certificate",
                                                  "other_certificates",
                                                  "findings",
                                                  "totals"}));
  EXPECT_EQ(j["tool"], "smtpeer");
  EXPECT_EQ(j["version"], SMTPEER_VERSION);
  EXPECT_EQ(j["target"], "mx.example.test:25");
  EXPECT_EQ(j["profile"], "opportunistic-mx");
  EXPECT_EQ(j["duration_ms"], 8450);
  EXPECT_EQ(j["connections"], 57);
  EXPECT_EQ(j["rate_limited"], 1);
  EXPECT_EQ(j["interrupted"], false);
  EXPECT_TRUE(j["error"].is_null());
  EXPECT_EQ(j["starttls_offered"], true);
}

TEST(ProbeJson, ProtocolsKeyedByVersionName) {
  const auto j = ordered::parse(probe_to_json(sample_probe()));
  EXPECT_EQ(keys_of(j["protocols"]), (std::vector<std::string>{"SSLv2", "SSLv3", "TLSv1.0",
                                                               "TLSv1.1", "TLSv1.2", "TLSv1.3"}));
  EXPECT_EQ(j["protocols"]["SSLv2"],
            json::parse(R"({"accepted": false, "answer": "connection closed"})"));
  EXPECT_EQ(j["protocols"]["TLSv1.1"]["accepted"], false);
  EXPECT_EQ(j["protocols"]["TLSv1.1"]["answer"], "ServerHello TLSv1.0 (lower)");
  EXPECT_EQ(j["protocols"]["TLSv1.3"]["accepted"], true);
}

TEST(ProbeJson, SuitesPerVersionInServerOrder) {
  const auto j = ordered::parse(probe_to_json(sample_probe()));
  const auto& suites = j["suites"];
  EXPECT_EQ(keys_of(suites), (std::vector<std::string>{"SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1",
                                                       "TLSv1.2", "TLSv1.3"}));
  // A refused version has an empty list, not a missing key.
  EXPECT_EQ(suites["SSLv3"], json::array());
  ASSERT_EQ(suites["TLSv1.2"].size(), 4u);
  std::vector<std::string> ids;
  for (const auto& s : suites["TLSv1.2"]) ids.push_back(s["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"0xC030", "0xC02F", "0x009F", "0x00A7"}));

  const auto& ecdhe = suites["TLSv1.2"][1];
  EXPECT_EQ(keys_of(ecdhe),
            (std::vector<std::string>{"id", "code", "name", "openssl", "kx", "auth", "cipher",
                                      "bits", "export", "forward_secret", "dh_bits", "group"}));
  EXPECT_EQ(ecdhe["id"], "0xC02F");
  EXPECT_EQ(ecdhe["code"], 0xC02F);
  EXPECT_EQ(ecdhe["name"], "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  EXPECT_EQ(ecdhe["openssl"], "ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_EQ(ecdhe["bits"], 128);
  EXPECT_EQ(ecdhe["export"], false);
  EXPECT_EQ(ecdhe["forward_secret"], true);
  EXPECT_EQ(ecdhe["group"], "secp256r1");

  const auto& dhe = suites["TLSv1.2"][2];
  EXPECT_EQ(dhe["name"], "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");
  EXPECT_EQ(dhe["dh_bits"], 2048);
  EXPECT_TRUE(dhe["group"].is_null());

  const auto& tls13 = suites["TLSv1.3"][0];
  EXPECT_EQ(tls13["id"], "0x1302");
  EXPECT_EQ(tls13["name"], "TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(tls13["group"], "x25519");
}

TEST(ProbeJson, UnknownSuiteKeepsItsIdWithEmptyNames) {
  auto r = sample_probe();
  r.protocols[5].suites = {suite(0x0A0A)};  // GREASE: not in the registry
  const auto j = json::parse(probe_to_json(r));
  const auto& s = j["suites"]["TLSv1.3"][0];
  EXPECT_EQ(s["id"], "0x0A0A");
  EXPECT_EQ(s["code"], 0x0A0A);
  EXPECT_EQ(s["name"], "");
  EXPECT_EQ(s["openssl"], "");
  EXPECT_EQ(s["bits"], 0);
}

TEST(ProbeJson, Sslv2CiphersHaveTheirOwnShape) {
  auto r = sample_probe();
  r.protocols[0].accepted = true;
  r.protocols[0].answer = "SERVER-HELLO";
  r.protocols[0].sslv2_ciphers = {0x010080, 0x020080};
  const auto j = ordered::parse(probe_to_json(r));
  const auto& v2 = j["suites"]["SSLv2"];
  ASSERT_EQ(v2.size(), 2u);
  EXPECT_EQ(keys_of(v2[0]), (std::vector<std::string>{"id", "name", "bits", "export"}));
  EXPECT_EQ(v2[0]["id"], "0x010080");
  EXPECT_EQ(v2[0]["name"], "SSL_CK_RC4_128_WITH_MD5");
  EXPECT_EQ(v2[0]["export"], false);
  EXPECT_EQ(v2[1]["name"], "SSL_CK_RC4_128_EXPORT40_WITH_MD5");
  EXPECT_EQ(v2[1]["bits"], 40);
  EXPECT_EQ(v2[1]["export"], true);
}

TEST(ProbeJson, ServerOrderForeignSuitesAndKeyExchange) {
  const auto j = json::parse(probe_to_json(sample_probe()));
  EXPECT_EQ(j["server_order"]["TLSv1.0"], true);
  EXPECT_EQ(j["server_order"]["TLSv1.2"], false);
  EXPECT_TRUE(j["server_order"]["TLSv1.3"].is_null());
  EXPECT_TRUE(j["server_order"]["SSLv2"].is_null());
  EXPECT_EQ(j["server_order"].size(), 6u);
  EXPECT_EQ(j["foreign_suites"], json::parse(R"({"TLSv1.2": "0xCCA8"})"));
  EXPECT_EQ(j["key_exchange"],
            json::parse(R"({"groups": ["x25519", "secp256r1"], "dh_bits_min": 2048,
                            "dh_bits_max": 2048})"));
}

TEST(ProbeJson, FeaturesAndClientCertificates) {
  const auto j = json::parse(probe_to_json(sample_probe()));
  EXPECT_EQ(j["features"]["compression"], "no");
  EXPECT_EQ(j["features"]["secure_renegotiation"], "yes");
  EXPECT_EQ(j["features"]["heartbeat"], "unknown");
  EXPECT_EQ(j["features"]["fallback_scsv"], "yes");
  EXPECT_EQ(j["features"]["fallback_detail"],
            "TLSv1.2 hello with TLS_FALLBACK_SCSV: alert inappropriate_fallback (86)");
  EXPECT_EQ(j["features"].size(), 5u);
  EXPECT_EQ(j["client_certificate_requested"], "yes");
  ASSERT_EQ(j["client_certificates"].size(), 3u);
  json none;
  none["certificate"] = "none";
  none["accepted"] = false;
  none["detail"] = "refused in the handshake: alert certificate_required";
  EXPECT_EQ(j["client_certificates"][0], none);
  EXPECT_EQ(j["client_certificates"][2]["certificate"], "client-wrong-cn");
  EXPECT_EQ(j["client_certificates"][2]["accepted"], true);

  auto r = sample_probe();
  r.client_cert_requested = Tristate::kNo;
  r.client_cert_tries.clear();
  const auto k = json::parse(probe_to_json(r));
  EXPECT_EQ(k["client_certificate_requested"], "no");
  EXPECT_EQ(k["client_certificates"], json::array());
}

TEST(ProbeJson, CertificateChainAndOtherLeaves) {
  const auto j = ordered::parse(probe_to_json(sample_probe()));
  const auto& c = j["certificate"];
  EXPECT_EQ(keys_of(c), (std::vector<std::string>{"source", "verified", "verify_error", "ca_file",
                                                  "expected_name", "matches_expected",
                                                  "banner_name", "matches_banner", "chain"}));
  EXPECT_EQ(c["verified"], true);
  EXPECT_EQ(c["matches_expected"], "yes");
  ASSERT_EQ(c["chain"].size(), 2u);
  EXPECT_EQ(keys_of(c["chain"][0]),
            (std::vector<std::string>{
                "subject", "issuer", "common_name", "dns_names", "ip_addresses", "serial",
                "not_before", "not_after", "days_left", "expired", "not_yet_valid", "key_type",
                "key_bits", "curve", "signature_algorithm", "self_signed", "is_ca", "sha256"}));
  EXPECT_EQ(c["chain"][0]["dns_names"],
            ordered::parse(R"(["mx.example.test", "mail.example.test"])"));
  EXPECT_EQ(c["chain"][0]["ip_addresses"], ordered::parse(R"(["192.0.2.25"])"));
  EXPECT_EQ(c["chain"][0]["days_left"], 245);
  EXPECT_EQ(c["chain"][1]["is_ca"], true);
  EXPECT_EQ(c["chain"][1]["self_signed"], true);

  ASSERT_EQ(j["other_certificates"].size(), 1u);
  const auto& other = j["other_certificates"][0];
  EXPECT_EQ(other["source"], "TLSv1.2 ServerHello flight");
  EXPECT_EQ(other["verified"], false);
  EXPECT_EQ(other["matches_banner"], "unknown");
  EXPECT_EQ(other["chain"][0]["curve"], "prime256v1");

  auto r = sample_probe();
  r.certificates.clear();
  const auto none = json::parse(probe_to_json(r));
  EXPECT_TRUE(none["certificate"].is_null());
  EXPECT_EQ(none["other_certificates"], json::array());
}

TEST(ProbeJson, FindingsAndTotals) {
  const auto j = ordered::parse(probe_to_json(sample_probe()));
  const auto& f = j["findings"];
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(keys_of(f[0]), (std::vector<std::string>{"check", "verdict", "warning", "clause",
                                                     "summary", "evidence"}));
  std::vector<std::string> verdicts;
  for (const auto& x : f) verdicts.push_back(x["verdict"]);
  EXPECT_EQ(verdicts, (std::vector<std::string>{"pass", "fail", "pass", "fail", "skip"}));
  EXPECT_EQ(f[1]["check"], "T2");
  EXPECT_EQ(f[1]["clause"], "RFC 5246 §7.4.1.3");
  EXPECT_EQ(f[2]["warning"], true);
  EXPECT_EQ(f[0]["evidence"].size(), 2u);
  EXPECT_EQ(f[4]["evidence"], ordered::array());
  EXPECT_EQ(j["totals"],
            ordered::parse(R"({"pass": 2, "fail": 2, "skip": 1, "error": 0, "warning": 1})"));
}

TEST(ProbeJson, ErrorIsAStringAndFindingsAreEmpty) {
  ProbeResult r;
  r.target = "192.0.2.1:25";
  r.profile = "rfc3207";
  r.error = "192.0.2.1:25: connection timed out";
  r.interrupted = true;
  const auto j = json::parse(probe_to_json(r));
  EXPECT_EQ(j["error"], "192.0.2.1:25: connection timed out");
  EXPECT_EQ(j["interrupted"], true);
  EXPECT_EQ(j["protocols"], json::object());
  EXPECT_EQ(j["findings"], json::array());
  EXPECT_EQ(j["totals"],
            json::parse(R"({"pass": 0, "fail": 0, "skip": 0, "error": 0, "warning": 0})"));
}

TEST(ProbeJson, InvalidUtf8InACertificateDoesNotThrow) {
  auto r = sample_probe();
  r.certificates[0].chain[0].subject = "CN=mx\xff\xfe.example.test,O=\xc3(bad";
  r.certificates[0].chain[0].dns_names.push_back("evil\x80.example.test");
  r.greeting = "mx \xe9t\xe9 ESMTP";
  std::string out;
  ASSERT_NO_THROW(out = probe_to_json(r));
  json j;
  ASSERT_NO_THROW(j = json::parse(out)) << out;
  const std::string subject = j["certificate"]["chain"][0]["subject"];
  EXPECT_NE(subject.find("\xEF\xBF\xBD"), std::string::npos) << subject;  // U+FFFD
  EXPECT_NE(subject.find(".example.test"), std::string::npos) << subject;
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), '\n');
}

// ---- Text --------------------------------------------------------------------

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string strip_sgr(const std::string& s) {
  return std::regex_replace(s, std::regex("\x1b\\[[0-9;]*m"), "");
}

ProbeTextOptions text_options(bool color, bool verbose) {
  ProbeTextOptions o;
  o.color = color;
  o.verbose = verbose;
  return o;
}

TEST(ProbeText, MatchesReferenceFile) {
  const std::string got = probe_to_text(sample_probe(), text_options(false, false));
  const std::string path = std::string(SMTPEER_TEST_DATA) + "/golden/report/probe_text.ref";
  const char* update = std::getenv("SMTPEER_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    ASSERT_TRUE(write_file(path, got).ok()) << path;
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(path))
      << path << " is missing; run with SMTPEER_UPDATE_GOLDEN=1 to create it";
  EXPECT_EQ(got, read_all(path)) << "golden file " << path
                                 << " differs (SMTPEER_UPDATE_GOLDEN=1 rewrites it)";
}

TEST(ProbeText, NoEscapeBytesWithoutColor) {
  for (bool verbose : {false, true}) {
    const std::string out = probe_to_text(sample_probe(), text_options(false, verbose));
    EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
    EXPECT_EQ(out.find("\\x1B"), std::string::npos) << out;
  }
}

TEST(ProbeText, ColorAddsOnlySgrSequences) {
  const std::string plain = probe_to_text(sample_probe(), text_options(false, false));
  const std::string color = probe_to_text(sample_probe(), text_options(true, false));
  // Real escape sequences, not their escaped text.
  EXPECT_NE(color.find("\x1b[1;31mFAIL\x1b[0m"), std::string::npos) << color;
  EXPECT_NE(color.find("\x1b[32mPASS\x1b[0m"), std::string::npos) << color;
  EXPECT_NE(color.find("\x1b[33mWARN\x1b[0m"), std::string::npos) << color;
  EXPECT_EQ(color.find("\\x1B"), std::string::npos) << color;
  // Without the colour the text is the same, byte for byte.
  EXPECT_EQ(strip_sgr(color), plain);
}

TEST(ProbeText, PeerTextCannotDriveTheTerminal) {
  auto r = sample_probe();
  r.certificates[0].chain[0].subject = "CN=\x1b]0;pwned\x07mx.example.test";
  r.greeting = "mx.example.test \x1b[2J ESMTP";
  r.protocols[4].answer = "ServerHello\r\nFAKE LINE";
  for (bool color : {false, true}) {
    const std::string out = strip_sgr(probe_to_text(r, text_options(color, false)));
    EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
    EXPECT_EQ(out.find('\x07'), std::string::npos) << out;
    EXPECT_EQ(out.find('\r'), std::string::npos) << out;
    EXPECT_NE(out.find("CN=\\x1B]0;pwned\\x07mx.example.test"), std::string::npos) << out;
  }
}

TEST(ProbeText, EvidenceUnderPassingFindingsOnlyWhenVerbose) {
  const std::string quiet = probe_to_text(sample_probe(), text_options(false, false));
  const std::string verbose = probe_to_text(sample_probe(), text_options(false, true));
  // T1 passed: its evidence is hidden unless verbose.
  EXPECT_EQ(quiet.find("SSLv2: refused (connection closed)"), std::string::npos);
  EXPECT_NE(verbose.find("SSLv2: refused (connection closed)"), std::string::npos);
  // T2 failed and T3 warned: their evidence is always shown.
  for (const std::string* out : {&quiet, &verbose}) {
    EXPECT_NE(out->find("TLSv1.2: 4 suites, client order"), std::string::npos);
    EXPECT_NE(out->find("anonymous (no server authentication): 2 suites"), std::string::npos);
  }
}

TEST(ProbeText, ErrorShowsWhyAndNoTable) {
  ProbeResult r;
  r.target = "192.0.2.1:25";
  r.profile = "rfc3207";
  r.started_at = "2024-05-01T12:00:00Z";
  r.connections = 1;
  r.duration_ms = 10000;
  r.error = "192.0.2.1:25: connection timed out";
  const std::string out = probe_to_text(r, text_options(false, false));
  EXPECT_NE(out.find("Could not probe: 192.0.2.1:25: connection timed out\n"), std::string::npos)
      << out;
  EXPECT_EQ(out.find("Protocols"), std::string::npos) << out;
  EXPECT_EQ(out.find("Findings"), std::string::npos) << out;
}

}  // namespace
}  // namespace smtpeer::report
