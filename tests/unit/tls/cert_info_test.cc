// inspect_certificate, verify_chain and name_matches on certificates made
// here for the one property under test, and on the test PKI with the clock
// moved.
#include "tls/cert_info.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <regex>

#include "tls/ossl.h"
#include "tls/pki.h"

namespace smtpeer::tls {
namespace {

using std::chrono::hours;
using Clock = std::chrono::system_clock;
constexpr hours kDay{24};

std::string to_der(X509* cert) {
  unsigned char* out = nullptr;
  int n = i2d_X509(cert, &out);
  if (n <= 0) return {};
  OsslBytesPtr owner(out);
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

std::string pem_to_der(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  return cert ? to_der(cert.get()) : std::string();
}

// Made: a self-signed certificate with exactly the subject CN and SAN under
// test ("" = none), for the name and key checks.
struct Made {
  std::string cn;
  std::string san;         // OpenSSL config syntax: "DNS:a.example,IP:192.0.2.1"
  std::string key = "EC";  // "EC" (P-256), "EC-384", "ED25519", "RSA"
};

std::string make_der(const Made& m) {
  PkeyPtr key;
  if (m.key == "EC") key.reset(EVP_EC_gen("P-256"));
  if (m.key == "EC-384") key.reset(EVP_EC_gen("P-384"));
  if (m.key == "ED25519") key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (m.key == "RSA") key.reset(EVP_RSA_gen(2048));
  X509Ptr cert(X509_new());
  if (!key || !cert) return {};
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 0x1234);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!m.cn.empty())
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(m.cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (!m.san.empty()) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, m.san.c_str()));
    if (!ext) return {};
    X509_add_ext(cert.get(), ext.get(), -1);
  }
  const EVP_MD* md = m.key == "ED25519" ? nullptr : EVP_sha256();
  if (X509_sign(cert.get(), key.get(), md) == 0) return {};
  return to_der(cert.get());
}

// The test PKI, generated once for the clock and chain cases.
struct Pki {
  Clock::time_point now = Clock::now();
  TestPki pki;
  std::string error;
  std::string dir = "/tmp/smtpeer-cert-info-test-" + std::to_string(::getpid());
  Pki() {
    PkiOptions options;
    options.now = now;
    Result<TestPki> made = generate_pki(options);
    if (!made) {
      error = made.error().message;
      return;
    }
    pki = std::move(*made);
    if (Result<std::vector<PkiFile>> files = write_pki(pki, dir); !files)
      error = files.error().message;
  }
  ~Pki() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

const Pki& pki() {
  static Pki p;
  return p;
}

// ---- inspect_certificate: input that is not a certificate ----

struct BadDerCase {
  std::string name;
  std::string der;
};

class BadDerTest : public testing::TestWithParam<BadDerCase> {};

TEST_P(BadDerTest, IsAnError) {
  Result<CertFacts> facts = inspect_certificate(GetParam().der, Clock::now());
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.error().code, ErrorCode::kTls);
  EXPECT_FALSE(name_matches(GetParam().der, "localhost"));
  ChainVerdict v = verify_chain({GetParam().der}, "", Clock::now());
  EXPECT_FALSE(v.verified);
  EXPECT_EQ(v.error_depth, 0);
}

std::string truncated_cert() {
  std::string der = make_der({"x.example", "DNS:x.example"});
  return der.substr(0, der.size() / 2);
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, BadDerTest,
    testing::Values(BadDerCase{"empty", ""}, BadDerCase{"garbage", "not a certificate"},
                    BadDerCase{"pem_not_der", "-----BEGIN CERTIFICATE-----\nMIIB\n"},
                    BadDerCase{"truncated", truncated_cert()},
                    BadDerCase{"one_zero_byte", std::string(1, '\0')}),
    [](const testing::TestParamInfo<BadDerCase>& info) { return info.param.name; });

// ---- inspect_certificate: facts ----

TEST(InspectTest, FormatsOfTheGoodCertificate) {
  ASSERT_EQ(pki().error, "");
  const std::string der = pem_to_der(pki().pki.good.cert);
  Result<CertFacts> f = inspect_certificate(der, pki().now);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->subject, "CN=localhost,O=smtpeer test");
  EXPECT_EQ(f->issuer, "CN=smtpeer test CA,O=smtpeer test");
  EXPECT_EQ(f->dns_names, std::vector<std::string>{"localhost"});
  EXPECT_EQ(f->ip_addresses, std::vector<std::string>{"127.0.0.1"});
  const std::regex iso(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
  EXPECT_TRUE(std::regex_match(f->not_before, iso)) << f->not_before;
  EXPECT_TRUE(std::regex_match(f->not_after, iso)) << f->not_after;
  EXPECT_LT(f->not_before, f->not_after);
  EXPECT_TRUE(std::regex_match(f->serial, std::regex("[0-9a-f]{32}"))) << f->serial;

  // The fingerprint is SHA-256 over the DER, as `openssl x509 -fingerprint` shows it.
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  ASSERT_EQ(EVP_Digest(der.data(), der.size(), md.data(), &n, EVP_sha256(), nullptr), 1);
  std::string hex;
  for (unsigned int i = 0; i < n; ++i) hex += fmt::format("{:02x}", md[i]);
  EXPECT_EQ(f->sha256, hex);
}

