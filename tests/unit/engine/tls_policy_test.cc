// judge_probe is pure: a ProbeResult built in code, judged under a profile
// built in code (one policy knob at a time) or loaded from
// scenarios/profiles, so a profile edit that starts failing a conformant
// server, or stops failing a broken one, shows up here.
#include "engine/tls_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/loader.h"
#include "tls/wire/registry.h"

namespace smtpeer::engine {
namespace {

namespace wire = tls::wire;
using scenario::Profile;
using scenario::TlsPolicy;

const std::string kProfileDir = SMTPEER_SOURCE_DIR "/scenarios/profiles";

constexpr std::uint16_t kX25519 = 29;
constexpr std::uint16_t kSecp224r1 = 21;
constexpr std::uint16_t kSecp256r1 = 23;
constexpr std::uint16_t kSecp384r1 = 24;
constexpr std::uint16_t kFfdhe2048 = 256;

// ---- Fixtures ----------------------------------------------------------------

std::uint16_t id_of(std::string_view name) {
  const wire::CipherSuite* cs = wire::find_suite(name);
  if (cs == nullptr) {
    ADD_FAILURE() << "the fixture names an unknown suite " << name;
    return 0;
  }
  return cs->id;
}

// seen: an accepted suite with the key exchange a typical server shows: a
// 2048-bit DHE prime, x25519 for ECDHE and TLS 1.3.
SuiteSeen seen(std::string_view name, int dh_bits = 2048) {
  SuiteSeen s;
  s.id = id_of(name);
  const wire::CipherSuite* cs = wire::find_suite(s.id);
  if (cs != nullptr && cs->kx == wire::Kx::kDhe) s.dh_bits = dh_bits;
  if (cs != nullptr && (cs->kx == wire::Kx::kEcdhe || cs->kx == wire::Kx::kAny)) s.group = kX25519;
  return s;
}

ProtocolSeen refused(std::uint16_t version, std::string answer) {
  ProtocolSeen p;
  p.version = version;
  p.answer = std::move(answer);
  return p;
}

ProtocolSeen accepted(std::uint16_t version, std::initializer_list<std::string_view> suites,
                      std::optional<bool> server_order = true) {
  ProtocolSeen p;
  p.version = version;
  p.accepted = true;
  p.answer = "ServerHello " + wire::version_name(version);
  for (std::string_view s : suites) p.suites.push_back(seen(s));
  p.server_order = suites.size() < 2 ? std::nullopt : server_order;
  return p;
}

ProtocolSeen& proto(ProbeResult& r, std::uint16_t version) {
  for (ProtocolSeen& p : r.protocols)
    if (p.version == version) return p;
  ADD_FAILURE() << "no protocol " << version << " in the fixture";
  r.protocols.push_back(refused(version, "closed"));
  return r.protocols.back();
}

// keep_only: the listed versions stay accepted; every other one is refused.
void keep_only(ProbeResult& r, std::initializer_list<std::uint16_t> versions) {
  for (ProtocolSeen& p : r.protocols) {
    if (std::find(versions.begin(), versions.end(), p.version) != versions.end()) continue;
    p = refused(p.version, "alert protocol_version");
  }
}

// remove_suite: the suite is no longer accepted in any version.
void remove_suite(ProbeResult& r, std::string_view name) {
  const std::uint16_t id = id_of(name);
  for (ProtocolSeen& p : r.protocols)
    std::erase_if(p.suites, [&](const SuiteSeen& s) { return s.id == id; });
}

tls::CertFacts good_leaf() {
  tls::CertFacts f;
  f.subject = "CN=mx.example.test,O=Example";
  f.issuer = "CN=Example Test CA,O=Example";
  f.common_name = "mx.example.test";
  f.dns_names = {"mx.example.test", "mail.example.test"};
  f.serial = "1a2b3c";
  f.not_before = "2024-01-01T00:00:00Z";
  f.not_after = "2025-01-01T00:00:00Z";
  f.days_left = 200;
  f.key_type = "RSA";
  f.key_bits = 2048;
  f.signature_algorithm = "sha256WithRSAEncryption";
  f.sha256 = std::string(64, 'a');
  return f;
}

tls::CertFacts ca_cert() {
  tls::CertFacts f;
  f.subject = "CN=Example Test CA,O=Example";
  f.issuer = f.subject;
  f.common_name = "Example Test CA";
  f.days_left = 3000;
  f.key_type = "RSA";
  f.key_bits = 4096;
  f.signature_algorithm = "sha256WithRSAEncryption";
  f.self_signed = true;
  f.is_ca = true;
  return f;
}

CertificateSeen good_certificate() {
  CertificateSeen c;
  c.source = "TLSv1.3 handshake (OpenSSL)";
  c.chain = {good_leaf(), ca_cert()};
  c.chain_verified = true;
  c.ca_file = "pki/ca.pem";
  c.expected_name = "mx.example.test";
  c.matches_expected = Tristate::kYes;
  c.banner_name = "mx.example.test";
  c.matches_banner = Tristate::kYes;
  return c;
}

// postfix_like: a Debian Postfix with its defaults on port 25: TLS 1.0 to
// 1.3, the "medium" suite list with anonymous suites (smtpd_tls_ciphers =
// medium allows aNULL for opportunistic TLS), server order, 2048-bit DHE,
// a current certificate for the MX name, no client certificate request.
ProbeResult postfix_like() {
  ProbeResult r;
  r.target = "127.0.0.1:25";
  r.profile = "test";
  r.started_at = "2024-05-01T12:00:00Z";
  r.duration_ms = 4200;
  r.connections = 42;
  r.greeting = "mx.example.test ESMTP Postfix (Debian/GNU)";
  r.banner_name = "mx.example.test";
  r.starttls_offered = true;
  const std::initializer_list<std::string_view> cbc = {
      "ECDHE-RSA-AES256-SHA", "DHE-RSA-AES256-SHA", "AECDH-AES256-SHA", "ADH-AES256-SHA",
      "ECDHE-RSA-AES128-SHA", "DHE-RSA-AES128-SHA", "AES256-SHA",       "AES128-SHA"};
  r.protocols = {
      refused(wire::kSsl2, "closed"),
      refused(wire::kSsl3, "alert handshake_failure"),
      accepted(wire::kTls10, cbc),
      accepted(wire::kTls11, cbc),
      accepted(
          wire::kTls12,
          {"ECDHE-RSA-AES256-GCM-SHA384", "DHE-RSA-AES256-GCM-SHA384",
           "ECDHE-RSA-CHACHA20-POLY1305", "ADH-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256",
           "DHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-SHA384", "ECDHE-RSA-AES128-SHA256",
           "ECDHE-RSA-AES256-SHA", "DHE-RSA-AES256-SHA", "AECDH-AES256-SHA", "ADH-AES256-SHA",
           "AES256-GCM-SHA384", "AES128-GCM-SHA256", "AES256-SHA", "AES128-SHA"}),
      accepted(wire::kTls13, {"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
                              "TLS_AES_128_GCM_SHA256"}),
  };
  r.groups = {kX25519, kSecp256r1, kSecp384r1};
  r.dh_bits_min = 2048;
  r.dh_bits_max = 2048;
  r.compression = Tristate::kNo;
  r.secure_renegotiation = Tristate::kYes;
  r.heartbeat = Tristate::kNo;
  r.fallback_scsv = Tristate::kYes;
  r.fallback_detail = "TLSv1.2 hello with TLS_FALLBACK_SCSV: alert inappropriate_fallback (86)";
  r.client_cert_requested = Tristate::kNo;
  r.certificates = {good_certificate()};
  r.handshake = Tristate::kYes;
  r.handshake_detail = "TLS handshake ok: TLSv1.3 TLS_AES_256_GCM_SHA384";
  // S20: Postfix refuses malformed names with unrecognized_name and keeps serving.
  r.sni_tries = {{"backslash-nul", true, "alert unrecognized_name"},
                 {"oversized", true, "alert unrecognized_name"},
                 {"empty", true, "ServerHello TLSv1.3 TLS_AES_128_GCM_SHA256"}};
  r.serves_after_sni = Tristate::kYes;
  return r;
}

// postfix_modern: postfix_like with TLS 1.2 and 1.3 only, so that a case
// about suites is not also a case about protocol versions.
ProbeResult postfix_modern() {
  ProbeResult r = postfix_like();
  keep_only(r, {wire::kTls12, wire::kTls13});
  return r;
}

// clean_modern: postfix_modern without anonymous suites (nothing to warn about).
ProbeResult clean_modern() {
  ProbeResult r = postfix_modern();
  remove_suite(r, "ADH-AES256-GCM-SHA384");
  remove_suite(r, "ADH-AES256-SHA");
  remove_suite(r, "AECDH-AES256-SHA");
  return r;
}

// The suite list of scenarios/profiles/tls12-strict.toml, in its order.
const std::initializer_list<std::string_view> kStrictSuites = {
    "DHE-RSA-AES256-GCM-SHA384", "DHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-SHA384",
    "ECDHE-RSA-AES128-SHA256",   "ECDHE-RSA-AES256-SHA",      "ECDHE-RSA-AES128-SHA",
    "DHE-RSA-AES256-SHA",        "DHE-RSA-AES128-SHA"};

// strict_result: a server configured exactly as tls12-strict asks: TLS 1.2
// only, the listed suites and no others, in that order, chosen by the server.
ProbeResult strict_result() {
  ProbeResult r = postfix_like();
  r.protocols = {
      refused(wire::kSsl2, "closed"),
      refused(wire::kSsl3, "alert handshake_failure"),
      refused(wire::kTls10, "alert protocol_version"),
      refused(wire::kTls11, "alert protocol_version"),
      accepted(wire::kTls12, kStrictSuites),
      refused(wire::kTls13, "ServerHello TLSv1.2 (lower)"),
  };
  r.groups = {kX25519, kSecp256r1};
  r.fallback_detail = "TLSv1.1 hello with TLS_FALLBACK_SCSV: alert inappropriate_fallback (86)";
  return r;
}

Profile default_profile() {
  Profile p;
  p.name = "rfc3207";
  return p;
}

Profile policy(void (*edit)(TlsPolicy&)) {
  Profile p;
  p.name = "test-policy";
  p.tls.present = true;
  edit(p.tls);
  return p;
}

// strict_policy: tls12-strict written out in code.
Profile strict_policy() {
  return policy([](TlsPolicy& t) {
    t.versions = {"TLSv1.2"};
    t.required_versions = {"TLSv1.2"};
    for (std::string_view s : kStrictSuites) t.suites.emplace_back(s);
    t.suite_order = true;
    t.min_dh_bits = 2048;
  });
}

Profile client_cert_policy() {
  return policy([](TlsPolicy& t) { t.client_certificate = true; });
}

ClientCertTry attempt(std::string name, bool ok) {
  return {std::move(name), ok, ok ? "EHLO 250, MAIL 250, RCPT 250" : "refused in the handshake"};
}

std::vector<ClientCertTry> tries(bool none, bool good, bool wrong_cn, bool expired,
                                 bool untrusted) {
  return {attempt("none", none), attempt("client-good", good), attempt("client-wrong-cn", wrong_cn),
          attempt("client-expired", expired), attempt("client-untrusted", untrusted)};
}

const Finding* finding(const std::vector<Finding>& all, std::string_view check) {
  const Finding* found = nullptr;
  for (const Finding& f : all) {
    if (f.check != check) continue;
    EXPECT_EQ(found, nullptr) << "two findings for " << check;
    found = &f;
  }
  return found;
}

std::string describe(const std::vector<Finding>& all) {
  std::string out;
  for (const Finding& f : all) {
    out += "  " + f.check + " " + std::string(to_string(f.kind)) + (f.warning ? " (warning)" : "") +
           " [" + f.clause + "] " + f.summary + "\n";
    for (const std::string& e : f.evidence) out += "      " + e + "\n";
  }
  return out;
}

// ---- One finding per case ------------------------------------------------------

struct PolicyCase {
  std::string name;
  ProbeResult (*probe)();
  Profile (*profile)();
  std::string check;
  VerdictKind kind;
  bool warning;
  std::string clause;   // exact; "" = not checked
  std::string summary;  // a substring of the summary; "" = not checked
};

void PrintTo(const PolicyCase& c, std::ostream* os) {
  *os << c.name;
}

class PolicyTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(PolicyTest, Finding) {
  const PolicyCase& c = GetParam();
  const std::vector<Finding> all = judge_probe(c.probe(), c.profile());
  SCOPED_TRACE("findings:\n" + describe(all));
  const Finding* f = finding(all, c.check);
  ASSERT_NE(f, nullptr) << "no " << c.check << " finding";
  EXPECT_EQ(f->kind, c.kind) << f->summary;
  EXPECT_EQ(f->warning, c.warning) << f->summary;
  if (!c.clause.empty()) {
    EXPECT_EQ(f->clause, c.clause);
  }
  if (!c.summary.empty()) {
    EXPECT_NE(f->summary.find(c.summary), std::string::npos) << f->summary;
  }
  EXPECT_FALSE(f->summary.empty());
  if (f->kind == VerdictKind::kFail) {
    EXPECT_FALSE(f->evidence.empty()) << "a failure shows facts";
  }
}

constexpr VerdictKind kPass = VerdictKind::kPass;
constexpr VerdictKind kFail = VerdictKind::kFail;
constexpr VerdictKind kSkip = VerdictKind::kSkip;

// Probe edits are lambdas without captures, one per case, so every case
// reads as "this server, this profile, this finding".
const PolicyCase kCases[] = {
    // T1 without a [tls] table: every obsolete version fails, citing its RFC.
    {"Default_Tls10Fails",
     [] {
       auto r = postfix_like();
       keep_only(r, {wire::kTls10, wire::kTls12, wire::kTls13});
       return r;
     },
     default_profile, "T1", kFail, false, "RFC 8996 §2", "TLSv1.0 accepted"},
    {"Default_Tls11Fails",
     [] {
       auto r = postfix_like();
       keep_only(r, {wire::kTls11, wire::kTls12});
       return r;
     },
     default_profile, "T1", kFail, false, "RFC 8996 §3", "TLSv1.1 accepted"},
    {"Default_Sslv3Fails",
     [] {
       auto r = postfix_modern();
       proto(r, wire::kSsl3) = accepted(wire::kSsl3, {"AES128-SHA"});
       return r;
     },
     default_profile, "T1", kFail, false, "RFC 7568 §3", "SSLv3 accepted"},
    {"Default_Sslv2Fails",
     [] {
       auto r = postfix_modern();
       ProtocolSeen& v2 = proto(r, wire::kSsl2);
       v2.accepted = true;
       v2.answer = "SERVER-HELLO";
       v2.sslv2_ciphers = {0x0700C0};
       return r;
     },
     default_profile, "T1", kFail, false, "RFC 6176 §3", "SSLv2 accepted"},
    {"Default_Tls12And13Pass", postfix_modern, default_profile, "T1", kPass, false, "RFC 8996 §2",
     "TLSv1.2, TLSv1.3"},
    {"Default_NothingAcceptedFails",
     [] {
       auto r = postfix_like();
       keep_only(r, {});
       return r;
     },
     default_profile, "T1", kFail, false, "RFC 3207 §4", "no protocol version"},

    // T1 with a [tls] table: the profile's list decides.
    {"Strict_Tls13Fails",
     [] {
       auto r = strict_result();
       proto(r, wire::kTls13) = accepted(wire::kTls13, {"TLS_AES_128_GCM_SHA256"});
       return r;
     },
     strict_policy, "T1", kFail, false, "profile test-policy", "TLSv1.3 accepted"},
    {"Strict_RequiredVersionRefusedFails",
     [] {
       auto r = strict_result();
       proto(r, wire::kTls12) = refused(wire::kTls12, "alert handshake_failure");
       proto(r, wire::kTls13) = accepted(wire::kTls13, {"TLS_AES_128_GCM_SHA256"});
       return r;
     },
     strict_policy, "T1", kFail, false, "profile test-policy", "TLSv1.2 refused but required"},
    {"Strict_Tls12OnlyPasses", strict_result, strict_policy, "T1", kPass, false,
     "profile test-policy", "TLSv1.2"},
    {"PolicyWithoutVersions_Tls10Passes", postfix_like,
     [] { return policy([](TlsPolicy& t) { t.forbid = {"rc4"}; }); }, "T1", kPass, false,
     "profile test-policy", "TLSv1.0"},

    // T2: a suite the client did not offer is a protocol violation under any profile.
    {"Default_ForeignSuiteFails",
     [] {
       auto r = postfix_modern();
       proto(r, wire::kTls12).foreign_suite = 0xC030;
       return r;
     },
     default_profile, "T2", kFail, false, "RFC 5246 §7.4.1.3", "not offered"},
    {"Strict_ForeignSuiteCitesTheRfc",
     [] {
       auto r = strict_result();
       proto(r, wire::kTls12).foreign_suite = 0x1301;
       return r;
     },
     strict_policy, "T2", kFail, false, "RFC 5246 §7.4.1.3", "not offered"},
    {"Default_AnySuiteListPasses", postfix_like, default_profile, "T2", kPass, false,
     "RFC 5246 §7.4.1.3", ""},

    // T2 under a suite list with a required server order.
    {"Strict_AllInOrderPasses", strict_result, strict_policy, "T2", kPass, false,
     "profile test-policy", "every accepted suite is allowed"},
    {"Strict_SubsetInOrderPasses",
     [] {
       auto r = strict_result();
       remove_suite(r, "ECDHE-RSA-AES256-SHA384");
       remove_suite(r, "DHE-RSA-AES256-SHA");
       return r;
     },
     strict_policy, "T2", kPass, false, "profile test-policy", ""},
    {"Strict_SingleSuiteOrderUnknownPasses",
     [] {
       auto r = strict_result();
       proto(r, wire::kTls12) = accepted(wire::kTls12, {"DHE-RSA-AES128-GCM-SHA256"});
       return r;
     },
     strict_policy, "T2", kPass, false, "profile test-policy", ""},
    {"Strict_ClientOrderFails",
     [] {
       auto r = strict_result();
       proto(r, wire::kTls12).server_order = false;
       return r;
     },
     strict_policy, "T2", kFail, false, "profile test-policy",
     "the required server order is not held"},
    {"Strict_OutOfOrderFails",
     [] {
       auto r = strict_result();
       auto& s = proto(r, wire::kTls12).suites;
       std::swap(s[0], s[1]);
       return r;
     },
     strict_policy, "T2", kFail, false, "profile test-policy",
     "the required server order is not held"},
    {"Strict_LastBeforeFirstFails",
     [] {
       auto r = strict_result();
       auto& s = proto(r, wire::kTls12).suites;
       std::rotate(s.begin(), s.end() - 1, s.end());
       return r;
     },
     strict_policy, "T2", kFail, false, "profile test-policy",
     "the required server order is not held"},
    {"Strict_UnlistedSuiteFails",
     [] {
       auto r = strict_result();
       proto(r, wire::kTls12).suites.push_back(seen("AES128-GCM-SHA256"));
       return r;
     },
     strict_policy, "T2", kFail, false, "profile test-policy",
     "1 accepted suite outside the profile's list"},
    {"Strict_ClientOrderNotJudgedWithoutSuiteOrder",
     [] {
       auto r = strict_result();
       proto(r, wire::kTls12).server_order = false;
       return r;
     },
     [] {
       return policy([](TlsPolicy& t) {
         for (std::string_view s : kStrictSuites) t.suites.emplace_back(s);
       });
     },
     "T2", kPass, false, "profile test-policy", ""},
    {"MinCipherBits_3desFails",
     [] {
       auto r = clean_modern();
       proto(r, wire::kTls12).suites.push_back(seen("DES-CBC3-SHA"));
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.min_cipher_bits = 128; }); }, "T2", kFail, false,
     "profile test-policy", "1 accepted suite below 128 bits"},

