#include "engine/tls_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "tls/wire/registry.h"

namespace smtpeer::engine {
namespace {

namespace wire = tls::wire;
using scenario::TlsPolicy;

std::string version_label(std::uint16_t v) {
  return wire::version_name(v);
}

std::string suite_label(std::uint16_t id) {
  const wire::CipherSuite* s = wire::find_suite(id);
  if (s == nullptr) return fmt::format("0x{:04x}", id);
  return fmt::format("{} (0x{:04x})", s->name, id);
}

bool contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// The RFC that forbids a protocol version, for the default judgement (T1).
struct VersionRule {
  std::uint16_t version;
  std::string_view clause;
  std::string_view why;
};
constexpr VersionRule kForbiddenVersions[] = {
    {wire::kSsl2, "RFC 6176 §3", "SSL 2.0 MUST NOT be negotiated"},
    {wire::kSsl3, "RFC 7568 §3", "SSL 3.0 MUST NOT be used"},
    {wire::kTls10, "RFC 8996 §2", "TLS 1.0 MUST NOT be used"},
    {wire::kTls11, "RFC 8996 §3", "TLS 1.1 MUST NOT be used"},
};

// A class of suites a policy may forbid (T3), with the test for it.
struct SuiteClass {
  std::string_view name;
  std::string_view label;  // in a summary: "no export, NULL or RC4 suite accepted"
  bool (*matches)(const wire::CipherSuite&);
  std::string_view what;
  std::string_view clause;    // the RFC that forbids it, when one does
  bool forbidden_by_default;  // an RFC MUST, judged without a [tls] table
};
constexpr SuiteClass kSuiteClasses[] = {
    {"export", "export", [](const wire::CipherSuite& s) { return s.export_grade; },
     "export-grade (40/56-bit, FREAK/Logjam class)", "RFC 4346 §A.5", true},
    {"null", "NULL", [](const wire::CipherSuite& s) { return wire::is_null_cipher(s); },
     "NULL encryption", "RFC 7525 §4.1", true},
    {"rc4", "RC4", [](const wire::CipherSuite& s) { return wire::is_rc4(s); }, "RC4", "RFC 7465 §2",
     true},
    {"anon", "anonymous", [](const wire::CipherSuite& s) { return wire::is_anonymous(s); },
     "anonymous (no server authentication)", "RFC 7525 §4.1", false},
    {"3des", "3DES", [](const wire::CipherSuite& s) { return wire::is_3des(s); },
     "64-bit block cipher (3DES/DES/IDEA, Sweet32)", "RFC 7525 §4.1", false},
    {"des", "DES", [](const wire::CipherSuite& s) { return wire::is_single_des(s); }, "single DES",
     "RFC 5469 §1", false},
    {"rsa-kx", "static-key-exchange",
     [](const wire::CipherSuite& s) { return !wire::forward_secret(s) && !wire::is_tls13(s); },
     "no forward secrecy (static RSA/DH key exchange)", "RFC 7525 §4.2", false},
    {"cbc", "CBC", [](const wire::CipherSuite& s) { return wire::is_cbc(s); }, "CBC mode",
     "RFC 7525 §4.2", false},
};

class Judge {
 public:
  Judge(const ProbeResult& p, const scenario::Profile& profile)
      : p_(p), profile_(profile), t_(profile.tls) {}

  std::vector<Finding> run() {
    protocols();
    suites();
    weak_suites();
    key_exchange();
    certificate();
    client_certificate();
    features();
    sni();
    fallback();
    return std::move(out_);
  }

 private:
  std::string profile_clause() const { return "profile " + profile_.name; }

  Finding& add(std::string check, VerdictKind kind, std::string clause, std::string summary) {
    Finding f;
    f.check = std::move(check);
    f.kind = kind;
    f.clause = std::move(clause);
    f.summary = std::move(summary);
    out_.push_back(std::move(f));
    return out_.back();
  }

