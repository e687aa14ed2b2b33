#include "report/probe_report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "report/display_text.h"
#include "tls/wire/registry.h"

namespace smtpeer::report {
namespace {

namespace wire = tls::wire;
using engine::CertificateSeen;
using engine::Finding;
using engine::ProbeResult;
using engine::ProtocolSeen;
using engine::SuiteSeen;
using engine::Tristate;
using engine::VerdictKind;
using Json = nlohmann::ordered_json;

std::string hex16(std::uint16_t id) {
  return fmt::format("0x{:04X}", id);
}

std::string group_name(std::uint16_t g) {
  if (const wire::NamedGroup* ng = wire::find_group(g)) return std::string(ng->name);
  return hex16(g);
}

Json suite_json(const SuiteSeen& s) {
  Json j;
  j["id"] = hex16(s.id);
  j["code"] = s.id;
  const wire::CipherSuite* cs = wire::find_suite(s.id);
  j["name"] = cs ? std::string(cs->name) : "";
  j["openssl"] = cs ? std::string(cs->openssl) : "";
  j["kx"] = cs ? std::string(wire::to_string(cs->kx)) : "";
  j["auth"] = cs ? std::string(wire::to_string(cs->auth)) : "";
  j["cipher"] = cs ? std::string(cs->cipher) : "";
  j["bits"] = cs ? cs->bits : 0;
  j["export"] = cs ? cs->export_grade : false;
  j["forward_secret"] = cs ? wire::forward_secret(*cs) : false;
  j["dh_bits"] = s.dh_bits;
  j["group"] = s.group ? Json(group_name(*s.group)) : Json(nullptr);
  return j;
}

Json cert_json(const CertificateSeen& c) {
  Json j;
  j["source"] = c.source;
  j["verified"] = c.chain_verified;
  j["verify_error"] = c.verify_error;
  j["ca_file"] = c.ca_file;
  j["expected_name"] = c.expected_name;
  j["matches_expected"] = std::string(engine::to_string(c.matches_expected));
  j["banner_name"] = c.banner_name;
  j["matches_banner"] = std::string(engine::to_string(c.matches_banner));
  Json chain = Json::array();
  for (const tls::CertFacts& f : c.chain) {
    Json x;
    x["subject"] = f.subject;
    x["issuer"] = f.issuer;
    x["common_name"] = f.common_name;
    Json dns = Json::array();
    for (const std::string& d : f.dns_names) dns.push_back(d);
    x["dns_names"] = dns;
    x["ip_addresses"] = f.ip_addresses;
    x["serial"] = f.serial;
    x["not_before"] = f.not_before;
    x["not_after"] = f.not_after;
    x["days_left"] = f.days_left;
    x["expired"] = f.expired;
    x["not_yet_valid"] = f.not_yet_valid;
    x["key_type"] = f.key_type;
    x["key_bits"] = f.key_bits;
    x["curve"] = f.curve;
    x["signature_algorithm"] = f.signature_algorithm;
    x["self_signed"] = f.self_signed;
    x["is_ca"] = f.is_ca;
    x["sha256"] = f.sha256;
    chain.push_back(std::move(x));
  }
  j["chain"] = std::move(chain);
  return j;
}

struct Totals {
  int pass = 0, fail = 0, skip = 0, error = 0, warning = 0;
};
Totals totals(const ProbeResult& r) {
  Totals t;
  for (const Finding& f : r.findings) {
    if (f.kind == VerdictKind::kPass) ++t.pass;
    if (f.kind == VerdictKind::kFail) ++t.fail;
    if (f.kind == VerdictKind::kSkip) ++t.skip;
    if (f.kind == VerdictKind::kError) ++t.error;
    if (f.warning) ++t.warning;
  }
  return t;
}

}  // namespace

std::string probe_to_json(const ProbeResult& r) {
  Json j;
  j["tool"] = "smtpeer";
  j["version"] = SMTPEER_VERSION;
  j["target"] = r.target;
  j["profile"] = r.profile;
  j["started_at"] = r.started_at;
  j["duration_ms"] = r.duration_ms;
  j["connections"] = r.connections;
  j["rate_limited"] = r.rate_limited;
  j["interrupted"] = r.interrupted;
  j["error"] = r.error.empty() ? Json(nullptr) : Json(r.error);
  j["greeting"] = r.greeting;
  j["banner_name"] = r.banner_name;
  j["starttls_offered"] = r.starttls_offered;
  j["handshake"] = {{"completed", std::string(engine::to_string(r.handshake))},
                    {"detail", r.handshake_detail}};
  j["incomplete"] = r.incomplete;
  Json protocols = Json::object(), suites = Json::object(), order = Json::object(),
       foreign = Json::object();
  for (const ProtocolSeen& p : r.protocols) {
    std::string v = wire::version_name(p.version);
    protocols[v] = {{"accepted", p.accepted}, {"answer", p.answer}};
    Json list = Json::array();
    if (p.version == wire::kSsl2) {
      for (std::uint32_t k : p.sslv2_ciphers) {
        const wire::Sslv2Cipher* c = wire::find_sslv2_cipher(k);
        list.push_back({{"id", fmt::format("0x{:06X}", k)},
                        {"name", c ? std::string(c->name) : ""},
                        {"bits", c ? c->bits : 0},
                        {"export", c ? c->export_grade : false}});
      }
    } else {
      for (const SuiteSeen& s : p.suites) list.push_back(suite_json(s));
    }
    suites[v] = std::move(list);
    order[v] = p.server_order ? Json(*p.server_order) : Json(nullptr);
    if (p.foreign_suite) foreign[v] = hex16(*p.foreign_suite);
  }
  j["protocols"] = std::move(protocols);
  j["suites"] = std::move(suites);
  j["server_order"] = std::move(order);
  j["foreign_suites"] = std::move(foreign);
  Json groups = Json::array();
  for (std::uint16_t g : r.groups) groups.push_back(group_name(g));
  j["key_exchange"] = {
      {"groups", groups}, {"dh_bits_min", r.dh_bits_min}, {"dh_bits_max", r.dh_bits_max}};
  j["features"] = {{"compression", std::string(engine::to_string(r.compression))},
                   {"secure_renegotiation", std::string(engine::to_string(r.secure_renegotiation))},
                   {"heartbeat", std::string(engine::to_string(r.heartbeat))},
                   {"fallback_scsv", std::string(engine::to_string(r.fallback_scsv))},
                   {"fallback_detail", r.fallback_detail}};
  j["client_certificate_requested"] = std::string(engine::to_string(r.client_cert_requested));
  Json tries = Json::array();
  for (const engine::ClientCertTry& t : r.client_cert_tries)
    tries.push_back({{"certificate", t.name}, {"accepted", t.accepted}, {"detail", t.detail}});
  j["client_certificates"] = std::move(tries);
  Json snis = Json::array();
  for (const engine::SniTry& t : r.sni_tries)
    snis.push_back({{"sni", t.name}, {"clean", t.clean}, {"answer", t.answer}});
  j["sni"] = {{"tries", std::move(snis)},
              {"serves_after", std::string(engine::to_string(r.serves_after_sni))}};
  j["certificate"] = r.certificates.empty() ? Json(nullptr) : cert_json(r.certificates.front());
  Json others = Json::array();
  for (std::size_t i = 1; i < r.certificates.size(); ++i)
    others.push_back(cert_json(r.certificates[i]));
  j["other_certificates"] = std::move(others);
  Json findings = Json::array();
  for (const Finding& f : r.findings) {
    Json ev = Json::array();
    for (const std::string& e : f.evidence) ev.push_back(e);
    findings.push_back({{"check", f.check},
                        {"verdict", std::string(engine::to_string(f.kind))},
                        {"warning", f.warning},
                        {"clause", f.clause},
                        {"summary", f.summary},
                        {"evidence", std::move(ev)}});
  }
  j["findings"] = std::move(findings);
  Totals t = totals(r);
  j["totals"] = {{"pass", t.pass},
                 {"fail", t.fail},
                 {"skip", t.skip},
                 {"error", t.error},
                 {"warning", t.warning}};
  // Never throws: bytes that are not UTF-8 become U+FFFD, as in json_report.
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string probe_to_text(const ProbeResult& r, const ProbeTextOptions& o) {
  auto paint = [&](std::string_view code, std::string_view text) {
    return o.color ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : std::string(text);
  };
  std::string out;
  // Peer-supplied text is made terminal-safe where it is inserted (safe());
  // the colour codes added around it are smtpeer's own.
  auto safe = [](std::string_view x) { return terminal_safe(x); };
  auto line = [&](const std::string& s) {
    out += s;
    out += '\n';
  };
  line(fmt::format("smtpeer probe {} (profile {}), {}", safe(r.target), safe(r.profile),
                   r.started_at));
  if (!r.greeting.empty()) line("Greeting: 220 " + safe(r.greeting));
  if (!r.error.empty()) {
    line(paint("1;31", "Could not probe: ") + safe(r.error));
    line(fmt::format("{} connections in {:.1f} s", r.connections, r.duration_ms / 1000.0));
    return out;
  }
  if (r.handshake == Tristate::kNo)
    line(paint("1;31", "No TLS handshake completes: ") + safe(r.handshake_detail));
  for (const std::string& why : r.incomplete)
    line(paint("1;31", "Incomplete: ") + safe(why) + " (lists may be short)");
  out += '\n';
  line("Protocols");
  for (const ProtocolSeen& p : r.protocols)
    line(fmt::format("  {:<8} {}  {}", wire::version_name(p.version),
                     p.accepted ? paint("1", "yes") : "no ", safe(p.answer)));
  for (auto it = r.protocols.rbegin(); it != r.protocols.rend(); ++it) {
    const ProtocolSeen& p = *it;
    if (!p.accepted) continue;
    out += '\n';
    std::string order = !p.server_order   ? ""
                        : *p.server_order ? ", server order"
                                          : ", client order (no server preference)";
    if (p.version == wire::kSsl2) {
      line(fmt::format("Ciphers, SSLv2"));
      for (std::uint32_t k : p.sslv2_ciphers) {
        const wire::Sslv2Cipher* c = wire::find_sslv2_cipher(k);
        line(fmt::format("  0x{:06X}  {:<44} {:>4}{}", k, c ? c->name : "?", c ? c->bits : 0,
                         c && c->export_grade ? "  EXPORT" : ""));
      }
      continue;
    }
    line(fmt::format("Cipher suites, {}{}", wire::version_name(p.version), order));
    for (const SuiteSeen& s : p.suites) {
      const wire::CipherSuite* cs = wire::find_suite(s.id);
      std::string kx = s.dh_bits > 0 ? fmt::format("DH {}", s.dh_bits)
                       : s.group     ? group_name(*s.group)
                                     : std::string();
      std::string flags;
      if (cs && wire::forward_secret(*cs)) flags += " FS";
      if (cs && cs->export_grade) flags += paint("1;31", " EXPORT");
      if (cs && wire::is_null_cipher(*cs)) flags += paint("1;31", " NULL");
      if (cs && wire::is_anonymous(*cs)) flags += paint("33", " ANON");
      if (cs && wire::is_rc4(*cs)) flags += paint("1;31", " RC4");
      if (cs && wire::is_3des(*cs)) flags += paint("33", " 64-bit-block");
      line(fmt::format("  0x{:04X}  {:<48} {:>4}  {:<10}{}", s.id, cs ? cs->name : "?",
                       cs ? cs->bits : 0, kx, flags));
    }
    if (p.foreign_suite)
      line(paint("1;31", fmt::format("  the server chose 0x{:04X}, which was not offered",
                                     *p.foreign_suite)));
  }
  out += '\n';
  std::vector<std::string> groups;
  for (std::uint16_t g : r.groups) groups.push_back(group_name(g));
  line(fmt::format(
      "Key exchange: groups {}{}",
      groups.empty() ? "none seen" : fmt::format("{}", fmt::join(groups, ", ")),
      r.dh_bits_min > 0
          ? fmt::format("; DHE {} bits", r.dh_bits_min == r.dh_bits_max
                                             ? fmt::format("{}", r.dh_bits_min)
                                             : fmt::format("{}..{}", r.dh_bits_min, r.dh_bits_max))
          : ""));
  line(
      fmt::format("Features: compression {}; secure renegotiation {}; heartbeat {}; "
                  "TLS_FALLBACK_SCSV {}",
                  engine::to_string(r.compression), engine::to_string(r.secure_renegotiation),
                  engine::to_string(r.heartbeat), engine::to_string(r.fallback_scsv)));
  line(fmt::format("Client certificate requested: {}", engine::to_string(r.client_cert_requested)));
  for (const engine::ClientCertTry& t : r.client_cert_tries)
    line(fmt::format("  {:<18} {}  {}", t.name, t.accepted ? "accepted" : "refused ",
                     safe(t.detail)));
  for (std::size_t i = 0; i < r.certificates.size(); ++i) {
    const CertificateSeen& c = r.certificates[i];
    if (c.chain.empty()) continue;
    const tls::CertFacts& f = c.chain.front();
    out += '\n';
    line(fmt::format("{} ({})", i == 0 ? "Certificate" : "Other certificate", safe(c.source)));
    line("  Subject      " + safe(f.subject));
    std::vector<std::string> sans = f.dns_names;
    sans.insert(sans.end(), f.ip_addresses.begin(), f.ip_addresses.end());
    line("  SAN          " +
         (sans.empty() ? std::string("none") : safe(fmt::format("{}", fmt::join(sans, ", ")))));
    line("  Issuer       " + safe(f.issuer));
    line(fmt::format("  Valid        {} .. {} ({})", f.not_before, f.not_after,
                     f.expired         ? paint("1;31", "EXPIRED")
                     : f.not_yet_valid ? paint("1;31", "NOT YET VALID")
                                       : fmt::format("{} days left", f.days_left)));
    line(fmt::format("  Key          {} {} bits{}", f.key_type, f.key_bits,
                     f.curve.empty() ? "" : " (" + f.curve + ")"));
    line("  Signature    " + safe(f.signature_algorithm));
    line(fmt::format("  Self-signed  {}", f.self_signed ? "yes" : "no"));
    line(fmt::format("  Chain        {} ({} certificate{})",
                     c.chain_verified ? "verified against " + (c.ca_file.empty()
                                                                   ? std::string("the system store")
                                                                   : safe(c.ca_file))
                                      : paint("33", "not verified: " + safe(c.verify_error)),
                     c.chain.size(), c.chain.size() == 1 ? "" : "s"));
    line(fmt::format("  Names        {}: {}; banner {}: {}", safe(c.expected_name),
                     engine::to_string(c.matches_expected),
                     c.banner_name.empty() ? "-" : safe(c.banner_name),
                     engine::to_string(c.matches_banner)));
  }
  out += '\n';
  line(fmt::format("Findings (profile {})", r.profile));
  for (const Finding& f : r.findings) {
    std::string tag = f.kind == VerdictKind::kFail   ? paint("1;31", "FAIL")
                      : f.kind == VerdictKind::kSkip ? paint("2", "SKIP")
                      : f.warning                    ? paint("33", "WARN")
                                                     : paint("32", "PASS");
    line(fmt::format("  {}  {:<4} {}  [{}]", tag, f.check, safe(f.summary), f.clause));
    if (f.kind == VerdictKind::kFail || f.kind == VerdictKind::kError || f.warning || o.verbose)
      for (const std::string& e : f.evidence) line("          " + safe(e));
  }
  Totals t = totals(r);
  out += '\n';
  line(fmt::format("{} failed, {} passed, {} skipped, {}, {}; {} connections{} in {:.1f} s{}",
                   t.fail, t.pass, t.skip, plural(t.error, "error", "errors"),
                   plural(t.warning, "warning", "warnings"), r.connections,
                   r.rate_limited ? fmt::format(" ({} rate-limited)", r.rate_limited) : "",
                   r.duration_ms / 1000.0, r.interrupted ? " (interrupted: partial)" : ""));
  return out;
}

}  // namespace smtpeer::report
