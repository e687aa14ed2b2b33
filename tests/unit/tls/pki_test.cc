// generate_pki and write_pki: every certificate of the test PKI is what
// pki.h promises, judged with inspect_certificate, verify_chain and
// name_matches against the CA file write_pki wrote.
#include "tls/pki.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tls/cert_info.h"
#include "tls/ossl.h"

namespace smtpeer::tls {
namespace {

namespace fs = std::filesystem;

X509Ptr read_pem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::string pem_to_der(const std::string& pem) {
  X509Ptr cert = read_pem(pem);
  if (!cert) return {};
  unsigned char* out = nullptr;
  int n = i2d_X509(cert.get(), &out);
  if (n <= 0) return {};
  OsslBytesPtr owner(out);
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Generated: one PKI for the whole binary (key generation is the slow part),
// written to a directory of its own that goes away at exit.
struct Generated {
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  std::string error;
  TestPki pki;
  std::string dir = "/tmp/smtpeer-pki-test-" + std::to_string(::getpid());
  std::vector<PkiFile> files;

  Generated() {
    PkiOptions options;
    options.now = now;
    Result<TestPki> made = generate_pki(options);
    if (!made) {
      error = made.error().message;
      return;
    }
    pki = std::move(*made);
    Result<std::vector<PkiFile>> written = write_pki(pki, dir);
    if (!written) {
      error = written.error().message;
      return;
    }
    files = std::move(*written);
  }
  ~Generated() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string ca_file() const { return dir + "/ca.pem"; }
};

const Generated& generated() {
  static Generated g;
  return g;
}

enum class Use { kServer, kClient };

struct LeafCase {
  std::string name;
  PemPair TestPki::*field;
  Use use;
  std::string common_name;
  std::string issuer;
  std::string verify_error;  // "" = verifies against ca.pem
  long days_left;
  std::string key_type;
  int key_bits;
  std::string curve;
  std::string signature_algorithm;
  bool self_signed;
  std::vector<std::string> matching;  // names name_matches accepts
  std::vector<std::string> not_matching;
};

const char kCa[] = "CN=smtpeer test CA,O=smtpeer test";
const char kUntrustedCa[] = "CN=smtpeer untrusted CA,O=smtpeer test";
const char kRsaSha256[] = "sha256WithRSAEncryption";
const std::vector<std::string> kLocalhostOnly{"localhost"};
const std::vector<std::string> kNotLocalhost{"wrong.invalid", "127.0.0.1", "other.localhost"};

// clang-format off
const LeafCase kLeaves[] = {
  {"good", &TestPki::good, Use::kServer, "localhost", kCa, "", 365, "RSA", 2048, "", kRsaSha256,
   false, {"localhost", "LOCALHOST", "127.0.0.1"}, {"wrong.invalid", "127.0.0.2", "::1"}},
  {"wrong_name", &TestPki::wrong_name, Use::kServer, "wrong.invalid", kCa, "", 365, "RSA", 2048, "",
   kRsaSha256, false, {"wrong.invalid"}, {"localhost", "127.0.0.1"}},
  {"expired", &TestPki::expired, Use::kServer, "localhost", kCa, "certificate has expired", -30,
   "RSA", 2048, "", kRsaSha256, false, kLocalhostOnly, kNotLocalhost},
  {"not_yet_valid", &TestPki::not_yet_valid, Use::kServer, "localhost", kCa,
   "certificate is not yet valid", 400, "RSA", 2048, "", kRsaSha256, false, kLocalhostOnly,
   kNotLocalhost},
  {"self_signed", &TestPki::self_signed, Use::kServer, "localhost", "CN=localhost,O=smtpeer test",
   "self-signed certificate", 365, "RSA", 2048, "", kRsaSha256, true, kLocalhostOnly,
   kNotLocalhost},
  {"rsa1024", &TestPki::rsa1024, Use::kServer, "localhost", kCa, "", 365, "RSA", 1024, "",
   kRsaSha256, false, kLocalhostOnly, kNotLocalhost},
  {"sha1", &TestPki::sha1, Use::kServer, "localhost", kCa, "", 365, "RSA", 2048, "",
   "sha1WithRSAEncryption", false, kLocalhostOnly, kNotLocalhost},
  {"ecdsa", &TestPki::ecdsa, Use::kServer, "localhost", kCa, "", 365, "EC", 256, "prime256v1",
   kRsaSha256, false, kLocalhostOnly, kNotLocalhost},
  // verify_chain checks for server use: client certificates fail on purpose.
  {"client_good", &TestPki::client_good, Use::kClient, "smtpeer client", kCa,
   "unsuitable certificate purpose", 365, "RSA", 2048, "", kRsaSha256, false, {}, {"localhost"}},
  {"client_wrong_cn", &TestPki::client_wrong_cn, Use::kClient, "wrong client", kCa,
   "unsuitable certificate purpose", 365, "RSA", 2048, "", kRsaSha256, false, {}, {"localhost"}},
  // OpenSSL checks the purpose before the validity.
  {"client_expired", &TestPki::client_expired, Use::kClient, "smtpeer client", kCa,
   "unsuitable certificate purpose", -30, "RSA", 2048, "", kRsaSha256, false, {}, {"localhost"}},
  {"client_untrusted", &TestPki::client_untrusted, Use::kClient, "smtpeer client", kUntrustedCa,
   "unable to get local issuer certificate", 365, "RSA", 2048, "", kRsaSha256, false, {},
   {"localhost"}},
};
// clang-format on

std::string leaf_der(const LeafCase& c) {
  return pem_to_der((generated().pki.*c.field).cert);
}

void check_facts(const LeafCase& c) {
  Result<CertFacts> facts = inspect_certificate(leaf_der(c), generated().now);
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_EQ(facts->subject, "CN=" + c.common_name + ",O=smtpeer test");
  EXPECT_EQ(facts->common_name, c.common_name);
  EXPECT_EQ(facts->issuer, c.issuer);
  EXPECT_EQ(facts->days_left, c.days_left);
  EXPECT_EQ(facts->expired, c.days_left < 0);
  EXPECT_EQ(facts->not_yet_valid, c.days_left == 400);
  EXPECT_EQ(facts->key_type, c.key_type);
  EXPECT_EQ(facts->key_bits, c.key_bits);
  EXPECT_EQ(facts->curve, c.curve);
  EXPECT_EQ(facts->signature_algorithm, c.signature_algorithm);
  EXPECT_EQ(facts->self_signed, c.self_signed);
  EXPECT_FALSE(facts->is_ca);
  EXPECT_EQ(facts->serial.size(), 32u) << facts->serial;
  if (c.use == Use::kServer) {
    EXPECT_EQ(facts->dns_names, std::vector<std::string>{c.common_name});
  } else {
    EXPECT_TRUE(facts->dns_names.empty());
  }
}

void check_chain(const LeafCase& c) {
  ChainVerdict v = verify_chain({leaf_der(c)}, generated().ca_file(), generated().now);
  EXPECT_EQ(v.verified, c.verify_error.empty());
  EXPECT_EQ(v.error, c.verify_error);
  EXPECT_EQ(v.error_depth, c.verify_error.empty() ? -1 : 0);
}

void check_names(const LeafCase& c) {
  const std::string der = leaf_der(c);
  for (const std::string& name : c.matching) EXPECT_TRUE(name_matches(der, name)) << name;
  for (const std::string& name : c.not_matching) EXPECT_FALSE(name_matches(der, name)) << name;
}

// Extended key usage: server certificates are for servers only, client
// certificates for clients only.
void check_purpose(const LeafCase& c) {
  X509Ptr cert = read_pem((generated().pki.*c.field).cert);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_SERVER, 0) == 1, c.use == Use::kServer);
  EXPECT_EQ(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_CLIENT, 0) == 1, c.use == Use::kClient);
}