TEST(InspectTest, NoNamesAtAll) {
  Result<CertFacts> f = inspect_certificate(make_der({}), Clock::now());
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->subject, "");
  EXPECT_EQ(f->common_name, "");
  EXPECT_TRUE(f->dns_names.empty());
  EXPECT_TRUE(f->ip_addresses.empty());
  EXPECT_TRUE(f->self_signed);
  EXPECT_EQ(f->serial, "1234");
}

TEST(InspectTest, SubjectAltNamesInOrder) {
  Result<CertFacts> f = inspect_certificate(
      make_der({"a.example", "DNS:a.example,IP:192.0.2.1,DNS:*.b.example,IP:2001:db8::1"}),
      Clock::now());
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->dns_names, (std::vector<std::string>{"a.example", "*.b.example"}));
  EXPECT_EQ(f->ip_addresses, (std::vector<std::string>{"192.0.2.1", "2001:db8::1"}));
}

struct KeyCase {
  std::string name;
  std::string key;
  std::string key_type;
  int bits;
  std::string curve;
  std::string signature_algorithm;
};

class KeyTest : public testing::TestWithParam<KeyCase> {};

TEST_P(KeyTest, TypeSizeCurveSignature) {
  const KeyCase& c = GetParam();
  Made m{"k.example", "DNS:k.example", c.key};
  Result<CertFacts> f = inspect_certificate(make_der(m), Clock::now());
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->key_type, c.key_type);
  EXPECT_EQ(f->key_bits, c.bits);
  EXPECT_EQ(f->curve, c.curve);
  EXPECT_EQ(f->signature_algorithm, c.signature_algorithm);
  EXPECT_TRUE(f->self_signed);
  EXPECT_FALSE(f->is_ca);
}

INSTANTIATE_TEST_SUITE_P(
    Keys, KeyTest,
    testing::Values(KeyCase{"p256", "EC", "EC", 256, "prime256v1", "ecdsa-with-SHA256"},
                    KeyCase{"p384", "EC-384", "EC", 384, "secp384r1", "ecdsa-with-SHA256"},
                    KeyCase{"ed25519", "ED25519", "Ed25519", 256, "", "ED25519"},
                    KeyCase{"rsa", "RSA", "RSA", 2048, "", "sha256WithRSAEncryption"}),
    [](const testing::TestParamInfo<KeyCase>& info) { return info.param.name; });

// ---- the clock: validity judged at `now`, not at the wall clock ----

struct ClockCase {
  std::string name;
  PemPair TestPki::*field;
  Clock::duration shift;  // added to the PKI's generation time
  long days_left;
  bool expired;
  bool not_yet_valid;
  std::string verify_error;  // "" = verifies
};

// clang-format off
const ClockCase kClockCases[] = {
  {"good_now", &TestPki::good, {}, 365, false, false, ""},
  {"good_in_400_days", &TestPki::good, 400 * kDay, -35, true, false, "certificate has expired"},
  {"good_two_days_ago", &TestPki::good, -2 * kDay, 367, false, true,
   "certificate is not yet valid"},
  {"good_an_hour_after_expiry", &TestPki::good, 365 * kDay + hours(1), -1, true, false,
   "certificate has expired"},
  {"good_an_hour_before_expiry", &TestPki::good, 365 * kDay - hours(1), 0, false, false, ""},
  {"expired_100_days_ago", &TestPki::expired, -100 * kDay, 70, false, false, ""},
  {"not_yet_valid_in_31_days", &TestPki::not_yet_valid, 31 * kDay, 369, false, false, ""},
};
// clang-format on

// The shared-PKI tables run as one test each with SCOPED_TRACE rather than
// TEST_P: ctest starts a process per test, and each would generate the PKI.
TEST(ClockTest, ValidityAtNow) {
  ASSERT_EQ(pki().error, "");
  for (const ClockCase& c : kClockCases) {
    SCOPED_TRACE(c.name);
    const std::string der = pem_to_der((pki().pki.*c.field).cert);
    const Clock::time_point at = pki().now + c.shift;
    Result<CertFacts> f = inspect_certificate(der, at);
    if (!f.ok()) {
      ADD_FAILURE() << f.error().message;
      continue;
    }
    EXPECT_EQ(f->days_left, c.days_left);
    EXPECT_EQ(f->expired, c.expired);
    EXPECT_EQ(f->not_yet_valid, c.not_yet_valid);
    ChainVerdict v = verify_chain({der}, pki().dir + "/ca.pem", at);
    EXPECT_EQ(v.verified, c.verify_error.empty());
    EXPECT_EQ(v.error, c.verify_error);
  }
}

// ---- verify_chain ----

