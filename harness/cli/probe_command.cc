// `smtpeer probe` and `smtpeer certs`: flags in, library calls, reports out.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>

#include "cli/commands.h"
#include "engine/probe.h"
#include "engine/tls_policy.h"
#include "net/socket.h"
#include "report/output_file.h"
#include "report/probe_report.h"
#include "scenario/loader.h"
#include "scenario/paths.h"
#include "tls/pki.h"

namespace smtpeer::cli {
namespace {

void error_line(const std::string& text) {
  std::fprintf(stderr, "smtpeer: %s\n", text.c_str());
}

}  // namespace

int probe(const ProbeArgs& args, bool tty) {
  auto hp = net::split_host_port(args.target);
  if (!hp) {
    error_line("--target " + hp.error().message);
    return kUsage;
  }
  std::string dir =
      args.scenario_dir.empty() ? scenario::default_scenario_dir() : args.scenario_dir;
  auto profile =
      scenario::load_profile(dir + "/profiles", args.profile.empty() ? "rfc3207" : args.profile);
  if (!profile) {
    error_line(profile.error().message);
    return kUsage;
  }
  engine::ProbeOptions options;
  options.target.host = hp->first;
  options.target.port = hp->second;
  options.target.ca_file = args.ca_file;
  options.target.expect_name = args.expect_name;
  options.target.sni = args.sni;
  options.target.client_cert = args.client_cert;
  options.target.client_key = args.client_key;
  options.client_pki = args.client_pki;
  options.corpus_dir = args.corpus_dir;
  options.parallel = args.parallel;
  options.timeout = std::chrono::seconds(args.timeout_s);
  std::mutex mu;
  if (!args.quiet) {
    options.on_progress = [&mu](const std::string& m) {
      std::lock_guard lock(mu);
      std::fprintf(stderr, "  %s\n", m.c_str());
    };
    std::fprintf(stderr, "smtpeer: probing %s ...\n", args.target.c_str());
  }
  engine::ProbeResult result = engine::run_probe(options);
  result.profile = profile->name;
  result.findings = engine::judge_probe(result, *profile);

  report::ProbeTextOptions text;
  text.color = tty && !args.no_color;
  text.verbose = args.verbose;
  std::fputs(report::probe_to_text(result, text).c_str(), stdout);
  std::fflush(stdout);
  bool wrote = true;
  if (!args.json_path.empty()) {
    if (Status st = report::write_file(args.json_path, report::probe_to_json(result)); !st) {
      error_line("cannot write JSON report: " + st.error().message);
      wrote = false;
    }
  }
  if (!args.corpus_dir.empty()) {
    // STYLE.md 20: corpora seeded from real exchanges, named by content.
    std::error_code ec;
    std::filesystem::create_directories(args.corpus_dir, ec);
    int written = 0;
    for (const std::string& flight : result.flights) {
      std::string name =
          fmt::format("{}/flight-{:016x}", args.corpus_dir, std::hash<std::string>{}(flight));
      if (Status st = report::write_file(name, flight); !st) {
        error_line("cannot write corpus file: " + st.error().message);
        wrote = false;
        break;
      }
      ++written;
    }
    if (!args.quiet)
      std::fprintf(stderr, "smtpeer: %d server flights written to %s (fuzz_tls_records input)\n",
                   written, args.corpus_dir.c_str());
  }
  if (result.interrupted || !wrote) return kHarness;
  // A reachable server without STARTTLS is a finding (RFC 3207 is what is
  // being checked), not a harness error.
  if (!result.error.empty()) return result.greeting.empty() ? kHarness : kFindings;
  switch (engine::probe_verdict(result)) {
    case engine::VerdictKind::kFail: return kFindings;
    case engine::VerdictKind::kError: return kHarness;  // the inventory could not be completed
    default: return kAllPassed;
  }
}

int certs(const CertsArgs& args) {
  tls::PkiOptions options;
  options.name = args.name;
  auto pki = tls::generate_pki(options);
  if (!pki) {
    error_line(pki.error().message);
    return kHarness;
  }
  auto files = tls::write_pki(*pki, args.out_dir);
  if (!files) {
    error_line(files.error().message);
    return files.error().code == ErrorCode::kIo ? kUsage : kHarness;
  }
  std::printf("smtpeer: test PKI for '%s' written to %s\n", args.name.c_str(),
              args.out_dir.c_str());
  for (const tls::PkiFile& f : *files)
    std::printf("  %-28s %s\n", f.path.c_str(), f.purpose.c_str());
  return kAllPassed;
}

}  // namespace smtpeer::cli
