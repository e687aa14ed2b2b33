// registry_test: the IANA tables, their lookups and the policy predicates.
#include "tls/wire/registry.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

namespace smtpeer::tls::wire {
namespace {

template <typename Rows>
void expect_strictly_ascending(const Rows& rows, const char* table) {
  SCOPED_TRACE(table);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_LT(rows[i - 1].id, rows[i].id) << "row " << i;
  }
}

TEST(Registry, TablesAreSortedByIdWithoutDuplicates) {
  expect_strictly_ascending(cipher_suites(), "cipher_suites");
  expect_strictly_ascending(sslv2_ciphers(), "sslv2_ciphers");
  expect_strictly_ascending(named_groups(), "named_groups");
  expect_strictly_ascending(signature_schemes(), "signature_schemes");
}

TEST(Registry, CipherSuiteTableCoversTheRegistry) {
  // ~340 IANA rows, the EXPORT1024 block and the GOST 89 block.
  EXPECT_GT(cipher_suites().size(), 340U);
  for (std::uint16_t id :
       {0x0000, 0x0003, 0x002B, 0x0060, 0x0066, 0x0083, 0x00C5, 0x00FF, 0x1301, 0x1305, 0x5600,
        0xC001, 0xC0AF, 0xC0B5, 0xCCA8, 0xCCAE, 0xD001, 0xD005}) {
    EXPECT_NE(find_suite(id), nullptr) << std::hex << id;
  }
  // Reserved or unassigned in the registry, and GREASE (RFC 8701).
  for (std::uint16_t id :
       {0x001C, 0x001D, 0x0047, 0x005F, 0x00C8, 0x0A0A, 0x1300, 0xC000, 0xD004, 0xFAFA, 0xFFFF}) {
    EXPECT_EQ(find_suite(id), nullptr) << std::hex << id;
  }
}

// id → name pairs as `openssl ciphers -V 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'`
// prints them with OpenSSL 3.0 on Debian 12, plus the classic names of suites
// OpenSSL 3 no longer builds (RC4, 3DES, EXPORT), from OpenSSL 1.0.2.
struct OpensslCase {
  std::uint16_t id;
  const char* openssl;
};

class OpensslName : public testing::TestWithParam<OpensslCase> {};

TEST_P(OpensslName, IdMapsToOpensslNameAndBack) {
  const OpensslCase& c = GetParam();
  const CipherSuite* s = find_suite(c.id);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->openssl, c.openssl);
  EXPECT_EQ(find_suite(std::string_view(c.openssl)), s);
}

