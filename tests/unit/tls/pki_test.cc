// generate_pki and write_pki: every certificate of the test PKI is what
// pki.h promises, judged with inspect_certificate, verify_chain and
// name_matches against the CA file write_pki wrote; read_ca, and a PKI
// issued from a given CA.
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

// ---- read_ca and generate_pki with a given CA (--ca-cert/--ca-key) ----

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// MadeCa: a self-signed CA made here with exactly the extensions under test
// (OpenSSL config syntax), for the CAs generate_pki never makes.
struct MadeCa {
  std::string common_name;
  std::string key_type;  // "EC" (P-256) or "ED25519"
  std::vector<std::pair<int, std::string>> extensions;
};

PemPair make_ca(const MadeCa& m) {
  PkeyPtr key(m.key_type == "ED25519" ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                                      : EVP_EC_gen("P-256"));
  X509Ptr cert(X509_new());
  if (!key || !cert) return {};
  X509* x = cert.get();
  X509_set_version(x, X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 0x5eed);
  X509_gmtime_adj(X509_getm_notBefore(x), -86400);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650);
  X509_set_pubkey(x, key.get());
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(m.common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(x, name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x, x, nullptr, nullptr, 0);
  for (const auto& [nid, value] : m.extensions) {
    X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str()));
    if (!ext || X509_add_ext(x, ext.get(), -1) != 1) return {};
  }
  if (X509_sign(x, key.get(), m.key_type == "ED25519" ? nullptr : EVP_sha256()) == 0) return {};
  BioPtr cbio(BIO_new(BIO_s_mem()));
  BioPtr kbio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509(cbio.get(), x) != 1 ||
      PEM_write_bio_PrivateKey(kbio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return {};
  return PemPair{bio_text(cbio.get()), bio_text(kbio.get())};
}

// issued_by: `ca` issued `leaf`: the names and key identifiers match
// (X509_check_issued) and the signature verifies with the CA's key.
bool issued_by(const std::string& leaf_pem, const std::string& ca_pem) {
  X509Ptr leaf = read_pem(leaf_pem);
  X509Ptr ca = read_pem(ca_pem);
  return leaf && ca && X509_check_issued(ca.get(), leaf.get()) == X509_V_OK &&
         X509_verify(leaf.get(), X509_get0_pubkey(ca.get())) == 1;
}

// Issued: the first PKI's CA read back from the files write_pki made, and a
// second PKI issued from it; its files go to a directory of their own.
struct Issued {
  std::string error;
  PemPair given;
  TestPki pki;
  std::string dir = "/tmp/smtpeer-pki-issued-test-" + std::to_string(::getpid());