// The key is valid PEM (PKCS#8) and belongs to the certificate.
void check_key(const LeafCase& c) {
  const PemPair& pair = generated().pki.*c.field;
  EXPECT_NE(pair.key.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  BioPtr bio(BIO_new_mem_buf(pair.key.data(), static_cast<int>(pair.key.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  X509Ptr cert = read_pem(pair.cert);
  ASSERT_TRUE(key && cert);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
}

class PkiLeafTest : public testing::TestWithParam<LeafCase> {};

// One test per leaf rather than per property: ctest runs every test in a
// process of its own, and each process generates the PKI again.
TEST_P(PkiLeafTest, AsDocumented) {
  ASSERT_EQ(generated().error, "");
  const LeafCase& c = GetParam();
  struct Check {
    const char* name;
    void (*check)(const LeafCase&);
  };
  for (const Check& check :
       {Check{"facts", check_facts}, Check{"chain", check_chain}, Check{"names", check_names},
        Check{"purpose", check_purpose}, Check{"key", check_key}}) {
    SCOPED_TRACE(check.name);
    check.check(c);
  }
}

INSTANTIATE_TEST_SUITE_P(Leaves, PkiLeafTest, testing::ValuesIn(kLeaves),
                         [](const testing::TestParamInfo<LeafCase>& info) {
                           return info.param.name;
                         });

struct CaCase {
  std::string name;
  PemPair TestPki::*field;
  std::string subject;
};

class PkiCaTest : public testing::TestWithParam<CaCase> {};

TEST_P(PkiCaTest, IsSelfSignedCa) {
  ASSERT_EQ(generated().error, "");
  const CaCase& c = GetParam();
  Result<CertFacts> facts =
      inspect_certificate(pem_to_der((generated().pki.*c.field).cert), generated().now);
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_EQ(facts->subject, c.subject);
  EXPECT_EQ(facts->issuer, c.subject);
  EXPECT_TRUE(facts->is_ca);
  EXPECT_TRUE(facts->self_signed);
  EXPECT_EQ(facts->key_type, "RSA");
  EXPECT_EQ(facts->key_bits, 2048);
  EXPECT_EQ(facts->days_left, 3650);
  EXPECT_FALSE(facts->expired);
  EXPECT_TRUE(facts->dns_names.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cas, PkiCaTest,
    testing::Values(CaCase{"ca", &TestPki::ca, kCa},
                    CaCase{"untrusted_ca", &TestPki::untrusted_ca, kUntrustedCa}),
    [](const testing::TestParamInfo<CaCase>& info) { return info.param.name; });

TEST(PkiTest, SerialsAndFingerprintsDiffer) {
  ASSERT_EQ(generated().error, "");
  std::set<std::string> serials;
  std::set<std::string> fingerprints;
  for (const LeafCase& c : kLeaves) {
    Result<CertFacts> facts =
        inspect_certificate(pem_to_der((generated().pki.*c.field).cert), generated().now);
    ASSERT_TRUE(facts.ok());
    serials.insert(facts->serial);
    fingerprints.insert(facts->sha256);
  }
  EXPECT_EQ(serials.size(), std::size(kLeaves));
  EXPECT_EQ(fingerprints.size(), std::size(kLeaves));
}

// The leaf whose key is not under test share one key; the weak and EC
// leaves have their own.
TEST(PkiTest, SharedLeafKey) {
  ASSERT_EQ(generated().error, "");
  const TestPki& pki = generated().pki;
  EXPECT_EQ(pki.good.key, pki.expired.key);
  EXPECT_EQ(pki.good.key, pki.client_untrusted.key);
  EXPECT_NE(pki.good.key, pki.rsa1024.key);
  EXPECT_NE(pki.good.key, pki.ecdsa.key);
  EXPECT_NE(pki.good.key, pki.ca.key);
  EXPECT_NE(pki.ca.key, pki.untrusted_ca.key);
}

TEST(PkiTest, NamesComeFromOptions) {
  PkiOptions options;
  options.name = "mx.example.test";
  options.wrong_name = "other.example.test";
  Result<TestPki> pki = generate_pki(options);
  ASSERT_TRUE(pki.ok()) << pki.error().message;
  Result<CertFacts> good = inspect_certificate(pem_to_der(pki->good.cert), options.now);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->common_name, "mx.example.test");
  EXPECT_EQ(good->dns_names, std::vector<std::string>{"mx.example.test"});
  EXPECT_EQ(good->ip_addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_TRUE(name_matches(pem_to_der(pki->wrong_name.cert), "other.example.test"));
}

struct BadOptionsCase {
  std::string name;
  PkiOptions options;
  ErrorCode code;
};

class PkiBadOptionsTest : public testing::TestWithParam<BadOptionsCase> {};

TEST_P(PkiBadOptionsTest, Refused) {
  Result<TestPki> pki = generate_pki(GetParam().options);
  ASSERT_FALSE(pki.ok());
  EXPECT_EQ(pki.error().code, GetParam().code) << pki.error().message;
}

PkiOptions with_name(std::string name) {
  PkiOptions o;
  o.name = std::move(name);
  return o;
}

INSTANTIATE_TEST_SUITE_P(
    Options, PkiBadOptionsTest,
    testing::Values(BadOptionsCase{"empty_name", with_name(""), ErrorCode::kUsage},
                    BadOptionsCase{"name_longer_than_a_cn", with_name(std::string(65, 'a')),
                                   ErrorCode::kUsage}),
    [](const testing::TestParamInfo<BadOptionsCase>& info) { return info.param.name; });

TEST(WritePkiTest, FilesModesAndReadme) {
  const Generated& g = generated();
  ASSERT_EQ(g.error, "");
  const std::vector<std::string> stems{"ca",
                                       "untrusted-ca",
                                       "good",
                                       "wrong-name",
                                       "expired",
                                       "not-yet-valid",
                                       "self-signed",
                                       "rsa1024",
                                       "sha1",
                                       "ecdsa",
                                       "client-good",
                                       "client-wrong-cn",
                                       "client-expired",
                                       "client-untrusted"};
  std::vector<std::string> expected;
  for (const std::string& s : stems) {
    expected.push_back(g.dir + "/" + s + ".pem");
    expected.push_back(g.dir + "/" + s + ".key");
  }
  expected.push_back(g.dir + "/README.txt");
  std::vector<std::string> paths;
  for (const PkiFile& f : g.files) {
    paths.push_back(f.path);
    EXPECT_FALSE(f.purpose.empty()) << f.path;
  }
  EXPECT_EQ(paths, expected);

  const std::string readme = read_text(g.dir + "/README.txt");
  for (const PkiFile& f : g.files) {
    struct stat st {};
    ASSERT_EQ(::stat(f.path.c_str(), &st), 0) << f.path;
    const bool is_key = f.path.ends_with(".key");
    EXPECT_EQ(st.st_mode & 0777, is_key ? 0600u : 0644u) << f.path;
    const std::string name = fs::path(f.path).filename().string();
    if (name != "README.txt") {
      EXPECT_NE(readme.find(name + " "), std::string::npos) << name;
    }
  }
  EXPECT_EQ(read_text(g.dir + "/ca.pem"), g.pki.ca.cert);
  EXPECT_EQ(read_text(g.dir + "/client-wrong-cn.key"), g.pki.client_wrong_cn.key);
}

TEST(WritePkiTest, RewritesKeysWithTheirMode) {
  const Generated& g = generated();
  ASSERT_EQ(g.error, "");
  const std::string dir = g.dir + "/again/nested";
  ASSERT_TRUE(write_pki(g.pki, dir).ok());
  ASSERT_EQ(::chmod((dir + "/good.key").c_str(), 0644), 0);
  Result<std::vector<PkiFile>> again = write_pki(g.pki, dir);
  ASSERT_TRUE(again.ok()) << again.error().message;
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/good.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(WritePkiTest, UnwritableDirectoryIsAnIoError) {
  const Generated& g = generated();
  ASSERT_EQ(g.error, "");
  const std::string dir = g.dir + "/ca.pem/sub";  // below a regular file
  Result<std::vector<PkiFile>> files = write_pki(g.pki, dir);
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.error().code, ErrorCode::kIo);
  EXPECT_NE(files.error().message.find(dir), std::string::npos) << files.error().message;
}

}  // namespace
}  // namespace smtpeer::tls