INSTANTIATE_TEST_SUITE_P(
    Registry, OpensslName,
    testing::Values(
        OpensslCase{0x1301, "TLS_AES_128_GCM_SHA256"},
        OpensslCase{0x1302, "TLS_AES_256_GCM_SHA384"},
        OpensslCase{0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
        OpensslCase{0xC02B, "ECDHE-ECDSA-AES128-GCM-SHA256"},
        OpensslCase{0xC02F, "ECDHE-RSA-AES128-GCM-SHA256"},
        OpensslCase{0xC030, "ECDHE-RSA-AES256-GCM-SHA384"},
        OpensslCase{0xCCA8, "ECDHE-RSA-CHACHA20-POLY1305"},
        OpensslCase{0xCCA9, "ECDHE-ECDSA-CHACHA20-POLY1305"},
        OpensslCase{0x009E, "DHE-RSA-AES128-GCM-SHA256"},
        OpensslCase{0x00A7, "ADH-AES256-GCM-SHA384"},
        OpensslCase{0xC0AF, "ECDHE-ECDSA-AES256-CCM8"}, OpensslCase{0xC0A4, "PSK-AES128-CCM"},
        OpensslCase{0xC061, "ECDHE-ARIA256-GCM-SHA384"},
        OpensslCase{0xC077, "ECDHE-RSA-CAMELLIA256-SHA384"},
        OpensslCase{0x0088, "DHE-RSA-CAMELLIA256-SHA"}, OpensslCase{0xC019, "AECDH-AES256-SHA"},
        OpensslCase{0xC022, "SRP-DSS-AES-256-CBC-SHA"},
        OpensslCase{0x00B7, "RSA-PSK-AES256-CBC-SHA384"},
        OpensslCase{0xC09B, "ECDHE-PSK-CAMELLIA256-SHA384"},
        OpensslCase{0xCCAE, "RSA-PSK-CHACHA20-POLY1305"}, OpensslCase{0x002F, "AES128-SHA"},
        OpensslCase{0x0035, "AES256-SHA"}, OpensslCase{0x003B, "NULL-SHA256"},
        OpensslCase{0xC010, "ECDHE-RSA-NULL-SHA"}, OpensslCase{0x0001, "NULL-MD5"},
        OpensslCase{0x002C, "PSK-NULL-SHA"},
        // Not built by OpenSSL 3 here: the classic names.
        OpensslCase{0x000A, "DES-CBC3-SHA"}, OpensslCase{0x0005, "RC4-SHA"},
        OpensslCase{0x0003, "EXP-RC4-MD5"}, OpensslCase{0x0018, "ADH-RC4-MD5"},
        OpensslCase{0x0096, "SEED-SHA"}, OpensslCase{0x0007, "IDEA-CBC-SHA"},
        OpensslCase{0x0014, "EXP-EDH-RSA-DES-CBC-SHA"}, OpensslCase{0x0064, "EXP1024-RC4-SHA"},
        OpensslCase{0x0028, "EXP-KRB5-RC4-SHA"}),
    [](const testing::TestParamInfo<OpensslCase>& info) {
      std::string name = info.param.openssl;
      for (char& ch : name) {
        if (ch == '-') ch = '_';
      }
      return name;
    });

TEST(Registry, EveryNameFindsItsOwnRow) {
  std::set<std::string_view> iana;
  std::set<std::string_view> openssl;
  for (const CipherSuite& s : cipher_suites()) {
    SCOPED_TRACE(s.name);
    ASSERT_FALSE(s.name.empty());
    EXPECT_TRUE(iana.insert(s.name).second) << "duplicate IANA name";
    EXPECT_EQ(find_suite(s.name), &s);
    if (!s.openssl.empty()) {
      // The TLS 1.3 suites share one spelling between IANA and OpenSSL.
      if (s.openssl != s.name) {
        EXPECT_TRUE(openssl.insert(s.openssl).second) << s.openssl;
      }
      EXPECT_EQ(find_suite(s.openssl), &s);
    }
  }
  EXPECT_EQ(find_suite(std::string_view("")), nullptr);
  EXPECT_EQ(find_suite(std::string_view("NO-SUCH-CIPHER")), nullptr);
  EXPECT_EQ(find_suite(std::string_view("ecdhe-rsa-aes128-gcm-sha256")), nullptr);
}

TEST(Registry, LegacyOpensslSpellingsAreAccepted) {
  ASSERT_NE(find_suite(std::string_view("EDH-RSA-DES-CBC3-SHA")), nullptr);
  EXPECT_EQ(find_suite(std::string_view("EDH-RSA-DES-CBC3-SHA"))->id, 0x0016);
  EXPECT_EQ(find_suite(std::string_view("EDH-DSS-DES-CBC3-SHA"))->id, 0x0013);
}

// Properties a policy relies on, for suites chosen to cover each predicate.
struct PropertyCase {
  const char* label;
  std::uint16_t id;
  const char* cipher;
  int bits;
  bool export_grade;
  std::uint16_t min_version;
  bool fs, null, anon, rc4, des3, single_des, cbc, aead, tls13;
};

class SuiteProperties : public testing::TestWithParam<PropertyCase> {};

TEST_P(SuiteProperties, Match) {
  const PropertyCase& c = GetParam();
  const CipherSuite* s = find_suite(c.id);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->cipher, c.cipher);
  EXPECT_EQ(s->bits, c.bits);
  EXPECT_EQ(s->export_grade, c.export_grade);
  EXPECT_EQ(s->min_version, c.min_version);
  EXPECT_EQ(forward_secret(*s), c.fs);
  EXPECT_EQ(is_null_cipher(*s), c.null);
  EXPECT_EQ(is_anonymous(*s), c.anon);
  EXPECT_EQ(is_rc4(*s), c.rc4);
  EXPECT_EQ(is_3des(*s), c.des3);
  EXPECT_EQ(is_single_des(*s), c.single_des);
  EXPECT_EQ(is_cbc(*s), c.cbc);
  EXPECT_EQ(is_aead(*s), c.aead);
  EXPECT_EQ(is_tls13(*s), c.tls13);
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Registry, SuiteProperties,
    testing::Values(
        //           label                 id      cipher               bits export min_version fs     null   anon   rc4    3des   1des   cbc    aead   tls13
        PropertyCase{"NullWithNullNull",   0x0000, "NULL",              0,   false, kSsl3,  false, true,  true,  false, false, false, false, false, false},
        PropertyCase{"RsaNullMd5",         0x0001, "NULL",              0,   false, kSsl3,  false, true,  false, false, false, false, false, false, false},
        PropertyCase{"ExportRc4",          0x0003, "RC4-40",            40,  true,  kSsl3,  false, false, false, true,  false, false, false, false, false},
        PropertyCase{"ExportRc2",          0x0006, "RC2-CBC-40",        40,  true,  kSsl3,  false, false, false, false, true,  false, true,  false, false},
        PropertyCase{"Idea",               0x0007, "IDEA-CBC",          128, false, kSsl3,  false, false, false, false, true,  false, true,  false, false},
        PropertyCase{"ExportDes40",        0x0008, "DES40-CBC",         40,  true,  kSsl3,  false, false, false, false, true,  true,  true,  false, false},
        PropertyCase{"SingleDes",          0x0009, "DES-CBC",           56,  false, kSsl3,  false, false, false, false, true,  true,  true,  false, false},
        PropertyCase{"RsaTripleDes",       0x000A, "3DES-EDE-CBC",      112, false, kSsl3,  false, false, false, false, true,  false, true,  false, false},
        PropertyCase{"DheRsaTripleDes",    0x0016, "3DES-EDE-CBC",      112, false, kSsl3,  true,  false, false, false, true,  false, true,  false, false},
        PropertyCase{"AnonRc4",            0x0018, "RC4-128",           128, false, kSsl3,  true,  false, true,  true,  false, false, false, false, false},
        PropertyCase{"Krb5ExportRc4",      0x0028, "RC4-40",            40,  true,  kSsl3,  false, false, false, true,  false, false, false, false, false},
        PropertyCase{"RsaAes128Sha",       0x002F, "AES-128-CBC",       128, false, kSsl3,  false, false, false, false, false, false, true,  false, false},
        PropertyCase{"RsaNullSha256",      0x003B, "NULL",              0,   false, kTls12, false, true,  false, false, false, false, false, false, false},
        PropertyCase{"Export1024Rc4",      0x0060, "RC4-56",            56,  true,  kSsl3,  false, false, false, true,  false, false, false, false, false},
        PropertyCase{"Export1024DheDes",   0x0063, "DES-CBC",           56,  true,  kSsl3,  true,  false, false, false, true,  true,  true,  false, false},
        PropertyCase{"DheDssRc4NotExport", 0x0066, "RC4-128",           128, false, kSsl3,  true,  false, false, true,  false, false, false, false, false},
        PropertyCase{"Seed",               0x0096, "SEED-CBC",          128, false, kSsl3,  false, false, false, false, false, false, true,  false, false},
        PropertyCase{"PskAesSha256",       0x00AE, "AES-128-CBC",       128, false, kTls10, false, false, false, false, false, false, true,  false, false},
        PropertyCase{"EcdheRsaAesSha",     0xC013, "AES-128-CBC",       128, false, kTls10, true,  false, false, false, false, false, true,  false, false},
        PropertyCase{"EcdhAnonAes",        0xC018, "AES-128-CBC",       128, false, kTls10, true,  false, true,  false, false, false, true,  false, false},
        PropertyCase{"StaticEcdhGcm",      0xC02D, "AES-128-GCM",       128, false, kTls12, false, false, false, false, false, false, false, true,  false},
        PropertyCase{"EcdheRsaGcm",        0xC02F, "AES-128-GCM",       128, false, kTls12, true,  false, false, false, false, false, false, true,  false},
        PropertyCase{"EcdhePskNullSha",    0xC039, "NULL",              0,   false, kTls10, true,  true,  false, false, false, false, false, false, false},
        PropertyCase{"AriaCbc",            0xC03C, "ARIA-128-CBC",      128, false, kTls12, false, false, false, false, false, false, true,  false, false},
        PropertyCase{"CamelliaGcm",        0xC07C, "CAMELLIA-128-GCM",  128, false, kTls12, true,  false, false, false, false, false, false, true,  false},
        PropertyCase{"EcdsaCcm8",          0xC0AE, "AES-128-CCM-8",     128, false, kTls12, true,  false, false, false, false, false, false, true,  false},
        PropertyCase{"EcdheRsaChacha",     0xCCA8, "CHACHA20-POLY1305", 256, false, kTls12, true,  false, false, false, false, false, false, true,  false},
        PropertyCase{"EcdhePskCcm",        0xD005, "AES-128-CCM",       128, false, kTls12, true,  false, false, false, false, false, false, true,  false},
        PropertyCase{"Tls13AesGcm",        0x1301, "AES-128-GCM",       128, false, kTls13, true,  false, false, false, false, false, false, true,  true},
        PropertyCase{"Tls13Chacha",        0x1303, "CHACHA20-POLY1305", 256, false, kTls13, true,  false, false, false, false, false, false, true,  true},
        PropertyCase{"Tls13IntegrityOnly", 0xC0B4, "NULL",              0,   false, kTls13, true,  true,  false, false, false, false, false, false, true},
        PropertyCase{"RenegotiationScsv",  0x00FF, "NULL",              0,   false, kSsl3,  false, false, false, false, false, false, false, false, false},
        PropertyCase{"FallbackScsv",       0x5600, "NULL",              0,   false, kSsl3,  false, false, false, false, false, false, false, false, false}),
    [](const testing::TestParamInfo<PropertyCase>& info) { return std::string(info.param.label); });