  Issued() {
    const Generated& g = generated();
    if (!g.error.empty()) {
      error = g.error;
      return;
    }
    Result<PemPair> ca = read_ca(g.dir + "/ca.pem", g.dir + "/ca.key");
    if (!ca) {
      error = ca.error().message;
      return;
    }
    given = *ca;
    PkiOptions options;
    options.now = g.now;
    options.issuer = given;
    Result<TestPki> made = generate_pki(options);
    if (!made) {
      error = made.error().message;
      return;
    }
    pki = std::move(*made);
  }
  ~Issued() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

const Issued& issued() {
  static Issued i;
  return i;
}

TEST(ReadCaTest, ReadsBackTheGeneratedCa) {
  ASSERT_EQ(issued().error, "");
  EXPECT_EQ(pem_to_der(issued().given.cert), pem_to_der(generated().pki.ca.cert));
  EXPECT_EQ(issued().given.key, generated().pki.ca.key);
}

TEST(IssuedPkiTest, CaIsTheGivenOne) {
  const Issued& i = issued();
  ASSERT_EQ(i.error, "");
  EXPECT_TRUE(i.pki.ca_given);
  EXPECT_FALSE(generated().pki.ca_given);
  EXPECT_EQ(i.pki.ca.cert, i.given.cert);
  EXPECT_EQ(i.pki.ca.key, i.given.key);
  // The CA nobody trusts is still a fresh one.
  EXPECT_NE(pem_to_der(i.pki.untrusted_ca.cert), pem_to_der(generated().pki.untrusted_ca.cert));
  EXPECT_FALSE(issued_by(i.pki.untrusted_ca.cert, i.given.cert));
}

struct IssuedCase {
  std::string name;
  PemPair TestPki::*field;
  bool from_given_ca;        // signed by the given CA
  std::string verify_error;  // verify_chain for server use, the given CA the only anchor
  std::string name_for;      // the name it is valid for
};

// clang-format off
const IssuedCase kIssued[] = {
  {"good", &TestPki::good, true, "", "localhost"},
  {"wrong_name", &TestPki::wrong_name, true, "", "wrong.invalid"},
  {"expired", &TestPki::expired, true, "certificate has expired", "localhost"},
  {"not_yet_valid", &TestPki::not_yet_valid, true, "certificate is not yet valid", "localhost"},
  {"self_signed", &TestPki::self_signed, false, "self-signed certificate", "localhost"},
  {"rsa1024", &TestPki::rsa1024, true, "", "localhost"},
  {"sha1", &TestPki::sha1, true, "", "localhost"},
  {"ecdsa", &TestPki::ecdsa, true, "", "localhost"},
  {"client_good", &TestPki::client_good, true, "unsuitable certificate purpose", ""},
  {"client_wrong_cn", &TestPki::client_wrong_cn, true, "unsuitable certificate purpose", ""},
  {"client_expired", &TestPki::client_expired, true, "unsuitable certificate purpose", ""},
  {"client_untrusted", &TestPki::client_untrusted, false,
   "unable to get local issuer certificate", ""},
};
// clang-format on

class IssuedLeafTest : public testing::TestWithParam<IssuedCase> {};

TEST_P(IssuedLeafTest, ChainsToTheGivenCa) {
  const Issued& i = issued();
  ASSERT_EQ(i.error, "");
  const IssuedCase& c = GetParam();
  const std::string& leaf = (i.pki.*c.field).cert;
  EXPECT_EQ(issued_by(leaf, i.given.cert), c.from_given_ca);
  // Only the given CA's file is a trust anchor here.
  ChainVerdict v = verify_chain({pem_to_der(leaf)}, generated().ca_file(), generated().now);
  EXPECT_EQ(v.verified, c.verify_error.empty());
  EXPECT_EQ(v.error, c.verify_error);
  // A new certificate, not the first PKI's.
  EXPECT_NE(pem_to_der(leaf), pem_to_der((generated().pki.*c.field).cert));
  if (c.from_given_ca) {
    X509Ptr cert = read_pem(leaf);
    X509Ptr ca = read_pem(i.given.cert);
    ASSERT_TRUE(cert && ca);
    EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(cert.get()), X509_get_subject_name(ca.get())), 0);
    const ASN1_OCTET_STRING* akid = X509_get0_authority_key_id(cert.get());
    const ASN1_OCTET_STRING* skid = X509_get0_subject_key_id(ca.get());
    ASSERT_TRUE(akid && skid);
    EXPECT_EQ(ASN1_OCTET_STRING_cmp(akid, skid), 0);
  }
  if (!c.name_for.empty()) {
    EXPECT_TRUE(name_matches(pem_to_der(leaf), c.name_for));
    const std::string other = c.name_for == "localhost" ? "wrong.invalid" : "localhost";
    EXPECT_FALSE(name_matches(pem_to_der(leaf), other));
  }
}

INSTANTIATE_TEST_SUITE_P(Leaves, IssuedLeafTest, testing::ValuesIn(kIssued),
                         [](const testing::TestParamInfo<IssuedCase>& info) {
                           return info.param.name;
                         });

TEST(IssuedPkiTest, WritePkiLeavesTheGivenKeyOut) {
  const Issued& i = issued();
  ASSERT_EQ(i.error, "");
  Result<std::vector<PkiFile>> files = write_pki(i.pki, i.dir);
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ(read_text(i.dir + "/ca.pem"), i.given.cert);
  EXPECT_FALSE(fs::exists(i.dir + "/ca.key"));
  EXPECT_TRUE(fs::exists(i.dir + "/untrusted-ca.key"));
  EXPECT_TRUE(fs::exists(i.dir + "/good.key"));
  for (const PkiFile& f : *files) EXPECT_NE(f.path, i.dir + "/ca.key");
  EXPECT_NE(read_text(i.dir + "/README.txt").find("not copied"), std::string::npos);
}