    // T3 without a [tls] table: RC4, export and NULL fail; anon and 3DES warn.
    {"Default_Rc4Fails",
     [] {
       auto r = clean_modern();
       proto(r, wire::kTls12).suites.push_back(seen("RC4-SHA"));
       return r;
     },
     default_profile, "T3", kFail, false, "RFC 7465 §2", "RC4 accepted"},
    {"Default_ExportFails",
     [] {
       auto r = clean_modern();
       proto(r, wire::kTls12).suites.push_back(seen("EXP-DES-CBC-SHA"));
       return r;
     },
     default_profile, "T3", kFail, false, "RFC 4346 §A.5", "export-grade"},
    {"Default_NullFails",
     [] {
       auto r = clean_modern();
       proto(r, wire::kTls12).suites.push_back(seen("NULL-SHA"));
       return r;
     },
     default_profile, "T3", kFail, false, "RFC 7525 §4.1", "NULL encryption accepted"},
    {"Default_Sslv2ExportFails",
     [] {
       auto r = clean_modern();
       ProtocolSeen& v2 = proto(r, wire::kSsl2);
       v2.accepted = true;
       v2.sslv2_ciphers = {0x020080};
       return r;
     },
     default_profile, "T3", kFail, false, "RFC 4346 §A.5", "export-grade"},
    {"Default_AnonWarns", postfix_modern, default_profile, "T3", kPass, true, "RFC 7525 §4.1",
     "anonymous"},
    {"Default_3desWarns",
     [] {
       auto r = clean_modern();
       proto(r, wire::kTls12).suites.push_back(seen("DES-CBC3-SHA"));
       return r;
     },
     default_profile, "T3", kPass, true, "RFC 7525 §4.1", "64-bit block"},
    {"Default_CleanHasNoWarning", clean_modern, default_profile, "T3", kPass, false,
     "RFC 7525 §4.1", "no export, NULL or RC4"},
    {"Forbid_AnonFails", postfix_modern,
     [] { return policy([](TlsPolicy& t) { t.forbid = {"anon"}; }); }, "T3", kFail, false,
     "profile test-policy", "anonymous"},
    {"Forbid_Rc4NotListedMeansAllowed",
     [] {
       auto r = clean_modern();
       proto(r, wire::kTls12).suites.push_back(seen("RC4-SHA"));
       return r;
     },
     // Not forbidden, so not a failure; still worth a warning.
     [] { return policy([](TlsPolicy& t) { t.forbid = {"export"}; }); }, "T3", kPass, true,
     "profile test-policy", ""},
    {"Forbid_CbcFails", clean_modern,
     [] { return policy([](TlsPolicy& t) { t.forbid = {"cbc"}; }); }, "T3", kFail, false,
     "profile test-policy", "CBC mode accepted"},