// clang-format on

TEST(Registry, KeyExchangeAndAuthOfKnownSuites) {
  EXPECT_EQ(find_suite(0x0003)->kx, Kx::kRsaExport);
  EXPECT_EQ(find_suite(0x000B)->kx, Kx::kDh);
  EXPECT_EQ(find_suite(0x0018)->auth, Auth::kAnon);
  EXPECT_EQ(find_suite(0x1301)->kx, Kx::kAny);
  EXPECT_EQ(find_suite(0x1301)->auth, Auth::kAny);
  EXPECT_EQ(find_suite(0xC02B)->auth, Auth::kEcdsa);
  EXPECT_EQ(find_suite(0xC0AA)->kx, Kx::kDhePsk);  // IANA spells it TLS_PSK_DHE_WITH_…
  EXPECT_EQ(find_suite(0x00FF)->kx, Kx::kScsv);
  EXPECT_EQ(find_suite(0x00FF)->auth, Auth::kNull);
  EXPECT_EQ(find_suite(0x5600)->name, "TLS_FALLBACK_SCSV");
}

TEST(Registry, ExportSuitesAreWeakAndOnlyThey) {
  for (const CipherSuite& s : cipher_suites()) {
    SCOPED_TRACE(s.name);
    EXPECT_EQ(s.export_grade, s.name.find("EXPORT") != std::string_view::npos);
    if (s.export_grade) {
      EXPECT_LE(s.bits, 56);
      EXPECT_GT(s.bits, 0);
    }
  }
}