// A CA made elsewhere: another subject, an EC key, and no subject key
// identifier, so the leaves name it by issuer and serial instead.
TEST(IssuedPkiTest, EcCaWithoutKeyIdentifier) {
  const PemPair made =
      make_ca({"Example Test Root", "EC", {{NID_basic_constraints, "critical,CA:TRUE"}}});
  ASSERT_FALSE(made.cert.empty());
  PkiOptions options;
  options.issuer = made;
  Result<TestPki> pki = generate_pki(options);
  ASSERT_TRUE(pki.ok()) << pki.error().message;
  const std::string dir = "/tmp/smtpeer-pki-ec-ca-test-" + std::to_string(::getpid());
  fs::create_directories(dir);
  write_text(dir + "/root.pem", made.cert);
  const ChainVerdict good =
      verify_chain({pem_to_der(pki->good.cert)}, dir + "/root.pem", options.now);
  const ChainVerdict expired =
      verify_chain({pem_to_der(pki->expired.cert)}, dir + "/root.pem", options.now);
  fs::remove_all(dir);
  EXPECT_TRUE(good.verified) << good.error;
  EXPECT_EQ(expired.error, "certificate has expired");
  EXPECT_TRUE(issued_by(pki->client_good.cert, made.cert));

  Result<CertFacts> facts = inspect_certificate(pem_to_der(pki->sha1.cert), options.now);
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_EQ(facts->issuer, "CN=Example Test Root");
  EXPECT_EQ(facts->signature_algorithm, "ecdsa-with-SHA1");
  X509Ptr leaf = read_pem(pki->good.cert);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(X509_get0_authority_key_id(leaf.get()), nullptr);
  EXPECT_NE(X509_get0_authority_issuer(leaf.get()), nullptr);
  EXPECT_NE(X509_get0_authority_serial(leaf.get()), nullptr);
}

TEST(IssuedPkiTest, LeafAsIssuerIsRefused) {
  ASSERT_EQ(generated().error, "");
  PkiOptions options;
  options.issuer = generated().pki.good;
  Result<TestPki> pki = generate_pki(options);
  ASSERT_FALSE(pki.ok());
  EXPECT_EQ(pki.error().code, ErrorCode::kUsage);
  EXPECT_NE(pki.error().message.find("issuer certificate: not a CA"), std::string::npos)
      << pki.error().message;
}

// CaFiles: the files the read_ca cases name, in a directory of their own.
struct CaFiles {
  std::string dir = "/tmp/smtpeer-read-ca-test-" + std::to_string(::getpid());
  std::string error;