  void protocols();
  void suites();
  void weak_suites();
  void key_exchange();
  void certificate();
  void client_certificate();
  void features();
  void fallback();
  void sni();

  const ProbeResult& p_;
  const scenario::Profile& profile_;
  const TlsPolicy& t_;
  std::vector<Finding> out_;
};

void Judge::protocols() {
  std::vector<std::string> evidence;
  std::vector<std::string> accepted;
  for (const ProtocolSeen& v : p_.protocols) {
    evidence.push_back(fmt::format("{}: {} ({})", version_label(v.version),
                                   v.accepted ? "accepted" : "refused", v.answer));
    if (v.accepted) accepted.push_back(version_label(v.version));
  }
  std::vector<std::string> problems;
  std::string clause;
  if (t_.present && !t_.versions.empty()) {
    for (const std::string& v : accepted)
      if (!contains(t_.versions, v)) problems.push_back(v + " accepted");
    clause = profile_clause();
  } else if (!t_.present) {
    for (const VersionRule& rule : kForbiddenVersions) {
      const ProtocolSeen* v = p_.protocol(rule.version);
      if (v && v->accepted) {
        problems.push_back(fmt::format("{} accepted ({})", version_label(rule.version), rule.why));
        if (clause.empty()) clause = std::string(rule.clause);
      }
    }
  }
  for (const std::string& v : t_.required_versions) {
    if (!contains(accepted, v)) {
      problems.push_back(v + " refused but required");
      clause = profile_clause();
    }
  }
  // Hellos answered, yet no handshake completes: STARTTLS is offered but
  // broken. A server that insists on a client certificate is T6's business.
  if (!accepted.empty() && p_.handshake == Tristate::kNo &&
      p_.client_cert_requested != Tristate::kYes) {
    evidence.push_back("full handshake (OpenSSL, every version and suite it has): " +
                       p_.handshake_detail);
    problems.push_back("the server answers hellos, but no TLS handshake completes (" +
                       p_.handshake_detail + ")");
    clause = "RFC 3207 §4";
  }
  std::string list = accepted.empty() ? "none" : fmt::format("{}", fmt::join(accepted, ", "));
  if (accepted.empty()) {
    add("T1", VerdictKind::kFail, "RFC 3207 §4", "no protocol version accepted after STARTTLS")
        .evidence = evidence;
    return;
  }
  if (problems.empty()) {
    add("T1", VerdictKind::kPass, t_.present ? profile_clause() : "RFC 8996 §2",
        "protocols accepted: " + list)
        .evidence = evidence;
  } else {
    add("T1", VerdictKind::kFail, clause, fmt::format("{}", fmt::join(problems, "; "))).evidence =
        evidence;
  }
}

void Judge::suites() {
  // One summary line per kind of problem; the suites behind it go to the evidence.
  std::vector<std::string> evidence, problems;
  std::string clause = profile_clause();
  auto capped = [](const std::vector<std::string>& names) {
    constexpr std::size_t kShown = 8;
    std::string out = fmt::format(
        "{}", fmt::join(names.begin(),
                        names.begin() + static_cast<std::ptrdiff_t>(std::min(names.size(), kShown)),
                        ", "));
    if (names.size() > kShown) out += fmt::format(", and {} more", names.size() - kShown);
    return out;
  };
  std::vector<std::uint16_t> want;
  for (const std::string& n : t_.suites)
    if (const wire::CipherSuite* cs = wire::find_suite(n)) want.push_back(cs->id);
  int unlisted_total = 0, weak_total = 0;
  std::vector<std::string> order_problems;
  for (const ProtocolSeen& v : p_.protocols) {
    if (!v.accepted) continue;
    const std::string ver = version_label(v.version);
    if (v.foreign_suite) {
      problems.push_back(fmt::format("{}: the server chose {}, which was not offered", ver,
                                     suite_label(*v.foreign_suite)));
      clause = "RFC 5246 §7.4.1.3";
    }
    std::vector<std::string> names, unlisted, weak;
    for (const SuiteSeen& s : v.suites) {
      const wire::CipherSuite* cs = wire::find_suite(s.id);
      std::string name = cs ? std::string(cs->name) : suite_label(s.id);
      names.push_back(name);
      if (!t_.present) continue;
      if (!want.empty() && std::find(want.begin(), want.end(), s.id) == want.end())
        unlisted.push_back(name);
      if (t_.min_cipher_bits > 0 && cs && cs->bits < t_.min_cipher_bits)
        weak.push_back(fmt::format("{} ({} bits)", name, cs->bits));
    }
    std::string order = !v.server_order   ? "order not determined"
                        : *v.server_order ? "server order"
                                          : "client order (the server has no preference)";
    // The inventory table lists every suite; the evidence counts them.
    evidence.push_back(
        fmt::format("{}: {} suite{}, {}", ver, names.size(), names.size() == 1 ? "" : "s", order));
    if (!unlisted.empty())
      evidence.push_back(fmt::format("{}: not in the profile's list: {}", ver, capped(unlisted)));
    if (!weak.empty())
      evidence.push_back(
          fmt::format("{}: below {} bits: {}", ver, t_.min_cipher_bits, capped(weak)));
    unlisted_total += static_cast<int>(unlisted.size());
    weak_total += static_cast<int>(weak.size());
    if (t_.present && t_.suite_order && v.version <= wire::kTls12 && v.version >= wire::kTls10) {
      if (v.server_order.has_value() && !*v.server_order)
        order_problems.push_back(ver + ": the server follows the client's order");
      // The listed suites the server accepted must come in the profile's order.
      std::size_t at = 0;
      int out_of_order = 0;
      for (const SuiteSeen& s : v.suites) {
        auto pos = std::find(want.begin(), want.end(), s.id);
        if (pos == want.end()) continue;
        auto here = static_cast<std::size_t>(pos - want.begin());
        if (here < at && ++out_of_order <= 3)
          order_problems.push_back(fmt::format(
              "{}: {} comes after a suite the profile puts below it", ver, suite_label(s.id)));
        at = std::max(at, here);
      }
    }
  }
  if (unlisted_total > 0)
    problems.push_back(fmt::format("{} accepted suite{} outside the profile's list", unlisted_total,
                                   unlisted_total == 1 ? "" : "s"));
  if (weak_total > 0)
    problems.push_back(fmt::format("{} accepted suite{} below {} bits", weak_total,
                                   weak_total == 1 ? "" : "s", t_.min_cipher_bits));
  if (!order_problems.empty()) {
    problems.push_back("the required server order is not held");
    evidence.insert(evidence.end(), order_problems.begin(), order_problems.end());
  }
  if (problems.empty())
    add("T2", VerdictKind::kPass, t_.present ? clause : "RFC 5246 §7.4.1.3",
        "every accepted suite is allowed")
        .evidence = evidence;
  else
    add("T2", VerdictKind::kFail, clause, fmt::format("{}", fmt::join(problems, "; "))).evidence =
        evidence;
}

void Judge::weak_suites() {
  std::vector<std::string> fails, warns, evidence;
  std::string clause;
  for (const SuiteClass& c : kSuiteClasses) {
    bool forbidden = t_.present ? contains(t_.forbid, c.name) : c.forbidden_by_default;
    // Distinct suites of this class, with the versions they were accepted in.
    std::vector<std::string> names, versions;
    auto note = [&](std::string name, std::string version) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      if (std::find(versions.begin(), versions.end(), version) == versions.end())
        versions.push_back(version);
    };
    for (const ProtocolSeen& v : p_.protocols) {
      for (const SuiteSeen& s : v.suites) {
        const wire::CipherSuite* cs = wire::find_suite(s.id);
        if (cs && c.matches(*cs)) note(std::string(cs->name), version_label(v.version));
      }
    }
    const ProtocolSeen* v2 = p_.protocol(wire::kSsl2);
    if (v2 && v2->accepted && (c.name == "export" || c.name == "rc4" || c.name == "3des"))
      for (std::uint32_t k : v2->sslv2_ciphers)
        if (const wire::Sslv2Cipher* c2 = wire::find_sslv2_cipher(k))
          if ((c.name == "export" && c2->export_grade) ||
              (c.name == "rc4" && c2->name.find("RC4") != std::string_view::npos) ||
              (c.name == "3des" && c2->name.find("DES") != std::string_view::npos))
            note(std::string(c2->name), "SSLv2");
    if (names.empty()) continue;
    // Not forbidden here: still worth a warning, except the common classes
    // (CBC, RSA key exchange) a policy must ask about to hear of.
    bool warned = c.name != "cbc" && c.name != "rsa-kx";
    if (!forbidden && !warned) continue;
    constexpr std::size_t kShown = 6;
    std::string shown = fmt::format(
        "{}", fmt::join(names.begin(),
                        names.begin() + static_cast<std::ptrdiff_t>(std::min(names.size(), kShown)),
                        ", "));
    if (names.size() > kShown) shown += fmt::format(", and {} more", names.size() - kShown);
    evidence.push_back(fmt::format("{}: {} suite{} in {}: {}", c.what, names.size(),
                                   names.size() == 1 ? "" : "s", fmt::join(versions, ", "), shown));
    if (forbidden) {
      fails.push_back(fmt::format("{} accepted", c.what));
      if (clause.empty()) clause = t_.present ? profile_clause() : std::string(c.clause);
    } else {
      warns.push_back(fmt::format("{} accepted", c.what));
    }
  }
  if (!fails.empty()) {
    add("T3", VerdictKind::kFail, clause, fmt::format("{}", fmt::join(fails, "; "))).evidence =
        evidence;
  } else {
    std::vector<std::string> checked;
    for (const SuiteClass& c : kSuiteClasses)
      if (t_.present ? contains(t_.forbid, c.name) : c.forbidden_by_default)
        checked.push_back(std::string(c.label));
    std::string none = "no suite class is forbidden here";
    if (!checked.empty()) {
      std::string last = checked.back();
      checked.pop_back();
      none = checked.empty()
                 ? fmt::format("no {} suite accepted", last)
                 : fmt::format("no {} or {} suite accepted", fmt::join(checked, ", "), last);
    }
    Finding& f = add(
        "T3", VerdictKind::kPass, t_.present ? profile_clause() : "RFC 7525 §4.1",
        warns.empty() ? none : fmt::format("{}; {} (allowed here)", none, fmt::join(warns, "; ")));
    f.warning = !warns.empty();
    f.evidence = evidence;
  }
}

void Judge::key_exchange() {
  std::vector<std::string> problems, evidence;
  if (p_.dh_bits_min > 0)
    evidence.push_back(p_.dh_bits_min == p_.dh_bits_max
                           ? fmt::format("DHE prime: {} bits", p_.dh_bits_min)
                           : fmt::format("DHE prime: {}..{} bits", p_.dh_bits_min, p_.dh_bits_max));
  std::vector<std::string> groups;
  int min_group_bits = 0;
  for (std::uint16_t g : p_.groups) {
    const wire::NamedGroup* ng = wire::find_group(g);
    groups.push_back(ng ? std::string(ng->name) : fmt::format("0x{:04x}", g));
    if (ng && !ng->ffdhe) {
      // x25519 and x448 are as strong as the 256- and 448-bit NIST-style
      // curves (RFC 7748 §1), whatever their field size says.
      int bits = g == 29 ? 256 : ng->bits;
      min_group_bits = min_group_bits == 0 ? bits : std::min(min_group_bits, bits);
    }
  }
  if (!groups.empty()) evidence.push_back(fmt::format("groups: {}", fmt::join(groups, ", ")));
  // Without a policy only the RFC's SHOULD applies (RFC 7525 §4.1: 2048 bits): a warning.
  std::vector<std::string> warns;
  if (t_.present && t_.min_dh_bits > 0 && p_.dh_bits_min > 0 && p_.dh_bits_min < t_.min_dh_bits)
    problems.push_back(
        fmt::format("DHE with a {}-bit prime (minimum {})", p_.dh_bits_min, t_.min_dh_bits));
  if (!t_.present && p_.dh_bits_min > 0 && p_.dh_bits_min < 2048)
    warns.push_back(
        fmt::format("DHE with a {}-bit prime (RFC 7525 asks at least 2048)", p_.dh_bits_min));
  if (t_.present && t_.min_ecdh_bits > 0 && min_group_bits > 0 && min_group_bits < t_.min_ecdh_bits)
    problems.push_back(
        fmt::format("an elliptic curve of {} bits (minimum {})", min_group_bits, t_.min_ecdh_bits));
  if (evidence.empty()) evidence.push_back("no ephemeral key exchange seen");
  if (problems.empty()) {
    Finding& f = add("T4", VerdictKind::kPass, t_.present ? profile_clause() : "RFC 7525 §4.1",
                     warns.empty() ? "key exchange sizes are sufficient"
                                   : fmt::format("{} (not required here)", fmt::join(warns, "; ")));
    f.warning = !warns.empty();
    f.evidence = evidence;
  } else
    add("T4", VerdictKind::kFail, t_.present ? profile_clause() : "RFC 7525 §4.1",
        fmt::format("{}", fmt::join(problems, "; ")))
        .evidence = evidence;
}

void Judge::certificate() {
  if (p_.certificates.empty()) {
    add("T5", VerdictKind::kSkip, "RFC 3207 §4.1", "no certificate seen (no handshake completed)");
    return;
  }
  const CertificateSeen& c = p_.certificates.front();
  const scenario::CertificatePolicy& cp = t_.certificate;
  std::vector<std::string> fails, warns, evidence;
  if (c.chain.empty()) {
    add("T5", VerdictKind::kSkip, "RFC 3207 §4.1", "the certificate could not be parsed");
    return;
  }
  const tls::CertFacts& leaf = c.chain.front();
  evidence.push_back(fmt::format("subject {}; issuer {}", leaf.subject, leaf.issuer));
  evidence.push_back(fmt::format(
      "SAN DNS: {}", leaf.dns_names.empty() ? std::string("none")
                                            : fmt::format("{}", fmt::join(leaf.dns_names, ", "))));
  evidence.push_back(fmt::format("valid {} .. {} ({} days left)", leaf.not_before, leaf.not_after,
                                 leaf.days_left));
  evidence.push_back(fmt::format("key {} {} bits{}; signature {}", leaf.key_type, leaf.key_bits,
                                 leaf.curve.empty() ? "" : " " + leaf.curve,
                                 leaf.signature_algorithm));
  evidence.push_back(c.chain_verified
                         ? fmt::format("chain verifies against {}",
                                       c.ca_file.empty() ? "the system store" : c.ca_file)
                         : fmt::format("chain does not verify: {}", c.verify_error));
  evidence.push_back(
      fmt::format("name {}: {}; banner name {}: {}", c.expected_name, to_string(c.matches_expected),
                  c.banner_name.empty() ? "-" : c.banner_name, to_string(c.matches_banner)));
  auto issue = [&](bool required, std::string text) {
    (required ? fails : warns).push_back(std::move(text));
  };
  bool policy = t_.present;
  bool current = policy && (cp.verify || cp.current);
  if (leaf.expired) issue(current, "the certificate has expired");
  if (leaf.not_yet_valid) issue(current, "the certificate is not yet valid");
  if (!c.chain_verified && !leaf.expired && !leaf.not_yet_valid)
    issue(policy && cp.verify, "the chain does not verify: " + c.verify_error);
  if (c.matches_expected == Tristate::kNo)
    issue(policy && cp.match_name, "not valid for " + c.expected_name);
  if (c.matches_banner == Tristate::kNo)
    issue(policy && cp.match_banner, "not valid for the banner name " + c.banner_name);
  if (leaf.self_signed) issue(policy && !cp.self_signed, "self-signed");
  if (leaf.key_type == "RSA" && leaf.key_bits < std::max(policy ? cp.min_rsa_bits : 0, 2048))
    issue(policy && cp.min_rsa_bits > 0 && leaf.key_bits < cp.min_rsa_bits,
          fmt::format("RSA key of {} bits", leaf.key_bits));
  if (leaf.key_type == "EC" && policy && cp.min_ec_bits > 0 && leaf.key_bits < cp.min_ec_bits)
    issue(true, fmt::format("EC key of {} bits", leaf.key_bits));
  std::string sig = leaf.signature_algorithm;
  if (!leaf.self_signed &&
      (sig.find("sha1") != std::string::npos || sig.find("md5") != std::string::npos))
    issue(policy && !cp.sha1, "signed with " + sig);
  if (!leaf.expired && cp.warn_days > 0 && leaf.days_left < cp.warn_days)
    warns.push_back(fmt::format("expires in {} days", leaf.days_left));
  if (!fails.empty()) {
    add("T5", VerdictKind::kFail, profile_clause(), fmt::format("{}", fmt::join(fails, "; ")))
        .evidence = evidence;
    return;
  }
  Finding& f = add("T5", VerdictKind::kPass, policy ? profile_clause() : "RFC 3207 §4.1",
                   warns.empty() ? fmt::format("certificate for {} ({} days left)",
                                               leaf.common_name, leaf.days_left)
                                 : fmt::format("{} (not required here)", fmt::join(warns, "; ")));
  f.warning = !warns.empty();
  f.evidence = evidence;
}

void Judge::client_certificate() {
  if (!t_.present || !t_.client_certificate) return;
  std::vector<std::string> evidence{
      fmt::format("CertificateRequest seen: {}", to_string(p_.client_cert_requested))};
  std::vector<std::string> problems;
  if (p_.client_cert_requested != Tristate::kYes)
    problems.push_back(p_.client_cert_requested == Tristate::kNo
                           ? "the server does not request a client certificate"
                           : "could not tell whether the server requests a client certificate");
  // With --client-pki, only the good certificate may get through.
  for (const ClientCertTry& t : p_.client_cert_tries) {
    evidence.push_back(
        fmt::format("{}: {} ({})", t.name, t.accepted ? "accepted" : "refused", t.detail));
    bool good = t.name == "client-good";
    if (good && !t.accepted) problems.push_back("the good client certificate was refused");
    if (!good && t.accepted)
      problems.push_back(t.name == "none" ? "a client without a certificate got through"
                                          : t.name + " got through");
  }
  if (problems.empty()) {
    add("T6", VerdictKind::kPass, profile_clause(),
        p_.client_cert_tries.empty()
            ? "the server requests a client certificate (pass --client-pki DIR to try bad ones)"
            : "only the good client certificate gets through")
        .evidence = evidence;
  } else {
    add("T6", VerdictKind::kFail, profile_clause(), fmt::format("{}", fmt::join(problems, "; ")))
        .evidence = evidence;
  }
}

void Judge::features() {
  std::vector<std::string> fails, warns;
  std::vector<std::string> evidence{
      fmt::format("compression (DEFLATE) accepted: {}", to_string(p_.compression)),
      fmt::format("secure renegotiation (RFC 5746): {}", to_string(p_.secure_renegotiation)),
      fmt::format("heartbeat extension: {}", to_string(p_.heartbeat))};
  bool want_no_compression = t_.compression ? !*t_.compression : true;
  if (p_.compression == Tristate::kYes)
    (want_no_compression && t_.compression ? fails : warns)
        .push_back("TLS compression accepted (CRIME)");
  bool reneg_required = t_.secure_renegotiation.value_or(false);
  if (p_.secure_renegotiation == Tristate::kNo && p_.best_version() != wire::kTls13)
    (reneg_required ? fails : warns).push_back("no secure renegotiation (RFC 5746)");
  if (p_.heartbeat == Tristate::kYes)
    (t_.heartbeat && !*t_.heartbeat ? fails : warns).push_back("heartbeat extension enabled");
  std::string clause = t_.present ? profile_clause() : "RFC 7525 §3.3";
  if (!fails.empty()) {
    add("T7", VerdictKind::kFail, clause, fmt::format("{}", fmt::join(fails, "; "))).evidence =
        evidence;
    return;
  }
  Finding& f = add("T7", VerdictKind::kPass, clause,
                   warns.empty() ? "no compression; secure renegotiation; no heartbeat"
                                 : fmt::format("{}", fmt::join(warns, "; ")));
  f.warning = !warns.empty();
  f.evidence = evidence;
}

void Judge::fallback() {
  std::vector<std::string> evidence{p_.fallback_detail};
  bool required = t_.fallback_scsv.value_or(true);
  switch (p_.fallback_scsv) {
    case Tristate::kYes:
      add("S21", VerdictKind::kPass, "RFC 7507 §3",
          "a fallback hello is refused with inappropriate_fallback")
          .evidence = evidence;
      return;
    case Tristate::kNo:
      add("S21", required ? VerdictKind::kFail : VerdictKind::kPass, "RFC 7507 §3",
          "a hello below the server's best version with TLS_FALLBACK_SCSV was not refused with "
          "inappropriate_fallback (86)")
          .evidence = evidence;
      out_.back().warning = !required;
      return;
    case Tristate::kUnknown:
      add("S21", VerdictKind::kSkip, "RFC 7507 §3",
          p_.fallback_detail.empty() ? "not tested" : p_.fallback_detail)
          .evidence = evidence;
      return;
  }
}

void Judge::sni() {
  if (p_.sni_tries.empty()) {
    add("S20", VerdictKind::kSkip, "RFC 6066 §3", "no version to send odd server names with");
    return;
  }
  std::vector<std::string> evidence, problems;
  for (const SniTry& t : p_.sni_tries) {
    evidence.push_back(fmt::format("SNI {}: {}", t.name, t.answer));
    if (!t.clean) problems.push_back(fmt::format("SNI {}: {}", t.name, t.answer));
  }
  evidence.push_back(
      fmt::format("a plain hello afterwards answered: {}", to_string(p_.serves_after_sni)));
  if (p_.serves_after_sni == Tristate::kNo)
    problems.push_back("the server stopped answering hellos after the odd server names");
  if (problems.empty())
    add("S20", VerdictKind::kPass, "RFC 6066 §3",
        "odd server names are served or refused cleanly, and the server keeps serving")
        .evidence = evidence;
  else
    add("S20", VerdictKind::kFail, "RFC 6066 §3", fmt::format("{}", fmt::join(problems, "; ")))
        .evidence = evidence;
}

}  // namespace

std::vector<Finding> judge_probe(const ProbeResult& probe, const scenario::Profile& profile) {
  if (!probe.error.empty()) return {};
  std::vector<Finding> findings = Judge(probe, profile).run();
  // A pass on a short list proves nothing: the rows that read the lists are
  // errors when some connections never reached TLS (a failure found stays one).
  if (!probe.incomplete.empty()) {
    for (Finding& f : findings) {
      if (f.kind != VerdictKind::kPass || f.check == "T5" || f.check == "T6") continue;
      f.kind = VerdictKind::kError;
      f.warning = false;
      f.summary = "the inventory is incomplete: " + probe.incomplete.front();
      for (const std::string& why : probe.incomplete) f.evidence.push_back("incomplete: " + why);
    }
  }
  return findings;
}

VerdictKind probe_verdict(const ProbeResult& probe) {
  if (!probe.error.empty()) return VerdictKind::kError;
  bool error = false;
  for (const Finding& f : probe.findings) {
    if (f.kind == VerdictKind::kFail) return VerdictKind::kFail;
    error = error || f.kind == VerdictKind::kError;
  }
  return error ? VerdictKind::kError : VerdictKind::kPass;
}

}  // namespace smtpeer::engine