TEST(Registry, Tls13SuitesFixNeitherKeyExchangeNorAuth) {
  for (const CipherSuite& s : cipher_suites()) {
    SCOPED_TRACE(s.name);
    EXPECT_EQ(is_tls13(s), s.kx == Kx::kAny);
    EXPECT_EQ(is_tls13(s), s.auth == Auth::kAny);
    // AEAD and SHA-2 suites need TLS 1.2's PRF or later.
    if (is_aead(s)) {
      EXPECT_GE(s.min_version, kTls12);
    }
  }
}

TEST(Registry, Sslv2CipherKinds) {
  ASSERT_EQ(sslv2_ciphers().size(), 7U);
  const Sslv2Cipher* exp = find_sslv2_cipher(0x020080);
  ASSERT_NE(exp, nullptr);
  EXPECT_EQ(exp->name, "SSL_CK_RC4_128_EXPORT40_WITH_MD5");
  EXPECT_TRUE(exp->export_grade);
  EXPECT_EQ(exp->bits, 40);
  ASSERT_NE(find_sslv2_cipher(0x0700C0), nullptr);
  EXPECT_EQ(find_sslv2_cipher(0x0700C0)->name, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5");
  EXPECT_FALSE(find_sslv2_cipher(0x0700C0)->export_grade);
  EXPECT_EQ(find_sslv2_cipher(0x00002F), nullptr);
}

struct GroupCase {
  std::uint16_t id;
  const char* name;
  int bits;
  bool ffdhe;
};

class Group : public testing::TestWithParam<GroupCase> {};

TEST_P(Group, LooksUpByIdAndName) {
  const GroupCase& c = GetParam();
  const NamedGroup* g = find_group(c.id);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->name, c.name);
  EXPECT_EQ(g->bits, c.bits);
  EXPECT_EQ(g->ffdhe, c.ffdhe);
  EXPECT_EQ(find_group(std::string_view(c.name)), g);
}

