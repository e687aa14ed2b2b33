// The demo's client section (engine/demo.h): smtpeer's server role against
// smtpeer's own reference clients, so the embedded default shows the server
// role with nothing installed.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "engine/demo.h"
#include "engine/reference_client.h"
#include "engine/server_session.h"
#include "net/socket.h"
#include "scenario/loader.h"
#include "tls/pki.h"

namespace smtpeer::engine {

namespace {

// The scenarios whose handshake fails and which then wait for a retry: a
// client that retries in plaintext fails each of them.
const std::vector<std::string> kFailedHandshakes = {
    "client-c9-export-only",      "client-c9-freak",
    "client-c10-sslv3-only",      "client-c10-tls10-only",
    "client-c11-alert-after-220", "client-c11-close-after-220",
    "client-c11-eof-after-220"};

const std::vector<std::string> kBadCertificates = {
    "client-c8-cert-expired", "client-c8-cert-self-signed", "client-c8-cert-wrong-name"};

}  // namespace

const std::vector<ClientDemoSpec>& client_demo_specs() {
  // Each flawed kind fails the scenarios meant for its flaw and nothing else;
  // the conformant kinds pass everything under their policy.
  static const std::vector<ClientDemoSpec> kSpecs = {
      {"good", "strict", {}, {}},
      {"opportunistic", "opportunistic", {}, {}},
      {"no-verify", "strict", kBadCertificates, {}},
      {"acts-on-injection", "strict", {"client-c4-reply-injection"}, {}},
      {"reuses-pre-tls-caps", "strict", {"client-c6-post-tls-capabilities"}, {}},
      // It does not verify either: under `encrypt` that is a note, so only TLS 1.0 fails.
      {"accepts-legacy-tls", "encrypt", {"client-c10-tls10-only"}, {}},
      {"plaintext-retry", "strict", kFailedHandshakes, {}},
  };
  return kSpecs;
}

Result<BuiltinResult> run_builtin_clients(const std::vector<scenario::Scenario>& scenarios,
                                          const std::string& profiles_dir,
                                          const std::string& self_exe, const std::string& out_dir,
                                          const SuiteOptions& options) {
  // One PKI for the section; its CA is what the verifying clients trust.
  tls::PkiOptions pki_options;
  pki_options.name = "localhost";
  auto pki = tls::generate_pki(pki_options);
  if (!pki) return pki.error();
  std::string pki_dir =
      std::filesystem::absolute(std::filesystem::path(out_dir.empty() ? "." : out_dir) /
                                "client-demo-pki")
          .string();
  if (auto files = tls::write_pki(*pki, pki_dir); !files) return files.error();

  BuiltinResult result;
  for (const ClientDemoSpec& spec : client_demo_specs()) {
    if (net::stop_flag().load()) break;
    auto profile = scenario::load_profile(profiles_dir, "client-" + spec.policy);
    if (!profile) return profile.error();
    std::string description;
    for (const ClientFlawInfo& f : client_flaws())
      if (f.name == spec.kind) description = std::string(f.description);

    ServerTarget target;
    // No shell: the words are split and {placeholders} filled by client_process.
    // A short read timeout: scenarios that leave a reply unanswered end sooner.
    target.client_cmd = fmt::format(
        "'{}' reference-client --kind {} --host {{host}} --port {{port}} --ca {{ca}} "
        "--name localhost --read-timeout-ms 3000",
        self_exe, spec.kind);
    target.server_name = "localhost";
    target.ca_file = pki_dir + "/ca.pem";
    target.pki = &*pki;
    SuiteOptions client_options = named_progress(options, spec.kind);
    client_options.parallel = 6;  // each scenario has its own port and client process
    if (options.on_message)
      options.on_message(fmt::format("built-in client {} ({}), --client-policy {}", spec.kind,
                                     description, spec.policy));
    RunReport report = run_server_suite(scenarios, *profile, target, client_options);
    report.target = fmt::format("builtin client:{} (--client-policy {})", spec.kind, spec.policy);
    result.checks.push_back(check_expectations("client " + spec.kind, description, spec.must_fail,
                                               spec.may_fail, report));
    result.reports.push_back(std::move(report));
  }
  return result;
}

}  // namespace smtpeer::engine