    // T4: DH prime and curve sizes.
    {"Strict_Dh2048Passes", strict_result, strict_policy, "T4", kPass, false, "profile test-policy",
     ""},
    {"Strict_Dh1024Fails",
     [] {
       auto r = strict_result();
       r.dh_bits_min = 1024;
       return r;
     },
     strict_policy, "T4", kFail, false, "profile test-policy",
     "DHE with a 1024-bit prime (minimum 2048)"},
    // Without a policy a small prime is a SHOULD (RFC 7525 §4.1): a warning.
    {"Default_Dh1024Warns",
     [] {
       auto r = postfix_modern();
       r.dh_bits_min = r.dh_bits_max = 1024;
       return r;
     },
     default_profile, "T4", kPass, true, "RFC 7525 §4.1", "1024-bit prime"},
    {"Default_SmallestPrimeIsNamed",
     [] {
       auto r = postfix_modern();
       r.dh_bits_min = 512;
       return r;
     },
     default_profile, "T4", kPass, true, "RFC 7525 §4.1", "512-bit prime"},
    {"Default_Dh2048HasNoWarning", postfix_modern, default_profile, "T4", kPass, false,
     "RFC 7525 §4.1", "key exchange sizes are sufficient"},
    {"PolicyWithoutMinDh_Dh1024NotJudged",
     [] {
       auto r = postfix_modern();
       r.dh_bits_min = r.dh_bits_max = 1024;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.min_ecdh_bits = 256; }); }, "T4", kPass, false,
     "profile test-policy", ""},
    {"MinEcdh_X25519CountsAs256",
     [] {
       auto r = clean_modern();
       r.groups = {kX25519};
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.min_ecdh_bits = 256; }); }, "T4", kPass, false,
     "profile test-policy", ""},
    {"MinEcdh_Secp224Fails",
     [] {
       auto r = clean_modern();
       r.groups = {kX25519, kSecp224r1};
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.min_ecdh_bits = 256; }); }, "T4", kFail, false,
     "profile test-policy", "224 bits (minimum 256)"},
    {"MinEcdh_X25519BelowA384Minimum",
     [] {
       auto r = clean_modern();
       r.groups = {kX25519, kSecp384r1};
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.min_ecdh_bits = 384; }); }, "T4", kFail, false,
     "profile test-policy", "256 bits (minimum 384)"},
    {"MinEcdh_FfdheIsNotACurve",
     [] {
       auto r = clean_modern();
       r.groups = {kSecp256r1, kFfdhe2048};
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.min_ecdh_bits = 256; }); }, "T4", kPass, false,
     "profile test-policy", ""},

    // T5: every certificate problem fails only when the profile asks for it.
    {"Cert_GoodPasses", postfix_like, default_profile, "T5", kPass, false, "RFC 3207 §4.1",
     "certificate for mx.example.test (200 days left)"},
    {"Cert_ExpiredWarnsByDefault",
     [] {
       auto r = postfix_like();
       auto& leaf = r.certificates[0].chain[0];
       leaf.expired = true;
       leaf.days_left = -3;
       r.certificates[0].chain_verified = false;
       r.certificates[0].verify_error = "certificate has expired";
       return r;
     },
     default_profile, "T5", kPass, true, "RFC 3207 §4.1", "expired"},
    {"Cert_ExpiredWarnsWhenOnlyNamesMatter",
     [] {
       auto r = postfix_like();
       r.certificates[0].chain[0].expired = true;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.match_name = true; }); }, "T5", kPass,
     true, "profile test-policy", "expired"},
    {"Cert_ExpiredFailsWithCurrent",
     [] {
       auto r = postfix_like();
       r.certificates[0].chain[0].expired = true;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.current = true; }); }, "T5", kFail, false,
     "profile test-policy", "the certificate has expired"},
    {"Cert_ExpiredFailsWithVerify",
     [] {
       auto r = postfix_like();
       r.certificates[0].chain[0].expired = true;
       r.certificates[0].chain_verified = false;
       r.certificates[0].verify_error = "certificate has expired";
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.verify = true; }); }, "T5", kFail, false,
     "profile test-policy", "the certificate has expired"},
    {"Cert_NotYetValidFailsWithCurrent",
     [] {
       auto r = postfix_like();
       r.certificates[0].chain[0].not_yet_valid = true;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.current = true; }); }, "T5", kFail, false,
     "profile test-policy", "not yet valid"},
    {"Cert_UnverifiedWarnsWithoutVerify",
     [] {
       auto r = postfix_like();
       r.certificates[0].chain_verified = false;
       r.certificates[0].verify_error = "unable to get local issuer certificate";
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.current = true; }); }, "T5", kPass, true,
     "profile test-policy", "unable to get local issuer certificate"},
    {"Cert_UnverifiedFailsWithVerify",
     [] {
       auto r = postfix_like();
       r.certificates[0].chain_verified = false;
       r.certificates[0].verify_error = "unable to get local issuer certificate";
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.verify = true; }); }, "T5", kFail, false,
     "profile test-policy", "the chain does not verify: unable to get local issuer certificate"},
    {"Cert_NameMismatchWarnsWithoutMatchName",
     [] {
       auto r = postfix_like();
       r.certificates[0].expected_name = "other.example.test";
       r.certificates[0].matches_expected = Tristate::kNo;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.current = true; }); }, "T5", kPass, true,
     "profile test-policy", "not valid for other.example.test"},
    {"Cert_NameMismatchFailsWithMatchName",
     [] {
       auto r = postfix_like();
       r.certificates[0].expected_name = "other.example.test";
       r.certificates[0].matches_expected = Tristate::kNo;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.match_name = true; }); }, "T5", kFail,
     false, "profile test-policy", "not valid for other.example.test"},
    {"Cert_NameUnknownIsNotAMismatch",
     [] {
       auto r = postfix_like();
       r.certificates[0].matches_expected = Tristate::kUnknown;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.match_name = true; }); }, "T5", kPass,
     false, "profile test-policy", ""},
    {"Cert_BannerMismatchWarnsWithMatchNameOnly",
     [] {
       auto r = postfix_like();
       r.certificates[0].banner_name = "localhost";
       r.certificates[0].matches_banner = Tristate::kNo;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.match_name = true; }); }, "T5", kPass,
     true, "profile test-policy", "not valid for the banner name localhost"},
    {"Cert_BannerMismatchFailsWithMatchBanner",
     [] {
       auto r = postfix_like();
       r.certificates[0].banner_name = "localhost";
       r.certificates[0].matches_banner = Tristate::kNo;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.match_banner = true; }); }, "T5", kFail,
     false, "profile test-policy", "not valid for the banner name localhost"},
    {"Cert_SelfSignedWarnsByDefault",
     [] {
       auto r = postfix_like();
       auto& leaf = r.certificates[0].chain[0];
       leaf.self_signed = true;
       leaf.issuer = leaf.subject;
       r.certificates[0].chain.resize(1);
       return r;
     },
     default_profile, "T5", kPass, true, "RFC 3207 §4.1", "self-signed"},
    {"Cert_SelfSignedFailsWhenRefused",
     [] {
       auto r = postfix_like();
       r.certificates[0].chain[0].self_signed = true;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.self_signed = false; }); }, "T5", kFail,
     false, "profile test-policy", "self-signed"},
    {"Cert_Rsa1024FailsBelowMinimum",
     [] {
       auto r = postfix_like();
       r.certificates[0].chain[0].key_bits = 1024;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.min_rsa_bits = 2048; }); }, "T5", kFail,
     false, "profile test-policy", "RSA key of 1024 bits"},
    {"Cert_Rsa1024WarnsWithoutMinimum",
     [] {
       auto r = postfix_like();
       r.certificates[0].chain[0].key_bits = 1024;
       return r;
     },
     default_profile, "T5", kPass, true, "RFC 3207 §4.1", "RSA key of 1024 bits"},
    {"Cert_Rsa2048PassesAt2048", postfix_like,
     [] { return policy([](TlsPolicy& t) { t.certificate.min_rsa_bits = 2048; }); }, "T5", kPass,
     false, "profile test-policy", ""},
    {"Cert_Rsa3072FailsAt4096",
     [] {
       auto r = postfix_like();
       r.certificates[0].chain[0].key_bits = 3072;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.min_rsa_bits = 4096; }); }, "T5", kFail,
     false, "profile test-policy", "RSA key of 3072 bits"},
    {"Cert_Ec224FailsBelowMinimum",
     [] {
       auto r = postfix_like();
       auto& leaf = r.certificates[0].chain[0];
       leaf.key_type = "EC";
       leaf.key_bits = 224;
       leaf.curve = "secp224r1";
       leaf.signature_algorithm = "ecdsa-with-SHA256";
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.min_ec_bits = 256; }); }, "T5", kFail,
     false, "profile test-policy", "EC key of 224 bits"},
    {"Cert_Sha1FailsWhenRefused",
     [] {
       auto r = postfix_like();
       r.certificates[0].chain[0].signature_algorithm = "sha1WithRSAEncryption";
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.sha1 = false; }); }, "T5", kFail, false,
     "profile test-policy", "signed with sha1WithRSAEncryption"},
    {"Cert_Sha1WarnsByDefault",
     [] {
       auto r = postfix_like();
       r.certificates[0].chain[0].signature_algorithm = "sha1WithRSAEncryption";
       return r;
     },
     default_profile, "T5", kPass, true, "RFC 3207 §4.1", "signed with sha1WithRSAEncryption"},
    {"Cert_WarnDaysWarnsAndPasses",
     [] {
       auto r = postfix_like();
       r.certificates[0].chain[0].days_left = 10;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.certificate.warn_days = 30; }); }, "T5", kPass, true,
     "profile test-policy", "expires in 10 days"},
    {"Cert_WarnDaysNotYet", postfix_like,
     [] { return policy([](TlsPolicy& t) { t.certificate.warn_days = 30; }); }, "T5", kPass, false,
     "profile test-policy", "200 days left"},
    {"Cert_NoneSeenSkips",
     [] {
       auto r = postfix_like();
       r.certificates.clear();
       return r;
     },
     default_profile, "T5", kSkip, false, "", "no certificate seen"},

    // T6: client certificates, when the profile requires them.
    {"Client_NotRequestedFails", postfix_like, client_cert_policy, "T6", kFail, false,
     "profile test-policy", "does not request a client certificate"},
    {"Client_UnknownFails",
     [] {
       auto r = postfix_like();
       r.client_cert_requested = Tristate::kUnknown;
       return r;
     },
     client_cert_policy, "T6", kFail, false, "profile test-policy", "could not tell"},
    {"Client_RequestedPasses",
     [] {
       auto r = postfix_like();
       r.client_cert_requested = Tristate::kYes;
       return r;
     },
     client_cert_policy, "T6", kPass, false, "profile test-policy",
     "requests a client certificate"},
    {"Client_GoodRefusedFails",
     [] {
       auto r = postfix_like();
       r.client_cert_requested = Tristate::kYes;
       r.client_cert_tries = tries(false, false, false, false, false);
       return r;
     },
     client_cert_policy, "T6", kFail, false, "profile test-policy",
     "the good client certificate was refused"},
    {"Client_WrongCnAcceptedFails",
     [] {
       auto r = postfix_like();
       r.client_cert_requested = Tristate::kYes;
       r.client_cert_tries = tries(false, true, true, false, false);
       return r;
     },
     client_cert_policy, "T6", kFail, false, "profile test-policy", "client-wrong-cn got through"},
    {"Client_NoCertificateAcceptedFails",
     [] {
       auto r = postfix_like();
       r.client_cert_requested = Tristate::kYes;
       r.client_cert_tries = tries(true, true, false, false, false);
       return r;
     },
     client_cert_policy, "T6", kFail, false, "profile test-policy",
     "a client without a certificate got through"},
    {"Client_OnlyGoodAcceptedPasses",
     [] {
       auto r = postfix_like();
       r.client_cert_requested = Tristate::kYes;
       r.client_cert_tries = tries(false, true, false, false, false);
       return r;
     },
     client_cert_policy, "T6", kPass, false, "profile test-policy",
     "only the good client certificate gets through"},

    // T7: compression fails only where the profile forbids it.
    {"Compression_FailsWhenForbidden",
     [] {
       auto r = postfix_like();
       r.compression = Tristate::kYes;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.compression = false; }); }, "T7", kFail, false,
     "profile test-policy", "TLS compression accepted"},
    {"Compression_WarnsWhenProfileIsSilent",
     [] {
       auto r = postfix_like();
       r.compression = Tristate::kYes;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.min_dh_bits = 2048; }); }, "T7", kPass, true,
     "profile test-policy", "TLS compression accepted"},
    {"Compression_WarnsWhenAllowed",
     [] {
       auto r = postfix_like();
       r.compression = Tristate::kYes;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.compression = true; }); }, "T7", kPass, true,
     "profile test-policy", "TLS compression accepted"},
    {"Compression_WarnsByDefault",
     [] {
       auto r = postfix_like();
       r.compression = Tristate::kYes;
       return r;
     },
     default_profile, "T7", kPass, true, "RFC 7525 §3.3", "TLS compression accepted"},
    {"Compression_RefusedPasses", postfix_like,
     [] { return policy([](TlsPolicy& t) { t.compression = false; }); }, "T7", kPass, false,
     "profile test-policy", ""},
    {"Renegotiation_FailsWhenRequired",
     [] {
       auto r = strict_result();
       r.secure_renegotiation = Tristate::kNo;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.secure_renegotiation = true; }); }, "T7", kFail, false,
     "profile test-policy", "no secure renegotiation"},
    {"Renegotiation_NotJudgedWhenTls13IsBest",
     [] {
       auto r = postfix_like();
       r.secure_renegotiation = Tristate::kNo;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.secure_renegotiation = true; }); }, "T7", kPass, false,
     "profile test-policy", ""},
    {"Heartbeat_FailsWhenForbidden",
     [] {
       auto r = postfix_like();
       r.heartbeat = Tristate::kYes;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.heartbeat = false; }); }, "T7", kFail, false,
     "profile test-policy", "heartbeat"},

    // S21: TLS_FALLBACK_SCSV.
    {"Fallback_IgnoredFailsByDefault",
     [] {
       auto r = postfix_like();
       r.fallback_scsv = Tristate::kNo;
       return r;
     },
     default_profile, "S21", kFail, false, "RFC 7507 §3", "not refused"},
    {"Fallback_IgnoredWarnsWhenNotRequired",
     [] {
       auto r = postfix_like();
       r.fallback_scsv = Tristate::kNo;
       return r;
     },
     [] { return policy([](TlsPolicy& t) { t.fallback_scsv = false; }); }, "S21", kPass, true,
     "RFC 7507 §3", ""},
    {"Fallback_UnknownSkips",
     [] {
       auto r = postfix_like();
       r.fallback_scsv = Tristate::kUnknown;
       r.fallback_detail = "only one protocol version accepted: nothing to fall back to";
       return r;
     },
     default_profile, "S21", kSkip, false, "RFC 7507 §3", "nothing to fall back to"},
    {"Fallback_RefusedPasses", postfix_like, default_profile, "S21", kPass, false, "RFC 7507 §3",
     "inappropriate_fallback"},
};