INSTANTIATE_TEST_SUITE_P(
    Registry, Group,
    testing::Values(GroupCase{1, "sect163k1", 163, false}, GroupCase{23, "secp256r1", 256, false},
                    GroupCase{25, "secp521r1", 521, false},
                    GroupCase{28, "brainpoolP512r1", 512, false},
                    GroupCase{29, "x25519", 255, false}, GroupCase{30, "x448", 448, false},
                    GroupCase{256, "ffdhe2048", 2048, true},
                    GroupCase{260, "ffdhe8192", 8192, true},
                    GroupCase{0xFF01, "arbitrary_explicit_prime_curves", 0, false}),
    [](const testing::TestParamInfo<GroupCase>& info) { return std::string(info.param.name); });

TEST(Registry, UnknownGroups) {
  EXPECT_EQ(find_group(std::uint16_t{0}), nullptr);
  EXPECT_EQ(find_group(std::uint16_t{0x0A0A}), nullptr);           // GREASE
  EXPECT_EQ(find_group(std::string_view("prime256v1")), nullptr);  // OpenSSL's, not IANA's
}

TEST(Registry, SignatureSchemes) {
  const std::pair<std::uint16_t, std::string_view> cases[] = {
      {0x0101, "rsa_md5"},
      {0x0201, "rsa_pkcs1_sha1"},
      {0x0202, "dsa_sha1"},
      {0x0203, "ecdsa_sha1"},
      {0x0303, "ecdsa_sha224"},
      {0x0401, "rsa_pkcs1_sha256"},
      {0x0402, "dsa_sha256"},
      {0x0403, "ecdsa_secp256r1_sha256"},
      {0x0804, "rsa_pss_rsae_sha256"},
      {0x0807, "ed25519"},
      {0x0808, "ed448"},
      {0x080B, "rsa_pss_pss_sha512"},
  };
  for (const auto& [id, name] : cases) {
    const SignatureScheme* s = find_signature_scheme(id);
    ASSERT_NE(s, nullptr) << std::hex << id;
    EXPECT_EQ(s->name, name);
  }
  EXPECT_EQ(find_signature_scheme(0x0000), nullptr);
  EXPECT_EQ(find_signature_scheme(0x0A0A), nullptr);
}