  CaFiles() {
    const Generated& g = generated();
    if (!g.error.empty()) {
      error = g.error;
      return;
    }
    fs::create_directories(dir + "/a-directory");
    const TestPki& pki = g.pki;
    write_text(dir + "/ca.pem", pki.ca.cert);
    write_text(dir + "/ca.key", pki.ca.key);
    write_text(dir + "/leaf.pem", pki.good.cert);
    write_text(dir + "/leaf.key", pki.good.key);
    write_text(dir + "/two.pem", pki.ca.cert + pki.untrusted_ca.cert);
    write_text(dir + "/garbage.pem", "this is not a certificate\n");
    write_text(dir + "/empty.pem", "");
    write_text(dir + "/broken.pem",
               "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    write_text(dir + "/big.pem", std::string((std::size_t{1} << 20) + 1, 'A'));
    write_text(dir + "/encrypted.key", encrypted(pki.ca.key));
    const PemPair no_cert_sign = make_ca({"no keyCertSign",
                                          "EC",
                                          {{NID_basic_constraints, "critical,CA:TRUE"},
                                           {NID_key_usage, "critical,digitalSignature"}}});
    write_text(dir + "/no-cert-sign.pem", no_cert_sign.cert);
    write_text(dir + "/no-cert-sign.key", no_cert_sign.key);
    const PemPair ed = make_ca({"ed25519", "ED25519", {{NID_basic_constraints, "CA:TRUE"}}});
    write_text(dir + "/ed25519.pem", ed.cert);
    write_text(dir + "/ed25519.key", ed.key);
    // Both in one file, the key first and in the traditional ("BEGIN EC
    // PRIVATE KEY") form, as some tools write them.
    const PemPair ec = make_ca({"combined", "EC", {{NID_basic_constraints, "CA:TRUE"}}});
    write_text(dir + "/combined.pem", traditional(ec.key) + ec.cert);
    combined_cert = ec.cert;
  }
  ~CaFiles() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string combined_cert;

  static PkeyPtr parse_key(const std::string& pem) {
    BioPtr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    return PkeyPtr(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  }
  static std::string encrypted(const std::string& pem) {
    PkeyPtr key = parse_key(pem);
    BioPtr out(BIO_new(BIO_s_mem()));
    static const char kPass[] = "secret";
    if (!key || PEM_write_bio_PKCS8PrivateKey(out.get(), key.get(), EVP_aes_128_cbc(), kPass,
                                              sizeof kPass - 1, nullptr, nullptr) != 1)
      return {};
    return bio_text(out.get());
  }
  static std::string traditional(const std::string& pem) {
    PkeyPtr key = parse_key(pem);
    BioPtr out(BIO_new(BIO_s_mem()));
    if (!key || PEM_write_bio_PrivateKey_traditional(out.get(), key.get(), nullptr, nullptr, 0,
                                                     nullptr, nullptr) != 1)
      return {};
    return bio_text(out.get());
  }
};

const CaFiles& ca_files() {
  static CaFiles f;
  return f;
}

TEST(ReadCaTest, CombinedFileWithTraditionalKey) {
  const CaFiles& f = ca_files();
  ASSERT_EQ(f.error, "");
  ASSERT_NE(read_text(f.dir + "/combined.pem").find("BEGIN EC PRIVATE KEY"), std::string::npos);
  Result<PemPair> ca = read_ca(f.dir + "/combined.pem", f.dir + "/combined.pem");
  ASSERT_TRUE(ca.ok()) << ca.error().message;
  EXPECT_EQ(ca->cert, f.combined_cert);
  EXPECT_EQ(ca->key.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u) << "re-encoded as PKCS#8";
}

struct ReadCaErrorCase {
  std::string name;
  std::string cert;  // file names in CaFiles::dir
  std::string key;
  ErrorCode code;
  std::string blamed;  // the file the message must name
  std::string says;    // and a part of what it says
};

// clang-format off
const ReadCaErrorCase kReadCaErrors[] = {
  {"leaf", "leaf.pem", "leaf.key", ErrorCode::kUsage, "leaf.pem", "not a CA certificate"},
  {"key_of_another_certificate", "ca.pem", "leaf.key", ErrorCode::kUsage, "leaf.key",
   "not the private key of the certificate"},
  {"missing_certificate", "missing.pem", "ca.key", ErrorCode::kIo, "missing.pem",
   "No such file"},
  {"missing_key", "ca.pem", "missing.key", ErrorCode::kIo, "missing.key", "No such file"},
  {"directory", "a-directory", "ca.key", ErrorCode::kIo, "a-directory", "Is a directory"},
  {"garbage_certificate", "garbage.pem", "ca.key", ErrorCode::kUsage, "garbage.pem", "not PEM"},
  {"empty_certificate", "empty.pem", "ca.key", ErrorCode::kUsage, "empty.pem", "not PEM"},
  {"garbage_key", "ca.pem", "garbage.pem", ErrorCode::kUsage, "garbage.pem", "not PEM"},
  {"broken_certificate", "broken.pem", "ca.key", ErrorCode::kUsage, "broken.pem",
   "does not parse"},
  {"huge_file", "big.pem", "ca.key", ErrorCode::kUsage, "big.pem", "larger than"},
  {"swapped", "ca.key", "ca.pem", ErrorCode::kUsage, "ca.key", "swapped"},
  {"encrypted_key", "ca.pem", "encrypted.key", ErrorCode::kUsage, "encrypted.key",
   "the key is encrypted; give an unencrypted key"},
  {"two_certificates", "two.pem", "ca.key", ErrorCode::kUsage, "two.pem",
   "more than one certificate"},
  {"key_usage_without_cert_sign", "no-cert-sign.pem", "no-cert-sign.key", ErrorCode::kUsage,
   "no-cert-sign.pem", "lacks keyCertSign"},
  {"ed25519", "ed25519.pem", "ed25519.key", ErrorCode::kUsage, "ed25519.key", "ED25519"},
};
// clang-format on

class ReadCaErrorTest : public testing::TestWithParam<ReadCaErrorCase> {};

TEST_P(ReadCaErrorTest, Refused) {
  const CaFiles& f = ca_files();
  ASSERT_EQ(f.error, "");
  const ReadCaErrorCase& c = GetParam();
  Result<PemPair> ca = read_ca(f.dir + "/" + c.cert, f.dir + "/" + c.key);
  ASSERT_FALSE(ca.ok());
  const std::string& message = ca.error().message;
  EXPECT_EQ(ca.error().code, c.code) << message;
  EXPECT_NE(message.find(f.dir + "/" + c.blamed), std::string::npos) << message;
  EXPECT_NE(message.find(c.says), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(Files, ReadCaErrorTest, testing::ValuesIn(kReadCaErrors),
                         [](const testing::TestParamInfo<ReadCaErrorCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace smtpeer::tls