INSTANTIATE_TEST_SUITE_P(Cases, PolicyTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<PolicyCase>& info) {
                           return info.param.name;
                         });

// ---- The whole judgement ---------------------------------------------------------

std::vector<std::string> checks_of(const std::vector<Finding>& all) {
  std::vector<std::string> out;
  for (const Finding& f : all) out.push_back(f.check);
  return out;
}

TEST(JudgeProbe, OneFindingPerCheckInCatalogueOrder) {
  const auto all = judge_probe(postfix_like(), default_profile());
  EXPECT_EQ(checks_of(all),
            (std::vector<std::string>{"T1", "T2", "T3", "T4", "T5", "T7", "S20", "S21"}));
  const auto with_t6 = judge_probe(postfix_like(), client_cert_policy());
  EXPECT_EQ(checks_of(with_t6),
            (std::vector<std::string>{"T1", "T2", "T3", "T4", "T5", "T6", "T7", "S20", "S21"}));
}

TEST(JudgeProbe, SeveralObsoleteVersionsAreAllNamed) {
  auto r = postfix_like();
  proto(r, wire::kSsl3) = accepted(wire::kSsl3, {"AES128-SHA"});
  const auto all = judge_probe(r, default_profile());
  const Finding* t1 = finding(all, "T1");
  ASSERT_NE(t1, nullptr);
  EXPECT_EQ(t1->kind, VerdictKind::kFail);
  for (const char* v : {"SSLv3 accepted", "TLSv1.0 accepted", "TLSv1.1 accepted"})
    EXPECT_NE(t1->summary.find(v), std::string::npos) << t1->summary;
  EXPECT_EQ(t1->summary.find("TLSv1.2"), std::string::npos) << t1->summary;
  // One evidence line per version probed, accepted or not.
  EXPECT_EQ(t1->evidence.size(), r.protocols.size());
}