TEST(Registry, AlertNames) {
  EXPECT_EQ(alert_name(kAlertInappropriateFallback), "inappropriate_fallback");
  EXPECT_EQ(alert_name(0), "close_notify");
  EXPECT_EQ(alert_name(kAlertHandshakeFailure), "handshake_failure");
  EXPECT_EQ(alert_name(kAlertProtocolVersion), "protocol_version");
  EXPECT_EQ(alert_name(kAlertInsufficientSecurity), "insufficient_security");
  EXPECT_EQ(alert_name(kAlertUnrecognizedName), "unrecognized_name");
  EXPECT_EQ(alert_name(115), "unknown_psk_identity");
  EXPECT_EQ(alert_name(116), "certificate_required");
  EXPECT_EQ(alert_name(120), "no_application_protocol");
  EXPECT_EQ(alert_name(1), "");
  EXPECT_EQ(alert_name(255), "");
}

TEST(Registry, ExtensionNames) {
  EXPECT_EQ(extension_name(kExtServerName), "server_name");
  EXPECT_EQ(extension_name(kExtStatusRequest), "status_request");
  EXPECT_EQ(extension_name(kExtSupportedGroups), "supported_groups");
  EXPECT_EQ(extension_name(kExtEcPointFormats), "ec_point_formats");
  EXPECT_EQ(extension_name(kExtSignatureAlgorithms), "signature_algorithms");
  EXPECT_EQ(extension_name(kExtHeartbeat), "heartbeat");
  EXPECT_EQ(extension_name(kExtAlpn), "application_layer_protocol_negotiation");
  EXPECT_EQ(extension_name(kExtEncryptThenMac), "encrypt_then_mac");
  EXPECT_EQ(extension_name(kExtExtendedMasterSecret), "extended_master_secret");
  EXPECT_EQ(extension_name(kExtSessionTicket), "session_ticket");
  EXPECT_EQ(extension_name(kExtSupportedVersions), "supported_versions");
  EXPECT_EQ(extension_name(kExtPskKeyExchangeModes), "psk_key_exchange_modes");
  EXPECT_EQ(extension_name(kExtKeyShare), "key_share");
  EXPECT_EQ(extension_name(kExtRenegotiationInfo), "renegotiation_info");
  EXPECT_EQ(extension_name(40), "");  // reserved
  EXPECT_EQ(extension_name(0x0A0A), "");
}

TEST(Registry, VersionNames) {
  EXPECT_EQ(version_name(kSsl2), "SSLv2");
  EXPECT_EQ(version_name(kSsl3), "SSLv3");
  EXPECT_EQ(version_name(kTls10), "TLSv1.0");
  EXPECT_EQ(version_name(kTls11), "TLSv1.1");
  EXPECT_EQ(version_name(kTls12), "TLSv1.2");
  EXPECT_EQ(version_name(kTls13), "TLSv1.3");
  EXPECT_EQ(version_name(0x7f1c), "0x7f1c");
  EXPECT_EQ(version_name(0x0000), "0x0000");
  EXPECT_EQ(version_name(0xFEFD), "0xfefd");
}

TEST(Registry, KxAndAuthNames) {
  EXPECT_EQ(to_string(Kx::kNull), "NULL");
  EXPECT_EQ(to_string(Kx::kRsaExport), "RSA_EXPORT");
  EXPECT_EQ(to_string(Kx::kEcdhe), "ECDHE");
  EXPECT_EQ(to_string(Kx::kAny), "any");
  EXPECT_EQ(to_string(Kx::kScsv), "SCSV");
  EXPECT_EQ(to_string(Auth::kAnon), "anon");
  EXPECT_EQ(to_string(Auth::kEcdsa), "ECDSA");
  EXPECT_EQ(to_string(Auth::kAny), "any");
}

}  // namespace
}  // namespace smtpeer::tls::wire