struct ChainCase {
  std::string name;
  std::vector<PemPair TestPki::*> chain;  // leaf first
  std::string ca;                         // file in the PKI directory; "" = system store
  std::string error;                      // "" = verifies
  int depth;
};

// clang-format off
const ChainCase kChainCases[] = {
  {"good_with_the_ca_sent_along", {&TestPki::good, &TestPki::ca}, "ca.pem", "", -1},
  {"untrusted_ca_sent_along", {&TestPki::client_untrusted, &TestPki::untrusted_ca}, "ca.pem",
   "self-signed certificate in certificate chain", 1},
  {"good_against_the_wrong_ca", {&TestPki::good}, "untrusted-ca.pem",
   "unable to get local issuer certificate", 0},
  {"good_against_the_system_store", {&TestPki::good}, "",
   "unable to get local issuer certificate", 0},
  {"self_signed_against_the_system_store", {&TestPki::self_signed}, "",
   "self-signed certificate", 0},
  // Auth level 0: weak keys and SHA-1 are left to the profile.
  {"rsa1024", {&TestPki::rsa1024}, "ca.pem", "", -1},
  {"sha1", {&TestPki::sha1}, "ca.pem", "", -1},
};
// clang-format on

TEST(ChainTest, Verdicts) {
  ASSERT_EQ(pki().error, "");
  for (const ChainCase& c : kChainCases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> chain;
    for (auto field : c.chain) chain.push_back(pem_to_der((pki().pki.*field).cert));
    ChainVerdict v = verify_chain(chain, c.ca.empty() ? "" : pki().dir + "/" + c.ca, pki().now);
    EXPECT_EQ(v.verified, c.error.empty());
    EXPECT_EQ(v.error, c.error);
    EXPECT_EQ(v.error_depth, c.depth);
  }
}

TEST(VerifyChainTest, EmptyChain) {
  ChainVerdict v = verify_chain({}, "", Clock::now());
  EXPECT_FALSE(v.verified);
  EXPECT_EQ(v.error, "no certificate");
}

TEST(VerifyChainTest, MissingCaFileIsNamed) {
  ASSERT_EQ(pki().error, "");
  const std::string missing = pki().dir + "/no-such-ca.pem";
  ChainVerdict v = verify_chain({pem_to_der(pki().pki.good.cert)}, missing, pki().now);
  EXPECT_FALSE(v.verified);
  EXPECT_NE(v.error.find(missing), std::string::npos) << v.error;
  EXPECT_EQ(v.error_depth, -1);
}

TEST(VerifyChainTest, UnparsableIntermediateGivesItsDepth) {
  ASSERT_EQ(pki().error, "");
  ChainVerdict v = verify_chain({pem_to_der(pki().pki.good.cert), "junk"}, "", pki().now);
  EXPECT_FALSE(v.verified);
  EXPECT_EQ(v.error_depth, 1);
}

// ---- name_matches ----

struct NameCase {
  std::string name;
  Made cert;
  std::string host;
  bool matches;
};

// clang-format off
const NameCase kNameCases[] = {
  {"exact", {"mx.example", "DNS:mx.example"}, "mx.example", true},
  {"case_insensitive", {"mx.example", "DNS:MX.Example"}, "mx.EXAMPLE", true},
  {"other_name", {"mx.example", "DNS:mx.example"}, "mail.example", false},
  {"wildcard_one_label", {"w", "DNS:*.example.org"}, "a.example.org", true},
  {"wildcard_not_two_labels", {"w", "DNS:*.example.org"}, "a.b.example.org", false},
  {"wildcard_not_the_parent", {"w", "DNS:*.example.org"}, "example.org", false},
  {"no_partial_wildcard", {"w", "DNS:mx*.example.org"}, "mx1.example.org", false},
  {"cn_when_no_dns_san", {"cn-only.example", ""}, "cn-only.example", true},
  {"cn_ignored_beside_dns_san", {"cn.example", "DNS:san.example"}, "cn.example", false},
  {"ip_san", {"x", "IP:192.0.2.7"}, "192.0.2.7", true},
  {"ip_san_other_address", {"x", "IP:192.0.2.7"}, "192.0.2.8", false},
  {"ipv6_san", {"x", "IP:2001:db8::7"}, "2001:DB8:0::7", true},
  {"ip_not_from_dns_san", {"x", "DNS:192.0.2.7"}, "192.0.2.7", false},
  {"ip_not_from_cn", {"192.0.2.7", ""}, "192.0.2.7", false},
  {"empty_name", {"mx.example", "DNS:mx.example"}, "", false},
};
// clang-format on

class NameTest : public testing::TestWithParam<NameCase> {};

TEST_P(NameTest, Matches) {
  const NameCase& c = GetParam();
  const std::string der = make_der(c.cert);
  ASSERT_FALSE(der.empty());
  EXPECT_EQ(name_matches(der, c.host), c.matches);
}

INSTANTIATE_TEST_SUITE_P(Names, NameTest, testing::ValuesIn(kNameCases),
                         [](const testing::TestParamInfo<NameCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace smtpeer::tls