TEST(JudgeProbe, SuiteOrderEvidenceNamesTheSuiteOutOfPlace) {
  auto r = strict_result();
  auto& s = proto(r, wire::kTls12).suites;
  std::swap(s[0], s[1]);  // DHE-RSA-AES128-GCM before DHE-RSA-AES256-GCM
  const auto all = judge_probe(r, strict_policy());
  const Finding* t2 = finding(all, "T2");
  ASSERT_NE(t2, nullptr);
  ASSERT_EQ(t2->kind, VerdictKind::kFail);
  const bool named = std::any_of(t2->evidence.begin(), t2->evidence.end(), [](const auto& e) {
    return e.find("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384") != std::string::npos &&
           e.find("comes after") != std::string::npos;
  });
  EXPECT_TRUE(named) << describe(all);
}

TEST(JudgeProbe, CertificateProblemsAreAllListed) {
  auto r = postfix_like();
  auto& c = r.certificates[0];
  c.chain[0].expired = true;
  c.chain[0].self_signed = true;
  c.matches_expected = Tristate::kNo;
  const auto all = judge_probe(r, policy([](TlsPolicy& t) {
                                 t.certificate.current = true;
                                 t.certificate.match_name = true;
                                 t.certificate.self_signed = false;
                               }));
  const Finding* t5 = finding(all, "T5");
  ASSERT_NE(t5, nullptr);
  EXPECT_EQ(t5->kind, VerdictKind::kFail);
  for (const char* what : {"expired", "not valid for mx.example.test", "self-signed"})
    EXPECT_NE(t5->summary.find(what), std::string::npos) << t5->summary;
}

TEST(JudgeProbe, AllowedRc4IsNotReportedAsAbsent) {
  // RC4 outside the profile's `forbid` list is allowed, but the operator must
  // not read that no RC4 suite was accepted.
  auto r = clean_modern();
  proto(r, wire::kTls12).suites.push_back(seen("RC4-SHA"));
  const auto all = judge_probe(r, policy([](TlsPolicy& t) { t.forbid = {"export"}; }));
  const Finding* t3 = finding(all, "T3");
  ASSERT_NE(t3, nullptr);
  EXPECT_EQ(t3->kind, VerdictKind::kPass);
  EXPECT_EQ(t3->summary.find("no export, NULL or RC4"), std::string::npos) << t3->summary;
}

TEST(JudgeProbe, ProbeErrorHasNoFindingsAndIsAnError) {
  ProbeResult r = postfix_like();
  r.error = "127.0.0.1:25: connection refused";
  EXPECT_TRUE(judge_probe(r, default_profile()).empty());
  EXPECT_TRUE(judge_probe(r, strict_policy()).empty());
  EXPECT_EQ(probe_verdict(r), VerdictKind::kError);
  // An error wins over findings left from an earlier judgement.
  r.findings = judge_probe(postfix_like(), default_profile());
  EXPECT_EQ(probe_verdict(r), VerdictKind::kError);
}

TEST(JudgeProbe, ProbeVerdictIsFailOnlyWithAFailingFinding) {
  ProbeResult r = clean_modern();
  r.findings = judge_probe(r, default_profile());
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(probe_verdict(r), VerdictKind::kPass) << describe(r.findings);

  ProbeResult warned = postfix_modern();  // anonymous suites: a warning, not a failure
  warned.findings = judge_probe(warned, default_profile());
  EXPECT_EQ(probe_verdict(warned), VerdictKind::kPass) << describe(warned.findings);

  ProbeResult old = postfix_like();  // TLS 1.0 and 1.1
  old.findings = judge_probe(old, default_profile());
  EXPECT_EQ(probe_verdict(old), VerdictKind::kFail) << describe(old.findings);

  ProbeResult skipped = clean_modern();
  skipped.fallback_scsv = Tristate::kUnknown;
  skipped.certificates.clear();
  skipped.findings = judge_probe(skipped, default_profile());
  EXPECT_EQ(probe_verdict(skipped), VerdictKind::kPass) << describe(skipped.findings);
}

TEST(JudgeProbe, SavedInventoryCanBeJudgedAgain) {
  // Pure: the same inventory judged twice gives the same findings, and the
  // profile alone changes them.
  const ProbeResult r = postfix_like();
  const auto a = judge_probe(r, default_profile());
  const auto b = judge_probe(r, default_profile());
  EXPECT_EQ(describe(a), describe(b));
  EXPECT_NE(describe(a), describe(judge_probe(r, strict_policy())));
}

// ---- The shipped profiles ----------------------------------------------------------

Profile shipped(const std::string& name) {
  auto p = scenario::load_profile(kProfileDir, name);
  if (!p.ok()) {
    ADD_FAILURE() << name << ": " << p.error().message;
    return default_profile();
  }
  return *p;
}

void expect_kinds(const std::vector<Finding>& all,
                  std::initializer_list<std::pair<const char*, VerdictKind>> want) {
  for (const auto& [check, kind] : want) {
    const Finding* f = finding(all, check);
    ASSERT_NE(f, nullptr) << check;
    EXPECT_EQ(f->kind, kind) << check << ": " << f->summary;
  }
}

TEST(ShippedProfiles, Tls12StrictPassesTheServerItDescribes) {
  const Profile p = shipped("tls12-strict");
  ASSERT_TRUE(p.tls.present);
  const auto all = judge_probe(strict_result(), p);
  SCOPED_TRACE(describe(all));
  EXPECT_EQ(checks_of(all),
            (std::vector<std::string>{"T1", "T2", "T3", "T4", "T5", "T7", "S20", "S21"}));
  for (const Finding& f : all) {
    EXPECT_EQ(f.kind, VerdictKind::kPass) << f.check << ": " << f.summary;
    EXPECT_FALSE(f.warning) << f.check << ": " << f.summary;
  }
}

TEST(ShippedProfiles, Tls12StrictFailsAServerWithoutItsOrder) {
  const Profile p = shipped("tls12-strict");
  auto r = strict_result();
  proto(r, wire::kTls12).server_order = false;
  const auto all = judge_probe(r, p);
  SCOPED_TRACE(describe(all));
  expect_kinds(all, {{"T1", kPass}, {"T2", kFail}, {"T3", kPass}, {"T4", kPass}});
}

TEST(ShippedProfiles, Tls12StrictFailsPostfixDefaults) {
  const auto all = judge_probe(postfix_like(), shipped("tls12-strict"));
  SCOPED_TRACE(describe(all));
  // TLS 1.0, 1.1, 1.3 accepted; suites outside the list; anonymous suites.
  expect_kinds(all, {{"T1", kFail}, {"T2", kFail}, {"T3", kFail}, {"T4", kPass}, {"T5", kPass}});
}

TEST(ShippedProfiles, OpportunisticMxPassesPostfixDefaults) {
  const Profile p = shipped("opportunistic-mx");
  ASSERT_TRUE(p.tls.present);
  const auto all = judge_probe(postfix_like(), p);
  SCOPED_TRACE(describe(all));
  for (const Finding& f : all)
    EXPECT_EQ(f.kind, VerdictKind::kPass) << f.check << ": " << f.summary;
  // Anonymous suites are tolerated for opportunistic TLS, with a warning.
  const Finding* t3 = finding(all, "T3");
  ASSERT_NE(t3, nullptr);
  EXPECT_TRUE(t3->warning);
  ProbeResult r = postfix_like();
  r.findings = all;
  EXPECT_EQ(probe_verdict(r), VerdictKind::kPass);
}

TEST(ShippedProfiles, OpportunisticMxFailsABannerMismatchAndRc4) {
  auto r = postfix_like();
  r.certificates[0].banner_name = "localhost";
  r.certificates[0].matches_banner = Tristate::kNo;
  proto(r, wire::kTls10).suites.push_back(seen("RC4-SHA"));
  const auto all = judge_probe(r, shipped("opportunistic-mx"));
  SCOPED_TRACE(describe(all));
  expect_kinds(all, {{"T1", kPass}, {"T3", kFail}, {"T5", kFail}});
}

TEST(ShippedProfiles, MandatoryTlsFailsPostfixDefaults) {
  const auto all = judge_probe(postfix_like(), shipped("mandatory-tls"));
  SCOPED_TRACE(describe(all));
  // TLS 1.0/1.1; anonymous suites; no client certificate requested.
  expect_kinds(all, {{"T1", kFail}, {"T3", kFail}, {"T6", kFail}, {"T7", kPass}, {"S21", kPass}});
}

TEST(ShippedProfiles, MandatoryTlsPassesAHardenedServer) {
  auto r = clean_modern();
  r.client_cert_requested = Tristate::kYes;
  r.client_cert_tries = tries(false, true, false, false, false);
  const auto all = judge_probe(r, shipped("mandatory-tls"));
  SCOPED_TRACE(describe(all));
  for (const Finding& f : all)
    EXPECT_EQ(f.kind, VerdictKind::kPass) << f.check << ": " << f.summary;
}

TEST(ShippedProfiles, MozillaIntermediatePassesItsOwnSuites) {
  auto r = strict_result();
  proto(r, wire::kTls12) = accepted(wire::kTls12,
                                    {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                                     "ECDHE-RSA-CHACHA20-POLY1305", "DHE-RSA-AES128-GCM-SHA256"},
                                    false);
  proto(r, wire::kTls13) = accepted(
      wire::kTls13,
      {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"});
  const auto all = judge_probe(r, shipped("mozilla-intermediate"));
  SCOPED_TRACE(describe(all));
  for (const Finding& f : all)
    EXPECT_EQ(f.kind, VerdictKind::kPass) << f.check << ": " << f.summary;

  // The same server with a CBC suite breaks the profile (T2 list and T3 class).
  proto(r, wire::kTls12).suites.push_back(seen("ECDHE-RSA-AES128-SHA"));
  const auto cbc = judge_probe(r, shipped("mozilla-intermediate"));
  expect_kinds(cbc, {{"T2", kFail}, {"T3", kFail}});
}

TEST(ShippedProfiles, Rfc3207HasNoTlsTableAndJudgesLikeTheDefault) {
  const Profile p = shipped("rfc3207");
  EXPECT_FALSE(p.tls.present);
  const auto all = judge_probe(postfix_like(), p);
  SCOPED_TRACE(describe(all));
  const Finding* t1 = finding(all, "T1");
  ASSERT_NE(t1, nullptr);
  EXPECT_EQ(t1->kind, VerdictKind::kFail);
  EXPECT_EQ(t1->clause, "RFC 8996 §2");
}

}  // namespace
}  // namespace smtpeer::engine
